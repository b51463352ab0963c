"""The sentence-embedding model: offline, on the CPU, loaded once per process."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sources import embedding

ROOT = Path(__file__).resolve().parent.parent

OFFLINE_SCRIPT = """
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("the network is closed in this test")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from sources import embedding
vectors = embedding.embed(["The Security Council is deadlocked.", "Coalitions act quickly."])
print(vectors.shape, round(float(vectors[0] @ vectors[1]), 3))
"""


def test_the_model_loads_and_embeds_with_the_network_closed():
    done = subprocess.run(
        [sys.executable, "-c", OFFLINE_SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("(2, 384)")


def test_the_model_is_loaded_once_per_process():
    assert embedding.load_model() is embedding.load_model()


def test_vectors_are_unit_length_float32_rows_in_the_order_given():
    texts = ["Coalitions of the willing act fast.", "A long sentence " * 200, "Peace operations are a necessity."]
    vectors = embedding.embed(texts)
    assert vectors.shape == (3, embedding.DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    alone = embedding.embed([texts[2]])[0]
    assert float(alone @ vectors[2]) > 0.99  # the same text, whatever else is in its batch
    assert embedding.embed([]).shape == (0, embedding.DIMENSIONS)


def test_a_paraphrase_is_closer_than_a_sentence_on_another_subject():
    claim, paraphrase, other = embedding.embed(
        [
            "The Security Council is paralysed by the vetoes of rival great powers.",
            "Rival permanent members keep blocking the UN's top body.",
            "Central banks should raise interest rates to fight inflation.",
        ]
    )
    assert claim @ paraphrase > 2 * (claim @ other)


def test_embed_cached_remembers_texts_and_gives_the_same_vectors():
    embedding.forget_cached()
    first = embedding.embed_cached(["Coalitions fill gaps.", "Coalitions fill gaps.", "The UN is indispensable."])
    assert np.array_equal(first[0], first[1])
    assert set(embedding._cache) == {"Coalitions fill gaps.", "The UN is indispensable."}
    again = embedding.embed_cached(["The UN is indispensable."])
    assert np.array_equal(again[0], first[2])


def test_a_model_file_other_than_the_pinned_one_is_refused(monkeypatch):
    monkeypatch.setattr(embedding, "MODEL_SHA256", "0" * 64)
    with pytest.raises(embedding.ModelUnavailable, match="not the expected model file"):
        embedding._model_file()
