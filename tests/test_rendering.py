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
