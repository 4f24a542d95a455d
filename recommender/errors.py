"""creator-match's errors: one family, so the CLI and the HTTP API turn each kind into its exit
code or status at the edge, and an unexpected error (a bug) stays one.

    CreatorMatchError       the base
    ├── InvalidInputError   a brief, a filter or a record the caller can fix (also a ValueError)
    │   └── IngestRejected  a strict ingest found bad records and wrote nothing
    ├── NotFoundError       no creator with that id (also a KeyError)
    └── ModelMismatchError  the index was built with another model or precision

The index directory's own errors (``index.store``: a damaged file, another writer holding the
lock) are ``index.store.IndexStoreError``: the vector package knows nothing of this one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .records import RecordError


def shown(text: str, limit: int = 80) -> str:
    """A caller's value, quoted for a message, at most limit characters of it."""
    return repr(text[:limit]) + ("…" if len(text) > limit else "")


class CreatorMatchError(Exception):
    """Base of creator-match's own errors."""


class InvalidInputError(CreatorMatchError, ValueError):
    """Input the caller can fix; the message names the field and the fix."""


class IngestRejected(InvalidInputError):
    """A strict ingest found bad records and wrote nothing."""

    def __init__(self, errors: list[RecordError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} bad record(s); nothing was written (strict mode)")


class NotFoundError(CreatorMatchError, KeyError):
    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "not found"


class ModelMismatchError(CreatorMatchError):
    """The index was built with another embedding model than the one asked for."""


def nearest(value: str, known: list[str]) -> str | None:
    """The known value a mistyped one most likely meant: a code the value starts with ("France"
    -> FR, "french" -> fr), else the closest spelling ("gamng" -> gaming)."""
    import difflib

    low = value.lower()
    for k in known:
        if len(k) >= 2 and low.startswith(k.lower()):
            return k
    close = difflib.get_close_matches(low, [k.lower() for k in known], n=1, cutoff=0.6)
    return next((k for k in known if close and k.lower() == close[0]), None)
