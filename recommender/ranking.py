"""The ranker: weighted score components, diversity, and the explanation of every match.

score = sum(w_i * component_i) / sum(w_i), over the components a brief defines (values needs a
values statement, tier_fit an objective). Every component lies in [0, 1]:

* similarity   - cosine of the brief with the creator's content vector (mean of bio and posts),
                 rescaled: (cos - 0.15) / 0.5, clipped to [0, 1]. Sentence-embedding models
                 such as all-MiniLM-L6-v2 put unrelated texts around 0.1-0.2 and close
                 paraphrases above 0.6; raw cosines would squeeze all of content fit into a
                 narrow band that tier and engagement then outweigh.
* values       - cosine of the brand's values statement with the same vector, rescaled alike
* keywords     - BM25 of the brief's and values' words over the creator's bio and posts, divided
                 by the best BM25 among the candidates (so 1 = the best lexical match); 0 when
                 no word matches. Off (weight 0) means dense retrieval only.
* tier_fit     - 1 for the objective's tier, 0.5 one tier away, 0 further (tiers.py)
* engagement   - engagement rate against the tier's norm (signals.py)
* authenticity - 1 minus the penalties of the flags raised (signals.py)

The ranker never touches storage: retrieval hands it a pool of columns (pool.py), and it
answers scores; explain.py turns the chosen few into explained matches.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .pool import Candidate, Pool
from .tiers import MISSION, TierScheme

COMPONENTS = ("similarity", "values", "keywords", "tier_fit", "engagement", "authenticity")


@dataclass(frozen=True)
class Weights:
    """Defaults tuned on the evaluation set's dev briefs (creator-match eval --tune, grid step
    0.05 over the simplex); README "How scores are made" gives the figures and the reasons.
    values and engagement weigh 0 because on that set they earned nothing: the brand's values
    already shape the candidates (the query vector and the lexical query include them), and the
    judgments do not grade engagement among genuine creators, so the set cannot show its worth."""

    similarity: float = 0.15
    values: float = 0.0
    keywords: float = 0.20
    tier_fit: float = 0.20
    engagement: float = 0.0
    authenticity: float = 0.45

    def __post_init__(self) -> None:
        for name, w in asdict(self).items():
            if not (w >= 0 and np.isfinite(w)):
                raise ValueError(f"weight {name} must be a finite number >= 0, got {w}")
        if sum(asdict(self).values()) <= 0:
            raise ValueError("at least one weight must be positive")

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
        return {
            "similarity": self._calibrate(pool.similarity),
            "values": None if pool.values_similarity is None
            else self._calibrate(pool.values_similarity),
            "keywords": None if pool.keywords is None
            else np.clip(np.asarray(pool.keywords, np.float64), 0.0, 1.0),
            "tier_fit": fits,
            "engagement": np.asarray(pool.engagement, np.float64),
            "authenticity": np.asarray(pool.authenticity, np.float64),
        }

    def score_pool(self, pool: Pool, objective: str | None
                   ) -> tuple[np.ndarray, dict[str, np.ndarray | None]]:
        """(scores, components) of every candidate: the weighted mean of the components the
        brief defines, vectorised over the pool."""
        w = asdict(self.weights)
        comps = self.components(pool, objective)
        active = [k for k in COMPONENTS if comps[k] is not None]
        total = sum(w[k] for k in active)
        acc = np.zeros(len(pool), np.float64)
        for k in active:
            acc = acc + w[k] * comps[k]
        return (acc / total if total else acc), comps

    def _calibrate(self, cosines: np.ndarray) -> np.ndarray:
        """cosine -> [0, 1]. 'fixed': (cos - floor) / span. 'pool': the pool's lowest cosine is
        0 and its best 1, so a model (or a language) whose cosines are all high still separates
        close from far creators."""
        c = np.asarray(cosines, np.float64)
        if self.calibration == "pool" and len(c):
            lo = float(c.min())
            hi = max(float(c.max()), lo + 1e-6)
            return np.clip((c - lo) / (hi - lo), 0.0, 1.0)
        return np.clip((c - self.similarity_floor) / self.similarity_span, 0.0, 1.0)

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
