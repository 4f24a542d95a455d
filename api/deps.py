"""Dependencies: the Recommender of this app, and API-key checks by scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from recommender.service import Recommender
from recommender.sharding import ShardedRecommender

from .auth import LiveKeys, Refusal, allows, authorize
from .errors import ApiError


def get_recommender(request: Request) -> Recommender | ShardedRecommender:
    return request.app.state.recommender


# Declared so /openapi.json documents both ways of sending a key; the checks below are ours, so
# that a missing key is a 401 in the API's one error shape.
_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer KEY")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: KEY")


def require(scope: str):
    def check(request: Request,
              bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
              header: Annotated[str | None, Depends(_header)]) -> str:
        # the edge (limits.KeyCheck) has checked the key from the headers already: only the
        # route's own scope is checked here, with no second hash or keys-file look-up
        found = getattr(request.state, "key_scope", None)
        if found is None:  # an app without the edge middleware: decide here
            keys: LiveKeys = request.app.state.keys
            found = authorize(keys, (bearer.credentials if bearer else None) or header, scope)
        elif not allows(found, scope):
            found = Refusal(403, f"this key has the {found} scope; this endpoint needs {scope}")
        if isinstance(found, Refusal):
            raise ApiError(found.status, found.message, headers={"WWW-Authenticate": "Bearer"}
                           if found.status == 401 else None)
        return found

    return check


Rec = Annotated[Recommender | ShardedRecommender, Depends(get_recommender)]
ReadKey = Annotated[str, Depends(require("read"))]
WriteKey = Annotated[str, Depends(require("write"))]
