"""DF-QuAD, a gradual semantics for bipolar argument graphs: how strongly each claim stands.

Each claim has a base score in [0, 1]; the strengths of its attackers and of its supporters are each
aggregated by probabilistic sum, and the base score moves down (towards 0) or up (towards 1) in
proportion to the difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .graph import Node, _add_edges, _empty_graph, _index


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


def _combine(
    base: float, parents: Sequence[int], strength: list[float], weights: Mapping[int, float] | None = None
) -> float:
    """DF-QuAD for one node: on cycles, and for nodes with weighted links; the acyclic pass inlines
    the unweighted steps.

    ``weights`` maps an encoded parent (see graph._add_edges) to the weight an editor gave its link:
    the parent then counts with its strength times that weight (a weight of 1, or none, counts it fully).
    """
    not_attacked = 1.0
    not_supported = 1.0
    for j in parents:
        w = 1.0 if weights is None else weights.get(j, 1.0)
        if j >= 0:
            not_attacked *= 1.0 - strength[j] * w
        else:
            not_supported *= 1.0 - strength[~j] * w
    # Attack aggregate minus support aggregate: (1 - not_attacked) - (1 - not_supported).
    diff = not_supported - not_attacked
    if diff > 0.0:
        return base - base * diff
    if diff < 0.0:
        return base - (1.0 - base) * diff
    return base


def _dfquad(
    base: list[float],
    into: list[Sequence[int]],
    out: list[Sequence[int]],
    max_iterations: int,
    tolerance: float,
    weighted: Mapping[int, Mapping[int, float]] | None = None,
) -> tuple[list[float], bool, int]:
    """DF-QuAD on an integer graph: one Kahn pass for the acyclic part, Jacobi sweeps per cycle.

    ``weighted`` maps a node to the weights of its weighted incoming links ({encoded parent: weight});
    most maps have none, and only those nodes leave the inlined fast path.
    """
    weighted = weighted or {}
    strength = base[:]
    waiting = [len(parents) for parents in into]
    order = [v for v, count in enumerate(waiting) if not count]
    # Kahn's order, computing each node as soon as its last parent is final. Inlined on purpose:
    # a function call per node would cost more than the arithmetic.
    for v in order:
        parents = into[v]
        if parents and v in weighted:
            strength[v] = _combine(base[v], parents, strength, weighted[v])
        elif parents:
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
                strength[v] = _combine(base[v], into[v], strength, weighted.get(v))
                continue
        sweeps = 0
        moved = True
        while sweeps < max_iterations:
            sweeps += 1
            # Jacobi: every node reads the previous sweep, so the result does not depend on the
            # order the nodes happen to be listed in.
            fresh = [_combine(base[v], into[v], strength, weighted.get(v)) for v in component]
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
