"""The graph page and the claim summary beside it: access, embedded data, escaping, query counts."""

import json
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from arguments import services
from arguments.evaluation.assessment import assess_map
from arguments.models import Claim, Relation, Visibility

from .factories import make_claim, make_map, make_source
from .queries import queries_at_two_sizes

pytestmark = pytest.mark.django_db

PRIVATE = {"owner": 200, "editor": 200, "annotator": 200, "viewer": 200, "outsider": 404, "anonymous": 404}
PUBLIC = dict.fromkeys(PRIVATE, 200)
LABELS = {"holds", "challenged", "contested", "unexamined"}
# Session, user, the map with the viewer's role; claims, relations, evidence counts (the evaluation reuses them).
GRAPH_QUERIES = 6
# The same first three; the claim, its relation counts, evidence counts, quotes; and assess_map's three.
SUMMARY_QUERIES = 10


@pytest.fixture
def people(owner, editor, annotator, viewer, outsider):
    return {"owner": owner, "editor": editor, "annotator": annotator, "viewer": viewer, "outsider": outsider}


def debate(argument_map, owner):
    """A thesis with one supporter and one objection; the objection quotes the map's source."""
    source = argument_map.sources.first()
    if source is None:
        source = make_source("Op-ed on coalitions", added_by=owner)
        services.add_source(argument_map=argument_map, source=source, actor=owner)
    thesis = make_claim(argument_map, "Coalitions should act when the Council is stuck.", kind="thesis", actor=owner)
    pro = make_claim(argument_map, "They are fast.", actor=owner)
    con = make_claim(argument_map, "They lack accountability.", actor=owner)
    services.create_relation(argument_map=argument_map, actor=owner, from_claim=pro, to_claim=thesis, kind="supports")
    services.create_relation(argument_map=argument_map, actor=owner, from_claim=con, to_claim=thesis, kind="opposes")
    services.add_evidence(
        argument_map=argument_map, actor=owner, source=source, start=0, end=30, claim=thesis, stance="states"
    )
    services.add_evidence(
        argument_map=argument_map, actor=owner, source=source, start=77, end=148, claim=con, stance="supports"
    )
    return {"thesis": thesis, "pro": pro, "con": con}


@pytest.fixture
def private_debate(private_map, owner):
    return debate(private_map, owner)


@pytest.fixture
def public_debate(public_map, owner):
    return debate(public_map, owner)


def login(client, people, who):
    if who != "anonymous":
        client.force_login(people[who])


def graph_url(argument_map):
    return reverse("arguments:graph", args=[argument_map.slug])


def summary_url(claim):
    return reverse("arguments:graph_claim", args=[claim.map.slug, claim.pk])


def embedded_data(page: str) -> dict:
    """The JSON the page hands to graph.js, read back the way the browser reads it."""
    match = re.search(r'<script id="graph-data" type="application/json">(.*?)</script>', page, re.S)
    assert match, "the page carries its graph data in a json_script block"
    return json.loads(match.group(1))


def test_the_urls_are_where_the_design_says():
    assert reverse("arguments:graph", args=["demo"]) == "/maps/demo/graph/"
    assert reverse("arguments:graph_claim", args=["demo", 7]) == "/maps/demo/graph/claims/7/"


@pytest.mark.parametrize("who", PRIVATE)
def test_graph_page_of_a_private_map_for_every_role(client, people, private_map, private_debate, who):
    login(client, people, who)
    response = client.get(graph_url(private_map))
    assert response.status_code == PRIVATE[who]
    if response.status_code == 200:
        page = response.content.decode()
        assert "They lack accountability." in page
        assert 'id="graph"' in page and "js/graph.js" in page
        assert "vendor/cytoscape/cytoscape.min.js" in page


@pytest.mark.parametrize("who", PUBLIC)
def test_graph_page_of_a_public_map_for_everyone(client, people, public_map, public_debate, who):
    login(client, people, who)
    response = client.get(graph_url(public_map))
    assert response.status_code == PUBLIC[who]
    assert len(embedded_data(response.content.decode())["nodes"]) == 3


def test_unknown_map_is_404_and_only_get_is_allowed(client, owner, private_map):
    client.force_login(owner)
    assert client.get(reverse("arguments:graph", args=["no-such-map"])).status_code == 404
    assert client.post(graph_url(private_map)).status_code == 405


def test_embedded_data_is_complete_and_correct(client, owner, private_map, private_debate):
    long_text = "A claim whose wording runs on " + "and on " * 20 + "until it ends."
    long_claim = make_claim(private_map, long_text, actor=owner)
    services.create_relation(
        argument_map=private_map,
        actor=owner,
        from_claim=long_claim,
        to_claim=private_debate["con"],
        kind="supports",
    )
    client.force_login(owner)
    data = embedded_data(client.get(graph_url(private_map)).content.decode())

    claims = {str(c.pk): c for c in Claim.objects.filter(map=private_map)}
    nodes = {node["id"]: node for node in data["nodes"]}
    assert nodes.keys() == claims.keys()
    assert len(data["edges"]) == Relation.objects.filter(map=private_map).count() == 3

    thesis, pro, con = (str(private_debate[k].pk) for k in ("thesis", "pro", "con"))
    assert nodes[thesis]["kind"] == "thesis"
    assert {nodes[i]["kind"] for i in (pro, con, str(long_claim.pk))} == {"claim"}
    assert nodes[thesis]["evidence"] == {"states": 1, "supports": 0, "opposes": 0}
    assert nodes[con]["evidence"] == {"states": 0, "supports": 1, "opposes": 0}
    assert nodes[pro]["evidence"] == {"states": 0, "supports": 0, "opposes": 0}

    long_node = nodes[str(long_claim.pk)]
    assert long_node["text"] == long_text
    assert len(long_node["label"]) <= 80 and long_node["label"].endswith("…")
    assert long_text.startswith(long_node["label"][:-1])
    assert "label" not in nodes[pro] and nodes[pro]["text"] == "They are fast."  # the text is its own label

    edges = {(e["source"], e["target"]): e["kind"] for e in data["edges"]}
    assert edges == {(pro, thesis): "supports", (con, thesis): "opposes", (str(long_claim.pk), con): "supports"}
    assert len({e["id"] for e in data["edges"]} | nodes.keys()) == 4 + 3  # element ids never collide

    assessments = assess_map(private_map)
    for claim_id, node in nodes.items():
        assert node["evaluation"] in LABELS
        assert node["evaluation"] == assessments[int(claim_id)].standing
        assert node["percent"] == assessments[int(claim_id)].percent
        assert 0 <= node["percent"] <= 100
    # Grounded semantics: the unopposed objection stands, so the thesis it opposes falls.
    assert nodes[con]["evaluation"] == "holds" and nodes[thesis]["evaluation"] == "challenged"

    counts = data["counts"]
    assert counts["claims"] == 4 and counts["theses"] == 1 and counts["relations"] == 3
    assert counts["supports"] == 2 and counts["opposes"] == 1
    assert sum(counts[standing] for standing in LABELS) == 4


def test_claim_text_cannot_break_out_of_the_script_block(client, owner, private_map, private_debate):
    hostile = "</script><script>alert(1)</script> & <b>bold</b>"
    claim = make_claim(private_map, hostile, kind="thesis", actor=owner)
    client.force_login(owner)
    page = client.get(graph_url(private_map)).content.decode()
    assert "<script>alert(1)" not in page
    assert "<b>bold</b>" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the list and the thesis menu
    assert embedded_data(page)["nodes"][-1]["text"] == hostile  # the data still carries the exact words
    summary = client.get(summary_url(claim), HTTP_HX_REQUEST="true").content.decode()
    assert "<script>alert(1)" not in summary and "&lt;script&gt;alert(1)" in summary


def test_without_javascript_the_page_lists_every_claim_with_a_link_to_its_page(
    client, viewer, private_map, private_debate
):
    client.force_login(viewer)
    page = client.get(graph_url(private_map)).content.decode()
    for claim in private_debate.values():
        link = reverse("arguments:claim", args=[private_map.slug, claim.pk])
        assert f'href="{link}" data-claim="{claim.pk}"' in page
    # Theses come first, and every claim carries its evaluation in words.
    assert page.index("Coalitions should act") < page.index("They are fast.") < page.index("They lack")
    assert page.count('class="eval-badge eval-') >= 3 + 3  # three in the list, three in the legend


def test_a_map_without_claims_still_renders(client, owner):
    empty = make_map(owner, title="Empty")
    client.force_login(owner)
    response = client.get(graph_url(empty))
    assert response.status_code == 200
    assert embedded_data(response.content.decode())["nodes"] == []
    assert "This map has no claims yet." in response.content.decode()


def test_graph_page_query_count_does_not_grow_with_the_map(client, viewer, owner):
    client.force_login(viewer)
    queries_at_two_sizes(
        client, owner, graph_url, visibility=Visibility.PRIVATE, members={"viewer": viewer}, exactly=GRAPH_QUERIES
    )


def test_summary_query_count_does_not_grow_with_the_map(client, viewer, owner):
    client.force_login(viewer)

    def url_of(argument_map) -> str:
        return summary_url(Claim.objects.filter(map=argument_map, kind="thesis").get())

    queries_at_two_sizes(
        client, owner, url_of, members={"viewer": viewer}, exactly=SUMMARY_QUERIES, HTTP_HX_REQUEST="true"
    )


@pytest.mark.parametrize("who", PRIVATE)
def test_claim_summary_for_every_role(client, people, private_map, private_debate, who):
    login(client, people, who)
    thesis = private_debate["thesis"]
    response = client.get(summary_url(thesis), HTTP_HX_REQUEST="true")
    assert response.status_code == PRIVATE[who]
    if response.status_code != 200:
        return
    fragment = response.content.decode()
    assert "<html" not in fragment and fragment.lstrip().startswith("<article")
    assert "Coalitions should act when the Council is stuck." in fragment
    assert "Thesis" in fragment
    assessment = assess_map(private_map)[thesis.pk]
    assert f'class="eval-badge eval-{assessment.standing}"' in fragment
    assert f'max="100" value="{assessment.percent}"' in fragment and "<meter" in fragment
    assert f"{assessment.percent} of 100" in fragment and " of 1<" not in fragment
    assert escape(assessment.explanation) in fragment
    assert "<strong>1</strong> supporting claim" in fragment and "<strong>1</strong> objection" in fragment
    assert "<strong>1</strong> evidence passage" in fragment
    assert "“Coalitions of the willing act " in fragment  # the quote …
    assert "Lima and Chen 2021" in fragment  # … with its citation
    assert f'href="{reverse("arguments:claim", args=[private_map.slug, thesis.pk])}"' in fragment
    assert response["Vary"] and "HX-Request" in response["Vary"]


@pytest.mark.parametrize("who", PUBLIC)
def test_claim_summary_of_a_public_map_for_everyone(client, people, public_map, public_debate, who):
    login(client, people, who)
    response = client.get(summary_url(public_debate["con"]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "They lack accountability." in response.content.decode()


def test_claim_summary_without_htmx_is_a_page_of_its_own(client, viewer, private_map, private_debate):
    client.force_login(viewer)
    page = client.get(summary_url(private_debate["pro"])).content.decode()
    assert page.lstrip().startswith("<!doctype html>")
    assert "They are fast." in page and 'class="claim-summary"' in page
    assert f'href="{graph_url(private_map)}"' in page  # back to the graph
    assert "No passage is linked to this claim yet." in page
    assert "data-graph-back" not in page  # the way back into the list exists only beside the graph


def test_summary_shows_at_most_three_quotes_statements_first(client, owner, private_map, private_debate):
    thesis = private_debate["thesis"]
    source = private_map.sources.get()
    for start, stance in [(5, "opposes"), (10, "supports"), (15, "supports"), (20, "states")]:
        services.add_evidence(
            argument_map=private_map, actor=owner, source=source, start=start, end=70, claim=thesis, stance=stance
        )
    client.force_login(owner)
    fragment = client.get(summary_url(thesis), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.count('<li class="quote ') == 3
    assert "(first 3 of 5)" in fragment
    stances = re.findall(r'<li class="quote (\w+)"', fragment)
    assert stances == ["states", "states", "supports"]


def test_summary_of_a_claim_from_another_map_is_404(client, owner, private_map, public_map, public_debate):
    client.force_login(owner)  # owns both maps
    elsewhere = public_debate["thesis"]
    url = reverse("arguments:graph_claim", args=[private_map.slug, elsewhere.pk])
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(reverse("arguments:graph_claim", args=[private_map.slug, 999_999])).status_code == 404
    assert client.post(summary_url(elsewhere)).status_code == 405
