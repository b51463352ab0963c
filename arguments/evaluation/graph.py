"""Argument graphs as the evaluation keeps them: nodes numbered 0..n-1 and edges as lists of integer
lists, because list indexing is much cheaper than dictionary look-ups in the hot loops of
grounded.py and dfquad.py (bench/evaluation.py times them). Node ids outside are any hashable values."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence

Node = Hashable

SUPPORTS = "supports"
OPPOSES = "opposes"


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
        link(into, out, i, j, parent, child)


def link(into: list, out: list, i: int, j: int, parent: int, child: int) -> None:
    """Add the edge i -> j: `parent` joins j's incoming list and `child` i's outgoing one (the lists
    start as a shared empty tuple, see _empty_graph, and become lists on first use)."""
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
