"""Retrieval: a brief -> its candidate pool, as columns the ranker scores.

The pool is the nearest neighbours of the brief's vectors (the brief, its values statement and
their sum) among the creators its filters allow, joined with the creators using its rare words
when lexical search is on; each with its cosines, its BM25 and the per-creator values scoring
needs, read from memory. Catalog rows are read later, for the few that can make the top k.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

import index as vindex

from . import lexical
from .batching import brief_batcher
from .embedding import Embedder, encode_queries, usable_cores
from .locales import language_identifier
from .pool import Candidate, CreatorRow, Pool
from .query_text import query_texts
from .schema import DEFAULT_K, Brief, Filters
from .storage.vectors import VectorStore

if TYPE_CHECKING:
    from .storage.catalog import Catalog


# the pool's depth and the shortlist re-scored from posts (evidence.rerank_depth) are the same
# for any k up to the default: a creator's score is read against the pool (the content
# scale's zero is its lowest cosine) and the shortlist (the values' median), so a planner
# asking for 5 or 10 gets the head of the default answer (`eval` measures that answer); a
# deeper pool is read on the default's scales (REFERENCE_DEPTH)
SAME_DEPTH_UP_TO = DEFAULT_K


def depth_for(k: int) -> int:
    """How many neighbours to score for k results: the ranker re-orders by more than
    similarity, so it needs a deep pool to choose from; the same depth for any k up to
    SAME_DEPTH_UP_TO."""
    return 10 * max(k, SAME_DEPTH_UP_TO)


# A deeper pool (more results asked for) is scored on the scales of the default answer's pool:
# its candidates are the reference (Pool.reference) that the content scale's zero and best,
# the values' spread and the keywords' best are read on. Read on the whole deeper pool, the
# zero fell with every creator added (the 500th neighbour is further than the 200th), the
# content differences shrank against the tier and values discounts, and the first 10 of 50
# were not the 10: on the three labelled sets, 61 of their 64 briefs' top 10 changed between
# k=20 and k=50 (benchmarks/README.md, "The first ten of fifty").
REFERENCE_DEPTH = depth_for(SAME_DEPTH_UP_TO)


def reference(vids: np.ndarray, tops: Sequence[np.ndarray], depth: int) -> np.ndarray | None:
    """Which of vids are in the pool a default answer would hold: each of tops (the searched
    queries' neighbours and the lexical hits, best first) cut at REFERENCE_DEPTH; None when
    the pool is no deeper than that (every candidate is)."""
    if depth <= REFERENCE_DEPTH:
        return None
    cut = [np.asarray(t)[:REFERENCE_DEPTH] for t in tops]
    core = np.concatenate([t[t >= 0] for t in cut]) if cut else np.zeros(0, np.int64)
    return np.isin(vids, core)


def best_first(ids: np.ndarray, scores: np.ndarray) -> list[np.ndarray]:
    """Each query's neighbours (a row of ids) by score, ties by id: the order a sharded index
    merges them in (sharding._merged), so that the reference cut at REFERENCE_DEPTH takes the
    same creators among equal scores."""
    return [row[np.lexsort((row, -s))] for row, s in zip(ids, scores, strict=True)]


def unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / max(float(np.linalg.norm(v)), 1e-12)


@dataclass(frozen=True)
class BriefVectors:
    """A brief's encoded texts (query_text.query_texts, in order): its subject, and what its
    values statement stands for (None without one)."""

    brief: np.ndarray
    values: np.ndarray | None

    @classmethod
    def of(cls, encoded: np.ndarray) -> BriefVectors:
        return cls(encoded[0], encoded[1] if len(encoded) > 1 else None)

    @property
    def query(self) -> np.ndarray:
        """What the match is about: the brief, with its values when it has them."""
        return self.brief if self.values is None else unit(self.brief + self.values)

    def searched(self) -> tuple[np.ndarray, int]:
        """(the vectors searched, the row from which their cosines go to the pool): the query,
        the brief and the values, whose cosines the ranker reads; the brief alone, searched
        once, without a values statement."""
        if self.values is None:
            return np.stack([self.brief]), 0
        return np.stack([self.query, self.brief, self.values]), 1

    def into(self, pool: Pool) -> None:
        """Give the pool what re-scoring from posts reads: the two vectors and their cosine."""
        pool.brief_values_cosine = (None if self.values is None
                                    else float(self.brief @ self.values))
        pool.brief_vector, pool.values_vector = self.brief, self.values


class Retriever:
    def __init__(self, store: VectorStore, embedder: Embedder,
                 batch_window_ms: float | None = None) -> None:
        """batch_window_ms: how long a batch of briefs under load waits for more (batching.py);
        default CREATOR_MATCH_BATCH_WINDOW_MS, else 1; a negative value encodes each brief
        alone."""
        self.store = store
        self.catalog = store.catalog
        self.embedder = embedder
        self.batcher = brief_batcher(lambda texts: encode_queries(self.embedder, texts),
                                     batch_window_ms)
        # threads that apply a brief's filters while the brief is encoded (started on first use)
        self._helpers = ThreadPoolExecutor(usable_cores(), thread_name_prefix="cm-match")

    def close(self) -> None:
        self._helpers.shutdown(wait=True)

    def pool(self, brief: Brief, lexical_search: bool = True
             ) -> tuple[Pool, np.ndarray, list[str]]:
        """The brief's candidate pool, the query vector, and the words looked up lexically."""
        index = self.store.index
        if index is None or not len(index):
            return Pool.empty(), np.zeros(0, np.float32), []
        texts = query_texts(brief.brief, brief.values)
        depth = depth_for(brief.k)
        # the filters and the lexical look-up run on a helper thread while this one encodes
        # the brief (the model releases the GIL for most of its run; the shorter job goes to
        # the helper, so this thread seldom waits for the GIL when the model returns)
        lookup = self._helpers.submit(self._lookups, index, brief.filters, " ".join(texts),
                                      depth, lexical_search)
        bv = BriefVectors.of(self.batcher.encode(texts) if self.batcher is not None
                             else encode_queries(self.embedder, texts))
        allowed, lq, hits, words_in = lookup.result()
        if allowed is not None and not len(allowed):
            return Pool.empty(), bv.query, []
        # the brief's own words (not stems, not stopwords): the explanation names those used
        terms = lexical.brief_words(" ".join(texts), words_in) if lq is not None else []
        queries, first = bv.searched()
        ids, scores, vids, sims = searched(self.store, queries, first, depth, allowed, hits)
        core = reference(vids, [*best_first(ids, scores), hits], depth)
        live, tier, engagement, authenticity, language = self.catalog.filters.features(vids)
        vids, sims = vids[live], [x[live] for x in sims]
        keywords = None
        if lq is not None:
            bm25 = self.catalog.lexical.scores(lq, vids)
            top = bm25.max(initial=0.0)
            # no informative word (all in over half the texts): the component is not defined
            keywords = bm25 / top if top > 0 else None
        pool = Pool(vids=vids, similarity=sims[0],
                    values_similarity=None if bv.values is None else sims[1],
                    keywords=keywords, tier=tier, engagement=engagement,
                    authenticity=authenticity, language=language,
                    reference=None if core is None else core[live], words_in=words_in,
                    fewest_using=None if lq is None else lq.fewest)
        bv.into(pool)
        pool.read_in(" ".join(texts))
        return pool, bv.query, terms

    def _lookups(self, index: vindex.VectorIndex, filters: Filters, text: str, depth: int,
                 lexical_search: bool
                 ) -> tuple[vindex.Allowed | None, lexical.Query | None, np.ndarray, str | None]:
        """(the vids the filters allow, prepared for the search, or None for all; the brief's
        lexical query or None with lexical search off; the creators its rare words fetch; the
        language besides English and French its words are read in, lexical.brief_language)."""
        vids = self.catalog.filters.candidates(filters)
        allowed = None if vids is None else index.prepare(vids)
        if not lexical_search or (vids is not None and not len(vids)):
            return allowed, None, np.zeros(0, np.int64), None
        words_in = lexical.brief_language(
            text, self.catalog.filters.vocabularies(["language"])["language"])
        lq = self.catalog.lexical.query(text, words_in)
        hits = self.catalog.lexical.hits(lq, depth, None if allowed is None else allowed.ids)
        # the brief's language is read after the search (Pool.read_in): the identifier loads
        # here on the first match (0.6 s), beside the model's first encoding, not after it
        language_identifier()
        return allowed, lq, hits, words_in

    def neighbours(self, vid: int, k: int, filters: Filters
                   ) -> tuple[Pool, np.ndarray]:
        """Lookalikes' pool: the creators whose content vectors are nearest this creator's
        (itself left out), among those the filters allow; with the query vector."""
        source = self.catalog.rows([vid])[vid]
        q = unit(source.vector)
        allowed = self.catalog.filters.candidates(filters)
        depth = depth_for(k)
        if allowed is not None:
            allowed = allowed[allowed != vid]
            if not len(allowed):
                return Pool.empty(), q
        vids, _, sims = nearest(self.store, self.catalog, q, depth + 1, allowed)
        core = reference(vids, [vids[vids != vid]], depth)
        order = np.argsort(vids)
        order = order[vids[order] != vid]
        vids, sims = vids[order], sims[order]
        live, tier, engagement, authenticity, _ = self.catalog.filters.features(vids)
        return Pool(vids=vids[live], similarity=sims[live], values_similarity=None,
                    keywords=None, tier=tier[live], engagement=engagement[live],
                    authenticity=authenticity[live],
                    reference=None if core is None else core[order][live]), q


def nearest(store: VectorStore, catalog: Catalog, q: np.ndarray, depth: int,
            allowed: vindex.Allowed | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The top depth by cosine with q among the allowed that the catalog holds, best first:
    (vids, the search's scores, cosines of their stored content vectors with q)."""
    with store.rw.read():
        assert store.index is not None
        scores, ids = store.index.search(q[None, :], depth, allowed)
    keep = ids[0] >= 0
    ids, scores = ids[0][keep], scores[0][keep]
    rows = catalog.rows(ids)
    has = np.array([int(v) in rows for v in ids.tolist()], bool)
    ids, scores = ids[has], scores[has]
    return ids, scores, np.array([float(rows[v].vector @ q) for v in ids.tolist()], np.float64)


def searched(store: VectorStore, queries: np.ndarray, first: int, depth: int,
             allowed: vindex.Allowed | None, hits: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
    """Each query vector's top depth among the allowed (ids, scores), and the union of those
    and the lexical hits that the index holds, with their cosines with queries[first:]: one
    read of the vector index (a writer may swap it meanwhile)."""
    with store.rw.read():
        index = store.index
        assert index is not None
        scores, ids = index.search(queries, depth, allowed)
        vids = np.union1d(ids[ids >= 0], hits)
        vids = vids[index.contains(vids)]  # a hit another process just wrote
        return ids, scores, vids, similarities(index, vids, scores, ids, queries, first)


def materialise(read_rows: Callable[[np.ndarray], dict[int, CreatorRow]], pool: Pool,
                idx: np.ndarray, scores: np.ndarray, comps: dict[str, np.ndarray | None]
                ) -> list[Candidate]:
    """Candidates for pool positions idx, with their catalog rows (read_rows: vids -> rows),
    best first (ties by creator id)."""
    rows = read_rows(pool.vids[idx])
    out = [Candidate(
        row=rows[v], similarity=float(pool.similarity[i]),
        values_similarity=None if pool.values_similarity is None
        else float(pool.values_similarity[i]),
        keywords=None if pool.keywords is None else float(pool.keywords[i]),
        components={k: None if c is None or np.isnan(c[i]) else round(float(c[i]), 4)
                    for k, c in comps.items()},
        score=float(scores[i]))
        for i, v in zip(idx.tolist(), pool.vids[idx].tolist(), strict=True) if v in rows]
    return sorted(out, key=lambda c: (-c.score, c.row.id))


def similarities(index: vindex.VectorIndex, vids: np.ndarray, scores: np.ndarray,
                  ids: np.ndarray, queries: np.ndarray, first: int) -> list[np.ndarray]:
    """Cosine of each vid with queries[first:], under the read lock: the search's own score
    where it found the vid, else from the index's copy of its vector (exact below FLAT_MAX,
    8-bit codes above: within about 1e-3 of the catalog's vectors; the benchmark measures it)."""
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
        vecs = index.reconstruct(vids[missing])
        for sim, q in zip(out, queries[first:], strict=True):
            sim[missing] = vecs @ q
    return out


def stored_vectors(store: VectorStore, vids: np.ndarray) -> np.ndarray:
    """The content vectors of vids as the vector index holds them (exact below FLAT_MAX,
    8-bit codes above), one row each, a NaN row for a vid it no longer holds (a writer
    removed it since the pool was read)."""
    vids = np.asarray(vids, np.int64)
    with store.rw.read():
        index = store.index
        out = np.full((len(vids), store.default_dim if index is None else index.dim), np.nan,
                      np.float32)
        if index is not None and len(vids):
            try:  # reconstruct checks that it holds every vid: most matches, all of them
                out[:] = index.reconstruct(vids)
            except KeyError:
                held = index.contains(vids)
                out[held] = index.reconstruct(vids[held])
    return out

