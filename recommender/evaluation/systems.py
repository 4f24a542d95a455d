"""The systems the evaluation compares, each answering a brief with its top DEPTH creator ids:
creator-match (hybrid and dense) and the baselines a planner would otherwise use."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import asdict
from typing import TYPE_CHECKING

import numpy as np

from .. import lexical
from ..embedding import encode_queries
from ..indexer import creator_texts
from ..ranking import Ranker, Weights
from ..retrieval import unit
from ..schema import Brief, Filters
from ..storage.textcache import content_vector

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..embedding import Embedder
    from ..schema import Creator
    from ..storage.catalog import Catalog

DEPTH = 50  # results per brief: Recall@50 needs 50
RRF_K = 60
SYSTEMS = ("creator-match", "creator-match dense", "similarity only", "BM25", "hybrid RRF",
           "popularity", "random")


def to_brief(b: dict, k: int = DEPTH) -> Brief:
    filters = Filters.model_validate({"languages": [b["language"]], **b.get("filters", {})})
    return Brief(brief=b["brief"], values=b.get("values"), objective=b.get("objective"), k=k,
                 filters=filters)


def as_asked(rec, brief: Brief) -> list[str]:
    """creator-match's answer as a planner gets it, DEPTH deep (what Recall@50 reads). Its
    head is the default answer's (schema.DEFAULT_K results): a deeper match scores more creators on
    the default's scales (retrieval.REFERENCE_DEPTH), so the top-10 measures read what a
    planner asking for the default sees."""
    return [m.creator_id for m in rec.match(brief)][: brief.k]


@contextmanager
def using(rec, ranker: Ranker):
    """The recommender with another ranker for a while (the evaluation is single-threaded)."""
    before = rec.ranker
    ranker.tiers = rec.tiers
    rec.ranker = ranker
    try:
        yield rec
    finally:
        rec.ranker = before


class _Collection:
    """Every creator's vector, id and followers, for the baselines that scan them all."""

    def __init__(self, rec) -> None:
        vids, vecs = [], []
        for v, x in rec.catalog.journal.vectors():
            vids.append(v)
            vecs.append(x)
        self.vids = np.concatenate(vids)
        self.vecs = np.concatenate(vecs)
        self.vecs = unit_rows(self.vecs)
        rows = rec.catalog.rows(self.vids)
        self.ids = np.array([rows[int(v)].id for v in self.vids])
        self.followers = np.array([rows[int(v)].followers for v in self.vids])
        self.pos = {int(v): i for i, v in enumerate(self.vids)}

    def subset(self, allowed: np.ndarray | None) -> np.ndarray:
        if allowed is None:
            return np.arange(len(self.vids))
        return np.array(sorted(self.pos[int(v)] for v in allowed if int(v) in self.pos),
                        dtype=np.int64)

    def top(self, rows: np.ndarray, scores: np.ndarray, n: int) -> list[str]:
        """Ids of the n best rows, ties by id."""
        order = np.lexsort((self.ids[rows], -scores))[:n]
        return self.ids[rows[order]].tolist()


def unit_rows(vecs: np.ndarray) -> np.ndarray:
    return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)


def joint_query(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """The similarity-only baselines' query: the brief and its values as one vector."""
    return unit(encode_queries(embedder, texts).sum(axis=0))


class OtherEncoder:
    """The similarity-only baseline as another encoder reads a set ("similarity only
    (minilm)"): each creator's content vector as an index built with that encoder would hold
    it (indexer.creator_texts, textcache.content_vector), the brief and values as one query, as
    the index's own "similarity only". Each text is encoded once across the sets of a run."""

    def __init__(self, label: str, embedder: Embedder) -> None:
        self.label, self.embedder = label, embedder
        self._vectors: dict[str, np.ndarray] = {}

    @property
    def system(self) -> str:
        return f"similarity only ({self.label})"

    def content(self, creators: Sequence[Creator], ids: np.ndarray) -> np.ndarray:
        """Unit content vectors of the creators with these ids, in their order."""
        texts = {c.id: [t for _, t in creator_texts(c)] for c in creators}
        new = sorted({t for ts in texts.values() for t in ts} - self._vectors.keys())
        if new:  # rounded to float16 as an index stores them (indexer._encode_missing)
            vecs = self.embedder.encode(new).astype(np.float16).astype(np.float32)
            self._vectors.update(zip(new, vecs, strict=True))
        return unit_rows(np.stack([content_vector([self._vectors[t] for t in texts[i]])
                                   for i in ids.tolist()]).astype(np.float32))

    def query(self, texts: list[str]) -> np.ndarray:
        return joint_query(self.embedder, texts)


def run_systems(rec, briefs: list[dict], systems=SYSTEMS, seed: int = 0,
                dense_weights: Weights | None = None, others: Sequence[OtherEncoder] = (),
                creators: Sequence[Creator] = ()) -> dict:
    """{system: {brief id: [creator ids, best first]}}. creator-match dense uses dense_weights,
    by default the ranker's with keywords at 0; each of others adds its similarity only, over
    the set's creators."""
    col = _Collection(rec)
    runs: dict[str, dict[str, list[str]]] = {}
    for s in systems:  # the other encoders' similarity only beside the index's
        runs[s] = {}
        runs.update((o.system, {}) for o in others if s == "similarity only")
    runs.update((o.system, {}) for o in others if o.system not in runs)
    read_by = [(o, o.content(creators, col.ids)) for o in others]
    hybrid = Ranker(weights=rec.ranker.weights, diversity=rec.ranker.diversity)
    dense = Ranker(weights=dense_weights or Weights(**{**asdict(rec.ranker.weights),
                                                       "keywords": 0.0}),
                   diversity=rec.ranker.diversity)
    for n, b in enumerate(briefs):
        brief = to_brief(b)
        allowed = rec.catalog.filters.candidates(brief.filters)
        rows = col.subset(allowed)
        texts = [brief.brief] + ([brief.values] if brief.values else [])
        for name, ranker in (("creator-match", hybrid), ("creator-match dense", dense)):
            if name in runs:
                with using(rec, ranker):
                    runs[name][b["id"]] = as_asked(rec, brief)
        q = joint_query(rec.embedder, texts)
        cos = col.vecs[rows] @ q
        sim = col.top(rows, cos, len(rows))
        _, lvids, _ = bm25(rec.catalog, " ".join(texts), 4 * DEPTH, allowed)
        lex = [col.ids[col.pos[int(v)]] for v in lvids]
        if "similarity only" in runs:
            runs["similarity only"][b["id"]] = sim[:DEPTH]
        for other, vecs in read_by:
            runs[other.system][b["id"]] = col.top(rows, vecs[rows] @ other.query(texts), DEPTH)
        if "BM25" in runs:
            runs["BM25"][b["id"]] = lex[:DEPTH]
        if "hybrid RRF" in runs:
            fused: dict[str, float] = {}
            for ranking in (sim[:4 * DEPTH], lex):
                for r, cid in enumerate(ranking, start=1):
                    fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + r)
            runs["hybrid RRF"][b["id"]] = sorted(fused, key=lambda c: (-fused[c], c))[:DEPTH]
        if "popularity" in runs:
            runs["popularity"][b["id"]] = col.top(rows, col.followers[rows].astype(float), DEPTH)
        if "random" in runs:
            rng = np.random.default_rng(seed + n)
            runs["random"][b["id"]] = col.ids[rows[rng.permutation(len(rows))[:DEPTH]]].tolist()
    return runs


def bm25(catalog: Catalog, text: str, limit: int, allowed: np.ndarray | None = None
         ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The BM25 baseline: (the words used, vids, scores) of every creator holding any
    informative word of the text, ranked by FTS5's bm25(), best first (words in more than half
    of the texts are left out: their IDF is 0). Exhaustive, unlike matching's look-up of rare
    words only."""
    words = lexical.terms(text)  # stems, stopwords out
    n, _ = catalog.lexical.averages()
    df = catalog.lexical.df(words)
    used = [w for w in words if 0 < df.get(w, 0) <= max(1.0, lexical.MAX_DOC_SHARE * n)]
    return (used, *catalog.lexical.ranked(used, limit, allowed))
