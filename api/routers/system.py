"""Health (open) and statistics."""

from __future__ import annotations

from fastapi import APIRouter

from recommender.sharding import ShardedRecommender

from ..deps import ReadKey, Rec
from ..schemas import ERRORS, HealthResponse, KeyResponse, StatsResponse

router = APIRouter(prefix="/v1", tags=["system"])


@router.get("/health", response_model=HealthResponse,
            summary="Liveness and readiness; needs no key")
def health(rec: Rec) -> HealthResponse:
    ready = bool(getattr(rec.embedder, "loaded", True))
    return HealthResponse(status="ok" if ready else "starting", ready=ready,
                          creators=rec.count(), model=rec.embedder.name)


@router.get("/stats", response_model=StatsResponse, responses=ERRORS,
            summary="Counts per tier and platform, model, index type, last update")
def stats(rec: Rec, _: ReadKey) -> StatsResponse:
    s = rec.stats()
    return StatsResponse(**{k: s[k] for k in StatsResponse.model_fields})


@router.get("/me", response_model=KeyResponse, responses=ERRORS,
            summary="The scope of the key sent: what a client may offer its user")
def me(rec: Rec, scope: ReadKey) -> KeyResponse:
    return KeyResponse.model_validate({"scope": scope,
                                       "writes": not isinstance(rec, ShardedRecommender)})
