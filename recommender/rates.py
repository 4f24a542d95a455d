"""The rate card: an estimated cost per sponsored post for every creator, and the forecast ratios
a plan uses. Every figure here is an estimate, and the plan's output says so and from what.

Default prices, per sponsored post, in USD, are the ranges industry guides publish by platform
and account size (Influencer Marketing Hub, "Influencer Marketing Benchmark Report" and its rate
guides, 2024-2025: Instagram nano $10-100, micro $100-500, mid $500-5k, macro $5-10k, mega
$10k+; TikTok, YouTube, X and Facebook with their own ranges). Their size brackets are by
followers:

    nano 1k-10k · micro 10k-50k · mid 50k-500k · macro 500k-1M · mega 1M+

(the guides' brackets, not creator-match's tiers, which decide fit, not price). Below 1,000
followers the nano range's low end is scaled down by followers, to half of it at most. Within a
bracket the price moves with followers on a log scale, from the range's low end to its high end,
then by engagement: x(0.8 + 0.4 * engagement component), so a creator at its tier's typical
engagement pays the bracket price and an unusually engaged one up to 20% more. A creator
record's `rate` field (the agency's real price, in the card's currency) replaces the estimate.
A rate-card file (JSON or TOML) overrides any part: {"currency": "EUR", "fx": {"EUR": 0.92},
"platforms": {"instagram": [[10, 100], [100, 500], [500, 5000], [5000, 10000], [10000, 20000]]},
"reach": {"nano": 0.25, ...}}.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InvalidInputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SOURCE = ("Influencer Marketing Hub rate guides 2024-2025 (per-post price ranges by platform and "
          "follower bracket)")
BRACKETS = (1_000, 10_000, 50_000, 500_000, 1_000_000)  # lower bounds: nano, micro, mid, ...
BRACKET_NAMES = ("nano", "micro", "mid", "macro", "mega")
# USD per post: (low, high) per bracket; mega's high end is an anchor for the log scale only
DEFAULT_PRICES: dict[str, list[tuple[float, float]]] = {
    "instagram": [(10, 100), (100, 500), (500, 5_000), (5_000, 10_000), (10_000, 20_000)],
    "tiktok": [(5, 25), (25, 125), (125, 1_250), (1_250, 2_500), (2_500, 5_000)],
    "youtube": [(20, 200), (200, 1_000), (1_000, 10_000), (10_000, 20_000), (20_000, 40_000)],
    "x": [(2, 20), (20, 100), (100, 1_000), (1_000, 2_000), (2_000, 4_000)],
    "facebook": [(25, 250), (250, 1_250), (1_250, 12_500), (12_500, 25_000), (25_000, 50_000)],
}
PRICE_FALLBACK = "instagram"  # platforms the guides do not price (twitch, pinterest, ...)
# reach of one post as a share of followers, by creator-match tier, where a creator reports no
# views: organic reach falls with account size (the same guides: roughly 20-30% for small
# accounts, under 10% for large ones); posts that report views use their median views instead
DEFAULT_REACH = {"nano": 0.25, "micro": 0.15, "mid": 0.10, "macro": 0.08, "mega": 0.05}
# exchange rates from USD, for a plan in another currency than the card's; dated, overridable
DEFAULT_FX = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "CAD": 1.38, "CHF": 0.88}
FX_DATE = "2026-11 (approximate; give your own in a rate-card file)"


@dataclass
class RateCard:
    currency: str = "USD"
    prices: dict[str, list[tuple[float, float]]] = field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_PRICES.items()})
    reach: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_REACH))
    fx: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_FX))
    source: str = SOURCE

    @classmethod
    def load(cls, path: str | Path | None) -> RateCard:
        """The default card, overridden by a JSON or TOML file's keys."""
        card = cls()
        if path is None:
            return card
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
            data = tomllib.loads(text) if p.suffix.lower() == ".toml" else json.loads(text)
        except FileNotFoundError:
            raise InvalidInputError(f"rate card {p}: no such file") from None
        except (ValueError, tomllib.TOMLDecodeError) as e:
            raise InvalidInputError(f"rate card {p}: not valid "
                                    f"{'TOML' if p.suffix.lower() == '.toml' else 'JSON'}: {e}"
                                    ) from None
        if not isinstance(data, dict):
            raise InvalidInputError(f"rate card {p}: expected an object of settings")
        unknown = set(data) - {"currency", "platforms", "reach", "fx", "source"}
        if unknown:
            raise InvalidInputError(f"rate card {p}: unknown key(s) {', '.join(sorted(unknown))};"
                                    " known: currency, platforms, reach, fx, source")
        card.currency = str(data.get("currency", card.currency)).upper()
        for platform, ranges in (data.get("platforms") or {}).items():
            card.prices[str(platform).lower()] = _ranges(p, platform, ranges)
        for tier, share in (data.get("reach") or {}).items():
            card.reach[str(tier)] = _positive(p, f"reach.{tier}", share, upper=1.0)
        for cur, rate in (data.get("fx") or {}).items():
            card.fx[str(cur).upper()] = _positive(p, f"fx.{cur}", rate)
        card.source = str(data.get("source", f"{SOURCE}, overridden by {p.name}"))
        return card

    def conversion(self, currency: str | None) -> float:
        """Multiplier from the card's currency to `currency`."""
        want = (currency or self.currency).upper()
        if want == self.currency:
            return 1.0
        if want not in self.fx or self.currency not in self.fx:
            raise InvalidInputError(
                f"currency: no exchange rate from {self.currency} to {want} in the rate card "
                f"(it has {', '.join(sorted(self.fx))}); add it under fx, or plan in "
                f"{self.currency}")
        return self.fx[want] / self.fx[self.currency]

    def price(self, platform: str, followers: int, engagement: float) -> float:
        """Estimated price of one sponsored post, in the card's currency."""
        ranges = self.prices.get(platform) or self.prices[PRICE_FALLBACK]
        b = max(i for i, lo in enumerate(BRACKETS) if followers >= lo or i == 0)
        low, high = ranges[b]
        if followers < BRACKETS[0]:  # under the guides' smallest bracket: scaled down, to half
            base = low * max(followers / BRACKETS[0], 0.5)
        else:
            top = BRACKETS[b + 1] if b + 1 < len(BRACKETS) else BRACKETS[b] * 10
            t = min(1.0, math.log(followers / BRACKETS[b]) / math.log(top / BRACKETS[b]))
            base = low * (high / low) ** t
        return round(base * (0.8 + 0.4 * min(max(engagement, 0.0), 1.0)), 2)

    def reach_share(self, tier: str) -> float:
        return self.reach.get(tier, DEFAULT_REACH["micro"])


def bracket_of(followers: int) -> str:
    return BRACKET_NAMES[max(i for i, lo in enumerate(BRACKETS) if followers >= lo or i == 0)]


def _ranges(path: Path, platform: Any, ranges: Any) -> list[tuple[float, float]]:
    if not (isinstance(ranges, list) and len(ranges) == len(BRACKETS)):
        raise InvalidInputError(f"rate card {path}: platforms.{platform}: give {len(BRACKETS)} "
                                f"[low, high] pairs, one per bracket ({', '.join(BRACKET_NAMES)})")
    out = []
    for i, pair in enumerate(ranges):
        if not (isinstance(pair, list | tuple) and len(pair) == 2):
            raise InvalidInputError(f"rate card {path}: platforms.{platform}[{i}]: expected "
                                    "[low, high]")
        low = _positive(path, f"platforms.{platform}[{i}][0]", pair[0])
        high = _positive(path, f"platforms.{platform}[{i}][1]", pair[1])
        if high < low:
            raise InvalidInputError(f"rate card {path}: platforms.{platform}[{i}]: high "
                                    f"{high} is below low {low}")
        out.append((low, high))
    return out


def _positive(path: Path, name: str, value: Any, upper: float | None = None) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"rate card {path}: {name}: {value!r} is not a number") from None
    if not (v > 0 and math.isfinite(v)) or (upper is not None and v > upper):
        raise InvalidInputError(f"rate card {path}: {name}: must be above 0"
                                + (f" and at most {upper}" if upper else "") + f", got {v}")
    return v
