"""The import pipeline: an uploaded file's bytes become a source's canonical text.

`extract` checks the file (size, extension, that the bytes are what the extension claims), hands it to the
extractor for its format (sources.extractors), and normalises what comes out. Every way it can fail raises
IngestError with a message meant for the person who uploaded the file.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings

from .extractors import IngestError, Raw, extract_docx, extract_html, extract_markdown, extract_pdf, extract_txt
from .models import SourceFormat
from .normalise import normalise

__all__ = ["SUPPORTED_EXTENSIONS", "Extracted", "IngestError", "extract", "format_for"]

FORMATS: dict[str, SourceFormat] = {
    ".txt": SourceFormat.TXT,
    ".text": SourceFormat.TXT,
    ".md": SourceFormat.MD,
    ".markdown": SourceFormat.MD,
    ".html": SourceFormat.HTML,
    ".htm": SourceFormat.HTML,
    ".pdf": SourceFormat.PDF,
    ".docx": SourceFormat.DOCX,
}
SUPPORTED_EXTENSIONS: tuple[str, ...] = tuple(FORMATS)

EXTRACTORS: dict[SourceFormat, Callable[[bytes], Raw]] = {
    SourceFormat.TXT: extract_txt,
    SourceFormat.MD: extract_markdown,
    SourceFormat.HTML: extract_html,
    SourceFormat.PDF: extract_pdf,
    SourceFormat.DOCX: extract_docx,
}

# How other common files begin, so a misnamed one gets a message that says what it really is.
SIGNATURES: dict[bytes, str] = {
    b"%PDF-": "a PDF",
    b"PK\x03\x04": "a zip archive (such as a .docx)",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an old-style Office file (such as a .doc) or a password-protected one",
    b"{\\rtf": "an RTF document",
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF87a": "a GIF image",
    b"GIF89a": "a GIF image",
}
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
MAX_TITLE_CHARS = 500  # Source.title's max_length


@dataclass(frozen=True)
class Extracted:
    text: str  # canonical: already normalised
    format: str  # a SourceFormat value
    title: str  # the document's own title, if it names one; "" otherwise
    # What the file says about itself (front matter): Source field -> value; authors a list of names.
    metadata: dict = field(default_factory=dict)
    # What the import took out of the text, by kind, with counts (sources.extractors.common.describe words it).
    removed: tuple[tuple[str, int], ...] = ()


def format_for(filename: str) -> SourceFormat:
    """The format a file name's extension stands for; IngestError for any other extension."""
    suffix = _suffix(filename)
    if suffix not in FORMATS:
        named = f"“{suffix}” files are" if suffix else "Files without an extension are"
        raise IngestError(f"{named} not supported. Upload one of: {', '.join(SUPPORTED_EXTENSIONS)}.")
    return FORMATS[suffix]


def extract(filename: str, data: bytes) -> Extracted:
    source_format = format_for(filename)
    _check_size(data)
    _check_content(source_format, _suffix(filename), data)
    raw = EXTRACTORS[source_format](data)
    text = normalise(raw.text, mend_page_breaks=raw.paged)
    if not text:
        raise IngestError("This document contains no text.")
    return Extracted(
        text=text,
        format=source_format.value,
        title=raw.title.strip()[:MAX_TITLE_CHARS],
        metadata=dict(raw.metadata or {}),
        removed=raw.removed,
    )


def _check_size(data: bytes) -> None:
    if not data:
        raise IngestError("This file is empty: it contains no text.")
    limit = settings.WARRANT_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise IngestError(f"This file is {_megabytes(len(data))} MB, over the {_megabytes(limit)} MB limit.")


def _suffix(filename: str) -> str:
    # Old browsers sent the full Windows path of an upload.
    return PurePosixPath(filename.replace("\\", "/")).suffix.lower()


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.2f}".rstrip("0").rstrip(".")


def _check_content(source_format: SourceFormat, suffix: str, data: bytes) -> None:
    """Refuse bytes that are plainly not what the extension says, before any parser sees them."""
    actual = next((what for magic, what in SIGNATURES.items() if data.startswith(magic)), None)
    if source_format == SourceFormat.PDF:
        # The PDF header may come after a little junk; readers accept it anywhere in the first kilobyte.
        if b"%PDF-" not in data[:1024]:
            raise IngestError(f"This file is named {suffix} but is {actual or 'not a PDF'}.")
    elif source_format == SourceFormat.DOCX:
        if not data.startswith(ZIP_SIGNATURES):
            raise IngestError(
                f"This file is named {suffix} but is {actual or 'not a Word document'}. "
                "Save it from Word (or LibreOffice) as a .docx file and upload that."
            )
    elif actual is not None:
        raise IngestError(f"This file is named {suffix} but is {actual}; give it the right extension.")
    elif b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError("This is not a text file: it contains binary data.")
