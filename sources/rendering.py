"""Canonical text as HTML paragraphs, with highlighted spans that may overlap or nest.

The text is cut at every span boundary; each piece is wrapped in one <mark> listing every span
that covers it, so overlapping highlights stay visible and each stays addressable by its id.
`render_text` is the plain library page; `render_reader` is the annotating reader, whose DOM text
is exactly the canonical text so that browser selections map back to offsets (see its docstring).

Built with string joins rather than templates: a long document with many spans is rendered
thousands of times faster this way (see shared TRAPS on template rendering cost).
"""

import re
from dataclasses import dataclass
from html import escape

from .offsets import Utf16Index

PARAGRAPH_BREAK = re.compile(r"\n{2,}")
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
    """
    n = len(text)
    index = Utf16Index(text)
    regions = _regions(text)
    starts: dict[int, list[Span]] = {}
    cuts = {0, n}
    for span in spans:
        start, end = max(0, span.start), min(n, span.end)
        if start >= end:
            continue
        starts.setdefault(start, []).append(span)
        cuts.update((start, end))
    for start, end, _ in regions:
        cuts.update((start, end))
    points = sorted(cuts)

    out: list[str] = []
    active: dict[int, Span] = {}
    pending: list[Span] = []  # spans whose anchor waits for the next paragraph text
    r = 0
    for left, right in zip(points, points[1:], strict=False):
        if active:
            active = {sid: s for sid, s in active.items() if min(n, s.end) > left}
        for span in starts.get(left, ()):
            active[span.id] = span
            pending.append(span)
        while regions[r][1] <= left:
            r += 1
        region_start, region_end, is_paragraph = regions[r]
        piece = escape(text[left:right], quote=False)
        if not is_paragraph:
            out.append(piece)  # only newlines: kept as text between the paragraphs
            continue
        if left == region_start:
            out.append(f'<p data-o16="{index.to_utf16(left)}">')
        for span in pending:
            out.append(f'<a class="anchor" id="{id_prefix}{span.id}"></a>')
        pending.clear()
        if active:
            out.append(_mark(active, piece, focusable))
        else:
            out.append(piece)
        if right == region_end:
            out.append("</p>")
    return f'<div class="doc reader-doc">{"".join(out)}</div>'


def _label(covering: list[Span]) -> str:
    """What a highlight is read out as: its first few spans' labels, then how many more there are.

    Bounded, so a piece under many overlapping passages costs no more than one under a few; the
    annotation list, which Enter or a click opens, names them all.
    """
    labels = [s.label for s in covering if s.label]
    if not labels:
        return "highlighted passage"
    shown = "; ".join(labels[:MAX_LABELS])
    more = len(labels) - MAX_LABELS
    return f"{shown}; and {more} more" if more > 0 else shown


def _mark(active: dict[int, Span], piece_html: str, focusable: bool) -> str:
    covering = list(active.values())
    classes = " ".join(sorted({c for s in covering for c in s.css.split()}))
    ids = " ".join(str(s.id) for s in covering)
    depth = min(len(covering), 3)
    attrs = f'class="hl depth-{depth} {classes}" data-passages="{ids}"'
    if focusable:
        attrs += f' tabindex="0" role="button" aria-label="{escape(_label(covering))}"'
    return f"<mark {attrs}>{piece_html}</mark>"
