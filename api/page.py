"""The planner's web page at `/`: static files shipped in the package (api/web), no CDN and no
build step. The page holds no data of its own: it asks for an API key and calls /v1 with it."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

WEB = Path(str(files("api") / "web"))
# Only the page's own files may run or be fetched: a creator's bio or post shown on the page
# can never load a script or send data elsewhere, even if a bug let markup through.
POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": POLICY, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache"}


class _Assets(StaticFiles):
    """The page's scripts and styles, revalidated on each load (an upgrade is seen at once)."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.update(HEADERS)
        return response


def install(app: FastAPI) -> None:
    app.mount("/web", _Assets(directory=WEB), name="web")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(WEB / "index.html", media_type="text/html; charset=utf-8",
                            headers=HEADERS)
