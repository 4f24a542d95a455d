"""Tables of creators and of their posts (CSV files, Excel worksheets), read together: each
creator's row with its posts' rows, as one record (records.validate_record), and an error in
a post named at its own table's row and column."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

from . import spreadsheet
from .cells import platform_name
from .records import UNKNOWN_HINT, Parsed, RecordError, validate_record

CREATOR_COLUMNS = ("id", "handle", "platform", "followers", "country", "language", "categories",
                   "bio", "rate", "engagement_rate")
POST_COLUMNS = ("creator_id", "id", "text", "likes", "comments", "shares", "views", "sponsored",
                "posted_at")
REQUIRED_CREATOR_COLUMNS = ("id", "platform", "followers")
# a post needs no caption and no count (a platform hides likes; an export may leave a
# column out): what is left out is unknown, never 0
REQUIRED_POST_COLUMNS = ("creator_id", "id")


def csv_rows(data: bytes, file: str, parsed: Parsed) -> Table:
    """A CSV file as a table (Table)."""
    text, _ = spreadsheet.decode(data)
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=spreadsheet.delimiter(first))
    try:
        cells = next(reader)
    except StopIteration:
        return file, [], [], {}
    header = [spreadsheet.column(h) for h in cells]
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
    return file, header, rows, as_written(header, cells)


_POST_FIELD = re.compile(r"posts\[(\d+)\](?:\.(.+))?$")
# a table: (its name in errors, its header as ingest names the columns, (line, row) pairs,
# each column's name as the header writes it where that is another: errors name a column as
# the planner's sheet does, "Taux d'engagement" and not engagement_rate)
Table = tuple[str, list[str], list[tuple[int, dict]], dict[str, str]]


def as_written(header: list[str], cells: list[str]) -> dict[str, str]:
    """The header's names as its cells write them, where they differ."""
    return {h: c.strip() for h, c in zip(header, cells, strict=True) if h != c.strip()}


def _named(field: str, written: dict[str, str]) -> str:
    """An error's field ("followers", "likes") as the table's header writes its column."""
    head, dot, rest = field.partition(".")
    return written.get(head, head) + dot + rest


def cell_text(v: Any) -> str:
    """A workbook cell (or a JSON value) as a CSV would hold it: 12400 not 12400.0, dates in
    ISO 8601, a list or an object as JSON."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def posts_table(name: str, posts: list[tuple[int, dict]]) -> Table:
    """JSON records that are each one post with its author's fields (a_post()), as the flat
    table they make, each record a row at its line, its keys the columns as written."""
    keys = list(dict.fromkeys(k for _, cells in posts for k in cells))
    header = [spreadsheet.column(k) for k in keys]
    rows = [(line, {h: cell_text(cells.get(k)) for h, k in zip(header, keys, strict=True)})
            for line, cells in posts]
    return name, header, rows, as_written(header, keys)


def of_neither(column: str) -> bool:
    """Whether a column (its normalised name) is neither a creator's nor a post's: in a
    table of posts with their creators' columns (flat()), one the format does not have."""
    return column not in CREATOR_COLUMNS and column not in POST_COLUMNS


def not_read(post: dict[str, Any]) -> list[str]:
    """The fields of a record of a post (a_post()) that neither a creator's nor a post's
    columns hold, as the record writes them."""
    return [k for k in post if of_neither(spreadsheet.column(k))]


def a_post(obj: object) -> dict[str, Any] | None:
    """A JSON record that is one post with its author's fields, as a scraper's export of
    posts writes them ({"text": ..., "diggCount": ..., "authorMeta": {"name": ...,
    "fans": ...}}): its fields, an object's one level down named "authorMeta.name", when
    they make a flat table's row (flat()); None for any other record."""
    if not isinstance(obj, dict):
        return None
    cells: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(value, dict):
            cells.update((f"{key}.{k}", v) for k, v in value.items())
        else:
            cells[str(key)] = value
    names = [spreadsheet.column(k) for k in cells]
    # a record with posts of its own (posts, a profile scraper's latestPosts) is a creator's
    return cells if "posts" not in names and flat(names) else None


def xlsx_tables(data: bytes, file: str, parsed: Parsed) -> list[Table]:
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
            written: dict[str, str] = {}
            keep: list[int] = []
            rows: list[tuple[int, dict]] = []
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [cell_text(v) for v in values]
                if not any(c.strip() for c in cells):
                    continue
                if header is None:  # the first row with anything in it; unnamed columns out
                    keep = [i for i, c in enumerate(cells) if c.strip()]
                    header = [spreadsheet.column(cells[i]) for i in keep]
                    written = as_written(header, [cells[i] for i in keep])
                    continue
                rows.append((line, {header[j]: cells[i] if i < len(cells) else ""
                                    for j, i in enumerate(keep)}))
            if header is not None:
                tables.append((name, header, rows, written))
    finally:
        book.close()
    return tables


def _empty_to_none(d: dict) -> dict:
    return {k: (v if v.strip() != "" else None) for k, v in d.items()}


# what only a post has, its text or a count: a table holding one of these and a creator's
# followers is one row per post, each creator's columns repeated on its posts' rows (flat); a
# date or a sponsored column alone does not make one (a creators list's "date" added)
POST_ONLY = frozenset({"text", "likes", "comments", "shares", "views"})


def flat(header: list[str]) -> bool:
    """Whether a table is one row per post with its creator's columns repeated on each (a
    scraper's export of posts: username, followers, caption, likes on every row)."""
    return ("followers" in header and bool(POST_ONLY & set(header))
            and ("handle" in header or "creator_id" in header))


def split_flat(table: Table, parsed: Parsed) -> list[Table]:
    """A flat table (flat()) as the creators table and the posts table it holds, under its
    own name and row numbers: each creator from its first row (its id the creator_id column,
    else its handle without the "@"; rows of the same name on another platform, another
    account, named in parsed.errors and not read), each row a post (its id the id column,
    else "r" and the row's number), the columns of neither with the posts; a row that names
    no creator is named in parsed.errors. Any other table as it is."""
    name, header, rows, written = table
    if not flat(header):
        return [table]
    creator_cols = [c for c in CREATOR_COLUMNS if c in header and c != "id"]
    post_cols = [c for c in header if c == "id" or c not in (*CREATOR_COLUMNS, "creator_id")]
    unknown = [c for c in header if of_neither(c)]
    if unknown and not parsed.ignore_unknown:  # the table refused whole, as any other is
        parsed.errors.append(RecordError(name, 1, ",".join(written.get(c, c) for c in unknown),
                                         f"unknown column(s); {UNKNOWN_HINT}"))
        return []
    creators: list[tuple[int, dict]] = []
    posts: list[tuple[int, dict]] = []
    first: dict[str, tuple[int, str]] = {}  # each creator's first row: its line, its platform
    refused: set[tuple[str, str]] = set()  # (creator, platform) of another account's rows
    for line, row in rows:
        cid = (row.get("creator_id") or "").strip() or (row.get("handle") or "").strip().lstrip("@")
        if not cid:
            column = written.get(c := "creator_id" if "creator_id" in header else "handle", c)
            parsed.errors.append(RecordError(
                name, line, column, f"this table has a row per post, each naming its creator "
                f"in {column}, and this row's is empty"))
            continue
        platform = _platform_key(row.get("platform"))
        if cid not in first:
            first[cid] = (line, platform)
            creators.append((line, {"id": cid, **{c: row[c] for c in creator_cols}}))
        elif platform and first[cid][1] and platform != first[cid][1]:
            # one name on two platforms is two accounts: its posts here are not the first's
            if (cid, platform) not in refused:
                refused.add((cid, platform))
                column = written.get("platform", "platform")
                apart = ("give each account its own creator_id" if "creator_id" in header
                         else "add a creator_id column to tell them apart")
                parsed.errors.append(RecordError(
                    name, line, column,
                    f"{cid!r} is on {first[cid][1]} at {name}:{first[cid][0]} and on {platform} "
                    f"here: two accounts, and this table names them alike, so the rows of "
                    f"{platform} are not read; {apart}", cid))
            continue
        post = {c: row[c] for c in post_cols}
        post["id"] = post.get("id") or f"r{line}"
        posts.append((line, {"creator_id": cid, **post}))
    post_header = ["creator_id", *post_cols, *(["id"] if "id" not in post_cols else [])]
    return [(name, ["id", *creator_cols], creators, written),
            (name, post_header, posts, written)]


def _platform_key(cell: object) -> str:
    """A platform cell as compared between a creator's rows: as stored where it names a
    platform, as written (trimmed, lower case) where not (the record's check names it)."""
    text = str(cell or "").strip()
    try:
        return platform_name(text) if text else ""
    except ValueError:
        return text.lower()


def read_tables(tables: list[Table], parsed: Parsed) -> None:
    """Creator tables and post tables read together, posts attached to their creators; a
    flat table (one row per post) read as the two it holds (split_flat)."""
    tables = [part for table in tables for part in split_flat(table, parsed)]
    creators: list[tuple[str, int, dict]] = []
    posts: dict[str, list[tuple[str, int, dict]]] = {}
    handle_ids: set[str] = set()  # the ids taken from handles
    table_order = {name: i for i, (name, *_) in enumerate(tables)}
    headers = {name: written for name, _, _, written in tables}
    for name, header, rows, written in tables:
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
            parsed.errors.append(RecordError(name, 1, ",".join(written.get(c, c) for c in unknown),
                                             f"unknown column(s); {UNKNOWN_HINT}"))
            continue
        for c in unknown:
            c_as_written = written.get(c, c)
            parsed.leave_out(f"posts.{c_as_written}" if kind == "posts" else c_as_written,
                             len(rows))
        # a rate under a header that says "%" ("ER (%)": 3.2) is a percentage
        percent = spreadsheet.in_percent(written.get("engagement_rate", ""))
        for line, row in rows:
            for c in unknown:
                del row[c]
            rate = (row.get("engagement_rate") or "").strip()
            if percent and rate and "%" not in rate:
                row["engagement_rate"] = rate + "%"
            row = _empty_to_none(row)  # counts as spreadsheets write them: the schema reads them
            if kind == "posts":
                posts.setdefault(row["creator_id"] or "", []).append((name, line, row))
            elif by_handle and not (row.get("handle") or "").strip().lstrip("@"):
                parsed.errors.append(RecordError(
                    name, line, written.get("handle", "handle"), "this table has no id column, "
                    "so a creator's id is its handle, and this row's handle is empty"))
            else:
                if by_handle:
                    row["id"] = str(row["handle"]).strip().lstrip("@")
                    if row["id"] in handle_ids:  # one username on two platforms, say
                        first = next(f"{n}:{ln}" for n, ln, r in creators if r["id"] == row["id"])
                        parsed.errors.append(RecordError(
                            name, line, written.get("handle", "handle"),
                            f"handle {row['id']!r} is also the creator of "
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
        # an error in one of its posts is the posts table's row: name that row, that column;
        # each column as its table's header writes it
        for i, e in enumerate(parsed.errors[before:], start=before):
            m = _POST_FIELD.match(e.field)
            if m and int(m.group(1)) < len(own):
                pname, pline, _ = own[int(m.group(1))]
                parsed.errors[i] = RecordError(pname, pline,
                                               _named(m.group(2) or "post", headers[pname]),
                                               e.reason, e.record_id)
            elif e.file == name:
                parsed.errors[i] = RecordError(e.file, e.line, _named(e.field, headers[name]),
                                               e.reason, e.record_id)
        attached.update(linked)
    for cid, items in posts.items():
        if cid not in attached:
            for pname, pline, _ in items:
                parsed.errors.append(RecordError(
                    pname, pline, headers[pname].get("creator_id", "creator_id"),
                    f"no creator {cid!r} in the creator tables of this batch", cid or None))
