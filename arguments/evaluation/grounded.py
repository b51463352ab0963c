"""Grounded labelling (Dung): which claims stand, given only the attacks.

In Warrant an ``opposes`` relation from claim a to claim b is the attack (a, b). Every claim gets
one label: ``in`` when all its attackers are out, ``out`` when some attacker is in, and
``undecided`` when neither can be settled (cycles of attack, or claims hanging on them). The
labelling is the least fixpoint, so it commits to nothing that is merely possible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .graph import _NONE, Node, _index, _unknown


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
