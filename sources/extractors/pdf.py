"""PDF: the text of each page, with page numbers dropped and paragraph ends marked."""

import io
import re

from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError

from .common import Budget, IngestError, Raw

PAGE_NUMBER = re.compile(r"\d{1,3}")
# Text extraction takes milliseconds a page; this bounds how long one upload can keep a worker busy.
PDF_MAX_PAGES = 3000
# What one stream may unpack to. A page of text needs tens of kilobytes; a dense drawing a few megabytes.
PDF_MAX_STREAM_BYTES = 2 * 1024 * 1024
STREAM_LIMITS = (
    "zlib_maximum_output_length", "lzw_maximum_output_length", "run_length_maximum_output_length",
    "brotli_maximum_output_length", "array_based_stream_maximum_output_length", "maximum_declared_stream_length",
)  # fmt: skip
SENTENCE_END = tuple('.!?:"”’)…')
# Slack for proportional type: character counts of full lines vary by several per cent.
FULL_LINE = 0.9


def extract_pdf(data: bytes) -> Raw:
    budget = Budget("This PDF")
    # pypdf's own bounds on what one stream may inflate to, tightened for the length of this call: a page's
    # drawing instructions are parsed into Python objects, several times their size.
    with apply_configuration(**dict.fromkeys(STREAM_LIMITS, PDF_MAX_STREAM_BYTES)):
        reader = _open_pdf(data)
        return Raw(_pdf_text(reader, budget), _pdf_title(reader))


def _pdf_text(reader: PdfReader, budget: Budget) -> str:
    try:
        pages = list(reader.pages)
    except Exception as error:
        raise IngestError("This PDF is damaged: its list of pages cannot be read.") from error
    if not pages:
        raise IngestError("This PDF has no pages.")
    if len(pages) > PDF_MAX_PAGES:
        raise IngestError(f"This PDF has {len(pages):,} pages; split it into parts of at most {PDF_MAX_PAGES:,}.")
    texts = []
    for number, page in enumerate(pages, start=1):
        try:
            texts.append(_page_text(page.extract_text() or ""))
        except LimitReachedError as error:
            raise IngestError(
                f"Page {number} of this PDF unpacks to more than {PDF_MAX_STREAM_BYTES // (1024 * 1024)} MB of "
                "drawing instructions, far more than any page of text; it was refused."
            ) from error
        except Exception as error:
            raise IngestError(f"Page {number} of this PDF is damaged and its text cannot be read.") from error
        budget.spend(len(texts[-1]))
        budget.check_time()
    text = "\f".join(texts)
    # Scanned pages sometimes come with a stray space or symbol from an invisible font, but never a word.
    if not any(character.isalnum() for character in text):
        raise IngestError(
            "This PDF has pages but no text in them: it looks like a scan. "
            "Run it through OCR (text recognition) first, then upload the result."
        )
    return text


def _open_pdf(data: bytes) -> PdfReader:
    # pypdf raises a zoo of exception types on malformed files; to the user they all mean the same thing.
    try:
        reader = PdfReader(io.BytesIO(data))
    except Exception as error:
        raise IngestError("This PDF is damaged or incomplete and cannot be read.") from error
    if reader.is_encrypted:
        # Many PDFs are encrypted only to restrict printing or copying and open with an empty password.
        try:
            opened = reader.decrypt("")
        except Exception as error:
            # AES needs a cryptography package this server lacks; some handlers pypdf does not know at all.
            raise IngestError(
                "This PDF is encrypted in a way this server cannot open; remove the encryption and upload it again."
            ) from error
        if not opened:
            raise IngestError("This PDF is encrypted; remove the password and upload it again.")
    return reader


def _page_text(text: str) -> str:
    """A page's text with its page number dropped and paragraph ends marked with a blank line.

    pypdf gives one line per printed line and no sign of where paragraphs end. The tell is a line that
    ends a sentence although the next line's first word would have fitted on it.
    """
    lines = [line.strip() for line in text.strip().split("\n")]
    for index in (0, -1):
        if lines and PAGE_NUMBER.fullmatch(lines[index]):
            lines.pop(index)
    lengths = sorted(len(line) for line in lines if line)
    if len(lengths) < 3:
        return "\n".join(lines)
    typical = lengths[(len(lengths) * 3) // 4]
    marked = []
    for line, following in zip(lines, lines[1:] + [""], strict=True):
        marked.append(line)
        next_word = following.split(" ", 1)[0]
        if following and line.endswith(SENTENCE_END) and len(line) + 1 + len(next_word) < FULL_LINE * typical:
            marked.append("")
    return "\n".join(marked)


def _pdf_title(reader: PdfReader) -> str:
    try:
        title = str((reader.metadata or {}).get("/Title") or "")
    except Exception:
        return ""  # the metadata is only a hint; a broken info dictionary must not stop the import
    title = " ".join(title.split())
    # Word and friends often leave a file name or a placeholder where the title belongs.
    if re.search(r"\.(docx?|pdf|rtf|odt|tex|indd)$|^(untitled|microsoft word\b)", title, re.IGNORECASE):
        return ""
    return title
