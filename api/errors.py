"""One JSON error shape everywhere: {"error": {"status", "code", "message", "details"}}.

Domain errors (recommender.errors) become statuses here, at the edge; anything else - a plain
ValueError included - is a bug, answered 500 and logged."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.store import CorruptIndexError, LockedError, StorageFullError
from recommender.errors import (
    CreatorMatchError,
    IngestRejected,
    InvalidInputError,
    ModelMismatchError,
    NotFoundError,
)
from recommender.records import said
from recommender.schema import unknown_field_hint
from recommender.sharding import ReadOnlyShardsError, ShardUnavailableError

log = logging.getLogger("creator_match.api")

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
         415: "unsupported_media_type", 422: "validation_error", 500: "internal_error",
         507: "insufficient_storage",
         503: "unavailable"}


class ApiError(Exception):
    def __init__(self, status: int, message: str, details: list | None = None,
                 headers: dict | None = None) -> None:
        self.status, self.message, self.details, self.headers = status, message, details, headers
        super().__init__(message)


def error_body(status: int, message: str, details: list | None = None) -> dict:
    return {"error": {"status": status, "code": CODES.get(status, "error"), "message": message,
                      "details": details or []}}


def respond(status: int, message: str, details: list | None = None,
            headers: dict | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, message, details), status_code=status, headers=headers)


def _field(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def _reason(err: dict, request: Request) -> str:
    """pydantic's message, or for a field the body's model does not have, which field was
    likely meant (as ingest and brief files say it)."""
    model = getattr(getattr(getattr(request.scope.get("route"), "body_field", None),
                            "field_info", None), "annotation", None)
    loc = tuple(err.get("loc", ()))
    if err.get("type") != "extra_forbidden" or loc[:1] != ("body",) or not (
            isinstance(model, type) and issubclass(model, BaseModel)):
        return said(err) if "msg" in err else ""
    return f"not a field of this request ({unknown_field_hint({**err, 'loc': loc[1:]}, model)})"


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_: Request, e: ApiError):
        return respond(e.status, e.message, e.details, e.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, e: RequestValidationError):
        errs = e.errors()
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body_sent = request.method in ("POST", "PUT", "PATCH")
        if body_sent and media and media != "application/json" and not media.endswith("+json"):
            return respond(415, f"the body must be JSON (Content-Type: application/json), "
                                f"not {media[:80]}")
        if any(err.get("type") == "json_invalid" for err in errs):
            err = next(err for err in errs if err.get("type") == "json_invalid")
            where = err.get("loc", ("body", ""))[-1]
            return respond(400, "the body is not valid JSON",
                           [{"field": "body", "reason": f"{err.get('ctx', {}).get('error', '')} "
                                                        f"at character {where}".strip()}])
        details = [{"field": _field(err.get("loc", ())), "reason": _reason(err, request)}
                   for err in errs]
        return respond(422, "the request does not match the schema", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, e: StarletteHTTPException):
        return respond(e.status_code, str(e.detail), headers=getattr(e, "headers", None))

    @app.exception_handler(NotFoundError)
    async def _missing(_: Request, e: NotFoundError):
        return respond(404, str(e))

    @app.exception_handler(IngestRejected)
    async def _rejected(_: Request, e: IngestRejected):
        # one convention with the normal mode's answer: index = the record's position, from 0
        return respond(422, str(e), [{"index": err.line - 1, "id": err.record_id,
                                      "field": err.field, "reason": err.reason}
                                     for err in e.errors])

    @app.exception_handler(StorageFullError)
    async def _full(_: Request, e: StorageFullError):
        return respond(507, str(e))

    @app.exception_handler(LockedError)
    async def _locked(_: Request, e: LockedError):
        return respond(503, str(e), headers={"Retry-After": "5"})

    @app.exception_handler(ShardUnavailableError)
    async def _shard_down(_: Request, e: ShardUnavailableError):
        return respond(503, str(e), headers={"Retry-After": "5"})

    @app.exception_handler(ReadOnlyShardsError)
    async def _read_only(_: Request, e: ReadOnlyShardsError):
        # the server's mode refuses it, whatever the key: the message says where writes go
        return respond(403, str(e))

    @app.exception_handler(ModelMismatchError)
    @app.exception_handler(CorruptIndexError)
    async def _broken(_: Request, e: Exception):
        return respond(503, str(e))

    @app.exception_handler(InvalidInputError)
    async def _invalid(_: Request, e: InvalidInputError):
        message = str(e)
        field, sep, reason = message.partition(": ")
        details = [{"field": field, "reason": reason}] if sep and " " not in field else []
        return respond(422, message, details)

    @app.exception_handler(CreatorMatchError)
    async def _domain(_: Request, e: CreatorMatchError):  # a kind without its own status yet
        log.exception("creator-match error without an HTTP status")
        return respond(500, str(e))

    @app.exception_handler(Exception)
    async def _crash(_: Request, e: Exception):
        log.exception("unhandled error")
        return respond(500, "internal error; the server log has the details")
