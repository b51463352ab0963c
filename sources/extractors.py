"""One extractor per document format: bytes in, raw text and a title hint out.

The raw text still has its line breaks, hyphenation and page breaks; sources.ingest passes it through the
normaliser. Extractors mark structure the way the normaliser reads it: a blank line between paragraphs, a
form feed between PDF pages, list items on lines of their own that start with a marker ("• ", "3. ").
"""

import io
import re
import zipfile
from typing import NamedTuple

import docx
from bs4 import BeautifulSoup, NavigableString, Tag
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from markdown_it import MarkdownIt
from pypdf import PdfReader


class IngestError(Exception):
    """A document that cannot be imported; the message is written for the person who uploaded it."""


class Raw(NamedTuple):
    text: str
    title: str = ""
    # Whether the text was laid out on pages, so a blank line may be a page break inside a paragraph.
    paged: bool = True


# --- plain text -------------------------------------------------------------------------------------------

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


# --- HTML and Markdown ------------------------------------------------------------------------------------

# Elements whose content is never prose a reader sees on the page (<title> is read for the title hint first).
DROPPED = {
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "object", "embed", "title", "nav",
    "select", "button", "textarea",
}  # fmt: skip
BLOCKS = {
    "address", "article", "aside", "blockquote", "caption", "center", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
# White space as HTML collapses it (a no-break space is content, not layout).
HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


def extract_html(data: bytes | str, *, title_from: tuple[list[str], ...] = (["h1"], ["title"])) -> Raw:
    """Visible text of an HTML document; the title hint is the first element found by `title_from`.

    The first <h1> is preferred to <title>, which usually carries the site's name as well.
    """
    # BeautifulSoup works out the encoding of bytes itself: BOM, then <meta charset>, then guesses.
    soup = BeautifulSoup(data, "lxml")
    titles: dict[int, str] = {}
    text = _html_text(soup, title_from, titles)
    title = next((titles[rank] for rank in sorted(titles) if titles[rank]), "")
    return Raw(text, title, paged=False)


def _html_text(soup: BeautifulSoup, title_from: tuple[list[str], ...], titles: dict[int, str]) -> str:
    """The visible text, in one walk over the tree; the first element of each `title_from` kind goes in `titles`."""
    parts: list[str] = []
    pending_marker = ""
    in_pre = 0
    ol_counters: dict[int, int] = {}
    # A stack rather than recursion: deeply nested markup must not hit Python's recursion limit.
    stack: list[tuple[Tag | NavigableString, bool]] = [(soup, False)]
    while stack:
        node, closing = stack.pop()
        if isinstance(node, NavigableString):
            # Subclasses are comments, doctypes, CDATA and processing instructions: not visible text.
            if type(node) is not NavigableString:
                continue
            # Collapsed but not stripped: 'a <b>bold</b> word' must keep its spaces.
            text = str(node) if in_pre else HTML_SPACE.sub(" ", node)
            if pending_marker and text.strip():
                parts.append(pending_marker)
                pending_marker = ""
                text = text.lstrip()
            parts.append(text)
            continue
        name = node.name
        if closing:
            in_pre -= name == "pre"
            if name == "li":
                pending_marker = ""  # an empty item must not lend its marker to the next paragraph
            if name in BLOCKS:
                parts.append("\n\n")
            continue
        for rank, names in enumerate(title_from):
            if rank not in titles and name in names:
                titles[rank] = _collapse(node.get_text(" "))
        if name in DROPPED or node.has_attr("hidden"):
            continue
        if name == "br":
            parts.append("\n")
        elif name == "li":
            parts.append("\n")
            pending_marker = _list_marker(node, ol_counters)
        elif name in BLOCKS:
            parts.append("\n\n")
        in_pre += name == "pre"
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    return "".join(parts)


def _list_marker(item: Tag, ol_counters: dict[int, int]) -> str:
    parent = item.find_parent(["ol", "ul"])
    if parent is None or parent.name == "ul":
        return "• "
    key = id(parent)
    if key not in ol_counters:
        start = parent.get("start", "1")
        ol_counters[key] = int(start) if str(start).lstrip("-").isdigit() else 1
    number = ol_counters[key]
    ol_counters[key] += 1
    return f"{number}. "


def _collapse(text: str) -> str:
    return HTML_SPACE.sub(" ", text).strip()


FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
FRONT_MATTER_TITLE = re.compile(r"^title:[ \t]*(.+?)[ \t]*$", re.MULTILINE)


def extract_markdown(data: bytes) -> Raw:
    """Markdown rendered to HTML, then read like HTML: markup vanishes, list items keep their lines."""
    source = decode_text(data)
    title = ""
    # Static-site and notes tools put YAML front matter on top; it is metadata, not text.
    if front := FRONT_MATTER.match(source):
        source = source[front.end() :]
        if found := FRONT_MATTER_TITLE.search(front.group(1)):
            title = found.group(1).strip("'\"")
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(source)
    raw = extract_html(html, title_from=(HEADINGS,))
    return Raw(raw.text, title or raw.title, paged=False)


# --- PDF --------------------------------------------------------------------------------------------------

PAGE_NUMBER = re.compile(r"\d{1,3}")
# Text extraction takes milliseconds a page; this bounds how long one upload can keep a worker busy.
PDF_MAX_PAGES = 3000
SENTENCE_END = tuple('.!?:"”’)…')
# Slack for proportional type: character counts of full lines vary by several per cent.
FULL_LINE = 0.9


def extract_pdf(data: bytes) -> Raw:
    reader = _open_pdf(data)
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
        except Exception as error:
            raise IngestError(f"Page {number} of this PDF is damaged and its text cannot be read.") from error
    text = "\f".join(texts)
    # Scanned pages sometimes come with a stray space or symbol from an invisible font, but never a word.
    if not any(character.isalnum() for character in text):
        raise IngestError(
            "This PDF has pages but no text in them: it looks like a scan. "
            "Run it through OCR (text recognition) first, then upload the result."
        )
    return Raw(text, _pdf_title(reader))


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


# --- DOCX -------------------------------------------------------------------------------------------------

# A Word document unzips to a few dozen parts, at most tens of megabytes; anything far beyond is a zip bomb.
DOCX_MAX_MEMBERS = 2000
DOCX_MAX_UNCOMPRESSED = 50 * 1024 * 1024
DOCX_MAX_RATIO = 100


def extract_docx(data: bytes) -> Raw:
    _check_docx_archive(data)
    # Broken parts surface as anything from KeyError to lxml's XMLSyntaxError; all mean a damaged file.
    try:
        # python-docx parses its XML with entity resolution switched off (resolve_entities=False).
        document = docx.Document(io.BytesIO(data))
        text = _docx_text(document)
        title = " ".join((document.core_properties.title or "").split())
    except Exception as error:
        raise IngestError("This Word document is damaged and cannot be read.") from error
    return Raw(text, title, paged=False)


def _check_docx_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise IngestError("This Word document is damaged: it is not a readable zip archive.") from error
    # Sizes come from the archive's directory; zipfile never inflates a member past its declared size.
    uncompressed = sum(member.file_size for member in members)
    if len(members) > DOCX_MAX_MEMBERS or uncompressed > DOCX_MAX_UNCOMPRESSED:
        raise IngestError("This Word document unpacks to far more data than any real document; it was refused.")
    if uncompressed > DOCX_MAX_RATIO * len(data):
        raise IngestError("This Word document is compressed suspiciously well (a possible zip bomb); it was refused.")
    if "word/document.xml" not in {member.filename for member in members}:
        raise IngestError("This file is a zip archive but not a Word document (it has no word/document.xml).")
    if any(member.flag_bits & 0x1 for member in members):
        raise IngestError("This Word document is encrypted; remove the password and upload it again.")


def _docx_paragraphs(container, document):
    """Every paragraph under a body or table cell, in reading order, tables included cell by cell."""
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, document)
        elif child.tag == qn("w:tbl"):
            for row in child.iterchildren(qn("w:tr")):
                for cell in row.iterchildren(qn("w:tc")):
                    yield from _docx_paragraphs(cell, document)
        elif child.tag == qn("w:sdt"):
            # Content controls (cover pages, tables of contents) wrap ordinary paragraphs.
            for content in child.iterchildren(qn("w:sdtContent")):
                yield from _docx_paragraphs(content, document)


def _docx_text(document) -> str:
    """Paragraphs separated by blank lines, except that the items of a list follow one another line by line."""
    parts: list[str] = []
    previous_was_item = False
    for paragraph in _docx_paragraphs(document.element.body, document):
        text = paragraph.text
        if not text.strip():
            continue
        is_item = _is_list_paragraph(paragraph)
        parts.append("\n" if is_item and previous_was_item else "\n\n")
        parts.append("• " + text.strip() if is_item else text)
        previous_was_item = is_item
    return "".join(parts)


def _is_list_paragraph(paragraph: Paragraph) -> bool:
    # Word keeps bullets and numbers out of the text; the normaliser needs a marker to keep items apart.
    style_name = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    if style_name.startswith(("heading", "title")):
        return False  # numbered headings stay headings
    properties = paragraph._p.pPr
    return style_name.startswith("list") or (properties is not None and properties.numPr is not None)
