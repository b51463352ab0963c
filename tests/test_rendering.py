"""Source text rendered with highlights that overlap and nest."""

from sources.rendering import Span, render_text


def test_plain_text_becomes_escaped_paragraphs():
    html = render_text("One <two>.\n\nThree & four.", [])
    assert html == '<div class="doc"><p>One &lt;two&gt;.</p><p>Three &amp; four.</p></div>'


def test_overlapping_spans_mark_every_piece_with_all_covering_ids():
    text = "alpha beta gamma delta"
    html = render_text(text, [Span(1, 0, 10, "stance-states"), Span(2, 6, 16, "stance-opposes")])
    assert '<a class="anchor" id="passage-1"></a>' in html
    assert '<a class="anchor" id="passage-2"></a>' in html
    assert 'data-passages="1">alpha </mark>' in html
    assert 'data-passages="1 2">beta</mark>' in html
    assert 'data-passages="2"> gamma</mark>' in html
    assert html.endswith(" delta</p></div>")


def test_a_span_across_a_paragraph_break_is_marked_in_both_paragraphs():
    html = render_text("first part\n\nsecond part", [Span(7, 6, 18, "stance-supports")])
    assert html.count('data-passages="7"') == 2
    assert "</p><p>" in html


# The reader's rendering: its DOM text is the canonical text, so browser offsets map straight back.

import re  # noqa: E402
from html import unescape  # noqa: E402

from sources.rendering import render_reader  # noqa: E402

READER_TEXT = "Café 😀 “quoted”.\nSecond line — 中文.\n\n𠀀 rare <b>&</b> text.\n\n\nLast paragraph."


def dom_text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_reader_dom_text_is_exactly_the_canonical_text():
    spans = [Span(1, 2, 20, "stance-states", "states: one"), Span(2, 10, 40, "stance-opposes", "opposes: two")]
    html = render_reader(READER_TEXT, spans)
    assert dom_text(html) == READER_TEXT
    assert "<br>" not in html
    assert "”.\nSec" in html  # a line break inside a paragraph stays a newline character


def test_reader_paragraphs_carry_their_utf16_start():
    html = render_reader(READER_TEXT, [])
    starts = [int(v) for v in re.findall(r'data-o16="(\d+)"', html)]
    expected = []
    for match in re.finditer(r"(?:^|\n\n+)([^\n])", READER_TEXT):
        cp = match.start(1)
        expected.append(len(READER_TEXT[:cp].encode("utf-16-le")) // 2)
    assert starts == expected
    assert starts[1] == READER_TEXT.index("𠀀") + 1  # one astral character (the emoji) before it


def test_reader_highlights_overlap_and_are_focusable_buttons_named_by_their_claims():
    text = "alpha beta gamma delta"
    spans = [Span(1, 0, 10, "stance-states", 'states: <A> & "B"'), Span(2, 6, 16, "stance-opposes", "opposes: C")]
    html = render_reader(text, spans)
    assert 'data-passages="1 2"' in html
    assert 'tabindex="0" role="button" aria-description="states: &lt;A&gt; &amp; &quot;B&quot;; opposes: C"' in html
    assert '<a class="anchor" id="passage-1"></a><mark' in html
    assert html.count("<mark") == 3


def test_reader_span_starting_a_paragraph_anchors_inside_it():
    text = "first\n\nsecond part"
    html = render_reader(text, [Span(5, 7, 13, "stance-supports", "supports: x")])
    assert '<p data-o16="7"><a class="anchor" id="passage-5"></a><mark' in html
    assert dom_text(html) == text


def test_reader_without_focus_renders_plain_marks():
    html = render_reader("one two", [Span(1, 0, 3, "stance-states")], focusable=False)
    assert "tabindex" not in html and 'data-passages="1">one</mark>' in html
