"""Warrant suggests: evidence for a claim, similar claims, links across documents, key points per side.

Suggestions come from meaning (sentence embeddings, sources/embedding.py) and, for evidence, from
shared words as well. Each function takes a map and makes a fixed number of queries, so views and the
API can call them directly. None of them decides a stance: a claim and its negation score as nearly
the same, so a suggestion only says "the same point or its opposite" and a person decides which.
"""

from .evidence import EvidenceSuggestion, suggest_evidence
from .key_points import KeyPoint, ThesisKeyPoints, key_points
from .links import LinkSuggestion, decide_link, suggest_links
from .similar import SimilarClaim, similar_claims

__all__ = [
    "EvidenceSuggestion",
    "KeyPoint",
    "LinkSuggestion",
    "SimilarClaim",
    "ThesisKeyPoints",
    "decide_link",
    "key_points",
    "similar_claims",
    "suggest_evidence",
    "suggest_links",
]
