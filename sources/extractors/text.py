"""Plain text: bytes decoded, nothing else done (the normaliser does the rest)."""

import re

from .common import IngestError, Raw

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Beyond this share of control characters the bytes are not prose in any encoding.
MAX_CONTROL_SHARE = 0.05
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd]")


def decode_text(data: bytes) -> str:
    """Bytes of a text file as str: UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if data.startswith(UTF16_BOMS):
            try:
                text = data.decode("utf-16")
            except UnicodeDecodeError:
                raise IngestError("This file claims to be UTF-16 text but is not valid UTF-16.") from None
        else:
            # cp1252 leaves five bytes undefined; replacing them keeps a stray one from sinking a whole file.
            text = data.decode("cp1252", errors="replace")
    if "\x00" in text or len(CONTROL_CHARS.findall(text)) > MAX_CONTROL_SHARE * len(text):
        raise IngestError("This is not a text file: it contains binary data.")
    return text


def extract_txt(data: bytes) -> Raw:
    return Raw(decode_text(data))
