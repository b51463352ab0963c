"""Quotes located the way people quote: copied from the original file or a PDF viewer (hyphens at line
ends, straight or curly quote marks, dashes, white space), refused with the nearest places when they
are nowhere, and positions in the uploaded file carried to the canonical text (offsets=original)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from arguments import services
from arguments.models import Evidence
from sources.anchoring.quotes import QuoteNotFound, fold, locate_quote, nearest_quotes
from sources.models import Passage, Source, SourceFormat
from sources.normalise import normalise
from sources.offsets import OriginalOffsets, original_offsets
from sources.services import import_source

from .factories import make_claim, make_source

API = "/api/v1"

# A government statement as people have it: hard-wrapped, hyphenated at line ends, curly quotes, dashes.
CANONICAL = (
    "The Council’s “responsibility to protect” is a humanitarian duty — not a licence for war.\n\n"
    "States acted in 1999–2003 without a mandate; critics called it ‘unilateral’.\n\n"
    "Peace operations remain a necessity and a resource."
)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def statement(private_map, owner):
    source = make_source("Statement", text=CANONICAL, added_by=owner)
    services.add_source(argument_map=private_map, source=source, actor=owner)
    return source


def quote(api, argument_map, user, **body):
    api.force_authenticate(user)
    claim = make_claim(argument_map, "Claim.")
    return api.post(
        f"{API}/maps/{argument_map.slug}/evidence/", {"claim": claim.pk, "stance": "supports", **body}, format="json"
    )


def span_of(words: str) -> tuple[int, int]:
    start = CANONICAL.index(words)
    return start, start + len(words)


# ------------------------------------------------------------------------------ folding (no database)

FOLDED_QUOTES = [
    # (as quoted, the canonical words it stands for)
    ("a humani-\ntarian duty", "a humanitarian duty"),
    ("a humani- tarian duty", "a humanitarian duty"),
    ('The Council\'s "responsibility to protect"', "The Council’s “responsibility to protect”"),
    ("duty -- not a licence", "duty — not a licence"),
    ("duty - not a licence", "duty — not a licence"),
    ("duty—not a licence", "duty — not a licence"),
    ("in 1999-2003 without", "in 1999–2003 without"),
    ("critics   called it\n'unilateral'", "critics called it ‘unilateral’"),
    ("remain a neces-\r\nsity and a resource", "remain a necessity and a resource"),
    ("peace operations remain", "Peace operations remain"),  # capitals only when nothing else matches
]


@pytest.mark.parametrize(("quoted", "words"), FOLDED_QUOTES)
def test_a_folded_quote_gets_the_exact_canonical_offsets(quoted, words):
    assert locate_quote(CANONICAL, quoted) == span_of(words)


def test_an_exact_occurrence_wins_over_folded_ones():
    text = "It's here. It’s there."
    assert locate_quote(text, "It’s") == (11, 15)
    with pytest.raises(QuoteNotFound) as refused:
        locate_quote(text, "It's?")
    assert refused.value.spans == []


def test_a_folded_quote_found_twice_is_ambiguous_and_says_where():
    text = 'a “b” c. a "b" c.'
    with pytest.raises(QuoteNotFound) as refused:
        locate_quote(text, "a ‘b’ c")  # single marks match neither
    assert refused.value.spans == []
    with pytest.raises(QuoteNotFound, match="2 times") as refused:
        locate_quote(text, "a «b» c")
    assert refused.value.spans == [(0, 7), (9, 16)]


def test_folding_keeps_a_map_to_every_character():
    text = "A  self-\ninterest — “well”…\tend"
    folded = fold(text)
    assert folded.text == 'A selfinterest"well"... end'
    at = folded.text.index("interest")
    assert folded.span(at, at + 8) == (text.index("interest"), text.index("interest") + 8)
    assert folded.span(0, len(folded.text)) == (0, len(text))


def test_the_nearest_places_come_with_their_offsets_and_whole_words():
    found = nearest_quotes(CANONICAL, "a humanitarian dutty, not a licence for peace")
    assert found, "a quote with a typo has a nearest place"
    best = found[0]
    assert CANONICAL[best.start : best.end] == best.text
    assert "humanitarian duty" in best.text and best.score >= 60
    assert nearest_quotes(CANONICAL, "zebra quagga okapi") == []


def test_the_search_for_the_nearest_places_is_bounded_in_time_on_a_long_text():
    long_text = "\n\n".join(f"Paragraph {n} says something about coalition number {n}." for n in range(40_000))
    assert len(long_text) > 2_000_000
    found = nearest_quotes(long_text + "\n\nThe one true sentence.", "The one tru sentence", seconds=0.05)
    assert isinstance(found, list)  # within the budget it may or may not reach the end: it never hangs


# ------------------------------------------------------------------------------------------ the API


@pytest.mark.parametrize(("quoted", "words"), FOLDED_QUOTES)
def test_the_api_quotes_folded_words_at_their_canonical_offsets(api, private_map, annotator, statement, quoted, words):
    answer = quote(api, private_map, annotator, source=statement.slug, exact=quoted)
    assert answer.status_code == 201, answer.json()
    passage = Passage.objects.get()
    assert (passage.start, passage.end, passage.exact) == (*span_of(words), words)
    assert answer.json()["exact"] == words


def test_a_quote_found_nowhere_is_answered_with_the_nearest_candidates(api, private_map, annotator, statement):
    answer = quote(api, private_map, annotator, source=statement.slug, exact="peace operation remains a necessary")
    assert answer.status_code == 400
    body = answer.json()
    assert body["detail"].startswith("Quote not found") and "Nearest in the text: characters" in body["detail"]
    best = body["candidates"][0]
    assert set(best) == {"start", "end", "exact", "score"}
    assert CANONICAL[best["start"] : best["end"]] == best["exact"]
    assert "Peace operations remain a necessity" in best["exact"]
    assert isinstance(best["start"], int) and 60 <= best["score"] < 100
    assert not Evidence.objects.exists()


def test_an_ambiguous_quote_lists_where_it_stands(api, private_map, annotator, owner):
    source = make_source("Twice", text="Act now. Then wait. Act now.", added_by=owner)
    services.add_source(argument_map=private_map, source=source, actor=owner)
    answer = quote(api, private_map, annotator, source=source.slug, exact="act now")
    assert answer.status_code == 400
    assert [(c["start"], c["end"], c["score"]) for c in answer.json()["candidates"]] == [(0, 7, 100), (20, 27, 100)]
    retry = quote(api, private_map, annotator, source=source.slug, exact="Act now", start=20, end=27)
    assert retry.status_code == 201


def test_a_wrong_offset_is_answered_with_where_the_words_are(api, private_map, annotator, statement):
    start, end = span_of("a necessity and a resource")
    answer = quote(
        api, private_map, annotator, source=statement.slug, exact="a necessity and a resource", start=3, end=29
    )
    assert answer.status_code == 400
    body = answer.json()
    assert "does not match" in body["exact"][0] and f"{start}–{end}" in body["exact"][0]
    assert body["candidates"] == [{"start": start, "end": end, "exact": "a necessity and a resource", "score": 100.0}]


# ----------------------------------------------------------------------------------- offsets=original

# What a client has: the file as uploaded, with Windows line ends, a hard wrap with hyphenated words,
# indented lines and runs of blank lines, all of which the import mends.
ORIGINAL = (
    "   DECLARATION ON COALITIONS\r\n\r\n\r\n\r\n"
    "The members agree that humani-\r\ntarian action   needs a man-\r\ndate from the Council,\r\n"
    "  and that “coalitions of the willing” act\r\nonly in its support.\r\n\r\n\r\n"
    "Done at Geneva. The long-term interest of all states is peace.\r\n"
)


@pytest.fixture
def uploaded(private_map, owner):
    source = import_source(filename="declaration.txt", data=ORIGINAL.encode("utf-8"), added_by=owner)
    services.add_source(argument_map=private_map, source=source, actor=owner)
    return source


def original_span(words: str) -> tuple[int, int]:
    start = ORIGINAL.index(words)
    return start, start + len(words)


@pytest.mark.parametrize(
    ("words", "canonical"),
    [
        ("humani-\r\ntarian action   needs a man-\r\ndate", "humanitarian action needs a mandate"),
        ("“coalitions of the willing” act\r\nonly", "“coalitions of the willing” act only"),
        ("peace.", "peace."),
        ("DECLARATION", "DECLARATION"),
        ("Council,\r\n  and", "Council, and"),
    ],
)
def test_offsets_in_the_original_file_reach_the_canonical_words(
    mapped_by, api, private_map, annotator, uploaded, words, canonical
):
    assert canonical in uploaded.text and ORIGINAL.index(words) != uploaded.text.index(canonical)
    start, end = original_span(words)
    answer = quote(
        api, private_map, annotator, source=uploaded.slug, exact=words, start=start, end=end, offsets="original"
    )
    assert answer.status_code == 201, answer.json()
    passage = Passage.objects.get()
    assert passage.exact == canonical
    assert (passage.start, passage.end) == (
        uploaded.text.index(canonical),
        uploaded.text.index(canonical) + len(canonical),
    )


def test_a_wrong_original_offset_says_where_the_words_are_in_both_texts(api, private_map, annotator, uploaded):
    answer = quote(
        api, private_map, annotator, source=uploaded.slug, exact="Done at Geneva", start=0, end=14, offsets="original"
    )
    assert answer.status_code == 400
    [where] = answer.json()["candidates"]
    assert (where["start"], where["exact"]) == (uploaded.text.index("Done at Geneva"), "Done at Geneva")
    assert (where["original_start"], where["original_end"]) == original_span("Done at Geneva")
    assert not Passage.objects.exists()


def test_the_map_is_made_at_import_and_for_older_sources_when_asked(uploaded):
    stored = OriginalOffsets.from_bytes(uploaded.original_offsets)
    assert (stored.revision, stored.original_length, stored.canonical_length) == (1, len(ORIGINAL), len(uploaded.text))
    Source.objects.filter(pk=uploaded.pk).update(original_offsets=b"")  # as imported before maps were kept
    older = Source.objects.get(pk=uploaded.pk)
    original, offsets = original_offsets(older)
    assert original == ORIGINAL and offsets.runs == stored.runs
    assert bytes(Source.objects.get(pk=uploaded.pk).original_offsets) == bytes(uploaded.original_offsets)


def test_a_map_follows_an_edit_of_the_text(uploaded):
    Source.objects.filter(pk=uploaded.pk).update(text="Preface.\n\n" + uploaded.text, revision=2)
    edited = Source.objects.get(pk=uploaded.pk)
    _, offsets = original_offsets(edited)
    start, end = original_span("Done at Geneva")
    assert edited.text[offsets.start(start) : offsets.end(end)] == "Done at Geneva"
    assert OriginalOffsets.from_bytes(Source.objects.get(pk=uploaded.pk).original_offsets).revision == 2


def test_html_offsets_count_in_the_markup(mapped_by, api, private_map, annotator, owner):
    html = "<html><body><h1>Report</h1><p>Coalitions&nbsp;act <em>quickly</em> but\n  alone.</p></body></html>"
    source = import_source(filename="report.html", data=html.encode(), added_by=owner)
    services.add_source(argument_map=private_map, source=source, actor=owner)
    words = "<em>quickly</em> but\n  alone"
    start = html.index(words)
    answer = quote(
        api,
        private_map,
        annotator,
        source=source.slug,
        exact=words,
        start=start,
        end=start + len(words),
        offsets="original",
    )
    assert answer.status_code == 201, answer.json()
    assert Passage.objects.get().exact == "quickly but alone"


@pytest.fixture(params=["diff", "walk"])
def mapped_by(request, monkeypatch):
    """Both ways of making the map: the diff (files up to DIFF_UP_TO characters) and the linear walk."""
    if request.param == "walk":
        monkeypatch.setattr("sources.offsets.DIFF_UP_TO", 0)
    return request.param


def test_front_matter_and_markup_the_import_drops_do_not_shift_offsets(mapped_by):
    """Whatever the import removes (here front matter and heading marks), the map carries offsets past it."""
    original = "---\ntitle: A statement\ndate: 2024-01-02\n---\n\n## Article 24\n\nThe Council acts for all.\n"
    canonical = "Article 24\n\nThe Council acts for all."
    offsets = OriginalOffsets.between(original, canonical)
    start = original.index("Council acts")
    assert canonical[offsets.start(start) : offsets.end(start + 12)] == "Council acts"
    assert offsets.to_original(canonical.index("Council")) == start
    assert offsets.start(0) == 0 and offsets.end(len(original)) == len(canonical)


def test_the_map_round_trips_as_bytes_and_is_compact(mapped_by):
    original = "\r\n".join(f"Line {n} of a long hard-wrapped re-\nport." for n in range(2000))
    canonical = normalise(original)
    offsets = OriginalOffsets.between(original, canonical)
    again = OriginalOffsets.from_bytes(offsets.to_bytes())
    assert again.runs == offsets.runs
    assert len(offsets.runs) <= 2 * 2000 + 1  # a line end and a hyphen per line, at most
    assert len(offsets.to_bytes()) < len(original) // 5


def test_offsets_original_is_refused_for_a_pdf_and_without_start(api, private_map, annotator, owner):
    source = make_source("Scanned", text="Words of a PDF.", added_by=owner)
    Source.objects.filter(pk=source.pk).update(original_format=SourceFormat.PDF, original=b"%PDF-1.7 ...")
    services.add_source(argument_map=private_map, source=source, actor=owner)
    answer = quote(api, private_map, annotator, source=source.slug, exact="Words", start=0, end=5, offsets="original")
    assert answer.status_code == 400 and "not uploaded as a text file" in answer.json()["offsets"][0]
    answer = quote(api, private_map, annotator, source=source.slug, exact="Words", offsets="original")
    assert answer.status_code == 400 and "start" in answer.json()["offsets"][0]


def test_offsets_original_needs_the_annotator_role_like_any_quote(api, private_map, viewer, uploaded):
    start, end = original_span("Done at Geneva")
    answer = quote(api, private_map, viewer, source=uploaded.slug, exact="Done at Geneva", start=start, end=end)
    assert answer.status_code == 403


# --------------------------------------------------------------------------- the reader without JavaScript


def annotate_url(argument_map, source) -> str:
    return reverse("arguments:annotate", args=[argument_map.slug, source.slug])


def test_the_plain_form_accepts_a_quote_copied_from_the_original(client, annotator, private_map, statement):
    client.force_login(annotator)
    data = {"exact": 'The Council\'s "responsibility to pro-\ntect"', "mode": "new", "claim_text": "R2P is a duty."}
    assert client.post(annotate_url(private_map, statement), data).status_code == 302
    passage = Passage.objects.get()
    assert (passage.start, passage.end) == span_of("The Council’s “responsibility to protect”")


def test_the_plain_form_names_the_nearest_words_when_a_quote_is_nowhere(client, annotator, private_map, statement):
    client.force_login(annotator)
    data = {"exact": "peace operation remains a necessary", "mode": "new", "claim_text": "Peace."}
    response = client.post(annotate_url(private_map, statement), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quote not found" in html and "Nearest in the text" in html and "Peace operations remain" in html
    assert not Passage.objects.exists()


def test_a_quote_found_twice_is_told_apart_by_its_prefix_or_suffix(api, private_map, annotator, owner):
    text = "Act now — said the Council. Then wait. Act now, said the critics."
    source = make_source("Twice told", text=text, added_by=owner)
    services.add_source(argument_map=private_map, source=source, actor=owner)
    answer = quote(api, private_map, annotator, source=source.slug, exact="act now", prefix="Then wait. ")
    assert answer.status_code == 201, answer.json()
    assert (Passage.objects.get().start, Passage.objects.get().exact) == (text.rindex("Act now"), "Act now")
    assert locate_quote(text, "Act now", suffix=" -- said") == (0, 7)
    with pytest.raises(QuoteNotFound, match="2 times"):
        locate_quote(text, "Act now", suffix="nothing like it")


def test_offsets_take_the_quote_as_people_copy_it_but_never_white_space_at_the_edges(
    api, private_map, annotator, statement
):
    start, end = span_of("The Council’s “responsibility to protect”")
    copied = 'The Council\'s "responsibility to protect"'
    edge = quote(api, private_map, annotator, source=statement.slug, exact=copied, start=start, end=end + 1)
    assert edge.status_code == 400 and edge.json()["candidates"][0]["start"] == start
    answer = quote(api, private_map, annotator, source=statement.slug, exact=copied, start=start, end=end)
    assert answer.status_code == 201, answer.json()
    assert Passage.objects.get().exact == "The Council’s “responsibility to protect”"


def test_markdown_offsets_count_in_the_markdown_source(mapped_by, api, private_map, annotator, owner):
    markdown = (
        "# The *Charter* of 1945\n\n"
        "Article 24 gives the [Security Council](https://un.org) **primary responsibility**\n"
        "for peace.\n\n> A quoted line\n> that wraps.\n"
    )
    source = import_source(filename="charter.md", data=markdown.encode(), added_by=owner)
    services.add_source(argument_map=private_map, source=source, actor=owner)
    words = "[Security Council](https://un.org) **primary responsibility**\nfor peace"
    start = markdown.index(words)
    answer = quote(
        api,
        private_map,
        annotator,
        source=source.slug,
        exact=words,
        start=start,
        end=start + len(words),
        offsets="original",
    )
    assert answer.status_code == 201, answer.json()
    assert Passage.objects.get().exact == "Security Council primary responsibility for peace"


def test_a_span_ending_on_rewritten_markup_keeps_what_it_became(mapped_by):
    original = "<p>Salt &amp; pepper</p>"
    canonical = "Salt & pepper"
    offsets = OriginalOffsets.between(original, canonical)
    end = original.index("&amp;") + len("&amp;")
    assert canonical[offsets.start(3) : offsets.end(end)] == "Salt &"
    assert canonical[offsets.start(original.index("pepper")) : offsets.end(len(original))] == "pepper"
