"""A Recommender's campaign plan: the brief's on-brief candidates, their forecasts from the rate
card, the optimisation (plan.py) and the assumptions behind every figure."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import plan as planning
from .errors import InvalidInputError
from .forecast import forecast
from .rates import RateCard
from .schema import Brief, Match

if TYPE_CHECKING:
    from .answering import Answering


def plan(rec: Answering, brief: Brief, budget: float, *, currency: str | None = None,
         mix: str | dict[str, float] | None = None, max_creators: int = 30,
         allow_flagged: bool = False, rate_card: str | Path | None = None,
         candidates: int = 200) -> dict[str, Any]:
    if not (isinstance(budget, int | float) and math.isfinite(budget) and budget > 0):
        raise InvalidInputError(f"budget: must be a positive amount, got {budget!r}")
    if not 1 <= max_creators <= 1000:
        raise InvalidInputError(f"max_creators: between 1 and 1000, got {max_creators}")
    objective = brief.objective or "engagement"
    card = RateCard.load(rate_card)
    conversion = card.conversion(currency)
    cur = (currency or card.currency).upper()
    tiers = list(rec.tiers.names)
    shares = planning.parse_mix(mix, tiers)
    if shares is None:
        shares = planning.DEFAULT_MIX[objective]
        if any(t not in tiers for t in shares):
            raise InvalidInputError(f"mix: this index's tiers ({', '.join(tiers)}) have no "
                                    "default pyramid: give a mix")
    options = _options(rec, brief, card, conversion, allow_flagged,
                       max(candidates, max_creators))
    if options:
        cheapest = min(options, key=lambda o: o.forecast.cost)
        if budget < cheapest.forecast.cost:
            raise InvalidInputError(
                f"budget: {budget:,.2f} {cur} is below the cheapest candidate's estimated "
                f"price ({cheapest.forecast.cost:,.2f} {cur}, "
                f"{cheapest.match.handle or cheapest.match.creator_id})")
    f = brief.filters
    listed = {"countries": list(f.countries or []),
              "platforms": [str(p) for p in f.platforms or []]}
    spread = {k: v for k, v in listed.items() if len(v) > 1}
    result = planning.optimise(options, budget, shares, planning.KPI[objective], max_creators,
                               spread)
    assumptions = {
        "rate_card": card.source, "card_currency": card.currency,
        "exchange_rate": None if conversion == 1.0 else
        {"from": card.currency, "to": cur, "rate": round(conversion, 6),
         "as_of": "the rate card's fx table (default: approximate, 2026-11)"},
        "reach_shares": card.reach, "candidates": len(options),
        "flagged_left_out": not allow_flagged, "max_creators": max_creators,
        "on_brief": f"fit at least {planning.MIN_FIT:.0%} of the best eligible candidate's",
        "objective_defaulted": brief.objective is None,
        "mix_source": "--mix" if mix is not None else f"the default pyramid for {objective}",
    }
    return planning.answer(options, result, float(budget), cur, objective, shares, assumptions)


def _options(rec: Answering, brief: Brief, card: RateCard, conversion: float,
             allow_flagged: bool, k: int) -> list[planning.Option]:
    """The brief's best matches that a plan may pick, with their forecasts and vectors: not
    flagged (unless allowed), and on brief. The fit a plan weighs is the score without its tier
    discount (the mix decides the tiers); on brief is at least MIN_FIT of the best one's."""
    matches = rec.match(brief.model_copy(update={"k": k}))
    if not allow_flagged:
        matches = [m for m in matches if not set(m.flags) - {"no_engagement_data"}]
    fit = {m.creator_id: without_tier(m, rec.ranker.weights.tier_fit) for m in matches}
    top = max(fit.values(), default=0.0)
    matches = [m for m in matches if fit[m.creator_id] >= planning.MIN_FIT * top]
    ids = [m.creator_id for m in matches]
    vids = rec.catalog.vids_of(ids)
    rows = rec.catalog.rows(list(vids.values()))
    records = rec.catalog.records(ids)
    options = []
    for m in matches:
        if m.creator_id not in records or vids.get(m.creator_id) not in rows:
            continue  # removed meanwhile
        # the rate its peers get (norms.py), for a creator whose counts are hidden
        expected = (records[m.creator_id]["signals"].get("engagement_norm")
                    or rec.tiers.tier_of(m.followers).expected_engagement)
        options.append(planning.Option(
            m, forecast(m, records[m.creator_id]["record"], card, conversion, expected,
                        min(1.0, fit[m.creator_id])),
            rows[vids[m.creator_id]].vector))
    return options


def without_tier(m: Match, weight: float) -> float:
    """A match's score without the ranker's tier discount (1 - w (1 - tier_fit))."""
    t = m.components.get("tier_fit")
    return m.score if t is None else m.score / max(1e-9, 1 - weight * (1 - t))
