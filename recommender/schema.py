"""The data contract: creators and posts in, briefs in, explained matches out (see DESIGN.md)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from . import cells
from .cells import Platform
from .locales import language_code, normal_country, normal_language

Objective = Literal["awareness", "engagement", "conversion", "ugc"]

# Bounds that reject absurd input instead of letting it skew signals. The largest accounts in the
# world have a few hundred million followers; a single post's counters stay well below 10^10.
MAX_COUNT = 10_000_000_000
MAX_TEXT = 20_000  # longest caption or bio kept; platforms cap captions at 2,200-5,000 characters
MAX_POSTS = 500
MAX_ID = 200
MAX_NAME = 200  # longest label a planner gives a brief
DEFAULT_K = 20  # results a match answers when the brief does not say


def _no_nan(value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


# A creator id travels in URLs (/v1/creators/{id}) and command lines: letters and digits of any
# script and _ . : @ + -, nothing that a path, a query or a shell would read another way.
ID_PATTERN = r"^[\w.:@+-]+$"


_SURROGATE = re.compile("[\ud800-\udfff]")


def _lone_surrogate(value: object, path: str = "") -> str | None:
    """The path of the first string holding a lone surrogate (text no UTF-8 can store), if any.
    (Strings are searched where they are found: a call a leaf would make ingest pay a call for
    every number of every post.)"""
    if isinstance(value, str):
        return (path or "value") if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        items: Iterable[tuple[object, object]] = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and _SURROGATE.search(key):
            return path or "value"
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return f"{path}.{key}".lstrip(".")
        elif isinstance(item, dict | list | tuple):
            found = _lone_surrogate(item, f"{path}.{key}".lstrip("."))
            if found:
                return found
    return None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _valid_unicode(cls, data: object) -> object:
        where = _lone_surrogate(data)
        if where:
            raise ValueError(f"{where}: holds a lone surrogate (\\ud800-\\udfff), which is not "
                             "valid Unicode text; fix the encoding of the source")
        return data


class Post(_Model):
    """One piece of a creator's own content with its public counters."""

    id: str = Field(min_length=1, max_length=MAX_ID)
    # a post without a caption (a photo, a video with none) is None: it counts for engagement
    # and sponsoring, and nothing of it is embedded or searched
    text: str | None = Field(default=None, max_length=MAX_TEXT)
    # a count the platform hides (Instagram's likes, a scraper's -1) is None: unknown, not 0
    likes: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    comments: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    shares: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    views: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    sponsored: bool = False
    posted_at: datetime | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: object) -> object:
        return cells.id_text(v)

    @field_validator("text", mode="before")
    @classmethod
    def _blank_is_none(cls, v: object) -> object:
        return None if cells.blank(v) else v

    @field_validator("sponsored", mode="before")
    @classmethod
    def _yes_no(cls, v: object) -> object:
        return cells.yes_no(v)

    @field_validator("posted_at", mode="before")
    @classmethod
    def _date(cls, v: object) -> object:
        return cells.date(v)

    @field_validator("likes", "comments", "shares", "views", mode="before")
    @classmethod
    def _hidden_or_count(cls, v: object) -> object:
        return cells.hidden_or_count(v)


class Creator(_Model):
    """A creator record as ingested: one JSON object per line, or CSV rows plus a posts file."""

    id: str = Field(min_length=1, max_length=MAX_ID, pattern=ID_PATTERN)
    handle: str | None = Field(default=None, max_length=MAX_ID)
    platform: Platform
    followers: int = Field(ge=0, le=MAX_COUNT)
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    language: str | None = Field(default=None, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
    categories: list[str] = Field(default_factory=list, max_length=50)
    bio: str | None = Field(default=None, max_length=MAX_TEXT)
    posts: list[Post] = Field(default_factory=list, max_length=MAX_POSTS)
    # the agency's real price for one sponsored post, in the rate card's currency; plans use
    # it instead of the card's estimate
    rate: float | None = Field(default=None, ge=0, le=1e9)
    # the engagement rate an export states for the creator (an agency's list gives it without
    # posts): used where its posts give none to measure, and said to be stated (signals.py)
    engagement_rate: float | None = Field(default=None, ge=0, le=10)

    @field_validator("rate", mode="before")
    @classmethod
    def _price(cls, v: object) -> object:
        return cells.price(v)

    @field_validator("engagement_rate", mode="before")
    @classmethod
    def _engagement_as_written(cls, v: object) -> object:
        return None if v is None or cells.blank(v) else cells.engagement_share(v)

    @field_validator("rate")
    @classmethod
    def _rate_finite(cls, v: float | None) -> float | None:
        return _no_nan(v)

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: object) -> object:
        return cells.id_text(v)

    @field_validator("posts", mode="before")
    @classmethod
    def _null_is_none_given(cls, v: object) -> object:
        """null, as exports write a list they have nothing for, is an empty list."""
        return [] if v is None else v

    @field_validator("categories", mode="before")
    @classmethod
    def _categories_as_written(cls, v: object) -> object:
        return cells.categories(v)

    @field_validator("followers", mode="before")
    @classmethod
    def _followers_integral(cls, v: object) -> object:
        return cells.counted(v, "a number of followers")

    @field_validator("platform", mode="before")
    @classmethod
    def _platform_lower(cls, v: object) -> object:
        """A platform as people write it ("IG", "TikTok"); one this does not read named, with
        the one most likely meant ("tiktk": did you mean tiktok?)."""
        return cells.platform_name(v) if isinstance(v, str) else v

    @field_validator("country", "language", "handle", mode="before")
    @classmethod
    def _blank_is_not_given(cls, v: object) -> object:
        """An empty string, as exports write a field they have nothing for, is none given."""
        return None if cells.blank(v) else v

    @field_validator("country", mode="before")
    @classmethod
    def _country_code(cls, v: object) -> object:
        if isinstance(v, str) and v.strip():
            code = normal_country(v)
            if len(code) != 2:
                raise ValueError(f"{v[:40]!r} is not a country code or name, in English or "
                                 "French (e.g. BE, BEL, Belgium or Belgique)")
            return code
        return v

    @field_validator("language", mode="before")
    @classmethod
    def _language_code(cls, v: object) -> object:
        if isinstance(v, str) and v.strip():
            code = normal_language(v)
            if language_code(v) is None and len(code.partition("-")[0]) > 3:
                raise ValueError(f"{v[:40]!r} is not a language code or name, in English "
                                 "or French (e.g. fr, fra, French or Français)")
            return code
        return v

    @field_validator("categories")
    @classmethod
    def _categories_clean(cls, v: list[str]) -> list[str]:
        out: list[str] = []
        for c in v:
            c = c.strip().lower()
            if not c or len(c) > 64:
                raise ValueError("each category must be 1-64 characters")
            if c not in out:
                out.append(c)
        return out

    @model_validator(mode="after")
    def _has_content(self) -> Creator:
        if not (self.bio and self.bio.strip()) and not any(p.text for p in self.posts):
            raise ValueError("a creator needs a bio or at least one post with text: there is "
                             "nothing to read of it otherwise")
        seen: set[str] = set()
        for p in self.posts:
            if p.id in seen:
                raise ValueError(f"post id {p.id!r} appears twice")
            seen.add(p.id)
        return self


class Filters(_Model):
    """Hard constraints on candidates; every one is honoured exactly."""

    tiers: list[str] | None = None
    countries: list[str] | None = None
    languages: list[str] | None = None
    platforms: list[Platform] | None = None
    categories: list[str] | None = None
    min_followers: int | None = Field(default=None, ge=0)
    max_followers: int | None = Field(default=None, ge=0)
    min_engagement_rate: float | None = Field(default=None, ge=0, le=100)
    exclude_ids: list[str] | None = None

    @field_validator("min_engagement_rate")
    @classmethod
    def _finite(cls, v: float | None) -> float | None:
        return _no_nan(v)

    @field_validator("exclude_ids", mode="before")
    @classmethod
    def _ids(cls, v: object) -> object:
        return [cells.id_text(x) for x in v] if isinstance(v, list) else v

    @field_validator("min_followers", "max_followers", mode="before")
    @classmethod
    def _followers_integral(cls, v: object) -> object:
        return cells.whole_number(v)

    @field_validator("countries")
    @classmethod
    def _countries(cls, v: list[str] | None) -> list[str] | None:
        return [normal_country(c) for c in v] if v is not None else None

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: list[str] | None) -> list[str] | None:
        return [normal_language(c) for c in v] if v is not None else None

    @field_validator("categories", "tiers")
    @classmethod
    def _lower(cls, v: list[str] | None) -> list[str] | None:
        return [c.strip().lower() for c in v] if v is not None else None

    @field_validator("platforms", mode="before")
    @classmethod
    def _platforms_lower(cls, v: object) -> object:
        if isinstance(v, list):
            return [Creator._platform_lower(p) for p in v]
        return v

    @model_validator(mode="after")
    def _range(self) -> Filters:
        if (
            self.min_followers is not None
            and self.max_followers is not None
            and self.min_followers > self.max_followers
        ):
            raise ValueError("min_followers is greater than max_followers")
        return self


class Brief(_Model):
    """What a planner asks for: the campaign, the brand's values, the objective and constraints."""

    brief: str = Field(min_length=1, max_length=MAX_TEXT)
    values: str | None = Field(default=None, max_length=MAX_TEXT)
    objective: Objective | None = None
    k: int = Field(default=DEFAULT_K, ge=1, le=1000)
    filters: Filters = Field(default_factory=Filters)
    # a label of the planner's own (the campaign's name, as the example briefs carry one):
    # never read for ranking
    name: str | None = Field(default=None, max_length=MAX_NAME,
                             description="a label of your own for the brief; not used to rank")
    # the brief's identifier in the planner's own tool (a campaign code, a sheet's row, an
    # evaluation's brief id): answered back with its matches, never read for ranking
    id: str | None = Field(default=None, max_length=MAX_NAME,
                           description="your identifier for the brief (a campaign code); "
                                       "answered back, not used to rank")

    @field_validator("k", mode="before")
    @classmethod
    def _k_integral(cls, v: object) -> object:
        return DEFAULT_K if v is None else cells.whole_number(v)

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, v: object) -> object:
        """An id written as a number (a sheet's row, 17) is that number's text."""
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    @field_validator("objective", mode="before")
    @classmethod
    def _objective_name(cls, v: object) -> object:
        return cells.objective_name(v) if isinstance(v, str) else v

    @field_validator("filters", mode="before")
    @classmethod
    def _no_filters(cls, v: object) -> object:
        """null, as many tools write a field left empty, is no filter."""
        return {} if v is None else v

    @field_validator("values", mode="before")
    @classmethod
    def _values_list(cls, v: object) -> object:
        """A list of values (["repair", "second hand"]) is the statement they make together."""
        if isinstance(v, list):
            wrong = [i for i, x in enumerate(v) if not isinstance(x, str)]
            if wrong:
                raise ValueError(f"a statement, or a list of strings: item {wrong[0]} is "
                                 f"{v[wrong[0]]!r}")
            return ", ".join(x.strip() for x in v if x.strip()) or None
        return v


class Evidence(BaseModel):
    post_id: str
    text: str
    similarity: float


class Match(BaseModel):
    """One proposal with everything a planner needs to see why it was made."""

    creator_id: str
    handle: str | None
    platform: str
    tier: str
    followers: int
    country: str | None = None
    language: str | None = None
    categories: list[str] = Field(default_factory=list)
    engagement_rate: float | None
    # "stated" when the rate is the record's own figure (an agency's list), "posts" when it
    # is measured on its posts, None without one (signals.engagement_source)
    engagement_source: str | None = None
    score: float
    components: dict[str, float | None] = Field(
        description="what the score is made of, each 0-1 (ranking.py): similarity, keywords, "
        "values, tier_fit, engagement, authenticity; null where the brief does not use it, and "
        "keywords null for a creator who writes in another language than the brief")
    evidence: list[Evidence]
    values_evidence: list[Evidence] = Field(
        default_factory=list, description="the posts that carry the fit with the brand's "
        "values statement (similarity: with the values beyond the brief's topic)")
    flags: list[str]
    flag_details: dict[str, str] = Field(default_factory=dict)
    matched_terms: list[str] = Field(default_factory=list)  # the brief's words found in its texts
    matched_categories: list[str] = Field(
        default_factory=list, description="the brief's words that name one of its categories "
        "and that its bio and posts do not use")


def unknown_field_hint(err: Mapping[str, Any], model: type[BaseModel]) -> str:
    """For a validation error of `model` on a field it does not have ("extra_forbidden"): the
    field most likely meant ("did you mean values?") or the fields the object holding it has
    (a brief's, its filters', a post's)."""
    from .errors import nearest

    here: type[BaseModel] | None = model
    for part in err["loc"][:-1]:  # down to the object holding the field: filters, posts[3]
        field = here.model_fields.get(part) if here is not None and isinstance(part, str) \
            else None
        if field is not None:
            here = next((t for t in (field.annotation, *get_args(field.annotation))
                         if isinstance(t, type) and issubclass(t, BaseModel)), None)
    known = list(here.model_fields) if here is not None else []
    guess = nearest(str(err["loc"][-1]), known)
    return f"did you mean {guess}?" if guess else f"its fields: {', '.join(known)}"
