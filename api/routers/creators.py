"""Creators: bulk upsert, read, delete, lookalikes."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from recommender.errors import shown

from ..deps import ReadKey, Rec, WriteKey
from ..errors import ApiError
from ..schemas import (
    ERRORS,
    CreatorResponse,
    MatchResponse,
    RecordErrorOut,
    UpsertRequest,
    UpsertResponse,
)

router = APIRouter(prefix="/v1/creators", tags=["creators"])


@router.post("", response_model=UpsertResponse, responses=ERRORS,
             summary="Bulk upsert creators (ingest format); per-record errors in the answer")
def upsert(body: UpsertRequest, rec: Rec, _: WriteKey, request: Request,
           strict: Annotated[bool, Query(description="write nothing if any record is bad")]
           = False) -> UpsertResponse:
    limit = request.app.state.settings.max_batch
    if len(body.creators) > limit:
        raise ApiError(413, f"{len(body.creators)} records in one request; the limit is {limit}")
    report = rec.upsert(body.creators, strict=strict, source="request")
    return UpsertResponse(
        added=report.added, updated=report.updated, unchanged=report.unchanged,
        rejected=report.rejected,
        errors=[RecordErrorOut(index=e.line - 1, id=e.record_id, field=e.field,
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
