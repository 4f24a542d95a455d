"""Checksums of what the catalog stores, row by row. SQLite's integrity check covers the file's
structure, not its content: a bit flipped inside a record or a vector passes it. Each creator
row and each cached text vector carries a checksum of its content, verified when the row is
read and by `check`, so damage is named (which creator, what to do) instead of surfacing as a
crash somewhere downstream."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any

from index.store import CorruptIndexError

from .database import Database

#: The content of a creator row, in the order the checksum reads it.
CREATOR_CONTENT = ("id", "handle", "platform", "followers", "country", "language", "tier",
                   "engagement_rate", "engagement", "authenticity", "signals", "record",
                   "record_hash", "vector")


def checksum(values: Sequence[Any]) -> str:
    """A 64-bit BLAKE2b of the values: the texts and numbers joined in one string, then the
    blobs. It detects damage, not forgery, so one cheap pass matters more than framing (a
    match verifies the rows of its shortlist: about 8 us a row)."""
    text: list[str] = []
    blobs: list[bytes] = []
    for v in values:
        if v is None:
            text.append("\x00")
        elif type(v) is str:
            text.append(v)
        elif isinstance(v, bytes):
            blobs.append(v)
            text.append("\x01")
        else:
            text.append(repr(v))
    h = hashlib.blake2b("\x1f".join(text).encode("utf-8", "surrogatepass"), digest_size=8)
    for b in blobs:
        h.update(b)
    return h.hexdigest()


class DamagedRowError(CorruptIndexError):
    """A stored row no longer matches its checksum."""


def damaged_creator(creator_id: str, path: object) -> DamagedRowError:
    return DamagedRowError(
        f"{path}: the stored row of creator {creator_id!r} is damaged (its content no longer "
        "matches its checksum). Ingest that creator's record again to rewrite it, or remove "
        f"it: creator-match remove {creator_id} --index DIR")


def verify_creators(db: Database, batch: int = 20_000) -> Iterator[str]:
    """The ids of every creator whose row does not match its checksum."""
    columns = ", ".join(CREATOR_CONTENT)
    last = -1
    while rows := db.rows(f"SELECT vid, checksum, {columns} FROM creators WHERE vid > ?"
                          f" ORDER BY vid LIMIT {batch}", (last,)):
        for _, stored, *content in rows:
            if checksum(content) != stored:
                yield str(content[0])
        last = rows[-1][0]


def verify_cache(db: Database, batch: int = 50_000) -> list[str]:
    """The text hashes whose cached vector does not match its checksum."""
    bad, last = [], ""
    while rows := db.rows("SELECT hash, vector, checksum FROM text_vectors WHERE hash > ?"
                          f" ORDER BY hash LIMIT {batch}", (last,)):
        bad += [h for h, vec, stored in rows if checksum((h, vec)) != stored]
        last = rows[-1][0]
    return bad
