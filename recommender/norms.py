"""Engagement norms from a creator's peers: what creators of its platform and tier in this
index get, instead of one figure per tier for every platform.

Follower-based engagement differs by platform far more than by tier. Socialinsider's 2026
benchmark (70 million posts of brands' accounts, 2024-2025) puts the average at 3.70% on
TikTok, 0.48% on Instagram, 0.15% on Facebook and 0.12% on X. A genuine creator on X,
measured against a norm that suits TikTok or Instagram, falls below the engagement_anomaly
threshold (signals.py) and is flagged as if it had bought its followers; a creator with bought
followers on TikTok can stay above it. No fixed table stays right for long (those figures move
by tens of percent a year), and none knows the platforms a catalogue holds. So the norm is
measured where the creators are:

* a group is the creators of one platform and one tier;
* its norm is the median engagement rate of those of its creators whose rate is known (hidden
  counts are left out, signals.py), once there are MIN_PEERS of them; a smaller group keeps
  the tier's own figure (tiers.py), and so does every group of a catalogue that is small;
* the median, not the mean: the few creators with bought followers or one viral post in a
  group do not move it.

A catalogue whose platforms engage alike (the labelled sets: genuine creators at 0.93-1.33 of
the tier's figure on every platform) gets norms near the tier's figures and flags the same
creators as before. The norms are kept in the catalog and rewritten into a group's signals
(its creators' engagement component, engagement_anomaly flag and authenticity) only when its
median moves by more than MOVE, so that one upsert in a large catalogue rewrites nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .tiers import Tier

MIN_PEERS = 30  # creators of a group with a known rate before its median is its norm
MOVE = 0.05  # a group's median moving by more than this share is written into its signals
# A group's median is measured again once the creators written into it since it was last
# measured reach this share of its peers. Changing a share w of a group's values keeps its
# median between the old (0.5 - w) and (0.5 + w) quantiles: at 1%, for rates spread as
# engagement's are (a log-normal spread of about 0.5), within about 1% of the old median, well
# inside MOVE. So one upsert into a group of a hundred thousand peers does not read them all.
REMEASURE = 0.01
META_KEY = "engagement_norms"  # where the catalog keeps them
PENDING_KEY = "engagement_norms_pending"  # creators written into each group since measured


@dataclass(frozen=True)
class Norm:
    """The engagement rate a creator is compared with, and how many peers it is the median of
    (0: the tier's own figure)."""

    rate: float
    peers: int = 0

    def describe(self, platform: str, tier: str) -> str:
        """Where the norm comes from, as the engagement_anomaly flag's evidence says it."""
        if self.peers:
            return (f"the {self.rate:.2%} median of the {self.peers:,} {tier} {platform} "
                    "creators in this index")
        return f"the {self.rate:.1%} expected for this tier"


Group = tuple[str, str]  # (platform, tier)


def peer_medians(rates: Mapping[Group, ArrayLike]) -> dict[Group, Norm]:
    """The norm of each group with at least MIN_PEERS known rates (NaN: unknown) among its
    creators'."""
    out: dict[Group, Norm] = {}
    for group, r in rates.items():
        known = np.asarray(r, np.float64)
        known = known[np.isfinite(known)]
        if len(known) >= MIN_PEERS:
            out[group] = Norm(float(np.median(known)), len(known))
    return out


def moved(kept: dict[Group, Norm], fresh: dict[Group, Norm], groups: Iterable[Group]
          ) -> dict[Group, Norm | None]:
    """The groups among these whose norm is to be written again: a median that moved by more
    than MOVE, a group that now has enough peers, or one that no longer has (None: back to the
    tier's figure)."""
    out: dict[Group, Norm | None] = {}
    for g in groups:
        old, new = kept.get(g), fresh.get(g)
        if new is None:
            if old is not None:
                out[g] = None
        elif old is None or abs(new.rate - old.rate) > MOVE * old.rate:
            out[g] = new
    return out


def due(kept: dict[Group, Norm], pending: dict[Group, int], written: Mapping[Group, int]
        ) -> tuple[list[Group], dict[Group, int]]:
    """The groups to measure again after a write of these many creators into each, and the
    counts still pending after it: a group without a norm is measured at every write (its
    peers are few, or their rates hidden), one with a norm once REMEASURE of its peers have
    been written since it was measured."""
    left = dict(pending)
    now = []
    for g, w in written.items():
        norm = kept.get(g)
        left[g] = left.get(g, 0) + w
        if norm is None or left[g] >= REMEASURE * norm.peers:
            now.append(g)
            del left[g]
    return sorted(now), left


def norm_for(norms: dict[Group, Norm], platform: str, tier: Tier) -> Norm:
    """A creator's norm: its group's when the catalog keeps one, else its tier's figure."""
    return norms.get((platform, tier.name)) or Norm(tier.expected_engagement)


def dumps(norms: dict[Group, Norm]) -> str:
    return json.dumps({f"{p}|{t}": [n.rate, n.peers] for (p, t), n in sorted(norms.items())})


def dumps_pending(pending: dict[Group, int]) -> str:
    return json.dumps({f"{p}|{t}": n for (p, t), n in sorted(pending.items())})


def loads_pending(text: str | None) -> dict[Group, int]:
    out: dict[Group, int] = {}
    for key, n in json.loads(text or "{}").items():
        platform, _, tier = key.rpartition("|")
        out[(platform, tier)] = int(n)
    return out


def loads(text: str | None) -> dict[Group, Norm]:
    """The catalog's kept norms (none kept: every creator on its tier's figure)."""
    if not text:
        return {}
    out: dict[Group, Norm] = {}
    for key, (rate, peers) in json.loads(text).items():
        platform, _, tier = key.rpartition("|")
        out[(platform, tier)] = Norm(float(rate), int(peers))
    return out
