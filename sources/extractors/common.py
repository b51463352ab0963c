"""What every extractor shares: the error it raises, what it returns, and the bounds on one document's work."""

import re
import time
from collections import Counter
from typing import NamedTuple

from django.conf import settings

# Reading one document may take this long at most: a hostile file can be slow to parse in ways that no limit on
# its size or structure foresees, and a worker busy with it serves nobody else.
MAX_SECONDS = 8.0


class IngestError(Exception):
    """A document that cannot be imported; the message is written for the person who uploaded it."""


class Raw(NamedTuple):
    text: str
    title: str = ""
    # Whether the text was laid out on pages, so a blank line may be a page break inside a paragraph.
    paged: bool = True
    # Metadata the file states about itself (front matter): Source field -> value, authors as a list of names.
    metadata: dict | None = None
    # What the extractor took out of the text, for the person who uploaded it (see Removed).
    removed: tuple[tuple[str, int], ...] = ()


class Removed:
    """What an extractor removed from a document's text, counted by kind, in the order first met.

    Kinds are phrases that read after a count: "heading marks removed", "page numbers dropped".
    """

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def add(self, kind: str, count: int = 1) -> None:
        if count:
            self.counts[kind] += count

    def items(self) -> tuple[tuple[str, int], ...]:
        return tuple(self.counts.items())


class Budget:
    """The work one document may cause: the seconds spent reading it, and the characters of text it yields.

    No document yields more characters than the largest plain-text file accepted has bytes
    (WARRANT_MAX_UPLOAD_BYTES): compressed formats could otherwise unfold into far more text than was uploaded.
    Extractors call spend() as text comes out and check_time() between steps of bounded size.
    """

    def __init__(self, what: str) -> None:
        self.what = what  # how messages name the document: "This PDF", "This web page"
        self.deadline = time.monotonic() + MAX_SECONDS
        self.chars_left = settings.WARRANT_MAX_UPLOAD_BYTES

    def spend(self, chars: int) -> None:
        self.chars_left -= chars
        if self.chars_left < 0:
            limit = settings.WARRANT_MAX_UPLOAD_BYTES
            raise IngestError(
                f"{self.what} holds more than {limit:,} characters of text, more than one source may have; "
                "split it into parts."
            )

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise IngestError(
                f"{self.what} takes more than {MAX_SECONDS:g} seconds to read, so it was refused; "
                "split it into smaller parts."
            )


# Each kind of removal in the plural (as counted) and in the singular.
KINDS = {
    "heading marks removed": "heading mark removed",
    "links reduced to their text": "link reduced to its text",
    "emphasis marks removed": "emphasis mark removed",
    "escapes resolved": "escape resolved",
    "quotation marks (>) removed": "quotation mark (>) removed",
    "list marks made bullets": "list mark made a bullet",
    "wiki headings made paragraphs": "wiki heading made a paragraph",
    "wiki links and emphasis removed": "wiki link or emphasis removed",
    "page numbers dropped": "page number dropped",
    "running headers and footers dropped": "running header or footer dropped",
    "numbered paragraphs set apart": "numbered paragraph set apart",
}


def describe(removed) -> str:
    """(("front matter (5 fields) read into metadata", 1), ("heading marks removed", 49)) -> one line for people."""
    parts = []
    for kind, count in removed:
        if kind.startswith("front matter"):
            parts.append(kind)
        else:
            parts.append(f"{count:,} {KINDS.get(kind, kind) if count == 1 else kind}")
    return "; ".join(parts)


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
