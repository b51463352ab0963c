"""Similar claims: while a claim is typed, the claims of the map that make the same point, or deny it.

An embedding cannot tell a claim from its negation (the two score as nearly identical), so a match
means "the same point or its opposite": the person typing decides whether to reuse the claim, oppose
it, or go on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sources.embedding import embed_cached

from ..models import ArgumentMap, Claim

SIMILAR_CLAIMS = 3
# The cosine at or above which a claim counts as the same point or its opposite; calibrated on the
# paraphrases, negations and unrelated claims of tests/data/assist_pairs.yaml (docs/assist.md).
SIMILAR_THRESHOLD = 0.58


@dataclass(frozen=True)
class SimilarClaim:
    claim: Claim
    similarity: float  # cosine in [-1, 1]


def similar_claims(
    argument_map: ArgumentMap,
    text: str,
    *,
    exclude: Claim | None = None,
    limit: int = SIMILAR_CLAIMS,
    threshold: float = SIMILAR_THRESHOLD,
) -> list[SimilarClaim]:
    """The map's claims closest in meaning to `text` (at least `threshold`), closest first. One query."""
    text = text.strip()
    if not text:
        return []
    others = Claim.objects.filter(map=argument_map).exclude(pk=getattr(exclude, "pk", None))
    claims = list(others.only("pk", "map", "kind", "text"))
    if not claims:
        return []
    vectors = embed_cached([text] + [c.text for c in claims])
    similarity = vectors[1:] @ vectors[0]
    best = [i for i in np.argsort(-similarity, kind="stable")[:limit] if similarity[i] >= threshold]
    return [SimilarClaim(claims[i], round(float(similarity[i]), 4)) for i in best]
