"""AIF export: a Warrant map as an AIFdb-shaped graph (docs/aif.md; aif.py reads AIF back)."""

from datetime import UTC
from functools import lru_cache

from arguments.models import ArgumentMap, Claim, Evidence, Relation
from sources.models import Passage, Source

DEFAULT_TEXT = {"RA": "Default Inference", "CA": "Default Conflict", "MA": "Default Rephrase"}
DEFAULT_SCHEME_ID = {"RA": "72", "CA": "71", "MA": "144"}


def export_aif(argument_map: ArgumentMap) -> dict:
    """The map as an AIFdb-shaped dict: nodes, edges, locutions, participants."""
    map_id = argument_map.pk
    claims = Claim.objects.filter(map_id=map_id).order_by("id").values_list("id", "text", "created")
    relations = (
        Relation.objects.filter(map_id=map_id)
        .order_by("id")
        .values_list("from_claim_id", "to_claim_id", "kind", "scheme", "created")
    )
    evidence = list(
        Evidence.objects.filter(map_id=map_id).order_by("id").values_list("passage_id", "claim_id", "stance", "created")
    )
    passages = {
        row[0]: row
        for row in Passage.objects.filter(pk__in={row[0] for row in evidence}).values_list(
            "id",
            "source_id",
            "start",
            "end",
            "exact",
            "source__title",
            "source__authors",
            "source__published",
            "source__url",
        )
    }

    graph = _Graph()
    claim_nodes = {pk: graph.node("I", text, created) for pk, text, created in claims}
    for a, b, kind, scheme, created in relations:
        middle = graph.scheme("RA" if kind == "supports" else "CA", scheme, created)
        graph.edge(claim_nodes[a], middle)
        graph.edge(middle, claim_nodes[b])

    said: dict[int, str] = {}  # passage -> its L-node
    quoted: dict[int, str] = {}  # passage -> the I-node holding its quote
    participants: dict[int, int] = {}
    for passage_id, claim_id, stance, created in evidence:
        _, source_id, start, end, exact, title, authors, published, url = passages[passage_id]
        if passage_id not in said:
            person = participants.setdefault(source_id, len(participants) + 1)
            if person not in graph.citations:
                graph.citations[person] = Source(title=title, authors=authors, published=published).short_citation
            citation = graph.citations[person]
            said[passage_id] = graph.node("L", f"{citation}: “{exact}”", created)
            graph.locutions.append(
                {
                    "nodeID": said[passage_id],
                    "personID": person,
                    "timestamp": _stamp(created),
                    "start": start,
                    "end": end,
                    "source": url or title,
                }
            )
        if stance == "states":
            graph.assert_(said[passage_id], claim_nodes[claim_id], created)
            continue
        if passage_id not in quoted:
            quoted[passage_id] = graph.node("I", exact, created)
            graph.assert_(said[passage_id], quoted[passage_id], created)
        middle = graph.scheme("RA" if stance == "supports" else "CA", "", created)
        graph.edge(quoted[passage_id], middle)
        graph.edge(middle, claim_nodes[claim_id])

    return {
        "nodes": graph.nodes,
        "edges": graph.edges,
        "locutions": graph.locutions,
        "participants": [
            {"participantID": person, "firstname": citation, "surname": ""}
            for person, citation in graph.citations.items()
        ],
        "warrant": {"generator": "Warrant", "title": argument_map.title, "quotes": list(quoted.values())},
    }


class _Graph:
    def __init__(self) -> None:
        self.nodes: list[dict] = []
        self.edges: list[dict] = []
        self.locutions: list[dict] = []
        self.citations: dict[int, str] = {}

    def node(self, kind: str, text: str, when, **extra) -> str:
        node_id = str(len(self.nodes) + 1)
        self.nodes.append({"nodeID": node_id, "text": text, "type": kind, "timestamp": _stamp(when), **extra})
        return node_id

    def scheme(self, kind: str, name: str, when) -> str:
        if name:
            return self.node(kind, name, when, scheme=name)
        text = DEFAULT_TEXT[kind]
        return self.node(kind, text, when, scheme=text, schemeID=DEFAULT_SCHEME_ID[kind])

    def edge(self, from_id: str, to_id: str) -> None:
        self.edges.append({"edgeID": str(len(self.edges) + 1), "fromID": from_id, "toID": to_id})

    def assert_(self, locution: str, proposition: str, when) -> None:
        middle = self.node("YA", "Asserting", when, scheme="Asserting")
        self.edge(locution, middle)
        self.edge(middle, proposition)


@lru_cache(maxsize=4096)
def _stamp(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
