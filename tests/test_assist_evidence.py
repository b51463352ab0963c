"""Evidence suggestions: the sentences of a map's sources that best match a claim, not yet linked to it."""

import pytest

from arguments import services
from arguments.assist import suggest_evidence
from sources.sentence_index import sentences_for

from .factories import make_claim, make_map, make_source, quote

pytestmark = pytest.mark.django_db

COUNCIL = (
    "The Security Council has been deadlocked by vetoes for years. "
    "Its permanent members shield their allies from every resolution that names them.\n\n"
    "Meanwhile the weather in Geneva was mild and pleasant all spring."
)
COALITIONS = (
    "Ad hoc coalitions can be launched within weeks when a crisis breaks out. "
    "Their accountability frameworks remain thin and patchy, critics say.\n\n"
    "The conference dinner served fish and vegetables to every guest."
)


@pytest.fixture
def council_map(owner):
    argument_map = make_map(owner)
    for text in (COUNCIL, COALITIONS):
        services.add_source(argument_map=argument_map, source=make_source(text=text), actor=owner)
    return argument_map


def test_the_best_sentences_come_first_with_their_source_and_offsets(council_map):
    claim = make_claim(council_map, "Rival great powers paralyse the UN's top body with their vetoes.")

    suggestions = suggest_evidence(council_map, claim, limit=3)

    assert suggestions[0].exact == "The Security Council has been deadlocked by vetoes for years."
    assert len(suggestions) == 3
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)
    for s in suggestions:
        source = council_map.sources.get(pk=s.source_id)
        assert source.text[s.start : s.end] == s.exact
        assert s.source_title == source.title
        assert -1 <= s.similarity <= 1


def test_meaning_finds_a_sentence_that_shares_almost_no_words_with_the_claim(council_map):
    claim = make_claim(council_map, "Groups of willing states can be assembled fast in an emergency.")
    suggestions = suggest_evidence(council_map, claim, limit=1)
    assert suggestions[0].exact == "Ad hoc coalitions can be launched within weeks when a crisis breaks out."


def test_sentences_already_linked_to_the_claim_are_left_out(council_map, owner):
    claim = make_claim(council_map, "Rival great powers paralyse the UN's top body with their vetoes.")
    council = council_map.sources.get(text=COUNCIL)
    quote(council_map, council, "deadlocked by vetoes", claim, owner)  # a passage inside the best sentence

    exacts = [s.exact for s in suggest_evidence(council_map, claim)]

    assert "The Security Council has been deadlocked by vetoes for years." not in exacts
    assert len(exacts) == 5  # every other sentence of the two sources


def test_a_linked_sentence_is_still_suggested_for_other_claims(council_map, owner):
    linked = make_claim(council_map, "Rival great powers paralyse the UN's top body with their vetoes.")
    council = council_map.sources.get(text=COUNCIL)
    quote(council_map, council, "deadlocked by vetoes", linked, owner)
    other = make_claim(council_map, "The Council is deadlocked.")
    assert suggest_evidence(council_map, other, limit=1)[0].exact.startswith("The Security Council has been")


def test_a_claim_of_another_map_is_refused(council_map, owner):
    stranger = make_claim(make_map(owner), "A claim elsewhere.")
    with pytest.raises(ValueError, match="does not belong"):
        suggest_evidence(council_map, stranger)


def test_a_map_without_sources_has_nothing_to_suggest(owner):
    argument_map = make_map(owner)
    assert suggest_evidence(argument_map, make_claim(argument_map, "Anything at all.")) == []


@pytest.mark.parametrize("sources", [2, 6])
def test_suggestions_take_three_queries_however_many_sources(owner, django_assert_num_queries, sources):
    argument_map = make_map(owner)
    texts = [COUNCIL, COALITIONS] * (sources // 2)
    for n, text in enumerate(texts):
        source = make_source(text=f"{text}\n\nThis is closing sentence number {n} of the source.")
        services.add_source(argument_map=argument_map, source=source, actor=owner)
    claim = make_claim(argument_map, "Rival great powers paralyse the UN's top body with their vetoes.")
    quote(argument_map, argument_map.sources.first(), "deadlocked by vetoes", claim, owner)
    sentences_for(argument_map.sources.all())  # embedded once, as after the first request

    with django_assert_num_queries(3):  # the sources, their stored sentences, the claim's evidence
        suggestions = suggest_evidence(argument_map, claim)
    assert len(suggestions) == min(10, 4 * sources - 1)  # four sentences a source, one linked
