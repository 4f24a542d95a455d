"""Crash safety: ingests killed with SIGKILL at each named point of a write never lose
acknowledged creators, never leave half a batch, and always leave an index that opens and
passes `check`."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from benchmarks import datagen
from index.faults import ENV as FAULT
from index.faults import POINTS
from recommender.embedding import HashEmbedder
from recommender.service import Recommender

CLI = str(Path(sys.executable).with_name("creator-match"))
ENV = {**os.environ, "CREATOR_MATCH_MODEL": "hash-64"}


def batch(path: Path, prefix: str, n: int, seed: int) -> set[str]:
    """n generated creators with ids prefix_0..., written as JSONL; returns their ids."""
    records = []
    for i, rec in enumerate(datagen.generate(n, seed=seed)):
        rec["id"] = f"{prefix}_{i}"
        records.append(rec)
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return {r["id"] for r in records}


def test_sigkill_at_every_point_of_a_write(tmp_path):
    """Each ingest dies at a named point of its write (CREATOR_MATCH_FAULT), so every kill lands
    where it is meant to whatever the machine's speed: before the commit the batch is absent,
    after it the batch is whole, and the index always opens and passes `check`."""
    index = tmp_path / "index"
    # a clean ingest, then one dying at each point, three times over; a clean one to finish
    plan = [*[None, *POINTS] * 3, None]
    acknowledged: set[str] = set()
    committed: set[str] = set()
    for round_, point in enumerate(plan):
        file = tmp_path / f"batch{round_}.jsonl"
        ids = batch(file, f"r{round_}", 250, round_)
        env = dict(ENV)
        if point is not None:
            env[FAULT] = point
        r = subprocess.run([CLI, "ingest", str(file), "--index", str(index), "--quiet"],
                           env=env, capture_output=True, text=True, cwd=tmp_path, timeout=300)
        if point is None:
            assert r.returncode == 0 and "added 250" in r.stdout, r.stdout + r.stderr
            acknowledged |= ids
        else:
            assert r.returncode == -signal.SIGKILL, f"{point}: {r.returncode} {r.stderr}"
            assert "added" not in r.stdout
        if point is None or POINTS.index(point) >= POINTS.index("after-commit"):
            committed |= ids
        check = subprocess.run([CLI, "check", "--index", str(index)], env=ENV, cwd=tmp_path,
                               capture_output=True, text=True)
        assert check.returncode == 0, f"after a kill at {point}: {check.stdout}{check.stderr}"
        with Recommender(index, create=True, embedder=HashEmbedder(64)) as rec:
            present = {cid for cid in ids if rec.catalog.vid_of(cid) is not None}
            assert present == (ids if ids <= committed else set()), f"kill at {point}"
            assert all(rec.catalog.vid_of(cid) is not None for cid in committed | acknowledged)
            assert len(rec) == rec.catalog.count() == len(committed)
    # the temporary files of the killed writes are gone after the next whole write
    assert not list(index.glob(".*.tmp"))


def test_a_crash_point_that_does_not_exist_is_refused(tmp_path):
    batch(tmp_path / "a.jsonl", "a", 3, 0)
    r = subprocess.run([CLI, "ingest", str(tmp_path / "a.jsonl"), "--index",
                        str(tmp_path / "index")], env={**ENV, FAULT: "mid-commit"},
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode != 0 and "mid-commit" in r.stderr and "after-commit" in r.stderr


def test_two_writer_processes(tmp_path):
    """Two ingests at once on one index: the second waits for the lock; nothing is lost."""
    index = tmp_path / "index"
    env = ENV
    files = [tmp_path / f"w{w}.jsonl" for w in range(2)]
    for w, f in enumerate(files):
        batch(f, f"w{w}", 400, w)
    procs = [subprocess.Popen([CLI, "ingest", str(f), "--index", str(index), "--quiet"],
                              env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for f in files]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    with Recommender(index, create=True, embedder=HashEmbedder(64)) as rec:
        assert rec.catalog.count() == 800 == len(rec)
        assert rec.check() == []


def test_corrupt_files_are_reported_by_check(tmp_path):
    index = tmp_path / "index"
    env = ENV
    src = datagen.write_jsonl(tmp_path / "a.jsonl", 50, seed=1)
    subprocess.run([CLI, "ingest", str(src), "--index", str(index)], env=env, check=True,
                   capture_output=True)
    vec = next(index.glob("vectors.*.faiss"))
    vec.write_bytes(vec.read_bytes()[: vec.stat().st_size // 2])  # truncated
    r = subprocess.run([CLI, "match", "--index", str(index), "--brief", "x"], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 3 and vec.name in r.stderr and "--repair" in r.stderr
    r = subprocess.run([CLI, "check", "--index", str(index)], env=env, capture_output=True,
                       text=True)
    assert r.returncode == 3 and "checksum mismatch" in r.stdout and "--repair" in r.stdout
    r = subprocess.run([CLI, "check", "--index", str(index), "--repair"], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0 and "ok: 50 creators" in r.stdout
    cat = index / "catalog.sqlite"
    data = bytearray(cat.read_bytes())
    data[:100] = b"\0" * 100  # the SQLite header destroyed
    cat.write_bytes(bytes(data))
    for p in index.glob("catalog.sqlite-*"):
        p.unlink()
    r = subprocess.run([CLI, "check", "--index", str(index)], env=env, capture_output=True,
                       text=True)
    assert r.returncode == 3 and "catalog.sqlite" in r.stderr and "Traceback" not in r.stderr


def _open_catalog(path: str, barrier, errors) -> None:
    from recommender.storage.catalog import Catalog
    barrier.wait()
    try:
        Catalog(path).close()
    except Exception as e:
        errors.put(repr(e))


def test_processes_opening_a_new_catalog_at_once(tmp_path):
    """Switching a new file to WAL answers 'locked' without waiting: every opener must retry,
    and exactly one initialises the metadata."""
    import multiprocessing as mp

    from recommender.storage import migrations
    from recommender.storage.catalog import Catalog
    ctx = mp.get_context("fork")
    errors = ctx.Queue()
    for round_ in range(40):
        path = str(tmp_path / f"c{round_}.sqlite")
        barrier = ctx.Barrier(4)
        procs = [ctx.Process(target=_open_catalog, args=(path, barrier, errors))
                 for _ in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        found = []
        while not errors.empty():
            found.append(errors.get())
        assert not found, f"round {round_}: {found}"
        cat = Catalog(path)
        assert cat.generation == 0 and cat.get_meta("migration") == str(len(migrations.STEPS))
        cat.close()
