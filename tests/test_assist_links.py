"""Link suggestions: similar claims grounded in different documents, until related or decided."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from arguments import services
from arguments.assist import decide_link, suggest_links
from arguments.models import LinkDecision, LinkSuggestionDecision

from .factories import make_claim, make_map, make_source, quote

pytestmark = pytest.mark.django_db

PHILLIPS = "Coalitions of the willing can be formed quickly when the Security Council is deadlocked by vetoes."
COICAUD = "Unilateral interventions are costly to the international legitimacy of the states that undertake them."


@pytest.fixture
def two_documents(owner):
    argument_map = make_map(owner)
    phillips, coicaud = make_source(text=PHILLIPS), make_source(text=COICAUD)
    for source in (phillips, coicaud):
        services.add_source(argument_map=argument_map, source=source, actor=owner)
    claims = {
        "fast": make_claim(argument_map, "Coalitions can act fast when the Council is blocked."),
        "quick": make_claim(argument_map, "Ad hoc coalitions are assembled quickly during Council deadlock."),
        "costly": make_claim(argument_map, "Acting outside the Council is costly for the legitimacy of those who act."),
        "unquoted": make_claim(argument_map, "Coalitions act quickly when the Council is deadlocked."),
    }
    quote(argument_map, phillips, "formed quickly", claims["fast"], owner)
    quote(argument_map, coicaud, "costly", claims["quick"], owner)  # grounded in the other document
    quote(argument_map, coicaud, "legitimacy", claims["costly"], owner)
    return argument_map, claims


def pairs(suggestions) -> set[frozenset]:
    return {frozenset((s.claim.pk, s.other.pk)) for s in suggestions}


def test_similar_claims_grounded_in_different_documents_are_suggested(two_documents):
    argument_map, c = two_documents
    suggestions = suggest_links(argument_map)
    top = suggestions[0]
    assert {top.claim, top.other} == {c["fast"], c["quick"]}
    assert top.claim.pk < top.other.pk
    assert set(top.sources).isdisjoint(top.other_sources)
    assert [s.similarity for s in suggestions] == sorted((s.similarity for s in suggestions), reverse=True)


def test_claims_quoting_the_same_document_or_nothing_are_not_paired(two_documents):
    argument_map, c = two_documents
    found = pairs(suggest_links(argument_map, threshold=-1))
    assert frozenset((c["quick"].pk, c["costly"].pk)) not in found  # both quote Coicaud
    assert not any(c["unquoted"].pk in pair for pair in found)


def test_a_related_pair_is_no_longer_suggested(two_documents, owner):
    argument_map, c = two_documents
    services.create_relation(
        argument_map=argument_map, actor=owner, from_claim=c["quick"], to_claim=c["fast"], kind="supports"
    )
    assert frozenset((c["fast"].pk, c["quick"].pk)) not in pairs(suggest_links(argument_map, threshold=-1))


def test_a_rejected_pair_is_no_longer_suggested_and_a_second_answer_replaces_the_first(two_documents, editor):
    argument_map, c = two_documents
    decision = decide_link(
        argument_map=argument_map, claim=c["quick"], other=c["fast"], decision=LinkDecision.REJECTED, actor=editor
    )
    assert (decision.from_claim, decision.to_claim) == (c["fast"], c["quick"])  # stored lower id first
    assert frozenset((c["fast"].pk, c["quick"].pk)) not in pairs(suggest_links(argument_map, threshold=-1))

    decide_link(argument_map=argument_map, claim=c["fast"], other=c["quick"], decision=LinkDecision.ACCEPTED)
    assert LinkSuggestionDecision.objects.get().decision == LinkDecision.ACCEPTED


def test_bad_decisions_are_refused_and_write_nothing(two_documents, owner):
    argument_map, c = two_documents
    elsewhere = make_claim(make_map(owner), "A claim of another map.")
    bad = [
        {"claim": c["fast"], "other": c["quick"], "decision": "maybe"},
        {"claim": c["fast"], "other": c["fast"], "decision": LinkDecision.REJECTED},
        {"claim": c["fast"], "other": elsewhere, "decision": LinkDecision.REJECTED},
    ]
    for kwargs in bad:
        with pytest.raises(ValidationError):
            decide_link(argument_map=argument_map, **kwargs)
    assert not LinkSuggestionDecision.objects.exists()


def test_the_database_keeps_each_pair_once_and_in_order(two_documents):
    argument_map, c = two_documents
    low, high = sorted((c["fast"], c["quick"]), key=lambda claim: claim.pk)
    with pytest.raises(IntegrityError):
        LinkSuggestionDecision.objects.create(map=argument_map, from_claim=high, to_claim=low, decision="rejected")


@pytest.mark.parametrize("claims", [4, 40])
def test_link_suggestions_take_four_queries(owner, django_assert_num_queries, claims):
    argument_map = make_map(owner)
    phillips, coicaud = make_source(text=PHILLIPS), make_source(text=COICAUD)
    for source in (phillips, coicaud):
        services.add_source(argument_map=argument_map, source=source, actor=owner)
    for n in range(claims):
        claim = make_claim(argument_map, f"Coalitions act quickly when the Council is blocked, case {n}.")
        quote(argument_map, (phillips, coicaud)[n % 2], "quickly" if n % 2 == 0 else "costly", claim, owner)
    with django_assert_num_queries(4):  # claims, relations, decisions, evidence sources
        suggestions = suggest_links(argument_map)
    assert len(suggestions) == min(20, (claims // 2) ** 2)
