"""Named crash points for fault-injection tests: a write dies exactly where a test says.

With ``CREATOR_MATCH_FAULT=<point>`` in its environment, a process kills itself with SIGKILL the
first time it reaches that point of a write, just as ``kill -9`` or a power cut would at that
instant. The crash tests use it to put every kill where it is meant to land, whatever the
machine's speed; unset (always, outside tests), each point costs one environment look-up.
"""

from __future__ import annotations

import os
import signal

ENV = "CREATOR_MATCH_FAULT"

#: The points, in the order a write reaches them.
POINTS = (
    "encoded",                 # texts encoded, nothing written yet
    "before-commit",           # the catalog transaction written, not committed
    "after-commit",            # committed (the acknowledgement point), vectors not yet saved
    "snapshot-half-written",   # half of the new vector file in its temporary file
    "snapshot-before-rename",  # the new vector file whole and fsynced, not yet renamed
    "manifest-half-written",   # half of the new manifest in its temporary file
    "manifest-before-rename",  # the new manifest whole and fsynced, not yet renamed
)


def crash_point(name: str) -> None:
    """Die here if the environment names this point; a name not in POINTS is a caller's bug."""
    if name not in POINTS:
        raise ValueError(f"unknown crash point {name!r}; known: {', '.join(POINTS)}")
    wanted = os.environ.get(ENV)
    if wanted is None:
        return
    if wanted not in POINTS:
        raise ValueError(f"{ENV}={wanted!r} names no crash point; known: {', '.join(POINTS)}")
    if wanted == name:
        os.kill(os.getpid(), signal.SIGKILL)
