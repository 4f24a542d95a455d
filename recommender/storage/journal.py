"""The catalog as a write-ahead log: every write moves the generation counter, every creator
row carries the generation that last wrote it and every deletion leaves a tombstone, so a vector
snapshot taken at generation g is brought up to date by replaying what came after g."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from .database import Database, from_blob


class Journal:
    def __init__(self, db: Database) -> None:
        self.db = db

    @property
    def generation(self) -> int:
        return int(self.db.get_meta("generation") or 0)

    def advance(self) -> int:
        """Inside a write transaction: move the generation on; returns the new one."""
        gen = self.generation + 1
        self.db.set_meta("generation", str(gen))
        return gen

    def bury(self, vids: Sequence[int], gen: int) -> None:
        """Inside a write transaction: record that these vids were deleted at gen."""
        with self.db.lock:
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO tombstones(vid, gen) VALUES(?, ?)",
                [(int(v), gen) for v in vids])

    def dead_since(self, gen: int) -> np.ndarray:
        """vids deleted after generation gen (as far as tombstones still say)."""
        return np.array([v for (v,) in self.db.rows(
            "SELECT vid FROM tombstones WHERE gen > ?", (gen,))], dtype=np.int64)

    def changes_since(self, gen: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(removed vids, written vids, their vectors) after generation gen: what a vector
        snapshot taken at gen lacks."""
        with self.db.lock:
            dead = self.dead_since(gen)
            rows = self.db.rows(
                "SELECT vid, vector FROM creators WHERE gen > ? ORDER BY vid", (gen,))
        vids = np.array([r[0] for r in rows], dtype=np.int64)
        vecs = (np.stack([from_blob(r[1]) for r in rows]) if rows
                else np.zeros((0, 0), np.float32))
        return dead, vids, vecs

    def forget_tombstones(self, upto_gen: int) -> None:
        """Drop tombstones a snapshot at upto_gen already reflects."""
        with self.db.lock:
            self.db.conn.execute("DELETE FROM tombstones WHERE gen <= ?", (upto_gen,))

    def vectors(self, batch: int = 50_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(vids, vectors) of every creator, in batches: enough to rebuild the vector index."""
        last = -1
        while True:
            rows = self.db.rows(
                "SELECT vid, vector FROM creators WHERE vid > ? ORDER BY vid LIMIT ?",
                (last, batch))
            if not rows:
                return
            vids = np.array([r[0] for r in rows], dtype=np.int64)
            last = int(vids[-1])
            yield vids, np.stack([from_blob(r[1]) for r in rows])
