"""A map's evaluation in the words people read: where each claim stands in the debate so far.

The evaluation itself is pure (semantics.py): a grounded labelling over objections and DF-QuAD
strengths over supports, objections and evidence. This module turns them into a *standing* that
describes the state of the debate rather than ruling on it:

* holds        every objection to it has been answered (or none was raised), and something backs it;
* challenged   some objection stands unanswered (grounded: out);
* contested    objections answer each other in a circle, so neither side stands yet (undecided);
* not yet examined  nothing supports or opposes it and no quote backs it.

and the DF-QuAD strength into a *balance of reasons* on one 0–100 scale. Background claims
(context, definitions) are never evaluated. The jargon names stay in docs/evaluation.md.
"""

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Count

from arguments.clipping import clip
from arguments.models import ArgumentMap, Claim, ClaimKind, Evidence, Relation

from .semantics import Label, Reason, evaluate_map

STANCE_POSITION = {"states": 0, "supports": 1, "opposes": 2}

HOLDS, CHALLENGED, CONTESTED, UNEXAMINED = "holds", "challenged", "contested", "unexamined"
STANDING_TEXT = {
    HOLDS: "Holds",
    CHALLENGED: "Challenged",
    CONTESTED: "Contested",
    UNEXAMINED: "Not yet examined",
}
STANDING_MEANING = {
    HOLDS: "every objection has been answered, and something backs it",
    CHALLENGED: "an objection stands unanswered",
    CONTESTED: "objections answer each other in a circle, so neither side stands yet",
    UNEXAMINED: "nothing supports or opposes it and no quote backs it",
}


@dataclass(frozen=True)
class Assessment:
    standing: str  # holds | challenged | contested | unexamined
    strength: float  # balance of reasons in [0, 1] (DF-QuAD)
    explanation: str  # one plain sentence saying why the standing holds
    # The objections a reader should look at: unanswered ones (challenged) or the circle (contested).
    open_objections: tuple[tuple[int, str], ...] = ()
    label: str = "in"  # the grounded label behind the standing, for exports and docs

    @property
    def standing_text(self) -> str:
        return STANDING_TEXT[self.standing]

    label_text = standing_text

    @property
    def percent(self) -> int:
        return round(self.strength * 100)

    @property
    def balance(self) -> str:
        """The balance of reasons in one sentence."""
        p = self.percent
        if self.standing == UNEXAMINED:
            return f"Balance of reasons {p} of 100: no reasons either way yet (50 is even)."
        if p >= 56:
            lean = "the reasons for it outweigh those against it"
        elif p <= 44:
            lean = "the reasons against it outweigh those for it"
        else:
            lean = "the reasons for and against it are about even"
        return f"Balance of reasons {p} of 100: {lean}."


def assess_map(argument_map: ArgumentMap) -> dict[int, Assessment]:
    rows = list(Claim.objects.filter(map=argument_map).values_list("pk", "kind", "text"))
    texts = {pk: text for pk, _, text in rows}
    relations = list(
        Relation.objects.filter(map=argument_map).values_list("from_claim_id", "to_claim_id", "kind", "weight")
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    stances = Evidence.objects.filter(map=argument_map).values_list("claim_id", "stance").annotate(n=Count("id"))
    for claim_id, stance, n in stances.order_by():
        counts[claim_id][STANCE_POSITION[stance]] = n
    background = {pk for pk, kind, _ in rows if kind == ClaimKind.BACKGROUND}
    return assess(texts, relations, counts, background=background)


def assess(
    texts: dict[int, str],
    relations: Sequence[tuple],
    evidence_counts: Mapping[int, Sequence[int]],
    *,
    explain: bool = True,
    background: Collection[int] = (),
) -> dict[int, Assessment]:
    """Evaluate claims already in memory.

    ``texts`` is {id: text}; ``relations`` holds (from, to, kind) or (from, to, kind, weight) tuples;
    ``evidence_counts`` is {id: (states, supports, opposes)}. Background claims, and links touching
    them, are left out: they set the scene and are not up for debate. Explanations name claims and
    cost more than the evaluation itself; pages that show none pass explain=False.
    """
    ids = [pk for pk in texts if pk not in background]
    triples: list[tuple[int, int, str]] = []
    weights: dict[tuple[int, int], float] = {}
    supported: set[int] = set()
    objected: dict[int, int] = defaultdict(int)
    for row in relations:
        a, b, kind = row[0], row[1], row[2]
        if a in background or b in background:
            continue
        triples.append((a, b, kind))
        if len(row) > 3 and row[3] is not None:
            weights[(a, b)] = row[3]
        if kind == "supports":
            supported.add(b)
        else:
            objected[b] += 1
    counts = {pk: tuple(c) for pk, c in evidence_counts.items() if pk not in background}
    evaluation = evaluate_map(ids, triples, counts, weights=weights)
    titles = {pk: _short(texts[pk]) for pk in ids} if explain else {}
    result = {}
    for pk in ids:
        label = evaluation.labels[pk]
        # Why a claim holds needs no names; why it is challenged or contested does (and is rarer).
        why = evaluation.explain(pk) if explain or label != Label.IN else None
        backed = pk in supported or any(counts.get(pk, (0, 0, 0))[:2])
        if label == Label.OUT:
            standing = CHALLENGED
        elif label == Label.UNDECIDED:
            standing = CONTESTED
        elif objected[pk] or backed:
            standing = HOLDS
        elif counts.get(pk, (0, 0, 0))[2]:
            standing = CHALLENGED  # a quoted passage opposes it and nothing answers it
        else:
            standing = UNEXAMINED
        objections = tuple((a, titles.get(a, "")) for a in why.attackers) if why and standing != HOLDS else ()
        result[pk] = Assessment(
            standing=standing,
            strength=evaluation.strengths[pk],
            explanation=_sentence(standing, why, objections, counts.get(pk), pk in supported) if explain else "",
            open_objections=objections,
            label=str(label),
        )
    return result


def _sentence(standing: str, why, objections: tuple, counts: Sequence[int] | None, supported: bool) -> str:
    names = _join([title for _, title in objections[:3]])
    more = len(objections) - 3
    if more > 0:
        names += f" and {more} more"
    if standing == CHALLENGED and not objections:
        return "Challenged: a quoted passage opposes it, and nothing supports it yet."
    if standing == CHALLENGED:
        verb = "stands" if len(objections) == 1 else "stand"
        return f"Challenged: {names} {verb} unanswered."
    if standing == CONTESTED:
        if why.reason == Reason.SELF_ATTACK:
            return "Contested: it is caught in a circle of objections that includes itself."
        return f"Contested: objections answer each other in a circle ({names}), so neither side stands yet."
    if standing == UNEXAMINED:
        return "Not yet examined: nothing supports or opposes it and no quote backs it."
    if why.total_attackers:
        n = why.total_attackers
        return (
            "Holds: its only objection has been answered."
            if n == 1
            else f"Holds: all {n} objections have been answered."
        )
    backing = []
    states, supports, _ = counts or (0, 0, 0)
    if states + supports:
        backing.append(f"{states + supports} quote{'s' if states + supports != 1 else ''}")
    if supported:
        backing.append("supporting claims")
    return f"Holds: nothing opposes it yet, and it is backed by {' and '.join(backing)}."


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _short(text: str, limit: int = 60) -> str:
    return "“" + clip(text, limit) + "”"
