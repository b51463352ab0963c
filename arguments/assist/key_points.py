"""Key points per side: each thesis's supporting and opposing claims gathered into a handful of groups.

A claim's side comes from its path to the thesis: a chain of relations with an even number of
`opposes` argues for it, an odd number against (the shortest path decides). On each side the claims
are grouped by meaning: a few representative claims are chosen so that every claim of the side is as
close as possible to one of them (greedy facility location), and every claim joins the one it is
closest to. Each group is named by its most central claim, in that claim's own words: nothing is
generated.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from dataclasses import dataclass

import numpy as np

from sources.embedding import embed_cached

from ..models import ArgumentMap, Claim, ClaimKind, Evidence, Relation, RelationKind

MAX_KEY_POINTS = 5
SIDES = ("for", "against")


@dataclass(frozen=True)
class KeyPoint:
    claim: Claim  # the group's most central claim, which names it
    members: list[Claim]  # every claim of the group, the name first, then by closeness to it
    source_ids: tuple[int, ...]  # the sources quoted for any claim of the group

    @property
    def count(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class ThesisKeyPoints:
    thesis: Claim
    sides: dict[str, list[KeyPoint]]  # "for" and "against", largest group first


def key_points(argument_map: ArgumentMap, *, max_points: int = MAX_KEY_POINTS) -> list[ThesisKeyPoints]:
    """For each thesis of the map, its sides' key points. Three queries."""
    claims = {c.pk: c for c in Claim.objects.filter(map=argument_map).only("pk", "map", "kind", "text")}
    relations = list(Relation.objects.filter(map=argument_map).values_list("from_claim_id", "to_claim_id", "kind"))
    sources_of: dict[int, set[int]] = defaultdict(set)
    for claim_id, source_id in Evidence.objects.filter(map=argument_map).values_list("claim_id", "passage__source_id"):
        sources_of[claim_id].add(source_id)
    if not claims:
        return []
    ids = list(claims)
    vectors = embed_cached([claims[pk].text for pk in ids])
    # Centred on the map's mean: the claims of one map share a topic, which would otherwise dominate.
    vectors = vectors - vectors.mean(axis=0)
    vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
    row_of = {pk: i for i, pk in enumerate(ids)}

    result = []
    for thesis in (c for c in claims.values() if c.kind == ClaimKind.THESIS):
        side_of = sides(thesis.pk, relations)
        by_side = {}
        for side in SIDES:
            members = [pk for pk in ids if side_of.get(pk) == side]
            groups = group(vectors[[row_of[pk] for pk in members]], max_points)
            by_side[side] = [
                KeyPoint(
                    claim=claims[members[g[0]]],
                    members=[claims[members[i]] for i in g],
                    source_ids=tuple(sorted({s for i in g for s in sources_of[members[i]]})),
                )
                for g in groups
            ]
        result.append(ThesisKeyPoints(thesis=thesis, sides=by_side))
    return result


def sides(thesis_id: int, relations: list[tuple[int, int, str]]) -> dict[int, str]:
    """ "for" or "against" the thesis, for every claim with a path of relations to it (the thesis excluded)."""
    incoming = defaultdict(list)
    for from_id, to_id, kind in relations:
        incoming[to_id].append((from_id, kind))
    side_of = {thesis_id: "for"}
    queue = deque([thesis_id])
    while queue:
        node = queue.popleft()
        for from_id, kind in incoming[node]:
            if from_id not in side_of:
                same = kind == RelationKind.SUPPORTS
                side_of[from_id] = side_of[node] if same else ("against" if side_of[node] == "for" else "for")
                queue.append(from_id)
    del side_of[thesis_id]
    return side_of


def group(vectors: np.ndarray, max_groups: int) -> list[list[int]]:
    """Rows of `vectors` (unit length) in at most max_groups groups, largest first; each group lists its
    most central row first, then the others by similarity to it."""
    n = len(vectors)
    if n == 0:
        return []
    k = min(max_groups, math.ceil(math.sqrt(n)))
    similarity = np.clip(vectors @ vectors.T, 0, None)
    covered = np.zeros(n)
    centres: list[int] = []
    for _ in range(k):
        gain = np.clip(similarity - covered[:, None], 0, None).sum(axis=0)
        gain[centres] = -1
        best = int(np.argmax(gain))
        centres.append(best)
        covered = np.maximum(covered, similarity[:, best])
    nearest = np.argmax(similarity[:, centres], axis=1)
    nearest[centres] = np.arange(len(centres))  # a centre belongs to its own group, whatever the ties
    groups = []
    for g in range(len(centres)):
        rows = np.flatnonzero(nearest == g)
        inner = similarity[np.ix_(rows, rows)]
        name = rows[int(np.argmax(inner.sum(axis=1)))]
        rest = sorted((r for r in rows if r != name), key=lambda r: (-similarity[name, r], r))
        groups.append([int(name)] + [int(r) for r in rest])
    return sorted(groups, key=lambda g: (-len(g), g[0]))
