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

from collections.abc import Hashable

import numpy as np

from ..schema import Filters
from .budget import LeastRecentlyUsed, megabytes


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


class FilterCache(LeastRecentlyUsed[Hashable, np.ndarray]):
    """Each filter's answer by key_of(filter), with its hits and misses; keys of None (filters
    that are not kept) are neither kept nor counted. Its owner (storage.filters.FilterIndex)
    calls it under the catalog's lock, which also orders it with the changes to the columns."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes, lambda vids: vids)
        self.hits = self.misses = 0

    def get(self, key: Hashable | None) -> np.ndarray | None:
        if key is None or not self.max_bytes:
            return None
        found = super().get(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, key: Hashable | None, value: np.ndarray) -> None:
        if key is not None:
            super().put(key, value)
