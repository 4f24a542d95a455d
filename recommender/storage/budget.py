"""What the catalog keeps in memory between matches, within a byte budget: the budget's setting
(megabytes, from an environment variable; 0 turns a cache off) and the store that holds to it,
least recently used first out (postcache.py, filtercache.py)."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

import numpy as np

from ..errors import InvalidInputError

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def megabytes(variable: str, default: int) -> int:
    """The budget in bytes that `variable` sets (`default` MB when unset or empty); a setting
    that is not a number is named."""
    setting = os.environ.get(variable) or str(default)
    try:
        mb = float(setting)
    except ValueError:
        raise InvalidInputError(f"{variable}: {setting!r} is not a number of megabytes (0 "
                                "turns the cache off)") from None
    return max(0, int(mb * 2**20))


class LeastRecentlyUsed(Generic[K, V]):
    """Values by key within max_bytes (a value's size is that of its array, `array(value)`),
    the least recently used dropped first. An array kept is made read-only: matches share it.
    Not locked: its owner locks."""

    def __init__(self, max_bytes: int, array: Callable[[V], np.ndarray]) -> None:
        self.max_bytes = max_bytes
        self._array = array
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._bytes = 0

    def __contains__(self, key: K) -> bool:
        return key in self._entries

    def get(self, key: K) -> V | None:
        if not self.max_bytes:
            return None
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        """Keep value (in place of key's value before), unless it alone is over the budget."""
        array = self._array(value)
        if not self.max_bytes or array.nbytes > self.max_bytes:
            return
        array.flags.writeable = False
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= self._array(old).nbytes
        self._entries[key] = value
        self._bytes += array.nbytes
        while self._bytes > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= self._array(dropped).nbytes

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0
