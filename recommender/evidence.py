"""Evidence from posts: the shortlist re-scored from what each creator posts, not from the mean
of its texts.

A creator's content vector is the mean of its bio and posts. It blurs two things a planner
tells apart: a keyword stuffer's bio full of the brief's words over posts of another niche
(its normalised mean leans on the bio), and a stance held in some posts but not all. So the
few creators that can make the top k are scored again from their posts:

* content fit  = the mean of two estimates of how much the creator posts about the brief (the
                 bio only for a creator without posts), each caption once (the catalog reads
                 each text of a creator once: three different posts on the brief's topic are
                 more evidence than one posted three times):
                 - the mean cosine of all its posts: what it posts, taken together. One stray
                   caption that happens to sit near the brief does not make a creator of
                   another niche, and posting more does not raise it (the best of many noisy
                   cosines grows with their number; their mean does not);
                 - the mean cosine of its TOP_POSTS posts closest to the brief: it posts on the
                   brief's subject itself (the brief's own product, its stance), not only
                   around it;
* values fit   = the mean cosine of its TOP_POSTS posts closest to the values direction beyond
                 the brief's topic (ranking.stance), so that two creators of one niche with
                 opposite stances separate; those posts are shown as "shares your values".

Content fit is rescaled over the shortlist (lowest 0, best 1), as the pool's similarity is;
values fit is 0.5 at the shortlist's median with STANCE_MARGIN either side (a fixed margin in
cosine units keeps small differences among creators who all share the values small). They
replace the pool's similarity and values components, and the ranker combines them as before.
(A fixed margin for content too, 1 at the best and 0 at 0.2 below, was tried and lost on both
labelled sets: 0.886 and 0.916 nDCG@10 against 0.923 and 0.929.)
"""

from __future__ import annotations

import numpy as np

from .pool import Candidate
from .ranking import COMPONENTS, Ranker, values_direction

TOP_POSTS = 3
# values fit: 0.5 at the shortlist's median, 1 this much cosine above it, 0 this much below.
# Opposite stances of one niche sit about 0.1-0.15 below the same stance's median on the
# 'stances' set; a fixed margin, unlike rescaling lowest-to-best, does not turn the small
# differences among creators who all share the values into large discounts, and one outlier
# does not set everyone's scale.
STANCE_MARGIN = 0.15


def rerank_depth(depth: int) -> int:
    """How many of the pool's best are re-scored from their posts for `depth` results: enough
    that a creator the pool's mean vectors under-rate can still climb into the top, few enough
    that reading their posts' vectors stays a small part of a match (3·depth scored 0.008 and
    0.003 nDCG@10 higher on the two labelled sets, at about 1 ms more per match)."""
    return max(2 * depth, 30)


def _top_mean(sims: np.ndarray) -> float:
    k = min(TOP_POSTS, len(sims))
    return float(np.mean(np.partition(sims, len(sims) - k)[-k:])) if k else 0.0


def content_fit(sims: np.ndarray) -> float:
    """A creator's fit with the brief from its posts' cosines: the mean of all of them and of
    its TOP_POSTS best (module docstring). Dot products only, so it holds for post vectors
    projected on the brief's plane (sharding.py)."""
    return 0.5 * (float(np.mean(sims)) + _top_mean(sims)) if len(sims) else 0.0


def rescore(ranker: Ranker, cands: list[Candidate],
            vectors: dict[int, tuple[list[str | None], np.ndarray]],
            q_brief: np.ndarray, q_values: np.ndarray | None) -> list[Candidate]:
    """The candidates with similarity and values from their posts, re-scored, best first (ties
    by creator id). A candidate whose vectors could not be read keeps its pool components."""
    direction = None if q_values is None else values_direction(q_brief, q_values)
    fit = np.full(len(cands), np.nan)
    stance = np.full(len(cands), np.nan)
    for i, c in enumerate(cands):
        got = vectors.get(c.row.vid)
        if got is None:
            continue
        pids, vecs = got
        posts = [j for j, p in enumerate(pids) if p is not None] or list(range(len(pids)))
        vecs = vecs[posts]
        fit[i] = content_fit(vecs @ q_brief)
        if direction is not None:
            s = vecs @ direction
            stance[i] = _top_mean(s)
            order = np.argsort(-s, kind="stable")[:TOP_POSTS]
            c.value_posts = [(str(pids[posts[j]]), round(float(s[j]), 4)) for j in order
                             if pids[posts[j]] is not None]
    comps: dict[str, np.ndarray | None] = {}
    for k in COMPONENTS:
        col = [c.components.get(k) for c in cands]
        comps[k] = None if any(x is None for x in col) else np.array(col, np.float64)
    comps["similarity"] = _replace(comps["similarity"], fit, None)
    if comps["values"] is not None:
        comps["values"] = _replace(comps["values"], stance, STANCE_MARGIN)
    scores = ranker.combine(comps, len(cands))
    for i, c in enumerate(cands):
        c.components = {k: None if v is None else round(float(v[i]), 4)
                        for k, v in comps.items()}
        c.score = float(scores[i])
    return sorted(cands, key=lambda c: (-c.score, c.row.id))


def _replace(pool_values: np.ndarray | None, fresh: np.ndarray,
             margin: float | None) -> np.ndarray | None:
    """fresh rescaled over the shortlist where known (the pool's component elsewhere): without
    a margin the lowest 0 and the best 1; with one, in cosine units, the shortlist's median
    0.5, `margin` above it 1 and `margin` below it 0."""
    if pool_values is None:
        return None
    known = ~np.isnan(fresh)
    if not known.any():
        return pool_values
    out = pool_values.copy()
    lo, hi = float(fresh[known].min()), float(fresh[known].max())
    if margin is not None:
        mid = float(np.median(fresh[known]))
        lo, hi = mid - margin, mid + margin
    elif hi - lo < 1e-6:  # all alike: every one is the best there is
        out[known] = 1.0
        return out
    out[known] = np.clip((fresh[known] - lo) / (hi - lo), 0.0, 1.0)
    return out
