"""Dependencies: the Recommender of this app, and API-key checks by scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from recommender.service import Recommender

from .auth import LiveKeys, allows
from .errors import ApiError


def get_recommender(request: Request) -> Recommender:
    return request.app.state.recommender


# Declared so /openapi.json documents both ways of sending a key; the checks below are ours, so
# that a missing key is a 401 in the API's one error shape.
_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer KEY")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: KEY")


def require(scope: str):
    def check(request: Request,
              bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
              header: Annotated[str | None, Depends(_header)]) -> str:
        keys: LiveKeys = request.app.state.keys
        key = (bearer.credentials if bearer else None) or header or None
        if key is None:
            raise ApiError(401, "an API key is required: 'Authorization: Bearer KEY' or "
                                "'X-API-Key: KEY'", headers={"WWW-Authenticate": "Bearer"})
        found = keys.scope_of(key)
        if found is None:
            raise ApiError(401, "unknown API key", headers={"WWW-Authenticate": "Bearer"})
        if not allows(found, scope):
            raise ApiError(403, f"this key has the {found} scope; this endpoint needs {scope}")
        return found

    return check


Rec = Annotated[Recommender, Depends(get_recommender)]
ReadKey = Annotated[str, Depends(require("read"))]
WriteKey = Annotated[str, Depends(require("write"))]
