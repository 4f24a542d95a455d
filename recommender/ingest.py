"""Reading creator files (JSONL, a JSON array, or tables: CSV files or Excel workbooks of
creators and of their posts) into validated records and clear errors: each file by its
extension, records.py for one record, tables.py for the tables of one batch."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from .records import UNKNOWN_HINT, Parsed, RecordError, validate_record
from .tables import Table, a_post, csv_rows, not_read, posts_table, read_tables, xlsx_tables


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json_object(text: str) -> object:
    """json.loads that refuses NaN and Infinity, which JSON itself does not allow."""
    return json.loads(text, parse_constant=_reject_constant)


def read_jsonl(data: bytes, file: str, parsed: Parsed) -> None:
    """A JSON Lines file, a record a line; records that are each one post with its author's
    fields (tables.a_post) read together as the flat table they make."""
    posts: list[tuple[int, dict]] = []
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
        _record_or_post(obj, file, lineno, parsed, posts)
    if posts:
        read_tables([posts_table(file, posts)], parsed)


def _record_or_post(obj: object, file: str, line: int, parsed: Parsed,
                    posts: list[tuple[int, dict]]) -> None:
    """A decoded record validated, or kept among posts when it is one post with its
    author's fields."""
    post = a_post(obj)
    if post is None:
        validate_record(obj, file, line, parsed)
        return
    unknown = [] if parsed.ignore_unknown else not_read(post)
    if unknown:  # named at its own record, as any record's unknown field is
        parsed.errors.extend(RecordError(file, line, k, f"not a field of the ingest format; "
                                         f"{UNKNOWN_HINT}") for k in unknown)
    else:
        posts.append((line, post))


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
    posts: list[tuple[int, dict]] = []
    for i, obj in enumerate(items, start=1):
        _record_or_post(obj, f"{file} record", i, parsed, posts)
    if posts:
        read_tables([posts_table(f"{file} record", posts)], parsed)


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
            tables.append(csv_rows(data, name, parsed))
        elif suffix == ".xlsx":  # every sheet a table
            tables.extend(xlsx_tables(data, name, parsed))
        else:
            parsed.errors.append(RecordError(name, 0, "file",
                                             "unknown format: use .jsonl, .csv or .xlsx"))
    if tables:
        read_tables(tables, parsed)
    return parsed


def read_objects(objects: Iterable[object], source: str = "request",
                 ignore_unknown: bool = False, platform: str | None = None) -> Parsed:
    """Validate already-decoded records (the API's bulk upsert); 'line' is the 1-based position.
    Records that are each one post with its author's fields are read together, as a file's
    are (read_jsonl)."""
    parsed = Parsed(ignore_unknown=ignore_unknown, platform=platform)
    posts: list[tuple[int, dict]] = []
    for i, obj in enumerate(objects, start=1):
        _record_or_post(obj, source, i, parsed, posts)
    if posts:
        read_tables([posts_table(source, posts)], parsed)
    return parsed
