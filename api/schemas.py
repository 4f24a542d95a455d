"""Request and response bodies of the HTTP API, with the examples shown in /openapi.json."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from recommender.schema import Brief, Creator, Match

CREATOR_EXAMPLE: dict[str, Any] = {
    "id": "ig_lea_zd", "handle": "@lea.zerodechet", "platform": "instagram", "followers": 4200,
    "country": "FR", "language": "fr", "categories": ["beauty", "sustainability"],
    "bio": "Salle de bain zéro déchet, cosmétiques maison",
    "posts": [{"id": "p1", "text": "Mon shampoing solide préféré, trois mois sans flacon",
               "likes": 320, "comments": 41, "shares": 5, "views": None, "sponsored": False,
               "posted_at": "2026-10-01T12:00:00Z"}],
}
BRIEF_EXAMPLE: dict[str, Any] = {
    "brief": "launch of a solid shampoo bar", "values": "zero waste, honest, made in France",
    "objective": "engagement", "k": 5,
    "filters": {"tiers": ["nano", "micro"], "countries": ["FR"], "min_engagement_rate": 0.02},
}
MATCH_EXAMPLE: dict[str, Any] = {
    "creator_id": "ig_lea_zd", "handle": "@lea.zerodechet", "platform": "instagram",
    "tier": "micro", "followers": 4200, "engagement_rate": 0.087, "score": 0.81,
    "components": {"similarity": 0.74, "values": 0.69, "keywords": 0.8, "tier_fit": 1.0,
                   "engagement": 0.92, "authenticity": 0.95},
    "evidence": [{"post_id": "p1", "text": "Mon shampoing solide préféré…", "similarity": 0.71}],
    "flags": [], "flag_details": {}, "matched_terms": ["shampoing", "solide"],
    "matched_categories": ["beauty"],
}


class UpsertRequest(BaseModel):
    """Creator records in the ingest format; each is validated on its own, so one bad record is
    reported (in errors) without refusing the others."""

    # parsed as plain objects so that each record is checked alone (a list[Creator] would
    # refuse the whole request for one bad record); the spec still says each is a Creator
    creators: Annotated[list[Any], WithJsonSchema({
        "type": "array", "items": {"$ref": "#/components/schemas/Creator"},
        "examples": [[CREATOR_EXAMPLE]]})]

    model_config = {"json_schema_extra": {"examples": [{"creators": [CREATOR_EXAMPLE]}]}}


class RecordErrorOut(BaseModel):
    index: int = Field(description="position of the record in the request, from 0")
    id: str | None
    field: str
    reason: str


class FileErrorOut(BaseModel):
    file: str = Field(description="the file's name, with the sheet of a workbook: "
                                  "'creators.xlsx#Posts'")
    line: int = Field(description="the line of a JSON Lines or CSV file, the row of a sheet "
                                  "as Excel numbers it; 0 for the file as a whole")
    id: str | None
    field: str
    reason: str


class _Written(BaseModel):
    """What a write did: creators added, updated, unchanged (the same record again), refused."""

    added: int
    updated: int
    unchanged: int
    rejected: int
    ignored: dict[str, int] = Field(
        default_factory=dict, description="with ignore_unknown: each field or column left out "
        "as not in the ingest format (posts.url for a post's), and how many records or rows "
        "it was left out of")


class ImportResponse(_Written):
    errors: list[FileErrorOut]

    model_config = {"json_schema_extra": {"examples": [
        {"added": 41, "updated": 0, "unchanged": 0, "rejected": 1,
         "errors": [{"file": "creators.xlsx#Posts", "line": 12, "id": "ig_x",
                     "field": "likes", "reason": "Input should be a valid integer"}]}]}}


class UpsertResponse(_Written):
    errors: list[RecordErrorOut]

    model_config = {"json_schema_extra": {"examples": [
        {"added": 1, "updated": 0, "unchanged": 0, "rejected": 1,
         "errors": [{"index": 1, "id": "ig_x", "field": "followers",
                     "reason": "Input should be greater than or equal to 0"}]}]}}


class MatchResponse(BaseModel):
    brief_id: str | None = Field(
        default=None, description="the brief's id, as it gave one (a campaign code, another "
        "tool's brief id): what these matches answer")
    matches: list[Match]
    took_ms: float
    empty_reason: str | None = Field(
        default=None, description="when matches is empty: why, naming the filter(s) to widen")
    notes: list[str] = Field(
        default_factory=list, description="how the brief was read, when a planner should know: "
        "a brief that names no subject beyond the campaign's own words, a values statement "
        "that only rejects or names no value, values written into the brief (read as its "
        "values statement), and tiers, an objective, countries, platforms or follower counts "
        "asked for in words but not set as filters or the objective (each note names the "
        "filter to set), the ages and profile of the brand's audience (not matched: no "
        "catalog holds them), when the campaign runs (not matched), French typed without "
        "accents (read with them)")

    model_config = {"json_schema_extra": {"examples": [
        {"matches": [MATCH_EXAMPLE], "took_ms": 12.5}]}}


class CreatorSummary(BaseModel):
    id: str
    handle: str | None
    platform: str
    tier: str
    followers: int
    country: str | None
    language: str | None
    categories: list[str]
    engagement_rate: float | None


class CreatorPage(BaseModel):
    creators: list[CreatorSummary]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null at "
                                                "the end")

    model_config = {"json_schema_extra": {"examples": [{"creators": [{
        "id": "ig_lea_zd", "handle": "@lea.zerodechet", "platform": "instagram", "tier": "micro",
        "followers": 4200, "country": "FR", "language": "fr",
        "categories": ["beauty", "sustainability"], "engagement_rate": 0.087}],
        "next_cursor": "1742"}]}}


class CreatorResponse(BaseModel):
    record: Creator
    tier: str
    signals: dict[str, Any]
    updated_at: str

    model_config = {"json_schema_extra": {"examples": [
        {"record": CREATOR_EXAMPLE, "tier": "micro", "updated_at": "2026-11-23T10:00:00+00:00",
         "signals": {"tier": "micro", "engagement_rate": 0.087, "sponsored_ratio": 0.0,
                     "engagement": 0.86, "authenticity": 1.0, "flags": []}}]}}


class HealthResponse(BaseModel):
    status: Literal["ok", "starting"]
    ready: bool = Field(description="true once the model is loaded: a match answers at full "
                                    "speed (`serve` loads it before opening its port)")
    creators: int
    model: str

    model_config = {"json_schema_extra": {"examples": [
        {"status": "ok", "ready": True, "creators": 360,
         "model": "sentence-transformers/all-MiniLM-L6-v2"}]}}


class KeyResponse(BaseModel):
    scope: Literal["read", "write"] = Field(
        description="read: match, plan, browse and read creators; write: all that and "
                    "upsert or delete creators")
    writes: bool = Field(
        True, description="whether this server accepts writes at all: false on a server of "
        "shards (serve --shards), whose creators are written by the sharded ingest")

    model_config = {"json_schema_extra": {"examples": [{"scope": "read", "writes": True}]}}


class StatsResponse(BaseModel):
    creators: int
    tiers: dict[str, int]
    platforms: dict[str, int]
    model: str
    query_precision: str | None = Field(
        None, description="int8 where briefs are encoded by the int8 model "
        "(CREATOR_MATCH_QUERY_PRECISION); null: as the creators' texts")
    index_kind: str | None
    tier_scheme: str
    cached_texts: int
    to_ingest_again: int = Field(
        0, description="creators to ingest again: encoded, by an earlier version, with hashtags "
        "that none of their captions bears out (catalog migration step 15)")
    updated_at: str | None
    generation: int

    model_config = {"json_schema_extra": {"examples": [
        {"creators": 360, "tiers": {"nano": 120, "micro": 160, "macro": 80},
         "platforms": {"instagram": 120, "tiktok": 90}, "model":
         "sentence-transformers/all-MiniLM-L6-v2", "query_precision": None, "index_kind": "flat",
         "tier_scheme": "mission", "cached_texts": 3300, "to_ingest_again": 0,
         "updated_at": "2026-11-23T10:00:00+00:00", "generation": 4}]}}


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str
    details: list[Any]


class ErrorResponse(BaseModel):
    error: ErrorBody


ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorResponse} for s in (401, 403, 404, 413, 422)}


class PlanRequest(Brief):
    """A brief (its k is not used) with a budget: POST /v1/plan."""

    budget: float = Field(gt=0, le=1e12, description="the campaign's budget")
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$",
                                 description="ISO 4217 code; default the rate card's (USD)")
    mix: dict[str, float] | None = Field(
        default=None, description="budget shares per tier, summing to 1; default the "
        "objective's pyramid")
    max_creators: int = Field(default=30, ge=1, le=1000)
    allow_flagged: bool = False

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "brief": "launch of a solid shampoo bar", "values": "zero waste, honest reviews",
        "objective": "awareness", "budget": 20000, "currency": "EUR",
        "mix": {"macro": 0.6, "micro": 0.25, "nano": 0.15}}]})


class PlanTotals(BaseModel):
    creators: int
    cost: float
    reach: int
    engagements: int
    ugc: int
    mean_fit: float | None
    cost_per_engagement: float | None
    cpm: float | None


class PlanPick(Match):
    cost: float
    reach: int
    engagements: int
    ugc: int
    fit: float
    cost_source: str
    reach_source: str
    cost_per_engagement: float | None
    cpm: float | None


class PlanResponse(BaseModel):
    budget: float
    currency: str
    objective: str
    mix: dict[str, float]
    optimal: bool = Field(description="whether the solver proved the plan optimal")
    picks: list[PlanPick]
    totals: PlanTotals
    by_tier: dict[str, PlanTotals]
    alternatives: dict[str, PlanTotals]
    notes: list[str]
    assumptions: dict[str, Any] = Field(description="the rate card, exchange rate, formulas "
                                                    "and rules behind every estimate")
