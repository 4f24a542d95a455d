"""The text-embedding cache: every embedded text's vector (float16), keyed by a hash of the
text, so that no text is ever encoded twice - not on re-ingest, not when two creators share it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

from .database import CHUNK, Database, chunks, from_blob, marks, to_blob


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class TextCache:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """The cached vectors of these text hashes (absent ones left out)."""
        return {h: from_blob(blob) for h, blob in self.db.rows_in(
            "SELECT hash, vector FROM text_vectors WHERE hash IN ({marks})",
            list(dict.fromkeys(hashes)))}

    def put(self, vectors: dict[str, np.ndarray]) -> None:
        """Keep these vectors; a hash already kept keeps its vector (the same text's)."""
        with self.db.lock:
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO text_vectors(hash, vector) VALUES(?, ?)",
                [(h, to_blob(v)) for h, v in vectors.items()])

    def prune(self) -> int:
        """Drop the vectors of texts no creator holds any more (after an update)."""
        with self.db.lock:
            cur = self.db.conn.execute(
                "DELETE FROM text_vectors WHERE hash NOT IN (SELECT text_hash FROM texts)")
            return cur.rowcount

    def forget(self, hashes: list[str]) -> None:
        """Drop these texts' vectors unless a creator still holds the text."""
        with self.db.lock:
            for chunk in chunks(hashes, CHUNK):
                self.db.conn.execute(
                    f"DELETE FROM text_vectors WHERE hash IN ({marks(chunk)}) AND hash NOT IN"
                    " (SELECT text_hash FROM texts)", chunk)

    def count(self) -> int:
        return int(self.db.rows("SELECT COUNT(*) FROM text_vectors")[0][0])
