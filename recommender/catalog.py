"""SQLite store of creators, their signals, vectors and the text-embedding cache; filters -> ids.

The catalog is the source of truth and the write-ahead log of an index directory: every creator
row carries the generation that last wrote it and every deletion leaves a tombstone, so the FAISS
snapshot can be brought up to date by replaying what changed after it, or rebuilt entirely from
the creator vectors kept here (float16). No text is ever encoded twice (the cache is keyed by a
hash of the text).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import lexical
from .columns import FilterColumns
from .schema import Creator, Filters

log = logging.getLogger("creator_match")

SCHEMA_VERSION = 1
LEXICAL_VERSION = "3"  # 1: FTS5 only; 2: with the term_df table; 3: with term vectors
MMAP_BYTES = 1 << 33  # SQLite caps it at its compile-time maximum (2 GiB by default)
_BUSY_S = 10.0  # how long a write waits for another process's write to finish

_DDL = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS creators(
  vid INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  handle TEXT,
  platform TEXT NOT NULL,
  followers INTEGER NOT NULL,
  country TEXT,
  language TEXT,
  tier TEXT NOT NULL,
  engagement_rate REAL,
  engagement REAL NOT NULL,
  authenticity REAL NOT NULL,
  signals TEXT NOT NULL,
  record TEXT NOT NULL,
  record_hash TEXT NOT NULL,
  vector BLOB NOT NULL,
  gen INTEGER NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS creators_gen ON creators(gen);
CREATE TABLE IF NOT EXISTS tombstones(vid INTEGER PRIMARY KEY, gen INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS creators_tier ON creators(tier);
CREATE INDEX IF NOT EXISTS creators_country ON creators(country);
CREATE INDEX IF NOT EXISTS creators_language ON creators(language);
CREATE INDEX IF NOT EXISTS creators_platform ON creators(platform);
CREATE INDEX IF NOT EXISTS creators_followers ON creators(followers);
CREATE TABLE IF NOT EXISTS categories(
  category TEXT NOT NULL, vid INTEGER NOT NULL, PRIMARY KEY(category, vid)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS categories_vid ON categories(vid);
CREATE TABLE IF NOT EXISTS texts(
  vid INTEGER NOT NULL, position INTEGER NOT NULL, post_id TEXT, text_hash TEXT NOT NULL,
  PRIMARY KEY(vid, position)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS texts_hash ON texts(text_hash);
CREATE TABLE IF NOT EXISTS text_vectors(hash TEXT PRIMARY KEY, vector BLOB NOT NULL) WITHOUT ROWID;
"""
# The lexical index: one document per creator (bio and posts), rowid = vid. unicode61 folds case
# and, with remove_diacritics 2, accents ("déchet" matches "dechet"); '#' and '@' separate tokens,
# so "#fixitfriday" is found by "fixitfriday". The vocab table gives each term's document count.
_FTS_DDL = (
    ('CREATE VIRTUAL TABLE IF NOT EXISTS creator_text USING fts5('
     'body, tokenize = "unicode61 remove_diacritics 2")'),
    "CREATE VIRTUAL TABLE IF NOT EXISTS creator_text_vocab USING fts5vocab(creator_text, row)",
    # each term's document frequency, kept with every write: fts5vocab counts it by reading the
    # term's whole posting list (9 ms for a common word at a million creators)
    "CREATE TABLE IF NOT EXISTS term_df(term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID",
    # each creator's token count and term vector (lexical.term_vector), written with its
    # document: BM25 of a candidate pool reads these instead of re-splitting the texts
    "CREATE TABLE IF NOT EXISTS term_vectors(vid INTEGER PRIMARY KEY, length INTEGER NOT NULL,"
    " terms BLOB NOT NULL)",
)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def record_hash(creator: Creator) -> str:
    """A hash of everything in the record: equal hashes mean an unchanged creator."""
    return hashlib.sha256(creator.model_dump_json().encode()).hexdigest()


def to_blob(vec: np.ndarray) -> bytes:
    return np.asarray(vec, dtype=np.float16).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)


@dataclass
class CreatorRow:
    """What the ranker needs of a stored creator (the full signals are parsed on demand)."""

    vid: int
    id: str
    handle: str | None
    platform: str
    followers: int
    tier: str
    engagement_rate: float | None
    engagement: float
    authenticity: float
    signals_json: str
    vector: np.ndarray

    @property
    def signals(self) -> dict:
        return json.loads(self.signals_json)


class Catalog:
    """One SQLite file; safe to share between threads (a lock serialises its connection)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._cols: FilterColumns | None = None
        self._db = sqlite3.connect(self.path, timeout=_BUSY_S, check_same_thread=False,
                                   isolation_level=None)
        self._db.execute(f"PRAGMA busy_timeout={int(_BUSY_S * 1000)}")
        self._use_wal()
        self._db.execute("PRAGMA synchronous=FULL")
        # reads through a memory map: a match reads a few hundred rows at random, and each read
        # through the file API costs a system call and a copy (half of the time at 1M creators)
        self._db.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        self._in_tx = False
        self._create_schema()

    def _use_wal(self) -> None:
        """Switch a new file to WAL. The switch needs the file to itself and SQLite answers
        'locked' at once, without waiting, while another process opens the same new catalog."""
        deadline = time.monotonic() + _BUSY_S
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _create_schema(self) -> None:
        """Tables, first metadata and the lexical index, in one write transaction, so that two
        processes opening a new catalog at once cannot both initialise it."""
        try:
            if (self.get_meta("schema_version") is not None
                    and self.get_meta("lexical_index") == LEXICAL_VERSION):
                return  # the common case: readers never take the write lock
        except sqlite3.OperationalError as e:
            if "no such table" not in str(e):
                raise
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for ddl in _DDL.split(";"):  # executescript() would commit the transaction
                    if ddl.strip():
                        self._db.execute(ddl)
                if self.get_meta("schema_version") is None:
                    self.set_meta("schema_version", str(SCHEMA_VERSION))
                    self.set_meta("generation", "0")
                self._index_lexically()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self._db.close()

    # -- transactions and metadata -------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: the generation counter moves with the data it describes."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._in_tx = True
            try:
                yield
                gen = int(self.get_meta("generation") or 0) + 1
                self.set_meta("generation", str(gen))
                self.set_meta("updated_at", datetime.now(timezone.utc).isoformat())
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                self._cols = None  # it may hold part of the change: reload on next use
                raise
            finally:
                self._in_tx = False

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", (key, value))

    @property
    def generation(self) -> int:
        return int(self.get_meta("generation") or 0)

    def integrity_check(self) -> str:
        with self._lock:
            return self._db.execute("PRAGMA integrity_check").fetchone()[0]

    def _index_lexically(self) -> None:
        """Inside the schema transaction: create the lexical index, or bring one of an earlier
        version up to date, once (without moving the generation: the vectors do not change)."""
        version = self.get_meta("lexical_index")
        if version == LEXICAL_VERSION:
            return
        for ddl in _FTS_DDL:
            self._db.execute(ddl)
        n = self._db.execute("SELECT COUNT(*) FROM creators").fetchone()[0]
        if n:  # minutes at millions of creators: say why the open waits
            log.warning("%s: updating the lexical index of %d creators from version %s to %s, "
                        "once", self.path, n, version or "none", LEXICAL_VERSION)
        if version is None:  # written before the lexical index existed
            for table in ("creator_text", "term_df", "term_vectors"):
                self._db.execute(f"DELETE FROM {table}")
            self._fts_put((vid, lexical.body(json.loads(rec))) for vid, rec in
                          self._db.execute("SELECT vid, record FROM creators").fetchall())
        else:
            if version == "1":  # no term_df: count it once from FTS5's vocabulary
                self._db.execute("DELETE FROM term_df")
                self._db.execute("INSERT INTO term_df(term, df) SELECT term, doc FROM "
                                 "creator_text_vocab")
            self._db.execute("DELETE FROM term_vectors")  # before version 3: none
            docs = self._db.execute("SELECT id, c0 FROM creator_text_content")
            while batch := docs.fetchmany(10_000):
                self._db.executemany(
                    "INSERT INTO term_vectors(vid, length, terms) VALUES(?, ?, ?)",
                    [(vid, *lexical.term_vector(body)[::2]) for vid, body in batch])
        self.set_meta("lexical_index", LEXICAL_VERSION)

    def _fts_put(self, docs: Iterable[tuple[int, str]]) -> None:
        """Index (vid, body) pairs whose vids hold no document yet; term_df and the term
        vectors follow."""
        df: Counter[str] = Counter()
        rows, vectors = [], []
        for vid, body in docs:
            rows.append((vid, body))
            length, words, vec = lexical.term_vector(body)
            df.update(words)
            vectors.append((vid, length, vec))
        self._db.executemany("INSERT INTO creator_text(rowid, body) VALUES(?, ?)", rows)
        self._db.executemany("INSERT INTO term_vectors(vid, length, terms) VALUES(?, ?, ?)",
                             vectors)
        self._db.executemany(
            "INSERT INTO term_df(term, df) VALUES(?, ?) ON CONFLICT(term) DO UPDATE"
            " SET df = df + excluded.df", df.items())

    def _fts_drop(self, vids: Sequence[int]) -> None:
        """Remove these vids' documents (absent ones are skipped); term_df and the term vectors
        follow."""
        df: Counter[str] = Counter()
        for _, body in self._bodies(vids):
            df.update(lexical.terms(body))
        for chunk in _chunks([int(v) for v in vids], 500):
            self._db.execute(f"DELETE FROM creator_text WHERE rowid IN ({_marks(chunk)})", chunk)
            self._db.execute(f"DELETE FROM term_vectors WHERE vid IN ({_marks(chunk)})", chunk)
        self._db.executemany("UPDATE term_df SET df = df - ? WHERE term = ?",
                             [(n, t) for t, n in df.items()])
        self._db.executemany("DELETE FROM term_df WHERE term = ? AND df <= 0",
                             [(t,) for t in df])

    # -- embedding cache -----------------------------------------------------------------------

    def cached_vectors(self, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        hashes = list(dict.fromkeys(hashes))
        out: dict[str, np.ndarray] = {}
        with self._lock:
            for chunk in _chunks(hashes, 500):
                q = f"SELECT hash, vector FROM text_vectors WHERE hash IN ({_marks(chunk)})"
                for h, blob in self._db.execute(q, chunk):
                    out[h] = from_blob(blob)
        return out

    def put_vectors(self, vectors: dict[str, np.ndarray]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO text_vectors(hash, vector) VALUES(?, ?)",
                [(h, to_blob(v)) for h, v in vectors.items()],
            )

    # -- creators ------------------------------------------------------------------------------

    def record_hashes(self, ids: Sequence[str]) -> dict[str, tuple[int, str]]:
        """id -> (vid, record hash) for the ids already stored."""
        out: dict[str, tuple[int, str]] = {}
        with self._lock:
            for chunk in _chunks(list(ids), 500):
                q = f"SELECT id, vid, record_hash FROM creators WHERE id IN ({_marks(chunk)})"
                for cid, vid, h in self._db.execute(q, chunk):
                    out[cid] = (vid, h)
        return out

    def upsert(self, creator: Creator, signals: dict, vector: np.ndarray,
               texts: list[tuple[str | None, str]], rhash: str) -> int:
        """Insert or replace one creator (keeping its vid); returns the vid."""
        now = datetime.now(timezone.utc).isoformat()
        values = (
            creator.handle, creator.platform, creator.followers, creator.country,
            creator.language, signals["tier"], signals["engagement_rate"],
            signals["engagement"], signals["authenticity"], json.dumps(signals), creator.model_dump_json(), rhash,
            to_blob(vector), self.generation + 1, now,
        )
        with self._lock:
            row = self._db.execute("SELECT vid FROM creators WHERE id=?", (creator.id,)).fetchone()
            if row:
                vid = row[0]
                self._db.execute(
                    "UPDATE creators SET handle=?, platform=?, followers=?, country=?, language=?,"
                    " tier=?, engagement_rate=?, engagement=?, authenticity=?, signals=?, record=?,"
                    " record_hash=?, vector=?, gen=?, updated_at=? WHERE vid=?",
                    (*values, vid),
                )
                self._db.execute("DELETE FROM categories WHERE vid=?", (vid,))
                self._db.execute("DELETE FROM texts WHERE vid=?", (vid,))
            else:
                cur = self._db.execute(
                    "INSERT INTO creators(id, handle, platform, followers, country, language,"
                    " tier, engagement_rate, engagement, authenticity, signals, record,"
                    " record_hash, vector, gen, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (creator.id, *values),
                )
                vid = int(cur.lastrowid)
            self._db.executemany(
                "INSERT OR IGNORE INTO categories(category, vid) VALUES(?, ?)",
                [(c, vid) for c in creator.categories],
            )
            self._db.executemany(
                "INSERT INTO texts(vid, position, post_id, text_hash) VALUES(?,?,?,?)",
                [(vid, i, pid, h) for i, (pid, h) in enumerate(texts)],
            )
            self._fts_drop([vid])
            self._fts_put([(vid, lexical.body(creator.model_dump()))])
            if self._cols is not None:
                self._cols.set(vid, signals["tier"], creator.country, creator.language,
                               creator.platform, creator.followers, signals["engagement_rate"],
                               creator.categories, signals["engagement"],
                               signals["authenticity"])
        return vid

    def insert_many(self, rows: list[dict], gen: int) -> None:
        """Bulk insert of new creators without texts (synthetic benchmark collections); rows hold
        the creators table's columns plus 'categories'. Call inside transaction()."""
        now = datetime.now(timezone.utc).isoformat()
        with self._lock:
            cur = self._db.cursor()
            docs = []
            for r in rows:
                cur.execute(
                    "INSERT INTO creators(id, handle, platform, followers, country, language,"
                    " tier, engagement_rate, engagement, authenticity, signals, record,"
                    " record_hash, vector, gen, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (r["id"], r.get("handle"), r["platform"], r["followers"], r.get("country"),
                     r.get("language"), r["tier"], r.get("engagement_rate"),
                     r["signals"]["engagement"], r["authenticity"], json.dumps(r["signals"]), json.dumps(r["record"]),
                     r["record_hash"], to_blob(r["vector"]), gen, now))
                vid = cur.lastrowid
                docs.append((vid, lexical.body(r["record"])))
                cur.executemany("INSERT OR IGNORE INTO categories(category, vid) VALUES(?, ?)",
                                [(c, vid) for c in r.get("categories", [])])
            self._fts_put(docs)
            self._cols = None

    def remove(self, ids: Sequence[str]) -> dict[str, int]:
        """Delete creators, their texts and cached vectors no one else uses; id -> vid removed."""
        removed = {cid: vid for cid, (vid, _) in self.record_hashes(ids).items()}
        if not removed:
            return removed
        vids = list(removed.values())
        gen = self.generation + 1
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO tombstones(vid, gen) VALUES(?, ?)",
                                 [(v, gen) for v in vids])
            for chunk in _chunks(vids, 500):
                m = _marks(chunk)
                hashes = [h for (h,) in self._db.execute(
                    f"SELECT DISTINCT text_hash FROM texts WHERE vid IN ({m})", chunk)]
                self._db.execute(f"DELETE FROM texts WHERE vid IN ({m})", chunk)
                self._db.execute(f"DELETE FROM categories WHERE vid IN ({m})", chunk)
                self._db.execute(f"DELETE FROM creators WHERE vid IN ({m})", chunk)
                self._fts_drop(chunk)
                for hchunk in _chunks(hashes, 500):
                    self._db.execute(
                        f"DELETE FROM text_vectors WHERE hash IN ({_marks(hchunk)}) AND hash NOT IN"
                        " (SELECT text_hash FROM texts)", hchunk)
            if self._cols is not None:
                self._cols.kill(np.array(vids, dtype=np.int64))
        return removed

    def prune_cache(self) -> int:
        """Drop cached vectors of texts no creator holds any more (after an update)."""
        with self._lock:
            cur = self._db.execute(
                "DELETE FROM text_vectors WHERE hash NOT IN (SELECT text_hash FROM texts)")
            return cur.rowcount

    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM creators").fetchone()[0]

    def vid_of(self, creator_id: str) -> int | None:
        with self._lock:
            row = self._db.execute("SELECT vid FROM creators WHERE id=?", (creator_id,)).fetchone()
        return row[0] if row else None

    def record(self, creator_id: str) -> dict | None:
        """The stored record with its signals, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT record, signals, tier, updated_at FROM creators WHERE id=?",
                (creator_id,)).fetchone()
        if not row:
            return None
        return {"record": json.loads(row[0]), "signals": json.loads(row[1]), "tier": row[2],
                "updated_at": row[3]}

    def rows(self, vids: Sequence[int]) -> dict[int, CreatorRow]:
        out: dict[int, CreatorRow] = {}
        with self._lock:
            for chunk in _chunks([int(v) for v in vids], 500):
                q = ("SELECT vid, id, handle, platform, followers, tier, engagement_rate,"
                     " engagement, authenticity, signals, vector FROM creators"
                     f" WHERE vid IN ({_marks(chunk)})")
                for r in self._db.execute(q, chunk):
                    out[r[0]] = CreatorRow(*r[:10], from_blob(r[10]))
        return out

    def texts_of(self, vids: Sequence[int]
                 ) -> dict[int, list[tuple[str | None, str, np.ndarray]]]:
        """Each creator's (post id or None for the bio, text, vector), in record order."""
        vids = [int(v) for v in vids]
        if not vids:
            return {}
        with self._lock:
            recs = dict(self._db.execute(
                f"SELECT vid, record FROM creators WHERE vid IN ({_marks(vids)})", vids))
            rows = self._db.execute(
                "SELECT t.vid, t.post_id, v.vector FROM texts t JOIN text_vectors v"
                f" ON v.hash=t.text_hash WHERE t.vid IN ({_marks(vids)})"
                " ORDER BY t.vid, t.position", vids).fetchall()
        out: dict[int, list[tuple[str | None, str, np.ndarray]]] = {}
        posts: dict[int, tuple[dict, dict]] = {}
        for vid, text in recs.items():
            record = json.loads(text)
            posts[vid] = record, {p["id"]: p["text"] for p in record.get("posts", [])}
            out[vid] = []
        for vid, pid, blob in rows:
            if vid not in posts:
                continue
            record, by_post = posts[vid]
            text = record.get("bio") or "" if pid is None else by_post.get(pid, "")
            out[vid].append((pid, text, from_blob(blob)))
        return out

    def bm25_search(self, text: str, limit: int, allowed: np.ndarray | None = None
                    ) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Exhaustive BM25 ranking of every creator's texts: (the query terms used, vids,
        scores), best first, at most limit, only vids in allowed when given. Scores are FTS5's
        bm25() negated (higher is better; k1 1.2, b 0.75). Terms in more than MAX_DOC_SHARE of
        the texts are left out. It scores every document holding any term - fine for the
        evaluation's baseline, too slow for common words over a million creators; matching uses
        lexical_query / lexical_hits / lexical_scores instead."""
        words = lexical.terms(text)
        empty = np.zeros(0, np.int64), np.zeros(0, np.float32)
        if not words or limit <= 0:
            return [], *empty
        with self._lock:
            n, _ = self._fts_averages()
            df = self._df(words)
            used = [w for w in words if 0 < df.get(w, 0) <= max(1.0, lexical.MAX_DOC_SHARE * n)]
            if not used:
                return [], *empty
            q = ("SELECT rowid, -bm25(creator_text) FROM creator_text WHERE creator_text MATCH ?"
                 " ORDER BY rank")
            cur = self._db.execute(q if allowed is not None else q + f" LIMIT {int(limit)}",
                                   (lexical.fts_query(used),))
            rows = cur.fetchall() if allowed is None else _allowed_rows(cur, allowed, limit)
        return (used, np.array([r[0] for r in rows], np.int64),
                np.array([r[1] for r in rows], np.float32))

    def lexical_query(self, text: str) -> lexical.Query:
        """The brief's informative words with their document frequencies and the collection's
        statistics (from FTS5's own averages record: no scan)."""
        words = lexical.terms(text)
        with self._lock:
            n, total = self._fts_averages()
            df = self._df(words)
        return lexical.Query.build(words, df, n, total)

    def _df(self, words: list[str]) -> dict[str, int]:
        """Document frequency of each word (absent: in no document)."""
        if not words:
            return {}
        return dict(self._db.execute(
            f"SELECT term, df FROM term_df WHERE term IN ({_marks(words)})", words).fetchall())

    def _fts_averages(self) -> tuple[int, int]:
        """(documents, tokens) of the lexical index, read from FTS5's averages record (id 1 of
        its data table: a varint row count, then a varint token count per column)."""
        row = self._db.execute("SELECT block FROM creator_text_data WHERE id=1").fetchone()
        if not row or not row[0]:
            return 0, 0
        n, pos = _varint(row[0], 0)
        total, _ = _varint(row[0], pos)
        return n, total

    def lexical_hits(self, q: lexical.Query, limit: int,
                     allowed: np.ndarray | None = None) -> np.ndarray:
        """vids of the creators using the query's rare words (a hashtag, a product name), best
        BM25 first, at most limit. Rare words have short posting lists, so this stays fast at
        any size; common words only re-score candidates found otherwise (lexical_scores)."""
        if not q.rare or limit <= 0:
            return np.zeros(0, np.int64)
        sql = ("SELECT rowid FROM creator_text WHERE creator_text MATCH ? ORDER BY rank"
               + ("" if allowed is not None else f" LIMIT {int(limit)}"))
        with self._lock:
            cur = self._db.execute(sql, (lexical.fts_query(q.rare),))
            rows = cur.fetchall() if allowed is None else _allowed_rows(cur, allowed, limit)
        return np.array([r[0] for r in rows], dtype=np.int64)

    def lexical_scores(self, q: lexical.Query, vids: Sequence[int]) -> np.ndarray:
        """BM25 of the given creators' texts for the query, in the order given (0 when no word
        matches, or the creator holds no text), computed from their term vectors and the
        collection's statistics: equal to FTS5's bm25()."""
        vids = np.asarray(vids, np.int64).tolist()  # one C-level pass: this is per match
        if not q.terms or not vids:
            return np.zeros(len(vids), np.float64)
        found: dict[int, tuple[int, bytes]] = {}
        with self._lock:
            for chunk in _chunks(vids, 500):
                for vid, length, vec in self._db.execute(
                        f"SELECT vid, length, terms FROM term_vectors WHERE vid IN"
                        f" ({_marks(chunk)})", chunk):
                    found[vid] = length, vec
        rows = [found.get(v, (0, b"")) for v in vids]
        return q.scores([r[0] for r in rows], [r[1] for r in rows])

    def _bodies(self, vids: Sequence[int]) -> list[tuple[int, str]]:
        """(vid, indexed text) of these vids that hold a document, read from FTS5's content
        shadow table (id, c0 = body): through the virtual table each rowid is a separate
        lookup, five times slower for a pool of 400."""
        out: list[tuple[int, str]] = []
        for chunk in _chunks([int(v) for v in vids], 500):
            out += self._db.execute(
                f"SELECT id, c0 FROM creator_text_content WHERE id IN ({_marks(chunk)})",
                chunk).fetchall()
        return out

    def changes_since(self, gen: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(removed vids, written vids, their vectors) after generation gen: what a vector
        snapshot taken at gen lacks."""
        with self._lock:
            dead = [v for (v,) in self._db.execute(
                "SELECT vid FROM tombstones WHERE gen > ?", (gen,))]
            rows = self._db.execute(
                "SELECT vid, vector FROM creators WHERE gen > ? ORDER BY vid", (gen,)).fetchall()
        vids = np.array([r[0] for r in rows], dtype=np.int64)
        vecs = (np.stack([from_blob(r[1]) for r in rows]) if rows
                else np.zeros((0, 0), np.float32))
        return np.array(dead, dtype=np.int64), vids, vecs

    def forget_tombstones(self, upto_gen: int) -> None:
        """Drop tombstones a snapshot at upto_gen already reflects."""
        with self._lock:
            self._db.execute("DELETE FROM tombstones WHERE gen <= ?", (upto_gen,))

    def iter_vectors(self, batch: int = 50_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(vids, vectors) for every creator, in batches: enough to rebuild the vector index."""
        last = -1
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT vid, vector FROM creators WHERE vid > ? ORDER BY vid LIMIT ?",
                    (last, batch)).fetchall()
            if not rows:
                return
            vids = np.array([r[0] for r in rows], dtype=np.int64)
            vecs = np.stack([from_blob(r[1]) for r in rows])
            last = int(vids[-1])
            yield vids, vecs

    def _columns(self) -> FilterColumns:
        """The filter columns, loaded from SQLite on first use."""
        with self._lock:
            if self._cols is None:
                self._cols = FilterColumns.from_rows(*self._column_rows())
            return self._cols

    def _column_rows(self, since_gen: int | None = None
                     ) -> tuple[list[tuple], dict[int, list[str]]]:
        """The columns' rows in vid order (all, or those written after since_gen) and the
        categories of their vids."""
        where, args = ("", ()) if since_gen is None else (" WHERE gen > ?", (since_gen,))
        rows = self._db.execute(
            "SELECT vid, tier, country, language, platform, followers, engagement_rate,"
            f" engagement, authenticity FROM creators{where} ORDER BY vid", args).fetchall()
        cats: dict[int, list[str]] = {}
        if since_gen is None:
            pairs: Iterable[tuple[str, int]] = self._db.execute(
                "SELECT category, vid FROM categories")
        else:
            pairs = [pair for chunk in _chunks([r[0] for r in rows], 500)
                     for pair in self._db.execute(
                         f"SELECT category, vid FROM categories WHERE vid IN ({_marks(chunk)})",
                         chunk)]
        for c, v in pairs:
            cats.setdefault(v, []).append(c)
        return rows, cats

    def features(self, vids: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(which of these vids are live, then their tier names, engagement and authenticity),
        from memory."""
        with self._lock:
            return self._columns().features(np.asarray(vids, dtype=np.int64))

    def forget_columns(self) -> None:
        """Reload the in-memory columns on next use (a second or more per million creators)."""
        with self._lock:
            self._cols = None

    def refresh_columns(self, since_gen: int) -> None:
        """Take into the loaded columns what other processes wrote after since_gen: the rows
        they wrote and the tombstones they left. (When a snapshot of theirs may have dropped
        tombstones, call forget_columns instead.)"""
        with self._lock:
            if self._cols is None:
                return
            rows, cats = self._column_rows(since_gen)
            dead = [v for (v,) in self._db.execute(
                "SELECT vid FROM tombstones WHERE gen > ?", (since_gen,))]
            for vid, tier, country, language, platform, followers, er, eng, auth in rows:
                self._cols.set(vid, tier, country, language, platform, followers, er,
                               cats.get(vid, []), eng, auth)
            if dead:
                self._cols.kill(np.array(dead, dtype=np.int64))

    def candidates(self, f: Filters) -> np.ndarray | None:
        """The vids that pass every filter, or None when no filter is set (everyone passes)."""
        if all(v is None for v in (f.tiers, f.countries, f.languages, f.platforms,
                                   f.categories, f.min_followers, f.max_followers,
                                   f.min_engagement_rate)) and not f.exclude_ids:
            return None
        excluded = np.array([v for v, _ in self.record_hashes(f.exclude_ids or []).values()],
                            dtype=np.int64)
        with self._lock:
            return self._columns().select(f, excluded)

    def stats(self) -> dict:
        with self._lock:
            tiers = dict(self._db.execute("SELECT tier, COUNT(*) FROM creators GROUP BY tier"))
            platforms = dict(self._db.execute(
                "SELECT platform, COUNT(*) FROM creators GROUP BY platform"))
            texts = self._db.execute("SELECT COUNT(*) FROM text_vectors").fetchone()[0]
        return {"creators": sum(tiers.values()), "tiers": tiers, "platforms": platforms,
                "cached_texts": texts, "updated_at": self.get_meta("updated_at")}


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


def _allowed_rows(cur: sqlite3.Cursor, allowed: np.ndarray, limit: int) -> list[tuple]:
    """The first limit rows of a ranked cursor (the vid first) whose vid allowed holds, tested
    a batch at a time against the sorted ids. A set of the ids cost more than the search: 6 ms
    to build for a 90k-creator filter at a million, on the helper thread beside a 4 ms encode."""
    ok = np.asarray(allowed, dtype=np.int64)
    if len(ok) > 1 and not bool(np.all(ok[1:] > ok[:-1])):
        ok = np.unique(ok)  # the filters give sorted ids already
    out: list[tuple] = []
    while len(ok) and len(out) < limit:
        rows = cur.fetchmany(256)
        if not rows:
            break
        vids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
        hit = ok[np.searchsorted(ok, vids).clip(0, len(ok) - 1)] == vids
        out += [r for r, keep in zip(rows, hit.tolist(), strict=True) if keep]
    cur.close()
    return out[:limit]


def _marks(seq: Sequence[object]) -> str:
    return ",".join("?" * len(seq))


def _chunks(seq: list, n: int) -> Iterator[list]:
    for i in range(0, len(seq), n):
        yield seq[i:i + n]
