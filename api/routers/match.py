"""Matching a brief."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Body, Request

from recommender.notes import of_brief
from recommender.schema import Brief

from ..deps import ReadKey, Rec
from ..schemas import BRIEF_EXAMPLE, ERRORS, MatchResponse, PlanRequest, PlanResponse

router = APIRouter(prefix="/v1", tags=["match"])


@router.post("/match", response_model=MatchResponse, responses=ERRORS,
             summary="Ranked, explained creators for a brief")
def match(brief: Annotated[Brief, Body(openapi_examples={"shampoo bar": {
              "summary": "a zero-waste launch", "value": BRIEF_EXAMPLE}})],
          rec: Rec, _: ReadKey) -> MatchResponse:
    t0 = time.perf_counter()
    matches = rec.match(brief)
    took = round((time.perf_counter() - t0) * 1e3, 2)
    return MatchResponse(brief_id=brief.id, matches=matches, took_ms=took,
                         empty_reason=None if matches else rec.why_empty(brief.filters),
                         notes=of_brief(brief, rec.tiers.names)
                         + list(filter(None, [rec.encoder_note(),
                                              rec.unknown_note(brief.filters)])))


@router.post("/plan", response_model=PlanResponse, responses=ERRORS,
             summary="A campaign plan for a budget: creators per tier, estimated costs and "
                     "forecasts, beside the alternatives")
def plan(body: PlanRequest, request: Request, rec: Rec, _: ReadKey) -> PlanResponse:
    brief = Brief.model_validate(body.model_dump(include=set(Brief.model_fields)))
    answer = rec.plan(brief, body.budget, currency=body.currency, mix=body.mix,
                      max_creators=body.max_creators, allow_flagged=body.allow_flagged,
                      rate_card=request.app.state.settings.rate_card)
    return PlanResponse.model_validate(answer)
