"""HTTP API of creator-match (FastAPI), over recommender.Recommender."""

from .app import create_app

__all__ = ["create_app"]
