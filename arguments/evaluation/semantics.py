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

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

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

Node = Hashable

SUPPORTS = "supports"
OPPOSES = "opposes"


class Label(StrEnum):
    """A claim's status under grounded semantics. Members are strings, so templates compare to "in"."""

    IN = "in"
    OUT = "out"
    UNDECIDED = "undecided"


class Reason(StrEnum):
    """Why a claim has its grounded label: a short code for templates to branch on."""

    UNATTACKED = "unattacked"  # in: nothing attacks it
    ATTACKERS_OUT = "attackers_out"  # in: every attacker is out
    ATTACKED_BY_IN = "attacked_by_in"  # out: at least one attacker is in
    ATTACKERS_UNDECIDED = "attackers_undecided"  # undecided: no attacker is in, some are undecided
    SELF_ATTACK = "self_attack"  # undecided, and one of the undecided attackers is the claim itself


@dataclass(frozen=True, slots=True)
class Explanation:
    """The data behind a label: the reason code and the attackers that decide it.

    ``attackers`` holds all attackers for ATTACKERS_OUT, only the ones that are in for ATTACKED_BY_IN,
    and only the undecided ones for the undecided reasons (for SELF_ATTACK, the undecided ones other
    than the claim itself). ``total_attackers`` counts all attackers, a self-attack included.
    """

    label: Label
    reason: Reason
    attackers: tuple[Node, ...]
    total_attackers: int


@dataclass(frozen=True, slots=True)
class Strengths:
    """DF-QuAD strengths with a report on the fixpoint iteration.

    ``iterations`` is the number of sweeps the slowest cycle needed (0 when the graph has no cycle,
    since one pass in topological order is exact). ``converged`` is False when some cycle was still
    moving by more than the tolerance after ``max_iterations`` sweeps; its values are then the last
    iterate, not a fixpoint.
    """

    values: dict[Node, float]
    converged: bool
    iterations: int


# --------------------------------------------------------------------------------------------------
# Shared plumbing


def _index(nodes: Iterable[Node]) -> tuple[list[Node], dict[Node, int]]:
    # dict.fromkeys drops repeated ids while keeping first-seen order, so output order is predictable.
    unique = list(dict.fromkeys(nodes))
    return unique, dict(zip(unique, range(len(unique)), strict=True))


def _unknown(edge: object) -> ValueError:
    return ValueError(f"edge {edge!r} names a node that is not in the graph")


# Adjacency lists start as this shared empty tuple; see _empty_graph.
_NONE: tuple[int, ...] = ()


def _empty_graph(n: int) -> tuple[list[Sequence[int]], list[Sequence[int]]]:
    # A node gets a list of its own only when it gains an edge (the builders test for the empty
    # tuple). In a tree of claims about half the nodes have no parents, and every list not made is
    # an allocation saved and an object the garbage collector never walks.
    return [_NONE] * n, [_NONE] * n


def _add_edges(
    index: Mapping[Node, int],
    into: list[Sequence[int]],
    out: list[Sequence[int]],
    edges: Iterable[tuple[Node, Node]],
    *,
    support: bool,
) -> None:
    """Add pairs (a, b), all attacks or all supports, to the integer graph.

    The graph is two lists indexed by node: ``into[v]`` holds v's parents and ``out[v]`` its children
    (the shared empty tuple until the first edge, then a list). An
    attack is stored as the plain index and a support as its bitwise complement (``~i``, always
    negative). Keeping both kinds in one list halves the number of list objects, which matters on
    large maps: each one is an allocation the garbage collector must later walk, and one more cache
    miss per node in the hot loops.
    """
    for edge in edges:
        a, b = edge
        try:
            i = index[a]
            j = index[b]
        except KeyError:
            raise _unknown(edge) from None
        parent, child = (~i, ~j) if support else (i, j)
        parents = into[j]
        if parents:
            parents.append(parent)
        else:
            into[j] = [parent]
        children = out[i]
        if children:
            children.append(child)
        else:
            out[i] = [child]


# --------------------------------------------------------------------------------------------------
# Grounded labelling


def _grounded(pending: list[int], out: list[Sequence[int]]) -> list[Label]:
    """The queue algorithm on an integer graph; linear in nodes plus attacks.

    ``pending[v]`` counts v's attackers that are not yet out (the list is used up). A node whose
    count reaches zero is in; everything it attacks is out, which lowers the counts of what those
    attack in turn. Nodes never reached keep the undecided label. Supports (negative entries of
    ``out``) play no part.
    """
    undecided, is_in, is_out = Label.UNDECIDED, Label.IN, Label.OUT
    labels = [undecided] * len(pending)
    queue = [v for v, count in enumerate(pending) if not count]
    # The list grows while it is walked; that is the queue. No node is queued twice: a count reaches
    # zero once, and an out node never reaches zero because its in attacker never leaves.
    for v in queue:
        labels[v] = is_in
        for t in out[v]:
            if t >= 0 and labels[t] is undecided:
                labels[t] = is_out
                for u in out[t]:
                    if u >= 0:
                        pending[u] -= 1
                        if not pending[u]:
                            queue.append(u)
    return labels


def grounded_labelling(arguments: Iterable[Node], attacks: Iterable[tuple[Node, Node]]) -> dict[Node, Label]:
    """Label every argument in, out or undecided under Dung's grounded semantics.

    ``attacks`` holds pairs (a, b) meaning a attacks b; both ends must be among ``arguments``
    (ValueError otherwise). Repeated arguments or attacks are harmless. A self-attacking argument is
    undecided unless some argument that is in attacks it, which makes it out.
    """
    nodes, index = _index(arguments)
    n = len(nodes)
    # Only the attack counts and the attacked lists are needed here, so no parent lists are built.
    pending = [0] * n
    out: list[Sequence[int]] = [_NONE] * n
    for edge in attacks:
        a, b = edge
        try:
            i = index[a]
            j = index[b]
        except KeyError:
            raise _unknown(edge) from None
        pending[j] += 1
        children = out[i]
        if children:
            children.append(j)
        else:
            out[i] = [j]
    return dict(zip(nodes, _grounded(pending, out), strict=True))


def attackers_by_target(attacks: Iterable[tuple[Node, Node]]) -> dict[Node, list[Node]]:
    """Group attack pairs by target: {b: [a, ...]} for every (a, b), without repeats."""
    grouped: dict[Node, dict[Node, None]] = {}
    for a, b in attacks:
        grouped.setdefault(b, {})[a] = None
    return {target: list(attackers) for target, attackers in grouped.items()}


def explain(node: Node, labels: Mapping[Node, Label], attackers_of: Mapping[Node, Sequence[Node]]) -> Explanation:
    """Say why ``node`` has its grounded label, as data (see ``describe`` for a sentence).

    ``labels`` is the result of ``grounded_labelling``; ``attackers_of`` maps a node to its attackers
    (``attackers_by_target`` builds it). A node missing from ``attackers_of`` is unattacked.
    """
    label = labels[node]
    attackers = tuple(dict.fromkeys(attackers_of.get(node, ())))
    if label == Label.IN:
        reason = Reason.ATTACKERS_OUT if attackers else Reason.UNATTACKED
        return Explanation(Label.IN, reason, attackers, len(attackers))
    if label == Label.OUT:
        deciding = tuple(a for a in attackers if labels[a] == Label.IN)
        return Explanation(Label.OUT, Reason.ATTACKED_BY_IN, deciding, len(attackers))
    deciding = tuple(a for a in attackers if labels[a] == Label.UNDECIDED and a != node)
    # An undecided node that attacks itself is its own undecided attacker: the plainest cause to name.
    reason = Reason.SELF_ATTACK if node in attackers else Reason.ATTACKERS_UNDECIDED
    return Explanation(Label.UNDECIDED, reason, deciding, len(attackers))


def _join(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def _renderer(name: Callable[[Node], str] | Mapping[Node, str] | None) -> Callable[[Node], str]:
    if name is None:
        return str
    if isinstance(name, Mapping):
        titles = name

        def render(node: Node) -> str:
            return str(titles.get(node, node))

        return render
    return name


def describe(
    explanation: Explanation,
    name: Callable[[Node], str] | Mapping[Node, str] | None = None,
    *,
    limit: int = 5,
) -> str:
    """Turn an explanation into one plain English sentence.

    ``name`` renders an attacker id (a mapping such as {claim_id: title}, or a function); ids are
    shown as they are by default. At most ``limit`` attackers are named; the rest are counted.
    """
    render = _renderer(name)

    def names(nodes: Sequence[Node]) -> tuple[str, int]:
        shown = [render(node) for node in nodes[:limit]]
        hidden = len(nodes) - len(shown)
        if hidden:
            shown.append(f"{hidden} other{'s' if hidden > 1 else ''}")
        return _join(shown), len(nodes)

    reason = explanation.reason
    if reason == Reason.UNATTACKED:
        return "In: nothing attacks it."
    if reason == Reason.ATTACKERS_OUT:
        total = explanation.total_attackers
        if total == 1:
            return "In: its only attacker is out."
        return f"In: all {total} of its attackers are out."
    if reason == Reason.ATTACKED_BY_IN:
        text, count = names(explanation.attackers)
        return f"Out: it is attacked by {text}, which {'is' if count == 1 else 'are'} in."
    if reason == Reason.SELF_ATTACK:
        if not explanation.attackers:
            return "Undecided: it attacks itself, and nothing that is in attacks it."
        text, count = names(explanation.attackers)
        return f"Undecided: it attacks itself, and {text} {'is' if count == 1 else 'are'} undecided too."
    text, count = names(explanation.attackers)
    verb = "is" if count == 1 else "are"
    return (
        f"Undecided: no attacker is in, but {text} {verb} undecided, "
        "so the attacks cannot be settled (a cycle of attacks lies behind them)."
    )


# --------------------------------------------------------------------------------------------------
# DF-QuAD


def base_score(states: int = 0, supporting: int = 0, opposing: int = 0) -> float:
    """A claim's DF-QuAD base score from counts of its evidence, strictly between 0 and 1.

    Laplace's rule of succession with a prior of two imaginary passages each way:

        (2 + pro) / (4 + pro + opposing),   pro = supporting + states / 2

    No evidence gives 0.5. Each supporting passage raises the score, each opposing one lowers it,
    and the score is driven by the balance of evidence while more of it moves the score further
    (3 for, 1 against: 0.625; 30 for, 10 against: 0.727). A passage that merely states the claim
    counts half: it shows someone asserts the claim, which is weaker than an argument for it.
    """
    if states < 0 or supporting < 0 or opposing < 0:
        raise ValueError("evidence counts cannot be negative")
    pro = supporting + 0.5 * states
    return (2.0 + pro) / (4.0 + pro + opposing)


def _strongly_connected(nodes: list[int], out: list[Sequence[int]]) -> list[list[int]]:
    """Tarjan's algorithm without recursion (deep maps would overflow Python's stack).

    Components come back in topological order of the condensation, sources first. The caller only
    passes nodes whose children all lie among ``nodes`` (the ones Kahn's pass could not order), so
    no edge needs filtering.
    """
    n = len(out)
    number = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    components: list[list[int]] = []
    counter = 0
    for root in nodes:
        if number[root] >= 0:
            continue
        number[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, iter(out[root]))]
        while work:
            v, children = work[-1]
            for w in children:
                if w < 0:
                    w = ~w
                if number[w] < 0:
                    number[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, iter(out[w])))
                    break
                if on_stack[w] and number[w] < low[v]:
                    low[v] = number[w]
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    if low[v] < low[parent]:
                        low[parent] = low[v]
                if low[v] == number[v]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack[w] = False
                        component.append(w)
                        if w == v:
                            break
                    components.append(component)
    # Tarjan finishes a component after everything it reaches, i.e. sinks first.
    components.reverse()
    return components


def _combine(base: float, parents: Sequence[int], strength: list[float]) -> float:
    """DF-QuAD for one node; used on cycles only, since the acyclic pass inlines the same steps."""
    not_attacked = 1.0
    not_supported = 1.0
    for j in parents:
        if j >= 0:
            not_attacked *= 1.0 - strength[j]
        else:
            not_supported *= 1.0 - strength[~j]
    # Attack aggregate minus support aggregate: (1 - not_attacked) - (1 - not_supported).
    diff = not_supported - not_attacked
    if diff > 0.0:
        return base - base * diff
    if diff < 0.0:
        return base - (1.0 - base) * diff
    return base


def _dfquad(
    base: list[float], into: list[Sequence[int]], out: list[Sequence[int]], max_iterations: int, tolerance: float
) -> tuple[list[float], bool, int]:
    """DF-QuAD on an integer graph: one Kahn pass for the acyclic part, Jacobi sweeps per cycle."""
    strength = base[:]
    waiting = [len(parents) for parents in into]
    order = [v for v, count in enumerate(waiting) if not count]
    # Kahn's order, computing each node as soon as its last parent is final. Inlined on purpose:
    # a function call per node would cost more than the arithmetic.
    for v in order:
        parents = into[v]
        if parents:
            not_attacked = 1.0
            not_supported = 1.0
            for j in parents:
                if j >= 0:
                    not_attacked *= 1.0 - strength[j]
                else:
                    not_supported *= 1.0 - strength[~j]
            diff = not_supported - not_attacked
            if diff > 0.0:
                b = strength[v]
                strength[v] = b - b * diff
            elif diff < 0.0:
                b = strength[v]
                strength[v] = b - (1.0 - b) * diff
        for w in out[v]:
            if w < 0:
                w = ~w
            waiting[w] -= 1
            if not waiting[w]:
                order.append(w)

    if len(order) == len(base):
        return strength, True, 0

    # What is left lies on a cycle or downstream of one. Take its strongly connected components in
    # topological order: a single node without a self-loop is exact in one step; a real cycle is
    # iterated from the base scores until it stops moving.
    rest = [v for v, count in enumerate(waiting) if count]
    converged = True
    most = 0
    for component in _strongly_connected(rest, out):
        if len(component) == 1:
            v = component[0]
            if v not in out[v] and ~v not in out[v]:
                strength[v] = _combine(base[v], into[v], strength)
                continue
        sweeps = 0
        moved = True
        while sweeps < max_iterations:
            sweeps += 1
            # Jacobi: every node reads the previous sweep, so the result does not depend on the
            # order the nodes happen to be listed in.
            fresh = [_combine(base[v], into[v], strength) for v in component]
            moved = max(abs(new - strength[v]) for v, new in zip(component, fresh, strict=True)) > tolerance
            for v, new in zip(component, fresh, strict=True):
                strength[v] = new
            if not moved:
                break
        converged = converged and not moved
        most = max(most, sweeps)
    return strength, converged, most


def _check_bases(nodes: list[Node], bases: list[float]) -> None:
    for node, b in zip(nodes, bases, strict=True):
        if not 0.0 <= b <= 1.0:  # also rejects NaN
            raise ValueError(f"base score of {node!r} is {b!r}, outside [0, 1]")


def dfquad_strengths(
    base_scores: Mapping[Node, float],
    supports: Iterable[tuple[Node, Node]],
    attacks: Iterable[tuple[Node, Node]],
    *,
    max_iterations: int = 100,
    tolerance: float = 1e-9,
) -> Strengths:
    """DF-QuAD strengths in [0, 1] for every node of ``base_scores``.

    A pair (a, b) in ``supports`` or ``attacks`` means a supports or attacks b; both ends must have a
    base score (ValueError otherwise), and repeated pairs count once. For a node with base score b,
    attackers' strengths aggregate to va = 1 - prod(1 - s) and supporters' to vs likewise (0 when
    there are none); then the strength is b when va == vs, b - b * (va - vs) when attack is
    stronger, and b + (1 - b) * (vs - va) when support is.

    Acyclic parts take one pass in topological order. Each cycle (strongly connected component) is
    iterated with Jacobi sweeps from the base scores, at most ``max_iterations`` times, until no
    strength changes by more than ``tolerance``; the result says whether every cycle got there.
    """
    if max_iterations < 1:
        raise ValueError("max_iterations must be at least 1")
    nodes, index = _index(base_scores)
    bases = [float(base_scores[node]) for node in nodes]
    _check_bases(nodes, bases)
    into, out = _empty_graph(len(nodes))
    _add_edges(index, into, out, dict.fromkeys(attacks), support=False)
    _add_edges(index, into, out, dict.fromkeys(supports), support=True)
    values, converged, iterations = _dfquad(bases, into, out, max_iterations, tolerance)
    return Strengths(dict(zip(nodes, values, strict=True)), converged, iterations)


# --------------------------------------------------------------------------------------------------
# A whole map


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
) -> MapEvaluation:
    """Evaluate a map given as plain data.

    ``relations`` holds ``(from_claim, to_claim, kind)`` with kind "supports" or "opposes";
    ``evidence_counts`` maps a claim id to its ``(states, supports, opposes)`` evidence counts (a
    claim without an entry has none). Opposes relations are the attacks of the grounded labelling;
    DF-QuAD uses both kinds, with base scores from ``base_score``. Relations or counts naming a claim
    outside ``claim_ids``, and unknown kinds, raise ValueError: they mean the inputs were read
    inconsistently, so read them in one transaction.
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
    for relation in dict.fromkeys(relations):
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
        parents = into[j]
        if parents:
            parents.append(parent)
        else:
            into[j] = [parent]
        children = out[i]
        if children:
            children.append(child)
        else:
            out[i] = [child]

    labels = _grounded(attackers, out)
    strengths, converged, iterations = _dfquad(bases, into, out, max_iterations, tolerance)
    return MapEvaluation(nodes, index, labels, strengths, bases, into, converged, iterations)
