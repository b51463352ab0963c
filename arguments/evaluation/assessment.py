"""A map's evaluation, read from the database: which claims stand (grounded) and how strongly (DF-QuAD).

The evaluation itself is pure (semantics.py); this module feeds it from three
`values_list` queries, whatever the size of the map, and names claims in the explanations.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Count

from arguments.clipping import clip
from arguments.models import ArgumentMap, Claim, Evidence, Relation

from .semantics import describe, evaluate_map

STANCE_POSITION = {"states": 0, "supports": 1, "opposes": 2}
LABEL_TEXT = {"in": "Accepted", "out": "Rejected", "undecided": "Undecided"}


@dataclass(frozen=True)
class Assessment:
    label: str  # "in" | "out" | "undecided"
    strength: float  # DF-QuAD strength in [0, 1]
    explanation: str  # one plain sentence saying why the label holds

    @property
    def label_text(self) -> str:
        return LABEL_TEXT[self.label]

    @property
    def percent(self) -> int:
        return round(self.strength * 100)


def assess_map(argument_map: ArgumentMap) -> dict[int, Assessment]:
    texts = dict(Claim.objects.filter(map=argument_map).values_list("pk", "text"))
    relations = list(Relation.objects.filter(map=argument_map).values_list("from_claim_id", "to_claim_id", "kind"))
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = Evidence.objects.filter(map=argument_map).values_list("claim_id", "stance").annotate(n=Count("id"))
    for claim_id, stance, n in rows.order_by():
        counts[claim_id][STANCE_POSITION[stance]] = n
    return assess(texts, relations, counts)


def assess(
    texts: dict[int, str],
    relations: list[tuple[int, int, str]],
    evidence_counts: Mapping[int, Sequence[int]],
    *,
    explain: bool = True,
) -> dict[int, Assessment]:
    """Evaluate claims already in memory: {id: text}, (from, to, kind) triples, {id: (states, supports, opposes)}.

    Explanations name claims and cost more than the evaluation itself; pages that show none pass explain=False.
    """
    titles = {pk: _short(text) for pk, text in texts.items()} if explain else dict.fromkeys(texts, "")
    evaluation = evaluate_map(titles, relations, {pk: tuple(c) for pk, c in evidence_counts.items()})
    return {
        pk: Assessment(
            label=str(evaluation.labels[pk]),
            strength=evaluation.strengths[pk],
            explanation=describe(evaluation.explain(pk), titles) if explain else "",
        )
        for pk in titles
    }


def _short(text: str, limit: int = 60) -> str:
    return "“" + clip(text, limit) + "”"
