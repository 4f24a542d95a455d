"""A brief's filters -> the vids that pass them, from the in-memory filter columns (columns.py),
loaded from the catalog on first use and kept in step with every write: this process's own,
applied as it commits, and other processes', taken in from the journal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..schema import Filters
from .columns import FilterColumns
from .database import Database
from .filtercache import FilterCache, budget_from_env, key_of

_COLUMNS = ("SELECT vid, tier, country, language, platform, followers, engagement_rate,"
            " engagement, authenticity, rate_stated FROM creators")


class FilterIndex:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._cols: FilterColumns | None = None
        self.cache = FilterCache(budget_from_env())  # each filter's answer (filtercache.py)

    def columns(self) -> FilterColumns:
        """The filter columns, loaded from SQLite on first use."""
        with self.db.lock:
            if self._cols is None:
                self._cols = FilterColumns.from_rows(*self._rows())
            return self._cols

    def _rows(self, since_gen: int | None = None
              ) -> tuple[list[tuple[Any, ...]], dict[int, list[str]]]:
        """The columns' rows in vid order (all, or those written after since_gen) and the
        categories of their vids."""
        if since_gen is None:
            rows = self.db.rows(_COLUMNS + " ORDER BY vid")
            pairs: Iterable[tuple[str, int]] = self.db.rows(
                "SELECT category, vid FROM categories")
        else:
            rows = self.db.rows(_COLUMNS + " WHERE gen > ? ORDER BY vid", (since_gen,))
            pairs = self.db.rows_in("SELECT category, vid FROM categories WHERE vid IN ({marks})",
                                    [r[0] for r in rows])
        cats: dict[int, list[str]] = {}
        for c, v in pairs:
            cats.setdefault(v, []).append(c)
        return rows, cats

    def set(self, vid: int, tier: str, country: str | None, language: str | None,
            platform: str, followers: int, engagement_rate: float | None,
            categories: list[str], engagement: float, authenticity: float,
            stated: bool = False) -> None:
        """One creator written by this process (no-op until the columns are loaded)."""
        with self.db.lock:
            self.cache.clear()
            if self._cols is not None:
                self._cols.set(vid, tier, country, language, platform, followers,
                               engagement_rate, categories, engagement, authenticity, stated)

    def rescore(self, vid: int, engagement: float, authenticity: float) -> None:
        """One creator's components again, rewritten by this process (no-op until loaded)."""
        with self.db.lock:
            if self._cols is not None:
                self._cols.rescore(vid, engagement, authenticity)

    def rates_of(self, groups: Iterable[tuple[str, str]]) -> dict[tuple[str, str], np.ndarray]:
        """The live creators' measured engagement rates by (platform, tier) group
        (columns.py)."""
        with self.db.lock:
            return self.columns().rates_of(groups)

    def kill(self, vids: np.ndarray) -> None:
        with self.db.lock:
            self.cache.clear()
            if self._cols is not None:
                self._cols.kill(vids)

    def forget(self) -> None:
        """Reload on next use (a second or more per million creators): after a rolled-back
        write, or when another process's snapshot may have dropped tombstones."""
        with self.db.lock:
            self.cache.clear()
            self._cols = None

    def refresh(self, since_gen: int, dead: np.ndarray) -> None:
        """Take in what other processes wrote after since_gen: the rows they wrote and the
        vids they deleted."""
        with self.db.lock:
            if self._cols is None:
                return
            rows, cats = self._rows(since_gen)
            if rows or len(dead):
                self.cache.clear()
            for vid, tier, country, language, platform, followers, er, eng, auth, st in rows:
                self._cols.set(vid, tier, country, language, platform, followers, er,
                               cats.get(vid, []), eng, auth, bool(st))
            if len(dead):
                self._cols.kill(dead)

    def features(self, vids: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(which of these vids are live, then their tier names, engagement, authenticity and
        languages), from memory."""
        with self.db.lock:
            return self.columns().features(np.asarray(vids, dtype=np.int64))

    def vocabularies(self, columns: list[str]) -> dict[str, list[str]]:
        """The values live creators hold in each column (tier, country, language, platform,
        category), in one read."""
        with self.db.lock:
            cols = self.columns()
            return {c: cols.vocabulary(c) for c in columns}

    def counts_alone(self, f: Filters) -> dict[str, int]:
        """How many creators each filter set in f lets through on its own: which one empties
        an answer."""
        out = {}
        for name, value in f.model_dump(exclude_none=True).items():
            if name == "exclude_ids" and not value:
                continue
            alone = self.candidates(Filters.model_validate({name: value}))
            out[name] = -1 if alone is None else len(alone)
        return out

    def candidates(self, f: Filters) -> np.ndarray | None:
        """The vids that pass every filter, or None when no filter is set (everyone passes);
        read-only when the filter cache keeps them."""
        if all(v is None for v in (f.tiers, f.countries, f.languages, f.platforms,
                                   f.categories, f.min_followers, f.max_followers,
                                   f.min_engagement_rate)) and not f.exclude_ids:
            return None
        key = key_of(f)
        if key is not None:
            with self.db.lock:
                vids = self.cache.get(key)
                if vids is None:
                    vids = self.columns().select(f, np.zeros(0, np.int64))
                    self.cache.put(key, vids)
                return vids
        refs = f.exclude_ids or []
        handles = [r if r.startswith("@") else "@" + r for r in refs]
        excluded = np.array(sorted({v for (v,) in self.db.rows_in(
            "SELECT vid FROM creators WHERE id IN ({marks})", refs)} | {v for (v,) in
            self.db.rows_in("SELECT vid FROM creators WHERE handle IN ({marks})", handles)}),
            dtype=np.int64)
        with self.db.lock:
            return self.columns().select(f, excluded)
