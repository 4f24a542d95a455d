"""One creator record, decoded from a JSON line or a table's rows, into a validated record or
errors that name its file, line and field as the record writes it; and the batch they go into
(Parsed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from . import spreadsheet
from .cells import platform_name
from .errors import InvalidInputError
from .schema import Creator, Post, unknown_field_hint


@dataclass(frozen=True)
class RecordError:
    """Why one record was rejected: where it is, which field, what is wrong."""

    file: str
    line: int
    field: str
    reason: str
    record_id: str | None = None

    def __str__(self) -> str:
        rid = f" (id {self.record_id})" if self.record_id else ""
        return f"{self.file}:{self.line}{rid}: {self.field}: {self.reason}"

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "field": self.field, "reason": self.reason,
                "id": self.record_id}


def rejected_records(errors: list[RecordError]) -> int:
    """How many records the errors reject: one per creator id named (a table's creator is its
    row and its posts' rows, each of which may be wrong), one per line where no id could be
    read."""
    return len({("id", e.record_id) if e.record_id else (e.file, e.line) for e in errors})


@dataclass
class Parsed:
    records: list[Creator] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    # where each accepted record came from, for duplicate reports
    origins: dict[str, tuple[str, int]] = field(default_factory=dict)
    # leave out the fields and columns the ingest format does not have (an export's url,
    # full_name, ...) instead of rejecting their records and tables; `ignored` counts, for
    # each one left out ("url", "posts.url"), the records and rows it was left out of
    ignore_unknown: bool = False
    ignored: dict[str, int] = field(default_factory=dict)
    # the platform of every record that names none (a file of one platform's accounts: a
    # scraper's export of Instagram profiles says no platform), as platform_name stores it
    platform: str | None = None

    def __post_init__(self) -> None:
        if self.platform is not None:
            try:
                self.platform = platform_name(self.platform)
            except ValueError as e:
                raise InvalidInputError(f"platform: {e}") from None

    def leave_out(self, name: str, times: int = 1) -> None:
        self.ignored[name] = self.ignored.get(name, 0) + times


CREATOR_FIELDS = frozenset(Creator.model_fields)
POST_FIELDS = frozenset(Post.model_fields)
PLATFORM_HINT = ("for a file of one platform's accounts: ingest --platform NAME, platform=NAME "
                 "over HTTP")
UNKNOWN_HINT = ("to leave out what the format does not have: ingest --ignore-unknown, "
                "ignore_unknown=true over HTTP")


def known_fields(obj: dict, parsed: Parsed) -> dict:
    """The record without the fields a creator or a post does not have, each counted in
    parsed.ignored."""
    out = {k: v for k, v in obj.items() if k in CREATOR_FIELDS}
    for k in obj.keys() - CREATOR_FIELDS:
        parsed.leave_out(str(k))
    posts = out.get("posts")
    if isinstance(posts, list):
        kept = []
        for p in posts:
            if isinstance(p, dict):
                for k in p.keys() - POST_FIELDS:
                    parsed.leave_out(f"posts.{k}")
                p = {k: v for k, v in p.items() if k in POST_FIELDS}
            kept.append(p)
        out["posts"] = kept
    return out


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "record"


def validation_errors(e: ValidationError, file: str, line: int,
                      rid: str | None, written: dict[tuple, str] | None = None
                      ) -> list[RecordError]:
    """The errors of one record, each naming its field as the record writes it (written: the
    export's names of the fields export_named renamed, by location)."""
    return [RecordError(file, line, _loc(_as_written(err["loc"], written or {})),
                        f"not a field of the ingest format ({unknown_field_hint(err, Creator)});"
                        f" {UNKNOWN_HINT}" if err["type"] == "extra_forbidden"
                        else f"{err['msg']}; {PLATFORM_HINT}"
                        if err["type"] == "missing" and tuple(err["loc"]) == ("platform",)
                        else said(err), rid)
            for err in e.errors()]


def said(err: Any) -> str:
    """A validation error's message as a person reads it: what a validator of ours says, without
    pydantic's "Value error, " before it."""
    return str(err["msg"]).removeprefix("Value error, ")


def _as_written(loc: tuple, written: dict[tuple, str]) -> tuple:
    for n in (1, 3):  # a record's field, a post's field (posts, i, field)
        name = written.get(tuple(loc[:n])) if len(loc) >= n else None
        if name is not None:
            loc = (*loc[:n - 1], name, *loc[n:])
    return loc


def export_named(obj: dict) -> tuple[dict, dict[tuple, str], bool]:
    """A JSON record as an export names its fields (username, follower_count or
    followersCount, biography, and its posts' caption, like_count...: the names a table's
    columns may have, spreadsheet.ALIASES) with the ingest format's names, and without an id
    but with a handle, the handle without its "@" as its id, as a table without an id column
    takes it. Returns (the record, the name written of each field renamed by its location,
    whether the id is the handle). A field given under both names keeps the export's name,
    which validation then refuses, naming it."""
    written: dict[tuple, str] = {}

    def rename(d: dict, fields: frozenset[str], at: tuple) -> dict:
        # a record in this format (every key one of its fields) comes back as it is, uncopied
        out = d
        for key in [k for k in d if k not in fields and isinstance(k, str)]:
            name = spreadsheet.column(key)
            if name not in fields or name in out:
                continue
            if name == "id" and not at and spreadsheet.normal(key) != "id":
                continue  # a post's id (post_id) is no creator's
            out = dict(out) if out is d else out
            out[name] = out.pop(key)
            where = (*at, name)
            written[where] = key
        return out

    obj = rename(obj, CREATOR_FIELDS, ())
    posts = obj.get("posts")
    if isinstance(posts, list):
        named = [rename(p, POST_FIELDS, ("posts", i)) if isinstance(p, dict) else p
                 for i, p in enumerate(posts)]
        if any(a is not b for a, b in zip(named, posts, strict=True)):
            obj = {**obj, "posts": named}  # the caller's record is left as it was given
    handle = obj.get("handle")
    by_handle = False
    if obj.get("id") is None and isinstance(handle, str) and handle.strip("@ "):
        obj = {**obj, "id": handle.strip().lstrip("@")}
        by_handle = True
        written[("id",)] = written.get(("handle",), "handle")
    return obj, written, by_handle


def validate_record(obj: object, file: str, line: int, parsed: Parsed,
                    exported: bool = True) -> None:
    """Validate one decoded object and file it under records or errors. exported: the object
    is a JSON record, which may name its fields as an export does (export_named); a table's
    row has been named so by its header."""
    if not isinstance(obj, dict):
        parsed.errors.append(RecordError(file, line, "record", "expected a JSON object"))
        return
    written: dict[tuple, str] = {}
    by_handle = False
    if exported:
        obj, written, by_handle = export_named(obj)
    rid = obj.get("id") if isinstance(obj.get("id"), str) else None
    said = obj.get("platform")
    if parsed.platform and (said is None or (isinstance(said, str) and not said.strip())):
        obj = {**obj, "platform": parsed.platform}
    if parsed.ignore_unknown:
        obj = known_fields(obj, parsed)
    try:
        creator = Creator.model_validate(obj)
    except ValidationError as e:
        parsed.errors.extend(validation_errors(e, file, line, rid, written))
        return
    if creator.id in parsed.origins:
        f0, l0 = parsed.origins[creator.id]
        parsed.errors.append(RecordError(
            file, line, written.get(("id",), "id"),
            f"handle {creator.id!r} is also the creator of {f0}:{l0}: this record has no id, "
            "so its id is its handle; give each an id to tell them apart" if by_handle
            else f"duplicate id, first seen at {f0}:{l0}", creator.id))
        return
    parsed.origins[creator.id] = (file, line)
    parsed.records.append(creator)
