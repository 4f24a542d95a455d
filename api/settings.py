"""Typed settings of the HTTP service, from arguments or CREATOR_MATCH_* environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CREATOR_MATCH_", extra="ignore")

    index: Path
    model: str | None = None
    shards: str | None = None  # serve --shards --workers N: each worker's shard directories
    # "write:KEY,read:KEY2" - plain keys, hashed on load and never kept
    api_keys: str | None = None
    keys_file: Path | None = None  # default: INDEX/api-keys.json
    max_body_bytes: int = 16 * 1024 * 1024
    body_timeout_s: float = 30.0  # a body that takes longer to arrive is answered 408
    max_batch: int = 1_000
    rate_card: Path | None = None  # a JSON or TOML rate card for POST /v1/plan

    @property
    def keys_path(self) -> Path:
        return self.keys_file or self.index / "api-keys.json"
