"""The FastAPI application factory over a recommender.Recommender."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from recommender import __version__
from recommender.service import Recommender
from recommender.sharding import ShardedRecommender

from . import errors, page
from .auth import LiveKeys
from .limits import BodyLimit, KeyCheck
from .routers import creators, match, system
from .settings import Settings


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the assets the swagger-ui-bundle package ships, not a CDN: the
    page works on a machine without internet."""
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/docs/assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="creator-match API",
                                   swagger_js_url="/docs/assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs/assets/swagger-ui.css",
                                   swagger_favicon_url="data:,")


def create_app(recommender: Recommender | ShardedRecommender, keys: LiveKeys,
               settings: Settings) -> FastAPI:
    app = FastAPI(
        title="creator-match", version=__version__, docs_url=None, redoc_url=None,
        # clean operation ids for client generators: the route function's name (match,
        # get_creator, ...), not FastAPI's default of name + path + method
        generate_unique_id_function=lambda route: route.name,
        description="Find authentic-fit social-media creators for a brand. Every endpoint but "
                    "/v1/health needs an API key: 'Authorization: Bearer KEY' or 'X-API-Key'.")
    app.state.recommender = recommender
    app.state.keys = keys
    app.state.settings = settings
    errors.install(app)
    _offline_docs(app)
    page.install(app)
    for r in (system.router, match.router, creators.router):
        app.include_router(r)
    # the last added runs first: the key is checked from the headers, then the body is read
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes,
                       timeout=settings.body_timeout_s)
    app.add_middleware(KeyCheck, keys=keys)
    return app
