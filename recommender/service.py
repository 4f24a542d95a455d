"""Recommender: the library's entry point, a thin facade over the flow

    ingest.py (read, validate) -> indexer.py (signals, embed, commit)
        -> storage/ (catalog + vectors) -> retrieval.py (pool) -> ranking.py (score, select)
        -> explain.py (matches)

It opens an index directory (checking that it was built with this model and tier scheme) and
hands each call to the part that does it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.store import (
    CATALOG,
    MANIFEST,
    SNAPSHOT_NAME,
    CatalogMissingError,
    CorruptIndexError,
    Manifest,
)

from .answering import Answering
from .embedding import INT8_SUFFIX, Embedder, make_embedder
from .errors import (
    IngestRejected,
    InvalidInputError,
    ModelMismatchError,
    NotFoundError,
    shown,
)
from .indexer import Indexer, IngestReport
from .ingest import read_objects, read_paths
from .ranking import Ranker
from .records import Parsed
from .retrieval import Retriever, stored_vectors
from .schema import Brief, Creator, Filters, Match
from .storage import health
from .storage.catalog import Catalog
from .storage.database import read_meta
from .storage.vectors import VectorStore
from .tiers import scheme as tier_scheme

__all__ = ["IngestRejected", "IngestReport", "ModelMismatchError", "NotFoundError",
           "Recommender"]


class Recommender(Answering):
    """One index directory, one embedding model, one ranker. Opening a directory that holds
    no index is an error unless create=True: a mistyped path never answers an empty list."""

    def __init__(self, path: str | Path, *, model: str | None = None,
                 embedder: Embedder | None = None, tiers: str | None = None,
                 ranker: Ranker | None = None, create: bool = False,
                 lock_timeout: float = 10.0, recover: bool = False) -> None:
        self.path = Path(path)
        _check_catalog(self.path)
        manifest = _read_manifest(self.path, ignore_damage=recover)
        if manifest is None and not create and not (self.path / CATALOG).exists():
            raise FileNotFoundError(
                f"no index at {self.path}: check the path, or create one with "
                f"Recommender({str(self.path)!r}, create=True) or 'creator-match ingest FILE "
                f"--index {self.path}'")
        built_with = manifest.model if manifest else read_meta(self.path / CATALOG, "model")
        if embedder is None:
            embedder = make_embedder(model or built_with)
        if built_with is not None and embedder.name != built_with:
            raise _mismatch(self.path, built_with, embedder.name)
        stored_tiers = (manifest.tier_scheme if manifest
                        else read_meta(self.path / CATALOG, "tier_scheme"))
        if stored_tiers is not None and tiers is not None and tiers != stored_tiers:
            raise InvalidInputError(f"index {self.path} uses tier scheme {stored_tiers!r}, not "
                                    f"{tiers!r}; tiers are fixed when an index is created")
        self.embedder = embedder
        self.tiers = tier_scheme(stored_tiers or tiers or "mission")
        self.ranker = ranker or Ranker(tiers=self.tiers)
        if self.ranker.tiers is not self.tiers:
            self.ranker.tiers = self.tiers
        self.path.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(self.path / CATALOG, read_only=not _writable(self.path))
        self.store = VectorStore(self.path, self.catalog, embedder.name, self.tiers.name,
                                 embedder.dim, manifest, lock_timeout, recover)
        self.indexer = Indexer(self.store, embedder, self.tiers)
        self.retriever = Retriever(self.store, embedder)

    def close(self) -> None:
        """Snapshot what this instance wrote since the last snapshot, then close."""
        self.store.close()
        self.retriever.close()
        self.catalog.close()

    def __enter__(self) -> Recommender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self.store)

    def _version(self) -> object:
        m = self.store.manifest
        return m.generation if m else 0

    def count(self) -> int:
        """Creators in the index as committed, another process's writes included."""
        self.store.refresh()
        return len(self.store)

    # -- writing -------------------------------------------------------------------------------

    def ingest(self, paths: Iterable[str | Path], *, strict: bool = False,
               progress: bool = False, ignore_unknown: bool = False,
               platform: str | None = None) -> IngestReport:
        """Read files (JSONL, JSON, CSV or Excel) and upsert their creators; ignore_unknown:
        leave out the fields and columns the ingest format does not have (the report names
        them) instead of rejecting their records and tables; platform: that of every record
        that names none (a file of one platform's accounts)."""
        return self.indexer.ingest(read_paths(paths, ignore_unknown, platform), strict=strict,
                                   progress=progress)

    def upsert(self, records: Sequence[object], *, strict: bool = False,
               source: str = "request", ignore_unknown: bool = False,
               platform: str | None = None) -> IngestReport:
        """Validate and upsert already-decoded records (dicts or Creator objects)."""
        objs = [r.model_dump(mode="json") if isinstance(r, Creator) else r for r in records]
        return self.indexer.ingest(read_objects(objs, source, ignore_unknown, platform),
                                   strict=strict)

    def ingest_parsed(self, parsed: Parsed, *, strict: bool = False, progress: bool = False,
                      known: dict[str, np.ndarray] | None = None) -> IngestReport:
        """Upsert parsed records; known: vectors by text hash encoded elsewhere."""
        return self.indexer.ingest(parsed, strict=strict, progress=progress, known=known)

    def remove(self, ids: Sequence[str]) -> list[str]:
        """Delete creators (by id or handle) everywhere; returns the ids of those that
        existed."""
        return self.indexer.remove([self.catalog.resolve(r) or r for r in ids])

    def snapshot(self) -> None:
        """Write the vectors' snapshot now (opening then has nothing to replay)."""
        self.store.snapshot()

    # -- reading -------------------------------------------------------------------------------

    def browse(self, filters: Filters | dict[str, Any] | None = None, after: int = 0,
               limit: int = 100) -> tuple[list[dict[str, Any]], int | None]:
        """The catalogue, a page at a time: creators passing the filters in storage order,
        after the cursor (0 = from the start); with the cursor of the next page, or None."""
        f = Filters.model_validate(filters or {})
        self._check_filters(f)
        items, vids, more = self.page(f, after, limit)
        return items, (vids[-1] if more and vids else None)

    def page(self, f: Filters, after: int, limit: int
             ) -> tuple[list[dict[str, Any]], list[int], bool]:
        """(the creators passing f after vid `after`, at most limit, in storage order; their
        vids; whether more follow)."""
        self.store.refresh()
        vids = self.catalog.filters.candidates(f)
        if vids is None:
            page = [v for (v,) in self.catalog.db.rows(
                "SELECT vid FROM creators WHERE vid > ? ORDER BY vid LIMIT ?", (after, limit + 1))]
        else:
            page = vids[vids > after][:limit + 1].tolist()
        rows = self.catalog.rows(page[:limit])
        items = [{"id": r.id, "handle": r.handle, "platform": r.platform, "tier": r.tier,
                  "followers": r.followers, "country": r.country, "language": r.language,
                  "categories": r.categories, "engagement_rate": r.engagement_rate}
                 for r in (rows[v] for v in page[:limit] if v in rows)]
        return items, page[:limit], len(page) > limit

    def match(self, brief: Brief | dict[str, Any]) -> list[Match]:
        """Ranked, explained creators for a brief, best first."""
        if not isinstance(brief, Brief):
            brief = Brief.model_validate(brief)
        self._check_filters(brief.filters)
        self.store.refresh()
        pool, query, terms = self.retriever.pool(brief, lexical_search=self.ranker.hybrid)
        return self._ranked(pool, brief.objective, brief.k, query, terms)

    def content_vectors(self, vids: np.ndarray) -> np.ndarray:
        return stored_vectors(self.store, vids)

    def similar(self, creator_id: str, k: int = 10,
                filters: Filters | dict[str, Any] | None = None) -> list[Match]:
        """Lookalikes: creators whose content is closest to this creator's, explained."""
        f = Filters.model_validate(filters or {})
        self._check_filters(f)
        self.store.refresh()
        cid = self.catalog.resolve(creator_id)
        vid = None if cid is None else self.catalog.vid_of(cid)
        if cid is None or vid is None:
            raise NotFoundError(f"no creator with id or handle {shown(creator_id)}")
        pool, query = self.retriever.neighbours(vid, k, f)
        return self._ranked(pool, None, k, query, [])

    def stats(self) -> dict[str, Any]:
        m = self.store.manifest
        return {**self.catalog.stats(), "model": self.embedder.name,
                "query_precision": getattr(self.embedder, "query_precision", None),
                "index_kind": None if self.store.index is None else self.store.index.kind,
                "vectors": len(self), "tier_scheme": self.tiers.name,
                "generation": m.generation if m else 0}

    def check(self, repair: bool = False) -> list[str]:
        """Problems found in the index directory (empty when healthy); repair rebuilds the
        vectors from the catalog and writes a fresh snapshot."""
        return health.check(self.store, repair)

    def stale_snapshots(self) -> list[str]:
        """Snapshot files left by a crash (harmless; the next write removes them)."""
        return health.stale_snapshots(self.path)


def _writable(path: Path) -> bool:
    """Whether this process may write the index directory and its catalog (a read-only one
    still answers every read)."""
    catalog = path / CATALOG
    return os.access(path, os.W_OK) and (not catalog.exists() or os.access(catalog, os.W_OK))


def _check_catalog(path: Path) -> None:
    """Refuse a directory whose vectors outlived its catalog: the catalog is the source of truth,
    and creating an empty one there would answer nothing and let a repair drop the vectors."""
    if not path.is_dir():
        return
    file = path / CATALOG
    if file.exists() and file.stat().st_size > 0:
        return
    if (path / MANIFEST).exists() or any(SNAPSHOT_NAME.fullmatch(p.name)
                                        for p in path.glob("vectors.*.faiss")):
        state = "is empty (0 bytes)" if file.exists() else "is missing"
        raise CatalogMissingError(
            f"{file} {state}, but {path} holds an index: the catalog is its source of truth and "
            "cannot be rebuilt from the vectors. Restore catalog.sqlite from a backup, or ingest "
            "the source files into a new index directory. Nothing was changed.")


def _read_manifest(path: Path, ignore_damage: bool) -> Manifest | None:
    """The directory's manifest; a damaged one is None when recovering (the repair rebuilds it
    from the catalog), else an error."""
    if not path.is_dir():
        return None
    try:
        return Manifest.read(path)
    except CorruptIndexError:
        if ignore_damage:
            return None
        raise


def _mismatch(path: Path, built_with: str, used: str) -> ModelMismatchError:
    base = built_with.removesuffix(INT8_SUFFIX)
    if base == used.removesuffix(INT8_SUFFIX):  # same model, int8 or not
        return ModelMismatchError(
            f"index {path} was built with {built_with!r}, but this run uses {used!r}: int8 "
            "vectors and the other paths' differ, so they never share an index. " + (
                "Set CREATOR_MATCH_PRECISION=int8 for this index."
                if built_with.endswith(INT8_SUFFIX) else
                "Use another precision than int8 (CREATOR_MATCH_PRECISION) for it.")
            + " Or ingest into a new index directory.")
    return ModelMismatchError(
        f"index {path} was built with model {built_with!r}, but this run uses {used!r}. Use "
        f"--model {built_with} (or no --model) with this index, or ingest into a new index "
        "directory to use the other model.")
