"""Canonical text as HTML paragraphs, with highlighted spans that may overlap or nest.

The text is cut at every span boundary; each piece is wrapped in one <mark> listing every span
that covers it, so overlapping highlights stay visible and each stays addressable by its id.
`render_text` is the plain library page; `render_reader` is the annotating reader, whose DOM text
is exactly the canonical text so that browser selections map back to offsets (see its docstring).

Built with string joins rather than templates: a long document with many spans is rendered
thousands of times faster this way (see shared TRAPS on template rendering cost).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from .offsets import Utf16Index

PARAGRAPH_BREAK = re.compile(r"\n\n+")  # not \n{2,}: this spelling lets the regex engine skip ahead, 9x faster
MAX_LABELS = 3  # spans named in a highlight's accessible label


@dataclass(frozen=True)
class Span:
    id: int
    start: int
    end: int
    css: str = ""  # extra classes, e.g. the evidence stance
    label: str = ""  # what the span stands for, read out by assistive technology (the reader's claims)


def render_text(text: str, spans: list[Span], id_prefix: str = "passage-") -> str:
    cuts = {0, len(text)}
    for span in spans:
        cuts.update((span.start, span.end))
    starts: dict[int, list[Span]] = {}
    for span in spans:
        starts.setdefault(span.start, []).append(span)
    ordered = sorted(c for c in cuts if 0 <= c <= len(text))

    out: list[str] = ['<div class="doc"><p>']
    active: list[Span] = []
    for left, right in zip(ordered, ordered[1:], strict=False):
        for span in starts.get(left, ()):
            # A zero-width anchor at each span's start, so #passage-N lands on its first word.
            out.append(f'<a class="anchor" id="{id_prefix}{span.id}"></a>')
        active = [s for s in active if s.end > left] + starts.get(left, [])
        piece = text[left:right]
        for i, para in enumerate(piece.split("\n\n")):
            if i:
                out.append("</p><p>")
            if not para:
                continue
            html_text = escape(para).replace("\n", "<br>")
            if active:
                classes = " ".join(sorted({s.css for s in active if s.css}))
                ids = " ".join(str(s.id) for s in active)
                depth = min(len(active), 3)
                out.append(f'<mark class="hl depth-{depth} {classes}" data-passages="{ids}">{html_text}</mark>')
            else:
                out.append(html_text)
    out.append("</p></div>")
    return "".join(out)


def _regions(text: str) -> list[tuple[int, int, bool]]:
    """Non-empty (start, end, is_paragraph) pieces of the text: paragraphs and the breaks between them."""
    regions, pos = [], 0
    for match in PARAGRAPH_BREAK.finditer(text):
        if match.start() > pos:
            regions.append((pos, match.start(), True))
        regions.append((match.start(), match.end(), False))
        pos = match.end()
    if pos < len(text):
        regions.append((pos, len(text), True))
    return regions


def _to_utf16(text: str) -> Callable[[int], int]:
    """Code-point offset to UTF-16 offset; the identity for a text with no astral character (most texts).

    Encoding is much faster than Utf16Index's scan for astral characters, and tells the same.
    """
    if len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text):
        return int
    return Utf16Index(text).to_utf16


def render_reader(text: str, spans: list[Span], *, id_prefix: str = "passage-", focusable: bool = True) -> str:
    """The canonical text for the reader: paragraphs with their UTF-16 start offset, highlights on top.

    The DOM text of the result is the canonical text itself, character for character: each <p>
    carries `data-o16` (where it starts, in UTF-16 units), line breaks inside a paragraph stay "\n"
    (shown by CSS `white-space: pre-line`), and the blank lines between paragraphs stay as text
    between the <p> elements, where the browser does not display them. A browser can therefore turn
    any selection into offsets by measuring Range text lengths, and a selection across paragraphs
    reads back exactly as the source does.

    Each highlighted piece is a <mark> listing every covering span in `data-passages`; with
    `focusable`, it is also a keyboard stop (tabindex 0, role button) named after the spans' labels.

    This runs once per passage on a cold reader page, so the loop does plain string work only: each
    span's classes, label and anchor are prepared (and escaped) once, the covering spans change only
    where one starts or ends, and the text is escaped piece by piece only if it holds `&`, `<` or `>`.
    """
    n = len(text)
    to_utf16 = _to_utf16(text)
    regions = _regions(text)
    # Per span, once: (id, its anchor, the opening tag of a piece it alone covers, its classes, its label as HTML).
    starts: dict[int, list[tuple]] = {}
    ends: dict[int, list[tuple]] = {}
    cuts = {0, n}
    for span in spans:
        start, end = max(0, span.start), min(n, span.end)
        if start >= end:
            continue
        sid, css, label = span.id, span.css, span.label
        classes = css.split()
        label_html = escape(label) if label else ""
        alone = f'<mark class="hl depth-1 {" ".join(sorted(set(classes)))}" data-passages="{sid}"'
        if focusable:
            alone += f' tabindex="0" role="button" aria-label="{label_html or "highlighted passage"}"'
        prepared = (sid, f'<a class="anchor" id="{id_prefix}{sid}"></a>', alone + ">", classes, label_html)
        starts.setdefault(start, []).append(prepared)
        ends.setdefault(end, []).append(prepared)
        cuts.add(start)
        cuts.add(end)
    for start, end, _ in regions:
        cuts.add(start)
        cuts.add(end)
    points = sorted(cuts)
    needs_escape = "&" in text or "<" in text or ">" in text

    out: list[str] = []
    append = out.append
    active: dict[int, tuple] = {}  # the spans covering the current piece, in the order they started
    opening = ""  # the <mark ...> tag for `active`, rebuilt only when `active` changes
    pending: list[str] = []  # anchors waiting for the next paragraph text
    r = 0
    region_start, region_end, is_paragraph = regions[0] if regions else (0, 0, False)
    for i in range(len(points) - 1):
        left, right = points[i], points[i + 1]
        changed = False
        if left in ends:
            for prepared in ends[left]:
                if active.get(prepared[0]) is prepared:
                    del active[prepared[0]]
                    changed = True
        if left in starts:
            for prepared in starts[left]:
                active[prepared[0]] = prepared
                pending.append(prepared[1])
            changed = True
        if changed:
            if len(active) == 1:
                opening = next(iter(active.values()))[2]
            else:
                opening = _opening(list(active.values()), focusable) if active else ""
        while region_end <= left:
            r += 1
            region_start, region_end, is_paragraph = regions[r]
        piece = text[left:right]
        if needs_escape:
            piece = piece.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if not is_paragraph:
            append(piece)  # only newlines: kept as text between the paragraphs
            continue
        if left == region_start:
            append(f'<p data-o16="{to_utf16(left)}">')
        if pending:
            out.extend(pending)
            pending.clear()
        if opening:
            append(f"{opening}{piece}</mark>")
        else:
            append(piece)
        if right == region_end:
            append("</p>")
    return f'<div class="doc reader-doc">{"".join(out)}</div>'


def _label(covering: list[tuple]) -> str:
    """What a highlight is read out as (escaped): its first few spans' labels, then how many more there are.

    Bounded, so a piece under many overlapping passages costs no more than one under a few; the
    annotation list, which Enter or a click opens, names them all.
    """
    labels = [s[4] for s in covering if s[4]]
    if not labels:
        return "highlighted passage"
    shown = "; ".join(labels[:MAX_LABELS])
    more = len(labels) - MAX_LABELS
    return f"{shown}; and {more} more" if more > 0 else shown


def _opening(covering: list[tuple], focusable: bool) -> str:
    """The <mark> tag for a piece covered by several spans (prepared by render_reader)."""
    classes = " ".join(sorted({c for s in covering for c in s[3]}))
    ids = " ".join([str(s[0]) for s in covering])
    attrs = f'class="hl depth-{min(len(covering), 3)} {classes}" data-passages="{ids}"'
    if focusable:
        attrs += f' tabindex="0" role="button" aria-label="{_label(covering)}"'
    return f"<mark {attrs}>"
