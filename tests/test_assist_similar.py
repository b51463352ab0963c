"""Similar claims while typing: a paraphrase or a negation of a claim brings it up; an unrelated claim does not."""

from pathlib import Path

import pytest
import yaml

from arguments.assist import similar_claims
from arguments.assist.similar import SIMILAR_THRESHOLD
from arguments.demo import load_demo

from .factories import make_claim, make_map

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data"
PAIRS = yaml.safe_load((DATA / "assist_pairs.yaml").read_text(encoding="utf-8"))
DEMO_CLAIMS = {
    c["key"]: c["text"] for c in yaml.safe_load((DATA.parent.parent / "corpus" / "demo_map.yaml").read_text())["claims"]
}


@pytest.fixture
def demo():
    return load_demo(password="demo-pass").map


def test_the_test_set_is_large_enough():
    assert len(PAIRS["paraphrases"]) + len(PAIRS["negations"]) >= 20
    assert len(PAIRS["unrelated"]) >= 10


def test_a_paraphrase_brings_up_the_claim_it_repeats_first(demo):
    for pair in PAIRS["paraphrases"]:
        found = similar_claims(demo, pair["text"])
        assert found, pair["text"]
        assert found[0].claim.text == DEMO_CLAIMS[pair["of"]], pair["text"]


def test_a_negation_brings_up_the_claim_it_denies_as_the_same_point_or_its_opposite(demo):
    # Similarity is not agreement: the negation scores at least as high as a paraphrase would.
    for pair in PAIRS["negations"]:
        found = similar_claims(demo, pair["text"])
        assert found, pair["text"]
        assert found[0].claim.text == DEMO_CLAIMS[pair["of"]], pair["text"]
        assert found[0].similarity >= SIMILAR_THRESHOLD


def test_an_unrelated_claim_brings_up_nothing(demo):
    for text in PAIRS["unrelated"]:
        assert similar_claims(demo, text) == [], text


def test_results_are_closest_first_and_leave_out_the_claim_being_edited(demo):
    claim = demo.claims.get(text=DEMO_CLAIMS["pro-gridlock"])
    found = similar_claims(demo, claim.text, limit=3, threshold=0)
    assert found[0].claim == claim and found[0].similarity > 0.99
    assert [f.similarity for f in found] == sorted((f.similarity for f in found), reverse=True)
    assert claim not in [f.claim for f in similar_claims(demo, claim.text, exclude=claim, threshold=0)]


def test_blank_text_brings_up_nothing(demo):
    assert similar_claims(demo, "   ") == []


@pytest.mark.parametrize("claims", [3, 30])
def test_similar_claims_take_one_query(owner, django_assert_num_queries, claims):
    argument_map = make_map(owner)
    for n in range(claims):
        make_claim(argument_map, f"Coalitions of the willing act quickly in crisis number {n}.")
    with django_assert_num_queries(1):
        found = similar_claims(argument_map, "Coalitions of the willing act fast in a crisis.")
    assert len(found) == 3
