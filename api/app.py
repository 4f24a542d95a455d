"""The FastAPI application factory over a recommender.Recommender."""

from __future__ import annotations

from fastapi import FastAPI

from recommender import __version__
from recommender.service import Recommender

from . import errors
from .auth import LiveKeys
from .limits import BodyLimit, KeyCheck
from .routers import creators, match, system
from .settings import Settings


def create_app(recommender: Recommender, keys: LiveKeys, settings: Settings) -> FastAPI:
    app = FastAPI(
        title="creator-match", version=__version__,
        # clean operation ids for client generators: the route function's name (match,
        # get_creator, ...), not FastAPI's default of name + path + method
        generate_unique_id_function=lambda route: route.name,
        description="Find authentic-fit social-media creators for a brand. Every endpoint but "
                    "/v1/health needs an API key: 'Authorization: Bearer KEY' or 'X-API-Key'.")
    app.state.recommender = recommender
    app.state.keys = keys
    app.state.settings = settings
    errors.install(app)
    for r in (system.router, match.router, creators.router):
        app.include_router(r)
    # the last added runs first: the key is checked from the headers, then the body is read
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes,
                       timeout=settings.body_timeout_s)
    app.add_middleware(KeyCheck, keys=keys)
    return app
