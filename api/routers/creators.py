"""Creators: bulk upsert, read, delete, lookalikes."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from recommender.errors import shown
from recommender.ingest import FILE_FORMATS, read_files
from recommender.records import Parsed
from recommender.schema import Filters

from ..deps import ReadKey, Rec, WriteKey
from ..errors import ApiError
from ..schemas import (
    ERRORS,
    CreatorPage,
    CreatorResponse,
    CreatorSummary,
    FileErrorOut,
    ImportResponse,
    MatchResponse,
    RecordErrorOut,
    UpsertRequest,
    UpsertResponse,
)

router = APIRouter(prefix="/v1/creators", tags=["creators"])
IGNORE_UNKNOWN = ("leave out the fields and columns the ingest format does not have (an "
                  "export's url, full_name, ...), named in `ignored`, instead of rejecting "
                  "their records")
PLATFORM = ("the platform of every record that names none (a file of one platform's accounts, "
            "as a scraper exports them): instagram, tiktok, youtube, ...")


def _list(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@router.get("", response_model=CreatorPage, responses=ERRORS,
            summary="The catalogue, filtered, a page at a time (cursor pagination)")
def browse(rec: Rec, _: ReadKey,
           tier: Annotated[str | None, Query(description="comma separated")] = None,
           country: Annotated[str | None, Query(description="comma separated")] = None,
           language: Annotated[str | None, Query(description="comma separated")] = None,
           platform: Annotated[str | None, Query(description="comma separated")] = None,
           category: Annotated[str | None, Query(description="comma separated")] = None,
           min_followers: Annotated[int | None, Query(ge=0)] = None,
           max_followers: Annotated[int | None, Query(ge=0)] = None,
           limit: Annotated[int, Query(ge=1, le=1000)] = 100,
           cursor: Annotated[str | None, Query(pattern=r"^\d{1,18}$")] = None) -> CreatorPage:
    filters = {"tiers": _list(tier), "countries": _list(country), "languages": _list(language),
               "platforms": _list(platform), "categories": _list(category),
               "min_followers": min_followers, "max_followers": max_followers}
    try:
        f = Filters.model_validate({k: v for k, v in filters.items() if v is not None})
    except ValidationError as e:
        raise ApiError(422, "the filters do not match the schema", [
            {"field": ".".join(map(str, err["loc"])) or "filters", "reason": err["msg"]}
            for err in e.errors()]) from None
    items, after = rec.browse(f, after=int(cursor or 0), limit=limit)
    return CreatorPage(creators=[CreatorSummary(**i) for i in items],
                       next_cursor=None if after is None else str(after))


@router.post("", response_model=UpsertResponse, responses=ERRORS,
             summary="Bulk upsert creators (ingest format); per-record errors in the answer")
def upsert(body: UpsertRequest, rec: Rec, _: WriteKey, request: Request,
           strict: Annotated[bool, Query(description="write nothing if any record is bad")]
           = False,
           ignore_unknown: Annotated[bool, Query(description=IGNORE_UNKNOWN)] = False,
           platform: Annotated[str | None, Query(max_length=40, description=PLATFORM)] = None
           ) -> UpsertResponse:
    limit = request.app.state.settings.max_batch
    if len(body.creators) > limit:
        raise ApiError(413, f"{len(body.creators)} records in one request; the limit is {limit}")
    report = rec.upsert(body.creators, strict=strict, source="request",
                        ignore_unknown=ignore_unknown, platform=platform)
    return UpsertResponse(
        added=report.added, updated=report.updated, unchanged=report.unchanged,
        rejected=report.rejected, ignored=report.ignored,
        errors=[RecordErrorOut(index=e.line - 1, id=e.record_id, field=e.field,
                               reason=e.reason) for e in report.errors])


@router.post("/import", response_model=ImportResponse, responses=ERRORS,
             summary="Upsert the creators of one file as ingest reads it (JSON Lines, JSON, a "
                     "CSV of creators, or an Excel workbook of creators and posts)",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/octet-stream": {"schema": {"type": "string",
                                                         "format": "binary"}}}}})
async def import_file(
        request: Request, rec: Rec, _: WriteKey,
        name: Annotated[str, Query(min_length=1, max_length=255,
                                   description="the file's name: its extension (.jsonl, "
                                               ".json, .csv, .xlsx) says how to read it")],
        strict: Annotated[bool, Query(description="write nothing if any record is bad")]
        = False,
        ignore_unknown: Annotated[bool, Query(description=IGNORE_UNKNOWN)] = False,
        platform: Annotated[str | None, Query(max_length=40, description=PLATFORM)] = None
        ) -> ImportResponse:
    """The body is the file's bytes. Errors name the file (and a workbook's sheet), the line or
    row, the field and the reason, as `creator-match ingest` does."""
    if not name.lower().endswith(FILE_FORMATS):
        raise ApiError(422, f"name: {shown(name)} has no extension this reads; use "
                            f"{', '.join(FILE_FORMATS)}",
                       [{"field": "name", "reason": "unknown format"}])
    data = await request.body()
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    parsed = await run_in_threadpool(read_files, [(base, data)],
                                     Parsed(ignore_unknown=ignore_unknown, platform=platform))
    report = await run_in_threadpool(rec.ingest_parsed, parsed, strict=strict)
    return ImportResponse(
        added=report.added, updated=report.updated, unchanged=report.unchanged,
        rejected=report.rejected, ignored=report.ignored,
        errors=[FileErrorOut(file=e.file, line=e.line, id=e.record_id, field=e.field,
                             reason=e.reason) for e in report.errors])


@router.get("/{creator_id}", response_model=CreatorResponse, responses=ERRORS,
            summary="One creator's record, tier and signals")
def get_creator(creator_id: str, rec: Rec, _: ReadKey) -> CreatorResponse:
    return CreatorResponse(**rec.get(creator_id))


@router.delete("/{creator_id}", status_code=204, responses=ERRORS,
               summary="Delete a creator from the catalog, the vectors and the caches")
def delete_creator(creator_id: str, rec: Rec, _: WriteKey) -> Response:
    if not rec.remove([creator_id]):
        raise ApiError(404, f"no creator with id {shown(creator_id)}")
    return Response(status_code=204)


@router.get("/{creator_id}/similar", response_model=MatchResponse, responses=ERRORS,
            summary="Lookalike creators")
def similar(creator_id: str, rec: Rec, _: ReadKey,
            k: Annotated[int, Query(ge=1, le=1000)] = 10) -> MatchResponse:
    t0 = time.perf_counter()
    matches = rec.similar(creator_id, k=k)
    return MatchResponse(matches=matches, took_ms=round((time.perf_counter() - t0) * 1e3, 2))
