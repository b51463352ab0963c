"""The graph page: claims as nodes, relations as edges, each claim coloured by its evaluation.

The page carries its data as JSON through the `json_script` filter; static/js/graph.js draws it with
Cytoscape.js and lays it out with dagre in the browser, so the server never lays out a graph. The data
comes from `values_list` rows in a fixed number of queries, whatever the size of the map.

A claim's summary beside the graph has a URL of its own: htmx asks for the fragment, while a plain
request (a bookmark, a browser without JavaScript) gets the same summary as a small page.
"""

from collections import Counter

from django.db.models import Case, Count, IntegerField, Value, When
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from arguments.access import Need, get_map_for
from arguments.clipping import clip_at_word
from arguments.evaluation.assessment import STANCE_POSITION, STANDING_TEXT, assess
from arguments.models import ArgumentMap, Claim, ClaimKind, Evidence, Relation, RelationKind, Stance
from arguments.outline import MapOutline

LABEL_CHARS = 80
TOP_QUOTES = 3


def build_graph(argument_map: ArgumentMap) -> dict:
    """Nodes, edges and counts of a map as plain data for the page's JSON block."""
    claims = list(Claim.objects.filter(map=argument_map).order_by("id").values_list("id", "kind", "text"))
    relations = list(
        Relation.objects.filter(map=argument_map)
        .order_by("id")
        .values_list("id", "from_claim_id", "to_claim_id", "kind")
    )
    evidence: dict[int, dict[str, int]] = {}
    stance_rows = (
        Evidence.objects.filter(map=argument_map).order_by().values_list("claim_id", "stance").annotate(n=Count("id"))
    )
    for claim_id, stance, n in stance_rows:
        evidence.setdefault(claim_id, dict.fromkeys(Stance.values, 0))[stance] = n
    # Cytoscape refuses an edge to a missing node, so a relation added between the two reads waits
    # for the next page load rather than breaking this one.
    known = {claim_id for claim_id, _, _ in claims}
    relations = [row for row in relations if row[1] in known and row[2] in known]
    # (states, supports, opposes) in the order the evaluation expects.
    counts_by_claim = {claim_id: [by_stance[s] for s in STANCE_POSITION] for claim_id, by_stance in evidence.items()}
    assessments = assess(
        {claim_id: text for claim_id, _, text in claims},
        [(from_id, to_id, kind) for _, from_id, to_id, kind in relations],
        counts_by_claim,
        explain=False,
        background={claim_id for claim_id, kind, _ in claims if kind == ClaimKind.BACKGROUND},
    )

    nodes = []
    for claim_id, kind, text in claims:
        assessment = assessments.get(claim_id)  # none for background claims: never evaluated
        node = {
            "id": str(claim_id),
            "text": text,
            "kind": kind,
            "evidence": evidence.get(claim_id, dict.fromkeys(Stance.values, 0)),
            "evaluation": assessment.standing if assessment else "background",
            # the balance of reasons on the 0-100 scale the site uses throughout
            "percent": assessment.percent if assessment else None,
        }
        # A label only where it differs from the text: on a big map the page carries every claim twice otherwise.
        label = clip_at_word(text, LABEL_CHARS)
        if label != text:
            node["label"] = label
        nodes.append(node)
    edges = [
        {"id": f"r{pk}", "source": str(from_id), "target": str(to_id), "kind": kind}
        for pk, from_id, to_id, kind in relations
    ]
    relation_kinds = Counter(edge["kind"] for edge in edges)
    labels = Counter(node["evaluation"] for node in nodes)
    counts = {
        "claims": len(nodes),
        "theses": sum(1 for node in nodes if node["kind"] == ClaimKind.THESIS),
        "relations": len(edges),
        "supports": relation_kinds[RelationKind.SUPPORTS],
        "opposes": relation_kinds[RelationKind.OPPOSES],
        **{standing: labels[standing] for standing in STANDING_TEXT},
    }
    # The standings' wording, so the page's script says them as the rest of the site does.
    verdicts = {**STANDING_TEXT, "background": "Background"}
    return {"nodes": nodes, "edges": edges, "counts": counts, "verdicts": verdicts}


def _prefix(name: str, slug: str) -> str:
    """The URL of `name` for claim 0, less the id: '/maps/<slug>/…/claims/'. One reverse() for all rows."""
    return reverse(name, args=[slug, 0]).removesuffix("0/")


@require_GET
def map_graph(request, slug: str):
    access = get_map_for(request.user, slug, Need.READ)
    graph = build_graph(access.map)
    claim_prefix = _prefix("arguments:claim", slug)
    # Theses first, then the other claims in the order they were added, as in the outline.
    listing = [
        {
            "id": node["id"],
            "text": node["text"],
            "is_thesis": node["kind"] == ClaimKind.THESIS,
            "evaluation": node["evaluation"],
            "evaluation_name": STANDING_TEXT.get(node["evaluation"], "Background"),
            "href": f"{claim_prefix}{node['id']}/",
        }
        for node in sorted(graph["nodes"], key=lambda node: node["kind"] != ClaimKind.THESIS)
    ]
    context = {
        "access": access,
        "map": access.map,
        "graph": graph,
        "counts": graph["counts"],
        "listing": listing,
        "theses": [item for item in listing if item["is_thesis"]],
        "summary_prefix": _prefix("arguments:graph_claim", slug),
    }
    return render(request, "arguments/map_graph.html", context)


def _top_quotes(claim: Claim) -> list[Evidence]:
    """The claim's first quotes: passages stating it, then supporting, then opposing it."""
    stance_rank = Case(
        When(stance=Stance.STATES, then=Value(0)),
        When(stance=Stance.SUPPORTS, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    rows = (
        Evidence.objects.filter(claim=claim)
        .select_related("passage__source")
        .defer("passage__source__text", "passage__source__original")
        .annotate(stance_rank=stance_rank)
        .order_by("stance_rank", "passage__source_id", "passage__start", "id")
    )
    return list(rows[:TOP_QUOTES])


def _summary_context(argument_map: ArgumentMap, claim: Claim) -> dict:
    relation_counts = dict(
        Relation.objects.filter(to_claim=claim).order_by().values_list("kind").annotate(n=Count("id"))
    )
    evidence_counts = dict(
        Evidence.objects.filter(claim=claim).order_by().values_list("stance").annotate(n=Count("id"))
    )
    node = MapOutline(argument_map).node(claim.pk)  # kept per revision: no read of the whole map
    return {
        "assessment": node.assessment,
        "node": node,
        "supporter_count": relation_counts.get(RelationKind.SUPPORTS, 0),
        "objector_count": relation_counts.get(RelationKind.OPPOSES, 0),
        "evidence_count": sum(evidence_counts.values()),
        "evidence_counts": [(stance, evidence_counts.get(stance, 0)) for stance in Stance.values],
        "quotes": _top_quotes(claim),
    }


@require_GET
def graph_claim(request, slug: str, claim_id: int):
    """A claim's summary: the fragment beside the graph for htmx, a small page otherwise."""
    access = get_map_for(request.user, slug, Need.READ)
    claim = get_object_or_404(Claim.objects.only("id", "map_id", "kind", "text"), map=access.map, pk=claim_id)
    context = {"access": access, "map": access.map, "claim": claim, **_summary_context(access.map, claim)}
    template = "arguments/_claim_summary.html#summary" if request.htmx else "arguments/_claim_summary.html"
    response = render(request, template, context)
    # The same URL answers with a fragment or a page: caches must keep the two apart.
    patch_vary_headers(response, ["HX-Request"])
    return response
