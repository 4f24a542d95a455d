"""Weight tuning: the ranker's knobs with the best mean nDCG@10 on a set's dev briefs, over a
small grid (a few values of each knob, not a fine simplex: fewer, explainable choices). Each
brief's candidates are scored once, re-scored from their posts as matching does, then
re-combined in numpy for every grid point: a quick ranking of the grid, exact at the default
weights. Away from them it is not: other weights choose another shortlist, whose values median
and feedback differ (values at 0.75 ranked "Box de légumes de saison" at 0.942 this way, and
matching answered it at 0.369). So the CHECKED best of the quick ranking are then answered by
matching itself (Checked), and the choice is made on those figures."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING

import numpy as np

from ..pool import Candidate
from ..ranking import Ranker, Weights, columns
from ..schema import Brief
from .dataset import EvalSet
from .metrics import Scorer
from .systems import DEPTH, as_asked, to_brief, using

if TYPE_CHECKING:
    from ..service import Recommender

# grid points, by the quick ranking, that matching itself answers before one is chosen
CHECKED = 8

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


class Checked:
    """nDCG@10 of grid points as matching answers with them (each set's every brief, as `eval`
    asks: systems.as_asked), computed once a point: per set, an array in its briefs' order."""

    def __init__(self, sets: dict[str, tuple[Recommender, EvalSet]]) -> None:
        self.sets = sets
        self._done: dict[int, dict[str, np.ndarray]] = {}

    def __call__(self, point: int) -> dict[str, np.ndarray]:
        if point not in self._done:
            w = grid()[point]
            got = {}
            for name, (rec, es) in self.sets.items():
                scorer = Scorer(es, es.briefs)
                with using(rec, Ranker(weights=w)):
                    nd = scorer.ndcg10({b["id"]: as_asked(rec, to_brief(b)) for b in es.briefs})
                got[name] = np.array([nd[b["id"]] for b in es.briefs])
            self._done[point] = got
        return self._done[point]

    def dev(self, point: int) -> dict[str, float]:
        """The mean over each set's dev briefs."""
        got = self(point)
        return {name: float(got[name][[b.get("split") == "dev" for b in es.briefs]].mean())
                for name, (_, es) in self.sets.items()}

    @property
    def points(self) -> int:
        return len(self._done)


def niche_of(brief: dict) -> str:
    """A brief's niche family, the unit of cross-validation: its first judged niche without
    the stance ('fashion:slow' -> 'fashion')."""
    niches = brief.get("judging", {}).get("niches") or [brief["id"]]
    return str(niches[0]).split(":")[0]


def largest_regret(figures: np.ndarray) -> np.ndarray:
    """figures: sets x points (a set's mean nDCG@10 at each point). Each point's largest
    regret: how far, on the set where it falls furthest, it falls below that set's best point.
    The point to choose has the smallest: it loses least anywhere. The lowest figure alone (a
    point whose worst set is best) chases the hardest set: on the three labelled sets it chose
    values at 0.75, about +0.002 nDCG@10 on feeds (every brief) for -0.016 on the generator set
    and -0.042 on stances: the default that wins one set by losing the others."""
    return np.max(np.max(figures, axis=1, keepdims=True) - figures, axis=0)


def by_regret(figures: np.ndarray) -> np.ndarray:
    """Points (columns of figures: sets x points) best first: least regret, then the highest
    lowest figure among equal regrets, then the first."""
    return np.lexsort((np.arange(figures.shape[1]), -np.min(figures, axis=0),
                       largest_regret(figures)))


def _least_regret(shortlist: list[int], figures: Callable[[int], dict[str, float]]) -> int:
    """Of the shortlist (best first by the quick ranking), the point whose largest regret
    among them is smallest, by figures (the first of any tied)."""
    table = np.array([[figures(j)[n] for j in shortlist] for n in figures(shortlist[0])])
    return shortlist[int(by_regret(table)[0])]


def _trained(scores_of: Callable[[str, int], np.ndarray], keeps: dict[str, np.ndarray],
             point: int) -> dict[str, float]:
    """A point's mean nDCG@10 on each set's briefs kept for training (keeps: a mask a set)."""
    return {o: float(scores_of(o, point)[k].mean()) for o, k in keeps.items() if k.any()}


def cross_validate(sets: dict[str, tuple[list[dict], np.ndarray]],
                   check: Callable[[int], dict[str, np.ndarray]] | None = None) -> dict:
    """Leave one niche out, across every set: for each (set, niche family), the grid point
    of least regret (largest_regret) on every other niche's briefs (both splits) is chosen and
    scored
    on the held-out niche's briefs. The mean over held-out briefs, per set, says what tuning
    would earn on a niche it never saw; the defaults are scored on the same briefs.

    sets: each set's briefs and the quick ranking's nDCG@10 (points x briefs). check (a
    Checked): the CHECKED best points of each fold's quick ranking are answered by matching,
    the choice among them is made, and every figure read, on matching's own."""
    points = grid()
    defaults = asdict(Weights())
    at = next((j for j, w in enumerate(points) if asdict(w) == defaults), None)
    folds = sorted({(name, niche_of(b)) for name, (briefs, _) in sets.items() for b in briefs})
    tuned = {name: np.zeros(len(briefs)) for name, (briefs, _) in sets.items()}

    def scores_of(name: str, point: int) -> np.ndarray:  # the figure read: per brief
        return sets[name][1][point] if check is None else check(point)[name]

    chosen: list[dict] = []
    for name, niche in folds:
        keeps = {other: np.array([not (other == name and niche_of(b) == niche)
                                  for b in briefs]) for other, (briefs, _) in sets.items()}
        # a set whose every brief is held out has nothing to say
        train = {o: sets[o][1][:, k].mean(axis=1) for o, k in keeps.items() if k.any()}
        order = by_regret(np.stack(list(train.values())))
        best = int(order[0])
        if check is not None:
            best = _least_regret(order[:CHECKED].tolist(),
                                 functools.partial(_trained, scores_of, keeps))
        held = np.array([niche_of(b) == niche for b in sets[name][0]])
        tuned[name][held] = scores_of(name, best)[held]
        chosen.append({"set": name, "niche": niche, "briefs": int(held.sum()),
                       "weights": asdict(points[best]),
                       "held_out_ndcg@10": float(scores_of(name, best)[held].mean()),
                       "defaults_ndcg@10": None if at is None
                       else float(scores_of(name, at)[held].mean())})
    return {
        "folds": chosen,
        "tuned_ndcg@10": {n: float(v.mean()) for n, v in tuned.items()},
        "defaults_ndcg@10": {n: None if at is None else float(scores_of(n, at).mean())
                             for n in sets},
        "distinct_choices": len({tuple(sorted(c["weights"].items())) for c in chosen}),
        "checked_by_matching": check is not None,
    }


def choose(scores: dict[str, np.ndarray],
           check: Callable[[int], dict[str, float]] | None = None) -> dict:
    """The grid point of least regret (largest_regret: a default that wins one set by losing
    another is not chosen), and the same among the points with keywords at 0; with each set's
    figure, and where the package's defaults stand.

    scores: each set's mean dev nDCG@10 of every point by the quick ranking. check (Checked.
    dev): the CHECKED best of the quick ranking (and of its points with keywords at 0) are
    answered by matching, and the choice among them, and every figure given, are matching's."""
    points = grid()
    names = list(scores)
    table = np.stack([scores[n] for n in names])
    regret = largest_regret(table)
    rank = np.empty(len(points), np.int64)
    rank[by_regret(table)] = np.arange(len(points))  # each point's place, best first
    defaults = asdict(Weights())
    at = next((j for j, w in enumerate(points) if asdict(w) == defaults), None)

    def figures(j: int) -> dict[str, float]:
        return {n: float(scores[n][j]) for n in names} if check is None else check(j)

    def best(mask: np.ndarray) -> int:
        ranked = np.flatnonzero(mask)[np.argsort(rank[mask], kind="stable")]
        if check is None:
            return int(ranked[0])  # first of the best
        return _least_regret(ranked[:CHECKED].tolist(), figures)

    i = best(np.ones(len(points), bool))
    d = best(np.array([w.keywords == 0 for w in points]))
    return {
        "weights": asdict(points[i]), "dev_ndcg@10": figures(i),
        "worst_set_dev_ndcg@10": min(figures(i).values()),
        "quick_dev_ndcg@10": {n: float(scores[n][i]) for n in names},
        "tied_best": int(np.sum(np.abs(regret - regret[i]) < 1e-12)),
        "dense_weights": asdict(points[d]), "dense_dev_ndcg@10": figures(d),
        "defaults": None if at is None else {
            "dev_ndcg@10": figures(at),
            "rank": int(rank[at]) + 1},
        "checked_by_matching": 0 if check is None else CHECKED,
        "grid": len(points), "sets": names}


def tune(rec, es: EvalSet, split: str = "dev") -> dict:
    """The grid point with the best mean nDCG@10 on one set's split (choose() over one set)."""
    return choose({es.path.name: grid_scores(rec, es, split)})


def _scored(rec: Recommender, brief: Brief) -> list[Candidate]:
    """The candidates matching would choose among for DEPTH results, re-scored from their posts
    as matching does, with their components."""
    pool, _, _ = rec.retriever.pool(brief, lexical_search=True)
    return rec.shortlisted(pool, brief.objective, DEPTH)[0]
