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

The ranker never touches storage: the service hands it candidates and, for the chosen few, their
posts' vectors to pick evidence from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from . import lexical
from .catalog import CreatorRow
from .schema import Evidence, Match
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
class Candidate:
    row: CreatorRow
    similarity: float  # raw cosine with the brief
    values_similarity: float | None  # raw cosine with the values statement
    keywords: float | None = None  # BM25 / best BM25 for the brief; None: lexical search off
    components: dict[str, float | None] = field(default_factory=dict)
    score: float = 0.0


@dataclass
class Ranker:
    weights: Weights = field(default_factory=Weights)
    tiers: TierScheme = MISSION
    diversity: float = 0.0  # 0 = pure score order; towards 1 = more penalty for near-duplicates
    similarity_floor: float = 0.15  # cosine that counts as no fit at all
    similarity_span: float = 0.5  # cosine above the floor that counts as a perfect fit
    calibration: str = "pool"  # or "fixed": see _calibration
    evidence_posts: int = 3

    def __post_init__(self) -> None:
        if not 0.0 <= self.diversity < 1.0:
            raise ValueError("diversity must be in [0, 1)")

    def score(self, candidates: list[Candidate], objective: str | None) -> list[Candidate]:
        """Fill each candidate's components and score; returns them best first."""
        w = asdict(self.weights)
        sim = self._calibration([c.similarity for c in candidates])
        val = self._calibration([c.values_similarity for c in candidates
                                 if c.values_similarity is not None])
        for c in candidates:
            comps: dict[str, float | None] = {
                "similarity": sim(c.similarity),
                "values": None if c.values_similarity is None else val(c.values_similarity),
                "keywords": None if c.keywords is None else _unit(c.keywords),
                "tier_fit": self.tiers.fit(objective, c.row.tier),
                "engagement": float(c.row.engagement),
                "authenticity": float(c.row.authenticity),
            }
            active = {k: v for k, v in comps.items() if v is not None}
            total = sum(w[k] for k in active)
            c.components = {k: (None if v is None else round(v, 4)) for k, v in comps.items()}
            c.score = sum(w[k] * v for k, v in active.items()) / total if total else 0.0
        return sorted(candidates, key=lambda c: (-c.score, c.row.id))

    def _calibration(self, cosines: list[float]):
        """cosine -> [0, 1]. 'fixed': (cos - floor) / span. 'pool': the pool's lowest cosine is
        0 and the higher of its best and floor + span is 1, so a model (or a language) whose
        cosines are all high still separates close from far creators."""
        if self.calibration == "pool" and cosines:
            lo = min(cosines)
            hi = max(max(cosines), lo + 1e-6)
            return lambda c: _unit((c - lo) / (hi - lo))
        return lambda c: _unit((c - self.similarity_floor) / self.similarity_span)

    def select(self, ranked: list[Candidate], k: int) -> list[Candidate]:
        """The top k; with diversity > 0, maximal marginal relevance over content vectors."""
        if self.diversity == 0.0 or len(ranked) <= 1:
            return ranked[:k]
        lam = self.diversity
        pool = ranked[: max(k * 5, 50)]
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

    def explain(self, c: Candidate, query: np.ndarray,
                texts: list[tuple[str | None, str, np.ndarray]],
                query_terms: list[str] | None = None) -> Match:
        """The match object: components, flags with their evidence, the closest posts and the
        brief's words the creator used."""
        posts = [(pid, text, vec) for pid, text, vec in texts if pid is not None]
        evidence: list[Evidence] = []
        if posts:
            sims = np.stack([v for _, _, v in posts]) @ query
            for i in np.argsort(-sims, kind="stable")[: self.evidence_posts]:
                pid, text, _ = posts[i]
                evidence.append(Evidence(post_id=pid, text=_snippet(text),
                                         similarity=round(float(sims[i]), 4)))
        flags = c.row.signals.get("flags", [])
        return Match(
            creator_id=c.row.id,
            handle=c.row.handle,
            platform=c.row.platform,
            tier=c.row.tier,
            followers=c.row.followers,
            engagement_rate=None if c.row.engagement_rate is None
            else round(c.row.engagement_rate, 5),
            score=round(c.score, 4),
            components=c.components,
            evidence=evidence,
            flags=[f["name"] for f in flags],
            flag_details={f["name"]: f["evidence"] for f in flags},
            matched_terms=lexical.matched(query_terms or [], (t for _, t, _ in texts)),
        )


def _unit(cosine: float) -> float:
    return float(min(1.0, max(0.0, cosine)))


def _snippet(text: str, limit: int = 280) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
