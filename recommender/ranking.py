"""The ranker: how close a creator is to the brief, discounted by what makes it a poor pick.

    score = relevance x values x tier x engagement x authenticity

relevance is what the creator talks about: the weighted mean of two components,
* similarity - cosine of the brief with the creator's content vector (mean of bio and posts),
               rescaled over the candidates (the lowest 0, the best 1, over at least MIN_SPAN
               of cosine; "fixed" calibration: (cos - 0.15) / 0.5);
* keywords   - BM25 of the brief's and values' words over the creator's bio and posts, divided
               by the best among the candidates; 0 when no word matches. Not defined for a
               creator who writes in another language than the brief (pool.other_language):
               the brief's words are not its words, and 0 would mark it down for the language
               the planner wrote in; its relevance is its similarity alone.
Every scale is read on the pool a default answer holds (Pool.reference): a deeper pool, for
more results, scores more creators on the same scales.
Every other component c in [0, 1] is a factor 1 - w * (1 - c): at weight w it can take at most
w of the score away, and it can never lift a creator the brief is not about. That is the point:
an on-tier, authentic creator of another niche stays below the creators of the brief's niche.
* values       - the creator's stance on the brand's values statement beyond the brief's topic:
                 the component of the values vector orthogonal to the brief's, against the
                 creator's vector, rescaled over the candidates (two creators of one niche with
                 opposite stances share the topic, and differ here); the few that can make the
                 top k are re-scored from their posts (evidence.py). None without a statement.
* tier_fit     - 1 for the objective's tier, 0.5 one tier away, 0 further (tiers.py); None
                 without an objective
* engagement   - engagement rate against its peers' norm (signals.py, norms.py)
* authenticity - 1 minus the penalties of the flags raised (signals.py); at weight 1 a creator
                 flagged for bought followers loses what the flag's penalty says

The ranker never touches storage: retrieval hands it a pool of columns (pool.py), and it
answers scores; explain.py turns the chosen few into explained matches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from .pool import Candidate, Pool
from .tiers import MISSION, TierScheme

COMPONENTS = ("similarity", "values", "keywords", "tier_fit", "engagement", "authenticity")
RELEVANCE = ("similarity", "keywords")  # averaged: what the creator talks about
FACTORS = ("values", "tier_fit", "engagement", "authenticity")  # each takes away at most w


@dataclass(frozen=True)
class Weights:
    """similarity and keywords: their shares of relevance (any scale, at least one positive).
    values, tier_fit, engagement, authenticity: the most each may take off the score, 0-1.

    The defaults were chosen for a reason before they were measured, then checked on both
    labelled sets (README "How scores are made" gives the figures): authenticity at 1 (a
    flag's penalty is its whole cost), values at 0.5 (stance decides between creators of one
    topic, not whether a creator is on topic), tier at 0.5 (one tier away keeps three quarters
    of a perfect fit, two tiers away half: the objective decides the tier mix, but a creator of
    the brief's topic in another tier beats one off topic in the right tier), engagement at 0.1
    (a tie-breaker among genuine creators; bought engagement is authenticity's job), relevance
    0.7 content and 0.3 words (the words catch a campaign's hashtag and names a model blurs)."""

    similarity: float = 0.7
    values: float = 0.5
    keywords: float = 0.3
    tier_fit: float = 0.5
    engagement: float = 0.1
    authenticity: float = 1.0

    def __post_init__(self) -> None:
        for name, w in asdict(self).items():
            if not (w >= 0 and np.isfinite(w)):
                raise ValueError(f"weight {name} must be a finite number >= 0, got {w}")
            if name in FACTORS and w > 1:
                raise ValueError(f"weight {name} is the share of the score it may take away: "
                                 f"0 to 1, got {w}")
        if self.similarity + self.keywords <= 0:
            raise ValueError("similarity or keywords must weigh more than 0: they are what the "
                             "creator talks about")

    @classmethod
    def parse(cls, spec: str) -> Weights:
        """'similarity=0.4,authenticity=0.2' -> Weights with those values, defaults elsewhere."""
        values: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            name, sep, num = part.partition("=")
            if not sep or name.strip() not in COMPONENTS:
                raise ValueError(f"bad weight {part!r}: use NAME=NUMBER with NAME one of "
                                 f"{', '.join(COMPONENTS)}")
            try:
                values[name.strip()] = float(num)
            except ValueError:
                raise ValueError(f"bad weight {part!r}: {num!r} is not a number") from None
        return cls(**values)


@dataclass
class Ranker:
    weights: Weights = field(default_factory=Weights)
    tiers: TierScheme = MISSION
    diversity: float = 0.0  # 0 = pure score order; towards 1 = more penalty for near-duplicates
    similarity_floor: float = 0.15  # cosine that counts as no fit at all
    similarity_span: float = 0.5  # cosine above the floor that counts as a perfect fit
    calibration: str = "pool"  # or "fixed": see _calibration

    def __post_init__(self) -> None:
        if not 0.0 <= self.diversity < 1.0:
            raise ValueError("diversity must be in [0, 1)")

    def components(self, pool: Pool, objective: str | None) -> dict[str, np.ndarray | None]:
        """Each component for every candidate of the pool, in [0, 1]; None where the brief does
        not define it (no values statement, lexical search off, no objective)."""
        fits = None
        if objective is not None:
            table = {t: self.tiers.fit(objective, t) for t in set(pool.tier.tolist())}
            fits = np.array([table[t] for t in pool.tier.tolist()], dtype=np.float64)
        values = None if pool.values_similarity is None else stance(
            pool.similarity, pool.values_similarity, pool.brief_values_cosine)
        return {
            "similarity": self.content(pool),
            "values": None if values is None else self._spread(values,
                                                               pool.in_reference(values)),
            "keywords": None if pool.keywords is None
            else np.where(pool.other_language(), np.nan, np.clip(
                _per_best(pool.keywords, pool.in_reference(pool.keywords)), 0.0, 1.0)),
            "tier_fit": fits,
            "engagement": np.asarray(pool.engagement, np.float64),
            "authenticity": np.asarray(pool.authenticity, np.float64),
        }

    def content(self, pool: Pool) -> np.ndarray:
        """The similarity component: the cosine with the brief (or with the brief its best
        candidates moved, pool.content: feedback.py), calibrated."""
        cosines = pool.similarity if pool.content is None else pool.content
        return self._calibrate(cosines, pool.in_reference(cosines))

    def score_pool(self, pool: Pool, objective: str | None
                   ) -> tuple[np.ndarray, dict[str, np.ndarray | None]]:
        """(scores, components) of every candidate, vectorised over the pool."""
        comps = self.components(pool, objective)
        return self.combine(comps, len(pool)), comps

    def combine(self, comps: dict[str, np.ndarray | None], n: int) -> np.ndarray:
        """relevance (the weighted mean of similarity and keywords, those the brief defines,
        for each creator those defined for it: NaN where not) times 1 - w * (1 - c) for every
        other component c it defines."""
        w = asdict(self.weights)
        score, total = np.zeros(n, np.float64), np.zeros(n, np.float64)
        for k in RELEVANCE:
            c = comps[k]
            if c is not None and w[k] > 0:
                known = ~np.isnan(c)
                score += np.where(known, w[k] * np.nan_to_num(c), 0.0)
                total += np.where(known, w[k], 0.0)
        score = np.divide(score, total, out=np.zeros(n, np.float64), where=total > 0)
        for k in FACTORS:
            c = comps[k]
            if c is not None and w[k] > 0:  # NaN: not defined for that creator, no discount
                score = score * (1.0 - w[k] * (1.0 - np.clip(np.nan_to_num(c, nan=1.0), 0.0,
                                                             1.0)))
        return score

    def _calibrate(self, cosines: np.ndarray, scale: np.ndarray | None = None) -> np.ndarray:
        """cosine -> [0, 1]. 'fixed': (cos - floor) / span. 'pool': the pool's lowest cosine is
        0 and its best 1 (over at least MIN_SPAN; read on scale, the pool's reference
        candidates, when given), so a model (or a language) whose cosines are all high still
        separates close from far creators."""
        c = np.asarray(cosines, np.float64)
        if self.calibration == "pool" and len(c):
            return self._spread(c, scale)
        return np.clip((c - self.similarity_floor) / self.similarity_span, 0.0, 1.0)

    @staticmethod
    def _spread(x: np.ndarray, scale: np.ndarray | None = None) -> np.ndarray:
        """The candidates' best 1 and their lowest 0 (of scale, when given: the pool's
        reference candidates; a candidate outside them is clipped), over at least MIN_SPAN of
        cosine: when they all lie closer together than that, the lowest stays above 0 (all 1
        when they are all alike), so that differences the encoder cannot resolve do not become
        a whole component's range."""
        x = np.asarray(x, np.float64)
        ref = x if scale is None or not len(scale) else np.asarray(scale, np.float64)
        if not len(x):
            return x
        hi = float(ref.max())
        lo = min(float(ref.min()), hi - MIN_SPAN)
        return np.clip((x - lo) / (hi - lo), 0.0, 1.0)

    def shortlist(self, scores: np.ndarray, m: int) -> np.ndarray:
        """Indices of the m best scores and of every score tied with the m-th (ties are broken
        by creator id, which the caller reads for these few only)."""
        if m >= len(scores):
            return np.arange(len(scores))
        cut = np.partition(-scores, m - 1)[m - 1]
        return np.flatnonzero(-scores <= cut)

    def pool_depth(self, k: int) -> int:
        """How many of the best-scored candidates select() may look at for k results."""
        return k if self.diversity == 0.0 else max(k * 5, 50)

    def select(self, ranked: list[Candidate], k: int) -> list[Candidate]:
        """The top k; with diversity > 0, maximal marginal relevance over content vectors."""
        if self.diversity == 0.0 or len(ranked) <= 1:
            return ranked[:k]
        lam = self.diversity
        pool = ranked[: self.pool_depth(k)]
        vecs = np.stack([c.row.vector for c in pool])
        vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        scores = np.array([c.score for c in pool])
        chosen: list[int] = []
        max_sim = np.full(len(pool), -np.inf)
        available = np.ones(len(pool), dtype=bool)
        while len(chosen) < min(k, len(pool)):
            redundancy = np.where(np.isfinite(max_sim), max_sim, 0.0)
            mmr = np.where(available, (1 - lam) * scores - lam * redundancy, -np.inf)
            best = int(np.argmax(mmr))
            chosen.append(best)
            available[best] = False
            max_sim = np.maximum(max_sim, vecs @ vecs[best])
        return [pool[i] for i in chosen]

    @property
    def hybrid(self) -> bool:
        """Whether the lexical index takes part (a positive keywords weight)."""
        return self.weights.keywords > 0


def _per_best(keywords: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Keywords as retrieval gives them (BM25 over the pool's best), over the best of scale
    instead (the pool's reference candidates: the same best for any number of results asked)."""
    k = np.asarray(keywords, np.float64)
    best = float(np.max(scale, initial=0.0))
    return k / best if best > 0 else k


def columns(components: Sequence[Mapping[str, float | None]]) -> dict[str, np.ndarray | None]:
    """Candidates' components (as Candidate.components holds them) as the ranker's columns:
    None where no candidate has one (the brief does not define it), NaN for a candidate it is
    not defined for (keywords, for a creator of another language than the brief)."""
    return {k: None if all(c.get(k) is None for c in components) else np.array(
        [np.nan if c.get(k) is None else c[k] for c in components], np.float64)
        for k in COMPONENTS}


# The least range of cosines (similarity, or stance along the values direction) that the pool
# calibration stretches to 0..1. Two stances of one niche lie 0.076-0.107 apart (median values
# fit, evidence.STANCE_MARGIN), the finest difference measured to mean something; the pools of
# the three labelled sets span at least 0.26 (similarity) and 0.195 (values), and are not
# changed by it. A small or narrowly filtered catalogue (40 creators posting one caption and one
# posting another) no longer turns a cosine difference of 0.01 into content 0 against 1.
MIN_SPAN = 0.1

# below this length of the values vector's part orthogonal to the brief's, the statement says
# little the brief does not, and the values vector itself is used
RESIDUAL_MIN = 0.2


def stance(brief_cos: np.ndarray, values_cos: np.ndarray, between: float | None) -> np.ndarray:
    """Each creator's cosine with values_direction, from the two cosines already known (x.v and
    x.b): (x.v - (v.b) x.b) / |v - (v.b) b|. Two creators of the brief's niche share x.b and
    differ in it by their stance."""
    v = np.asarray(values_cos, np.float64)
    if between is None:
        return v
    residual = float(np.sqrt(max(0.0, 1.0 - between * between)))
    if residual < RESIDUAL_MIN:
        return v
    return (v - between * np.asarray(brief_cos, np.float64)) / residual


def values_direction(q_brief: np.ndarray, q_values: np.ndarray) -> np.ndarray:
    """The values beyond the brief's topic: the values vector v minus its projection on the
    brief vector b, normalised; v itself when that part is shorter than RESIDUAL_MIN."""
    residual = q_values - float(q_brief @ q_values) * q_brief
    norm = float(np.linalg.norm(residual))
    return q_values if norm < RESIDUAL_MIN else residual / norm
