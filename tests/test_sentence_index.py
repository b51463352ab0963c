"""Each source's sentences and vectors: embedded on first use, once per text revision, stored as bytes."""

import numpy as np
import pytest

from sources import embedding
from sources.models import SourceEmbedding
from sources.reanchor import reanchor_source
from sources.sentence_index import _store, embed_source, sentences_for
from sources.sentences import sentence_spans

from .factories import make_source

pytestmark = pytest.mark.django_db

TEXT = (
    "Coalitions of the willing act quickly when the Security Council is blocked.\n\n"
    "Critics answer that such coalitions lack accountability and legitimacy. "
    "Peace operations remain a necessity and a resource that should be used."
)


def test_a_source_is_embedded_on_first_use_and_read_back_after(django_assert_num_queries):
    source = make_source(text=TEXT)
    assert not SourceEmbedding.objects.exists()

    first = sentences_for([source])[source.pk]

    stored = SourceEmbedding.objects.get(source=source)
    assert (stored.revision, stored.model, stored.count) == (1, embedding.MODEL_ID, 3)
    assert [first.sentence(i) for i in range(len(first))] == [TEXT[s:e] for s, e in sentence_spans(TEXT)]
    with django_assert_num_queries(2):  # the sources, their stored sentences; nothing embedded or written
        again = sentences_for([source.pk])[source.pk]
    assert np.array_equal(again.spans, first.spans)
    assert np.array_equal(again.vectors, first.vectors)


def test_stored_vectors_are_exactly_the_computed_ones():
    source = make_source(text=TEXT)
    embed_source(source.pk)
    stored = sentences_for([source])[source.pk]
    computed = embedding.embed([TEXT[s:e] for s, e in sentence_spans(TEXT)])
    assert stored.vectors.dtype == np.float32
    assert np.array_equal(stored.vectors, computed)


def test_a_changed_text_is_embedded_again_and_replaces_the_old_sentences():
    source = make_source(text=TEXT)
    sentences_for([source])
    new_text = (
        TEXT.replace("act quickly", "can act quickly and decisively") + "\n\nA new closing paragraph adds one sentence."
    )

    reanchor_source(source=source, new_text=new_text)
    fresh = sentences_for([source])[source.pk]

    stored = SourceEmbedding.objects.get(source=source)
    assert stored.revision == fresh.revision == 2
    assert stored.count == len(fresh) == 4
    assert (
        fresh.sentence(0)
        == "Coalitions of the willing can act quickly and decisively when the Security Council is blocked."
    )
    assert np.allclose(fresh.vectors[3], embedding.embed(["A new closing paragraph adds one sentence."])[0], atol=1e-4)


def test_vectors_of_another_model_are_replaced():
    source = make_source(text=TEXT)
    sentences_for([source])
    SourceEmbedding.objects.filter(source=source).update(model="an-older-model")

    sentences_for([source])

    assert SourceEmbedding.objects.get(source=source).model == embedding.MODEL_ID


def test_sentences_of_a_text_that_changed_meanwhile_are_not_stored():
    source = make_source(text=TEXT)
    spans = np.array(sentence_spans(TEXT), dtype=np.int32)
    vectors = embedding.embed([TEXT[s:e] for s, e in spans])
    reanchor_source(source=source, new_text=TEXT + "\n\nSomeone edited the text while it was being embedded.")

    assert _store(source.pk, 1, spans, vectors) is None
    assert not SourceEmbedding.objects.exists()


def test_embed_source_is_a_plain_function_that_a_task_can_call():
    source = make_source(text=TEXT)
    row = embed_source(source.pk)
    assert row.source_id == source.pk and row.count == 3
    assert len(bytes(row.vectors)) == 3 * embedding.DIMENSIONS * 4
    assert embed_source(source.pk).pk == row.pk  # embedding again replaces the same row


def test_a_source_without_sentences_stores_an_empty_index():
    source = make_source(text="Title\n\nToo short.")
    sentences = sentences_for([source])[source.pk]
    assert len(sentences) == 0 and sentences.vectors.shape == (0, embedding.DIMENSIONS)
    assert SourceEmbedding.objects.get(source=source).count == 0
    again = sentences_for([source])[source.pk]  # read back from the stored row
    assert len(again) == 0 and again.vectors.shape == (0, embedding.DIMENSIONS)
