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
from html import escape
from itertools import islice
from typing import NamedTuple

from .offsets import Utf16Index

PARAGRAPH_BREAK = re.compile(r"\n\n+")  # not \n{2,}: this spelling lets the regex engine skip ahead
MAX_LABELS = 3  # spans named in a highlight's accessible description


class Span(NamedTuple):  # a tuple, not a dataclass: a cold reader page makes one per passage, five times faster
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
    `focusable`, it is also a keyboard stop (tabindex 0, role button) whose name is its visible words
    and whose description names the spans' labels (a name unlike the visible words fails WCAG 2.5.3).

    This runs once per passage on a cold reader page, so the loop does plain string work only: each
    span's anchor, id and label are prepared (and escaped) once; the covering spans, their classes
    and their labelled subset are kept up to date where a span starts or ends, so a <mark> tag costs
    the same under ten overlapping spans as under one (bar listing their ids); and only the pieces
    that hold `&`, `<` or `>` are escaped.
    """
    n = len(text)
    to_utf16 = _to_utf16(text)
    regions = _regions(text)
    # Per span, once: (id, id as text, its anchor, its classes as given, its label as HTML).
    starts: dict[int, list[tuple]] = {}
    ends: dict[int, list[tuple]] = {}
    for span in spans:
        start, end = span.start, span.end
        if start < 0:
            start = 0
        if end > n:
            end = n
        if start >= end:
            continue
        sid, label = span.id, span.label
        anchor = f'<a class="anchor" id="{id_prefix}{sid}"></a>'
        prepared = (sid, str(sid), anchor, span.css, escape(label) if label else "")
        if start in starts:
            starts[start].append(prepared)
        else:
            starts[start] = [prepared]
        if end in ends:
            ends[end].append(prepared)
        else:
            ends[end] = [prepared]
    cuts = {0, n, *starts, *ends}
    for start, end, _ in regions:
        cuts.add(start)
        cuts.add(end)
    points = sorted(cuts)
    # Where the characters to escape are, in order: a piece needs escaping only if the next one is inside it.
    specials = sorted(_positions(text, "&") + _positions(text, "<") + _positions(text, ">"))
    specials.append(n)
    next_special, s = specials[0], 0

    out: list[str] = ['<div class="doc reader-doc">']
    append = out.append
    # The spans covering the current piece, by id, in the order they started (a span starting under
    # one with the same id takes its place, as a dict does); alongside, with the same keys in the same
    # order, their ids as text and the labels of those that have one, which the <mark> tag joins as
    # they stand; and how many of them have each `css`, whose keys alone decide the classes.
    active: dict[int, tuple] = {}
    ids: dict[int, str] = {}
    labelled: dict[int, str] = {}
    css_count: dict[str, int] = {}
    css_changed = False  # the keys of css_count changed since `classes` was worked out
    classes_by_css: dict[frozenset, str] = {}
    classes = ""
    stale = False  # `active` changed since `opening` was built; it is rebuilt at the next paragraph piece
    opening = ""
    pending: list[str] = []  # anchors waiting for the next paragraph text
    r = 0
    region_start, region_end, is_paragraph = regions[0] if regions else (0, 0, False)
    for left, right in zip(points, islice(points, 1, None), strict=False):
        ending = ends.get(left)
        if ending:
            for prepared in ending:
                sid, css = prepared[0], prepared[3]
                if active.get(sid) is prepared:  # not if a span with the same id took its place
                    del active[sid], ids[sid]
                    if prepared[4]:
                        del labelled[sid]
                    if css_count[css] == 1:
                        del css_count[css]
                        css_changed = True
                    else:
                        css_count[css] -= 1
                    stale = True
        starting = starts.get(left)
        if starting:
            for prepared in starting:
                sid, css, label_html = prepared[0], prepared[3], prepared[4]
                replaced = active.get(sid)
                active[sid] = prepared
                ids[sid] = prepared[1]
                if replaced is not None:
                    old_css = replaced[3]
                    if css_count[old_css] == 1:
                        del css_count[old_css]
                        css_changed = True
                    else:
                        css_count[old_css] -= 1
                    if bool(replaced[4]) != bool(label_html):  # it joins or leaves `labelled` but keeps its place
                        labelled = {k: p[4] for k, p in active.items() if p[4]}
                if label_html:
                    labelled[sid] = label_html
                if css in css_count:
                    css_count[css] += 1
                else:
                    css_count[css] = 1
                    css_changed = True
                pending.append(prepared[2])
            stale = True
        while region_end <= left:
            r += 1
            region_start, region_end, is_paragraph = regions[r]
        if not is_paragraph:
            append(text[left:right])  # only newlines: kept as text between the paragraphs
            continue
        if stale:
            stale = False
            if css_changed:  # rare under dense highlights: the same few stances come and go
                css_changed = False
                key = frozenset(css_count)
                if key not in classes_by_css:
                    classes_by_css[key] = " ".join(sorted({c for css in key for c in css.split()}))
                classes = classes_by_css[key]
            covering = len(active)
            if not covering:
                opening = ""
            elif covering == 1 and focusable:  # most pieces of a sparsely highlighted text: nothing to join
                (only,) = active.values()
                opening = (
                    f'<mark class="hl depth-1 {classes}" data-passages="{only[1]}"'
                    f' tabindex="0" role="button" aria-description="{only[4] or "highlighted passage"}">'
                )
            else:
                passages = " ".join(ids.values())
                opening = f'<mark class="hl depth-{min(covering, 3)} {classes}" data-passages="{passages}"'
                opening += f' tabindex="0" role="button" aria-description="{_label(labelled)}">' if focusable else ">"
        piece = text[left:right]
        if next_special < right:
            piece = piece.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            while next_special < right:
                s += 1
                next_special = specials[s]
        if left == region_start:
            append(f'<p data-o16="{to_utf16(left)}">')
        if pending:
            out += pending
            pending.clear()
        if opening:
            append(f"{opening}{piece}</mark>")
        else:
            append(piece)
        if right == region_end:
            append("</p>")
    append("</div>")
    return "".join(out)


def _label(labelled: dict[int, str]) -> str:
    """What a highlight is read out as (escaped): its first few spans' labels, then how many more there are.

    Bounded, so a piece under many overlapping passages costs no more than one under a few; the
    annotation list, which Enter or a click opens, names them all.
    """
    if not labelled:
        return "highlighted passage"
    more = len(labelled) - MAX_LABELS
    if more > 0:
        return f"{'; '.join(islice(labelled.values(), MAX_LABELS))}; and {more} more"
    return "; ".join(labelled.values())


def _positions(text: str, char: str) -> list[int]:
    """Where `char` occurs in `text`: str.find skips ahead many times faster than a regex character class."""
    found, pos = [], text.find(char)
    while pos >= 0:
        found.append(pos)
        pos = text.find(char, pos + 1)
    return found
