"""The demo map: a real analysis of the three corpus documents, loaded twice without change."""

import re
from collections import Counter

import networkx as nx
import pytest
import yaml
from django.core.management import CommandError, call_command

from arguments.demo import DATA_FILE, load_demo
from arguments.models import ArgumentMap, Claim, Event, Evidence, Relation
from sources.anchoring import locate_quote
from sources.models import Passage, Source

pytestmark = pytest.mark.django_db

QUESTION = "When the UN Security Council is gridlocked, states should act through ad hoc coalitions of the willing."


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    return load_demo(password="demo-pass").map


def snapshot() -> dict:
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (Source, Passage, ArgumentMap, Claim, Relation, Evidence, Event)
    }


def test_demo_map_is_substantial(demo):
    assert demo.question == QUESTION
    assert demo.is_public
    assert demo.claims.count() >= 30
    assert demo.evidence.count() >= 60
    per_source = Counter(Passage.objects.filter(evidence__map=demo).distinct().values_list("source__title", flat=True))
    assert len(per_source) == 3
    assert min(per_source.values()) >= 12, per_source
    assert demo.memberships.count() == 4


def test_both_sides_are_developed_and_rebuttals_go_three_levels_deep(demo):
    thesis = demo.claims.filter(kind="thesis").order_by("id").first()
    pros = Relation.objects.filter(to_claim=thesis, kind="supports").count()
    cons = Relation.objects.filter(to_claim=thesis, kind="opposes").count()
    assert pros >= 3 and cons >= 3
    attacks = nx.DiGraph(list(Relation.objects.filter(map=demo, kind="opposes").values_list("from_claim", "to_claim")))
    # A counterclaim of a counterclaim of a counterclaim: a chain of three attacks at least.
    assert nx.dag_longest_path_length(attacks) >= 3


def test_some_claims_rest_on_more_than_one_document(demo):
    pairs = Evidence.objects.filter(map=demo).values_list("claim", "passage__source").distinct()
    sources_per_claim = Counter(claim_id for claim_id, _source_id in pairs)
    assert sum(1 for n in sources_per_claim.values() if n >= 2) >= 3


def test_every_demo_passage_is_an_exact_span_of_its_source(demo):
    passages = Passage.objects.filter(evidence__map=demo).select_related("source").distinct()
    for passage in passages:
        assert passage.source.text[passage.start : passage.end] == passage.exact
        assert passage.prefix == passage.source.text[max(0, passage.start - 32) : passage.start]
        assert passage.suffix == passage.source.text[passage.end : passage.end + 32]
        assert "\n\n" not in passage.exact


def test_demo_sources_carry_their_bibliographic_data(demo):
    karlsrud = Source.objects.get(title__startswith="Is liberal internationalism")
    assert karlsrud.authors == [
        {"family": "Karlsrud", "given": "John"},
        {"family": "Hofmann", "given": "Stephanie C."},
        {"family": "Reykers", "given": "Yf"},
    ]
    assert karlsrud.published == "2024-02-06"
    assert karlsrud.kind == "policy_brief"
    coicaud = Source.objects.get(title__startswith="Introduction")
    assert coicaud.isbn == "9781601270078"
    assert "fighting terrorism" in coicaud.text  # hyphenation across lines mended


def test_running_demo_twice_changes_nothing(demo):
    before = snapshot()
    again = load_demo(password="demo-pass")
    assert not again.created
    assert snapshot() == before


def test_demo_command_prints_the_password_and_refuses_without_debug(settings, capsys):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("demo", password="pw-one")
    assert not ArgumentMap.objects.exists()
    call_command("demo", password="pw-one", force=True)
    out = capsys.readouterr().out
    assert "Demo password: pw-one" in out
    from django.contrib.auth import authenticate

    assert authenticate(username="demo-annotator", password="pw-one") is not None


def test_demo_texts_carry_no_page_cruft_and_every_quote_still_anchors(demo):
    """The shipped texts lost their web-page tag lines, cover pages and glued footnote numbers; every quote of
    corpus/demo_map.yaml is still found exactly once, and each became a piece of evidence."""
    texts = {source.original_name: source.text for source in Source.objects.all()}
    joined = "\n".join(texts.values())
    cruft_seen = ("Blog Brand", "Tags:", "Image: Reuters", "Citation for published version", "Take down", "Cover photo")
    for cruft in cruft_seen:
        assert cruft not in joined, cruft
    assert not re.search(r"[a-z][.]\d{1,2} [A-Z]", joined), "a footnote number glued to a sentence's end"
    phillips = texts["phillips-2021-coalitions-of-the-willing.txt"]
    assert phillips.count("Remain a Useful Diplomatic Fallback Plan") == 1
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    files = {entry["key"]: entry["file"] for entry in data["sources"]}
    quotes = [ev for item in data["claims"] for ev in item.get("evidence") or []]
    assert len(quotes) == demo.evidence.count()
    for ev in quotes:
        locate_quote(texts[files[ev["source"]]], ev["quote"])  # raises if missing or ambiguous
