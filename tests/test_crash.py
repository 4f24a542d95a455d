"""Crash safety: ingests killed with SIGKILL at random points never lose acknowledged creators,
never leave half a batch, and always leave an index that opens and passes `check`."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from recommender import datagen
from recommender.embedding import HashEmbedder
from recommender.service import Recommender

CLI = str(Path(sys.executable).with_name("creator-match"))
KILLS = 20
ENV = {**os.environ, "CREATOR_MATCH_MODEL": "hash-64"}


def batch(path: Path, prefix: str, n: int, seed: int) -> set[str]:
    """n generated creators with ids prefix_0..., written as JSONL; returns their ids."""
    records = []
    for i, rec in enumerate(datagen.generate(n, seed=seed)):
        rec["id"] = f"{prefix}_{i}"
        records.append(rec)
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return {r["id"] for r in records}


def test_sigkill_during_ingest(tmp_path):
    index = tmp_path / "index"
    env = ENV
    rng = random.Random(20261123)
    acknowledged: set[str] = set()
    outcomes = {"finished": 0, "killed": 0}
    for round_ in range(KILLS):
        file = tmp_path / f"batch{round_}.jsonl"
        ids = batch(file, f"r{round_}", 250, round_)
        proc = subprocess.Popen([CLI, "ingest", str(file), "--index", str(index), "--quiet"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, cwd=tmp_path)
        time.sleep(rng.uniform(0.2, 2.0))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        if "added 250" in out:  # the summary is printed only after the commit
            acknowledged |= ids
            outcomes["finished"] += 1
        else:
            outcomes["killed"] += 1
        check = subprocess.run([CLI, "check", "--index", str(index)], env=env, cwd=tmp_path,
                               capture_output=True, text=True)
        if not index.joinpath("manifest.json").exists() and not acknowledged:
            continue  # killed before the very first commit: there is no index yet
        assert check.returncode == 0, check.stdout + check.stderr
        with Recommender(index, embedder=HashEmbedder(64)) as rec:
            present = {cid for cid in ids if rec.catalog.vid_of(cid) is not None}
            assert present in (set(), ids), "half a batch is visible"
            for cid in acknowledged:
                assert rec.catalog.vid_of(cid) is not None, cid
            assert len(rec) == rec.catalog.count()
    print(f"{KILLS} SIGKILLs: {outcomes}; {len(acknowledged)} acknowledged creators all present")
    assert outcomes["killed"] >= 5  # the kills really landed mid-run


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
    with Recommender(index, embedder=HashEmbedder(64)) as rec:
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
    from recommender.catalog import Catalog
    barrier.wait()
    try:
        Catalog(path).close()
    except Exception as e:  # noqa: BLE001 - reported to the parent
        errors.put(repr(e))


def test_processes_opening_a_new_catalog_at_once(tmp_path):
    """Switching a new file to WAL answers 'locked' without waiting: every opener must retry,
    and exactly one initialises the metadata."""
    import multiprocessing as mp

    from recommender.catalog import LEXICAL_VERSION, Catalog
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
        assert cat.generation == 0 and cat.get_meta("lexical_index") == LEXICAL_VERSION
        cat.close()
