"""The catalog's SQLite connection: WAL mode, full fsync, one lock shared by every part of the
catalog, write transactions, the meta table, and the small helpers every query uses."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from index.store import ReadOnlyIndexError, StorageFullError

MMAP_BYTES = 1 << 33  # SQLite caps it at its compile-time maximum (2 GiB by default)
BUSY_S = 10.0  # how long a write waits for another process's write to finish
CHUNK = 500  # ids per "IN (...)" query: under SQLite's bound on host parameters

T = TypeVar("T")


class Database:
    """One SQLite file; safe to share between threads (``lock`` serialises the connection)."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.lock = threading.RLock()
        self.conn = self._connect_read_only() if read_only else sqlite3.connect(
            self.path, timeout=BUSY_S, check_same_thread=False, isolation_level=None)
        self.conn.execute(f"PRAGMA busy_timeout={int(BUSY_S * 1000)}")
        if not read_only:
            self._use_wal()
            self.conn.execute("PRAGMA synchronous=FULL")
        # reads through a memory map: a match reads a few hundred rows at random, and each read
        # through the file API costs a system call and a copy (half of the time at 1M creators)
        self.conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")

    def _connect_read_only(self) -> sqlite3.Connection:
        """A connection that writes nothing: read-only, or where SQLite cannot keep its WAL
        index beside a read-only file (no -shm file, a read-only directory), immutable."""
        uri = self.path.resolve().as_uri()
        for mode in ("mode=ro", "immutable=1"):
            conn = sqlite3.connect(f"{uri}?{mode}", uri=True, timeout=BUSY_S,
                                   check_same_thread=False, isolation_level=None)
            try:
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.OperationalError:
                conn.close()
        raise ReadOnlyIndexError(f"{self.path}: cannot open the catalog for reading")

    def _use_wal(self) -> None:
        """Switch a new file to WAL. The switch needs the file to itself and SQLite answers
        'locked' at once, without waiting, while another process opens the same new catalog."""
        deadline = time.monotonic() + BUSY_S
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def close(self) -> None:
        self.conn.close()

    def rows(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        """Every row of a query, read under the lock."""
        with self.lock:
            return self.conn.execute(sql, args).fetchall()

    def rows_in(self, sql: str, ids: Sequence[T], extra: Sequence[Any] = ()) -> list[Any]:
        """Rows of a query whose ``{in}`` placeholder takes the ids, a chunk at a time."""
        out: list[Any] = []
        with self.lock:
            for chunk in chunks(list(ids), CHUNK):
                out += self.conn.execute(sql.format(marks=marks(chunk)),
                                         [*chunk, *extra]).fetchall()
        return out

    def execute_in(self, sql: str, ids: Sequence[Any]) -> None:
        """A statement whose ``{marks}`` placeholder takes the ids, a chunk at a time."""
        with self.lock:
            for chunk in chunks(list(ids), CHUNK):
                self.conn.execute(sql.format(marks=marks(chunk)), chunk)

    def require_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyIndexError(
                f"{self.path.parent}: the index directory is read-only for this process: it "
                "answers reads; writes need write access to the directory and its files")

    @contextmanager
    def write(self) -> Iterator[None]:
        """One write transaction (BEGIN IMMEDIATE: other writers wait, readers do not). A full
        disk is a StorageFullError, after a rollback of the whole transaction."""
        self.require_writable()
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.conn.execute("COMMIT")
            except BaseException as e:
                if self.conn.in_transaction:  # SQLite has already rolled back on some errors
                    self.conn.execute("ROLLBACK")
                if isinstance(e, sqlite3.OperationalError) and _is_full(e):
                    raise StorageFullError(
                        f"{self.path}: the disk is full (SQLite: {e}); nothing of this write was "
                        "kept and the index is as it was. Free some space and retry.") from e
                raise

    def get_meta(self, key: str) -> str | None:
        with self.lock:
            row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.lock:
            self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)",
                              (key, value))

    def integrity_check(self) -> str:
        with self.lock:
            return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])


def _is_full(e: sqlite3.OperationalError) -> bool:
    return getattr(e, "sqlite_errorname", "") == "SQLITE_FULL" or "disk is full" in str(e)


def read_meta(path: Path, key: str) -> str | None:
    """One value of a catalog's meta table, read without creating or changing anything."""
    if not path.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def to_blob(vec: np.ndarray) -> bytes:
    """A vector as stored: float16 bytes."""
    return np.asarray(vec, dtype=np.float16).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)


def marks(seq: Sequence[object]) -> str:
    """'?,?,?' for a query's IN list."""
    return ",".join("?" * len(seq))


def chunks(seq: list[T], n: int) -> Iterator[list[T]]:
    for i in range(0, len(seq), n):
        yield seq[i:i + n]
