"""The pro/con outline of a map: theses with their first level, deeper levels on demand.

A map is a graph, not a tree: a claim may support two others, and cycles are allowed. The outline
reads the whole map's structure in a fixed number of small queries (claims, relations, evidence
counts), evaluates it once, and then hands out nodes level by level: the map page shows each thesis
with its direct responses, and a reader opens deeper levels (fetched with htmx) or focuses on one claim.
A claim met again on the same page is shown as a short reference, so every claim is expanded once.

Each node knows its role relative to its parent (pro or con) and the side of the debate it ends up
on: "for" or "against" the thesis it hangs under, by the parity of objections on the way up, so the
same claim reads the same on every page.
"""

from collections import defaultdict, deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Count

from .evaluation.assessment import STANCE_POSITION, Assessment, assess
from .models import ArgumentMap, Claim, ClaimKind, Evidence, Relation, RelationKind

# How many unplaced or background claims the map page lists before "show all".
LIST_LIMIT = 50


class ClaimRow(NamedTuple):
    pk: int
    kind: str
    text: str

    @property
    def is_thesis(self) -> bool:
        return self.kind == ClaimKind.THESIS


class Side(NamedTuple):
    thesis_number: int  # 1-based, in the order theses were added
    thesis_id: int
    side: str  # "for" | "against"

    @property
    def words(self) -> str:
        return f"{self.side} thesis {self.thesis_number}"


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
    claim: ClaimRow
    relation: str | None  # how this claim bears on its parent: supports / opposes; None for a root
    pros: int = 0
    cons: int = 0
    quote_count: int = 0
    side: Side | None = None
    assessment: Assessment | None = None
    children: list["Node"] | None = None  # None: not loaded (collapsed); [] loaded and empty
    repeated: bool = False  # already expanded elsewhere on the page; shown as a reference

    @property
    def response_count(self) -> int:
        return self.pros + self.cons

    @property
    def is_open(self) -> bool:
        return self.children is not None


class MapOutline:
    """The structure and evaluation of one map, read once, from which pages take the nodes they show."""

    # What is kept per revision of a map (every change bumps it), so opening a level or focusing on a
    # claim does not read and evaluate the whole map again.
    KEPT = ("claims", "children_of", "parents_of", "evidence_counts", "background_ids", "assessments", "thesis_ids")

    def __init__(self, argument_map: ArgumentMap, *, explain: bool = True) -> None:
        self.map = argument_map
        key = f"map-outline-state:{argument_map.pk}:{argument_map.revision}:{int(explain)}"
        state = cache.get(key)
        if state is None:
            state = self._read(argument_map, explain)
            cache.set(key, state, 3600)
        for name in self.KEPT:
            setattr(self, name, state[name])
        self.sides = self._sides()
        self.evidence_count = sum(sum(c) for c in self.evidence_counts.values())
        self._shown: set[int] = set()

    @staticmethod
    def _read(argument_map: ArgumentMap, explain: bool) -> dict:
        claims = {
            pk: ClaimRow(pk, kind, text)
            for pk, kind, text in Claim.objects.filter(map=argument_map)
            .order_by("id")
            .values_list("pk", "kind", "text")
        }
        relations = list(
            Relation.objects.filter(map=argument_map)
            .order_by("id")
            .values_list("pk", "from_claim_id", "to_claim_id", "kind", "weight")
        )
        children_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
        parents_of: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
        for pk, from_id, to_id, kind, _ in relations:
            children_of[to_id].append((from_id, kind))
            parents_of[from_id].append((to_id, kind, pk))
        for kids in children_of.values():
            kids.sort(key=lambda pair: (pair[1] != RelationKind.SUPPORTS, pair[0]))  # pros first
        evidence_counts: dict[int, list[int]] = {}
        rows = Evidence.objects.filter(map=argument_map).values_list("claim_id", "stance").annotate(n=Count("id"))
        for claim_id, stance, n in rows.order_by():
            evidence_counts.setdefault(claim_id, [0, 0, 0])[STANCE_POSITION[stance]] = n
        background_ids = [pk for pk, c in claims.items() if c.kind == ClaimKind.BACKGROUND]
        assessments = assess(
            {pk: c.text for pk, c in claims.items()},
            [row[1:] for row in relations],
            evidence_counts,
            explain=explain,
            background=set(background_ids),
        )
        return {
            "claims": claims,
            "children_of": dict(children_of),
            "parents_of": dict(parents_of),
            "evidence_counts": evidence_counts,
            "background_ids": background_ids,
            "assessments": assessments,
            "thesis_ids": [pk for pk, c in claims.items() if c.kind == ClaimKind.THESIS],
        }

    # --- what pages ask for -------------------------------------------------------------------

    @property
    def claim_count(self) -> int:
        return len(self.claims)

    def roots(self, open_ids: Collection[int] = ()) -> list[Node]:
        """The theses, each with its first level, and any claims in ``open_ids`` opened below them
        (with the claims above them, so an opened claim is always in view)."""
        open_ids = self._with_ancestors(open_ids)
        return [self._expand(pk, None, open_ids, depth=1) for pk in self.thesis_ids]

    def children(self, claim_id: int, open_ids: Collection[int] = ()) -> list[Node]:
        """The responses to one claim (the level a reader just opened)."""
        self._shown.add(claim_id)
        return [self._expand(child, kind, open_ids, depth=0) for child, kind in self.children_of.get(claim_id, [])]

    def unplaced(self, open_ids: Collection[int] = ()) -> list[Node]:
        """Claims that bear on no thesis, directly or through others: first the tops of their own
        subtrees, then whatever a cycle keeps out of reach."""
        reached = set(self.sides) | set(self.thesis_ids) | set(self.background_ids)
        tops = [pk for pk in self.claims if pk not in reached and not self.parents_of.get(pk)]
        rest = [pk for pk in self.claims if pk not in reached and self.parents_of.get(pk)]
        # Claims under an unplaced top are shown when it is opened; list only what nothing else leads to.
        under_tops = self._descendants(tops)
        rest = [pk for pk in rest if pk not in under_tops]
        return [self._expand(pk, None, open_ids, depth=0) for pk in tops + rest]

    def background(self) -> list[Node]:
        return [self.node(pk) for pk in self.background_ids]

    def node(self, claim_id: int, relation: str | None = None) -> Node:
        kids = self.children_of.get(claim_id, ())
        pros = sum(1 for _, kind in kids if kind == RelationKind.SUPPORTS)
        return Node(
            claim=self.claims[claim_id],
            relation=relation,
            pros=pros,
            cons=len(kids) - pros,
            quote_count=sum(self.evidence_counts.get(claim_id, ())),
            side=self.sides.get(claim_id),
            assessment=self.assessments.get(claim_id),
        )

    def parents(self, claim_id: int) -> list[tuple[Node, str, int]]:
        """What a claim bears on: (parent node, supports/opposes, relation id)."""
        return [(self.node(to_id), kind, pk) for to_id, kind, pk in self.parents_of.get(claim_id, [])]

    # --- building -----------------------------------------------------------------------------

    def _expand(self, claim_id: int, relation: str | None, open_ids: Collection[int], depth: int) -> Node:
        node = self.node(claim_id, relation)
        if claim_id in self._shown:
            node.repeated = True
            return node
        self._shown.add(claim_id)
        if depth > 0 or claim_id in open_ids:
            node.children = [
                self._expand(child, kind, open_ids, depth - 1) for child, kind in self.children_of.get(claim_id, [])
            ]
        return node

    def _sides(self) -> dict[int, Side]:
        """Each claim's side, from the first thesis that reaches it (breadth first, so the shortest way)."""
        sides: dict[int, Side] = {}
        for number, thesis in enumerate(self.thesis_ids, start=1):
            sides.setdefault(thesis, Side(number, thesis, "for"))
            queue = deque([(thesis, "for")])
            while queue:
                claim_id, side = queue.popleft()
                for child, kind in self.children_of.get(claim_id, []):
                    if child in sides:
                        continue
                    child_side = side if kind == RelationKind.SUPPORTS else ("against" if side == "for" else "for")
                    sides[child] = Side(number, thesis, child_side)
                    queue.append((child, child_side))
        return sides

    def _with_ancestors(self, ids: Collection[int]) -> set[int]:
        seen = set(ids)
        stack = list(ids)
        while stack:
            for parent, _, _ in self.parents_of.get(stack.pop(), []):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return seen

    def _descendants(self, tops: Iterable[int]) -> set[int]:
        seen: set[int] = set()
        stack = list(tops)
        while stack:
            for child, _ in self.children_of.get(stack.pop(), []):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return seen


class OutlinePage:
    """What the map page shows of the outline, built only when the page's cached fragment is missing.

    The page keeps its rendered outline in Django's cache under the map's revision (bumped by every
    change), so most views of a map read nothing here; see templates/arguments/map_detail.html.
    """

    def __init__(self, argument_map: ArgumentMap, opened: Collection[int] | str, show_all: bool) -> None:
        self.map = argument_map
        self.opened = opened
        self.show_all = show_all

    @cached_property
    def outline(self) -> MapOutline:
        return MapOutline(self.map)

    @cached_property
    def roots(self) -> list[Node]:
        opened = set(self.outline.claims) if self.opened == "all" else self.opened
        return self.outline.roots(opened)

    @cached_property
    def _unplaced(self) -> list[Node]:
        self.roots  # noqa: B018 - the roots claim their nodes first, so repeats point up, not down
        return self.outline.unplaced(set(self.outline.claims) if self.opened == "all" else self.opened)

    @property
    def unplaced(self) -> list[Node]:
        return self._unplaced if self.show_all else self._unplaced[:LIST_LIMIT]

    @property
    def unplaced_total(self) -> int:
        return len(self._unplaced)

    @property
    def unplaced_hidden(self) -> int:
        return 0 if self.show_all else max(0, len(self._unplaced) - LIST_LIMIT)

    @cached_property
    def background(self) -> list[Node]:
        return self.outline.background()

    @property
    def claim_count(self) -> int:
        return self.outline.claim_count

    @property
    def evidence_count(self) -> int:
        return self.outline.evidence_count

    @property
    def cache_key(self) -> str:
        """What, besides the map's revision and the reader's rights, changes the fragment."""
        opened = self.opened if self.opened == "all" else ",".join(map(str, sorted(self.opened)))
        return f"{self.map.slug}|{opened}|{int(self.show_all)}"


def quotes_by_claim(argument_map: ArgumentMap, claim_ids: Collection[int] | None = None) -> dict[int, list[Quote]]:
    rows = (
        Evidence.objects.filter(map=argument_map)
        .select_related("passage__source")
        .defer("passage__source__text", "passage__source__original")
        .order_by("passage__source_id", "passage__start")
    )
    if claim_ids is not None:
        rows = rows.filter(claim_id__in=list(claim_ids))
    quotes: dict[int, list[Quote]] = defaultdict(list)
    for ev in rows:
        source = ev.passage.source
        cited = argument_map.cite(source)
        quotes[ev.claim_id].append(
            Quote(
                evidence_id=ev.pk,
                passage_id=ev.passage_id,
                stance=ev.stance,
                exact=ev.passage.exact,
                note=ev.note,
                source_slug=source.slug,
                source_title=source.title,
                citation=cited.short,
                full_citation=cited.entry,
            )
        )
    return quotes
