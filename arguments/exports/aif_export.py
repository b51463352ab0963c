"""AIF export: a Warrant map as an AIFdb-shaped graph (docs/aif.md; aif.py reads AIF back).

Each table is read once with values_list, so the number of queries does not grow with the map; the
claims and relations, which are most of any map, are turned into nodes in tight loops.
"""

from datetime import UTC

from arguments.models import ArgumentMap, Claim, Evidence, Relation
from sources.models import CITATION_FIELDS, Passage, Source

DEFAULT_TEXT = {"RA": "Default Inference", "CA": "Default Conflict", "MA": "Default Rephrase"}
DEFAULT_SCHEME_ID = {"RA": "72", "CA": "71", "MA": "144"}
CITED = tuple(name for name in CITATION_FIELDS if name != "slug")


def export_aif(argument_map: ArgumentMap) -> dict:
    """The map as an AIFdb-shaped dict: nodes, edges, locutions, participants."""
    map_id = argument_map.pk
    claims = Claim.objects.filter(map_id=map_id).order_by("id").values_list("id", "text", "created")
    relations = (
        Relation.objects.filter(map_id=map_id)
        .order_by("id")
        .values_list("from_claim_id", "to_claim_id", "kind", "scheme", "created")
    )
    evidence = (
        Evidence.objects.filter(map_id=map_id).order_by("id").values_list("passage_id", "claim_id", "stance", "created")
    )
    passages = {
        row[0]: row
        for row in Passage.objects.filter(
            pk__in=Evidence.objects.filter(map_id=map_id).values("passage_id")
        ).values_list(
            "id",
            "source_id",
            "start",
            "end",
            "exact",
            *(f"source__{name}" for name in CITED),
        )
    }

    graph = _Graph()
    nodes, edges = graph.nodes, graph.edges
    claim_nodes = {}
    for pk, text, created in claims:
        claim_nodes[pk] = node_id = str(len(nodes) + 1)
        nodes.append({"nodeID": node_id, "text": text, "type": "I", "timestamp": _stamp(created)})
    for a, b, kind, scheme, created in relations:
        middle = graph.scheme("RA" if kind == "supports" else "CA", scheme, _stamp(created))
        n = len(edges)
        edges.append({"edgeID": str(n + 1), "fromID": claim_nodes[a], "toID": middle})
        edges.append({"edgeID": str(n + 2), "fromID": middle, "toID": claim_nodes[b]})

    said: dict[int, str] = {}  # passage -> its L-node
    quoted: dict[int, str] = {}  # passage -> the I-node holding its quote
    participants: dict[int, int] = {}
    for passage_id, claim_id, stance, created in evidence:
        _, source_id, start, end, exact, *cited = passages[passage_id]
        meta = dict(zip(CITED, cited, strict=True))
        stamp = _stamp(created)
        if passage_id not in said:
            person = participants.setdefault(source_id, len(participants) + 1)
            if person not in graph.citations:
                graph.citations[person] = argument_map.cite(Source(**meta)).short
            citation = graph.citations[person]
            said[passage_id] = graph.node("L", f"{citation}: “{exact}”", stamp)
            graph.locutions.append(
                {
                    "nodeID": said[passage_id],
                    "personID": person,
                    "timestamp": stamp,
                    "start": start,
                    "end": end,
                    "source": meta["url"] or meta["title"],
                }
            )
        if stance == "states":
            graph.assert_(said[passage_id], claim_nodes[claim_id], stamp)
            continue
        if passage_id not in quoted:
            quoted[passage_id] = graph.node("I", exact, stamp)
            graph.assert_(said[passage_id], quoted[passage_id], stamp)
        middle = graph.scheme("RA" if stance == "supports" else "CA", "", stamp)
        graph.edge(quoted[passage_id], middle)
        graph.edge(middle, claim_nodes[claim_id])

    return {
        "nodes": nodes,
        "edges": edges,
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

    def node(self, kind: str, text: str, stamp: str) -> str:
        node_id = str(len(self.nodes) + 1)
        self.nodes.append({"nodeID": node_id, "text": text, "type": kind, "timestamp": stamp})
        return node_id

    def scheme(self, kind: str, name: str, stamp: str) -> str:
        node_id = str(len(self.nodes) + 1)
        if name:
            self.nodes.append({"nodeID": node_id, "text": name, "type": kind, "timestamp": stamp, "scheme": name})
        else:
            text = DEFAULT_TEXT[kind]
            self.nodes.append(
                {
                    "nodeID": node_id,
                    "text": text,
                    "type": kind,
                    "timestamp": stamp,
                    "scheme": text,
                    "schemeID": DEFAULT_SCHEME_ID[kind],
                }
            )
        return node_id

    def edge(self, from_id: str, to_id: str) -> None:
        self.edges.append({"edgeID": str(len(self.edges) + 1), "fromID": from_id, "toID": to_id})

    def assert_(self, locution: str, proposition: str, stamp: str) -> None:
        middle = self.node("YA", "Asserting", stamp)
        self.nodes[-1]["scheme"] = "Asserting"
        self.edge(locution, middle)
        self.edge(middle, proposition)


def _stamp(moment) -> str:
    """'2024-05-01 09:30:00' in UTC, as AIFdb writes times."""
    moment = moment.astimezone(UTC)
    if moment.year < 1000:  # isoformat pads the year to four digits, strftime does not
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.isoformat(" ", "seconds")[:19]
