"""The catalog's engagement norms (recommender/norms.py): kept in its meta table, measured
again from the creators after a write, and written into the signals of a group's creators
when they move, in the write's own transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from ..norms import META_KEY, PENDING_KEY, Group, Norm, dumps, loads, moved, peer_medians
from ..signals import renormed
from ..tiers import TierScheme
from .checksums import CREATOR_CONTENT, checksum

# what a re-normed row changes, and what the filter columns then take in
Rescored = tuple[int, float, float]  # (vid, engagement, authenticity)


def kept(conn: sqlite3.Connection) -> dict[Group, Norm]:
    row = conn.execute("SELECT value FROM meta WHERE key=?", (META_KEY,)).fetchone()
    return loads(row[0] if row else None)


def renorm(conn: sqlite3.Connection, rates: Mapping[Group, ArrayLike], tiers: TierScheme,
           gen: int | None) -> list[Rescored]:
    """Measure the norms of these groups again from their creators' rates (group -> rates,
    every creator of the group), write those that moved (norms.moved) into their creators'
    rows and into meta; the rows changed take generation gen (None: they keep theirs). Inside
    a write transaction."""
    old = kept(conn)
    return _apply(conn, old, moved(old, peer_medians(rates), rates), tiers, gen)


def adopt(conn: sqlite3.Connection, given: dict[Group, Norm], tiers: TierScheme,
          gen: int | None) -> list[Rescored]:
    """These norms, measured elsewhere (over every shard of a sharded index), in place of the
    catalog's own: every group whose norm differs is written into its creators' rows."""
    old = kept(conn)
    changes = {g: given.get(g) for g in set(old) | set(given) if old.get(g) != given.get(g)}
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?, '{}')", (PENDING_KEY,))
    return _apply(conn, old, changes, tiers, gen)


def _apply(conn: sqlite3.Connection, old: dict[Group, Norm], changes: dict[Group, Norm | None],
           tiers: TierScheme, gen: int | None) -> list[Rescored]:
    """The changed groups' rows and the kept norms (old, then changes) written."""
    if not changes:
        return []
    out = rewrite(conn, changes, tiers, gen)
    for group, norm in changes.items():
        if norm is None:
            old.pop(group, None)
        else:
            old[group] = norm
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", (META_KEY, dumps(old)))
    return out


def rewrite(conn: sqlite3.Connection, changes: dict[Group, Norm | None], tiers: TierScheme,
            gen: int | None) -> list[Rescored]:
    """Each group's creators' signals against its new norm (None: the tier's figure)."""
    by_name = {t.name: t for t in tiers.tiers}
    columns = ", ".join(CREATOR_CONTENT)
    out: list[Rescored] = []
    for (platform, tier), norm in changes.items():
        if tier not in by_name:
            continue  # written under another scheme: left as it is
        norm = norm or Norm(by_name[tier].expected_engagement)
        updates = []
        for vid, *content in conn.execute(
                f"SELECT vid, {columns} FROM creators WHERE platform=? AND tier=?",
                (platform, tier)):
            row = dict(zip(CREATOR_CONTENT, content, strict=True))
            signals = renormed(json.loads(row["signals"]), platform, row["followers"], norm)
            row.update(signals=json.dumps(signals), engagement=float(signals["engagement"]),
                       authenticity=float(signals["authenticity"]))
            updates.append((row["signals"], row["engagement"], row["authenticity"],
                            checksum([row[c] for c in CREATOR_CONTENT]), vid))
            out.append((vid, row["engagement"], row["authenticity"]))
        if gen is None:
            conn.executemany("UPDATE creators SET signals=?, engagement=?, authenticity=?,"
                             " checksum=? WHERE vid=?", updates)
        else:
            conn.executemany("UPDATE creators SET signals=?, engagement=?, authenticity=?,"
                             f" checksum=?, gen={int(gen)} WHERE vid=?", updates)
    return out


def groups_of(conn: sqlite3.Connection) -> dict[Group, np.ndarray]:
    """Every group's creators' measured rates (NaN: unknown, or stated by the record, which
    counts in no norm), read from the rows: what a migration has, before the filter columns
    are loaded."""
    has_column = "rate_stated" in {r[1] for r in conn.execute("PRAGMA table_info(creators)")}
    stated = ("rate_stated" if has_column  # before migration step 17, the signals say it
              else "json_extract(signals, '$.engagement_source')='stated'")
    out: dict[Group, list[float]] = {}
    for platform, tier, rate in conn.execute(
            f"SELECT platform, tier, CASE WHEN {stated} THEN NULL ELSE engagement_rate END"
            " FROM creators"):
        out.setdefault((platform, tier), []).append(np.nan if rate is None else rate)
    return {g: np.array(r, np.float64) for g, r in out.items()}
