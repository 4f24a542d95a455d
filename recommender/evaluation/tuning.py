"""Weight tuning: the ranker's knobs with the best mean nDCG@10 on a set's dev briefs, over a
small grid (a few values of each knob, not a fine simplex: fewer, explainable choices). Each
brief's candidates are scored once, re-scored from their posts as matching does, then
re-combined in numpy for every grid point (the shortlist is the default weights'; close enough
to rank the grid, and the chosen weights are then evaluated by the real pipeline)."""

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

GRID = {"keywords": (0.0, 0.2, 0.3, 0.4, 0.5),  # similarity is 1 - keywords
        "values": (0.0, 0.25, 0.5, 0.75),
        "tier_fit": (0.0, 0.25, 0.5, 0.75),
        "engagement": (0.0, 0.1, 0.2),
        "authenticity": (0.5, 1.0)}


def grid() -> list[Weights]:
    names = list(GRID)
    return [Weights(similarity=round(1 - dict(zip(names, v, strict=True))["keywords"], 4),
                    **dict(zip(names, v, strict=True)))
            for v in itertools.product(*GRID.values())]


def grid_scores(rec, es: EvalSet, split: str = "dev") -> np.ndarray:
    """Mean nDCG@10 on the split's briefs of every grid point, in grid() order."""
    briefs = es.split(split)
    scorer = Scorer(es, briefs)
    pools = []
    with using(rec, Ranker(weights=Weights())):
        for b in briefs:
            ranked = _scored(rec, to_brief(b))
            comps = {k: None if ranked[0].components.get(k) is None else
                     np.array([c.components[k] for c in ranked], np.float64)
                     for k in COMPONENTS} if ranked else {}
            pools.append((b["id"], np.array([c.row.id for c in ranked]), comps))
    means = []
    for w in grid():
        r = Ranker(weights=w)
        tops: dict[str, list[str]] = {}
        for q, ids, comps in pools:
            if not len(ids):
                tops[q] = []
                continue
            s = r.combine(comps, len(ids))
            tops[q] = ids[np.lexsort((ids, -s))][:DEPTH].tolist()
        means.append(float(np.mean(list(scorer.ndcg10(tops).values()))))
    return np.array(means)


def choose(scores: dict[str, np.ndarray]) -> dict:
    """The grid point whose worst set is best (a default that wins one set by losing another
    is not chosen), and the best with keywords at 0; with each set's figure, and where the
    package's defaults stand."""
    points = grid()
    names = list(scores)
    worst = np.min(np.stack([scores[n] for n in names]), axis=0)

    def best(mask: np.ndarray) -> int:
        return int(np.flatnonzero(mask)[np.argmax(worst[mask])])  # first of the best

    i = best(np.ones(len(points), bool))
    d = best(np.array([w.keywords == 0 for w in points]))
    defaults = asdict(Weights())
    at = next((j for j, w in enumerate(points) if asdict(w) == defaults), None)
    return {
        "weights": asdict(points[i]), "dev_ndcg@10": {n: float(scores[n][i]) for n in names},
        "worst_set_dev_ndcg@10": float(worst[i]),
        "tied_best": int(np.sum(np.abs(worst - worst[i]) < 1e-12)),
        "dense_weights": asdict(points[d]),
        "dense_dev_ndcg@10": {n: float(scores[n][d]) for n in names},
        "defaults": None if at is None else {
            "dev_ndcg@10": {n: float(scores[n][at]) for n in names},
            "rank": int(np.sum(worst > worst[at]) + 1)},
        "grid": len(points), "sets": names}


def tune(rec, es: EvalSet, split: str = "dev") -> dict:
    """The grid point with the best mean nDCG@10 on one set's split (choose() over one set)."""
    return choose({es.path.name: grid_scores(rec, es, split)})


def _scored(rec: Recommender, brief: Brief) -> list[Candidate]:
    """The candidates matching would choose among for DEPTH results, re-scored from their posts
    as matching does, with their components."""
    pool, _, _ = rec.retriever.pool(brief, lexical_search=True)
    return rec.shortlisted(pool, brief.objective, DEPTH)[0]
