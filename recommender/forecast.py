"""What one sponsored post by a creator is expected to cost and bring: the figures a campaign
plan adds up. Each is an estimate; FORMULAS names how it is made, and a plan prints them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from statistics import median
from typing import Any

from .rates import RateCard, bracket_of
from .schema import Match

FORMULAS = {
    "cost": "the creator's own rate when its record has one, else the rate card's price for its "
            "platform and follower bracket, scaled by followers (log) and engagement "
            "(x0.8-1.2), converted to the plan's currency",
    "reach": "median views of its posts that report views; else followers x the card's reach "
             "share for its bracket",
    "engagements": "followers x its engagement rate (its peers' median, or its tier's typical "
                   "rate, when its counts are hidden)",
    "ugc": "1 reusable piece per nano or micro creator (consumers turned ambassadors: their post "
           "is user-generated content a brand can reuse); 0 for macro creators (their post is "
           "sponsored content)",
    "fit": "the ranker's score for the brief without its tier discount (0-1): the mix decides "
           "the tiers",
    "cost_per_engagement": "cost / engagements",
    "cpm": "cost / reach x 1,000",
}


@dataclass
class Forecast:
    cost: float
    reach: int
    engagements: int
    ugc: int
    fit: float
    cost_source: str  # "rate" (the record's) or "card"
    reach_source: str  # "views" or "followers"

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["cost_per_engagement"] = (round(self.cost / self.engagements, 4)
                                      if self.engagements else None)
        out["cpm"] = round(self.cost / self.reach * 1000, 2) if self.reach else None
        return out


def forecast(m: Match, record: dict[str, Any], card: RateCard, conversion: float,
             expected_rate: float, fit: float | None = None) -> Forecast:
    """One post's forecast for a matched creator, given its stored record (fit: the plan's
    fit, default the match's score)."""
    own = record.get("rate")
    engagement = m.components.get("engagement")
    if own is not None:
        cost, cost_source = float(own) * conversion, "rate"
    else:
        price = card.price(m.platform, m.followers, 0.5 if engagement is None else engagement)
        cost, cost_source = price * conversion, "card"
    views = [p["views"] for p in record.get("posts") or [] if p.get("views")]
    if views:
        reach, reach_source = int(median(views)), "views"
    else:
        reach = int(m.followers * card.reach_share(bracket_of(m.followers)))
        reach_source = "followers"
    rate = m.engagement_rate if m.engagement_rate is not None else expected_rate
    return Forecast(cost=round(max(cost, 0.01), 2), reach=reach,
                    engagements=round(m.followers * rate),
                    ugc=1 if m.tier in ("nano", "micro") else 0,
                    fit=round(m.score if fit is None else fit, 4),
                    cost_source=cost_source, reach_source=reach_source)
