"""The text-embedding cache: every embedded text's vector (float16), keyed by a hash of the
text, so that no text is ever encoded twice - not on re-ingest, not when two creators share it."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence

import numpy as np

from .checksums import checksum
from .database import CHUNK, Database, chunks, from_blob, marks, to_blob

log = logging.getLogger("creator_match")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def content_vector(vectors: Sequence[np.ndarray]) -> np.ndarray:
    """A creator's content vector, as stored (float16): the normalised mean of its texts'
    vectors, each distinct vector once. A caption posted again (or one the encoder reads the
    same, such as with another emoji) is one piece of evidence: a creator who reposts one
    caption three times among other posts has not posted three times as much about it."""
    distinct = list({np.asarray(v, np.float16).tobytes(): v for v in vectors}.values())
    mean: np.ndarray = np.mean(distinct, axis=0)
    return np.asarray(mean / max(float(np.linalg.norm(mean)), 1e-12), np.float16)


class TextCache:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """The cached vectors of these text hashes (absent ones left out, and damaged ones:
        their texts are encoded again)."""
        out = {}
        for h, blob, stored in self.db.rows_in(
                "SELECT hash, vector, checksum FROM text_vectors WHERE hash IN ({marks})",
                list(dict.fromkeys(hashes))):
            if checksum((h, blob)) == stored:
                out[h] = from_blob(blob)
            else:
                log.warning("%s: the cached vector of text %s is damaged; encoding it again",
                            self.db.path, h[:12])
        return out

    def known(self, hashes: list[str]) -> set[str]:
        """Which of these text hashes have a vector (read without the vectors)."""
        return {h for (h,) in self.db.rows_in(
            "SELECT hash FROM text_vectors WHERE hash IN ({marks})", list(dict.fromkeys(hashes)))}

    def put(self, vectors: dict[str, np.ndarray]) -> None:
        """Keep these vectors; a hash already kept keeps its vector (the same text's) unless
        that one is damaged."""
        rows = [(h, blob, checksum((h, blob)))
                for h, blob in ((h, to_blob(v)) for h, v in vectors.items())]
        with self.db.lock:
            self.db.conn.executemany(
                "INSERT INTO text_vectors(hash, vector, checksum) VALUES(?, ?, ?) ON CONFLICT"
                "(hash) DO UPDATE SET vector=excluded.vector, checksum=excluded.checksum"
                " WHERE text_vectors.checksum IS NOT excluded.checksum", rows)

    def drop(self, hashes: list[str]) -> None:
        """Forget these cached vectors (damaged ones: the next ingest of their texts encodes
        them again)."""
        self.db.execute_in("DELETE FROM text_vectors WHERE hash IN ({marks})", hashes)

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
