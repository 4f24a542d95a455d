"""Engagement, sponsoring and authenticity signals: pure functions of a creator record.

Definitions (README "How scores are made" repeats them):

* per-post engagement = (likes + comments + shares) / followers
* engagement_rate     = median per-post engagement. The median keeps one viral or one dead post
  from moving the rate; posts that report views also get a per-view rate, shown but not scored,
  because follower-based rates are the only scale comparable across platforms and tiers.
* sponsored_ratio     = sponsored posts / posts. A post is sponsored when the record says so
  (``sponsored``) or when its caption discloses it as the advertising rules ask: a hashtag
  such as #ad, #sponsored, #sponsorisé, #partenariat, #publicité, or words such as "paid
  partnership", "sponsored by", "partenariat rémunéré" (``sponsored_disclosed`` counts the
  posts found so, for exports that leave the field out).
* comment_like_ratio  = total comments / total likes

Authenticity starts at 1 and loses one penalty per flag raised (floor 0). A flag that makes a
creator a trap on its own evidence (sponsored saturation, keyword stuffing) costs more than
half the score: more than the tier discount of a creator two tiers from the objective's (it
keeps half), so an authentic creator of the brief's topic in any tier ranks above a flagged one
in the right tier. The engagement flags cost less alone; bought followers raise both (0.7 or more
together).

Engagement is compared with the creator's norm (norms.py): the median rate of the creators of
its platform and tier in the index once there are enough of them, else its tier's figure
(tiers.py). Platforms engage very differently (brands' accounts average 3.70% on TikTok and
0.12% on X), and a genuine creator on X is not one that bought its followers.

* ``sponsored_saturation`` - more than half of at least 3 posts are sponsored: 0.6, rising to
  0.9 at 80%.
* ``engagement_anomaly``   - engagement below 30% of the creator's norm (the signature of bought
  or dead followers): 0.4, rising to 0.8 at 5% of the norm.
* ``comments_missing``     - fewer than 1 comment per 200 likes over at least 200 likes (bought
  likes rarely come with comments): 0.3.
* ``bio_mismatch``         - keyword stuffing: a bio full of words that the posts do not bear out
  (value words over posts of another subject). Two tests, both needed: the bio names at least
  8 things (distinct content words, stopwords left out, stemmed as the lexical index does) and
  fewer than a fifth of them appear in any post; and over at least 3 posts, the bio's cosine
  with its *nearest* post is below half the posts' own mean cosine with their mean direction
  (measured with the index's encoder at ingest, bio_coherence below). 0.75. The words make the
  flag hold for any encoder and spare a bio that says little: "📍 Paris | DM for collabs"
  makes no claim its posts could contradict, though every encoder puts it far from them. The
  cosine spares a bio that says in other words, or another language, what the posts say.

The engagement component compares the rate with the creator's norm e:
``r = rate / e``; ``component = r² / (1 + r²)`` - 0.5 at the norm, 0.8 at twice it, 0.2 at
half. Without posts it is 0.25 and the flag ``no_engagement_data`` says why.

Counts a platform hides (Instagram's likes; a scraper's -1 or nothing) are unknown, never 0:
the rate is measured on the posts that report likes (``engagement_posts``; ``hidden_counts``
says how many did not), comments are compared with likes only where both are reported, and a
creator whose every post hides its likes has no rate (``no_engagement_data`` says why, with no
penalty), an engagement component at its norm (0.5), and no flag it had no data for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .hashtags import read_captions
from .locales import detect_language
from .norms import Group, Norm, norm_for
from .schema import Creator, Post
from .tiers import MISSION, TierScheme

SATURATION_START = 0.5
# more than the 0.5 a creator two tiers from the objective's loses (module docstring)
SATURATION_PENALTY, SATURATION_PENALTY_MAX = 0.6, 0.9
MIN_POSTS_FOR_RATIO = 3  # one sponsored post out of one says nothing about saturation
ANOMALY_RATIO = 0.3
COMMENTS_MIN_RATIO = 0.005
COMMENTS_MIN_LIKES = 200
UNKNOWN_ENGAGEMENT_COMPONENT = 0.25
# every post's likes hidden: no evidence either way, so the norm (the component's 0.5)
HIDDEN_ENGAGEMENT_COMPONENT = 0.5
# How a caption discloses a paid post (FTC and ASA in English, ARPP in French, a few others):
# a whole hashtag (#ad, not #adventure) or a phrase. #pub and #collab are left out: a pub is a
# bar in English, and a collaboration need not be paid.
_DISCLOSURE = re.compile(
    r"(?<![\w#])#(?:ads?|advert(?:isement)?|sponsored|sponsor|spon|paidpartnership|paidpartner"
    r"|sponsoris[ée]e?|partenariat(?:r[ée]mun[ée]r[ée])?|publicit[ée]|collaborationcommerciale"
    r"|werbung|anzeige|publicidad|publi)(?!\w)"
    # a phrase, unless denied ("not sponsored by anyone", "pas sponsorisé par")
    r"|(?<!\bnot a )\bpaid partnership\b|(?<!\bnot )(?<!n't )\bsponsored by\b"
    r"|(?<!\bpas )(?<!\bnon )\bsponsoris[ée]e? par\b"
    r"|(?<!\bpas de )\bpartenariat r[ée]mun[ée]r[ée]\b|\bcollaboration commerciale\b",
    re.IGNORECASE)


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
    engagement_posts: int = 0  # posts whose counts the engagement rate is measured on
    hidden_counts: int = 0  # posts whose likes the platform hides (left out, never zeros)
    sponsored_disclosed: int = 0  # posts sponsored by their caption alone (the field unset)
    # the record gave no language: the one its texts are written in, when sure ({"code": "fr",
    # "probability": 0.99}); filters and results use it, the record stays as given
    detected_language: dict[str, object] | None = None
    # the rate engagement was compared with, and the peers it is the median of (0: the tier's
    # figure); norms.py
    engagement_norm: float | None = None
    engagement_peers: int = 0
    # where engagement_rate comes from: "posts" (measured on them), "stated" (the rate the
    # record states, where no post gives one: never evidence for a flag), None (no rate)
    engagement_source: str | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _clip01(x: float) -> float:
    return float(min(1.0, max(0.0, x)))


def counted(posts: list[Post]) -> list[Post]:
    """The posts whose interactions are known: likes reported (a platform that hides likes
    hides the bulk of them; unreported comments and shares count as none)."""
    return [p for p in posts if p.likes is not None]


def _interactions(p: Post) -> int:
    return (p.likes or 0) + (p.comments or 0) + (p.shares or 0)


def engagement_rate(posts: list[Post], followers: int) -> float | None:
    """Median over the posts with known counts of (likes + comments + shares) / followers;
    None without such posts (hidden counts are not zeros)."""
    known = counted(posts)
    if not known or followers <= 0:
        return None
    return float(np.median([_interactions(p) / followers for p in known]))


def view_engagement_rate(posts: list[Post]) -> float | None:
    """Median over posts that report views and likes of interactions / views."""
    rates = [_interactions(p) / p.views for p in counted(posts) if p.views]
    return float(np.median(rates)) if rates else None


def discloses(text: str | None) -> bool:
    """Whether a caption says the post is paid for (#ad, #sponsorisé, "paid partnership"...)."""
    return bool(text) and _DISCLOSURE.search(text or "") is not None


def sponsored_posts(posts: list[Post]) -> tuple[int, int]:
    """(how many posts are sponsored, how many of them by their caption's disclosure alone):
    the record's word, else the caption, each caption searched once."""
    disclosed = sum(not p.sponsored and discloses(p.text) for p in posts)
    return sum(p.sponsored for p in posts) + disclosed, disclosed


def sponsored_ratio(posts: list[Post]) -> float | None:
    return sponsored_posts(posts)[0] / len(posts) if posts else None


def authenticity_of(penalties: Iterable[float]) -> float:
    """1 minus the flags' penalties, floor 0."""
    return _clip01(1.0 - sum(penalties))


def comment_like_ratio(posts: list[Post]) -> float | None:
    """Comments per like over the posts that report both; None without any."""
    both = [p for p in posts if p.likes is not None and p.comments is not None]
    likes = sum(p.likes or 0 for p in both)
    return sum(p.comments or 0 for p in both) / likes if likes else None


def engagement_component(rate: float | None, expected: float) -> float:
    """r²/(1+r²) with r = rate / expected: 0.5 at the norm."""
    if rate is None:
        return UNKNOWN_ENGAGEMENT_COMPONENT
    r = rate / expected
    return float(r * r / (1.0 + r * r))


def saturation(sponsored: int, posts: int) -> Flag | None:
    """The sponsored_saturation flag of `sponsored` sponsored posts out of `posts`, or None."""
    if posts < MIN_POSTS_FOR_RATIO or sponsored / posts <= SATURATION_START:
        return None
    share = sponsored / posts
    return Flag("sponsored_saturation", f"{sponsored} of {posts} posts are sponsored ({share:.0%})",
                saturation_penalty(share))


def saturation_penalty(share: float) -> float:
    """The sponsored_saturation penalty at this share of sponsored posts (over half): from
    SATURATION_PENALTY, rising to SATURATION_PENALTY_MAX at 80%."""
    rise = _clip01((share - SATURATION_START) / 0.3)
    return round(SATURATION_PENALTY + (SATURATION_PENALTY_MAX - SATURATION_PENALTY) * rise, 4)


def authenticity_flags(
    posts: list[Post], followers: int, rate: float | None, expected: float,
    sponsored: int | None = None, norm: str | None = None,
) -> list[Flag]:
    """Each flag raised with the evidence that raised it and the penalty it costs; sponsored:
    how many of the posts are (sponsored_posts), when the caller has counted them already;
    norm: where the expected rate comes from, as the evidence says it (Norm.describe)."""
    flags: list[Flag] = []
    if sponsored is None:
        sponsored = sponsored_posts(posts)[0]
    saturated = saturation(sponsored, len(posts))
    if saturated is not None:
        flags.append(saturated)
    low = anomaly(rate, followers, expected, norm)
    if low is not None:
        flags.append(low)
    both = [p for p in posts if p.likes is not None and p.comments is not None]
    likes = sum(p.likes or 0 for p in both)
    c = comment_like_ratio(posts)
    if c is not None and likes >= COMMENTS_MIN_LIKES and c < COMMENTS_MIN_RATIO:
        comments = sum(p.comments or 0 for p in both)
        flags.append(Flag(
            "comments_missing",
            f"{comments:,} comments for {likes:,} likes (1 per {likes / max(comments, 1):,.0f})",
            0.3,
        ))
    return flags


def anomaly(rate: float | None, followers: int, expected: float, norm: str | None = None
            ) -> Flag | None:
    """The engagement_anomaly flag of a rate against its norm, or None."""
    if rate is None or rate >= ANOMALY_RATIO * expected:
        return None
    r = rate / expected
    said = norm or Norm(expected).describe("", "")
    return Flag("engagement_anomaly",
                f"median engagement {rate:.2%} of {followers:,} followers is {r:.0%} of {said}",
                round(0.4 + 0.4 * _clip01((ANOMALY_RATIO - r) / 0.25), 4))


def renormed(signals: dict[str, Any], platform: str, followers: int, norm: Norm
             ) -> dict[str, Any]:
    """Stored signals (Signals.to_dict) against another norm: the engagement component, the
    engagement_anomaly flag and the authenticity again, the rest as they were: what compute
    gives with that norm."""
    rate = signals.get("engagement_rate")
    flags = [f for f in signals.get("flags", []) if f["name"] != "engagement_anomaly"]
    measured = None if signals.get("engagement_source") == "stated" else rate
    low = anomaly(measured, followers, norm.rate, norm.describe(platform, signals["tier"]))
    if low is not None:  # after sponsored_saturation, as authenticity_flags orders them
        at = int(bool(flags) and flags[0]["name"] == "sponsored_saturation")
        flags.insert(at, asdict(low))
    out = {**signals, "flags": flags, "authenticity": authenticity_of(f["penalty"] for f in flags),
           "engagement_norm": norm.rate, "engagement_peers": norm.peers}
    if rate is not None:
        out["engagement"] = engagement_component(rate, norm.rate)
    return out


BIO_MISMATCH_RATIO = 0.5  # the bio's nearest post, against the posts' own cohesion
BIO_MISMATCH_PENALTY = 0.75  # more than two tier steps (module docstring)
BIO_MISMATCH_MIN_POSTS = 3
# Keyword stuffing is many words: a bio of a city, a pronoun and a contact names 5 things at
# most, a stuffed one 9 to 16 on both labelled sets; and they are the bio's, not the posts'.
BIO_CLAIMS_MIN = 8
BIO_SUPPORTED_MAX = 0.2  # share of the bio's words that some post uses, below which it is unborne
_CLAIMS_SHOWN = 5


@dataclass(frozen=True)
class BioClaims:
    """What a bio names: its content words (one per stem, as written) and those of them that
    no post uses."""

    words: tuple[str, ...]
    unsupported: tuple[str, ...]

    @property
    def supported_share(self) -> float:
        return 1.0 - len(self.unsupported) / len(self.words) if self.words else 1.0


def bio_claims(bio: str, posts: list[str], language: str | None = None) -> BioClaims:
    """The bio's content words of three letters or more, digits left out, and those no post
    uses (compared by stem, each text in its own language, as the lexical index does)."""
    from .lexical.tokens import analyse, content_words

    named = [(w, s) for w, s in content_words(bio, language) if len(s) > 2 and not s.isdigit()]
    used = {s for text in posts for s in analyse(text, language)}
    return BioClaims(tuple(w for w, _ in named), tuple(w for w, s in named if s not in used))


def bio_coherence(bio: np.ndarray | None, posts: np.ndarray) -> tuple[float, float] | None:
    """(the bio's cosine with its nearest post, the posts' mean cosine with their mean
    direction), from unit vectors; None without a bio or with fewer than
    BIO_MISMATCH_MIN_POSTS posts."""
    if bio is None or len(posts) < BIO_MISMATCH_MIN_POSTS:
        return None
    mean = posts.mean(axis=0)
    mean = mean / max(float(np.linalg.norm(mean)), 1e-12)
    return float((posts @ bio).max()), float((posts @ mean).mean())


def bio_mismatch(coherence: tuple[float, float] | None, claims: BioClaims | None) -> Flag | None:
    """The bio_mismatch flag, or None: the bio names at least BIO_CLAIMS_MIN things, fewer than
    BIO_SUPPORTED_MAX of them in any post, and its nearest post is less than BIO_MISMATCH_RATIO
    of the posts' own cohesion."""
    if (coherence is None or claims is None or not far(coherence)
            or len(claims.words) < BIO_CLAIMS_MIN
            or claims.supported_share >= BIO_SUPPORTED_MAX):
        return None
    shown = ", ".join(claims.unsupported[:_CLAIMS_SHOWN])
    more = ", ..." if len(claims.unsupported) > _CLAIMS_SHOWN else ""
    return Flag("bio_mismatch",
                f"the bio names {len(claims.unsupported)} things no post mentions ({shown}{more})"
                f" and is far from every post (cosine {coherence[0]:.2f} with its nearest post, "
                f"against {coherence[1]:.2f} between the posts and their centre)",
                BIO_MISMATCH_PENALTY)


def far(coherence: tuple[float, float]) -> bool:
    """Whether the bio's nearest post is below BIO_MISMATCH_RATIO of the posts' cohesion."""
    return coherence[0] < BIO_MISMATCH_RATIO * coherence[1]


def bio_flag(coherence: tuple[float, float] | None, bio: str | None, posts: list[str],
             language: str | None) -> Flag | None:
    """bio_mismatch for a creator's texts: the cosine first, the words only for a bio that
    is far (most are near)."""
    if coherence is None or not bio or not far(coherence):
        return None
    return bio_mismatch(coherence, bio_claims(bio, posts, language))


def compute(creator: Creator, tiers: TierScheme = MISSION,
            coherence: tuple[float, float] | None = None,
            norms: dict[Group, Norm] | None = None) -> Signals:
    """All signals of one creator under a tier scheme; coherence (bio_coherence, from the
    encoder's vectors) adds the bio_mismatch check; norms: the index's engagement norms by
    platform and tier (norms.py; none: every tier's own figure)."""
    tier = tiers.tier_of(creator.followers)
    norm = norm_for(norms or {}, str(creator.platform), tier)
    measured = engagement_rate(creator.posts, creator.followers)
    # each caption searched for a disclosure once: the ratio, the flag and the count share it
    sponsored, disclosed = sponsored_posts(creator.posts)
    # a flag needs the posts' evidence: a stated rate is the export's figure, not a measure
    flags = authenticity_flags(creator.posts, creator.followers, measured, norm.rate, sponsored,
                               norm.describe(str(creator.platform), tier.name))
    rate = measured if measured is not None else creator.engagement_rate
    mismatch = bio_flag(coherence, creator.bio, read_captions([p.text for p in creator.posts]),
                        creator.language)
    if mismatch is not None:
        flags.append(mismatch)
    hidden = len(creator.posts) - len(counted(creator.posts))
    if rate is None:
        why = (f"likes hidden on all {hidden} posts (the platform or the export does not show "
               "them): engagement unavailable, not zero" if hidden
               else "no posts with counters to measure engagement")
        flags.append(Flag("no_engagement_data", why, 0.0))
    authenticity = authenticity_of(f.penalty for f in flags)
    detected = None if creator.language else detect_language(
        [creator.bio or "", *(p.text for p in creator.posts if p.text)])
    return Signals(
        tier=tier.name,
        engagement_rate=rate,
        view_engagement_rate=view_engagement_rate(creator.posts),
        sponsored_ratio=sponsored / len(creator.posts) if creator.posts else None,
        comment_like_ratio=comment_like_ratio(creator.posts),
        engagement=(HIDDEN_ENGAGEMENT_COMPONENT if rate is None and hidden
                    else engagement_component(rate, norm.rate)),
        engagement_posts=len(creator.posts) - hidden,
        hidden_counts=hidden,
        sponsored_disclosed=disclosed,
        detected_language=None if detected is None
        else {"code": detected[0], "probability": detected[1]},
        authenticity=authenticity,
        flags=flags,
        engagement_norm=norm.rate,
        engagement_peers=norm.peers,
        engagement_source=None if rate is None else "posts" if measured is not None
        else "stated",
    )
