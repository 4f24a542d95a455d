"""FAISS backends: exact (flat inner product) and approximate (IVF), both with stable int64 ids."""

from __future__ import annotations

import math
from typing import Any

import faiss
import numpy as np

from .base import Allowed, VectorIndex, as_ids, as_vectors

# Exact search reads every vector: at 384 dimensions, 20k vectors are ~30 MB and one query costs a
# few milliseconds on two cores. Above that an IVF index scans a fraction of the lists instead.
FLAT_MAX = 20_000
# IVF needs about 39 training points per list to place its centroids; below that it warns.
MIN_POINTS_PER_LIST = 39


def _sorted_insert(sorted_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Merge new (absent) ids into the sorted array: an append when they are all larger (new
    creators get growing ids), else one O(n) insert; never a full re-sort."""
    ids = np.sort(ids)
    if not len(sorted_ids) or ids[0] > sorted_ids[-1]:
        return np.concatenate([sorted_ids, ids])
    return np.insert(sorted_ids, np.searchsorted(sorted_ids, ids), ids)


class _IdTracking(VectorIndex):
    """What the FAISS backends share: a sorted copy of the present ids, so membership tests are
    O(log n), and their selectors for filtered search."""

    _index: Any  # the FAISS index

    def __init__(self, dim: int) -> None:
        super().__init__(dim)
        self._ids = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._ids)

    def ids(self) -> np.ndarray:
        return self._ids.copy()

    def contains(self, ids: np.ndarray) -> np.ndarray:
        ids = as_ids(ids)
        if not len(self._ids):
            return np.zeros(len(ids), dtype=bool)
        pos = np.searchsorted(self._ids, ids).clip(0, len(self._ids) - 1)
        return self._ids[pos] == ids

    def _check_new(self, ids: np.ndarray) -> None:
        if len(np.unique(ids)) != len(ids):
            raise ValueError("add got the same id twice")
        present = self.contains(ids)
        if present.any():
            raise ValueError(f"ids already present (use upsert): {ids[present][:5].tolist()}")

    def reconstruct(self, ids: np.ndarray) -> np.ndarray:
        ids = as_ids(ids)
        missing = ~self.contains(ids)
        if missing.any():
            raise KeyError(f"ids not in the index: {ids[missing][:5].tolist()}")
        if not len(ids):
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._index.reconstruct_batch(ids)

    def to_bytes(self) -> bytes:
        return faiss.serialize_index(self._index).tobytes()

    def _prepare(self, ids: np.ndarray) -> tuple[faiss.IDSelector, np.ndarray]:
        return _selector(ids)

    def remove(self, ids: np.ndarray) -> int:
        ids = as_ids(ids)
        present = ids[self.contains(ids)]
        if not len(present):
            return 0
        present = np.ascontiguousarray(present)
        # IDSelectorArray: the only selector IVF's hashtable direct map can remove with
        n = int(self._index.remove_ids(faiss.IDSelectorArray(len(present),
                                                             faiss.swig_ptr(present))))
        self._ids = np.delete(self._ids, np.searchsorted(self._ids, present))
        return n


# Above this many allowed ids a bitmap over the id range beats a hash set: built by numpy in about
# a millisecond per million ids, tested with one shift and mask, where IDSelectorBatch inserts
# every id into a hash table first.
BITMAP_MIN = 4_096


def _selector(allowed: np.ndarray) -> tuple[faiss.IDSelector, np.ndarray]:
    """A FAISS selector for sorted allowed ids and the array it points into (keep it alive)."""
    if len(allowed) >= BITMAP_MIN and allowed[0] >= 0:
        mask = np.zeros(int(allowed[-1]) + 1, dtype=bool)
        mask[allowed] = True
        bits = np.packbits(mask, bitorder="little")
        # FAISS takes the bitmap's size in bytes: with its bits an id past the last allowed one
        # reads beyond the array (garbage let some through, now and then, at a million)
        return faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(bits)), bits
    return faiss.IDSelectorBatch(allowed), allowed


def _params(cls: type, allowed: Allowed | None, **kw) -> tuple[object | None, object]:
    """Search parameters of class cls with allowed's selector (built now where prepare did not
    build it), and what must stay alive until the search is over."""
    if allowed is None:
        return (cls(**kw) if kw else None), None
    keep = allowed.selector if allowed.selector is not None else _selector(allowed.ids)
    return cls(sel=keep[0], **kw), keep


class FlatIndex(_IdTracking):
    """Exact inner-product search: the reference every approximate index is measured against."""

    kind = "flat"

    def __init__(self, dim: int, _index: faiss.Index | None = None) -> None:
        super().__init__(dim)
        self._index = _index if _index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        if _index is not None:
            self._ids = np.sort(faiss.vector_to_array(self._index.id_map).astype(np.int64))

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids, vectors = as_ids(ids), as_vectors(vectors, self.dim)
        self._check_new(ids)
        self._index.add_with_ids(vectors, ids)
        self._ids = _sorted_insert(self._ids, ids)

    def _search(self, q, k, allowed):
        params, keep = _params(faiss.SearchParameters, allowed)
        s, i = self._index.search(q, k, params=params)
        del keep  # the bitmap a selector points into lives until the search is over
        s[i < 0] = -np.inf
        return s, i

    def params(self) -> dict:
        return {}

    @classmethod
    def from_bytes(cls, dim: int, data: bytes, params: dict) -> FlatIndex:
        return cls(dim, faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8)))


# k-means cost grows with lists x training points; on two cores 1,024 lists trained on 64 points
# each take seconds, 4,000 lists (txtai's 4*sqrt(n) at 1M) take minutes.
MAX_LISTS = 1024
TRAIN_POINTS_PER_LIST = 64


def ivf_shape(n: int) -> tuple[int, int]:
    """(nlist, nprobe) for n vectors: about 4*sqrt(n) lists as txtai does, at most MAX_LISTS and
    at least MIN_POINTS_PER_LIST vectors per list; probing 1/32 of the lists (at least 8).
    Measured on the benchmark's collections (vectors scattered around real content vectors),
    recall@20 against exact search: at 1M, 0.978 (filtered 0.9875) probing 32 lists against
    0.979 (0.989) probing 64, in 1.7 ms instead of 3.1; at 100k, 0.9755 both ways (filtered
    0.9785 against 0.987). Past ~32 lists recall is bound by the 8-bit codes, not the lists."""
    nlist = max(1, min(int(4 * math.sqrt(max(n, 1))), MAX_LISTS, n // MIN_POINTS_PER_LIST))
    nprobe = int(min(nlist, max(8, nlist // 32)))
    return nlist, nprobe


class IVFIndex(_IdTracking):
    """Approximate search: vectors bucketed by nearest centroid, a few buckets probed per query.

    Vectors are stored as 8-bit scalar-quantised codes (one byte per dimension, a quarter of
    float32). The ranker scores candidates with these codes decoded: cosines within about 1e-3
    of the catalog's float16 vectors (the benchmark measures the gap)."""

    kind = "ivf"

    def __init__(self, dim: int, nlist: int, nprobe: int,
                 _index: faiss.Index | None = None) -> None:
        super().__init__(dim)
        self.nlist, self.nprobe = nlist, nprobe
        if _index is None:
            _index = faiss.IndexIVFScalarQuantizer(
                faiss.IndexFlatIP(dim), dim, nlist, faiss.ScalarQuantizer.QT_8bit,
                faiss.METRIC_INNER_PRODUCT)
            # leave headroom beyond the training sample's range for vectors added later
            _index.sq.rangestat = faiss.ScalarQuantizer.RS_minmax
            _index.sq.rangestat_arg = 0.2
        self._index = _index
        self._index.nprobe = nprobe
        # split each query's probed lists between the threads: a match searches one to three
        # queries, which the default (one thread per query) leaves on one core. At 1M
        # creators on two cores: one query 2.6 ms instead of 4.9 (1.2 instead of 2.1 with a
        # selective filter), three 8.0 instead of 9.8. Not saved: set on every load.
        self._index.parallel_mode = 1
        self._index.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
        self._ids = self._stored_ids()

    def _stored_ids(self) -> np.ndarray:
        invlists = self._index.invlists
        parts = [faiss.rev_swig_ptr(invlists.get_ids(li), invlists.list_size(li)).copy()
                 for li in range(self._index.nlist) if invlists.list_size(li)]
        return np.sort(np.concatenate(parts).astype(np.int64)) if parts else \
            np.zeros(0, dtype=np.int64)

    @property
    def is_trained(self) -> bool:
        return bool(self._index.is_trained)

    def train(self, vectors: np.ndarray, seed: int = 1234) -> None:
        x = as_vectors(vectors, self.dim)
        if len(x) < self.nlist:
            raise ValueError(f"IVF with {self.nlist} lists needs at least {self.nlist} vectors")
        sample = min(len(x), self.nlist * TRAIN_POINTS_PER_LIST)
        if sample < len(x):
            x = x[np.random.default_rng(seed).choice(len(x), sample, replace=False)]
        self._index.train(x)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids, vectors = as_ids(ids), as_vectors(vectors, self.dim)
        if not self.is_trained:
            raise RuntimeError("train the IVF index before adding vectors")
        self._check_new(ids)
        self._index.add_with_ids(vectors, ids)
        self._ids = _sorted_insert(self._ids, ids)

    def _search(self, q, k, allowed, nprobe: int | None = None):
        params, keep = _params(faiss.SearchParametersIVF, allowed,
                               nprobe=nprobe or self.nprobe)
        s, i = self._index.search(q, k, params=params)
        del keep  # the bitmap a selector points into lives until the search is over
        s[i < 0] = -np.inf
        return s, i

    def exact_subset(self, q, k, allowed):
        """Every list probed, distances computed for allowed ids only: the selector test is a
        hash lookup, far cheaper than gathering and decoding vectors one id at a time."""
        if not len(allowed):
            return super().exact_subset(q, k, allowed)
        return self._search(q, k, Allowed(allowed), nprobe=self.nlist)

    def params(self) -> dict:
        return {"nlist": self.nlist, "nprobe": self.nprobe}

    @classmethod
    def from_bytes(cls, dim: int, data: bytes, params: dict) -> IVFIndex:
        index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
        return cls(dim, params["nlist"], params["nprobe"], _index=index)


BACKENDS: dict[str, type[FlatIndex] | type[IVFIndex]] = {"flat": FlatIndex, "ivf": IVFIndex}


def choose_kind(n: int) -> str:
    return "flat" if n < FLAT_MAX else "ivf"


def build(kind: str, dim: int, ids: np.ndarray, vectors: np.ndarray) -> VectorIndex:
    """A new index of the given kind holding these vectors (IVF is trained on them)."""
    if kind == "flat":
        index: VectorIndex = FlatIndex(dim)
    elif kind == "ivf":
        nlist, nprobe = ivf_shape(len(ids))
        index = IVFIndex(dim, nlist, nprobe)
        index.train(vectors)
    else:
        raise ValueError(f"unknown index kind {kind!r}; choose one of {', '.join(BACKENDS)}")
    if len(ids):
        index.add(ids, vectors)
    return index


def load(kind: str, dim: int, data: bytes, params: dict[str, Any]) -> VectorIndex:
    try:
        backend = BACKENDS[kind]
    except KeyError:
        raise ValueError(f"unknown index kind {kind!r} in manifest") from None
    return backend.from_bytes(dim, data, params)
