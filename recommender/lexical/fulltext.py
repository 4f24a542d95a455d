"""The catalog's BM25 index: one FTS5 document per creator (bio and posts), kept with every
write together with each term's document frequency and each creator's term vector.

Matching asks it two things: the creators using a brief's *rare* words (short posting lists,
fast at any size) and the BM25 of a candidate pool, computed from the stored term vectors with
numpy (equal to FTS5's own bm25()). The tables are created by the catalog's migrations.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ..storage.database import CHUNK, Database, chunks, marks
from .tokens import Query, fts_query, index_terms, term_vector, terms


class FullText:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- writing (inside the catalog's write transaction) --------------------------------------

    def put(self, docs: Iterable[tuple[int, str]]) -> None:
        """Index (vid, body) pairs whose vids hold no document yet."""
        df: Counter[str] = Counter()
        rows, vectors = [], []
        for vid, text in docs:
            rows.append((vid, text))
            length, words, vec = term_vector(text)
            df.update(words)
            vectors.append((vid, length, vec))
        conn = self.db.conn
        conn.executemany("INSERT INTO creator_text(rowid, body) VALUES(?, ?)", rows)
        conn.executemany("INSERT INTO term_vectors(vid, length, terms) VALUES(?, ?, ?)", vectors)
        conn.executemany(
            "INSERT INTO term_df(term, df) VALUES(?, ?) ON CONFLICT(term) DO UPDATE"
            " SET df = df + excluded.df", df.items())

    def drop(self, vids: Sequence[int]) -> None:
        """Remove these vids' documents (absent ones are skipped)."""
        df: Counter[str] = Counter()
        for _, text in self.bodies(vids):
            df.update(set(index_terms(text)))
        conn = self.db.conn
        for chunk in chunks([int(v) for v in vids], CHUNK):
            conn.execute(f"DELETE FROM creator_text WHERE rowid IN ({marks(chunk)})", chunk)
            conn.execute(f"DELETE FROM term_vectors WHERE vid IN ({marks(chunk)})", chunk)
        conn.executemany("UPDATE term_df SET df = df - ? WHERE term = ?",
                         [(n, t) for t, n in df.items()])
        conn.executemany("DELETE FROM term_df WHERE term = ? AND df <= 0", [(t,) for t in df])

    def problem(self) -> str | None:
        """What FTS5's own integrity check finds wrong with the index (None: nothing, or a
        read-only catalog, where the check, an INSERT command, cannot run)."""
        if self.db.read_only:
            return None
        try:
            with self.db.write():
                self.db.conn.execute("INSERT INTO creator_text(creator_text) "
                                     "VALUES('integrity-check')")
        except sqlite3.DatabaseError as e:
            return str(e)
        return None

    def rebuild(self) -> None:
        """Inside a write transaction: the whole lexical index again, from the creators'
        records (the source of truth); the vectors and the generation do not change."""
        from ..storage import migrations

        migrations.m007_analysed_text(self.db.conn)

    # -- reading -------------------------------------------------------------------------------

    def query(self, text: str, language: str | None = None) -> Query:
        """The text's informative words with their document frequencies and the collection's
        statistics (from FTS5's own averages record: no scan); language: one of tokens.OTHER
        the text is read in as well as English and French (tokens.brief_language)."""
        words = terms(text, language)
        with self.db.lock:
            n, total = self.averages()
            df = self.df(words)
        return Query.build(words, df, n, total)

    def df(self, words: list[str]) -> dict[str, int]:
        """Document frequency of each word (absent: in no document)."""
        if not words:
            return {}
        return dict(self.db.rows(f"SELECT term, df FROM term_df WHERE term IN ({marks(words)})",
                                 words))

    def averages(self) -> tuple[int, int]:
        """(documents, tokens) of the index, read from FTS5's averages record (id 1 of its
        data table: a varint row count, then a varint token count per column)."""
        rows = self.db.rows("SELECT block FROM creator_text_data WHERE id=1")
        if not rows or not rows[0][0]:
            return 0, 0
        n, pos = _varint(rows[0][0], 0)
        total, _ = _varint(rows[0][0], pos)
        return n, total

    def ranked(self, words: Sequence[str], limit: int, allowed: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """(vids, BM25) of the documents holding any of the words, best first, at most limit,
        only vids in allowed (sorted) when given. Scores are FTS5's bm25() negated (higher is
        better; k1 1.2, b 0.75). It reads every posting of the words: keep them rare."""
        if not words or limit <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        # rank is bm25() by default, computed once per row for both the order and the score
        sql = ("SELECT rowid, -rank FROM creator_text WHERE creator_text MATCH ? ORDER BY rank"
               + ("" if allowed is not None else f" LIMIT {int(limit)}"))
        with self.db.lock:
            cur = self.db.conn.execute(sql, (fts_query(words),))
            rows = cur.fetchall() if allowed is None else _allowed_rows(cur, allowed, limit)
        return (np.array([r[0] for r in rows], np.int64),
                np.array([r[1] for r in rows], np.float32))

    def hits(self, q: Query, limit: int, allowed: np.ndarray | None = None) -> np.ndarray:
        """vids of the creators using the query's rare words (a hashtag, a product name), best
        BM25 first, at most limit. Common words only re-score candidates found otherwise
        (scores)."""
        return self.ranked(q.rare, limit, allowed)[0]

    def scores(self, q: Query, vids: Sequence[int] | np.ndarray) -> np.ndarray:
        """BM25 of the given creators' texts for the query, in the order given (0 when no word
        matches, or the creator holds no text), computed from their term vectors and the
        collection's statistics: equal to FTS5's bm25()."""
        ids: list[int] = np.asarray(vids, np.int64).tolist()  # one C-level pass, per match
        if not q.terms or not ids:
            return np.zeros(len(ids), np.float64)
        found = {vid: (length, vec) for vid, length, vec in self.db.rows_in(
            "SELECT vid, length, terms FROM term_vectors WHERE vid IN ({marks})", ids)}
        rows = [found.get(v, (0, b"")) for v in ids]
        return q.scores([r[0] for r in rows], [r[1] for r in rows])

    def bodies(self, vids: Sequence[int]) -> list[tuple[int, str]]:
        """(vid, indexed text) of these vids that hold a document, read from FTS5's content
        shadow table (id, c0 = body): through the virtual table each rowid is a separate
        lookup, five times slower for a pool of 400."""
        return self.db.rows_in("SELECT id, c0 FROM creator_text_content WHERE id IN ({marks})",
                               [int(v) for v in vids])


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    """One SQLite varint (big-endian 7-bit groups; a 9th byte carries 8 bits): (value, next)."""
    v = 0
    for i in range(9):
        b = buf[pos + i]
        if i == 8:
            return (v << 8) | b, pos + 9
        v = (v << 7) | (b & 0x7F)
        if not b & 0x80:
            return v, pos + i + 1
    return v, pos + 9


def _allowed_rows(cur: sqlite3.Cursor, allowed: np.ndarray,
                  limit: int) -> list[tuple[Any, ...]]:
    """The first limit rows of a ranked cursor (the vid first) whose vid allowed holds, tested
    a batch at a time against the sorted ids. A set of the ids cost more than the search: 6 ms
    to build for a 90k-creator filter at a million, on the helper thread beside a 4 ms encode."""
    ok = np.asarray(allowed, dtype=np.int64)
    if len(ok) > 1 and not bool(np.all(ok[1:] > ok[:-1])):
        ok = np.unique(ok)  # the filters give sorted ids already
    out: list[tuple[Any, ...]] = []
    while len(ok) and len(out) < limit:
        rows = cur.fetchmany(256)
        if not rows:
            break
        vids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
        hit = ok[np.searchsorted(ok, vids).clip(0, len(ok) - 1)] == vids
        out += [r for r, keep in zip(rows, hit.tolist(), strict=True) if keep]
    cur.close()
    return out[:limit]
