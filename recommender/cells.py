"""A record's values as exports and people write them, read into what the data contract stores
(schema.py), or refused naming how to write them.

Counts ("12,400", "12.4k", "12400.0"; -1, "hidden" or an empty cell for one the platform
hides), prices ("1 250", "250,50"), engagement rates ("3,2 %", 0.032), yes and no ("oui",
"non"), dates (ISO 8601; "01/10/2026" is refused), categories in one cell ("beauty; travel"),
and the names people give platforms ("IG") and objectives ("reach", "notoriété").
"""

from __future__ import annotations

import math
import re
from typing import Literal, get_args

Platform = Literal[
    "instagram",
    "tiktok",
    "youtube",
    "x",
    "twitch",
    "linkedin",
    "pinterest",
    "facebook",
    "snapchat",
    "threads",
    "bluesky",
]

# what exports write for a count they could not read (a platform that hides likes), besides
# an empty cell, null and -1: the count is unknown, not 0
HIDDEN_COUNT = frozenset({"hidden", "n/a"})
_WHOLE = re.compile(r"[+-]?\d+")
_DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")
_FRENCH_BOOLEANS = {"oui": True, "non": False, "vrai": True, "faux": False}
_SLASHED_DATE = re.compile(r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b")
_SPACES = re.compile(r"[\s\u00a0\u202f']")  # spaces, no-break spaces, Swiss apostrophes
_GROUPED = re.compile(r"\d{1,3}([,.])\d{3}(\1\d{3})*")
_ZERO_FRACTION = re.compile(r"([+-]?\d+)[.,]0+")
_SUFFIXED = re.compile(r"(\d+(?:[.,]\d+)?)([kKmM])")


def blank(v: object) -> bool:
    """An empty cell: an export's way of giving nothing, as null is."""
    return isinstance(v, str) and not v.strip()


def id_text(value: object) -> object:
    """An id as text: exports write platforms' numeric ids (Instagram's media ids) as JSON
    integers, which are kept digit for digit; anything else is left for validation."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def count(value: str) -> str:
    """A count as spreadsheets write it, as a plain integer string: '12,400', '12 400',
    '12.400' and '12.4k' / '1.2M' all become digits, and so does '12400.0', as a table whose
    column has an empty cell is written by pandas (a float column). Anything else is left for
    validation to name."""
    text = _SPACES.sub("", value)
    if _GROUPED.fullmatch(text):
        return re.sub(r"[,.]", "", text)
    whole = _ZERO_FRACTION.fullmatch(text)
    if whole:
        return whole.group(1)
    m = _SUFFIXED.fullmatch(text)
    if m:
        number = float(m.group(1).replace(",", "."))
        return str(round(number * (1_000 if m.group(2) in "kK" else 1_000_000)))
    return text


def whole_number(v: object) -> object:
    """A whole number as exports write one (count()), or as a float with nothing after the
    point; a boolean or a fraction is refused; anything else is left for validation."""
    if isinstance(v, str):
        return count(v.strip())
    if isinstance(v, bool):
        raise ValueError("must be a whole number, not a boolean")
    if isinstance(v, float):
        if not math.isfinite(v) or v != int(v):
            raise ValueError("must be a finite whole number")
        return int(v)
    return v


def counted(v: object, what: str = "a count", hint: str = "") -> object:
    """whole_number(v), refusing text that is still no whole number after it, naming what the
    field counts and how to write one (then hint)."""
    v = whole_number(v)
    if isinstance(v, str) and not _WHOLE.fullmatch(v.strip()):
        raise ValueError(f"{v[:40]!r} is not {what}: a whole number (12400, 12,400, 12.4k)"
                         + hint)
    return v


def hidden_or_count(v: object) -> object:
    """A post's counter: None where the platform hides it (an empty cell, null, -1, "hidden",
    "n/a"), else a whole number; text that is no count is refused, naming how to write one."""
    if blank(v) or (isinstance(v, str) and v.strip().lower() in HIDDEN_COUNT):
        return None
    v = counted(v, hint="; for a count the platform hides, leave it out or write null, -1 "
                        "or hidden")
    if (v == -1 or v == "-1") and not isinstance(v, bool):
        return None  # scrapers write -1 for a count the platform hides
    return v


def yes_no(v: object) -> object:
    """Whether a post is declared sponsored: null or an empty cell (an export that does not
    know) declares nothing, so False (the caption's disclosure still counts, signals.py);
    French sheets' oui / non (vrai / faux) are yes and no."""
    if v is None or blank(v):
        return False
    if isinstance(v, str) and v.strip().lower() in _FRENCH_BOOLEANS:
        return _FRENCH_BOOLEANS[v.strip().lower()]
    return v


def date(v: object) -> object:
    """An empty string is no date given, as null is. A date written with slashes or dots
    (01/10/2026) is refused, naming how to write it: day and month cannot be told apart."""
    if blank(v):
        return None
    if isinstance(v, str) and _SLASHED_DATE.match(v.strip()):
        raise ValueError(f"{v.strip()[:40]!r} does not say which is the day and which the "
                         "month: write the date as 2026-10-01 (ISO 8601, a time may "
                         "follow) or as a Unix timestamp")
    return v


def price(v: object) -> object:
    """A price as spreadsheets write it ("1,250", "1 250", "1.2k", and "250,50" with a
    decimal comma, as French sheets do: one or two digits after it, never a thousands group);
    a currency sign is refused, naming it: the rate is in the rate card's currency, which the
    cell's sign may not be."""
    if not isinstance(v, str):
        return v
    text = count(v.strip())
    if not text:
        return None
    if _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{v[:40]!r} is not a price: a number in the rate card's "
                         "currency, without its sign (1250, 1,250, 1.2k)") from None


def engagement_share(value: object) -> float:
    """An engagement rate as people and exports write it: "3.2%", "3,2 %" or 0.032. A bare
    number above 1 is refused, naming the percentage it almost always is."""
    if isinstance(value, bool):
        raise ValueError("an engagement rate is a number, not a boolean")
    text = str(value).strip().replace(",", ".").replace(" ", "").replace("\u00a0", "")
    percent = text.endswith("%")
    try:
        rate = float(text[:-1]) / 100 if percent else float(text)
    except ValueError:
        raise ValueError(f"{str(value)[:40]!r} is not a rate: write 2% or 0.02") from None
    if not math.isfinite(rate) or rate < 0:
        raise ValueError(f"{str(value)[:40]!r} is not a rate: write 2% or 0.02")
    if not percent and rate > 1:
        raise ValueError(f"{value} would be {rate:.0%}: rates are fractions; did you mean "
                         f"{text}% (= {rate / 100:g})?")
    return rate


def categories(v: object) -> object:
    """One string, as an export's category field holds it ("Beauty", "beauty; travel"): its
    categories, separated by ; or | as a table's cell separates them; null is none."""
    if v is None:
        return []
    if isinstance(v, str):
        return [c for c in re.split(r"[;|]", v) if c.strip()]
    return v


# Names exports and people give platforms ("IG", "YouTube Shorts", "Twitter"), as stored.
PLATFORM_ALIASES = {
    "ig": "instagram", "insta": "instagram", "instagram reels": "instagram",
    "instagram stories": "instagram", "reels": "instagram", "tik tok": "tiktok", "tt": "tiktok",
    "yt": "youtube", "youtube shorts": "youtube", "shorts": "youtube", "twitter": "x",
    "x (twitter)": "x", "twitter / x": "x", "x / twitter": "x", "x.com": "x", "fb": "facebook",
    "linked in": "linkedin", "bsky": "bluesky", "snap": "snapchat",
}


def platform_as_stored(text: str) -> str:
    """A platform's name as exports and people write it ("IG", "YouTube  Shorts"), as the
    index stores it when it is one (validation names any other)."""
    name = " ".join(text.strip().lower().split())
    return PLATFORM_ALIASES.get(name, name)


def platform_name(text: str) -> str:
    """A platform as exports and people name it, as stored; a ValueError naming the platforms
    known for any other."""
    from .errors import nearest

    name = platform_as_stored(text)
    known = get_args(Platform)
    if name not in known:
        guess = nearest(name, list(known)) if name else None
        raise ValueError(f"{text[:40]!r} is not a platform this reads; "
                         + (f"did you mean {guess}? " if guess else "")
                         + f"use one of {', '.join(known)}")
    return name


# The mission's words for each objective: "awareness / reach", "engagement, credibility",
# "conversion / ROI", "UGC, reviews, word of mouth"; and a French planner's
OBJECTIVE_ALIASES = {
    "reach": "awareness", "visibility": "awareness", "brand awareness": "awareness",
    "credibility": "engagement", "trust": "engagement", "roi": "conversion",
    "sales": "conversion", "conversions": "conversion", "user generated content": "ugc",
    "user-generated content": "ugc", "reviews": "ugc", "word of mouth": "ugc",
    "word-of-mouth": "ugc",
    "notoriété": "awareness", "notoriete": "awareness", "visibilité": "awareness",
    "visibilite": "awareness", "ventes": "conversion", "avis": "ugc",
    "bouche-à-oreille": "ugc", "bouche à oreille": "ugc", "bouche-a-oreille": "ugc",
}


def objective_name(text: str) -> str:
    """An objective as the index names it: any case, and the mission's other words for it
    ("reach" is awareness, "ROI" conversion, "reviews" UGC); other text is left for
    validation to name."""
    key = " ".join(text.strip().lower().split())
    return OBJECTIVE_ALIASES.get(key, key)
