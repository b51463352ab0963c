"""Each export format, read back by a real consumer of that format.

GraphML by networkx, DOT and SVG by Graphviz, Argdown by the reference parser (@argdown/core, run
with node from tests/js), CSV by the csv module, Web Annotation selectors against the source text.
"""

import csv
import io
import json
import random
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import networkx as nx
import pytest

from arguments import services
from arguments.demo import load_demo
from arguments.exports import dot as dot_module
from arguments.exports.argdown import MAX_DEPTH, escape, export_argdown
from arguments.exports.dot import SvgUnavailable, export_dot, export_svg
from arguments.exports.graphml import export_graphml
from arguments.exports.tables import export_tables
from arguments.exports.webannotation import export_webannotation
from arguments.models import Claim, ClaimKind, Comment, Evidence, MapSource, Relation
from sources.models import Passage, Source

from .factories import make_claim, make_map, make_source

JS_DIR = Path(__file__).parent / "js"
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"

TRICKY = [
    'Quotes "double" and \'single\', a backslash \\ and \\N \\l \\" escapes',
    "Markup <b>bold</b> & ampersands &amp; [brackets] {braces} #hashtag @mention",
    "*stars* _underscores_ **bold** __also__ // slashes /* comment */ <!-- html -->",
    "- leading dash, + plus, 1. numbered, (1) premise, === front matter ===",
    "Shortcodes :smile: and .A. and e.g. U.N. 3:2:1 ratio; colon: yes.",
    "Multi-line\ntext\twith   tabs\r\nand CRLF",
    "Emoji 😀 and CJK 多边主义 and RTL שלום",
    "<+ looks like a relation -> and >< contradiction",
    "[Title]: a fake definition <Arg>: and a fake argument",
    "Control \x01 characters \x1f are dropped",
]


@pytest.fixture
def demo_map(db):
    return load_demo(password="pw-for-tests").map


@pytest.fixture
def tricky_map(owner):
    """A small map whose texts hold every character a format treats specially, with schemes and weights."""
    argument_map = make_map(owner, title='Tricky <map> & "quotes"')
    thesis = make_claim(argument_map, 'A thesis with <angle> & "quotes"', kind=ClaimKind.THESIS, actor=owner)
    claims = [make_claim(argument_map, text, actor=owner) for text in TRICKY]
    for n, claim in enumerate(claims):
        relation = services.create_relation(
            argument_map=argument_map,
            actor=owner,
            from_claim=claim,
            to_claim=thesis if n < 3 else claims[n - 3],
            kind="supports" if n % 2 else "opposes",
            scheme='Argument from <expert> & "opinion"' if n % 3 == 0 else "",
        )
        if n % 4 == 0:
            Relation.objects.filter(pk=relation.pk).update(weight=0.25 * (n % 5))
    # a cycle, a claim supporting two others, and a claim no thesis reaches
    services.create_relation(
        argument_map=argument_map, actor=owner, from_claim=claims[0], to_claim=claims[9], kind="opposes"
    )
    services.create_relation(
        argument_map=argument_map, actor=owner, from_claim=claims[5], to_claim=claims[1], kind="supports"
    )
    loner = make_claim(argument_map, "A claim on its own", actor=owner)
    services.create_relation(
        argument_map=argument_map, actor=owner, from_claim=claims[8], to_claim=loner, kind="supports"
    )
    return argument_map


def _counts(argument_map):
    return Claim.objects.filter(map=argument_map).count(), Relation.objects.filter(map=argument_map).count()


# GraphML, read by networkx


def test_graphml_reads_back_in_networkx_with_every_attribute(tricky_map):
    graph = nx.parse_graphml(export_graphml(tricky_map))
    claims = {
        f"c{pk}": (kind, text)
        for pk, kind, text in Claim.objects.filter(map=tricky_map).values_list("id", "kind", "text")
    }
    relations = Relation.objects.filter(map=tricky_map).values_list(
        "from_claim_id", "to_claim_id", "kind", "scheme", "weight"
    )
    assert graph.is_directed()
    assert graph.number_of_nodes() == len(claims)
    assert graph.number_of_edges() == len(relations)
    assert graph.graph["title"] == tricky_map.title
    for node, (kind, text) in claims.items():
        assert graph.nodes[node]["kind"] == kind
        expected = text.replace("\x01", "").replace("\x1f", "").replace("\r\n", "\n")
        assert graph.nodes[node]["text"].replace("\r\n", "\n") == expected
    for source, target, kind, scheme, weight in relations:
        data = graph.edges[f"c{source}", f"c{target}"]
        assert data["kind"] == kind
        assert data.get("scheme", "") == scheme
        assert data.get("weight") == weight


def test_graphml_of_the_demo_map(demo_map):
    graph = nx.parse_graphml(export_graphml(demo_map))
    assert (graph.number_of_nodes(), graph.number_of_edges()) == _counts(demo_map)
    assert {data["kind"] for _, _, data in graph.edges(data=True)} == {"supports", "opposes"}


# DOT and SVG, read by Graphviz


def _render(dot_text: str) -> ET.Element:
    result = subprocess.run(["dot", "-Tsvg"], input=dot_text.encode(), capture_output=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr.decode()
    assert b"Warning" not in result.stderr and b"Error" not in result.stderr, result.stderr.decode()
    return ET.fromstring(result.stdout)


def _svg_nodes(svg: ET.Element) -> dict[str, ET.Element]:
    return {g.find(f"{SVG_NS}title").text: g for g in svg.iter(f"{SVG_NS}g") if g.get("class") == "node"}


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed (Debian package graphviz)")
def test_dot_renders_with_graphviz_and_keeps_the_text(tricky_map):
    text = export_dot(tricky_map)
    assert "rankdir=BT" in text
    svg = _render(text)
    nodes = _svg_nodes(svg)
    edges = [g for g in svg.iter(f"{SVG_NS}g") if g.get("class") == "edge"]
    claims, relations = _counts(tricky_map)
    assert (len(nodes), len(edges)) == (claims, relations)
    for pk, text in Claim.objects.filter(map=tricky_map).values_list("id", "text"):
        # the label's lines carry the whole text: Graphviz read every escape the way it was meant
        lines = [t.text or "" for t in nodes[f"c{pk}"].iter(f"{SVG_NS}text")]
        expected = "".join(c if c.isprintable() else " " for c in text)
        assert " ".join(" ".join(lines).split()) == " ".join(expected.split())


def test_dot_cuts_long_labels_and_keeps_the_text_as_tooltip(owner):
    argument_map = make_map(owner)
    claim = make_claim(argument_map, "Long \\N words " * 40)
    svg = _render(export_dot(argument_map))
    node = _svg_nodes(svg)[f"c{claim.pk}"]
    shown = " ".join(t.text for t in node.iter(f"{SVG_NS}text"))
    assert shown.endswith("…") and len(shown) < 300
    tooltip = node.find(f".//{SVG_NS}a").get(XLINK_TITLE)
    assert tooltip == " ".join(claim.text.split()).replace("\\", "\u29f5")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed (Debian package graphviz)")
def test_dot_styles_theses_and_relations(tricky_map):
    text = export_dot(tricky_map, link_base="https://warrant.example")
    thesis = Claim.objects.get(map=tricky_map, kind="thesis")
    thesis_line = next(line for line in text.splitlines() if line.startswith(f"  c{thesis.pk} ["))
    assert "peripheries=2" in thesis_line
    assert f'URL="https://warrant.example/maps/{tricky_map.slug}/claims/{thesis.pk}/"' in thesis_line
    assert "style=dashed" in next(line for line in text.splitlines() if "->" in line and "tee" in line)
    svg = _render(text)
    strokes = {path.get("stroke") for path in svg.iter(f"{SVG_NS}path")}
    assert {"#2d6a3e", "#b4451f"} <= strokes


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed (Debian package graphviz)")
def test_svg_is_drawn_for_the_demo_map(demo_map):
    svg = ET.fromstring(export_svg(demo_map, link_base="https://warrant.example"))
    assert len(_svg_nodes(svg)) == Claim.objects.filter(map=demo_map).count()


def test_svg_refuses_a_map_over_the_limit(tricky_map, monkeypatch):
    monkeypatch.setattr(dot_module, "MAX_SVG_CLAIMS", 5)
    monkeypatch.setattr(dot_module.subprocess, "run", lambda *a, **k: pytest.fail("Graphviz must not run"))
    with pytest.raises(SvgUnavailable) as refused:
        export_svg(tricky_map)
    assert refused.value.status == 422
    assert "up to 5" in refused.value.message and "DOT" in refused.value.message


def test_svg_layout_that_runs_too_long_is_stopped(tricky_map, monkeypatch):
    seen = {}

    def slow(args, **kwargs):
        seen.update(args=args, kwargs=kwargs)
        raise subprocess.TimeoutExpired(args, kwargs["timeout"])

    monkeypatch.setattr(dot_module.shutil, "which", lambda name: "/usr/bin/dot")
    monkeypatch.setattr(dot_module.subprocess, "run", slow)
    with pytest.raises(SvgUnavailable) as stopped:
        export_svg(tricky_map, timeout=3)
    assert stopped.value.status == 503
    assert "3 seconds" in stopped.value.message
    # bounded layout, no shell, user text only on standard input
    assert seen["args"][:2] == ["/usr/bin/dot", "-Tsvg"] and "-Gnslimit=2" in seen["args"]
    assert "shell" not in seen["kwargs"] and seen["kwargs"]["timeout"] == 3
    assert all(tricky_map.title not in arg for arg in seen["args"])
    # the slot is given back: the next drawing is not refused as "busy"
    assert dot_module._layouts.acquire(blocking=False)
    dot_module._layouts.release()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed (Debian package graphviz)")
def test_svg_timeout_is_real(tricky_map):
    with pytest.raises(SvgUnavailable) as stopped:
        export_svg(tricky_map, timeout=0.000001)
    assert stopped.value.status == 503


# Argdown, read by the reference parser


def parse_argdown(text: str) -> dict:
    if not (JS_DIR / "node_modules" / "@argdown" / "core").is_dir():
        pytest.skip("tests/js/node_modules is missing: run `npm ci --prefix tests/js` to check Argdown exports")
    result = subprocess.run(
        ["node", str(JS_DIR / "parse_argdown.mjs")],
        input=text,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_argdown_of_the_demo_map_parses_with_the_reference_parser(demo_map):
    parsed = parse_argdown(export_argdown(demo_map))
    assert parsed["errors"] == []
    assert (parsed["statements"], parsed["relations"]) == _counts(demo_map)


def test_argdown_keeps_every_relation_and_text(tricky_map):
    parsed = parse_argdown(export_argdown(tricky_map))
    assert parsed["errors"] == []
    assert (parsed["statements"], parsed["relations"]) == _counts(tricky_map)
    titles = {}
    for pk, text in Claim.objects.filter(map=tricky_map).values_list("id", "text"):
        title = next(t for t in parsed["titles"] if t.endswith(f" {pk}"))
        titles[pk] = title
        assert parsed["texts"][title] == " ".join(text.split())
    expected = {
        (titles[a], titles[b], "support" if kind == "supports" else "attack")
        for a, b, kind in Relation.objects.filter(map=tricky_map).values_list("from_claim_id", "to_claim_id", "kind")
    }
    assert {tuple(r) for r in parsed["relationList"]} == expected


def test_argdown_escapes_survive_random_text(owner):
    """Random strings over Argdown's special characters come back from the parser unchanged."""
    rng = random.Random(20240611)
    alphabet = "ab \\[]<>#{}@*_/=:.,;()-+!?'\"`~|^&%$0123456789\n\t😀ü"
    argument_map = make_map(owner)
    thesis = make_claim(argument_map, "Root", kind=ClaimKind.THESIS)
    texts = {}
    for _ in range(150):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        if not text.strip():
            continue
        claim = make_claim(argument_map, text)
        services.create_relation(
            argument_map=argument_map, actor=None, from_claim=claim, to_claim=thesis, kind="supports"
        )
        texts[claim.pk] = " ".join(text.split())
    parsed = parse_argdown(export_argdown(argument_map))
    assert parsed["errors"] == []
    assert parsed["statements"] == len(texts) + 1
    for pk, text in texts.items():
        title = next(t for t in parsed["titles"] if t.endswith(f" {pk}"))
        assert parsed["texts"][title] == text, (text, escape(text))


def test_argdown_deep_chain_stays_flat_and_complete(owner):
    argument_map = make_map(owner)
    claims = [make_claim(argument_map, "The thesis", kind=ClaimKind.THESIS)]
    for n in range(MAX_DEPTH * 3):
        claims.append(make_claim(argument_map, f"Step {n}"))
        services.create_relation(
            argument_map=argument_map, actor=None, from_claim=claims[-1], to_claim=claims[-2], kind="opposes"
        )
    text = export_argdown(argument_map)
    assert max(len(line) - len(line.lstrip(" ")) for line in text.splitlines()) <= 2 * MAX_DEPTH
    parsed = parse_argdown(text)
    assert parsed["errors"] == []
    assert (parsed["statements"], parsed["relations"]) == _counts(argument_map)


# CSV tables, read by the csv module


def test_csv_zip_has_one_table_per_model_with_matching_counts(demo_map):
    Comment.objects.create(claim=Claim.objects.filter(map=demo_map).first(), body="=1+1 looks like a formula")
    archive = zipfile.ZipFile(io.BytesIO(export_tables(demo_map)))
    tables = {}
    for name in archive.namelist():
        raw = archive.read(name)
        assert raw.startswith(b"\xef\xbb\xbf"), f"{name} has no byte order mark"
        tables[name] = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert set(tables) == {
        "sources.csv",
        "passages.csv",
        "claims.csv",
        "relations.csv",
        "evidence.csv",
        "comments.csv",
    }
    evidence = Evidence.objects.filter(map=demo_map)
    assert len(tables["claims.csv"]) == Claim.objects.filter(map=demo_map).count()
    assert len(tables["relations.csv"]) == Relation.objects.filter(map=demo_map).count()
    assert len(tables["evidence.csv"]) == evidence.count()
    assert len(tables["passages.csv"]) == Passage.objects.filter(evidence__map=demo_map).distinct().count()
    assert len(tables["sources.csv"]) == MapSource.objects.filter(map=demo_map).count()
    assert len(tables["comments.csv"]) == Comment.objects.filter(claim__map=demo_map).count()
    # ids are the database's, and the tables join on them
    claim_ids = {row["id"] for row in tables["claims.csv"]}
    assert claim_ids == {str(pk) for pk in Claim.objects.filter(map=demo_map).values_list("id", flat=True)}
    passage_ids = {row["id"] for row in tables["passages.csv"]}
    for row in tables["evidence.csv"]:
        assert row["claim_id"] in claim_ids and row["passage_id"] in passage_ids
    texts = dict(Claim.objects.filter(map=demo_map).values_list("id", "text"))
    for row in tables["claims.csv"]:
        assert row["text"] == texts[int(row["id"])]
    assert "'=1+1 looks like a formula" in {row["body"] for row in tables["comments.csv"]}


def test_csv_leaves_out_passages_of_other_maps(owner):
    source = make_source("Shared source")
    mine, theirs = make_map(owner), make_map(owner)
    for argument_map, end in ((mine, 20), (theirs, 40)):
        services.add_source(argument_map=argument_map, source=source, actor=owner)
        claim = make_claim(argument_map, "A claim")
        services.add_evidence(
            argument_map=argument_map, actor=owner, source=source, start=0, end=end, claim=claim, stance="states"
        )
    archive = zipfile.ZipFile(io.BytesIO(export_tables(mine)))
    passages = list(csv.DictReader(io.StringIO(archive.read("passages.csv").decode("utf-8-sig"), newline="")))
    assert [row["end"] for row in passages] == ["20"]


# W3C Web Annotation, selectors checked against the source text


def test_web_annotations_anchor_exactly_in_the_source_text(demo_map):
    document = export_webannotation(demo_map, base_url="https://warrant.example/")
    assert document["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert document["type"] == "AnnotationCollection"
    page = document["first"]
    assert page["type"] == "AnnotationPage"
    items = page["items"]
    assert document["total"] == len(items) == Evidence.objects.filter(map=demo_map).count()
    assert len({item["id"] for item in items}) == len(items)

    reader = f"https://warrant.example/maps/{demo_map.slug}/sources/"
    texts = {}
    for slug, url, text in Source.objects.filter(maps=demo_map).values_list("slug", "url", "text"):
        texts[url or reader + slug + "/"] = text
    claims = dict(Claim.objects.filter(map=demo_map).values_list("id", "text"))
    for item in items:
        assert item["type"] == "Annotation" and item["motivation"] == "linking"
        assert item["id"].startswith("https://warrant.example/")
        claim, stance = item["body"][0], item["body"][1]
        claim_id = int(claim["id"].rstrip("/").rsplit("/", 1)[1])
        assert claim["type"] == "TextualBody" and claim["value"] == claims[claim_id]
        assert stance["purpose"] == "classifying" and stance["value"] in {"states", "supports", "opposes"}
        text = texts[item["target"]["source"]]
        selectors = {s["type"]: s for s in item["target"]["selector"]}
        quote, position = selectors["TextQuoteSelector"], selectors["TextPositionSelector"]
        start, end = position["start"], position["end"]
        assert text[start:end] == quote["exact"]
        assert text[:start].endswith(quote["prefix"])
        assert text[end:].startswith(quote["suffix"])


def test_web_annotation_positions_count_code_points(owner):
    source = make_source("Astral", text="😀😀 多边主义 then the quoted words here.")
    argument_map = make_map(owner)
    services.add_source(argument_map=argument_map, source=source, actor=owner)
    claim = make_claim(argument_map, "A claim")
    start = source.text.index("quoted")
    services.add_evidence(
        argument_map=argument_map,
        actor=owner,
        source=source,
        start=start,
        end=start + 12,
        claim=claim,
        stance="supports",
    )
    (item,) = export_webannotation(argument_map)["first"]["items"]
    position = next(s for s in item["target"]["selector"] if s["type"] == "TextPositionSelector")
    assert (position["start"], position["end"]) == (start, start + 12) == (17, 29)
    assert item["target"]["source"].endswith(f"/sources/{source.slug}/")
