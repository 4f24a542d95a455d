"""`creator-match serve`: open the index, load or create API keys, run uvicorn."""

from __future__ import annotations

import sys
from pathlib import Path


def load_keys(settings):
    """Keys from CREATOR_MATCH_API_KEYS and the keys file; with none, create a write key, print it
    once and keep only its hash in the keys file."""
    from .auth import KeyStore

    keys = KeyStore.load(settings.keys_path)
    keys.keys.extend(KeyStore.from_env(settings.api_keys).keys)
    if not len(keys):
        key = keys.create("write", name="first-write-key")
        keys.save(settings.keys_path)
        print(f"No API key was configured. Created a write key (shown once, only its hash is "
              f"kept in {settings.keys_path}):\n\n    {key}\n", flush=True)
    return keys


def serve(index: str | Path, host: str = "127.0.0.1", port: int = 8000, model: str | None = None,
          keys_file: str | None = None) -> int:
    import uvicorn

    from recommender.service import Recommender

    from .app import create_app
    from .settings import Settings

    settings = (Settings(index=Path(index), model=model, keys_file=Path(keys_file))
                if keys_file else Settings(index=Path(index), model=model))
    rec = Recommender(settings.index, model=settings.model or None)
    keys = load_keys(settings)
    app = create_app(rec, keys, settings)
    print(f"creator-match serving {settings.index} ({len(rec)} creators, model "
          f"{rec.embedder.name}) on http://{host}:{port}", file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
    rec.close()
    return 0
