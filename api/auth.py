"""API keys: stored as SHA-256 hashes only, compared in constant time, with read/write scopes."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, NamedTuple

Scope = Literal["read", "write"]
SCOPES: tuple[str, ...] = ("read", "write")
MIN_KEY_LENGTH = 16  # a key of your own choosing (CREATOR_MATCH_API_KEYS): at least this long
log = logging.getLogger("creator_match.api")


def hash_key(key: str) -> str:
    # API keys are 256-bit random tokens: a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class StoredKey:
    name: str
    scope: str
    sha256: str


class KeyStore:
    def __init__(self, keys: list[StoredKey] | None = None) -> None:
        self.keys = list(keys or [])

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def from_env(cls, spec: str | None) -> KeyStore:
        """'write:KEY,read:KEY2' (a bare KEY means write)."""
        keys = []
        for i, part in enumerate(filter(None, (p.strip() for p in (spec or "").split(",")))):
            scope, sep, key = part.partition(":")
            if not sep:
                scope, key = "write", part
            if scope not in SCOPES or not key:
                raise ValueError(f"CREATOR_MATCH_API_KEYS entry {i + 1}: use read:KEY or write:KEY")
            if len(key) < MIN_KEY_LENGTH:
                raise ValueError(f"CREATOR_MATCH_API_KEYS entry {i + 1}: a key needs at least "
                                 f"{MIN_KEY_LENGTH} characters, this one has {len(key)}; "
                                 "'creator-match api-key' makes a random one")
            keys.append(StoredKey(f"env-{i + 1}", scope, hash_key(key)))
        return cls(keys)

    @classmethod
    def load(cls, path: Path) -> KeyStore:
        if not path.exists():
            return cls()
        try:
            raw = json.loads(path.read_text())
            return cls([StoredKey(k["name"], k["scope"], k["sha256"]) for k in raw["keys"]])
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise ValueError(
                f"{path}: not a keys file ({e}); expected "
                '{"keys": [{"name": ..., "scope": "read|write", "sha256": ...}]}') from e

    def save(self, path: Path) -> None:
        data = json.dumps({"keys": [k.__dict__ for k in self.keys]}, indent=2)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    def create(self, scope: str, name: str | None = None) -> str:
        """A new random key of this scope; only its hash is kept. Returns the key itself."""
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
        key = "cm_" + secrets.token_urlsafe(32)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.keys.append(StoredKey(name or f"{scope}-{stamp}", scope, hash_key(key)))
        return key

    def scope_of(self, key: str) -> str | None:
        """The key's scope, or None. Every stored hash is compared, in constant time each."""
        digest = hash_key(key)
        found = None
        for k in self.keys:
            if hmac.compare_digest(digest, k.sha256):
                found = k.scope
        return found


class LiveKeys:
    """The server's keys: those of the environment, and those of the keys file, read again
    whenever the file changes, so that a key added or revoked takes effect without a restart.
    A keys file that cannot be read grants nothing (a revocation must never fail open)."""

    def __init__(self, env: KeyStore, path: Path) -> None:
        self.env, self.path = env, path
        self._file = KeyStore()
        self._stamp: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self._reload()

    def __len__(self) -> int:
        return len(self.env) + len(self._file)

    def _reload(self) -> None:
        try:
            st = self.path.stat()
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp == self._stamp:
            return
        try:
            self._file = KeyStore.load(self.path)
        except ValueError as e:
            log.error("%s; its keys are refused until it is fixed", e)
            self._file = KeyStore()
        self._stamp = stamp

    def scope_of(self, key: str) -> str | None:
        with self._lock:
            self._reload()  # one stat() a request
            file = self._file
        return self.env.scope_of(key) or file.scope_of(key)


def allows(scope: str, needed: str) -> bool:
    return scope == "write" or scope == needed


class Refusal(NamedTuple):
    status: int
    message: str


def authorize(keys: LiveKeys, key: str | None, needed: str) -> str | Refusal:
    """The key's scope if it may do what needs `needed`, else why not (401 or 403)."""
    if key is None:
        return Refusal(401, "an API key is required: 'Authorization: Bearer KEY' or "
                            "'X-API-Key: KEY'")
    found = keys.scope_of(key)
    if found is None:
        return Refusal(401, "unknown API key")
    if not allows(found, needed):
        return Refusal(403, f"this key has the {found} scope; this endpoint needs {needed}")
    return found
