"""What a planner is told of how a brief was read: the notes a match answers with (the CLI
prints them on stderr, the HTTP API returns them as `notes`, the web page shows them beside the
results).

Each says what was read otherwise than a planner might expect, and what to do about it: a
brief that names no subject (matched whole), a values statement that only rejects or names no
value (not used), values written into the brief (read as its statement), French typed without
accents (read with them), and what the brief asks for in words that only a filter or a setting
says (asked.py: the tiers, the objective, the countries, the platforms, the audience size), or
that nothing in a catalog says (the audience's ages and profile, when the campaign runs:
timing.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from .accents import with_accents
from .asked import (
    ages_named,
    audience_named,
    demographics_named,
    markets_named,
    objectives_named,
    platforms_named,
    tiers_named,
)
from .query_text import names_a_subject, single_spaced, stands_for, values_in
from .schema import Brief
from .tiers import MISSION
from .timing import when_named


def of_brief(brief: Brief, tier_names: Sequence[str] = MISSION.names) -> list[str]:
    """notes() for a brief as a match takes it: its filters and objective say what the words
    need not (tier_names: the index's tiers)."""
    f = brief.filters
    return notes(brief.brief, brief.values, f.tiers, brief.objective, tier_names, f.countries,
                 f.min_followers is not None or f.max_followers is not None, f.platforms)


def notes(brief: str, values: str | None, tiers: list[str] | None = None,
          objective: str | None = None, tier_names: Sequence[str] = MISSION.names,
          countries: list[str] | None = None, follower_filter: bool = False,
          platforms: Sequence[str] | None = None) -> list[str]:
    """What a planner should know of how the brief was read: a brief that names no subject
    (matched whole), a values statement that only rejects (not used), tiers asked for in
    words when the brief filters on none (tiers: its tier filter; tier_names: the index's
    tiers), an objective named in words when it gives none (objective: its objective), the
    countries asked for in words when it filters on none (countries: its country filter), the
    audience size asked for in words when it filters on none (follower_filter: whether it
    does), the platforms asked for in words when it filters on none (platforms: its platform
    filter), the audience's ages and profile (no catalog holds them), when the campaign runs
    (timing.py: not matched), the values statement written into a brief that gives none
    (values_in), the accents given to French typed without them (accents.py)."""
    out = []
    brief, values, given = with_accents(single_spaced(brief), values and single_spaced(values))
    if given:
        shown = [f"{typed} as {read}" for typed, read in list(given.items())[:6]]
        out.append("the brief was typed without accents and read with them ("
                   f"{', '.join(shown)}{', ...' if len(given) > len(shown) else ''}): the "
                   "encoder reads French with its accents; write them to choose others")
    goals = [] if objective else objectives_named(brief)
    if goals:
        out.append(f"the brief names its objective in words ({', '.join(goals)}), which do "
                   "not set it: creators were ranked without a preferred tier; give it as the "
                   f"objective (--objective {goals[0]}; objective) to prefer its tier")
    named = [] if tiers else tiers_named(brief, tier_names)
    if named:
        out.append(f"the brief asks for {' and '.join(named)} creators in words, which are "
                   "not a filter: creators of every tier were ranked; to keep to "
                   f"{'it' if len(named) == 1 else 'them'}, filter on "
                   f"{'it' if len(named) == 1 else 'them'} (--tier {','.join(named)}; "
                   "filters.tiers), or give an objective, which prefers its tier")
    places = [] if countries else markets_named(brief)
    if places:
        out.append(_not_a_filter(f"creators in {', '.join(places)}", "country", places,
                                 "the creators' country", "--country", "filters.countries"))
    where = [] if platforms else platforms_named(brief)
    if where:
        out.append(_not_a_filter(f"posts on {', '.join(where)}", "platform", where,
                                 "the platform", "--platform", "filters.platforms"))
    size = None if follower_filter else audience_named(brief)
    if size:
        lo, hi = size
        words = (f"{lo:,} to {hi:,}" if lo is not None and hi is not None
                 else f"at least {lo:,}" if lo is not None else f"at most {hi:,}")
        flags = " ".join(f for f in (f"--min-followers {lo}" if lo is not None else "",
                                     f"--max-followers {hi}" if hi is not None else "") if f)
        fields = ", ".join(f for f in ("filters.min_followers" if lo is not None else "",
                                       "filters.max_followers" if hi is not None else "") if f)
        out.append(f"the brief asks for creators with {words} followers in words, which are "
                   "not a filter: creators of every size were ranked; to keep to them, filter "
                   f"on the follower count ({flags}; {fields})")
    ages, who = ages_named(brief), demographics_named(brief)
    if ages or who:
        profile = "; ".join(x for x in (", ".join(who), ", ".join(ages)) if x)
        out.append(f"the brief names its audience's {'ages' if not who else 'profile'} "
                   f"({profile}), which {'were' if not who else 'was'} not matched: creators "
                   "are matched on what they post, and a catalog holds no audience's ages, "
                   "sex or place; check them in each creator's own audience figures")
    when = when_named(brief)
    if when:
        out.append(f"the brief says when the campaign runs ({', '.join(when)}), which was not "
                   "matched: creators are matched on what they post over the year, and the "
                   "words of a date pull towards whoever posted about it; agree the posts' "
                   "dates with the creators you choose")
    if not names_a_subject(brief):
        out.append("the brief names no subject beyond the campaign's own words (creators, "
                   "campaign, brand, UGC...): say what the creators should post about, e.g. "
                   "\"UGC creators for our solid shampoo bar\"")
    written = None if values else values_in(brief)[1]
    statement = values or written
    kept, rejected = stands_for(statement) if statement else ("", [])
    said, one = (("the values statement", True) if values else
                 (f"the values the brief states (\"{' '.join(str(written).split())}\")", False))
    if statement and (not kept or (rejected and not names_a_subject(kept, brief=False))):
        out.append(f"{said} only {'rejects' if one else 'reject'} things; "
                   f"{'it was' if one else 'they were'} not used (write what the brand stands "
                   "for too, e.g. \"repair and second hand, no fast fashion\")")
    elif statement and not names_a_subject(kept, brief=False):
        out.append(f"{said} {'names' if one else 'name'} no value, only words that frame one "
                   "or the trade's (\"our values\", \"we believe in\", \"collabs\"); "
                   f"{'it was' if one else 'they were'} not used: say what the brand stands "
                   "for, e.g. \"repair and second hand\"")
    elif written:
        out.append(f"{said} were read as its values statement, so creators are ranked on "
                   "whether their posts share them, not on the words alone; give them as the "
                   "values (--values; values) to set them yourself")
    return out


def _not_a_filter(asked: str, every: str, values: list[str], field: str, flag: str,
                  name: str) -> str:
    """The note for what a brief asks for in words that only a filter says."""
    them = "it" if len(values) == 1 else "them"
    return (f"the brief asks for {asked} in words, which are not a filter: creators of every "
            f"{every} were ranked; to keep to {them}, filter on {field} ({flag} "
            f"{','.join(values)}; {name})")
