"""Sharded serving: a brief answered over N shard indexes as one index holding every creator
would answer it.

    creator-match serve --shards DIR[,DIR...] [--ray ADDR] [--replicas R]

The coordinator (ShardedRecommender) holds the encoder and the ranker; each shard (ShardServer,
in this process or as Ray actors) holds one ordinary creator-match index and never encodes:

1. The brief is encoded once, by the coordinator.
2. With lexical search on, every shard gives its document count, token count and the document
   frequencies of the brief's words; their sums make the one BM25 query (IDF, rare words, mean
   length) every shard then scores with, as distributed search engines sum term statistics.
3. Every shard gives its candidates as columns: its top `depth` of each query vector (exact
   below the index's flat size), every creator holding the brief's rare words with its BM25,
   and for all of them their cosines, BM25, tier, engagement and authenticity.
4. The coordinator keeps what one index would have kept (each query vector's global top
   `depth`, the rare-word creators' global top `depth`), ranks that pool once, reads the rows
   and post vectors of its shortlist from the shards that hold them, re-scores, selects and
   explains (answering.Answering, the same code as one index). With exact indexes the top k
   is that of one index of every creator (tests/test_sharding.py).

With --shared-replicas the replicas are named, detached actors: every coordinator serving the
same directories on the cluster uses the same ones (several coordinators behind a load
balancer), and they outlive each of them until `serve --stop-replicas` (stop_replicas).

A shard that does not answer (every replica down, or past the timeout) makes the whole answer
fail with ShardUnavailableError, naming the shard (HTTP 503): a partial pool would rank the
others' creators as if they were all, a wrong answer presented as whole. Replicas of a shard
(Ray actors on the same directory) share its calls round-robin and stand in for one another.

A creator's global vid is `local vid * N + shard`; the coordinator's rows carry it.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import pickle
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.store import CATALOG, Manifest

from . import lexical
from .answering import Answering, PostVectors
from .batching import QueryBatcher
from .embedding import Embedder, encode_queries, make_embedder
from .errors import CreatorMatchError, InvalidInputError, ModelMismatchError, NotFoundError, shown
from .lexical.tokens import Query
from .pool import CreatorRow, Pool
from .query_text import query_texts
from .ranking import Ranker
from .retrieval import BriefVectors, depth_for, nearest, searched, unit
from .schema import Brief, Filters, Match
from .storage.database import read_meta
from .tiers import scheme as tier_scheme

log = logging.getLogger("creator_match.sharding")

BROWSE_SHARD = 2**40  # a browse cursor: shard * BROWSE_SHARD + the shard's own vid


class ShardUnavailableError(CreatorMatchError):
    """A shard did not answer: no answer is given rather than one missing its creators."""


class OverlappingShardsError(ShardUnavailableError):
    """One creator is in two of the shards given: their answers cannot be one index's."""


class ReadOnlyShardsError(CreatorMatchError):
    """Writes go through the shards' ingest, not through a sharded server."""


class _NoEncoder:
    """What a shard holds in place of a model: its name and width, to open the index. The
    coordinator encodes every brief; a shard never does."""

    loaded = True

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim = name, dim

    def encode(self, texts: Sequence[str], **_: Any) -> np.ndarray:
        raise RuntimeError("a shard does not encode: the coordinator sends vectors")


# -- one shard ----------------------------------------------------------------------------------

class ShardServer:
    """One shard index, answering the coordinator with plain data (numpy arrays, rows, dicts):
    the same object serves in process and as a Ray actor."""

    def __init__(self, path: str, model: str, dim: int) -> None:
        from .service import Recommender

        self.path = path
        self.rec = Recommender(path, embedder=_NoEncoder(model, dim))
        self.catalog = self.rec.catalog

    def close(self) -> None:
        self.rec.close()

    def ping(self) -> str:
        return self.path

    def packed(self, method: str, *args: Any) -> bytes:
        """A method's answer pickled in one piece: Ray would otherwise carry each of its many
        small arrays (a vector a row, a matrix a creator) as a separate buffer, 10 ms a call
        for a shortlist of 60 on loopback."""
        return pickle.dumps(getattr(self, method)(*args), protocol=pickle.HIGHEST_PROTOCOL)

    def stats(self) -> dict[str, Any]:
        self.rec.store.refresh()
        return self.rec.stats()

    def count(self) -> int:
        return self.rec.count()

    def lexical_stats(self, words: list[str]) -> tuple[int, int, dict[str, int]]:
        """(documents, tokens, document frequency of each word) of this shard's lexical
        index."""
        lex = self.catalog.lexical
        with self.catalog.db.lock:
            n, total = lex.averages()
            return n, total, lex.df(words)

    def candidates(self, queries: np.ndarray, first: int, depth: int, filters: Filters,
                   lq: Query | None) -> dict[str, Any]:
        """This shard's part of a pool (Retriever.pool, with the collection's BM25 query lq):
        each query vector's top depth (ids, scores), the creators using lq's rare words with
        their BM25 on those words (all of them: the coordinator keeps the global top depth),
        and the columns of their union."""
        rec = self.rec
        rec.store.refresh()
        empty = _empty_candidates(len(queries), len(queries) - first)
        index = rec.store.index
        if index is None or not len(index):
            return empty
        vids = self.catalog.filters.candidates(filters)
        if vids is not None and not len(vids):
            return empty
        allowed = None if vids is None else index.prepare(vids)
        hits, hit_scores = np.zeros(0, np.int64), np.zeros(0, np.float64)
        if lq is not None and lq.rare:
            found, _ = self.catalog.lexical.ranked(lq.rare, 2**31 - 1,
                                                   None if allowed is None else allowed.ids)
            rare = Query(list(lq.rare), {w: lq.idf[w] for w in lq.rare}, list(lq.rare),
                         lq.avgdl)
            hits, hit_scores = found, self.catalog.lexical.scores(rare, found)
        ids, scores, cand, sims = searched(rec.store, queries, first, depth, allowed, hits)
        live, tier, engagement, authenticity, language = self.catalog.filters.features(cand)
        bm25 = (self.catalog.lexical.scores(lq, cand) if lq is not None
                else np.zeros(len(cand), np.float64))
        return {"ids": ids, "scores": scores, "hits": hits, "hit_scores": hit_scores,
                "vids": cand, "sims": np.stack(sims) if sims else np.zeros((0, len(cand))),
                "live": live, "tier": tier, "engagement": engagement,
                "authenticity": authenticity, "language": language, "bm25": bm25}

    def neighbours(self, q: np.ndarray, depth: int, filters: Filters, exclude: int | None
                   ) -> dict[str, np.ndarray]:
        """This shard's part of a lookalikes pool (Retriever.neighbours): its top depth by
        cosine with q among the creators the filters allow (exclude left out when filters are
        set, as one index does), with their columns."""
        rec = self.rec
        rec.store.refresh()
        out: dict[str, np.ndarray] = {
            "ids": np.zeros(0, np.int64), "scores": np.zeros(0, np.float32),
            "live": np.zeros(0, bool), "tier": np.zeros(0, dtype=object),
            "engagement": np.zeros(0), "authenticity": np.zeros(0), "sims": np.zeros(0)}
        allowed = self.catalog.filters.candidates(filters)
        if allowed is not None and exclude is not None:
            allowed = allowed[allowed != exclude]
        if (allowed is not None and not len(allowed)) or rec.store.index is None:
            return out
        ids, scores, sims = nearest(rec.store, self.catalog, q, depth, allowed)
        live, tier, engagement, authenticity, _ = self.catalog.filters.features(ids)
        return {"ids": ids, "scores": scores, "live": live, "tier": tier,
                "engagement": engagement, "authenticity": authenticity, "sims": sims}

    def rows(self, vids: list[int]) -> dict[int, CreatorRow]:
        return self.catalog.rows(vids)

    def shortlist(self, vids: list[int], basis: np.ndarray | None = None
                  ) -> tuple[dict[int, CreatorRow], PostVectors]:
        """Rows and post vectors of a shortlist, in one trip; the vectors as float16, as the
        catalog stores them (exact, and half the bytes to carry), or, given an orthonormal
        basis (rows), as their coordinates in it: a few numbers a post instead of hundreds."""
        rows = self.catalog.rows(vids)
        for row in rows.values():
            row.vector = row.vector.astype(np.float16)
        posts = self.catalog.post_vectors(list(rows))
        if basis is not None:
            return rows, {v: (pids, m @ basis.T) for v, (pids, m) in posts.items()}
        return rows, {v: (pids, m.astype(np.float16)) for v, (pids, m) in posts.items()}

    def explained(self, vids: list[int], bodies: bool, vectors: bool
                  ) -> tuple[dict[int, list[tuple[str | None, str, np.ndarray | None]]],
                             list[tuple[int, str]]]:
        """The chosen's texts (with their vectors unless the coordinator holds them) and
        (bodies) lexical bodies, in one trip."""
        texts = {v: [(pid, text, x if vectors else None) for pid, text, x in items]
                 for v, items in self.catalog.texts_of(vids).items()}
        return texts, self.catalog.lexical.bodies(vids) if bodies else []

    def vids_of(self, ids: list[str]) -> dict[str, int]:
        return self.catalog.vids_of(ids)

    def records(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        return self.catalog.records(ids)

    def lookup(self, ref: str) -> list[tuple[str, str]]:
        """[(ref, '')] when ref is an id here, else the (id, platform) of the creators whose
        handle it is (at most 11)."""
        if self.catalog.vid_of(ref) is not None:
            return [(ref, "")]
        bare = ref.removeprefix("@")
        return [(str(i), str(p)) for i, p in self.catalog.db.rows(
            "SELECT id, platform FROM creators WHERE handle IN (?, ?) ORDER BY id LIMIT 11",
            (ref, "@" + bare))]

    def vocabularies(self, columns: list[str]) -> dict[str, list[str]]:
        return self.catalog.filters.vocabularies(columns)

    def counts_alone(self, f: Filters) -> dict[str, int]:
        return self.catalog.filters.counts_alone(f)

    def browse(self, f: Filters, after: int, limit: int
               ) -> tuple[list[dict[str, Any]], list[int], bool]:
        """(a page of the shard's catalogue after vid `after`, their vids, whether more
        follow)."""
        return self.rec.page(f, after, limit)


def _empty_candidates(rows: int, sim_rows: int) -> dict[str, np.ndarray]:
    return {"ids": np.full((rows, 0), -1, np.int64), "scores": np.zeros((rows, 0), np.float32),
            "hits": np.zeros(0, np.int64), "hit_scores": np.zeros(0, np.float64),
            "vids": np.zeros(0, np.int64), "sims": np.zeros((sim_rows, 0)),
            "live": np.zeros(0, bool), "tier": np.zeros(0, dtype=object),
            "engagement": np.zeros(0), "authenticity": np.zeros(0),
            "language": np.zeros(0, dtype=object),
            "bm25": np.zeros(0, np.float64)}


# -- reaching a shard ---------------------------------------------------------------------------

class _Call:
    """A call in flight to one shard; result() gives its answer or raises
    ShardUnavailableError."""

    def __init__(self, get: Callable[[], Any]) -> None:
        self._get = get

    def result(self) -> Any:
        return self._get()


class Shard(Protocol):
    """One shard as the coordinator reaches it."""

    name: str

    def submit(self, method: str, *args: Any) -> _Call: ...

    def close(self) -> None: ...


class LocalShard:
    """A shard opened in this process; calls run on the coordinator's threads."""

    def __init__(self, name: str, server: ShardServer, pool: ThreadPoolExecutor) -> None:
        self.name, self.server, self._pool = name, server, pool

    def submit(self, method: str, *args: Any) -> _Call:
        future = self._pool.submit(getattr(self.server, method), *args)
        return _Call(future.result)

    def close(self) -> None:
        self.server.close()


class RayShard:
    """A shard served by Ray actors (its replicas) on the same directory: calls go round-robin;
    a replica that died or stalls past the timeout hands the call to the next one; with none
    left, ShardUnavailableError."""

    def __init__(self, name: str, actors: list[Any], timeout: float, owned: bool = True) -> None:
        self.name, self.actors, self.timeout, self.owned = name, actors, timeout, owned
        self._next = itertools.count()
        self._lock = threading.Lock()

    def submit(self, method: str, *args: Any) -> _Call:
        import ray

        with self._lock:
            start = next(self._next)
        order = [self.actors[(start + i) % len(self.actors)] for i in range(len(self.actors))]
        first = order[0].packed.remote(method, *args)

        def get() -> Any:
            ref, errors = first, []
            for i, actor in enumerate(order):
                if i:
                    ref = actor.packed.remote(method, *args)
                try:
                    return pickle.loads(ray.get(ref, timeout=self.timeout))
                except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError) as e:
                    errors.append(type(e).__name__)
                    log.warning("shard %s: a replica failed (%s); %d left", self.name,
                                type(e).__name__, len(order) - i - 1)
            raise ShardUnavailableError(
                f"shard {self.name} did not answer ({len(order)} replica(s): "
                f"{', '.join(errors)}); no answer is given without its creators")
        return _Call(get)

    def close(self) -> None:
        """End the replicas this coordinator started (shared ones outlive it)."""
        import ray

        if self.owned:
            for a in self.actors:
                ray.kill(a)


def _gather(calls: list[_Call]) -> list[Any]:
    """Every shard's answer; the shards that did not answer named together."""
    out, down = [], []
    for c in calls:
        try:
            out.append(c.result())
        except ShardUnavailableError as e:
            down.append(str(e))
    if down:
        raise ShardUnavailableError("; ".join(down))
    return out


# -- the coordinator ----------------------------------------------------------------------------

class _ShardedFilters:
    def __init__(self, owner: ShardedCatalog) -> None:
        self.owner = owner

    def vocabularies(self, columns: list[str]) -> dict[str, list[str]]:
        """Each column's values over every shard: one call a shard for all the columns."""
        values: dict[str, set[str]] = {c: set() for c in columns}
        for got in self.owner.all("vocabularies", columns):
            for c, known in got.items():
                values[c].update(known)
        return {c: sorted(v) for c, v in values.items()}

    def counts_alone(self, f: Filters) -> dict[str, int]:
        out: dict[str, int] = {}
        for got in self.owner.all("counts_alone", f):
            for name, n in got.items():
                out[name] = n if out.get(name, -1) < 0 else out[name] + max(n, 0)
        return out


class ShardedCatalog:
    """The catalog reads the answer flow makes, by global vid, routed to the shards."""

    def __init__(self, shards: Sequence[Shard]) -> None:
        self.shards = shards
        self.n = len(shards)
        self.filters = _ShardedFilters(self)

    def all(self, method: str, *args: Any) -> list[Any]:
        return _gather([s.submit(method, *args) for s in self.shards])

    def _split(self, gvids: Sequence[int] | np.ndarray) -> dict[int, list[int]]:
        by: dict[int, list[int]] = {}
        for g in np.asarray(gvids, np.int64).tolist():
            local, shard = divmod(g, self.n)
            by.setdefault(shard, []).append(local)
        return by

    def global_vid(self, local: int, shard: int) -> int:
        return local * self.n + shard

    def per_shard(self, method: str, gvids: Sequence[int] | np.ndarray, *args: Any
                  ) -> list[tuple[int, Any]]:
        """(shard, its answer) of a per-vid read, each shard asked for its own vids only."""
        by = self._split(gvids)
        shards = sorted(by)
        got = _gather([self.shards[s].submit(method, by[s], *args) for s in shards])
        return list(zip(shards, got, strict=True))

    def _by_vid(self, method: str, gvids: Sequence[int] | np.ndarray) -> dict[int, Any]:
        """{global vid: answer} of a per-vid read."""
        return {self.global_vid(local, s): value for s, part in self.per_shard(method, gvids)
                for local, value in part.items()}

    def rows(self, gvids: Sequence[int] | np.ndarray) -> dict[int, CreatorRow]:
        out = self._by_vid("rows", gvids)
        for g, row in out.items():
            row.vid = g
        return self.distinct(out)

    def distinct(self, rows: dict[int, CreatorRow]) -> dict[int, CreatorRow]:
        """The rows, refused when one creator comes from two shards (directories that
        overlap, such as a shard listed beside the index it was split from): the answer would
        hold that creator twice."""
        seen: dict[str, int] = {}
        for g, row in rows.items():
            other = seen.setdefault(row.id, g)
            if other != g:
                a, b = sorted((self.shards[other % self.n].name, self.shards[g % self.n].name))
                raise OverlappingShardsError(
                    f"creator {shown(row.id)} is in two of the shards given, {a} and {b}: "
                    "shards must not overlap; serve the shards of one sharded ingest, or "
                    "one index")
        return rows

    def vids_of(self, ids: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for s, got in enumerate(self.all("vids_of", list(ids))):
            out.update((cid, local * self.n + s) for cid, local in got.items())
        return out

    def vid_of(self, creator_id: str) -> int | None:
        return self.vids_of([creator_id]).get(creator_id)

    def records(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for got in self.all("records", list(ids)):
            out.update(got)
        return out

    def record(self, creator_id: str) -> dict[str, Any] | None:
        return self.records([creator_id]).get(creator_id)

    def resolve(self, ref: str) -> str | None:
        """As Catalog.resolve, over every shard: an id, else a handle no two creators share."""
        found: list[tuple[str, str]] = []
        for got in self.all("lookup", ref):
            if got and got[0] == (ref, ""):
                return ref
            found += got
        found.sort()
        if len(found) > 1:
            listed = ", ".join(f"{cid} ({platform})" for cid, platform in found[:10])
            raise InvalidInputError(f"{shown(ref)} is the handle of {len(found)}"
                                    f"{'+' if len(found) > 10 else ''} creators: {listed}; "
                                    "give one of their ids")
        return found[0][0] if found else None


def shard_paths(specs: Sequence[str | Path]) -> list[Path]:
    """The shard directories given: each an index directory, or a root written by the
    distributed ingest (its shards.json lists them)."""
    from .distributed import MANIFEST, shard_dirs

    out: list[Path] = []
    for spec in specs:
        p = Path(spec)
        if (p / MANIFEST).is_file():
            out += shard_dirs(p)
        elif (p / CATALOG).is_file():
            out.append(p)
        else:
            raise InvalidInputError(f"--shards: {p} is neither an index directory nor a "
                                    f"directory of shards ({MANIFEST})")
    if not out:
        raise InvalidInputError("--shards: give at least one shard directory")
    dup = {str(p.resolve()) for p in out}
    if len(dup) != len(out):
        raise InvalidInputError("--shards: a shard directory is listed twice; its creators "
                                "would count twice")
    return out


def _built_with(path: Path) -> tuple[str, int, str]:
    """(model, vector width, tier scheme) a shard was built with."""
    m = Manifest.read(path)
    if m is None:
        model = read_meta(path / CATALOG, "model")
        if model is None:
            raise InvalidInputError(f"--shards: {path} holds no creator yet")
        raise InvalidInputError(f"--shards: {path} has no vectors yet (model {model}); ingest "
                                "into it first")
    return m.model, m.dim, m.tier_scheme


class ShardedRecommender(Answering):
    """Matches, lookalikes, plans and reads over a set of shards, answered as one index holding
    every creator would answer them. Read-only: writes go to the shards' ingest."""

    def __init__(self, shards: Sequence[str | Path], *, model: str | None = None,
                 embedder: Embedder | None = None, ranker: Ranker | None = None,
                 ray_address: str | None = None, replicas: int = 1,
                 replica_cpus: float = 1.0, shared_replicas: bool = False,
                 timeout: float = 30.0) -> None:
        paths = shard_paths(shards)
        built = {p: _built_with(p) for p in paths}
        kinds = {(m, d, t) for m, d, t in built.values()}
        if len(kinds) > 1:
            listed = "; ".join(f"{p}: {m} ({t} tiers)" for p, (m, _, t) in built.items())
            raise InvalidInputError(f"--shards: the shards were built differently ({listed}); "
                                    "they must share one encoder and one tier scheme")
        model_name, dim, tiers = kinds.pop()
        self.embedder = embedder or make_embedder(model or model_name)
        if self.embedder.name != model_name:
            raise ModelMismatchError(f"the shards were built with model {model_name!r}, but "
                                     f"this run uses {self.embedder.name!r}")
        if replicas < 1:
            raise InvalidInputError(f"--replicas: {replicas}; at least 1")
        if not replica_cpus > 0:
            raise InvalidInputError(f"--replica-cpus: {replica_cpus}; more than 0")
        self.paths = paths
        self.tiers = tier_scheme(tiers)
        self.ranker = ranker or Ranker(tiers=self.tiers)
        self.ranker.tiers = self.tiers
        self._threads = ThreadPoolExecutor(max(4, 2 * len(paths)),
                                           thread_name_prefix="cm-shards")
        self.shards: Sequence[Shard]
        if ray_address is None:
            if replicas > 1 or shared_replicas:
                raise InvalidInputError("--replicas: replicas are Ray actors; give --ray ADDR")
            self.shards = [LocalShard(str(p), ShardServer(str(p), model_name, dim),
                                      self._threads) for p in paths]
        else:
            self.shards = _ray_shards(paths, model_name, dim, ray_address, replicas,
                                      replica_cpus, timeout, shared_replicas)
        self.catalog = ShardedCatalog(self.shards)
        # post vectors cross the network as coordinates (shortlist_reads); in process, whole
        self.project_posts = ray_address is not None
        window = float(os.environ.get("CREATOR_MATCH_BATCH_WINDOW_MS") or "1")
        self.batcher = None if window < 0 else QueryBatcher(
            lambda texts: encode_queries(self.embedder, texts), window_s=window / 1e3)

    def close(self) -> None:
        for s in self.shards:
            s.close()
        self._threads.shutdown(wait=True)

    def __enter__(self) -> ShardedRecommender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self.count()

    def count(self) -> int:
        return int(sum(self.catalog.all("count")))

    def stats(self) -> dict[str, Any]:
        parts = self.catalog.all("stats")
        tiers: dict[str, int] = {}
        platforms: dict[str, int] = {}
        for p in parts:
            for k, v in p["tiers"].items():
                tiers[k] = tiers.get(k, 0) + v
            for k, v in p["platforms"].items():
                platforms[k] = platforms.get(k, 0) + v
        return {"creators": sum(p["creators"] for p in parts), "tiers": tiers,
                "platforms": platforms, "model": self.embedder.name,
                "query_precision": getattr(self.embedder, "query_precision", None),
                "index_kind": ",".join(sorted({str(p["index_kind"]) for p in parts})),
                "tier_scheme": self.tiers.name,
                "cached_texts": sum(p["cached_texts"] for p in parts),
                "updated_at": max((p["updated_at"] or "" for p in parts), default="") or None,
                "generation": sum(p["generation"] for p in parts),
                "vectors": sum(p["vectors"] for p in parts), "shards": len(parts)}

    # -- one trip a shard where one index reads twice ---------------------------------------------

    def shortlist_reads(self, vids: np.ndarray, pool: Pool
                        ) -> tuple[dict[int, CreatorRow], PostVectors]:
        """Across a network (Ray), for a brief without a values statement, the post vectors
        travel as their coordinates on the brief's vector and come back as their projections on
        it: the dot products explaining takes with it are the same, to float rounding, for a
        few bytes a post instead of a kilobyte. With a statement they travel whole: re-scoring
        refines the values direction from the posts themselves (evidence.refined)."""
        basis = None
        if self.project_posts and pool.brief_vector is not None and pool.values_vector is None:
            basis = (pool.brief_vector / max(float(np.linalg.norm(pool.brief_vector)), 1e-12)
                     )[None, :].astype(np.float32)
        rows: dict[int, CreatorRow] = {}
        vectors: PostVectors = {}
        for s, (part_rows, part_vectors) in self.catalog.per_shard("shortlist", vids, basis):
            for local, row in part_rows.items():
                row.vid = self.catalog.global_vid(local, s)
                row.vector = row.vector.astype(np.float32)
                rows[row.vid] = row
            vectors.update((self.catalog.global_vid(v, s), (pids, (
                m.astype(np.float32) if basis is None else m @ basis)))
                for v, (pids, m) in part_vectors.items())
        return self.catalog.distinct(rows), vectors

    def explained_reads(self, vids: list[int], vectors: PostVectors | None, bodies: bool
                        ) -> tuple[dict[int, list[tuple[str | None, str, np.ndarray]]],
                                   dict[int, str]]:
        held = vectors is not None and all(v in vectors for v in vids)
        texts: dict[int, list[tuple[str | None, str, np.ndarray]]] = {}
        stems: dict[int, str] = {}
        for s, (part_texts, part_bodies) in self.catalog.per_shard("explained", vids, bodies,
                                                                    not held):
            for v, items in part_texts.items():
                g = self.catalog.global_vid(v, s)
                if held:
                    assert vectors is not None
                    pids, mat = vectors[g]
                    at = {pid: i for i, pid in enumerate(pids)}
                    texts[g] = [(pid, text, mat[at[pid]]) for pid, text, _ in items]
                else:
                    texts[g] = [(pid, text, x) for pid, text, x in items if x is not None]
            stems.update((self.catalog.global_vid(v, s), b) for v, b in part_bodies)
        return texts, stems

    # -- writing is the shards' ingest's ---------------------------------------------------------

    def upsert(self, records: Sequence[object], **_: Any) -> Any:
        raise ReadOnlyShardsError(
            "this server answers over shards and does not write: add creators with "
            "'creator-match ingest FILE --ray --shards N --index ROOT' (a creator's shard is "
            "fixed by its id)")

    def ingest_parsed(self, parsed: Any, **_: Any) -> Any:
        return self.upsert([])  # refused, as every write

    def remove(self, ids: Sequence[str]) -> list[str]:
        raise ReadOnlyShardsError(
            "this server answers over shards and does not write: remove creators from their "
            "shard's index ('creator-match delete ID --index SHARD')")

    # -- reading ---------------------------------------------------------------------------------

    def browse(self, filters: Filters | dict[str, Any] | None = None, after: int = 0,
               limit: int = 100) -> tuple[list[dict[str, Any]], int | None]:
        """The shards' catalogues one after the other, a page at a time; the cursor holds the
        shard and its own vid."""
        f = Filters.model_validate(filters or {})
        self._check_filters(f)
        shard, local = divmod(after, BROWSE_SHARD)
        items: list[dict[str, Any]] = []
        cursor = None
        for s in range(shard, len(self.shards)):
            got, vids, more = self.shards[s].submit(
                "browse", f, local if s == shard else 0, limit - len(items)).result()
            items += got
            if len(items) >= limit:
                last_shard = more or s < len(self.shards) - 1
                cursor = s * BROWSE_SHARD + vids[-1] if last_shard and vids else None
                break
        return items, cursor

    def match(self, brief: Brief | dict[str, Any]) -> list[Match]:
        """Ranked, explained creators for a brief, over every shard."""
        if not isinstance(brief, Brief):
            brief = Brief.model_validate(brief)
        self._check_filters(brief.filters)
        texts = query_texts(brief.brief, brief.values)
        bv = BriefVectors.of(self.batcher.encode(texts) if self.batcher is not None
                             else encode_queries(self.embedder, texts))
        text = " ".join(texts)
        lq = self._lexical_query(text) if self.ranker.hybrid else None
        queries, first = bv.searched()
        depth = depth_for(brief.k)
        parts = self.catalog.all("candidates", queries, first, depth, brief.filters, lq)
        pool = self._merged(parts, depth, lq is not None)
        if not len(pool):
            return []
        bv.into(pool)
        pool.read_in(text)
        terms = lexical.brief_words(text) if lq is not None else []
        return self._ranked(pool, brief.objective, brief.k, bv.query, terms)

    def _lexical_query(self, text: str) -> Query:
        """The brief's BM25 query with the statistics of every shard summed."""
        words = lexical.terms(text)
        n, tokens, df = 0, 0, dict[str, int]()
        for sn, st, sdf in self.catalog.all("lexical_stats", words):
            n, tokens = n + sn, tokens + st
            for w, c in sdf.items():
                df[w] = df.get(w, 0) + c
        return Query.build(words, df, n, tokens)

    def _merged(self, parts: list[dict[str, np.ndarray]], depth: int, lexical_on: bool) -> Pool:
        """The pool one index would hold: each query vector's global top depth and the
        rare-word creators' global top depth, with their columns."""
        n = len(parts)
        keep: list[np.ndarray] = []
        rows = parts[0]["ids"].shape[0]
        for r in range(rows):
            gids = np.concatenate([p["ids"][r][p["ids"][r] >= 0] * n + s
                                   for s, p in enumerate(parts)])
            scores = np.concatenate([p["scores"][r][p["ids"][r] >= 0] for p in parts])
            keep.append(gids[np.lexsort((gids, -scores))[:depth]])
        hits = np.concatenate([p["hits"] * n + s for s, p in enumerate(parts)])
        hit_scores = np.concatenate([p["hit_scores"] for p in parts])
        keep.append(hits[np.lexsort((hits, -hit_scores))[:depth]])
        kept = np.unique(np.concatenate(keep))
        gvids = np.concatenate([p["vids"] * n + s for s, p in enumerate(parts)])
        take = np.isin(gvids, kept) & np.concatenate([p["live"] for p in parts])
        order = np.argsort(gvids[take], kind="stable")

        def column(name: str, row: int | None = None) -> np.ndarray:
            col = np.concatenate([p[name] if row is None else p[name][row] for p in parts])
            return col[take][order]

        if not take.any():
            return Pool.empty()
        sims = parts[0]["sims"].shape[0]
        keywords = None
        if lexical_on:
            bm25 = column("bm25")
            top = bm25.max(initial=0.0)
            keywords = bm25 / top if top > 0 else None
        return Pool(vids=gvids[take][order], similarity=column("sims", 0),
                    values_similarity=column("sims", 1) if sims > 1 else None,
                    keywords=keywords, tier=column("tier"), engagement=column("engagement"),
                    authenticity=column("authenticity"), language=column("language"))

    def similar(self, creator_id: str, k: int = 10,
                filters: Filters | dict[str, Any] | None = None) -> list[Match]:
        """Lookalikes over every shard: the creators whose content is closest to this one's."""
        f = Filters.model_validate(filters or {})
        self._check_filters(f)
        cid = self.catalog.resolve(creator_id)
        gvid = None if cid is None else self.catalog.vid_of(cid)
        if cid is None or gvid is None:
            raise NotFoundError(f"no creator with id or handle {shown(creator_id)}")
        owner_local, owner = divmod(gvid, len(self.shards))
        q = unit(self.catalog.rows([gvid])[gvid].vector)
        depth = depth_for(k)
        parts = _gather([s.submit("neighbours", q, depth + 1, f,
                                  owner_local if i == owner else None)
                         for i, s in enumerate(self.shards)])
        n = len(parts)
        gids = np.concatenate([p["ids"] * n + s for s, p in enumerate(parts)])
        scores = np.concatenate([p["scores"] for p in parts])
        cols = {name: np.concatenate([p[name] for p in parts])
                for name in ("live", "tier", "engagement", "authenticity", "sims")}
        top = np.lexsort((gids, -scores))[:depth + 1]
        top = top[(gids[top] != gvid) & cols["live"][top]]
        top = top[np.argsort(gids[top], kind="stable")]
        pool = Pool(vids=gids[top], similarity=cols["sims"][top], values_similarity=None,
                    keywords=None, tier=cols["tier"][top], engagement=cols["engagement"][top],
                    authenticity=cols["authenticity"][top])
        return self._ranked(pool, None, k, q, [])


NAMESPACE = "creator-match"  # where shared replicas are named on a Ray cluster


def replica_name(path: Path, i: int) -> str:
    """The name of a shard's i-th shared replica: the same for every coordinator that serves
    that directory."""
    key = hashlib.sha1(str(path.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"shard-{key}-{i}"


def _connect(address: str) -> Any:
    try:
        import ray
    except ImportError:
        raise InvalidInputError("--ray needs Ray: pip install 'creator-match[ray]'") from None
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 configure_logging=False)
    return ray


def _ray_shards(paths: list[Path], model: str, dim: int, address: str, replicas: int,
                cpus: float, timeout: float, shared: bool) -> list[RayShard]:
    """Each shard's replicas as Ray actors (cpus each) on the cluster at address; every
    replica opens the shard's directory, which must be reachable at the same path on its
    node. Shared replicas are named and detached: every coordinator serving the same
    directories uses the same ones, and they outlive it (stop_replicas ends them)."""
    ray = _connect(address)
    actor = ray.remote(num_cpus=cpus, max_restarts=-1, max_task_retries=0)(ShardServer)
    shards = []
    for p in paths:
        where = str(p.resolve())
        handles = [actor.options(name=replica_name(p, i), namespace=NAMESPACE,
                                 lifetime="detached", get_if_exists=True).remote(where, model, dim)
                   if shared else actor.remote(where, model, dim) for i in range(replicas)]
        shards.append(RayShard(str(p), handles, timeout, owned=not shared))
    # every replica opened its index (or the error that stopped it is raised here)
    try:
        ray.get([h.ping.remote() for s in shards for h in s.actors], timeout=max(timeout, 120))
    except ray.exceptions.RayActorError as e:
        raise InvalidInputError(f"--shards: a shard could not be opened on the cluster: "
                                f"{e}") from None
    return shards


def stop_replicas(shards: Sequence[str | Path], address: str) -> int:
    """End the shared replicas of these shards on the cluster at address; how many were
    running."""
    ray = _connect(address)
    stopped = 0
    for p in shard_paths(shards):
        i = 0
        while True:
            try:
                handle = ray.get_actor(replica_name(p, i), namespace=NAMESPACE)
            except ValueError:  # no actor of that name: the replicas end here
                break
            ray.kill(handle, no_restart=True)
            stopped += 1
            i += 1
    return stopped


__all__ = ["OverlappingShardsError", "ReadOnlyShardsError", "ShardServer",
           "ShardUnavailableError", "ShardedRecommender", "shard_paths", "stop_replicas"]
