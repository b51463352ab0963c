"""Shared words, weighted by TF-IDF: the lexical half of evidence suggestions (and the benchmark's baseline)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

WORD = re.compile(r"[^\W\d_]+")
# Words too common to say what a sentence is about.
_STOP_WORDS = """
    a about above after again against all also am an and any are as at be because been before being
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers him his how i if in into is it its itself just may me might more most must
    my no nor not now of off on once only or other our ours out over own same shall she should so some
    such than that the their theirs them then there these they this those through to too under until up
    upon very was we were what when where which while who whom whose why will with within without would
    you your
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def terms(text: str) -> list[str]:
    return [w for w in WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) > 1]


class TfIdf:
    """Cosine similarity of TF-IDF vectors between a query and each of a fixed list of documents."""

    def __init__(self, documents: Sequence[str]) -> None:
        self.size = len(documents)
        counts = [Counter(terms(doc)) for doc in documents]
        frequency = Counter(term for c in counts for term in c)
        # Smoothed idf, as scikit-learn computes it: a term in every document still counts a little.
        self.idf = {term: math.log((1 + self.size) / (1 + df)) + 1 for term, df in frequency.items()}
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for row, c in enumerate(counts):
            weights = {term: n * self.idf[term] for term, n in c.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for term, w in weights.items():
                rows, values = postings.setdefault(term, ([], []))
                rows.append(row)
                values.append(w / norm)
        self.postings = {
            t: (np.array(r, dtype=np.int32), np.array(v, dtype=np.float32)) for t, (r, v) in postings.items()
        }

    def scores(self, query: str) -> np.ndarray:
        """One score in [0, 1] per document; words the documents never use are ignored."""
        weights = {t: n * self.idf[t] for t, n in Counter(terms(query)).items() if t in self.idf}
        result = np.zeros(self.size, dtype=np.float32)
        norm = math.sqrt(sum(w * w for w in weights.values()))
        for term, w in weights.items():
            rows, values = self.postings[term]
            result[rows] += values * (w / norm)
        return result
