"""Every shard's catalog read as one: what the coordinator (sharding.ShardedRecommender) reads
by a creator's global vid (`local vid * N + shard`), by id or by handle, each call sent to the
shards that hold what it names, in one trip each, and answered as one catalog would answer.
A creator found in two shards is refused (OverlappingShardsError): their answers cannot be one
index's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .errors import InvalidInputError, shown
from .pool import CreatorRow
from .schema import Filters
from .shards import OverlappingShardsError, Shard, gather


class _ShardedFilters:
    def __init__(self, owner: ShardedCatalog) -> None:
        self.owner = owner

    def vocabularies(self, columns: list[str]) -> dict[str, list[str]]:
        """Each column's values over every shard: one call a shard for all the columns."""
        return self.asked_vocabularies(columns)()

    def asked_vocabularies(self, columns: list[str]) -> Callable[[], dict[str, list[str]]]:
        """vocabularies, asked of every shard now and read when the answer is called for (a
        match asks while it encodes its brief)."""
        calls = [s.submit("vocabularies", columns) for s in self.owner.shards]

        def answer() -> dict[str, list[str]]:
            values: dict[str, set[str]] = {c: set() for c in columns}
            for got in gather(calls):
                for c, known in got.items():
                    values[c].update(known)
            return {c: sorted(v) for c, v in values.items()}

        return answer

    def counts_alone(self, f: Filters) -> dict[str, int]:
        out: dict[str, int] = {}
        for got in self.owner.all("counts_alone", f):
            for name, n in got.items():
                out[name] = n if out.get(name, -1) < 0 else out[name] + max(n, 0)
        return out


class ShardedCatalog:
    """The catalog reads the answer flow makes, by global vid, routed to the shards."""

    def __init__(self, shards: Sequence[Shard]) -> None:
        self.shards = shards
        self.n = len(shards)
        self.filters = _ShardedFilters(self)

    def all(self, method: str, *args: Any) -> list[Any]:
        return gather([s.submit(method, *args) for s in self.shards])

    def split(self, gvids: Sequence[int] | np.ndarray) -> dict[int, list[int]]:
        """{shard: its local vids, in the order of gvids}: what per_shard asks each shard."""
        by: dict[int, list[int]] = {}
        for g in np.asarray(gvids, np.int64).tolist():
            local, shard = divmod(g, self.n)
            by.setdefault(shard, []).append(local)
        return by

    def global_vid(self, local: int, shard: int) -> int:
        return local * self.n + shard

    def per_shard(self, method: str, gvids: Sequence[int] | np.ndarray, *args: Any
                  ) -> list[tuple[int, Any]]:
        """(shard, its answer) of a per-vid read, each shard asked for its own vids only."""
        by = self.split(gvids)
        shards = sorted(by)
        got = gather([self.shards[s].submit(method, by[s], *args) for s in shards])
        return list(zip(shards, got, strict=True))

    def _by_vid(self, method: str, gvids: Sequence[int] | np.ndarray) -> dict[int, Any]:
        """{global vid: answer} of a per-vid read."""
        return {self.global_vid(local, s): value for s, part in self.per_shard(method, gvids)
                for local, value in part.items()}

    def rows(self, gvids: Sequence[int] | np.ndarray) -> dict[int, CreatorRow]:
        out = self._by_vid("rows", gvids)
        for g, row in out.items():
            row.vid = g
        return self.distinct(out)

    def distinct(self, rows: dict[int, CreatorRow]) -> dict[int, CreatorRow]:
        """The rows, refused when one creator comes from two shards (directories that
        overlap, such as a shard listed beside the index it was split from): the answer would
        hold that creator twice."""
        seen: dict[str, int] = {}
        for g, row in rows.items():
            other = seen.setdefault(row.id, g)
            if other != g:
                a, b = sorted((self.shards[other % self.n].name, self.shards[g % self.n].name))
                raise OverlappingShardsError(
                    f"creator {shown(row.id)} is in two of the shards given, {a} and {b}: "
                    "shards must not overlap; serve the shards of one sharded ingest, or "
                    "one index")
        return rows

    def vids_of(self, ids: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for s, got in enumerate(self.all("vids_of", list(ids))):
            out.update((cid, local * self.n + s) for cid, local in got.items())
        return out

    def vid_of(self, creator_id: str) -> int | None:
        return self.vids_of([creator_id]).get(creator_id)

    def records(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for got in self.all("records", list(ids)):
            out.update(got)
        return out

    def record(self, creator_id: str) -> dict[str, Any] | None:
        return self.records([creator_id]).get(creator_id)

    def resolve(self, ref: str) -> str | None:
        """As Catalog.resolve, over every shard: an id, else a handle no two creators share."""
        found: list[tuple[str, str]] = []
        for got in self.all("lookup", ref):
            if got and got[0] == (ref, ""):
                return ref
            found += got
        found.sort()
        if len(found) > 1:
            listed = ", ".join(f"{cid} ({platform})" for cid, platform in found[:10])
            raise InvalidInputError(f"{shown(ref)} is the handle of {len(found)}"
                                    f"{'+' if len(found) > 10 else ''} creators: {listed}; "
                                    "give one of their ids")
        return found[0][0] if found else None
