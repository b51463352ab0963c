"""The pro/con outline of a map, built in Python from a fixed number of queries.

A map is a graph, not a tree: a claim may support two others, and cycles are allowed. The outline
walks it from each thesis; a claim met a second time on the same branch (a cycle) or already shown
elsewhere is shown as a short reference instead of being expanded again, so every claim is expanded
once and the outline stays finite.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from .evaluation.assessment import STANCE_POSITION, Assessment, assess
from .models import ArgumentMap, Claim, ClaimKind, Evidence, Relation, RelationKind


@dataclass
class Quote:
    evidence_id: int
    passage_id: int
    stance: str
    exact: str
    note: str
    source_slug: str
    source_title: str
    citation: str  # short, e.g. "Phillips 2021"
    full_citation: str


@dataclass
class Node:
    claim: Claim
    relation: str | None  # how this claim bears on its parent: supports / opposes; None for a root
    children: list["Node"] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    repeated: bool = False  # already expanded elsewhere; shown as a reference
    assessment: Assessment | None = None

    @property
    def pros(self) -> list["Node"]:
        return [c for c in self.children if c.relation == RelationKind.SUPPORTS]

    @property
    def cons(self) -> list["Node"]:
        return [c for c in self.children if c.relation == RelationKind.OPPOSES]

    @property
    def subclaim_count(self) -> int:
        return len(self.children)


@dataclass
class Outline:
    roots: list[Node]
    unplaced: list[Node]
    claim_count: int
    evidence_count: int


def build_outline(argument_map: ArgumentMap) -> Outline:
    claims = {c.pk: c for c in Claim.objects.filter(map=argument_map).order_by("id")}
    relations = list(Relation.objects.filter(map=argument_map).values_list("from_claim_id", "to_claim_id", "kind"))
    children_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for from_id, to_id, kind in relations:
        children_of[to_id].append((from_id, kind))
    quotes_of = quotes_by_claim(argument_map)
    # The evaluation needs nothing the outline has not loaded already: no extra queries.
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for claim_id, quotes in quotes_of.items():
        for quote in quotes:
            counts[claim_id][STANCE_POSITION[quote.stance]] += 1
    assessments = assess({pk: c.text for pk, c in claims.items()}, relations, counts)

    expanded: set[int] = set()

    def expand(claim_id: int, relation: str | None) -> Node:
        node = Node(
            claim=claims[claim_id],
            relation=relation,
            quotes=quotes_of.get(claim_id, []),
            assessment=assessments.get(claim_id),
        )
        if claim_id in expanded:
            node.repeated = True
            return node
        expanded.add(claim_id)
        # Supporters first, then objections, each in the order they were added.
        for child_id, kind in sorted(children_of[claim_id], key=lambda pair: (pair[1] != "supports", pair[0])):
            node.children.append(expand(child_id, kind))
        return node

    theses = [pk for pk, claim in claims.items() if claim.kind == ClaimKind.THESIS]
    roots = [expand(pk, None) for pk in theses]
    # Claims not reachable from any thesis still belong on the page: first the tops of their own
    # subtrees (claims that bear on nothing), then whatever is left (claims caught in a cycle).
    bears_on_something = {child for kids in children_of.values() for child, _ in kids}
    unplaced = [expand(pk, None) for pk in claims if pk not in expanded and pk not in bears_on_something]
    unplaced += [expand(pk, None) for pk in claims if pk not in expanded]
    return Outline(
        roots=roots,
        unplaced=unplaced,
        claim_count=len(claims),
        evidence_count=sum(len(q) for q in quotes_of.values()),
    )


def quotes_by_claim(argument_map: ArgumentMap) -> dict[int, list[Quote]]:
    rows = (
        Evidence.objects.filter(map=argument_map)
        .select_related("passage__source")
        .defer("passage__source__text", "passage__source__original")
        .order_by("passage__source_id", "passage__start")
    )
    quotes: dict[int, list[Quote]] = defaultdict(list)
    for ev in rows:
        source = ev.passage.source
        quotes[ev.claim_id].append(
            Quote(
                evidence_id=ev.pk,
                passage_id=ev.passage_id,
                stance=ev.stance,
                exact=ev.passage.exact,
                note=ev.note,
                source_slug=source.slug,
                source_title=source.title,
                citation=source.short_citation,
                full_citation=source.full_citation,
            )
        )
    return quotes
