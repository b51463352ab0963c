"""Canonical text as HTML paragraphs, with highlighted spans that may overlap or nest.

The text is cut at every span boundary; each piece is wrapped in one <mark> listing every span
that covers it, so overlapping highlights stay visible and each stays addressable by its id.
Built with string joins rather than templates: a long document with many spans is rendered
thousands of times faster this way (see shared TRAPS on template rendering cost).
"""

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Span:
    id: int
    start: int
    end: int
    css: str = ""  # extra classes, e.g. the evidence stance


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
