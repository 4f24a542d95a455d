"""Sharded serving: a brief answered over N shard indexes as one index holding every creator
would answer it.

    creator-match serve --shards DIR[,DIR...] [--ray ADDR] [--replicas R]

The coordinator (ShardedRecommender, here) holds the encoder and the ranker; each shard
(shards.ShardServer, in this process or as Ray actors) holds one ordinary creator-match index
and never encodes, and the coordinator reads their catalogs as one (sharded_catalog.py):

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

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from index.store import CATALOG, Manifest

from . import lexical
from .answering import Answering, PostVectors
from .batching import brief_batcher
from .embedding import Embedder, encode_queries, make_embedder
from .errors import InvalidInputError, ModelMismatchError, NotFoundError, shown
from .lexical.tokens import Query
from .norms import META_KEY as NORMS_KEY
from .pool import CreatorRow, Pool
from .query_text import query_texts
from .ranking import Ranker
from .retrieval import BriefVectors, depth_for, reference, unit
from .schema import Brief, Filters, Match
from .sharded_catalog import ShardedCatalog
from .shards import (
    NAMESPACE,
    LocalShard,
    OverlappingShardsError,
    ReadOnlyShardsError,
    Shard,
    ShardServer,
    ShardUnavailableError,
    connect,
    gather,
    ray_shards,
    replica_name,
)
from .storage.database import read_meta
from .tiers import scheme as tier_scheme

log = logging.getLogger("creator_match")

BROWSE_SHARD = 2**40  # a browse cursor: shard * BROWSE_SHARD + the shard's own vid


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
        if len({read_meta(p / CATALOG, NORMS_KEY) or "{}" for p in paths}) > 1:
            log.warning("--shards: the shards' engagement norms differ (they were ingested on "
                        "their own): each compares a creator's engagement with its own "
                        "shard's creators, not with every shard's as one index would; the "
                        "sharded ingest (ingest --ray --index DIR) measures them over all")
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
            self.shards = ray_shards(paths, model_name, dim, ray_address, replicas,
                                      replica_cpus, timeout, shared_replicas)
        self.catalog = ShardedCatalog(self.shards)
        # post vectors cross the network as coordinates (shortlist_reads); in process, whole
        self.project_posts = ray_address is not None
        self.batcher = brief_batcher(lambda texts: encode_queries(self.embedder, texts))

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
                "to_ingest_again": sum(p.get("to_ingest_again", 0) for p in parts),
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

    def content_vectors(self, vids: np.ndarray) -> np.ndarray:
        """Each shard's copies of its own vids' content vectors, in the order of vids."""
        out = np.full((len(vids), self.embedder.dim), np.nan, np.float32)
        at = {int(g): i for i, g in enumerate(np.asarray(vids).tolist())}
        by = self.catalog.split(vids)
        for s, part in self.catalog.per_shard("content_vectors", vids):
            out[[at[self.catalog.global_vid(local, s)] for local in by[s]]] = part
        return out

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
        # the languages the shards hold, asked while the brief is encoded
        held = self.catalog.filters.asked_vocabularies(["language"]) if self.ranker.hybrid \
            else None
        bv = BriefVectors.of(self.batcher.encode(texts) if self.batcher is not None
                             else encode_queries(self.embedder, texts))
        text = " ".join(texts)
        words_in = None if held is None else lexical.brief_language(text, held()["language"])
        lq = self._lexical_query(text, words_in) if self.ranker.hybrid else None
        queries, first = bv.searched()
        depth = depth_for(brief.k)
        parts = self.catalog.all("candidates", queries, first, depth, brief.filters, lq)
        pool = self._merged(parts, depth, lq is not None)
        if not len(pool):
            return []
        bv.into(pool)
        pool.read_in(text)
        pool.words_in = words_in
        pool.fewest_using = None if lq is None else lq.fewest
        terms = lexical.brief_words(text, words_in) if lq is not None else []
        return self._ranked(pool, brief.objective, brief.k, bv.query, terms)

    def _lexical_query(self, text: str, language: str | None = None) -> Query:
        """The brief's BM25 query with the statistics of every shard summed (language: as
        lexical.terms reads it)."""
        words = lexical.terms(text, language)
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
        keep: list[np.ndarray] = []  # each list best first
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
        vids = gvids[take][order]
        return Pool(vids=vids, similarity=column("sims", 0),
                    values_similarity=column("sims", 1) if sims > 1 else None,
                    keywords=keywords, tier=column("tier"), engagement=column("engagement"),
                    authenticity=column("authenticity"), language=column("language"),
                    reference=reference(vids, keep, depth))

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
        parts = gather([s.submit("neighbours", q, depth + 1, f,
                                  owner_local if i == owner else None)
                         for i, s in enumerate(self.shards)])
        n = len(parts)
        gids = np.concatenate([p["ids"] * n + s for s, p in enumerate(parts)])
        scores = np.concatenate([p["scores"] for p in parts])
        cols = {name: np.concatenate([p[name] for p in parts])
                for name in ("live", "tier", "engagement", "authenticity", "sims")}
        top = np.lexsort((gids, -scores))[:depth + 1]
        core = reference(gids[top], [gids[top][gids[top] != gvid]], depth)
        kept = (gids[top] != gvid) & cols["live"][top]
        top, core = top[kept], None if core is None else core[kept]
        by_id = np.argsort(gids[top], kind="stable")
        pool = Pool(vids=gids[top][by_id], similarity=cols["sims"][top][by_id],
                    values_similarity=None, keywords=None, tier=cols["tier"][top][by_id],
                    engagement=cols["engagement"][top][by_id],
                    authenticity=cols["authenticity"][top][by_id],
                    reference=None if core is None else core[by_id])
        return self._ranked(pool, None, k, q, [])


def stop_replicas(shards: Sequence[str | Path], address: str) -> int:
    """End the shared replicas of these shards on the cluster at address; how many were
    running."""
    ray = connect(address)
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
