"""Evaluating an argument map: which claims stand, and how strongly.

Two semantics, both on plain graphs so they run and test without a database:

* Grounded labelling (Dung). Only attacks count; in Warrant an ``opposes`` relation from claim a to
  claim b is the attack (a, b). Every claim gets one label: ``in`` when all its attackers are out,
  ``out`` when some attacker is in, and ``undecided`` when neither can be settled (cycles of attack,
  or claims hanging on them). The labelling is the least fixpoint, so it commits to nothing that is
  merely possible.
* DF-QuAD (a gradual semantics for bipolar graphs). Each claim has a base score in [0, 1]; the
  strengths of its attackers and of its supporters are each aggregated by probabilistic sum, and
  the base score moves down (towards 0) or up (towards 1) in proportion to the difference.

Node ids are any hashable values (claim primary keys in practice). Internally nodes are numbered
0..n-1 and the graph is kept as lists of integer lists, because list indexing is much cheaper than
dictionary look-ups and attribute access in the hot loops; see ``bench/evaluation.py`` for timings.

``evaluate_map`` is the entry point for views: claim ids, ``(from, to, kind)`` relation tuples and
evidence counts in, labels, strengths and explanations out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from .dfquad import Strengths, _dfquad, base_score, dfquad_strengths
from .graph import OPPOSES, SUPPORTS, Node, _empty_graph, _index, _unknown, link
from .grounded import Explanation, Label, Reason, _grounded, attackers_by_target, describe, explain, grounded_labelling

__all__ = [
    "ClaimEvaluation",
    "Explanation",
    "Label",
    "MapEvaluation",
    "Reason",
    "Strengths",
    "attackers_by_target",
    "base_score",
    "describe",
    "dfquad_strengths",
    "evaluate_map",
    "explain",
    "grounded_labelling",
]


@dataclass(frozen=True, slots=True)
class ClaimEvaluation:
    """Everything the evaluation says about one claim."""

    claim: Node
    label: Label
    strength: float
    base_score: float
    explanation: Explanation


class MapEvaluation:
    """Grounded labels and DF-QuAD strengths for every claim of a map.

    ``labels``, ``strengths`` and ``base_scores`` are plain dicts keyed by claim id. Explanations are
    built on demand (``explain`` or indexing), because a page rarely shows all of them and building
    one per claim up front would cost more than the evaluation itself on a large map.
    """

    __slots__ = ("labels", "strengths", "base_scores", "converged", "iterations", "_nodes", "_index", "_into")

    def __init__(
        self,
        nodes: list[Node],
        index: dict[Node, int],
        labels: list[Label],
        strengths: list[float],
        bases: list[float],
        into: list[Sequence[int]],
        converged: bool,
        iterations: int,
    ) -> None:
        self.labels: dict[Node, Label] = dict(zip(nodes, labels, strict=True))
        self.strengths: dict[Node, float] = dict(zip(nodes, strengths, strict=True))
        self.base_scores: dict[Node, float] = dict(zip(nodes, bases, strict=True))
        self.converged = converged
        self.iterations = iterations
        self._nodes = nodes
        self._index = index
        self._into = into

    def attackers(self, claim: Node) -> list[Node]:
        """The claims that oppose ``claim``."""
        nodes = self._nodes
        return [nodes[j] for j in self._into[self._index[claim]] if j >= 0]

    def explain(self, claim: Node) -> Explanation:
        """Why ``claim`` has its grounded label (KeyError for an unknown claim)."""
        return explain(claim, self.labels, {claim: self.attackers(claim)})

    def __getitem__(self, claim: Node) -> ClaimEvaluation:
        return ClaimEvaluation(
            claim, self.labels[claim], self.strengths[claim], self.base_scores[claim], self.explain(claim)
        )

    def __iter__(self) -> Iterator[ClaimEvaluation]:
        for claim in self._nodes:
            yield self[claim]

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, claim: object) -> bool:
        return claim in self._index

    def counts(self) -> dict[Label, int]:
        """How many claims carry each label, every label present even at zero."""
        tally = dict.fromkeys(Label, 0)
        for label in self.labels.values():
            tally[label] += 1
        return tally


def evaluate_map(
    claim_ids: Iterable[Node],
    relations: Iterable[tuple[Node, Node, str]],
    evidence_counts: Mapping[Node, tuple[int, int, int]],
    *,
    max_iterations: int = 100,
    tolerance: float = 1e-9,
    weights: Mapping[tuple[Node, Node], float] | None = None,
) -> MapEvaluation:
    """Evaluate a map given as plain data.

    ``relations`` holds ``(from_claim, to_claim, kind)`` with kind "supports" or "opposes";
    ``evidence_counts`` maps a claim id to its ``(states, supports, opposes)`` evidence counts (a
    claim without an entry has none). Opposes relations are the attacks of the grounded labelling;
    DF-QuAD uses both kinds, with base scores from ``base_score``. Relations or counts naming a claim
    outside ``claim_ids``, and unknown kinds, raise ValueError: they mean the inputs were read
    inconsistently, so read them in one transaction. ``weights`` gives the weight in [0, 1] an editor
    set on a link ``(from, to)``: in DF-QuAD that claim then counts with its strength times the weight.
    """
    if max_iterations < 1:
        raise ValueError("max_iterations must be at least 1")
    nodes, index = _index(claim_ids)
    n = len(nodes)

    # Many claims share the same small counts, so each distinct triple is scored once.
    scored: dict[tuple[int, ...], float] = {}
    bases = [base_score()] * n
    for claim, counts in evidence_counts.items():
        i = index.get(claim)
        if i is None:
            raise ValueError(f"evidence counts given for {claim!r}, which is not a claim of the map")
        key = tuple(counts)
        score = scored.get(key)
        if score is None:
            score = scored[key] = base_score(*key)
        bases[i] = score

    into, out = _empty_graph(n)
    attackers = [0] * n
    # One loop over the relations fills everything (see _add_edges for the encoding); dict.fromkeys
    # drops repeats and keeps the order, so explanations list attackers as given.
    relations_seen = dict.fromkeys(relations)
    for relation in relations_seen:
        a, b, kind = relation
        try:
            i = index[a]
            j = index[b]
        except KeyError:
            raise _unknown(relation) from None
        if kind == OPPOSES:
            parent, child = i, j
            attackers[j] += 1
        elif kind == SUPPORTS:
            parent, child = ~i, ~j
        else:
            raise ValueError(f"relation {relation!r} has kind {kind!r}; expected {SUPPORTS!r} or {OPPOSES!r}")
        link(into, out, i, j, parent, child)

    weighted: dict[int, dict[int, float]] = {}
    for (a, b), w in (weights or {}).items():
        if (a, b, OPPOSES) in relations_seen:
            weighted.setdefault(index[b], {})[index[a]] = w
        elif (a, b, SUPPORTS) in relations_seen:
            weighted.setdefault(index[b], {})[~index[a]] = w

    labels = _grounded(attackers, out)
    strengths, converged, iterations = _dfquad(bases, into, out, max_iterations, tolerance, weighted)
    return MapEvaluation(nodes, index, labels, strengths, bases, into, converged, iterations)
