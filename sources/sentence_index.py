"""Each source's sentences with their embeddings, stored once per text revision.

Embedding is lazy: `sentences_for` embeds a source the first time its sentences are asked for after
its text changed (or the model did), and stores the result; every later call reads it back. Embedding
a long text takes seconds to minutes on a small machine, so an upload or a text edit does not wait
for it, and a source nobody asks suggestions for never pays. `embed_source` is a plain function, so
that a task queue can call it right after an import or a re-anchoring instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import QuerySet

from . import embedding
from .models import Source, SourceEmbedding
from .sentences import sentence_spans


@dataclass(frozen=True)
class SourceSentences:
    """One revision of a source's text, its sentences (n × 2 spans) and their vectors (n × dimensions)."""

    source_id: int
    title: str
    revision: int
    text: str
    spans: np.ndarray
    vectors: np.ndarray

    def __len__(self) -> int:
        return len(self.spans)

    def sentence(self, i: int) -> str:
        start, end = self.spans[i]
        return self.text[start:end]


def embed_source(source_id: int) -> SourceEmbedding | None:
    """Cut the source's current text into sentences, embed them and store them, replacing what was stored.

    Returns None when the text changed while it was being embedded (the next call embeds the new one).
    """
    text, revision = Source.objects.filter(pk=source_id).values_list("text", "revision").get()
    return _store(source_id, revision, *_embed(text))


def sentences_for(sources: Iterable[Source] | Iterable[int]) -> dict[int, SourceSentences]:
    """The sentences of these sources (ids or a queryset), by source id, embedding the ones not yet embedded.

    Two queries when every source is up to date; a source whose text or model changed is embedded
    (and stored) first.
    """
    # A queryset stays a subquery (its rows, texts included, are never loaded twice).
    ids = sources.values("pk") if isinstance(sources, QuerySet) else [getattr(s, "pk", s) for s in sources]
    rows = Source.objects.filter(pk__in=ids).order_by().values_list("pk", "title", "revision", "text")
    current = {pk: (title, revision, text) for pk, title, revision, text in rows}
    stored = {
        source_id: (revision, spans, vectors, dimensions)
        for source_id, revision, dimensions, spans, vectors in SourceEmbedding.objects.filter(
            source_id__in=current, model=embedding.MODEL_ID
        ).values_list("source_id", "revision", "dimensions", "spans", "vectors")
    }
    result = {}
    for pk, (title, revision, text) in current.items():
        if stored.get(pk, (None,))[0] == revision:
            spans, vectors = _decode(*stored[pk][1:])
        else:
            spans, vectors = _embed(text)
            _store(pk, revision, spans, vectors)
        result[pk] = SourceSentences(pk, title, revision, text, spans, vectors)
    return result


def _embed(text: str) -> tuple[np.ndarray, np.ndarray]:
    spans = np.array(sentence_spans(text), dtype=np.int32).reshape(-1, 2)
    return spans, embedding.embed([text[start:end] for start, end in spans])


def _store(source_id: int, revision: int, spans: np.ndarray, vectors: np.ndarray) -> SourceEmbedding | None:
    with transaction.atomic():
        # Hold the source row, so that a text edit cannot slip in between the check and the write.
        current = Source.objects.select_for_update().filter(pk=source_id).values_list("revision", flat=True).first()
        if current != revision:
            return None
        row, _ = SourceEmbedding.objects.update_or_create(
            source_id=source_id,
            defaults={
                "revision": revision,
                "model": embedding.MODEL_ID,
                "count": len(spans),
                "dimensions": vectors.shape[1],
                "spans": spans.astype("<i4").tobytes(),
                "vectors": vectors.astype("<f4").tobytes(),
            },
        )
    return row


def _decode(spans: bytes, vectors: bytes, dimensions: int) -> tuple[np.ndarray, np.ndarray]:
    # PostgreSQL hands bytea back as memoryview, SQLite as bytes; frombuffer reads both without a copy.
    spans = np.frombuffer(spans, dtype="<i4").reshape(-1, 2)
    vectors = np.frombuffer(vectors, dtype="<f4").reshape(len(spans), dimensions)
    return spans, vectors
