"""The creators' vectors in memory (a FAISS index), made durable by the catalog.

A write commits the catalog in one transaction (the acknowledgement point: a failure before it
changes nothing), then applies the same change to the in-memory vectors. The FAISS file is a
snapshot: written (temporary file, fsync, rename, then the manifest, last) when the index is
small enough for that to be cheap, when the backend changes, or once enough changes have piled
up; opening loads the snapshot and replays what the catalog wrote after it. A crash at any point
therefore loses nothing acknowledged and leaves a readable index. Readers share a lock that a
vector swap takes alone; another process's writes are taken in before the next read or write.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

import index as vindex
from index.faults import crash_point
from index.store import (
    SNAPSHOT_NAME,
    CorruptIndexError,
    DirLock,
    Manifest,
    atomic_write,
    sha256_bytes,
)

from .catalog import Catalog

log = logging.getLogger("creator_match")

# Rewriting the FAISS file of 50k vectors costs tens of milliseconds: below that, every write
# snapshots; above, snapshots wait until changes reach 5% of the collection (replayed on open).
SNAPSHOT_ALWAYS_BELOW = 50_000
SNAPSHOT_CHANGE_SHARE = 0.05

#: A catalog change: given the catalog and the generation being written, it writes and returns
#: (vids written, their vectors, vids deleted) for the vectors to follow.
Change = Callable[[Catalog, int], tuple[np.ndarray, np.ndarray | None, np.ndarray]]


class RWLock:
    """Many readers or one writer (matches run together; a vector swap waits for them)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._readers:
                self._cond.wait()
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class VectorStore:
    """One index directory's vectors: loaded, replayed, written through, snapshotted."""

    def __init__(self, path: Path, catalog: Catalog, model: str, tier_scheme: str,
                 default_dim: int, manifest: Manifest | None, lock_timeout: float = 10.0,
                 recover: bool = False) -> None:
        self.path = path
        self.catalog = catalog
        self.model = model
        self.tier_scheme = tier_scheme
        self.default_dim = default_dim
        self.manifest = manifest
        self.lock_timeout = lock_timeout
        self.rw = RWLock()
        self._write_mutex = threading.Lock()
        self.index: vindex.VectorIndex | None = None
        self._pending = 0  # changes committed since the last snapshot
        self._seen_gen = 0  # the catalog generation the in-memory vectors reflect
        self._wrote = False
        if recover:  # ignore the vector file: rebuild from the catalog
            self.index = self._rebuild()
        else:
            self._load()

    def __len__(self) -> int:
        return 0 if self.index is None else len(self.index)

    # -- opening -------------------------------------------------------------------------------

    def _load(self) -> None:
        m = self.manifest
        if m is None:
            if self.catalog.count():  # the first write died before its snapshot: replay it all
                log.warning("%s: no vector snapshot yet; rebuilding vectors from the catalog",
                            self.path)
                self.index = self._rebuild()
            return
        if m.generation > self.catalog.generation:
            raise CorruptIndexError(
                f"{self.path}: the vector snapshot (generation {m.generation}) is newer than the "
                f"catalog ({self.catalog.generation}); the catalog was replaced or rolled back. "
                f"Run 'creator-match check --index {self.path} --repair'")
        file = self.path / m.index_file
        try:
            data = file.read_bytes()
        except OSError as e:
            raise CorruptIndexError(
                f"{file}: cannot read the vector snapshot ({e.strerror}); run 'creator-match "
                f"check --index {self.path} --repair' to rebuild it from the catalog") from e
        if sha256_bytes(data) != m.index_sha256:
            raise CorruptIndexError(
                f"{file}: checksum mismatch (file damaged). Run 'creator-match check --index "
                f"{self.path} --repair' to rebuild it from the catalog")
        try:
            self.index = vindex.load(m.index_kind, m.dim, data, m.index_params)
        except (ValueError, RuntimeError, KeyError) as e:  # FAISS refuses it, or the manifest lies
            raise CorruptIndexError(
                f"{file}: cannot load the vector snapshot ({e}). Run 'creator-match check "
                f"--index {self.path} --repair' to rebuild it from the catalog") from e
        self._replay(m.generation)

    def _replay(self, since: int) -> None:
        """Apply to the loaded snapshot what the catalog committed after it."""
        assert self.index is not None
        self._seen_gen = self.catalog.generation  # read first: replaying more is harmless
        dead, vids, vecs = self.catalog.journal.changes_since(since)
        if len(dead):
            self.index.remove(dead)
        if len(vids):
            self.index.upsert(vids, vecs)
        self._pending = len(dead) + len(vids)

    def dim(self) -> int:
        """The vectors' dimension: from the snapshot's manifest, else the catalog (set at the
        first write), else the embedder's."""
        if self.manifest is not None:
            return self.manifest.dim
        return int(self.catalog.get_meta("dim") or self.default_dim)

    def _rebuild(self, dim: int | None = None) -> vindex.VectorIndex:
        """A new index of every creator vector in the catalog (no re-encoding)."""
        dim = dim or self.dim()
        self._seen_gen = self.catalog.generation  # read first: a later write is re-applied
        ids, vecs = [], []
        for v, x in self.catalog.journal.vectors():
            ids.append(v)
            vecs.append(x)
        all_ids = np.concatenate(ids) if ids else np.zeros(0, np.int64)
        all_vecs = np.vstack(vecs) if vecs else np.zeros((0, dim), np.float32)
        return vindex.build(vindex.choose_kind(len(all_ids)), dim, all_ids, all_vecs)

    def close(self) -> None:
        """Snapshot what this instance wrote since the last snapshot (so the next open has
        nothing to replay)."""
        if self._wrote and self._pending:
            try:
                self.snapshot()
            except Exception as e:
                log.warning("no snapshot on close of %s: %s", self.path, e)

    # -- staying current -----------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        """This process's writer lock and the directory's, with other processes' writes in."""
        self.require_writable()
        with self._write_mutex, DirLock(self.path, self.lock_timeout):
            self._catch_up()
            yield

    def require_writable(self) -> None:
        self.catalog.db.require_writable()

    def refresh(self) -> None:
        """Before a read: take in what another process committed since (one cheap query when
        nothing changed), so a long-running server sees a CLI ingest into its index."""
        if self.catalog.generation != self._seen_gen:
            with self._write_mutex:
                self._catch_up()

    def _catch_up(self) -> None:
        """Under the writer lock: take in what other processes wrote since this one loaded, so
        its next snapshot never drops their changes."""
        gen = self.catalog.generation
        if gen == self._seen_gen:
            return
        on_disk = Manifest.read(self.path)
        with self.rw.write():
            if on_disk is not None and (self.manifest is None or
                                        on_disk.generation != self.manifest.generation):
                # another process wrote a snapshot (and dropped the tombstones before it)
                self.manifest = on_disk
                self._load()
                self.catalog.filters.forget()  # deletions may have left no tombstone
            else:
                self.catalog.filters.refresh(self._seen_gen,
                                             self.catalog.journal.dead_since(self._seen_gen))
                if self.index is not None:
                    self._replay(self._seen_gen)
                elif self.catalog.count():
                    self.index = self._rebuild()
        self._seen_gen = gen

    # -- writing -------------------------------------------------------------------------------

    def commit(self, change: Change, dim: int) -> None:
        """Under writing(): commit a catalog change, then apply it to the vectors in memory."""
        with self.catalog.transaction() as gen:
            self._seen_gen = gen
            if self.catalog.get_meta("model") is None:
                self.catalog.set_meta("model", self.model)
                self.catalog.set_meta("dim", str(dim))
                self.catalog.set_meta("tier_scheme", self.tier_scheme)
            add_ids, add_vecs, del_ids = change(self.catalog, gen)
            crash_point("before-commit")
        crash_point("after-commit")
        # committed: from here on the change is durable, whatever happens to the vectors
        try:
            with self.rw.write():
                index = self.index if self.index is not None else vindex.FlatIndex(dim)
                if len(del_ids):
                    index.remove(del_ids)
                if len(add_ids):
                    index.upsert(add_ids, add_vecs)
                self.index = _resized(index)
                rebuilt = self.index is not index
            self._pending += len(add_ids) + len(del_ids)
        except Exception:
            log.exception("applying a committed change to the vectors failed; rebuilding them "
                          "from the catalog")
            with self.rw.write():
                self.index = self._rebuild(dim)
            rebuilt = True
        self._wrote = True
        if rebuilt or self._snapshot_due():
            try:
                self._snapshot()
            except OSError as e:  # the catalog has the change; the next open replays it
                log.warning("could not write the vector snapshot of %s (%s); the catalog holds "
                            "every change and the next open replays it", self.path, e)

    def _snapshot_due(self) -> bool:
        """Small indexes snapshot on every write (cheap); large ones once changes since the last
        snapshot reach 5% of the collection, so one upsert never rewrites a large file."""
        n = len(self)
        return self.manifest is None or n <= SNAPSHOT_ALWAYS_BELOW or \
            self._pending >= SNAPSHOT_CHANGE_SHARE * n

    def snapshot(self) -> None:
        """Write the in-memory vectors as the new FAISS file (replay on open then has nothing
        to do), then move the manifest to it."""
        with self.writing():
            self._snapshot()

    def _snapshot(self) -> None:
        if self.index is None:
            return
        with self.rw.read():
            gen = self.catalog.generation
            data = self.index.to_bytes()
            kind, dim = self.index.kind, self.index.dim
            params, count = self.index.params(), len(self.index)
        name = f"vectors.{gen}.faiss"
        for stale in self.path.glob(".*.tmp"):  # left by a writer killed mid-write
            stale.unlink(missing_ok=True)
        atomic_write(self.path / name, data, crash_points="snapshot")
        manifest = Manifest(
            model=self.model, dim=dim, index_kind=kind, index_file=name,
            index_sha256=sha256_bytes(data), index_params=params, generation=gen,
            count=count, tier_scheme=self.tier_scheme,
            counts=self.catalog.stats()["tiers"],
            updated_at=datetime.now(timezone.utc).isoformat())
        manifest.write(self.path)
        self.manifest = manifest
        self._pending = 0
        self.catalog.journal.forget_tombstones(gen)
        # the snapshots the manifest no longer names: the last one, and any a crash left behind
        # (only files of this directory named as snapshots: never a path a manifest supplied)
        for stale in self.path.glob("vectors.*.faiss"):
            if stale.name != name and SNAPSHOT_NAME.fullmatch(stale.name):
                stale.unlink(missing_ok=True)

    def restore(self) -> None:
        """Rebuild the vectors from the catalog and write them as the new snapshot (and
        manifest): what a repair does once the catalog is known to be healthy."""
        with self.writing():
            with self.rw.write():
                self.index = self._rebuild()
            self._snapshot()


def _resized(index: vindex.VectorIndex) -> vindex.VectorIndex:
    """Switch exact <-> approximate when the size crosses the threshold, and retrain IVF when
    the collection has grown four-fold since its centroids were placed."""
    n = len(index)
    want = vindex.choose_kind(n)
    stale_ivf = index.kind == "ivf" and vindex.ivf_shape(n)[0] > 2 * index.params()["nlist"]
    if want == index.kind and not stale_ivf:
        return index
    ids = index.ids()
    return vindex.build(want, index.dim, ids, index.reconstruct(ids))
