"""Reading creator files (JSONL, or tables: CSV files or Excel workbooks of creators and of
their posts) into validated records and clear errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import spreadsheet
from .cells import platform_name
from .errors import InvalidInputError
from .schema import Creator, Post, unknown_field_hint

CREATOR_COLUMNS = ("id", "handle", "platform", "followers", "country", "language", "categories",
                   "bio", "rate", "engagement_rate")
POST_COLUMNS = ("creator_id", "id", "text", "likes", "comments", "shares", "views", "sponsored",
                "posted_at")
REQUIRED_CREATOR_COLUMNS = ("id", "platform", "followers")
# a post needs no caption and no count (a platform hides likes; an export may leave a
# column out): what is left out is unknown, never 0
REQUIRED_POST_COLUMNS = ("creator_id", "id")


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


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


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
                        else err["msg"], rid)
            for err in e.errors()]


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


def parse_json_object(text: str) -> object:
    """json.loads that refuses NaN and Infinity, which JSON itself does not allow."""
    return json.loads(text, parse_constant=_reject_constant)


def read_jsonl(data: bytes, file: str, parsed: Parsed) -> None:
    for lineno, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            parsed.errors.append(RecordError(file, lineno, "record",
                                             f"not valid UTF-8 (byte {e.start})"))
            continue
        try:
            obj = parse_json_object(text)
        except (json.JSONDecodeError, ValueError, RecursionError) as e:
            parsed.errors.append(RecordError(file, lineno, "record", f"malformed JSON: {e}"))
            continue
        validate_record(obj, file, lineno, parsed)


def read_json_array(data: bytes, file: str, parsed: Parsed) -> None:
    """A .json file holding an array of records; an error names the record's position."""
    try:
        items = parse_json_object(data.decode("utf-8").lstrip("\ufeff"))
    except UnicodeDecodeError as e:
        parsed.errors.append(RecordError(file, 0, "file", f"not valid UTF-8 (byte {e.start})"))
        return
    except (json.JSONDecodeError, ValueError, RecursionError) as e:
        line = getattr(e, "lineno", 0)
        parsed.errors.append(RecordError(file, line, "file", f"malformed JSON: {e}"))
        return
    if not isinstance(items, list):
        parsed.errors.append(RecordError(file, 0, "file", "expected an array of records"))
        return
    for i, obj in enumerate(items, start=1):
        validate_record(obj, f"{file} record", i, parsed)


def _csv_rows(data: bytes, file: str, parsed: Parsed) -> tuple[list[str], list[tuple[int, dict]]]:
    text, _ = spreadsheet.decode(data)
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=spreadsheet.delimiter(first))
    try:
        header = [spreadsheet.column(h) for h in next(reader)]
    except StopIteration:
        return [], []
    rows: list[tuple[int, dict]] = []
    start = reader.line_num + 1
    try:
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                parsed.errors.append(RecordError(
                    file, line, "row", f"{len(row)} values for {len(header)} columns"))
                continue
            if any(re.search(r"[\udc80-\udcff]", c) for c in row):
                parsed.errors.append(RecordError(file, line, "record", "not valid UTF-8"))
                continue
            rows.append((line, dict(zip(header, row, strict=True))))
    except csv.Error as e:
        parsed.errors.append(RecordError(file, reader.line_num, "row", f"malformed CSV: {e}"))
    return header, rows


_POST_FIELD = re.compile(r"posts\[(\d+)\](?:\.(.+))?$")
# a table: (its name in errors, its header as ingest names the columns, (line, row) pairs)
Table = tuple[str, list[str], list[tuple[int, dict]]]


def _cell_text(v: Any) -> str:
    """A workbook cell as a CSV would hold it: 12400 not 12400.0, dates in ISO 8601."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    return str(v)


def _xlsx_tables(data: bytes, file: str, parsed: Parsed) -> list[Table]:
    """Each worksheet of an Excel workbook that has a header row, as a table named
    'file#sheet' (rows numbered as Excel numbers them); the values cells show, not formulas."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # a zip that is no workbook, a workbook openpyxl cannot read
        parsed.errors.append(RecordError(file, 0, "file", "not a readable Excel workbook "
                                         f"(.xlsx): {type(e).__name__}: {e}"[:300]))
        return []
    tables: list[Table] = []
    try:
        for sheet in book.worksheets:
            name = f"{file}#{sheet.title}"
            header: list[str] | None = None
            keep: list[int] = []
            rows: list[tuple[int, dict]] = []
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_cell_text(v) for v in values]
                if not any(c.strip() for c in cells):
                    continue
                if header is None:  # the first row with anything in it; unnamed columns out
                    keep = [i for i, c in enumerate(cells) if c.strip()]
                    header = [spreadsheet.column(cells[i]) for i in keep]
                    continue
                rows.append((line, {header[j]: cells[i] if i < len(cells) else ""
                                    for j, i in enumerate(keep)}))
            if header is not None:
                tables.append((name, header, rows))
    finally:
        book.close()
    return tables


def _empty_to_none(d: dict) -> dict:
    return {k: (v if v.strip() != "" else None) for k, v in d.items()}


def read_tables(tables: list[Table], parsed: Parsed) -> None:
    """Creator tables and post tables read together, posts attached to their creators."""
    creators: list[tuple[str, int, dict]] = []
    posts: dict[str, list[tuple[str, int, dict]]] = {}
    handle_ids: set[str] = set()  # the ids taken from handles
    table_order = {name: i for i, (name, _, _) in enumerate(tables)}
    for name, header, rows in tables:
        kind = "posts" if "creator_id" in header else "creators"
        required = REQUIRED_POST_COLUMNS if kind == "posts" else REQUIRED_CREATOR_COLUMNS
        # an export names its creators by handle (username) and has no id of ours: the handle,
        # without its "@", is then each creator's id
        by_handle = kind == "creators" and "id" not in header and "handle" in header
        missing = [c for c in required if c not in header and not (by_handle and c == "id")
                   and not (parsed.platform and c == "platform")]
        if not header or missing:
            parsed.errors.append(RecordError(
                name, 1, ",".join(missing) or "header",
                f"missing column(s) for a {kind} table; expected "
                f"{', '.join(POST_COLUMNS if kind == 'posts' else CREATOR_COLUMNS)}"))
            continue
        known = POST_COLUMNS if kind == "posts" else CREATOR_COLUMNS
        unknown = [c for c in header if c not in known]
        if unknown and not parsed.ignore_unknown:
            parsed.errors.append(RecordError(name, 1, ",".join(unknown),
                                             f"unknown column(s); {UNKNOWN_HINT}"))
            continue
        for c in unknown:
            parsed.leave_out(f"posts.{c}" if kind == "posts" else c, len(rows))
        for line, row in rows:
            for c in unknown:
                del row[c]
            row = _empty_to_none(row)  # counts as spreadsheets write them: the schema reads them
            if kind == "posts":
                posts.setdefault(row["creator_id"] or "", []).append((name, line, row))
            elif by_handle and not (row.get("handle") or "").strip().lstrip("@"):
                parsed.errors.append(RecordError(
                    name, line, "handle", "this table has no id column, so a creator's id is "
                    "its handle, and this row's handle is empty"))
            else:
                if by_handle:
                    row["id"] = str(row["handle"]).strip().lstrip("@")
                    if row["id"] in handle_ids:  # one username on two platforms, say
                        first = next(f"{n}:{ln}" for n, ln, r in creators if r["id"] == row["id"])
                        parsed.errors.append(RecordError(
                            name, line, "handle", f"handle {row['id']!r} is also the creator of "
                            f"{first}: this table has no id column, so a creator's id is its "
                            "handle; add an id column to tell them apart", row["id"]))
                        continue
                    handle_ids.add(row["id"])
                creators.append((name, line, row))
    attached: set[str] = set()
    for name, line, row in creators:
        cid = row.get("id") or ""
        # posts link to a creator by its id; to one whose id is its handle, by the handle with
        # or without its "@" as well
        linked = [cid, f"@{cid}"] if cid in handle_ids else [cid]
        own = sorted((p for key in linked for p in posts.get(key, [])),
                     key=lambda p: (table_order[p[0]], p[1]))  # as the tables list them
        row["posts"] = [{k: v for k, v in p.items() if k != "creator_id" and v is not None}
                        for _, _, p in own]
        for k in [k for k, v in row.items() if v is None]:
            del row[k]
        before = len(parsed.errors)
        validate_record(row, name, line, parsed, exported=False)
        # an error in one of its posts is the posts table's row: name that row, that column
        for i, e in enumerate(parsed.errors[before:], start=before):
            m = _POST_FIELD.match(e.field)
            if m and int(m.group(1)) < len(own):
                pname, pline, _ = own[int(m.group(1))]
                parsed.errors[i] = RecordError(pname, pline, m.group(2) or "post", e.reason,
                                               e.record_id)
        attached.update(linked)
    for cid, items in posts.items():
        if cid not in attached:
            for pname, pline, _ in items:
                parsed.errors.append(RecordError(
                    pname, pline, "creator_id",
                    f"no creator {cid!r} in the creator tables of this batch", cid or None))


def read_paths(paths: Iterable[str | Path], ignore_unknown: bool = False,
               platform: str | None = None) -> Parsed:
    """Parse every file (by extension: .jsonl/.json/.ndjson, .csv or .xlsx) into one batch;
    ignore_unknown: leave out the fields and columns the format does not have; platform: that
    of every record that names none (Parsed)."""
    parsed = Parsed(ignore_unknown=ignore_unknown, platform=platform)
    files: list[tuple[str, bytes]] = []
    for p in paths:
        path = Path(p)
        try:
            files.append((str(path), path.read_bytes()))
        except OSError as e:
            parsed.errors.append(RecordError(str(path), 0, "file", f"cannot read: {e.strerror}"))
    return read_files(files, parsed)


FILE_FORMATS = (".jsonl", ".ndjson", ".json", ".csv", ".xlsx")


def read_files(files: Iterable[tuple[str, bytes]], parsed: Parsed | None = None) -> Parsed:
    """Parse files given as (name, bytes), each by its name's extension, into one batch: the
    tables among them (CSV files, workbooks) are read together, so posts find their creators."""
    parsed = Parsed() if parsed is None else parsed
    tables: list[Table] = []
    for name, data in files:
        suffix = Path(name).suffix.lower()
        if suffix == ".json" and data.lstrip()[:1] == b"[":
            read_json_array(data, name, parsed)
        elif suffix in (".jsonl", ".ndjson", ".json"):
            read_jsonl(data, name, parsed)
        elif suffix == ".csv":
            tables.append((name, *_csv_rows(data, name, parsed)))
        elif suffix == ".xlsx":  # every sheet a table
            tables.extend(_xlsx_tables(data, name, parsed))
        else:
            parsed.errors.append(RecordError(name, 0, "file",
                                             "unknown format: use .jsonl, .csv or .xlsx"))
    if tables:
        read_tables(tables, parsed)
    return parsed


def read_objects(objects: Iterable[object], source: str = "request",
                 ignore_unknown: bool = False, platform: str | None = None) -> Parsed:
    """Validate already-decoded records (the API's bulk upsert); 'line' is the 1-based position."""
    parsed = Parsed(ignore_unknown=ignore_unknown, platform=platform)
    for i, obj in enumerate(objects, start=1):
        validate_record(obj, source, i, parsed)
    return parsed
