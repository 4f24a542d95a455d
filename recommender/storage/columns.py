"""In-memory columns: every filter of a brief as a few vectorised numpy comparisons, and the
per-creator values the ranker scores a candidate pool with.

SQLite answers a selective filter over a million creators in tens of milliseconds, most of it
turning rows into Python objects; these columns answer it in about one (about 50 bytes per
creator). They mirror the catalog: loaded once, then updated by each committed write.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..locales import speaks
from ..schema import Filters

_CODED = ("tier", "country", "language", "platform")


class FilterColumns:
    def __init__(self) -> None:
        self.n = 0
        cap = 1024
        self.vids = np.zeros(cap, np.int64)  # ascending: AUTOINCREMENT vids only grow
        self.alive = np.zeros(cap, bool)
        self.coded = {c: np.zeros(cap, np.int32) for c in _CODED}
        self.codes: dict[str, dict[str | None, int]] = {c: {} for c in _CODED}
        self.followers = np.zeros(cap, np.int64)
        self.er = np.full(cap, np.nan)
        self.stated = np.zeros(cap, bool)  # the rate is the record's own: in no norm
        self.engagement = np.zeros(cap, np.float64)  # the ranker's components (signals.py)
        self.authenticity = np.zeros(cap, np.float64)
        self.cats = np.zeros((cap, 1), np.uint64)
        self.cat_bits: dict[str, int] = {}
        self._version = 0  # moves with every write; cached postings follow it
        self._postings: dict[tuple[str, int], np.ndarray] = {}
        self._postings_version = -1
        self._by_code: dict[str, np.ndarray] = {}  # _names' answers

    @classmethod
    def from_rows(cls, rows: list[tuple[Any, ...]],
                  categories: dict[int, list[str]]) -> FilterColumns:
        """Bulk load from (vid, tier, country, language, platform, followers, engagement_rate,
        engagement, authenticity, rate_stated) rows in ascending vid order: vectorised, a
        second or two per million creators."""
        cols = cls()
        n = len(rows)
        cols._grow(n + max(1024, n // 8))  # headroom: the next writes append without a copy
        cols.n = n
        if not n:
            return cols
        vids, *coded, followers, er, engagement, authenticity, stated = zip(*rows, strict=True)
        cols.vids[:n] = vids
        cols.alive[:n] = True
        for column, values in zip(_CODED, coded, strict=True):
            uniq, inverse = np.unique(np.array(values, dtype=object).astype(str),
                                      return_inverse=True)
            # the str() of None is "None": map it back so lookups by None still work
            table = {(None if u == "None" else u): i for i, u in enumerate(uniq)}
            cols.codes[column] = table
            cols.coded[column][:n] = inverse
        cols.followers[:n] = followers
        cols.er[:n] = np.array([np.nan if v is None else v for v in er], dtype=float)
        cols.engagement[:n] = engagement
        cols.authenticity[:n] = authenticity
        cols.stated[:n] = np.array(stated, dtype=bool)
        pos = {v: i for i, v in enumerate(vids)}
        for vid, cats in categories.items():
            if vid in pos:
                mask = cols._cat_mask(cats)
                cols.cats[pos[vid], : len(mask)] = mask
        return cols

    def _grow(self, need: int) -> None:
        cap = len(self.vids)
        if need <= cap:
            return
        new = max(need, cap * 2)

        def grow(a: np.ndarray, fill: float = 0) -> np.ndarray:
            out = np.full((new, *a.shape[1:]), fill, dtype=a.dtype)
            out[:cap] = a
            return out

        self.vids, self.alive = grow(self.vids), grow(self.alive, False)
        self.coded = {c: grow(a) for c, a in self.coded.items()}
        self.followers, self.er, self.cats = grow(self.followers), grow(self.er, np.nan), \
            grow(self.cats)
        self.stated = grow(self.stated, False)
        self.engagement, self.authenticity = grow(self.engagement), grow(self.authenticity)

    def _code(self, column: str, value: str | None) -> int:
        table = self.codes[column]
        if value not in table:
            table[value] = len(table)
        return table[value]

    def _cat_mask(self, categories: list[str]) -> np.ndarray:
        words = self.cats.shape[1]
        mask = np.zeros(words, np.uint64)
        for c in categories:
            if c not in self.cat_bits:
                self.cat_bits[c] = len(self.cat_bits)
                if len(self.cat_bits) > 64 * self.cats.shape[1]:
                    self.cats = np.hstack([self.cats, np.zeros((len(self.cats), 1), np.uint64)])
                    mask = np.append(mask, np.uint64(0))
            bit = self.cat_bits[c]
            mask[bit // 64] |= np.uint64(1) << np.uint64(bit % 64)
        return mask

    def set(self, vid: int, tier: str, country: str | None, language: str | None,
            platform: str, followers: int, er: float | None, categories: list[str],
            engagement: float, authenticity: float, stated: bool = False) -> None:
        """Insert or update one creator's values (stated: its rate is the record's own)."""
        self._version += 1
        pos = int(np.searchsorted(self.vids[:self.n], vid))
        if pos == self.n or self.vids[pos] != vid:
            if pos != self.n:
                raise ValueError(f"vid {vid} arrives out of order")
            self._grow(self.n + 1)
            self.n += 1
        self.vids[pos], self.alive[pos] = vid, True
        for column, value in zip(_CODED, (tier, country, language, platform), strict=True):
            self.coded[column][pos] = self._code(column, value)
        self.followers[pos] = followers
        self.er[pos] = np.nan if er is None or not math.isfinite(er) else er
        self.stated[pos] = stated
        self.engagement[pos], self.authenticity[pos] = engagement, authenticity
        mask = self._cat_mask(categories)
        self.cats[pos] = 0
        self.cats[pos, : len(mask)] = mask

    def rescore(self, vid: int, engagement: float, authenticity: float) -> None:
        """One creator's engagement and authenticity components again (its norm moved)."""
        pos = int(np.searchsorted(self.vids[:self.n], vid))
        if pos < self.n and self.vids[pos] == vid:
            self.engagement[pos], self.authenticity[pos] = engagement, authenticity

    def rates_of(self, groups: Iterable[tuple[str, str]]) -> dict[tuple[str, str], np.ndarray]:
        """The measured engagement rates (NaN: unknown, or stated by the record: a norm is
        measured on posts, norms.py) of the live creators of each (platform, tier) group."""
        out = {}
        for platform, tier in groups:
            p, t = self.codes["platform"].get(platform), self.codes["tier"].get(tier)
            if p is None or t is None:
                out[(platform, tier)] = np.zeros(0)
                continue
            pos = self._posting("tier", t)
            pos = pos[(self.coded["platform"][pos] == p) & self.alive[pos]]
            out[(platform, tier)] = np.where(self.stated[pos], np.nan, self.er[pos])
        return out

    def kill(self, vids: np.ndarray) -> None:
        self._version += 1
        pos = np.searchsorted(self.vids[:self.n], vids)
        ok = pos < self.n
        pos = pos[ok]
        pos = pos[self.vids[pos] == np.asarray(vids)[ok]]
        self.alive[pos] = False

    def features(self, vids: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(which vids are live, then their tier names, engagement, authenticity and languages,
        None where unknown)."""
        pos = np.searchsorted(self.vids[:self.n], vids).clip(0, max(self.n - 1, 0))
        live = (self.vids[pos] == vids) & self.alive[pos] if self.n else \
            np.zeros(len(vids), bool)
        pos = pos[live]
        return live, self._names("tier")[self.coded["tier"][pos]], self.engagement[pos], \
            self.authenticity[pos], self._names("language")[self.coded["language"][pos]]

    def _names(self, column: str) -> np.ndarray:
        """A coded column's values by code, built again only when a new value was coded (a
        code, once given, keeps its value: the table only grows)."""
        table = self.codes[column]
        names = self._by_code.get(column)
        if names is None or len(names) != len(table):
            names = np.empty(len(table), dtype=object)
            for name, code in table.items():
                names[code] = name
            self._by_code[column] = names
        return names

    def vocabulary(self, column: str) -> list[str]:
        """The values the creators of a coded column ('tier', 'country', 'language',
        'platform') or of 'category' have held, sorted: a look-up in the codes, O(values),
        since every filtered match asks (values only removed creators held stay known; a
        filter on one then empties the answer, and match says which filter did)."""
        table = self.cat_bits if column == "category" else self.codes[column]
        return sorted(str(v) for v in table if v is not None)

    def _posting(self, column: str, code: int) -> np.ndarray:
        """Sorted positions holding this code, cached until the next write: a selective
        filter then reads its own creators only, not a pass over every column."""
        if self._postings_version != self._version:
            self._postings, self._postings_version = {}, self._version
        key = (column, code)
        if key not in self._postings:
            self._postings[key] = np.flatnonzero(self.coded[column][:self.n] == code)
        return self._postings[key]

    def _codes_of(self, column: str, values: Iterable[str]) -> list[int]:
        """The codes a filter's values take in: each value's own; for a language asked without
        a region ("fr"), its regional variants held too ("fr-fr", "fr-ca": locales.speaks)."""
        table = self.codes[column]
        if column == "language":
            return sorted({code for held, code in table.items()
                           if any(speaks(held, v) for v in values)})
        return sorted({table[x] for x in values if x in table})

    def select(self, f: Filters, excluded_vids: np.ndarray) -> np.ndarray:
        """vids of live creators passing every filter. The coded filter with the fewest
        creators gives the positions to test; the other filters are checked on those only."""
        n = self.n
        coded = {c: self._codes_of(c, v)
                 for c, v in zip(_CODED, (f.tiers, f.countries, f.languages, f.platforms),
                                 strict=True) if v is not None}
        pos: np.ndarray | slice = slice(0, n)  # every position: slices read columns in place
        if coded:
            first = min(coded, key=lambda c: sum(len(self._posting(c, x)) for x in coded[c]))
            parts = [self._posting(first, x) for x in coded.pop(first)]
            pos = (parts[0] if len(parts) == 1 else  # already sorted: no copy
                   np.sort(np.concatenate(parts)) if parts else np.zeros(0, np.int64))
        keep = self.alive[pos].copy()
        for column, codes in coded.items():
            col = self.coded[column][pos]
            hit = np.zeros(len(keep), bool)
            for code in codes:
                hit |= col == code
            keep &= hit
        if f.categories is not None:
            bits = [self.cat_bits[c] for c in f.categories if c in self.cat_bits]
            hit = np.zeros(len(keep), bool)
            for b in bits:
                hit |= (self.cats[pos, b // 64] >> np.uint64(b % 64)) & np.uint64(1) == 1
            keep &= hit
        if f.min_followers is not None:
            keep &= self.followers[pos] >= f.min_followers
        if f.max_followers is not None:
            keep &= self.followers[pos] <= f.max_followers
        if f.min_engagement_rate is not None:
            with np.errstate(invalid="ignore"):
                keep &= self.er[pos] >= f.min_engagement_rate  # NaN (unknown) never passes
        out = self.vids[pos].take(np.flatnonzero(keep))
        if len(excluded_vids):
            out = out[~np.isin(out, excluded_vids)]
        return out
