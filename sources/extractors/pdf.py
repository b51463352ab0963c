"""PDF: the text of each page, with page furniture dropped and paragraphs rebuilt from the lines.

pypdf gives one line per printed line (its plain mode: its layout mode adds runs of spaces and blank lines for
the page's geometry, which measured no better on paragraphs and took longer; see docs/sources.md). Paragraphs
are rebuilt from what the lines show: a numbered paragraph ("12. The Council…") starts a paragraph of its own; a
line that ends a sentence although the next line's first word would have fitted on it ends one; a sentence is
never cut, by a page break or after an abbreviation ("U.N.", "Ms.").
"""

import io
import re

from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError

from .common import Budget, IngestError, Raw, Removed
from .pages import drop_page_furniture

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
# A numbered paragraph as reports and resolutions print them: "12. The Council…", "3.2 Members…", "(4) Each…".
NUMBERED_PARAGRAPH = re.compile(r"(?:\d{1,3}(?:\.\d{1,3})*\.?|\(\d{1,3}\))\s+[A-Z“\"‘(]")
LIST_MARKS = ("- ", "• ", "◦ ", "‣ ", "* ")
# What a line must end with for the paragraph to end there; anything else runs on, across a page break too.
PARAGRAPH_END = tuple('.!?:;"”’)…')
# A line ending with one of these has not ended its sentence: titles, references and initials.
ABBREVIATION = re.compile(
    r"(?:^|\s|\()(?:Mr|Mrs|Ms|Dr|Prof|St|No|Nos|Art|Arts|para|paras|p|pp|vol|cf|e\.g|i\.e|etc|viz|vs|v|Gen|Amb"
    r"|(?:[A-Z]\.){1,3}[A-Z]?)\.$"
)


def extract_pdf(data: bytes) -> Raw:
    budget = Budget("This PDF")
    # pypdf's own bounds on what one stream may inflate to, tightened for the length of this call: a page's
    # drawing instructions are parsed into Python objects, several times their size.
    with apply_configuration(**dict.fromkeys(STREAM_LIMITS, PDF_MAX_STREAM_BYTES)):
        reader = _open_pdf(data)
        removed = Removed()
        text = _pdf_text(reader, budget, removed)
        return Raw(text, _pdf_title(reader), removed=removed.items())


def _pdf_text(reader: PdfReader, budget: Budget, removed: Removed) -> str:
    try:
        pages = list(reader.pages)
    except Exception as error:
        raise IngestError("This PDF is damaged: its list of pages cannot be read.") from error
    if not pages:
        raise IngestError("This PDF has no pages.")
    if len(pages) > PDF_MAX_PAGES:
        raise IngestError(f"This PDF has {len(pages):,} pages; split it into parts of at most {PDF_MAX_PAGES:,}.")
    page_lines = []
    for number, page in enumerate(pages, start=1):
        try:
            page_text = page.extract_text() or ""
        except LimitReachedError as error:
            raise IngestError(
                f"Page {number} of this PDF unpacks to more than {PDF_MAX_STREAM_BYTES // (1024 * 1024)} MB of "
                "drawing instructions, far more than any page of text; it was refused."
            ) from error
        except Exception as error:
            raise IngestError(f"Page {number} of this PDF is damaged and its text cannot be read.") from error
        budget.spend(len(page_text))
        budget.check_time()
        page_lines.append([line.strip() for line in page_text.strip().split("\n")])
    page_lines = drop_page_furniture(page_lines, removed)
    texts = []
    for lines in page_lines:
        lines = [line for line in lines if line]
        if texts and lines and texts[-1] and _runs_on(texts[-1].rsplit("\n", 1)[-1], lines[0]):
            texts[-1] += "\n" + _page_text(lines, removed)
            continue
        texts.append(_page_text(lines, removed))
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


def _page_text(lines: list[str], removed: Removed) -> str:
    """A page's lines (page furniture gone), with paragraph ends marked by a blank line.

    pypdf gives one line per printed line and no sign of where paragraphs end. A numbered paragraph starts one;
    otherwise the tell is a line that ends a sentence although the next line's first word would have fitted on it.
    """
    if not lines:
        return ""
    lengths = sorted(len(line) for line in lines)
    typical = lengths[(len(lengths) * 3) // 4] if len(lengths) >= 3 else 0
    marked = []
    for line, following in zip(lines, lines[1:] + [""], strict=True):
        marked.append(line)
        if not following or ABBREVIATION.search(line):
            continue
        # A short line before a numbered paragraph is a heading ("Introduction"): set apart too.
        if NUMBERED_PARAGRAPH.match(following) and (line.endswith(PARAGRAPH_END) or len(line) < typical / 2):
            marked.append("")
            removed.add("numbered paragraphs set apart")
            continue
        if not line.endswith(PARAGRAPH_END):
            continue
        # A sentence starts with a capital, a digit or an opening quote; a line starting otherwise continues.
        if not (following[0].isupper() or following[0].isdigit() or following[0] in '“"‘('):
            continue
        next_word = following.split(" ", 1)[0]
        if typical and line.endswith(SENTENCE_END) and len(line) + 1 + len(next_word) < FULL_LINE * typical:
            marked.append("")
    return "\n".join(marked)


def _runs_on(last_line: str, first_line: str) -> bool:
    """Whether a page's first line goes on from the last line of the page before, across the page break."""
    if first_line[:2] in LIST_MARKS:
        return last_line[:2] in LIST_MARKS  # a list that goes on over the page
    # The page broke a sentence (or a paragraph's last line lost its full stop): it runs on.
    return not last_line.endswith(PARAGRAPH_END) and not _starts_block(first_line)


def _starts_block(line: str) -> bool:
    """Whether a page's first line starts something new: a numbered paragraph, a list item or a heading."""
    return bool(NUMBERED_PARAGRAPH.match(line)) or line[:2] in LIST_MARKS or (line.isupper() and len(line) > 3)


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
