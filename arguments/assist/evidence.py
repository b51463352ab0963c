"""Evidence suggestions: the sentences of a map's sources that best match a claim and are not yet linked to it.

Each sentence is scored on meaning and on shared words, both turned into z-scores over all the map's
sentences and mixed, meaning first (docs/assist.md has the measurements behind the mix). Meaning is
the cosine of the claim and the sentence after both are centred on the mean of the map's sentences: a
map's documents all share one topic, and without centring the sentences that merely name that topic
(titles, summaries) come first for every claim.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from sources.embedding import embed_cached
from sources.models import AnchorStatus, Source
from sources.sentence_index import SourceSentences, sentences_for

from ..models import ArgumentMap, Claim, Evidence
from .lexical import TfIdf

SUGGESTIONS = 10
# The share of meaning in the score; shared words have the rest.
MEANING_WEIGHT = 0.7


@dataclass(frozen=True)
class EvidenceSuggestion:
    source_id: int
    source_title: str
    start: int  # code points into the source's text, like a Passage
    end: int
    exact: str
    score: float  # what the suggestions are ranked by (comparable within one claim's list only)
    similarity: float  # the plain cosine of claim and sentence, in [-1, 1]


class MapSentences:
    """Every sentence of a map's sources in one matrix, ready to score claims against."""

    def __init__(self, by_source: dict[int, SourceSentences]) -> None:
        parts = [by_source[pk] for pk in sorted(by_source)]
        self.titles = {part.source_id: part.title for part in parts}
        self.source_ids = np.concatenate([np.full(len(p), p.source_id, dtype=np.int64) for p in parts] or [[]])
        self.spans = np.concatenate([p.spans for p in parts]) if parts else np.zeros((0, 2), dtype=np.int32)
        self.texts = [p.sentence(i) for p in parts for i in range(len(p))]
        self.vectors = np.concatenate([p.vectors for p in parts]) if parts else np.zeros((0, 1), dtype=np.float32)
        self.mean = self.vectors.mean(axis=0) if len(self.texts) else np.zeros(self.vectors.shape[1])
        self.centred = _unit(self.vectors - self.mean)
        self.words = TfIdf(self.texts)

    def __len__(self) -> int:
        return len(self.texts)

    def scores(self, text: str, vector: np.ndarray) -> np.ndarray:
        """The ranking score of every sentence for a claim with this text and embedding."""
        meaning = self.centred @ _unit(vector - self.mean)
        return MEANING_WEIGHT * _z(meaning) + (1 - MEANING_WEIGHT) * _z(self.words.scores(text))

    def overlapping(self, spans: Iterable[tuple[int, int, int]]) -> np.ndarray:
        """A mask of the sentences that overlap any (source id, start, end)."""
        mask = np.zeros(len(self), dtype=bool)
        for source_id, start, end in spans:
            mask |= (self.source_ids == source_id) & (self.spans[:, 0] < end) & (self.spans[:, 1] > start)
        return mask

    def suggestion(self, i: int, score: float, vector: np.ndarray) -> EvidenceSuggestion:
        source_id = int(self.source_ids[i])
        return EvidenceSuggestion(
            source_id=source_id,
            source_title=self.titles[source_id],
            start=int(self.spans[i, 0]),
            end=int(self.spans[i, 1]),
            exact=self.texts[i],
            score=round(float(score), 4),
            similarity=round(float(self.vectors[i] @ vector), 4),
        )


def map_sentences(argument_map: ArgumentMap) -> MapSentences:
    """Two queries; a source whose text changed since it was last embedded is embedded first."""
    return MapSentences(sentences_for(Source.objects.filter(map_sources__map=argument_map)))


def suggest_evidence(argument_map: ArgumentMap, claim: Claim, *, limit: int = SUGGESTIONS) -> list[EvidenceSuggestion]:
    """The `limit` sentences of the map's sources that best match the claim, best first, leaving out the
    sentences that overlap a passage already linked to it. Three queries."""
    if claim.map_id != argument_map.pk:
        raise ValueError("The claim does not belong to this map.")
    sentences = map_sentences(argument_map)
    linked = (
        Evidence.objects.filter(claim=claim)
        .exclude(passage__anchor_status=AnchorStatus.ORPHANED)
        .values_list("passage__source_id", "passage__start", "passage__end")
    )
    if not len(sentences):
        return []
    vector = embed_cached([claim.text])[0]
    scores = sentences.scores(claim.text, vector)
    scores[sentences.overlapping(linked)] = -np.inf
    best = np.argsort(-scores, kind="stable")[:limit]
    return [sentences.suggestion(i, scores[i], vector) for i in best if np.isfinite(scores[i])]


def _unit(x: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.clip(norm, 1e-12, None)


def _z(x: np.ndarray) -> np.ndarray:
    spread = x.std()
    return (x - x.mean()) / spread if spread > 0 else np.zeros_like(x)
