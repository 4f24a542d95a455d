"""The index directory on disk: atomic file writes, the manifest, checksums and the writer lock.

Every file is written to a temporary name, fsynced, renamed over its target, and the directory is
fsynced; the manifest moves last. A crash at any point leaves the previous manifest and the files
it names in place, so the previous index stays readable.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .faults import crash_point

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CATALOG = "catalog.sqlite"
LOCK = ".writer.lock"


class IndexStoreError(Exception):
    """Base of the index directory's errors."""


class CorruptIndexError(IndexStoreError):
    pass


class LockedError(IndexStoreError):
    pass


class ReadOnlyIndexError(IndexStoreError):
    """A write to an index directory this process may only read."""


class StorageFullError(IndexStoreError):
    """The disk (or the catalog's size limit) is full: the write was rolled back whole."""


class CatalogMissingError(CorruptIndexError):
    """The catalog, the source of truth, is gone while the vectors remain: no repair can help."""


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, crash_points: str | None = None) -> None:
    """Write data to path so that readers see the old file or the whole new one, never a mix.
    crash_points names this write's points for fault injection ("snapshot", "manifest")."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    half = len(data) // 2
    try:
        with open(tmp, "wb") as fh:
            fh.write(data[:half])
            if crash_points:
                fh.flush()
                os.fsync(fh.fileno())
                crash_point(f"{crash_points}-half-written")
            fh.write(data[half:])
            fh.flush()
            os.fsync(fh.fileno())
        if crash_points:
            crash_point(f"{crash_points}-before-rename")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    fsync_dir(path.parent)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class Manifest:
    model: str
    dim: int
    index_kind: str
    index_file: str
    index_sha256: str
    index_params: dict = field(default_factory=dict)
    generation: int = 0
    count: int = 0
    tier_scheme: str = "mission"
    counts: dict = field(default_factory=dict)
    updated_at: str = ""
    format_version: int = FORMAT_VERSION

    def write(self, directory: Path) -> None:
        fields = asdict(self)
        fields["manifest_sha256"] = _self_checksum(fields)
        data = json.dumps(fields, indent=2, sort_keys=True).encode()
        atomic_write(directory / MANIFEST, data, crash_points="manifest")

    @classmethod
    def read(cls, directory: Path) -> Manifest | None:
        """The manifest of an index directory, checked field by field (None when there is none
        yet). A manifest is input: every name it holds must be a file of this directory."""
        path = directory / MANIFEST
        if not path.exists():
            return None
        fix = (f"The catalog can rebuild it: creator-match check --index {directory} --repair")
        try:
            raw = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise CorruptIndexError(f"{path}: unreadable manifest ({e}). {fix}") from e
        if not isinstance(raw, dict):
            raise CorruptIndexError(f"{path}: the manifest is not a JSON object. {fix}")
        version = raw.get("format_version")
        if version != FORMAT_VERSION:
            raise CorruptIndexError(
                f"{path}: index format {version!r}, this creator-match reads format "
                f"{FORMAT_VERSION}. Re-ingest into a new directory.")
        problem = _manifest_problem(raw)
        if problem:
            raise CorruptIndexError(f"{path}: malformed manifest: {problem}. {fix}")
        stored = raw.pop("manifest_sha256", None)  # absent in manifests written before it
        if stored is not None and stored != _self_checksum(raw):
            raise CorruptIndexError(f"{path}: checksum mismatch (the manifest was changed or "
                                    f"damaged). {fix}")
        return cls(**raw)


_FIELDS: dict[str, type | tuple[type, ...]] = {
    "model": str, "dim": int, "index_kind": str, "index_file": str, "index_sha256": str,
    "index_params": dict, "generation": int, "count": int, "tier_scheme": str, "counts": dict,
    "updated_at": str, "format_version": int, "manifest_sha256": str}
_REQUIRED = ("model", "dim", "index_kind", "index_file", "index_sha256")
SNAPSHOT_NAME = re.compile(r"vectors\.\d{1,18}\.faiss")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _self_checksum(fields: dict[str, Any]) -> str:
    """SHA-256 of a manifest's fields but its own checksum, in canonical JSON."""
    rest = {k: v for k, v in fields.items() if k != "manifest_sha256"}
    return sha256_bytes(json.dumps(rest, sort_keys=True, separators=(",", ":")).encode())


def _manifest_problem(raw: dict[str, Any]) -> str | None:
    """What is wrong with a decoded manifest, or None."""
    for name in _REQUIRED:
        if name not in raw:
            return f"{name}: missing"
    for name, value in raw.items():
        kind = _FIELDS.get(name)
        if kind is None:
            return f"{name}: not a manifest field"
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return f"{name}: {value!r:.80} is not a {getattr(kind, '__name__', kind)}"
    if not 0 < raw["dim"] <= 65_536:
        return f"dim: {raw['dim']} is out of range"
    if min(raw.get("generation", 0), raw.get("count", 0)) < 0:
        return "generation and count must be >= 0"
    if not SNAPSHOT_NAME.fullmatch(raw["index_file"]):
        return (f"index_file: {raw['index_file']!r:.120} is not a snapshot of this directory "
                "(vectors.N.faiss)")
    if not _SHA256.fullmatch(raw["index_sha256"]):
        return "index_sha256: not a SHA-256 in hexadecimal"
    return None


class DirLock:
    """An exclusive writer lock on an index directory (advisory flock; released if we die)."""

    def __init__(self, directory: Path, timeout: float = 10.0) -> None:
        self.path = directory / LOCK
        self.timeout = timeout
        self._fh: TextIO | None = None

    def acquire(self) -> None:
        fh = open(self.path, "a+")  # noqa: SIM115 - held open while the lock is held
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    fh.close()
                    raise
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "unknown"
                    fh.close()
                    raise LockedError(
                        f"{self.path.parent} is being written by another process ({holder}); "
                        f"waited {self.timeout:.0f}s. Retry when it has finished.") from None
                time.sleep(0.05)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    def __enter__(self) -> DirLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
