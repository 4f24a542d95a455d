"""The creators a filter lets through, kept in memory between matches.

Planners run brief after brief under the same few filters (one market and one tier, a
platform); at a million creators applying one (a posting list, then the other columns tested on
it) took about 1.4 ms of a 10 ms filtered match, beside an encoder that no longer hides it. So
each filter's answer is kept, least recently used first out, within a byte budget
(CREATOR_MATCH_FILTER_CACHE_MB, default 64; 0 turns it off). Any change to the filter columns
(a write of this process or one taken in from another, a reload) empties it, so a filter never
answers from before a write. Exclusions (ids read from SQLite) are not kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

import numpy as np

from ..schema import Filters
from .budget import megabytes


def budget_from_env() -> int:
    return megabytes("CREATOR_MATCH_FILTER_CACHE_MB", 64)


def key_of(f: Filters) -> Hashable | None:
    """What decides a filter's answer, the same for the same sets of values in any order; None
    for one that is not kept (it excludes creators by id)."""
    if f.exclude_ids:
        return None
    sets = (f.tiers, f.countries, f.languages, f.platforms, f.categories)
    return (*(None if v is None else frozenset(v) for v in sets),
            f.min_followers, f.max_followers, f.min_engagement_rate)


class FilterCache:
    """Not locked: its owner (storage.filters.FilterIndex) calls it under the catalog's lock,
    which also orders it with the changes to the columns."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._bytes = 0
        self.hits = self.misses = 0

    def changed(self) -> None:
        """The columns changed: every answer held is out of date."""
        if self._entries:
            self._entries.clear()
            self._bytes = 0

    def get(self, key: Hashable | None) -> np.ndarray | None:
        if key is None or not self.max_bytes:
            return None
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: Hashable | None, vids: np.ndarray) -> np.ndarray:
        """Keep vids as key's answer; returns them, read-only when kept (matches share them)."""
        if key is None or not self.max_bytes or vids.nbytes > self.max_bytes:
            return vids
        vids.flags.writeable = False
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old.nbytes
        self._entries[key] = vids
        self._bytes += vids.nbytes
        while self._bytes > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= dropped.nbytes
        return vids
