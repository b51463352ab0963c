"""Link suggestions: pairs of claims grounded in different documents that may bear on each other.

Annotators of different documents each build their own claims; the pairs worth a look are those whose
evidence comes from disjoint sets of sources, that no relation joins yet, and that nobody has already
accepted or rejected, ranked by the similarity of their texts. Whether one supports or opposes the
other, or whether they are the same point, is for a person to say.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction

from sources.embedding import embed_cached

from ..models import ArgumentMap, Claim, Evidence, LinkDecision, LinkSuggestionDecision, Relation

LINK_SUGGESTIONS = 20
# Pairs below this cosine are not worth a reader's time (docs/assist.md).
LINK_THRESHOLD = 0.45


@dataclass(frozen=True)
class LinkSuggestion:
    claim: Claim  # the older of the two
    other: Claim
    similarity: float  # cosine of the two claims' texts, in [-1, 1]
    sources: tuple[int, ...]  # ids of the sources quoted for `claim`
    other_sources: tuple[int, ...]  # ... and for `other`: no id in common


def suggest_links(
    argument_map: ArgumentMap, *, limit: int = LINK_SUGGESTIONS, threshold: float = LINK_THRESHOLD
) -> list[LinkSuggestion]:
    """The `limit` most similar undecided, unrelated pairs of claims grounded in disjoint sources. Four queries."""
    claims = list(Claim.objects.filter(map=argument_map).only("pk", "map", "kind", "text"))
    joined = set(Relation.objects.filter(map=argument_map).values_list("from_claim_id", "to_claim_id"))
    decided = set(LinkSuggestionDecision.objects.filter(map=argument_map).values_list("from_claim_id", "to_claim_id"))
    sources_of: dict[int, set[int]] = defaultdict(set)
    for claim_id, source_id in Evidence.objects.filter(map=argument_map).values_list("claim_id", "passage__source_id"):
        sources_of[claim_id].add(source_id)

    grounded = [c for c in claims if sources_of[c.pk]]
    if len(grounded) < 2:
        return []
    vectors = embed_cached([c.text for c in grounded])
    similarity = vectors @ vectors.T
    source_ids = sorted({s for c in grounded for s in sources_of[c.pk]})
    quoted = np.array([[s in sources_of[c.pk] for s in source_ids] for c in grounded], dtype=np.float32)
    candidate = np.triu((quoted @ quoted.T) == 0, k=1) & (similarity >= threshold)

    suggestions = []
    rows, cols = np.nonzero(candidate)
    for k in np.argsort(-similarity[rows, cols], kind="stable"):
        a, b = sorted((grounded[rows[k]], grounded[cols[k]]), key=lambda c: c.pk)
        if (a.pk, b.pk) in joined or (b.pk, a.pk) in joined or (a.pk, b.pk) in decided:
            continue
        suggestions.append(
            LinkSuggestion(
                claim=a,
                other=b,
                similarity=round(float(similarity[rows[k], cols[k]]), 4),
                sources=tuple(sorted(sources_of[a.pk])),
                other_sources=tuple(sorted(sources_of[b.pk])),
            )
        )
        if len(suggestions) == limit:
            break
    return suggestions


def decide_link(
    *, argument_map: ArgumentMap, claim: Claim, other: Claim, decision: str, actor=None
) -> LinkSuggestionDecision:
    """Record that a suggested pair was accepted or rejected (a second answer replaces the first)."""
    if decision not in LinkDecision.values:
        raise ValidationError(f"A link suggestion is accepted or rejected, not {decision!r}.")
    if claim.pk == other.pk:
        raise ValidationError("A claim cannot be linked to itself.")
    if claim.map_id != argument_map.pk or other.map_id != argument_map.pk:
        raise ValidationError("Both claims must belong to the map.")
    first, second = sorted((claim, other), key=lambda c: c.pk)
    with transaction.atomic():
        row, _ = LinkSuggestionDecision.objects.update_or_create(
            from_claim=first,
            to_claim=second,
            defaults={"map": argument_map, "decision": decision, "decided_by": actor},
        )
    return row
