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
from ..ranking import Ranker, Weights, columns
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
    _, per_brief = brief_scores(rec, es, es.split(split))
    return per_brief.mean(axis=1)


def brief_scores(rec, es: EvalSet, briefs: list[dict]) -> tuple[list[str], np.ndarray]:
    """(brief ids, nDCG@10 of every grid point on each brief: points x briefs)."""
    scorer = Scorer(es, briefs)
    pools = []
    with using(rec, Ranker(weights=Weights())):
        for b in briefs:
            ranked = _scored(rec, to_brief(b))
            comps = columns([c.components for c in ranked]) if ranked else {}
            pools.append((b["id"], np.array([c.row.id for c in ranked]), comps))
    ids = [b["id"] for b in briefs]
    out = np.zeros((len(grid()), len(briefs)))
    for n, w in enumerate(grid()):
        r = Ranker(weights=w)
        tops: dict[str, list[str]] = {}
        for q, got, comps in pools:
            if not len(got):
                tops[q] = []
                continue
            s = r.combine(comps, len(got))
            tops[q] = got[np.lexsort((got, -s))][:DEPTH].tolist()
        nd = scorer.ndcg10(tops)
        out[n] = [nd[q] for q in ids]
    return ids, out


def niche_of(brief: dict) -> str:
    """A brief's niche family, the unit of cross-validation: its first judged niche without
    the stance ('fashion:slow' -> 'fashion')."""
    niches = brief.get("judging", {}).get("niches") or [brief["id"]]
    return str(niches[0]).split(":")[0]


def cross_validate(sets: dict[str, tuple[list[dict], np.ndarray]]) -> dict:
    """Leave one niche out, across every set: for each (set, niche family), the grid point
    whose worst set is best on every other niche's briefs (both splits) is chosen and scored
    on the held-out niche's briefs. The mean over held-out briefs, per set, says what tuning
    would earn on a niche it never saw; the defaults are scored on the same briefs."""
    points = grid()
    defaults = asdict(Weights())
    at = next((j for j, w in enumerate(points) if asdict(w) == defaults), None)
    folds = sorted({(name, niche_of(b)) for name, (briefs, _) in sets.items() for b in briefs})
    tuned = {name: np.zeros(len(briefs)) for name, (briefs, _) in sets.items()}
    chosen: list[dict] = []
    for name, niche in folds:
        train = {}
        for other, (briefs, scores) in sets.items():
            keep = np.array([not (other == name and niche_of(b) == niche) for b in briefs])
            if keep.any():  # a set whose every brief is held out has nothing to say
                train[other] = scores[:, keep].mean(axis=1)
        worst = np.min(np.stack(list(train.values())), axis=0)
        best = int(np.argmax(worst))
        briefs, scores = sets[name]
        held = np.array([niche_of(b) == niche for b in briefs])
        tuned[name][held] = scores[best, held]
        chosen.append({"set": name, "niche": niche, "briefs": int(held.sum()),
                       "weights": asdict(points[best]),
                       "held_out_ndcg@10": float(scores[best, held].mean()),
                       "defaults_ndcg@10": None if at is None
                       else float(scores[at, held].mean())})
    return {
        "folds": chosen,
        "tuned_ndcg@10": {n: float(v.mean()) for n, v in tuned.items()},
        "defaults_ndcg@10": {n: None if at is None else float(sets[n][1][at].mean())
                             for n in sets},
        "distinct_choices": len({tuple(sorted(c["weights"].items())) for c in chosen}),
    }


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
