"""Campaign plans: which creators, in which tiers, for a budget and an objective, and what the
plan is expected to bring, beside the obvious alternatives.

The plan is a 0/1 integer programme solved by HiGHS through scipy.optimize.milp:

    maximise   sum_i x_i * fit_i * (kpi_i / max kpi + 0.001)
    subject to sum_i cost_i x_i <= budget
               spend in tier t <= share_t * budget + the dearest creator of tier t
               spend in tier t >= share_t * budget - the tier's median creator
               x_i + x_j <= 1 for creators whose content vectors are near-duplicates (one
                          audience twice); sum_i x_i <= max creators
               at least one creator per country / platform the brief lists (when it lists
                          several and has candidates there)
               only creators on brief: fit at least MIN_FIT of the best eligible one's

kpi is the objective's: reach for awareness, engagements for engagement and conversion, UGC
pieces for ugc (forecast.py). The 0.001 term orders creators a tier needs but whose kpi is 0 (a
macro creator in a UGC plan) by fit. Candidates are the brief's best matches (the ranker's order
and filters), flagged creators left out unless asked. A tier whose candidates cannot absorb its
share (nano creators are cheap) keeps only its upper bound and the answer says how much stays
unspent; when the lower bounds together cannot be met, they are dropped and the answer says so."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from .errors import InvalidInputError
from .forecast import FORMULAS, Forecast
from .schema import Match

# budget shares per objective (the influence pyramid: nano creators are many and cheap, so a
# small share of the money buys many of them; the objective's own tier gets the most)
DEFAULT_MIX = {
    "awareness": {"macro": 0.75, "micro": 0.2, "nano": 0.05},
    "engagement": {"micro": 0.65, "macro": 0.25, "nano": 0.1},
    "conversion": {"micro": 0.65, "macro": 0.2, "nano": 0.15},
    "ugc": {"nano": 0.3, "micro": 0.5, "macro": 0.2},
}
# on brief: a plan considers creators whose fit (the ranker's score without its tier discount:
# the mix decides the tiers) is at least this share of the best eligible candidate's; a huge
# audience off the brief's topic would otherwise buy its way in
MIN_FIT = 0.5
KPI = {"awareness": "reach", "engagement": "engagements", "conversion": "engagements",
       "ugc": "ugc"}
OVERLAP = 0.95  # content cosine above which two creators count as one audience
TIME_LIMIT_S = 10.0


@dataclass
class Option:
    """One creator a plan may pick: its match, its forecast, its content vector."""

    match: Match
    forecast: Forecast
    vector: np.ndarray


@dataclass
class Plan:
    picks: list[int]
    optimal: bool
    notes: list[str] = field(default_factory=list)


def parse_mix(spec: str | dict[str, float] | None, tiers: list[str]) -> dict[str, float] | None:
    """'nano=0.3,micro=0.5,macro=0.2' (or a dict) -> shares, checked: known tiers, each 0-1,
    summing to 1."""
    if spec is None:
        return None
    if isinstance(spec, str):
        out: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            name, sep, num = part.partition("=")
            try:
                out[name.strip().lower()] = float(num)
            except ValueError:
                raise InvalidInputError(f"mix: bad share {part!r}: use TIER=SHARE, e.g. "
                                        "nano=0.3,micro=0.5,macro=0.2") from None
            if not sep:
                raise InvalidInputError(f"mix: bad share {part!r}: use TIER=SHARE")
    else:
        out = {str(k).lower(): float(v) for k, v in spec.items()}
    for name, share in out.items():
        if name not in tiers:
            raise InvalidInputError(f"mix: unknown tier {name!r}; this index has "
                                    f"{', '.join(tiers)}")
        if not 0 <= share <= 1:
            raise InvalidInputError(f"mix: {name}={share}: a share is between 0 and 1")
    if abs(sum(out.values()) - 1) > 1e-6:
        raise InvalidInputError(f"mix: the shares sum to {sum(out.values()):g}, not 1")
    return out


def optimise(options: list[Option], budget: float, mix: dict[str, float], kpi: str,
             max_creators: int, spread: dict[str, list[str]] | None = None) -> Plan:
    """The picks (indices into options) that maximise the fit-weighted kpi within the budget
    and the mix, solved exactly by HiGHS (optimal unless its time limit ran out)."""
    n = len(options)
    if n == 0:
        return Plan([], True, ["no candidate creator"])
    cost = np.array([o.forecast.cost for o in options])
    value = np.array([float(getattr(o.forecast, kpi)) for o in options])
    fit = np.array([o.forecast.fit for o in options])
    c = -(fit * (value / max(value.max(), 1e-12) + 1e-3))
    tiers = [o.match.tier for o in options]
    rows: list[tuple[np.ndarray, float, float]] = [(cost, -np.inf, budget),
                                                   (np.ones(n), -np.inf, max_creators)]
    lower_rows = []
    notes = []
    for tier, share in mix.items():
        member = np.array([t == tier for t in tiers], float)
        if not member.any():
            if share > 0:
                notes.append(f"{tier}: no candidate on brief; its {share:.0%} of the budget "
                             "stays unspent")
            continue
        dearest = float(cost[member > 0].max())
        rows.append((cost * member, -np.inf, share * budget + dearest))
        absorbable = float(np.sort(cost[member > 0])[::-1][:max_creators].sum())
        if absorbable < share * budget - dearest:
            notes.append(f"{tier}: its {share:.0%} of the budget is {share * budget:,.2f}, but "
                         f"{_candidates_cost(int(member.sum()))} {absorbable:,.2f} at "
                         "most: the rest stays unspent (change the mix to move it)")
        elif share * budget - float(np.median(cost[member > 0])) > 0:
            lower_rows.append((cost * member,
                               share * budget - float(np.median(cost[member > 0])), np.inf))
    for values in (spread or {}).values():
        for v in values:
            member = np.array([_field(o.match, v) for o in options], float)
            if member.any():
                lower_rows.append((member, 1.0, np.inf))
    pairs = near_duplicates(np.stack([o.vector for o in options]))
    result = _solve(c, n, rows + lower_rows, pairs)
    if result is None and lower_rows:
        notes.append("the tiers' lower bounds (and one creator per listed country or platform) "
                     "could not all be met with these candidates and this budget; they were "
                     "dropped, the upper bounds kept")
        result = _solve(c, n, rows, pairs)
    if result is None:
        return Plan([], True, [*notes, "no creator fits within the budget"])
    x, optimal = result
    if len(pairs):
        notes.append(f"{len(pairs)} pair(s) of near-duplicate creators (content cosine >= "
                     f"{OVERLAP}) may not both be picked")
    return Plan([i for i in range(n) if x[i] > 0.5], optimal, notes)


def near_duplicates(vectors: np.ndarray, block: int = 1024) -> np.ndarray:
    """(i, j) pairs, i < j, whose content cosine is at least OVERLAP; compared a block of rows
    at a time, so memory stays block x n however many candidates."""
    vecs = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    found = []
    for start in range(0, len(vecs), block):
        i, j = np.nonzero(vecs[start:start + block] @ vecs.T >= OVERLAP)
        i += start
        found.append(np.stack([i[j > i], j[j > i]], axis=1))
    return np.concatenate(found) if found else np.zeros((0, 2), np.int64)


def _field(m: Match, value: str) -> bool:
    return value in (m.country, m.platform)


def _solve(c: np.ndarray, n: int, rows: list[tuple[np.ndarray, float, float]],
           pairs: np.ndarray) -> tuple[np.ndarray, bool] | None:
    a = lil_matrix((len(rows) + len(pairs), n))
    lo, hi = [], []
    for r, (coef, low, high) in enumerate(rows):
        a[r, :] = coef
        lo.append(low)
        hi.append(high)
    for k, (i, j) in enumerate(pairs, start=len(rows)):
        a[k, i] = a[k, j] = 1
        lo.append(-np.inf)
        hi.append(1)
    res = milp(c, constraints=LinearConstraint(a.tocsr(), lo, hi), integrality=np.ones(n),
               bounds=Bounds(0, 1), options={"time_limit": TIME_LIMIT_S})
    if res.x is None:
        return None
    return np.round(res.x), bool(res.status == 0)


def greedy(options: list[Option], order: list[int], budget: float) -> list[int]:
    """The options in this order, each taken while the budget allows (the alternatives a
    planner would try by hand)."""
    spent, out = 0.0, []
    for i in order:
        if spent + options[i].forecast.cost <= budget:
            out.append(i)
            spent += options[i].forecast.cost
    return out


def totals(options: list[Option], picks: list[int]) -> dict[str, Any]:
    chosen = [options[i].forecast for i in picks]
    cost = round(sum(f.cost for f in chosen), 2)
    reach = sum(f.reach for f in chosen)
    engagements = sum(f.engagements for f in chosen)
    return {"creators": len(chosen), "cost": cost, "reach": reach, "engagements": engagements,
            "ugc": sum(f.ugc for f in chosen),
            "mean_fit": round(float(np.mean([f.fit for f in chosen])), 4) if chosen else None,
            "cost_per_engagement": round(cost / engagements, 4) if engagements else None,
            "cpm": round(cost / reach * 1000, 2) if reach else None}


def _candidates_cost(n: int) -> str:
    return "its one candidate on brief costs" if n == 1 else f"its {n} candidates on brief cost"


def answer(options: list[Option], plan: Plan, budget: float, currency: str, objective: str,
           mix: dict[str, float], assumptions: dict[str, Any]) -> dict[str, Any]:
    """The plan as the CLI's --json, the library and POST /v1/plan return it."""
    by_tier: dict[str, Any] = {}
    for tier in dict.fromkeys([options[i].match.tier for i in plan.picks]):
        by_tier[tier] = totals(options, [i for i in plan.picks if options[i].match.tier == tier])
    macro = [i for i, o in enumerate(options) if o.match.tier == "macro"]
    alternatives = {
        "best-fitting macro creators": totals(options, greedy(options, macro, budget)),
        "top of the match list": totals(options, greedy(options, list(range(len(options))),
                                                        budget)),
        "the plan": totals(options, plan.picks),
    }
    return {
        "budget": budget, "currency": currency, "objective": objective, "mix": mix,
        "optimal": plan.optimal,
        "picks": [{**options[i].match.model_dump(mode="json"), **options[i].forecast.to_dict()}
                  for i in plan.picks],
        "totals": totals(options, plan.picks), "by_tier": by_tier,
        "alternatives": alternatives, "notes": plan.notes,
        "assumptions": {**assumptions, "formulas": FORMULAS,
                        "kpi": f"{KPI[objective]} weighted by fit",
                        "estimates": "costs and forecasts are estimates, not quotes"},
    }
