"""Weight tuning: the ranker's weights with the best mean nDCG@10 on the dev briefs, a grid over
the simplex. Each brief's candidate pool is scored once, then re-weighted in numpy."""

from __future__ import annotations

import itertools
from dataclasses import asdict
from typing import TYPE_CHECKING

import numpy as np

from ..pool import Candidate
from ..ranking import COMPONENTS, Ranker, Weights
from ..schema import Brief
from .dataset import EvalSet
from .metrics import Scorer
from .systems import DEPTH, to_brief, using

if TYPE_CHECKING:
    from ..service import Recommender


def simplex(step: float, dims: int = len(COMPONENTS)):
    """Every weight vector with entries in multiples of step summing to 1."""
    n = round(1 / step)
    for cut in itertools.combinations(range(n + dims - 1), dims - 1):
        parts = np.diff((-1, *cut, n + dims - 1)) - 1
        yield parts / n


def tune(rec, es: EvalSet, step: float = 0.05, split: str = "dev") -> dict:
    """The weights with the best mean nDCG@10 on the split's briefs, found on candidate pools
    scored once (hybrid on, so every component is known) and re-weighted in numpy."""
    briefs = es.split(split)
    scorer = Scorer(es, briefs)
    pools = []
    with using(rec, Ranker(weights=Weights(keywords=0.1))):
        for b in briefs:
            ranked = _scored(rec, to_brief(b))
            ranked.sort(key=lambda c: c.row.id)
            comps = np.array([[np.nan if c.components[k] is None else c.components[k]
                               for k in COMPONENTS] for c in ranked], dtype=np.float64)
            pools.append((b["id"], np.array([c.row.id for c in ranked]), comps))
    grid = np.array(list(simplex(step)))
    tops: dict[str, np.ndarray] = {}
    for q, ids, comps in pools:
        active = ~np.isnan(comps[0]) if len(comps) else np.zeros(len(COMPONENTS), bool)
        total = grid[:, active].sum(axis=1)
        scores = np.nan_to_num(comps) @ grid.T / np.where(total > 0, total, 1.0)
        order = np.argsort(-scores, axis=0, kind="stable")[:DEPTH]  # ties keep id order
        tops[q] = ids[order.T] if len(ids) else np.zeros((len(grid), 0), dtype=str)
    means = np.array([np.mean(list(scorer.ndcg10({q: t[i].tolist() for q, t in tops.items()})
                                   .values())) for i in range(len(grid))])

    def best(mask: np.ndarray) -> tuple[dict, float, int]:
        i = int(np.flatnonzero(mask)[np.argmax(means[mask])])  # first of the best, grid order
        w = Weights(**{k: round(float(x), 4) for k, x in zip(COMPONENTS, grid[i], strict=True)})
        return asdict(w), float(means[i]), int(np.sum(np.abs(means[mask] - means[i]) < 1e-12))

    hybrid, h_ndcg, h_ties = best(np.ones(len(grid), bool))
    dense, d_ndcg, _ = best(grid[:, COMPONENTS.index("keywords")] == 0)
    return {"weights": hybrid, "dev_ndcg@10": h_ndcg, "tied_best": h_ties,
            "dense_weights": dense, "dense_dev_ndcg@10": d_ndcg,
            "grid": len(grid), "step": step, "briefs": len(briefs)}


def _scored(rec: Recommender, brief: Brief) -> list[Candidate]:
    """Every candidate of the brief's pool, scored, with its components."""
    pool, _, _ = rec.retriever.pool(brief, lexical_search=rec.ranker.hybrid)
    scores, comps = rec.ranker.score_pool(pool, brief.objective)
    return rec.retriever.materialise(pool, np.arange(len(pool)), scores, comps)
