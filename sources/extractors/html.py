"""HTML to the text a reader sees, read as a stream of parser events with no document tree.

lxml's parser calls a target's start, end and data methods as it reads. Building a tree first (as BeautifulSoup
does) costs hundreds of bytes per element, and deeply nested or element-dense markup made one 10 MB upload take
gigabytes and over a minute. Reading the events directly keeps memory to the open elements and the text itself,
and lets the reader stop at its limits (depth, elements, time) as soon as one is crossed.
"""

import codecs
import re
from collections.abc import Iterable

from lxml import etree

from .common import Budget, IngestError, Raw

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
# Strings inside these are code or ruby annotations, never text (neither of the page nor of a title).
NOT_TEXT = {"script", "style", "template", "rt", "rp"}
# White space as HTML collapses it (a no-break space is content, not layout).
HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
LIST_START = re.compile(r"-?[0-9]+")

# Far beyond any real page (long articles nest a few dozen deep and hold tens of thousands of elements), and
# small enough that reading up to them stays within the time budget.
MAX_DEPTH = 10_000
MAX_ELEMENTS = 1_000_000
# Text is fed to the parser in pieces of this many characters, and the clock is checked between them.
FEED_CHARS = 256 * 1024
ELEMENTS_BETWEEN_CLOCK_CHECKS = 10_000

# Where a page may name its encoding: <meta charset>, <meta http-equiv … content="…; charset=…">, <?xml encoding>.
DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)""", re.I
)
CHARSET_WINDOW = 64 * 1024


def extract_html(data: bytes | str, *, title_from: tuple[list[str], ...] = (["h1"], ["title"])) -> Raw:
    """Visible text of an HTML document; the title hint is the first element found by `title_from`.

    The first <h1> is preferred to <title>, which usually carries the site's name as well.
    """
    markup = data if isinstance(data, str) else decode_html(data)
    pieces = (markup[start : start + FEED_CHARS] for start in range(0, len(markup), FEED_CHARS))
    return read_html(pieces, title_from=title_from, budget=Budget("This web page"))


def read_html(pieces: Iterable[str], *, title_from: tuple[list[str], ...], budget: Budget) -> Raw:
    """The visible text of HTML that arrives in pieces, read within the budget and this module's limits."""
    reader = _VisibleText(title_from, budget)
    parser = etree.HTMLParser(target=reader, no_network=True)
    fed = False
    for piece in pieces:
        if piece:
            parser.feed(piece)
            fed = True
        budget.check_time()
    if fed:
        parser.close()
    title = next((reader.titles[rank] for rank in sorted(reader.titles) if reader.titles[rank]), "")
    return Raw("".join(reader.parts), title, paged=False)


def decode_html(data: bytes) -> str:
    """Bytes of a page as str: by its byte-order mark, else the encoding it declares, else UTF-8, else Windows-1252."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    if declared := _declared_encoding(data[:CHARSET_WINDOW]):
        return data.decode(declared, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _declared_encoding(head: bytes) -> str | None:
    match = DECLARED_CHARSET.search(head)
    if match is None:
        return None
    try:
        name = codecs.lookup((match.group(1) or match.group(2)).decode("ascii")).name
    except LookupError:
        return None
    # A page that reached us as bytes in an ASCII-compatible form cannot really be UTF-16 or UTF-32 (browsers agree).
    return None if name.startswith(("utf-16", "utf-32")) else name


class _VisibleText:
    """A parser target that keeps the visible text, marks blocks and list items, and records title candidates.

    Structure is marked the way the normaliser reads it: a blank line around blocks, a line break for <br>, each
    list item on a line of its own after its marker.
    """

    def __init__(self, title_from: tuple[list[str], ...], budget: Budget) -> None:
        self.title_from = title_from
        self.budget = budget
        self.parts: list[str] = []
        self.titles: dict[int, str] = {}
        # Title candidates being read: rank -> (depth of the element, its strings; None between two strings).
        self.reading_titles: dict[int, tuple[int, list[str | None]]] = {}
        self.open: list[str] = []  # the names of the open elements
        self.skipping_from = 0  # depth of the dropped or hidden element being skipped (0: none)
        self.not_text = 0  # open elements whose strings are not text (NOT_TEXT)
        self.lists: list[list[int] | None] = []  # per open <ol> its next number (boxed), per open <ul> None
        self.in_pre = 0
        self.pending_marker = ""
        self.elements = 0

    def start(self, name: str, attributes) -> None:
        self._count_element()
        self.open.append(name)
        depth = len(self.open)
        if depth > MAX_DEPTH:
            raise IngestError(
                f"{self.budget.what} nests its elements more than {MAX_DEPTH:,} deep, far beyond any real document; "
                "it was refused."
            )
        self.not_text += name in NOT_TEXT
        self._mark_string_boundary()
        if self.skipping_from:
            return
        for rank, names in enumerate(self.title_from):
            if rank not in self.titles and rank not in self.reading_titles and name in names:
                self.reading_titles[rank] = (depth, [])
        if name in DROPPED or "hidden" in attributes:
            self.skipping_from = depth
            return
        if name == "br":
            self.parts.append("\n")
        elif name == "li":
            self.parts.append("\n")
            self.pending_marker = self._list_marker()
        elif name in BLOCKS:
            self.parts.append("\n\n")
        if name == "ol":
            start = attributes.get("start", "1")
            self.lists.append([int(start) if LIST_START.fullmatch(start) else 1])
        elif name == "ul":
            self.lists.append(None)
        self.in_pre += name == "pre"

    def end(self, name: str) -> None:
        depth = len(self.open)
        self.open.pop()
        self.not_text -= name in NOT_TEXT
        self._mark_string_boundary()
        for rank, (at, strings) in list(self.reading_titles.items()):
            if at == depth:
                self.titles[rank] = _collapse("".join(" " if piece is None else piece for piece in strings))
                del self.reading_titles[rank]
        if self.skipping_from:
            if depth == self.skipping_from:
                self.skipping_from = 0
            return
        self.in_pre -= name == "pre"
        if name in ("ol", "ul"):
            self.lists.pop()
        elif name == "li":
            self.pending_marker = ""  # an empty item must not lend its marker to the next paragraph
        if name in BLOCKS:
            self.parts.append("\n\n")

    def data(self, text: str) -> None:
        if self.not_text:
            return
        for _, strings in self.reading_titles.values():
            strings.append(text)
        if self.skipping_from:
            return
        # Collapsed but not stripped: 'a <b>bold</b> word' must keep its spaces.
        if not self.in_pre:
            text = HTML_SPACE.sub(" ", text)
        if self.pending_marker and text.strip():
            self.parts.append(self.pending_marker)
            self.pending_marker = ""
            text = text.lstrip()
        self.budget.spend(len(text))
        self.parts.append(text)

    def comment(self, text: str) -> None:
        self._mark_string_boundary()

    def pi(self, target: str, data: str | None = None) -> None:
        self._mark_string_boundary()

    def doctype(self, name: str, public_id: str, system_id: str) -> None:
        self._mark_string_boundary()

    def close(self) -> None:
        return None

    def _count_element(self) -> None:
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise IngestError(
                f"{self.budget.what} has more than {MAX_ELEMENTS:,} elements (tags), far beyond any real document; "
                "it was refused."
            )
        if self.elements % ELEMENTS_BETWEEN_CLOCK_CHECKS == 0:
            self.budget.check_time()

    def _mark_string_boundary(self) -> None:
        # Strings either side of a tag are two strings, joined with a space in a title (as get_text(" ") would).
        for _, strings in self.reading_titles.values():
            strings.append(None)

    def _list_marker(self) -> str:
        counter = self.lists[-1] if self.lists else None
        if counter is None:
            return "• "
        counter[0] += 1
        return f"{counter[0] - 1}. "


def _collapse(text: str) -> str:
    return HTML_SPACE.sub(" ", text).strip()
