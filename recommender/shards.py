"""One shard of a sharded index, and how the coordinator reaches it (sharding.py).

A shard (ShardServer) holds one ordinary creator-match index and answers the coordinator with
plain data: numpy arrays, rows, dicts. It never encodes: it opens its index with the model's
name and width only, and the coordinator sends vectors. The same object serves in process
(LocalShard: calls run on the coordinator's threads) and as Ray actors (RayShard: a shard's
replicas on the same directory share its calls round-robin and stand in for one another; with
none left, ShardUnavailableError). ray_shards starts the replicas on a cluster; shared
replicas are named and detached, so every coordinator serving the same directories uses the
same ones (replica_name).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import pickle
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .answering import PostVectors
from .errors import CreatorMatchError, InvalidInputError
from .lexical.tokens import Query
from .pool import CreatorRow
from .retrieval import nearest, searched
from .schema import Filters

log = logging.getLogger("creator_match.sharding")


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

    def content_vectors(self, vids: list[int]) -> np.ndarray:
        """The vector index's copies of these creators' content vectors (feedback.content), as
        one index answers them: the shards' answer is the single index's to the last digit."""
        return self.rec.content_vectors(np.asarray(vids, np.int64))

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


def gather(calls: list[_Call]) -> list[Any]:
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


NAMESPACE = "creator-match"  # where shared replicas are named on a Ray cluster


def replica_name(path: Path, i: int) -> str:
    """The name of a shard's i-th shared replica: the same for every coordinator that serves
    that directory."""
    key = hashlib.sha1(str(path.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"shard-{key}-{i}"


def connect(address: str) -> Any:
    try:
        import ray
    except ImportError:
        raise InvalidInputError("--ray needs Ray: pip install 'creator-match[ray]'") from None
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 configure_logging=False)
    return ray


def ray_shards(paths: list[Path], model: str, dim: int, address: str, replicas: int,
                cpus: float, timeout: float, shared: bool) -> list[RayShard]:
    """Each shard's replicas as Ray actors (cpus each) on the cluster at address; every
    replica opens the shard's directory, which must be reachable at the same path on its
    node. Shared replicas are named and detached: every coordinator serving the same
    directories uses the same ones, and they outlive it (stop_replicas ends them)."""
    ray = connect(address)
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
