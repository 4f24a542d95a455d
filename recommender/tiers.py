"""Creator tiers by follower count, and which tier each campaign objective prefers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Tier:
    name: str
    min_followers: int  # inclusive lower bound
    # Typical median engagement rate (interactions per follower per post) for accounts of this
    # size. Engagement falls as audiences grow; these are the reference points that the engagement
    # component and the low-engagement flag compare a creator against.
    expected_engagement: float


@dataclass(frozen=True)
class TierScheme:
    """An ordered list of tiers (smallest first) and each objective's preferred tiers."""

    name: str
    tiers: tuple[Tier, ...]
    preferred: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        bounds = [t.min_followers for t in self.tiers]
        if not self.tiers or bounds[0] != 0 or bounds != sorted(set(bounds)):
            raise ValueError("tier lower bounds must start at 0 and strictly increase")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tiers)

    def tier_of(self, followers: int) -> Tier:
        found = self.tiers[0]
        for t in self.tiers:
            if followers >= t.min_followers:
                found = t
        return found

    def fit(self, objective: str | None, tier: str) -> float | None:
        """1.0 for a preferred tier, 0.5 one step away, 0.0 further; None without an objective."""
        if objective is None:
            return None
        wanted = self.preferred[objective]
        pos = self.names.index(tier)
        distance = min(abs(pos - self.names.index(w)) for w in wanted)
        return {0: 1.0, 1: 0.5}.get(distance, 0.0)


# The mission's three tiers: nano < 1,000 <= micro <= 100,000 < macro.
MISSION = TierScheme(
    name="mission",
    tiers=(
        Tier("nano", 0, 0.06),
        Tier("micro", 1_000, 0.035),
        Tier("macro", 100_001, 0.015),
    ),
    preferred={
        "awareness": ("macro",),
        "engagement": ("micro",),
        "conversion": ("micro",),
        "ugc": ("nano",),
    },
)

# The industry's five tiers. Accounts under 1k have no tier of their own there; they count as nano.
INDUSTRY = TierScheme(
    name="industry",
    tiers=(
        Tier("nano", 0, 0.05),
        Tier("micro", 10_000, 0.03),
        Tier("mid", 100_000, 0.02),
        Tier("macro", 500_000, 0.015),
        Tier("mega", 1_000_000, 0.01),
    ),
    preferred={
        "awareness": ("macro", "mega"),
        "engagement": ("micro",),
        "conversion": ("micro",),
        "ugc": ("nano",),
    },
)

SCHEMES: dict[str, TierScheme] = {s.name: s for s in (MISSION, INDUSTRY)}


def scheme(name: str) -> TierScheme:
    """A preset by name, or a preset with custom bounds written 'mission:0,5000,250000'."""
    base_name, _, bounds = name.partition(":")
    if base_name not in SCHEMES:
        raise ValueError(f"unknown tier scheme {name!r}; choose one of {', '.join(SCHEMES)}")
    if not bounds:
        return SCHEMES[base_name]
    try:
        numbers = [int(b) for b in bounds.split(",")]
    except ValueError:
        raise ValueError(f"tier bounds in {name!r} must be whole numbers") from None
    return custom_scheme(numbers, SCHEMES[base_name])


def custom_scheme(bounds: list[int], base: TierScheme = MISSION) -> TierScheme:
    """The base scheme's tier names with other lower bounds (e.g. [0, 5000, 250000])."""
    if len(bounds) != len(base.tiers):
        raise ValueError(f"{base.name} needs {len(base.tiers)} lower bounds, got {len(bounds)}")
    tiers = tuple(
        Tier(t.name, b, t.expected_engagement) for t, b in zip(base.tiers, bounds, strict=True)
    )
    return TierScheme(name=f"{base.name}:{','.join(map(str, bounds))}", tiers=tiers,
                      preferred=base.preferred)
