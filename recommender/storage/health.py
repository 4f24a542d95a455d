"""What `creator-match check` verifies, and what `--repair` may do: the catalog's structure
(SQLite's integrity check) and content (row checksums, FTS5's own check), the manifest and the
snapshot it names, counts; a repair restores everything from a healthy catalog, or nothing."""

from __future__ import annotations

import contextlib
from pathlib import Path

from index.store import SNAPSHOT_NAME, CorruptIndexError, Manifest, sha256_file

from .checksums import verify_cache, verify_creators
from .vectors import VectorStore


def stale_snapshots(path: Path) -> list[str]:
    """Snapshot files the manifest does not name (a crash between writing one and moving the
    manifest leaves one): harmless, removed by the next snapshot."""
    try:
        m = Manifest.read(path)
    except CorruptIndexError:
        m = None
    return sorted(p.name for p in path.glob("vectors.*.faiss")
                  if SNAPSHOT_NAME.fullmatch(p.name) and (m is None or p.name != m.index_file))


def check(store: VectorStore, repair: bool = False) -> list[str]:
    """Problems found in the index directory (empty when healthy). With repair, and a catalog
    whose structure and rows are sound: damaged cached vectors are dropped, the lexical index
    rebuilt from the records, and the vectors and manifest rebuilt from the catalog."""
    catalog, path = store.catalog, store.path
    problems: list[str] = []
    integrity = catalog.integrity_check()
    if integrity == "ok":  # what other processes wrote since this one read: not a problem
        # (a damaged snapshot another process wrote is named below, as the file's)
        with contextlib.suppress(CorruptIndexError):
            store.refresh()
    if integrity != "ok":
        problems.append(f"{catalog.path}: SQLite integrity check: {integrity}")
    try:  # none yet after a first write killed before its snapshot: not a problem, the
        m = Manifest.read(path)  # vectors were rebuilt from the catalog on open
    except CorruptIndexError as e:
        problems.append(str(e))
        m = None
    if m is not None:
        file = path / m.index_file
        if not file.exists():
            problems.append(f"{file}: missing")
        elif sha256_file(file) != m.index_sha256:
            problems.append(f"{file}: checksum mismatch")
        if m.generation > catalog.generation:
            problems.append(f"{path}: snapshot generation {m.generation} is ahead of the "
                            f"catalog's {catalog.generation}")
    if len(store) != catalog.count():
        problems.append(f"{path}: {len(store)} vectors for {catalog.count()} "
                        "creators in the catalog")
    damaged = list(verify_creators(catalog.db)) if integrity == "ok" else []
    if damaged:
        more = " ..." if len(damaged) > 5 else ""
        problems.append(
            f"{catalog.path}: {len(damaged)} creator row(s) damaged (content no longer "
            f"matches its checksum): {', '.join(damaged[:5])}{more}. No repair can restore "
            "them from the index: ingest their records again, or remove them "
            "(creator-match remove ID)")
    cache = verify_cache(catalog.db) if integrity == "ok" else []
    if cache:
        problems.append(f"{catalog.path}: {len(cache)} cached text vector(s) damaged; "
                        "--repair drops them, and ingesting their creators again re-encodes "
                        "them")
        if repair and not damaged:
            with store.writing(), catalog.db.write():
                catalog.texts.drop(cache)
    lexical = catalog.lexical.problem() if integrity == "ok" else None
    if lexical:
        problems.append(f"{catalog.path}: the lexical index is damaged ({lexical}); "
                        "--repair rebuilds it from the creators' records")
        if repair and not damaged:
            with store.writing(), catalog.db.write():
                catalog.lexical.rebuild()
    # a repair restores everything from a healthy catalog, or does nothing
    if (problems or m is None) and repair and integrity == "ok" and not damaged:
        store.restore()
    return problems
