"""Matching a brief."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Body

from recommender.schema import Brief

from ..deps import ReadKey, Rec
from ..schemas import BRIEF_EXAMPLE, ERRORS, MatchResponse

router = APIRouter(prefix="/v1", tags=["match"])


@router.post("/match", response_model=MatchResponse, responses=ERRORS,
             summary="Ranked, explained creators for a brief")
def match(brief: Annotated[Brief, Body(openapi_examples={"shampoo bar": {
              "summary": "a zero-waste launch", "value": BRIEF_EXAMPLE}})],
          rec: Rec, _: ReadKey) -> MatchResponse:
    t0 = time.perf_counter()
    matches = rec.match(brief)
    took = round((time.perf_counter() - t0) * 1e3, 2)
    return MatchResponse(matches=matches, took_ms=took,
                         empty_reason=None if matches else rec.why_empty(brief.filters))
