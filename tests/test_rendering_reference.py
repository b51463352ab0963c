"""render_reader, built for speed, says exactly what a plain character-by-character renderer says.

The reference below follows render_reader's docstring and nothing else: classify every character
(paragraph text or part of a blank-line break), find the spans covering it, and cut the text wherever
that changes. It is slow and obvious on purpose; the fast renderer must match it byte for byte, since
the reader's JavaScript and browser tests rely on the exact markup.
"""

import random
from html import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.rendering import MAX_LABELS, Span, render_reader


def reference_render(text: str, spans: list[Span], id_prefix: str = "passage-", focusable: bool = True) -> str:
    n = len(text)
    # A span outside the text is cut to it; one with nothing left is not shown (and has no anchor).
    shown = []
    for index, span in enumerate(spans):
        start, end = max(0, span.start), min(n, span.end)
        if start < end:
            shown.append((start, end, index, span))

    # A newline is part of a paragraph break when it is in a run of two or more newlines.
    in_break = [False] * n
    i = 0
    while i < n:
        j = i
        while j < n and text[j] == "\n":
            j += 1
        if j - i >= 2:
            for k in range(i, j):
                in_break[k] = True
        i = max(j, i + 1)
    # Regions: maximal runs of paragraph text or of break; each character's region number.
    region_of, region_bounds = [], []
    for k in range(n):
        if k == 0 or in_break[k] != in_break[k - 1]:
            region_bounds.append([k, k])
        region_bounds[-1][1] = k + 1
        region_of.append(len(region_bounds) - 1)

    def covering(k: int) -> list[tuple]:
        """The spans over character k, in the order they start (ties: in the order given)."""
        return sorted((s for s in shown if s[0] <= k < s[1]), key=lambda s: (s[0], s[2]))

    # Pieces: maximal runs of characters in the same region under the same spans.
    pieces = []
    for k in range(n):
        key = (region_of[k], [s[2] for s in covering(k)])
        if pieces and pieces[-1][2] == key:
            pieces[-1][1] = k + 1
        else:
            pieces.append([k, k + 1, key])

    out = ['<div class="doc reader-doc">']
    pending: list[str] = []
    for left, right, (region, _) in pieces:
        # Anchors wait for the first paragraph text at or after their span's start.
        pending += [f'<a class="anchor" id="{id_prefix}{s[3].id}"></a>' for s in shown if s[0] == left]
        if in_break[left]:
            out.append(text[left:right])
            continue
        region_start, region_end = region_bounds[region]
        if left == region_start:
            out.append(f'<p data-o16="{len(text[:left].encode("utf-16-le")) // 2}">')
        out += pending
        pending = []
        over = [s[3] for s in covering(left)]
        html = escape(text[left:right], quote=False)
        if over:
            classes = " ".join(sorted({c for s in over for c in s.css.split()}))
            ids = " ".join(str(s.id) for s in over)
            tag = f'<mark class="hl depth-{min(len(over), 3)} {classes}" data-passages="{ids}"'
            if focusable:
                labels = [escape(s.label) for s in over if s.label]
                label = "; ".join(labels[:MAX_LABELS]) or "highlighted passage"
                if len(labels) > MAX_LABELS:
                    label += f"; and {len(labels) - MAX_LABELS} more"
                tag += f' tabindex="0" role="button" aria-description="{label}"'
            out.append(f"{tag}>{html}</mark>")
        else:
            out.append(html)
        if right == region_end:
            out.append("</p>")
    out.append("</div>")
    return "".join(out)


CHARS = ["a", "b", " ", "&", "<", ">", '"', "'", "é", "中", "😀", "𠀀", "\n", "\n\n", "\n\n\n"]
CSS = ["", "stance-states", "stance-supports", "stance-opposes", "b a", "x  x", "stance-states stance-opposes"]
LABELS = ["", "states: Claim 1", 'opposes: "quoted" <b> & co', "supports: 中文 😀", "x"]

texts = st.lists(st.sampled_from(CHARS), max_size=40).map("".join)


@st.composite
def documents(draw):
    text = draw(texts)
    n = len(text)
    ends = st.integers(-2, n + 2)  # out of range, empty and reversed spans are drawn too
    ranges = draw(st.lists(st.tuples(ends, ends), max_size=12))
    if ranges:  # identical ranges: several spans may mark the same passage
        ranges += draw(st.lists(st.sampled_from(ranges), max_size=3))
    spans = [
        Span(sid, a, b, draw(st.sampled_from(CSS)), draw(st.sampled_from(LABELS)))
        for sid, (a, b) in enumerate(ranges, start=1)
    ]
    return text, spans


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    document=documents(),
    focusable=st.booleans(),
    id_prefix=st.sampled_from(["passage-", "", 'p<&"-']),
)
def test_render_reader_matches_the_reference(document, focusable, id_prefix):
    text, spans = document
    expected = reference_render(text, spans, id_prefix=id_prefix, focusable=focusable)
    assert render_reader(text, spans, id_prefix=id_prefix, focusable=focusable) == expected


def test_render_reader_matches_the_reference_under_dense_highlights():
    """Many spans over each character (more labels than are read out), as on a heavily annotated page."""
    rng = random.Random(20240611)
    for _ in range(4):
        words = [rng.choice(["Council", "coalition", "a&b", "<i>", "中文", "😀", "\n", "\n\n"]) for _ in range(150)]
        text = " ".join(words)
        spans = []
        for sid in range(1, 121):
            start = rng.randrange(-5, len(text))
            spans.append(Span(sid, start, start + rng.randint(0, 120), rng.choice(CSS), rng.choice(LABELS)))
        for focusable in (True, False):
            assert render_reader(text, spans, focusable=focusable) == reference_render(text, spans, focusable=focusable)


def test_render_reader_of_an_empty_text():
    assert render_reader("", [Span(1, 0, 3, "stance-states", "x")]) == '<div class="doc reader-doc"></div>'
    assert reference_render("", [Span(1, 0, 3, "stance-states", "x")]) == '<div class="doc reader-doc"></div>'
