"""The one interface every vector backend implements, with filtered search built on it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

# Below this many allowed ids a filtered query scores them directly (gather + one matrix product):
# exact, always k results, and cheaper than walking an approximate index that mostly skips.
EXACT_SUBSET_MAX = 8_192


def as_ids(ids: object) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))


def as_vectors(vectors: object, dim: int) -> np.ndarray:
    x = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))
    if x.ndim == 1:
        x = x.reshape(1, -1)
    if x.ndim != 2 or x.shape[1] != dim:
        raise ValueError(f"expected vectors of dimension {dim}, got shape {x.shape}")
    return x


def top_k(scores: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Best k of each row of (queries x candidates) scores, padded with (-inf, -1)."""
    nq, n = scores.shape
    out_s = np.full((nq, k), -np.inf, dtype=np.float32)
    out_i = np.full((nq, k), -1, dtype=np.int64)
    if n == 0:
        return out_s, out_i
    kk = min(k, n)
    part = np.argpartition(-scores, kk - 1, axis=1)[:, :kk]
    part_s = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-part_s, axis=1, kind="stable")
    out_s[:, :kk] = np.take_along_axis(part_s, order, axis=1)
    out_i[:, :kk] = ids[np.take_along_axis(part, order, axis=1)]
    return out_s, out_i


class Allowed:
    """The ids a filtered search may return, sorted and unique, with the backend's own form of
    them (a FAISS selector) once VectorIndex.prepare has built it. A match prepares its filter
    on the helper thread while the brief encodes: at a million creators a country-and-tier
    filter (~65k ids) took 0.3 ms to become a bitmap, nearly a third of the filtered search,
    and preparing it beside the encoder took 0.35-0.5 ms off a filtered match's p50."""

    __slots__ = ("ids", "selector")

    def __init__(self, ids: object) -> None:
        ids = as_ids(ids)
        if len(ids) > 1 and not bool(np.all(ids[1:] > ids[:-1])):
            ids = np.unique(ids)  # the catalog's filters already give sorted, unique ids
        self.ids = ids
        self.selector: Any = None  # the backend's, from _prepare

    def __len__(self) -> int:
        return len(self.ids)


class VectorIndex(ABC):
    """Inner-product search over L2-normalised vectors keyed by stable int64 ids."""

    kind: str

    def __init__(self, dim: int) -> None:
        self.dim = dim

    # -- what a backend provides ---------------------------------------------------------------

    @abstractmethod
    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Append vectors under ids not present yet."""

    @abstractmethod
    def remove(self, ids: np.ndarray) -> int:
        """Delete ids (absent ones are ignored); returns how many were removed."""

    @abstractmethod
    def reconstruct(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of present ids, in order; a KeyError naming the first absent
        ones when any id is not present."""

    @abstractmethod
    def _search(self, queries: np.ndarray, k: int,
                allowed: Allowed | None) -> tuple[np.ndarray, np.ndarray]:
        """The backend's own (possibly approximate) search, restricted to allowed ids if given
        (prepared: its selector is built when the backend has one)."""

    def _prepare(self, ids: np.ndarray) -> object | None:
        """The backend's own form of a large allowed set, built from the ids alone (None: it
        searches with the ids as they are)."""
        return None

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def ids(self) -> np.ndarray:
        """Every present id, ascending (a copy)."""

    @abstractmethod
    def contains(self, ids: np.ndarray) -> np.ndarray:
        """A boolean mask: which ids are present."""

    @abstractmethod
    def to_bytes(self) -> bytes: ...

    @abstractmethod
    def params(self) -> dict:
        """What the manifest records to rebuild or reopen this index."""

    # -- shared verbs --------------------------------------------------------------------------

    def upsert(self, ids: object, vectors: object) -> None:
        """Replace or insert: delete the ids, then append them again."""
        ids = as_ids(ids)
        vectors = as_vectors(vectors, self.dim)
        if len(np.unique(ids)) != len(ids):
            raise ValueError("upsert got the same id twice")
        self.remove(ids)
        self.add(ids, vectors)

    def prepare(self, allowed: object) -> Allowed:
        """Allowed ids made ready for search: sorted, and for a set large enough to go to the
        backend, its selector built. Reads nothing of the index, so any thread may call it
        without the index's lock, and the result serves whichever index searches next."""
        a = allowed if isinstance(allowed, Allowed) else Allowed(allowed)
        if a.selector is None and len(a) > EXACT_SUBSET_MAX:
            a.selector = self._prepare(a.ids)
        return a

    def search(self, queries: object, k: int,
               allowed: object | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top k (scores, ids) per query; with allowed ids (an array, or an Allowed from
        prepare), only those, and still k when it can.

        Rows are padded with (-inf, -1) when fewer than k vectors qualify.
        """
        q = as_vectors(queries, self.dim)
        if k <= 0:
            raise ValueError("k must be positive")
        if allowed is None:
            return self._search(q, k, None)
        allowed = allowed if isinstance(allowed, Allowed) else Allowed(allowed)
        ids_allowed = allowed.ids
        if len(allowed) <= max(EXACT_SUBSET_MAX, k):
            return self.exact_subset(q, k, ids_allowed[self.contains(ids_allowed)])
        # a large allowed set goes to the backend as it is (ids it lacks never come back):
        # checking each against the index costs more than the search at a million creators
        scores, ids = self._search(q, k, self.prepare(allowed))
        short = (ids >= 0).sum(axis=1) < k
        if short.any():  # fewer than k: too few allowed ids are present, or the approximate
            present = ids_allowed[self.contains(ids_allowed)]  # walk missed some: then score
            short &= (ids >= 0).sum(axis=1) < min(k, len(present))  # exactly
            if short.any():
                s2, i2 = self.exact_subset(q[short], k, present)
                scores[short], ids[short] = s2, i2
        return scores, ids

    def exact_subset(self, q: np.ndarray, k: int,
                     allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact inner products against the allowed ids, in slices to bound memory."""
        best_s, best_i = top_k(np.zeros((len(q), 0), np.float32), np.zeros(0, np.int64), k)
        for start in range(0, len(allowed), 65_536):
            part = allowed[start:start + 65_536]
            s, i = top_k(q @ self.reconstruct(part).T, part, k)
            best_s, best_i = _merge(np.hstack([best_s, s]), np.hstack([best_i, i]), k)
        return best_s, best_i


def _merge(scores: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Best k of each row when every row has its own ids."""
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(scores, order, axis=1), np.take_along_axis(ids, order, axis=1)
