"""Recommender: ingest, remove, match and similar over the catalog, the vector index and an embedder.

Durability: the SQLite catalog is the source of truth and the write-ahead log. A write encodes
outside every lock, then commits the catalog in one transaction (the acknowledgement point: a
failure before it changes nothing), then applies the same change to the in-memory vectors. The
FAISS file is a snapshot: written (temporary file, fsync, rename, then the manifest, last) when
the index is small enough for that to be cheap, when the backend changes, or once enough changes
have piled up; opening an index loads the snapshot and replays what the catalog wrote after it.
A crash at any point therefore loses nothing acknowledged and leaves a readable index.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

import index as vindex
from index.faults import crash_point
from index.store import (
    CATALOG,
    CorruptIndexError,
    DirLock,
    Manifest,
    atomic_write,
    sha256_bytes,
    sha256_file,
)

from . import lexical
from .catalog import Catalog, CreatorRow, record_hash, text_hash
from .embedding import INT8_SUFFIX, Embedder, encode_queries, make_embedder, usable_cores
from .ingest import Parsed, RecordError, read_objects, read_paths
from .ranking import Candidate, Pool, Ranker, rounded
from .schema import Brief, Creator, Filters, Match
from .signals import compute as compute_signals
from .tiers import scheme as tier_scheme

log = logging.getLogger("creator_match")

ENCODE_CHUNK = 256
# Rewriting the FAISS file of 50k vectors costs tens of milliseconds: below that, every write
# snapshots; above, snapshots wait until changes reach 5% of the collection (replayed on open).
SNAPSHOT_ALWAYS_BELOW = 50_000
SNAPSHOT_CHANGE_SHARE = 0.05


class ModelMismatchError(ValueError):
    """The index was built with another embedding model than the one asked for."""


class IngestRejected(ValueError):
    """A strict ingest found bad records and wrote nothing."""

    def __init__(self, errors: list[RecordError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} bad record(s); nothing was written (strict mode)")


class NotFoundError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "not found"


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    encoded_texts: int = 0
    cached_texts: int = 0
    errors: list[RecordError] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected, "encoded_texts": self.encoded_texts,
                "cached_texts": self.cached_texts, "seconds": round(self.seconds, 3),
                "errors": [e.to_dict() for e in self.errors]}


class _RWLock:
    """Many readers or one writer (matches run together; a vector swap waits for them)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False

    @contextmanager
    def read(self):
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
    def write(self):
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


def creator_texts(c: Creator) -> list[tuple[str | None, str]]:
    """(post id, text) of everything embedded for a creator: the bio (post id None), then posts."""
    out: list[tuple[str | None, str]] = []
    if c.bio and c.bio.strip():
        out.append((None, c.bio))
    out.extend((p.id, p.text) for p in c.posts)
    return out


class Recommender:
    """The library entry point: one index directory, one embedding model, one ranker."""

    def __init__(self, path: str | Path, *, model: str | None = None,
                 embedder: Embedder | None = None, tiers: str | None = None,
                 ranker: Ranker | None = None, create: bool = True,
                 lock_timeout: float = 10.0, recover: bool = False) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        manifest = Manifest.read(self.path) if self.path.is_dir() else None
        if manifest is None and not create and not (self.path / CATALOG).exists():
            raise FileNotFoundError(
                f"no index at {self.path}: create one with 'creator-match ingest FILE --index "
                f"{self.path}'")
        built_with = manifest.model if manifest else _catalog_meta(self.path, "model")
        if embedder is None:
            embedder = make_embedder(model or built_with)
        if built_with is not None and embedder.name != built_with:
            base = built_with.removesuffix(INT8_SUFFIX)
            if base == embedder.name.removesuffix(INT8_SUFFIX):  # same model, int8 or not
                raise ModelMismatchError(
                    f"index {self.path} was built with {built_with!r}, but this run uses "
                    f"{embedder.name!r}: int8 vectors and the other paths' differ, so they never "
                    "share an index. " + (
                        "Set CREATOR_MATCH_PRECISION=int8 for this index."
                        if built_with.endswith(INT8_SUFFIX) else
                        "Use another precision than int8 (CREATOR_MATCH_PRECISION) for it.")
                    + " Or ingest into a new index directory.")
            raise ModelMismatchError(
                f"index {self.path} was built with model {built_with!r}, but this run uses "
                f"{embedder.name!r}. Use --model {built_with} (or no --model) with this index, "
                "or ingest into a new index directory to use the other model.")
        stored_tiers = manifest.tier_scheme if manifest else _catalog_meta(self.path,
                                                                           "tier_scheme")
        if stored_tiers is not None and tiers is not None and tiers != stored_tiers:
            raise ValueError(f"index {self.path} uses tier scheme {stored_tiers!r}, "
                             f"not {tiers!r}; tiers are fixed when an index is created")
        self.embedder = embedder
        self.tiers = tier_scheme(stored_tiers or tiers or "mission")
        self.ranker = ranker or Ranker(tiers=self.tiers)
        if self.ranker.tiers is not self.tiers:
            self.ranker.tiers = self.tiers
        self.path.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(self.path / CATALOG)
        self._manifest = manifest
        self._rw = _RWLock()
        self._write_mutex = threading.Lock()
        # threads that apply a brief's filters while the brief is encoded (started on first use)
        self._helpers = ThreadPoolExecutor(usable_cores(), thread_name_prefix="cm-match")
        self._index: vindex.VectorIndex | None = None
        self._pending = 0  # changes committed since the last snapshot
        self._seen_gen = 0  # the catalog generation the in-memory vectors reflect
        self._wrote = False
        if recover:  # ignore the vector file: rebuild from the catalog
            self._index = self._rebuild_from_catalog()
        else:
            self._load_vectors()

    # -- opening -------------------------------------------------------------------------------

    def _load_vectors(self) -> None:
        m = self._manifest
        if m is None:
            if self.catalog.count():  # the first write died before its snapshot: replay it all
                log.warning("%s: no vector snapshot yet; rebuilding vectors from the catalog",
                            self.path)
                self._index = self._rebuild_from_catalog()
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
        self._index = vindex.load(m.index_kind, m.dim, data, m.index_params)
        self._replay(m.generation)

    def _replay(self, since: int) -> None:
        """Apply to the loaded snapshot what the catalog committed after it."""
        self._seen_gen = self.catalog.generation  # read first: replaying more is harmless
        dead, vids, vecs = self.catalog.changes_since(since)
        if len(dead):
            self._index.remove(dead)
        if len(vids):
            self._index.upsert(vids, vecs)
        self._pending = len(dead) + len(vids)

    def _stored_dim(self) -> int:
        """The vectors' dimension: from the snapshot's manifest, else the catalog (set at the
        first write), else the embedder's."""
        if self._manifest is not None:
            return self._manifest.dim
        return int(self.catalog.get_meta("dim") or self.embedder.dim)

    def _rebuild_from_catalog(self, dim: int | None = None) -> vindex.VectorIndex:
        """A new index of every creator vector in the catalog (no re-encoding)."""
        dim = dim or self._stored_dim()
        self._seen_gen = self.catalog.generation  # read first: a later write is re-applied
        ids, vecs = [], []
        for v, x in self.catalog.iter_vectors():
            ids.append(v)
            vecs.append(x)
        all_ids = np.concatenate(ids) if ids else np.zeros(0, np.int64)
        all_vecs = np.vstack(vecs) if vecs else np.zeros((0, dim), np.float32)
        return vindex.build(vindex.choose_kind(len(all_ids)), dim, all_ids, all_vecs)

    def close(self) -> None:
        """Snapshot what this instance wrote since the last snapshot (so the next open has
        nothing to replay), then close the catalog."""
        if self._wrote and self._pending:
            try:
                self.snapshot()
            except Exception as e:  # noqa: BLE001 - the catalog holds every change anyway
                log.warning("no snapshot on close of %s: %s", self.path, e)
        self._helpers.shutdown(wait=True)
        self.catalog.close()

    def __enter__(self) -> Recommender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------------

    @contextmanager
    def _writing(self):
        with self._write_mutex, DirLock(self.path, self.lock_timeout):
            self._catch_up()
            yield

    def _refresh(self) -> None:
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
        with self._rw.write():
            if on_disk is not None and (self._manifest is None or
                                        on_disk.generation != self._manifest.generation):
                # another process wrote a snapshot (and dropped the tombstones before it)
                self._manifest = on_disk
                self._load_vectors()
                self.catalog.forget_columns()  # deletions may have left no tombstone
            else:
                self.catalog.refresh_columns(self._seen_gen)
                if self._index is not None:
                    self._replay(self._seen_gen)
                elif self.catalog.count():
                    self._index = self._rebuild_from_catalog()
        self._seen_gen = gen

    def _encode_missing(self, texts: Iterable[str], progress: bool, report: IngestReport
                        ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """(all vectors, newly encoded ones) keyed by text hash: no text is encoded twice."""
        by_hash: dict[str, str] = {}
        for t in texts:
            by_hash.setdefault(text_hash(t), t)
        cached = self.catalog.cached_vectors(by_hash)
        missing = [h for h in by_hash if h not in cached]
        report.cached_texts += len(cached)
        report.encoded_texts += len(missing)
        new: dict[str, np.ndarray] = {}
        bar = None
        if progress and missing:
            from tqdm import tqdm
            bar = tqdm(total=len(missing), unit="text", desc="encoding", disable=None)
        for start in range(0, len(missing), ENCODE_CHUNK):
            chunk = missing[start:start + ENCODE_CHUNK]
            vecs = self.embedder.encode([by_hash[h] for h in chunk])
            # stored as float16: round-trip now so a cached and a fresh vector are identical
            new.update(zip(chunk, vecs.astype(np.float16).astype(np.float32), strict=True))
            if bar is not None:
                bar.update(len(chunk))
        if bar is not None:
            bar.close()
        return {**cached, **new}, new

    def ingest(self, paths: Iterable[str | Path], *, strict: bool = False,
               progress: bool = False) -> IngestReport:
        """Read files (JSONL or CSV) and upsert their creators."""
        return self.ingest_parsed(read_paths(paths), strict=strict, progress=progress)

    def upsert(self, records: Sequence[object], *, strict: bool = False,
               source: str = "request") -> IngestReport:
        """Validate and upsert already-decoded records (dicts or Creator objects)."""
        objs = [r.model_dump(mode="json") if isinstance(r, Creator) else r for r in records]
        return self.ingest_parsed(read_objects(objs, source), strict=strict)

    def ingest_parsed(self, parsed: Parsed, *, strict: bool = False,
                      progress: bool = False) -> IngestReport:
        t0 = time.perf_counter()
        report = IngestReport(rejected=len({(e.file, e.line) for e in parsed.errors}),
                              errors=list(parsed.errors))
        if strict and parsed.errors:
            raise IngestRejected(parsed.errors)
        with self._writing():
            existing = self.catalog.record_hashes([c.id for c in parsed.records])
            todo: list[tuple[Creator, str]] = []
            for c in parsed.records:
                h = record_hash(c)
                if c.id in existing and existing[c.id][1] == h:
                    report.unchanged += 1
                else:
                    todo.append((c, h))
            if todo:
                texts = [t for c, _ in todo for _, t in creator_texts(c)]
                vectors, new = self._encode_missing(texts, progress, report)
                crash_point("encoded")
                self._commit_upserts(todo, vectors, new, existing, report)
        report.seconds = time.perf_counter() - t0
        return report

    def _commit_upserts(self, todo, vectors, new, existing, report) -> None:
        dim = next(iter(vectors.values())).shape[0]
        rows = []
        for c, h in todo:
            items = creator_texts(c)
            hashes = [text_hash(t) for _, t in items]
            mean = np.mean([vectors[x] for x in hashes], axis=0)
            vec = (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float16)
            sig = compute_signals(c, self.tiers).to_dict()
            rows.append((c, h, sig, vec, [(pid, x) for (pid, _), x in zip(items, hashes,
                                                                            strict=True)]))

        def write(catalog: Catalog) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            catalog.put_vectors(new)
            vids = [catalog.upsert(c, sig, vec, texts, h) for c, h, sig, vec, texts in rows]
            catalog.prune_cache()
            return (np.array(vids, np.int64),
                    np.stack([r[3] for r in rows]).astype(np.float32), np.zeros(0, np.int64))

        self._commit(write, dim)
        for c, _ in todo:
            if c.id in existing:
                report.updated += 1
            else:
                report.added += 1

    def remove(self, ids: Sequence[str]) -> list[str]:
        """Delete creators from the catalog, the vectors and the embedding cache; returns those
        that existed."""
        removed: dict[str, int] = {}

        def write(catalog: Catalog):
            removed.update(catalog.remove(list(ids)))
            return (np.zeros(0, np.int64), None,
                    np.array(list(removed.values()), dtype=np.int64))

        if self._index is None:
            return []
        with self._writing():
            self._commit(write, self._index.dim)
        return sorted(removed)

    def _commit(self, write, dim: int) -> None:
        """Commit a catalog change, then apply the matching vector change in memory."""
        with self.catalog.transaction():
            self._seen_gen = self.catalog.generation + 1  # what this commit makes it
            if self.catalog.get_meta("model") is None:
                self.catalog.set_meta("model", self.embedder.name)
                self.catalog.set_meta("dim", str(dim))
                self.catalog.set_meta("tier_scheme", self.tiers.name)
            add_ids, add_vecs, del_ids = write(self.catalog)
            crash_point("before-commit")
        crash_point("after-commit")
        # committed: from here on the change is durable, whatever happens to the vectors
        try:
            with self._rw.write():
                index = self._index if self._index is not None else vindex.FlatIndex(dim)
                if len(del_ids):
                    index.remove(del_ids)
                if len(add_ids):
                    index.upsert(add_ids, add_vecs)
                self._index = self._maybe_rebuild(index)
                rebuilt = self._index is not index
            self._pending += len(add_ids) + len(del_ids)
        except Exception:
            log.exception("applying a committed change to the vectors failed; rebuilding them "
                          "from the catalog")
            with self._rw.write():
                self._index = self._rebuild_from_catalog(dim)
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
        return self._manifest is None or n <= SNAPSHOT_ALWAYS_BELOW or \
            self._pending >= SNAPSHOT_CHANGE_SHARE * n

    def snapshot(self) -> None:
        """Write the in-memory vectors as the new FAISS file (replay on open then has nothing
        to do), then move the manifest to it."""
        with self._writing():
            self._snapshot()

    def _snapshot(self) -> None:
        if self._index is None:
            return
        with self._rw.read():
            gen = self.catalog.generation
            data = self._index.to_bytes()
            kind, dim = self._index.kind, self._index.dim
            params, count = self._index.params(), len(self._index)
        name = f"vectors.{gen}.faiss"
        old = self._manifest.index_file if self._manifest else None
        for stale in self.path.glob(".*.tmp"):  # left by a writer killed mid-write
            stale.unlink(missing_ok=True)
        atomic_write(self.path / name, data, crash_points="snapshot")
        manifest = Manifest(
            model=self.embedder.name, dim=dim, index_kind=kind, index_file=name,
            index_sha256=sha256_bytes(data), index_params=params, generation=gen,
            count=count, tier_scheme=self.tiers.name,
            counts=self.catalog.stats()["tiers"],
            updated_at=datetime.now(timezone.utc).isoformat())
        manifest.write(self.path)
        self._manifest = manifest
        self._pending = 0
        self.catalog.forget_tombstones(gen)
        if old and old != name:
            (self.path / old).unlink(missing_ok=True)

    @staticmethod
    def _maybe_rebuild(index: vindex.VectorIndex) -> vindex.VectorIndex:
        """Switch exact <-> approximate when the size crosses the threshold, and retrain IVF
        when the collection has grown four-fold since its centroids were placed."""
        n = len(index)
        want = vindex.choose_kind(n)
        stale_ivf = index.kind == "ivf" and vindex.ivf_shape(n)[0] > 2 * index.params()["nlist"]
        if want == index.kind and not stale_ivf:
            return index
        ids = index._ids.copy()  # noqa: SLF001 - the backends share this sorted id array
        vecs = index.reconstruct(ids)
        return vindex.build(want, index.dim, ids, vecs)

    # -- reading -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return 0 if self._index is None else len(self._index)

    def get(self, creator_id: str) -> dict:
        rec = self.catalog.record(creator_id)
        if rec is None:
            raise NotFoundError(f"no creator with id {creator_id!r}")
        return rec

    def _check_tiers(self, f: Filters) -> None:
        for t in f.tiers or []:
            if t not in self.tiers.names:
                raise ValueError(f"filters.tiers: unknown tier {t!r}; this index has "
                                 f"{', '.join(self.tiers.names)}")

    def match(self, brief: Brief | dict) -> list[Match]:
        """Ranked, explained creators for a brief, best first. The pool is scored as columns
        in memory; catalog rows are read for the few that can make the top k only."""
        if not isinstance(brief, Brief):
            brief = Brief.model_validate(brief)
        pool, query, terms = self._pool(brief)
        if not len(pool):
            return []
        scores, comps = self.ranker.score_pool(pool, brief.objective)
        depth = self.ranker.pool_depth(brief.k)
        best = self._materialise(pool, self.ranker.shortlist(scores, depth), scores, comps)
        chosen = self.ranker.select(best[:depth], brief.k)
        texts = self.catalog.texts_of([c.row.vid for c in chosen])
        return [self.ranker.explain(c, query, texts.get(c.row.vid, []), terms) for c in chosen]

    def rank(self, brief: Brief) -> tuple[list[Candidate], np.ndarray, list[str]]:
        """Every candidate for a brief, scored and best first, with the query vector and the
        words looked up in the lexical index (the evaluation re-weights these)."""
        pool, query, terms = self._pool(brief)
        scores, comps = self.ranker.score_pool(pool, brief.objective)
        return self._materialise(pool, np.arange(len(pool)), scores, comps), query, terms

    def _materialise(self, pool: Pool, idx: np.ndarray, scores: np.ndarray,
                     comps: dict) -> list[Candidate]:
        """Candidates for pool positions idx, with their catalog rows, best first (ties by
        creator id)."""
        rows = self.catalog.rows(pool.vids[idx])
        out = [Candidate(
            row=rows[v], similarity=float(pool.similarity[i]),
            values_similarity=None if pool.values_similarity is None
            else float(pool.values_similarity[i]),
            keywords=None if pool.keywords is None else float(pool.keywords[i]),
            components=rounded(comps, i), score=float(scores[i]))
            for i, v in zip(idx.tolist(), pool.vids[idx].tolist(), strict=True) if v in rows]
        return sorted(out, key=lambda c: (-c.score, c.row.id))

    def _pool(self, brief: Brief) -> tuple[Pool, np.ndarray, list[str]]:
        """The brief's candidate pool as columns: the nearest neighbours of its vectors and,
        with lexical search on, the creators using its rare words, among those the filters
        allow; with the query vector and the words looked up."""
        self._check_tiers(brief.filters)
        self._refresh()
        empty = Pool(np.zeros(0, np.int64), np.zeros(0), None, None,
                     np.zeros(0, dtype=object), np.zeros(0), np.zeros(0))
        if self._index is None or not len(self._index):
            return empty, np.zeros(0, np.float32), []
        texts = [brief.brief] + ([brief.values] if brief.values else [])
        depth = _depth(brief.k)
        # the filters and the lexical look-up run on a helper thread while this one encodes
        # the brief (the model releases the GIL for most of its run; the shorter job goes to
        # the helper, so this thread seldom waits for the GIL when the model returns)
        lookup = self._helpers.submit(self._lookups, brief, " ".join(texts), depth)
        qv = encode_queries(self.embedder, texts)
        allowed, lq, hits = lookup.result()
        q_brief = qv[0]
        q_values = qv[1] if brief.values else None
        query = q_brief if q_values is None else _unit(q_brief + q_values)
        if allowed is not None and not len(allowed):
            return empty, query, []
        terms = lq.terms if lq is not None else []
        # without a values statement the query is the brief's vector: search it once
        queries = np.stack([q_brief] if q_values is None else [query, q_brief, q_values])
        with self._rw.read():
            scores, ids = self._index.search(queries, depth, allowed)
            vids = np.union1d(ids[ids >= 0], hits)
            vids = vids[self._index.contains(vids)]  # a hit another process just wrote
            sims = self._similarities(vids, scores, ids, queries, 0 if q_values is None else 1)
        live, tier, engagement, authenticity = self.catalog.features(vids)
        vids, sims = vids[live], [x[live] for x in sims]
        keywords = None
        if lq is not None:
            bm25 = self.catalog.lexical_scores(lq, vids)
            top = bm25.max(initial=0.0)
            keywords = bm25 / top if top > 0 else np.zeros(len(vids))
        pool = Pool(vids=vids, similarity=sims[0],
                    values_similarity=None if q_values is None else sims[1],
                    keywords=keywords, tier=tier, engagement=engagement,
                    authenticity=authenticity)
        return pool, query, terms

    def _lookups(self, brief: Brief, text: str, depth: int
                 ) -> tuple[vindex.Allowed | None, lexical.Query | None, np.ndarray]:
        """(the vids the filters allow, prepared for the search, or None for all; the brief's
        lexical query or None with lexical search off; the creators its rare words fetch)."""
        vids = self.catalog.candidates(brief.filters)
        allowed = None if vids is None else self._index.prepare(vids)
        if not self.ranker.hybrid or (vids is not None and not len(vids)):
            return allowed, None, np.zeros(0, np.int64)
        lq = self.catalog.lexical_query(text)
        return allowed, lq, self.catalog.lexical_hits(lq, depth,
                                                     None if allowed is None else allowed.ids)

    def _similarities(self, vids: np.ndarray, scores: np.ndarray, ids: np.ndarray,
                      queries: np.ndarray, first: int) -> list[np.ndarray]:
        """Cosine of each vid with queries[first:], under the read lock: the search's own
        score where it found the vid, else from the index's copy of its vector (exact below
        FLAT_MAX, 8-bit codes above: within about 1e-3 of the catalog's vectors; the benchmark
        measures it)."""
        out, missing = [], np.zeros(len(vids), bool)
        for row in range(first, len(queries)):
            found = ids[row] >= 0
            order = np.argsort(ids[row][found])
            row_ids, row_scores = ids[row][found][order], scores[row][found][order]
            sim, hit = np.full(len(vids), np.nan), np.zeros(len(vids), bool)
            if len(row_ids):
                pos = np.searchsorted(row_ids, vids).clip(0, len(row_ids) - 1)
                hit = row_ids[pos] == vids
                sim[hit] = row_scores[pos[hit]]
            out.append(sim)
            missing |= ~hit
        if missing.any():
            vecs = self._index.reconstruct(vids[missing])
            for sim, q in zip(out, queries[first:], strict=True):
                sim[missing] = vecs @ q
        return out

    def _candidates(self, queries: np.ndarray, depth: int, allowed: np.ndarray | None,
                    exclude_vid: int | None = None) -> dict[int, CreatorRow]:
        """Creators worth scoring: the depth nearest neighbours of each query vector among the
        allowed vids (None: all), by vid."""
        if exclude_vid is not None and allowed is not None:
            allowed = allowed[allowed != exclude_vid]
        if allowed is not None and not len(allowed):
            return {}
        with self._rw.read():
            _, ids = self._index.search(queries, depth + (exclude_vid is not None), allowed)
        vids = np.unique(ids[ids >= 0])
        if exclude_vid is not None:
            vids = vids[vids != exclude_vid]
        return self.catalog.rows(vids)

    def similar(self, creator_id: str, k: int = 10,
                filters: Filters | dict | None = None) -> list[Match]:
        """Lookalikes: creators whose content is closest to this creator's, explained."""
        f = Filters.model_validate(filters or {})
        self._check_tiers(f)
        self._refresh()
        vid = self.catalog.vid_of(creator_id)
        if vid is None:
            raise NotFoundError(f"no creator with id {creator_id!r}")
        source = self.catalog.rows([vid])[vid]
        q = _unit(source.vector)
        cands = self._candidates(q[None, :], _depth(k), self.catalog.candidates(f),
                                 exclude_vid=vid)
        scored = [Candidate(row=r, similarity=float(r.vector @ q), values_similarity=None)
                  for _, r in sorted(cands.items())]
        ranked = self.ranker.score(scored, None)
        chosen = self.ranker.select(ranked, k)
        texts = self.catalog.texts_of([c.row.vid for c in chosen])
        return [self.ranker.explain(c, q, texts.get(c.row.vid, [])) for c in chosen]

    def stats(self) -> dict:
        s = self.catalog.stats()
        m = self._manifest
        return {**s, "model": self.embedder.name,
                "query_precision": getattr(self.embedder, "query_precision", None),
                "index_kind": None if self._index is None else self._index.kind,
                "vectors": len(self), "tier_scheme": self.tiers.name,
                "generation": m.generation if m else 0}

    def check(self, repair: bool = False) -> list[str]:
        """Problems found in the index directory (empty when healthy); repair rebuilds the
        vectors from the catalog and writes a fresh snapshot."""
        problems: list[str] = []
        integrity = self.catalog.integrity_check()
        if integrity != "ok":
            problems.append(f"{self.catalog.path}: SQLite integrity check: {integrity}")
        m = Manifest.read(self.path)  # none yet after a first write killed before its snapshot:
        # not a problem, the vectors were rebuilt from the catalog on open
        if m is not None:
            file = self.path / m.index_file
            if not file.exists():
                problems.append(f"{file}: missing")
            elif sha256_file(file) != m.index_sha256:
                problems.append(f"{file}: checksum mismatch")
            if m.generation > self.catalog.generation:
                problems.append(f"{self.path}: snapshot generation {m.generation} is ahead of the "
                                f"catalog's {self.catalog.generation}")
        if len(self) != self.catalog.count():
            problems.append(f"{self.path}: {len(self)} vectors for {self.catalog.count()} "
                            "creators in the catalog")
        if (problems or m is None) and repair and integrity == "ok":
            with self._writing():
                with self._rw.write():
                    self._index = self._rebuild_from_catalog()
                self._snapshot()
        return problems


def _catalog_meta(path: Path, key: str) -> str | None:
    """One value of the catalog's meta table, read without creating anything."""
    import sqlite3

    file = path / CATALOG
    if not file.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def _depth(k: int) -> int:
    """How many neighbours to score for k results: the ranker re-orders by more than
    similarity, so it needs a deep pool to choose from."""
    return max(k * 10, 200)


def _unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / max(float(np.linalg.norm(v)), 1e-12)
