"""The shortlist's post vectors, kept in memory between matches.

Every match re-scores its shortlist (30+ creators) from their posts' vectors; reading them from
SQLite, verifying their checksums and widening float16 to float32 was about a third of a match's
time on the demo index. Creators who fit popular briefs are shortlisted again and again, so the
vectors read are kept here, least recently used first out, within a byte budget
(CREATOR_MATCH_POST_CACHE_MB, default 128; 0 turns it off). Entries belong to the catalog
generation they were read at: a write anywhere (in this process or another) moves the
generation on and the next read starts afresh, so a changed post is never scored from memory.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from .budget import LeastRecentlyUsed, megabytes

Entry = tuple[list[str | None], np.ndarray]


def budget_from_env() -> int:
    return megabytes("CREATOR_MATCH_POST_CACHE_MB", 128)


class PostVectorCache:
    def __init__(self, max_bytes: int) -> None:
        self._kept: LeastRecentlyUsed[int, Entry] = LeastRecentlyUsed(max_bytes,
                                                                     lambda e: e[1])
        self._generation: int | None = None
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @property
    def max_bytes(self) -> int:
        return self._kept.max_bytes

    def get(self, vids: Sequence[int], generation: int) -> tuple[dict[int, Entry], list[int]]:
        """(the entries held for this generation, the vids to read)."""
        if not self.max_bytes:
            return {}, list(vids)
        found: dict[int, Entry] = {}
        missing: list[int] = []
        with self._lock:
            if generation != self._generation:
                self._kept.clear()
                self._generation = generation
            for vid in vids:
                entry = self._kept.get(vid)
                if entry is None:
                    missing.append(vid)
                else:
                    found[vid] = entry
            self.hits += len(found)
            self.misses += len(missing)
        return found, missing

    def put(self, entries: dict[int, Entry], generation: int) -> None:
        if not self.max_bytes:
            return
        with self._lock:
            if self._generation is None:
                self._generation = generation
            if generation != self._generation:
                return  # read for a generation already gone
            for vid, entry in entries.items():
                if vid not in self._kept:
                    self._kept.put(vid, entry)
