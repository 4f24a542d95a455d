"""Engagement, sponsoring and authenticity signals: pure functions of a creator record.

Definitions (README "How scores are made" repeats them):

* per-post engagement = (likes + comments + shares) / followers
* engagement_rate     = median per-post engagement. The median keeps one viral or one dead post
  from moving the rate; posts that report views also get a per-view rate, shown but not scored,
  because follower-based rates are the only scale comparable across platforms and tiers.
* sponsored_ratio     = sponsored posts / posts
* comment_like_ratio  = total comments / total likes

Authenticity starts at 1 and loses one penalty per flag raised (floor 0):

* ``sponsored_saturation`` - more than half of at least 3 posts are sponsored: 0.3, rising to
  0.7 at 80%.
* ``engagement_anomaly``   - engagement below 30% of what the tier predicts (the signature of
  bought or dead followers): 0.4, rising to 0.8 at 5% of the prediction.
* ``comments_missing``     - fewer than 1 comment per 200 likes over at least 200 likes (bought
  likes rarely come with comments): 0.3.

The engagement component compares the rate with the tier's expected rate e:
``r = rate / e``; ``component = r² / (1 + r²)`` - 0.5 at the tier's norm, 0.8 at twice it,
0.2 at half. Without posts it is 0.25 and the flag ``no_engagement_data`` says why.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .schema import Creator, Post
from .tiers import MISSION, TierScheme

SATURATION_START = 0.5
MIN_POSTS_FOR_RATIO = 3  # one sponsored post out of one says nothing about saturation
ANOMALY_RATIO = 0.3
COMMENTS_MIN_RATIO = 0.005
COMMENTS_MIN_LIKES = 200
UNKNOWN_ENGAGEMENT_COMPONENT = 0.25


@dataclass(frozen=True)
class Flag:
    name: str
    evidence: str
    penalty: float


@dataclass
class Signals:
    tier: str
    engagement_rate: float | None
    view_engagement_rate: float | None
    sponsored_ratio: float | None
    comment_like_ratio: float | None
    engagement: float  # the ranker's engagement component, in [0, 1]
    authenticity: float  # the ranker's authenticity component, in [0, 1]
    flags: list[Flag] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _clip01(x: float) -> float:
    return float(min(1.0, max(0.0, x)))


def _interactions(p: Post) -> int:
    return p.likes + p.comments + p.shares


def engagement_rate(posts: list[Post], followers: int) -> float | None:
    """Median over posts of (likes + comments + shares) / followers; None without posts."""
    if not posts or followers <= 0:
        return None
    return float(np.median([_interactions(p) / followers for p in posts]))


def view_engagement_rate(posts: list[Post]) -> float | None:
    """Median over posts that report views of interactions / views."""
    rates = [_interactions(p) / p.views for p in posts if p.views]
    return float(np.median(rates)) if rates else None


def sponsored_ratio(posts: list[Post]) -> float | None:
    if not posts:
        return None
    return sum(p.sponsored for p in posts) / len(posts)


def comment_like_ratio(posts: list[Post]) -> float | None:
    likes = sum(p.likes for p in posts)
    return sum(p.comments for p in posts) / likes if likes else None


def engagement_component(rate: float | None, expected: float) -> float:
    """r²/(1+r²) with r = rate / expected: 0.5 at the tier's norm."""
    if rate is None:
        return UNKNOWN_ENGAGEMENT_COMPONENT
    r = rate / expected
    return float(r * r / (1.0 + r * r))


def authenticity_flags(
    posts: list[Post], followers: int, rate: float | None, expected: float
) -> list[Flag]:
    """Each flag raised with the evidence that raised it and the penalty it costs."""
    flags: list[Flag] = []
    s = sponsored_ratio(posts)
    if s is not None and len(posts) >= MIN_POSTS_FOR_RATIO and s > SATURATION_START:
        n = sum(p.sponsored for p in posts)
        flags.append(Flag(
            "sponsored_saturation",
            f"{n} of {len(posts)} posts are sponsored ({s:.0%})",
            round(0.3 + 0.4 * _clip01((s - SATURATION_START) / 0.3), 4),
        ))
    if rate is not None and rate < ANOMALY_RATIO * expected:
        r = rate / expected
        flags.append(Flag(
            "engagement_anomaly",
            f"median engagement {rate:.2%} of {followers:,} followers is {r:.0%} of the "
            f"{expected:.1%} expected for this tier",
            round(0.4 + 0.4 * _clip01((ANOMALY_RATIO - r) / 0.25), 4),
        ))
    likes = sum(p.likes for p in posts)
    c = comment_like_ratio(posts)
    if c is not None and likes >= COMMENTS_MIN_LIKES and c < COMMENTS_MIN_RATIO:
        comments = sum(p.comments for p in posts)
        flags.append(Flag(
            "comments_missing",
            f"{comments:,} comments for {likes:,} likes (1 per {likes / max(comments, 1):,.0f})",
            0.3,
        ))
    return flags


def compute(creator: Creator, tiers: TierScheme = MISSION) -> Signals:
    """All signals of one creator under a tier scheme."""
    tier = tiers.tier_of(creator.followers)
    rate = engagement_rate(creator.posts, creator.followers)
    flags = authenticity_flags(creator.posts, creator.followers, rate, tier.expected_engagement)
    if rate is None:
        flags.append(Flag("no_engagement_data", "no posts with counters to measure engagement",
                          0.0))
    authenticity = _clip01(1.0 - sum(f.penalty for f in flags))
    return Signals(
        tier=tier.name,
        engagement_rate=rate,
        view_engagement_rate=view_engagement_rate(creator.posts),
        sponsored_ratio=sponsored_ratio(creator.posts),
        comment_like_ratio=comment_like_ratio(creator.posts),
        engagement=engagement_component(rate, tier.expected_engagement),
        authenticity=authenticity,
        flags=flags,
    )
