"""The catalog: one SQLite file holding every creator (record, signals, content vector), the
source of truth of an index directory and its write-ahead log.

It is composed of parts that share one connection: the text-embedding cache (``texts``), the
journal of generations and tombstones (``journal``), the BM25 index (``lexical``) and the filter
columns (``filters``); this module writes and reads the creator rows themselves.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidInputError, shown
from ..lexical import body
from ..lexical.fulltext import FullText
from ..norms import META_KEY as NORMS_KEY
from ..norms import PENDING_KEY, Group, Norm, due, dumps_pending, loads_pending
from ..norms import loads as loads_norms
from ..pool import CreatorRow
from ..schema import Creator
from ..tiers import TierScheme
from . import migrations, norms
from .checksums import CREATOR_CONTENT, checksum, damaged_creator
from .database import Database, from_blob, to_blob
from .filters import FilterIndex
from .journal import Journal
from .postcache import PostVectorCache, budget_from_env
from .textcache import TextCache

_COLUMNS = ("handle", "platform", "followers", "country", "language", "tier", "engagement_rate",
            "engagement", "authenticity", "signals", "record", "record_hash", "vector", "gen",
            "updated_at", "checksum", "rate_stated")
_ROW = ("vid", "id", "handle", "platform", "followers", "tier", "engagement_rate", "engagement",
        "authenticity", "signals", "vector")
# what rows() reads: the row's fields, then the rest of its checked content and the checksum
_ROW_READ = _ROW + tuple(c for c in CREATOR_CONTENT if c not in _ROW) + ("checksum",)
_CONTENT_AT = [_ROW_READ.index(c) for c in CREATOR_CONTENT]
_COUNTRY_AT, _LANGUAGE_AT = _ROW_READ.index("country"), _ROW_READ.index("language")
_INSERT = (f"INSERT INTO creators(id, {', '.join(_COLUMNS)})"
           f" VALUES(?, {', '.join('?' * len(_COLUMNS))})")
_UPDATE = f"UPDATE creators SET {', '.join(c + '=?' for c in _COLUMNS)} WHERE vid=?"


def record_hash(creator: Creator) -> str:
    """A hash of everything in the record: equal hashes mean an unchanged creator."""
    return hashlib.sha256(creator.model_dump_json().encode()).hexdigest()


@dataclass
class StoredCreator:
    """One creator as the catalog writes it: the record and what ingest derived from it."""

    record: dict[str, Any]  # the validated record, JSON-ready
    record_hash: str
    signals: dict[str, Any]
    vector: np.ndarray  # the content vector (stored as float16)
    texts: list[tuple[str | None, str]] = field(default_factory=list)  # (post id, text hash)


def stored_language(record: dict[str, Any], signals: dict[str, Any]) -> str | None:
    """The language filters and results use: the record's, else the one detected in its texts
    (signals.detected_language)."""
    detected = signals.get("detected_language") or {}
    return record.get("language") or detected.get("code")


class Catalog:
    """One SQLite file; safe to share between threads."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        self.db = Database(self.path, read_only)
        migrations.migrate(self.db)
        self.texts = TextCache(self.db)
        self.journal = Journal(self.db)
        self.lexical = FullText(self.db)
        self.filters = FilterIndex(self.db)
        self.post_cache = PostVectorCache(budget_from_env())

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[int]:
        """All or nothing: the generation moves with the data it describes. Yields the
        generation this write will have."""
        with self.db.write():
            try:
                gen = self.journal.generation + 1
                yield gen
                self.journal.advance()
                self.db.set_meta("updated_at", datetime.now(timezone.utc).isoformat())
            except BaseException:
                self.filters.forget()  # it may hold part of the change: reload on next use
                raise

    @property
    def generation(self) -> int:
        return self.journal.generation

    def get_meta(self, key: str) -> str | None:
        return self.db.get_meta(key)

    def set_meta(self, key: str, value: str) -> None:
        self.db.set_meta(key, value)

    def integrity_check(self) -> str:
        return self.db.integrity_check()

    # -- writing (inside transaction()) --------------------------------------------------------

    def write(self, creators: Sequence[StoredCreator], gen: int) -> list[int]:
        """Insert or replace creators (an existing id keeps its vid), with their categories,
        texts and lexical documents; returns their vids in order."""
        ids = [c.record["id"] for c in creators]
        if len(set(ids)) != len(ids):
            raise ValueError("one write holds the same creator id twice")
        now = datetime.now(timezone.utc).isoformat()
        conn = self.db.conn
        with self.db.lock:
            existing = self.vids_of(ids)
            self.lexical.drop(list(existing.values()))
            vids: list[int] = []
            for c in creators:
                r, sig = c.record, c.signals
                rate = sig["engagement_rate"]
                language = stored_language(r, sig)
                content = (str(r["id"]), r.get("handle"), str(r["platform"]),
                           int(r["followers"]), r.get("country"), language,
                           str(sig["tier"]), None if rate is None else float(rate),
                           float(sig["engagement"]), float(sig["authenticity"]),
                           json.dumps(sig), json.dumps(r, ensure_ascii=False), c.record_hash,
                           to_blob(c.vector))
                # whether the rate is the record's own (no norm counts it): what the signals
                # say, kept beside them for the filter columns (not checksummed on its own)
                stated = sig.get("engagement_source") == "stated"
                values = (*content[1:], gen, now, checksum(content), int(stated))
                vid = existing.get(r["id"])
                if vid is not None:
                    conn.execute(_UPDATE, (*values, vid))
                    conn.execute("DELETE FROM categories WHERE vid=?", (vid,))
                    conn.execute("DELETE FROM texts WHERE vid=?", (vid,))
                else:
                    cur = conn.execute(_INSERT, (r["id"], *values))
                    vid = int(cur.lastrowid or 0)
                vids.append(vid)
                conn.executemany("INSERT OR IGNORE INTO categories(category, vid) VALUES(?, ?)",
                                 [(cat, vid) for cat in r.get("categories") or []])
                conn.executemany(
                    "INSERT INTO texts(vid, position, post_id, text_hash) VALUES(?,?,?,?)",
                    [(vid, i, pid, h) for i, (pid, h) in enumerate(c.texts)])
                self.filters.set(vid, sig["tier"], r.get("country"), language,
                                 r["platform"], r["followers"], sig["engagement_rate"],
                                 r.get("categories") or [], sig["engagement"],
                                 sig["authenticity"], stated)
            self.lexical.put((vid, body(c.record, stored_language(c.record, c.signals)))
                             for vid, c in zip(vids, creators, strict=True))
        return vids

    def renorm(self, tiers: TierScheme, gen: int, written: Mapping[Group, int]) -> int:
        """After a write, in its transaction: the engagement norms of the (platform, tier)
        groups due (norms.due; written: how many creators the write put in or took out of each
        group) measured again, and written into their creators' signals where they moved
        (recommender/norms.py); returns how many creators that rewrote."""
        with self.db.lock:
            groups, pending = due(self.norms(), loads_pending(self.get_meta(PENDING_KEY)),
                                  written)
            self.set_meta(PENDING_KEY, dumps_pending(pending))
            if not groups:
                return 0
            done = norms.renorm(self.db.conn, self.filters.rates_of(groups), tiers, gen)
            for vid, engagement, authenticity in done:
                self.filters.rescore(vid, engagement, authenticity)
        return len(done)

    def adopt_norms(self, given: dict[Group, Norm], tiers: TierScheme, gen: int) -> int:
        """In a write's transaction: norms measured over every shard of a sharded index in
        place of this shard's own (storage/norms.adopt); returns how many creators that
        rewrote."""
        with self.db.lock:
            done = norms.adopt(self.db.conn, given, tiers, gen)
            for vid, engagement, authenticity in done:
                self.filters.rescore(vid, engagement, authenticity)
        return len(done)

    def rates_by_group(self) -> dict[Group, np.ndarray]:
        """Every (platform, tier) group's engagement rates (NaN: unknown), from the rows."""
        with self.db.lock:
            return norms.groups_of(self.db.conn)

    def groups_of(self, ids: Sequence[str]) -> Counter[Group]:
        """How many of these creators each (platform, tier) group holds."""
        return Counter((str(p), str(t)) for p, t in self.db.rows_in(
            "SELECT platform, tier FROM creators WHERE id IN ({marks})", list(ids)))

    def norms(self) -> dict[Group, Norm]:
        """The engagement norms this catalog keeps, by (platform, tier)."""
        return loads_norms(self.get_meta(NORMS_KEY))

    def remove(self, ids: Sequence[str], gen: int) -> dict[str, int]:
        """Delete creators, their texts and the cached vectors no one else uses, leaving
        tombstones at gen; id -> vid removed."""
        removed = self.vids_of(ids)
        if not removed:
            return removed
        vids = list(removed.values())
        with self.db.lock:
            self.journal.bury(vids, gen)
            hashes = [h for (h,) in self.db.rows_in(
                "SELECT DISTINCT text_hash FROM texts WHERE vid IN ({marks})", vids)]
            self.lexical.drop(vids)
            for table in ("texts", "categories", "creators"):
                self.db.execute_in(f"DELETE FROM {table} WHERE vid IN ({{marks}})", vids)
            self.texts.forget(hashes)
            self.filters.kill(np.array(vids, dtype=np.int64))
        return removed

    # -- reading -------------------------------------------------------------------------------

    def record_hashes(self, ids: Sequence[str]) -> dict[str, str]:
        """id -> record hash for the ids already stored; "" for a damaged row, so that
        ingesting its record again rewrites it."""
        at = CREATOR_CONTENT.index("record_hash")
        return {content[0]: content[at] if checksum(content) == stored else ""
                for stored, *content in self.db.rows_in(
                    f"SELECT checksum, {', '.join(CREATOR_CONTENT)} FROM creators"
                    " WHERE id IN ({marks})", list(ids))}

    def vids_of(self, ids: Sequence[str]) -> dict[str, int]:
        """id -> vid for the ids already stored."""
        return dict(self.db.rows_in("SELECT id, vid FROM creators WHERE id IN ({marks})",
                                    list(ids)))

    def resolve(self, ref: str) -> str | None:
        """The id a planner's reference names: an id, else a handle (with or without its @);
        None when nothing matches. A handle several creators share is an error listing them."""
        if self.vid_of(ref) is not None:
            return ref
        bare = ref.removeprefix("@")
        found = self.db.rows("SELECT id, platform FROM creators WHERE handle IN (?, ?)"
                             " ORDER BY id LIMIT 11", (ref, "@" + bare))
        if len(found) > 1:
            listed = ", ".join(f"{cid} ({platform})" for cid, platform in found[:10])
            raise InvalidInputError(f"{shown(ref)} is the handle of {len(found)}"
                                    f"{'+' if len(found) > 10 else ''} creators: {listed}; "
                                    "give one of their ids")
        return str(found[0][0]) if found else None

    def vid_of(self, creator_id: str) -> int | None:
        return self.vids_of([creator_id]).get(creator_id)

    def count(self) -> int:
        return int(self.db.rows("SELECT COUNT(*) FROM creators")[0][0])

    def record(self, creator_id: str) -> dict[str, Any] | None:
        """The stored record with its signals, or None."""
        return self.records([creator_id]).get(creator_id)

    def records(self, creator_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Each stored record with its signals, by id (absent ids left out), checked against
        its checksum."""
        rows = self.db.rows_in(f"SELECT id, updated_at, checksum, {', '.join(CREATOR_CONTENT)}"
                               " FROM creators WHERE id IN ({marks})", list(creator_ids))
        out = {}
        for cid, updated, stored, *content in rows:
            if checksum(content) != stored:
                raise damaged_creator(cid, self.path)
            got = dict(zip(CREATOR_CONTENT, content, strict=True))
            out[cid] = {"record": json.loads(got["record"]),
                        "signals": json.loads(got["signals"]), "tier": got["tier"],
                        "updated_at": updated}
        return out

    def rows(self, vids: Sequence[int] | np.ndarray) -> dict[int, CreatorRow]:
        """The rows of these vids (absent ones left out), each checked against its checksum."""
        out: dict[int, CreatorRow] = {}
        ids = [int(v) for v in vids]
        with self.db.lock:
            rows = self.db.rows_in(f"SELECT {', '.join(_ROW_READ)} FROM creators"
                                   " WHERE vid IN ({marks})", ids)
            categories: dict[int, list[str]] = {}
            for vid, category in self.db.rows_in(
                    "SELECT vid, category FROM categories WHERE vid IN ({marks})", ids):
                categories.setdefault(vid, []).append(category)
        for r in rows:
            if checksum([r[i] for i in _CONTENT_AT]) != r[-1]:
                raise damaged_creator(str(r[1]), self.path)
            out[r[0]] = CreatorRow(
                vid=r[0], id=r[1], handle=r[2], platform=r[3], followers=r[4], tier=r[5],
                engagement_rate=r[6], engagement=r[7], authenticity=r[8], signals_json=r[9],
                vector=from_blob(r[10]), country=r[_COUNTRY_AT], language=r[_LANGUAGE_AT],
                categories=sorted(categories.get(r[0], [])))
        return out

    def post_vectors(self, vids: Sequence[int]) -> dict[int, tuple[list[str | None], np.ndarray]]:
        """Each creator's (post ids, None for the bio; their vectors as rows), in record order,
        without parsing records: what re-scoring a shortlist from its posts reads. A caption
        posted again (a text whose vector is another's of the creator: the same words, or
        words the encoder reads the same, such as with another emoji) is left out after its
        first post: it is one piece of evidence, and re-scoring and explaining count and show
        it once."""
        ids = [int(v) for v in vids]
        if not ids:
            return {}
        generation = self.generation  # read before the rows: a later write empties the cache
        held, ids = self.post_cache.get(ids, generation)
        if not ids:
            return held
        with self.db.lock:
            rows = self.db.rows_in(
                "SELECT t.vid, t.post_id, v.vector, v.hash, v.checksum FROM texts t JOIN"
                " text_vectors v ON v.hash=t.text_hash WHERE t.vid IN ({marks})"
                " ORDER BY t.vid, t.position", ids)
        found: dict[int, tuple[list[str | None], list[np.ndarray]]] = {}
        verified: dict[str, bool] = {}  # a text several creators share is checked once
        seen: set[tuple[int, bool, bytes]] = set()
        for vid, pid, blob, h, stored in rows:
            if h not in verified:
                verified[h] = checksum((h, blob)) == stored
            if not verified[h]:
                continue  # a damaged cached vector is no evidence (check names it)
            if (vid, pid is None, blob) in seen:
                continue  # the caption again
            seen.add((vid, pid is None, blob))
            pids, vecs = found.setdefault(vid, ([], []))
            pids.append(pid)
            vecs.append(from_blob(blob))
        read = {vid: (pids, np.stack(vecs).astype(np.float32))
                for vid, (pids, vecs) in found.items()}
        self.post_cache.put(read, generation)
        return {**held, **read}

    def texts_of(self, vids: Sequence[int],
                 vectors: dict[int, tuple[list[str | None], np.ndarray]] | None = None
                 ) -> dict[int, list[tuple[str | None, str, np.ndarray]]]:
        """Each creator's (post id or None for the bio, text, vector), in record order; the
        vectors from post_vectors, read here unless given."""
        ids = [int(v) for v in vids]
        if not ids:
            return {}
        if vectors is None or any(v not in vectors for v in ids):
            vectors = self.post_vectors(ids)
        with self.db.lock:
            recs = self.db.rows_in("SELECT vid, record FROM creators WHERE vid IN ({marks})",
                                   ids)
        out: dict[int, list[tuple[str | None, str, np.ndarray]]] = {}
        for vid, text in recs:
            record = json.loads(text)
            by_post = {p["id"]: p.get("text") or "" for p in record.get("posts", [])}
            pids, mat = vectors.get(vid, ([], np.zeros((0, 0), np.float32)))
            out[vid] = [(pid, (record.get("bio") or "") if pid is None else by_post.get(pid, ""),
                         mat[i]) for i, pid in enumerate(pids)]
        return out

    def stats(self) -> dict[str, Any]:
        with self.db.lock:
            tiers = dict(self.db.rows("SELECT tier, COUNT(*) FROM creators GROUP BY tier"))
            platforms = dict(self.db.rows(
                "SELECT platform, COUNT(*) FROM creators GROUP BY platform"))
            texts = self.texts.count()
            # record hashes cleared by migration step 15: ingest those records again
            (again,) = self.db.conn.execute(
                "SELECT COUNT(*) FROM creators WHERE record_hash = ''").fetchone()
        return {"creators": sum(tiers.values()), "tiers": tiers, "platforms": platforms,
                "cached_texts": texts, "to_ingest_again": again,
                "updated_at": self.get_meta("updated_at")}
