"""AIF: Warrant's export read back, hand-made AIFdb and OVA files, broken graphs, fixed query counts."""

import json
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from arguments.demo import load_demo
from arguments.exports.aif import import_aif
from arguments.exports.aif_export import export_aif
from arguments.exports.common import ImportProblem, dumps
from arguments.models import ArgumentMap, ClaimKind, Evidence, Relation
from sources.extractors import extract_html
from sources.normalise import normalise

from .factories import grow_map, make_map, make_source
from .test_interchange_json import HYPOTHESIS, JSON_VALUES, row_counts

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "aif"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def claim_texts(argument_map: ArgumentMap) -> Counter:
    return Counter(argument_map.claims.values_list("text", flat=True))


def relation_set(argument_map: ArgumentMap) -> set[tuple[str, str, str]]:
    rows = Relation.objects.filter(map=argument_map).values_list("from_claim__text", "kind", "to_claim__text")
    return set(rows)


@pytest.fixture
def demo():
    return load_demo(password="demo-pass").map


def test_demo_export_read_back_keeps_claims_and_relations(demo, outsider):
    imported = import_aif(dumps(export_aif(demo)), owner=outsider)
    assert claim_texts(imported) == claim_texts(demo)
    assert relation_set(imported) == relation_set(demo)
    assert imported.relations.count() == demo.relations.count()
    assert imported.title == demo.title  # carried in the "warrant" key
    event = imported.events.get()
    assert event.payload["imported_from"] == "aif"
    assert event.payload["counts"]["skipped"] == {"quotes_without_source": demo.evidence.count()}


def test_demo_export_has_the_aifdb_shape(demo):
    document = export_aif(demo)
    assert list(document)[:3] == ["nodes", "edges", "locutions"]
    nodes = {node["nodeID"]: node for node in document["nodes"]}
    assert len(nodes) == len(document["nodes"])
    assert all(isinstance(node_id, str) for node_id in nodes)
    assert all({"nodeID", "text", "type", "timestamp"} <= set(node) for node in nodes.values())
    for edge in document["edges"]:
        assert edge["fromID"] in nodes and edge["toID"] in nodes
    kinds = Counter(node["type"] for node in nodes.values())
    evidence = Counter(demo.evidence.values_list("stance", flat=True))
    passages = demo.evidence.values("passage").distinct().count()
    quoted = demo.evidence.exclude(stance="states").values("passage").distinct().count()
    assert kinds["I"] == demo.claims.count() + quoted
    assert kinds["RA"] == demo.relations.filter(kind="supports").count() + evidence["supports"]
    assert kinds["CA"] == demo.relations.filter(kind="opposes").count() + evidence["opposes"]
    assert kinds["L"] == passages == len(document["locutions"])
    assert kinds["YA"] == evidence["states"] + quoted
    assert len(document["warrant"]["quotes"]) == quoted
    ra = next(node for node in nodes.values() if node["type"] == "RA")
    assert (ra["text"], ra["scheme"], ra["schemeID"]) == ("Default Inference", "Default Inference", "72")
    evidence_row = demo.evidence.select_related("passage__source").first()
    said = f"{evidence_row.passage.source.short_citation}: “{evidence_row.passage.exact}”"
    locution = next(loc for loc in document["locutions"] if nodes[loc["nodeID"]]["text"] == said)
    assert (locution["start"], locution["end"]) == (evidence_row.passage.start, evidence_row.passage.end)
    assert locution["source"] in (evidence_row.passage.source.url, evidence_row.passage.source.title)


SAMPLES = {
    "aifdb_string_ids.json": {
        "relations": {
            (
                "Coalitions can act quickly while the Council is deadlocked.",
                "supports",
                "Ad hoc coalitions should replace Council action when it is blocked.",
            ),
            (
                "Coalitions lack the legitimacy that only a universal body confers.",
                "opposes",
                "Ad hoc coalitions should replace Council action when it is blocked.",
            ),
        },
        "theses": {"Ad hoc coalitions should replace Council action when it is blocked."},
        "skipped": {"TA_nodes": 1, "quotes_without_source": 2},
    },
    "aifdb_integer_ids.json": {
        "relations": {
            (
                "Conflicts keep breaking out where no state will intervene alone.",
                "supports",
                "Peace operations remain a necessity.",
            ),
            ("Many missions have failed to protect civilians.", "opposes", "Peace operations remain a necessity."),
            (
                "Failures call for better missions, not for none.",
                "opposes",
                "Many missions have failed to protect civilians.",
            ),
            ("Failures call for better missions, not for none.", "supports", "Peace operations remain a necessity."),
        },
        "theses": {"Peace operations remain a necessity."},
        "skipped": {},
    },
    "aifdb_mixed_ids.json": {
        "relations": {
            ("Its permanent members block each other.", "supports", "The Council should be reformed."),
            ("Reform needs the consent of those same members.", "opposes", "The Council should be reformed."),
            (
                "Blocked members would never agree to reform.",
                "supports",
                "Reform needs the consent of those same members.",
            ),
            ("Reform is more urgent than ever.", "opposes", "Reform needs the consent of those same members."),
        },
        "theses": {"The Council should be reformed."},
        "skipped": {"PA_nodes": 1},
    },
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_files_keep_every_proposition_and_relation(name, outsider):
    document = load(name)
    expected = SAMPLES[name]
    imported = import_aif(document, owner=outsider, title=name)
    propositions = [node["text"] for node in document["nodes"] if node["type"] == "I"]
    assert claim_texts(imported) == Counter(propositions)
    assert relation_set(imported) == expected["relations"]
    assert set(imported.claims.filter(kind=ClaimKind.THESIS).values_list("text", flat=True)) == expected["theses"]
    assert imported.import_counts["skipped"] == expected["skipped"]
    assert imported.title == name


def test_rephrase_keeps_its_scheme_and_undercut_opposes_the_conclusion(outsider):
    imported = import_aif(load("aifdb_mixed_ids.json"), owner=outsider)
    schemes = dict(imported.relations.values_list("from_claim__text", "scheme"))
    assert schemes["Blocked members would never agree to reform."] == "Default Rephrase"
    assert schemes["Its permanent members block each other."] == ""


def test_ova_file_makes_a_source_with_passages_for_found_quotes(outsider):
    document = load("ova_wrapper.json")
    imported = import_aif(document, owner=outsider)
    propositions = [node["text"] for node in document["AIF"]["nodes"] if node["type"] == "I"]
    assert claim_texts(imported) == Counter(propositions)
    assert relation_set(imported) == {
        (
            "Such coalitions lack accountability and legitimacy",
            "opposes",
            "States should act through coalitions when the Council is blocked",
        ),
        (
            "Coalitions of the willing act quickly when the Security Council is blocked",
            "supports",
            "States should act through coalitions when the Council is blocked",
        ),
    }
    source = imported.sources.get()
    assert source.text == normalise(extract_html(document["text"]).text, mend_page_breaks=False)
    assert "Peace operations remain a necessity & a resource." in source.text
    found = {
        (e.claim.text, e.passage.exact, e.stance)
        for e in Evidence.objects.filter(map=imported).select_related("claim", "passage")
    }
    assert found == {
        (
            "Coalitions of the willing act quickly when the Security Council is blocked",
            "Coalitions of the willing act quickly when the Security Council is blocked.",
            "states",
        ),
        (
            "Such coalitions lack accountability and legitimacy",
            "Critics answer that such coalitions lack accountability and legitimacy.",
            "states",
        ),
    }
    assert imported.import_counts["skipped"] == {"TA_nodes": 1, "quotes_not_found": 1}


def test_warrant_quotes_become_evidence_when_the_text_comes_along(outsider):
    text = "<p>Coalitions act fast. Coalitions lack legitimacy.</p>"
    document = {
        "AIF": {
            "nodes": [
                {"nodeID": 1, "text": "Act through coalitions.", "type": "I"},
                {"nodeID": 2, "text": "Coalitions lack legitimacy.", "type": "I"},
                {"nodeID": 3, "text": "Phillips 2021: “Coalitions lack legitimacy.”", "type": "L"},
                {"nodeID": 4, "text": "Asserting", "type": "YA"},
                {"nodeID": 5, "text": "Default Conflict", "type": "CA"},
            ],
            "edges": [
                {"fromID": 3, "toID": 4},
                {"fromID": 4, "toID": 2},
                {"fromID": 2, "toID": 5},
                {"fromID": 5, "toID": 1},
            ],
        },
        "text": text,
        "warrant": {"quotes": ["2"]},
    }
    imported = import_aif(document, owner=outsider)
    assert list(imported.claims.values_list("text", flat=True)) == ["Act through coalitions."]
    evidence = Evidence.objects.select_related("passage").get(map=imported)
    assert (evidence.passage.exact, evidence.stance) == ("Coalitions lack legitimacy.", "opposes")


BROKEN = [
    ("an edge to a missing node", load("broken_edge.json"), "edges[1].toID: 99 names no node"),
    (
        "an inference without a conclusion",
        {
            "nodes": [{"nodeID": 1, "text": "a", "type": "I"}, {"nodeID": 2, "type": "RA"}],
            "edges": [{"fromID": 1, "toID": 2}],
        },
        "nodes[1] (RA '2'): has no conclusion",
    ),
    (
        "a conflict without a premise",
        {
            "nodes": [{"nodeID": "x", "text": "a", "type": "I"}, {"nodeID": "c", "type": "CA"}],
            "edges": [{"fromID": "c", "toID": "x"}],
        },
        "nodes[1] (CA 'c'): has no premise",
    ),
    (
        "a node id used twice",
        {"nodes": [{"nodeID": 1, "text": "a", "type": "I"}, {"nodeID": "1", "text": "b", "type": "I"}], "edges": []},
        "nodes[1].nodeID: '1' is also the id of nodes[0]",
    ),
    ("a node without a type", {"nodes": [{"nodeID": 1, "text": "a"}]}, "nodes[0].type: expected a string, found null"),
    ("a node id that is a list", {"nodes": [{"nodeID": [1], "type": "I"}]}, "nodes[0].nodeID: expected a node id"),
    ("no nodes at all", {"edges": []}, "nodes: expected a list, found null"),
    ("OVA without nodes", {"AIF": {"edges": []}, "text": ""}, "AIF.nodes: expected a list, found null"),
    (
        "a NUL in a proposition",
        {"nodes": [{"nodeID": 1, "text": "a\x00", "type": "I"}]},
        "nodes[0].text: contains a NUL",
    ),
]


@pytest.mark.parametrize(("case", "document", "message"), BROKEN, ids=[case for case, _, _ in BROKEN])
def test_broken_graphs_are_refused_with_a_clear_message(case, document, message, outsider):
    before = row_counts()
    with pytest.raises(ImportProblem) as caught:
        import_aif(document, owner=outsider)
    assert str(caught.value).startswith(message), str(caught.value)
    assert row_counts() == before


def test_a_scheme_node_may_not_ask_for_millions_of_relations(outsider):
    nodes = [{"nodeID": k, "text": f"p{k}", "type": "I"} for k in range(2100)] + [{"nodeID": "ra", "type": "RA"}]
    edges = [{"fromID": k, "toID": "ra"} for k in range(1100)] + [
        {"fromID": "ra", "toID": k} for k in range(1100, 2100)
    ]
    with pytest.raises(ImportProblem, match="premise and conclusion pairs"):
        import_aif({"nodes": nodes, "edges": edges}, owner=outsider)


def test_tolerates_missing_optional_fields_and_blank_propositions(outsider):
    document = {
        "nodes": [
            {"nodeID": 1, "text": "Kept.", "type": "I", "timestamp": None},
            {"nodeID": 2, "text": None, "type": "I"},
            {"nodeID": 3, "text": "Also kept.", "type": "I"},
            {"nodeID": 4, "type": "RA", "scheme": 17},
            {"nodeID": 5, "type": "Q"},
        ],
        "edges": [{"fromID": 3, "toID": 4}, {"fromID": 4, "toID": 1}, {"fromID": 2, "toID": 4}],
        "locutions": None,
    }
    imported = import_aif(document, owner=outsider)
    assert relation_set(imported) == {("Also kept.", "supports", "Kept.")}
    assert imported.import_counts["skipped"] == {
        "blank_propositions": 1,
        "links_to_non_claims": 1,
        "unknown_type_nodes": 1,
    }


def test_export_takes_the_same_few_queries_at_any_size(owner):
    counts = []
    for size in (5, 60):
        argument_map = make_map(owner)
        grow_map(argument_map, make_source(added_by=owner), claims=size, actor=owner)
        with CaptureQueriesContext(connection) as queries:
            document = export_aif(argument_map)
        assert len(document["locutions"]) == min(size, 40)  # grow_map quotes 40 distinct spans at most
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 5


def test_import_takes_the_same_few_queries_at_any_size(owner, outsider):
    counts = []
    for size in (5, 60):
        argument_map = make_map(owner)
        grow_map(argument_map, make_source(added_by=owner), claims=size, actor=owner)
        document = export_aif(argument_map)
        with CaptureQueriesContext(connection) as queries:
            imported = import_aif(document, owner=outsider)
        assert (imported.claims.count(), imported.relations.count()) == (size + 1, size)
        assert set(imported.claims.values_list("created_by", "version")) == {(outsider.pk, 1)}
        counts.append(len(queries))
    assert counts[0] == counts[1]


def attempt(document, owner) -> None:
    before = row_counts()
    with transaction.atomic():
        try:
            import_aif(document, owner=owner)
        except ImportProblem:
            assert row_counts() == before
        transaction.set_rollback(True)


NODE_IDS = st.one_of(st.integers(0, 6), st.sampled_from(["0", "1", "2", " 3", "x"]), st.none(), st.booleans())
NODE_TYPES = st.one_of(
    st.sampled_from(["I", "I", "RA", "CA", "MA", "YA", "L", "TA", "PA", "XX"]), st.none(), st.integers()
)
NODE_TEXT = st.one_of(st.text(max_size=15), st.none(), st.sampled_from(["Ana : a", "“q”", ""]))
NODES = st.fixed_dictionaries(
    {"nodeID": NODE_IDS, "type": NODE_TYPES},
    optional={
        "text": NODE_TEXT,
        "scheme": st.none() | st.text(max_size=5),
        "timestamp": st.none() | st.text(max_size=5),
    },
)
EDGES = st.fixed_dictionaries({"fromID": NODE_IDS, "toID": NODE_IDS}, optional={"edgeID": NODE_IDS})
GRAPHS = st.fixed_dictionaries(
    {"nodes": st.lists(NODES, max_size=8)},
    optional={"edges": st.lists(EDGES, max_size=10), "locutions": st.none() | st.lists(JSON_VALUES, max_size=2)},
)


@settings(max_examples=80, **HYPOTHESIS)
@given(graph=GRAPHS, wrap=st.booleans(), text=st.none() | st.text(max_size=40), quotes=st.lists(NODE_IDS, max_size=3))
def test_random_graphs_import_or_raise_import_problem(graph, wrap, text, quotes, outsider):
    document = {"AIF": graph, "text": text} if wrap else dict(graph)
    document["warrant"] = {"quotes": quotes}
    attempt(document, outsider)
    attempt(json.dumps(document), outsider)


@settings(max_examples=40, **HYPOTHESIS)
@given(data=st.binary(max_size=200) | JSON_VALUES.map(json.dumps).map(str.encode))
def test_random_input_raises_import_problem_or_imports(data, outsider):
    attempt(data, outsider)


@settings(max_examples=30, **HYPOTHESIS)
@given(name=st.sampled_from(sorted(SAMPLES) + ["ova_wrapper.json"]), cut=st.floats(0, 1, exclude_max=True))
def test_truncated_files_raise_import_problem(name, cut, outsider):
    text = (DATA / name).read_text(encoding="utf-8").rstrip()
    before = row_counts()
    with pytest.raises(ImportProblem):
        import_aif(text[: int(len(text) * cut)], owner=outsider)
    assert row_counts() == before


def test_commands_speak_aif(outsider, tmp_path):
    argument_map = make_map(outsider)
    grow_map(argument_map, make_source(added_by=outsider), claims=4, actor=outsider)
    path = tmp_path / "map.aif"
    call_command("export_map", argument_map.slug, "--format", "aif", "--output", str(path), stderr=StringIO())
    assert json.loads(path.read_text(encoding="utf-8")) == export_aif(argument_map)
    out = StringIO()
    call_command("import_map", str(path), "--owner", outsider.username, "--title", "Back again", stdout=out)
    assert "Imported “Back again” as back-again" in out.getvalue() and "5 claims" in out.getvalue()
    ova = tmp_path / "analysis.json"  # a .json file: the format is read from its content
    ova.write_text((DATA / "ova_wrapper.json").read_text(encoding="utf-8"), encoding="utf-8")
    out = StringIO()
    call_command("import_map", str(ova), "--owner", outsider.username, stdout=out)
    assert "Imported “Imported AIF map”" in out.getvalue() and "2 evidence" in out.getvalue()
    broken = tmp_path / "broken.json"
    broken.write_text((DATA / "broken_edge.json").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CommandError, match="edges\\[1\\].toID: 99 names no node"):
        call_command("import_map", str(broken), "--owner", outsider.username, stdout=StringIO())
    neither = tmp_path / "neither.json"
    neither.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(CommandError, match="neither Warrant JSON nor AIF"):
        call_command("import_map", str(neither), "--owner", outsider.username, stdout=StringIO())
