"""The edge, before any route runs: the API key is checked from the headers alone, then the
body is read whole, bounded in size and in time; only then does the app see the request.

So an unauthenticated client never gets its body read (401 first), a body over the limit is
413 whether or not it announced its length, and a client that trickles its body is answered 408
instead of holding a worker.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .auth import LiveKeys, Refusal, authorize

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CODES = {401: "unauthorized", 403: "forbidden", 408: "request_timeout",
         413: "payload_too_large"}


async def reject(send: Send, status: int, message: str,
                 headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """An error in the API's one shape, sent before the app ever ran."""
    body = json.dumps({"error": {"status": status, "code": CODES[status], "message": message,
                                 "details": []}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


def needed_scope(method: str, path: str) -> str | None:
    """The scope a request needs: none for the health check and the documentation, write for
    what changes creators, read for every other /v1 request."""
    if not path.startswith("/v1/") or path == "/v1/health":
        return None
    if path.startswith("/v1/creators") and method in ("POST", "PUT", "PATCH", "DELETE"):
        return "write"
    return "read"


def _key_of(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
        elif name == b"x-api-key" and value:
            return value.decode("latin-1")
    return None


class KeyCheck:
    """Pure ASGI middleware: 401 / 403 from the headers, before the body is read."""

    def __init__(self, app: ASGIApp, keys: LiveKeys) -> None:
        self.app, self.keys = app, keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            needed = needed_scope(scope["method"], scope["path"])
            if needed is not None:
                found = authorize(self.keys, _key_of(scope.get("headers", [])), needed)
                if isinstance(found, Refusal):
                    challenge = [(b"www-authenticate", b"Bearer")] if found.status == 401 else []
                    return await reject(send, found.status, found.message, challenge)
                scope.setdefault("state", {})["key_scope"] = found  # the routes read it
        await self.app(scope, receive, send)


class BodyLimit:
    """Pure ASGI middleware: reads the body whole, at most max_bytes within timeout seconds,
    then hands the app a replay of it."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float = 30.0) -> None:
        self.app, self.max_bytes, self.timeout = app, max_bytes, timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                return await reject(send, 413, f"request body over {self.max_bytes} bytes")
        chunks: list[bytes] = []
        size, deadline = 0, time.monotonic() + self.timeout
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(deadline - time.monotonic(), 0))
            except asyncio.TimeoutError:
                return await reject(send, 408, f"the request body took over {self.timeout:.0f} "
                                    "s to arrive")
            if message["type"] != "http.request":  # the client went away
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return await reject(send, 413, f"request body over {self.max_bytes} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: a disconnect, when it comes

        await self.app(scope, replay, send)
