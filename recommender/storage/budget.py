"""A cache's memory budget, set in megabytes by an environment variable (0 turns it off)."""

from __future__ import annotations

import os

from ..errors import InvalidInputError


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
