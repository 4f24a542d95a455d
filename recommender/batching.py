"""Micro-batching of brief encoding: the briefs of concurrent matches encoded in one call.

An encoder's cost per text falls steeply with the batch (USE-multilingual v3 on 2 cores: 1.04 ms
for one brief alone, 0.39 ms each in a batch of 20), and concurrent calls each spinning up the
model's BLAS threads contend for the same cores. So a caller does not encode alone: it queues
its texts; the first caller to find no batch running leads one, takes every text queued and
encodes them together, and hands each caller its rows. Callers that arrive while a batch runs
form the next one, so under load batches form by themselves and one caller alone never waits.
Under load (the last batch held more than one caller) a leader also waits up to `window_s` for
more to arrive, bounded by `max_texts`.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence

import numpy as np

from .errors import InvalidInputError

Encode = Callable[[Sequence[str]], np.ndarray]


class _Request:
    __slots__ = ("error", "texts", "vectors")

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = list(texts)
        self.vectors: np.ndarray | None = None
        self.error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self.vectors is not None or self.error is not None


class QueryBatcher:
    """encode(texts) with the texts of concurrent callers encoded together; each caller gets
    exactly the rows of its own texts, or the exception its batch raised."""

    def __init__(self, encode: Encode, window_s: float = 0.001, max_texts: int = 64) -> None:
        if window_s < 0 or max_texts < 1:
            raise ValueError("window_s must be >= 0 and max_texts >= 1")
        self._encode, self.window_s, self.max_texts = encode, window_s, max_texts
        self._cond = threading.Condition()
        self._queue: list[_Request] = []
        self._leading = False
        self._last_callers = 0
        self.batches = 0  # statistics: batches encoded, and the callers they served
        self.callers = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        request = _Request(texts)
        with self._cond:
            self._queue.append(request)
            self._cond.notify_all()
        while True:
            with self._cond:
                while not request.done and self._leading:
                    self._cond.wait()
                if request.done:
                    break
                self._leading = True  # no batch running and ours is not done: lead one
            self._lead()
        if request.error is not None:
            raise request.error
        assert request.vectors is not None
        return request.vectors

    def _lead(self) -> None:
        with self._cond:
            if self._last_callers > 1 and self.window_s > 0:  # under load: let others join
                deadline = time.monotonic() + self.window_s
                while (sum(len(r.texts) for r in self._queue) < self.max_texts
                       and (left := deadline - time.monotonic()) > 0):
                    self._cond.wait(left)
            batch: list[_Request] = []
            size = 0
            for r in self._queue:
                if batch and size + len(r.texts) > self.max_texts:
                    break
                batch.append(r)
                size += len(r.texts)
            del self._queue[:len(batch)]
        try:
            vectors = self._encode([t for r in batch for t in r.texts])
            if len(vectors) != size:
                raise RuntimeError(f"the encoder returned {len(vectors)} vectors for {size} "
                                   "texts")
            start = 0
            for r in batch:
                r.vectors = vectors[start:start + len(r.texts)]
                start += len(r.texts)
        except BaseException as e:  # every caller of the batch gets it, not only the leader
            for r in batch:
                r.error = e
        finally:
            with self._cond:
                self._leading = False
                self._last_callers = len(batch)
                self.batches += 1
                self.callers += len(batch)
                self._cond.notify_all()


def brief_batcher(encode: Encode, window_ms: float | None = None) -> QueryBatcher | None:
    """The batcher of a matching service's briefs (one index or a set of shards): window_ms,
    default CREATOR_MATCH_BATCH_WINDOW_MS, else 1; None for a negative one (each brief encoded
    alone). A setting that is no number is refused, naming it."""
    if window_ms is None:
        setting = os.environ.get("CREATOR_MATCH_BATCH_WINDOW_MS") or "1"
        try:
            window_ms = float(setting)
        except ValueError:
            raise InvalidInputError(f"CREATOR_MATCH_BATCH_WINDOW_MS: {setting!r} is not a "
                                    "number of milliseconds (negative: no batching)") from None
    return None if window_ms < 0 else QueryBatcher(encode, window_s=window_ms / 1e3)
