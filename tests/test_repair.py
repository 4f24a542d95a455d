"""`check` and `check --repair` over damaged index directories: damage is detected and named,
nothing outside the index is ever touched, and a repair either restores every creator from the
catalog or refuses."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import datagen
from index.store import CatalogMissingError, CorruptIndexError, Manifest
from recommender.embedding import HashEmbedder
from recommender.service import Recommender

CLI = str(Path(sys.executable).with_name("creator-match"))
ENV = {**os.environ, "CREATOR_MATCH_MODEL": "hash-64"}


def cli(*args):
    return subprocess.run([CLI, *map(str, args)], env=ENV, capture_output=True, text=True)


@pytest.fixture
def index(tmp_path):
    path = tmp_path / "index"
    with Recommender(path, create=True, embedder=HashEmbedder(64)) as rec:
        rec.ingest([datagen.write_jsonl(tmp_path / "a.jsonl", 40, seed=1)])
    return path


def manifest_with(path, **changes):
    raw = json.loads((path / "manifest.json").read_text())
    raw.update(changes)
    (path / "manifest.json").write_text(json.dumps(raw))


def test_repair_never_deletes_a_file_the_manifest_points_outside(index, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for pointer in ("../victim.txt", str(victim), "vectors.1.faiss/../../victim.txt"):
        manifest_with(index, index_file=pointer)
        r = cli("check", "--index", index)
        assert r.returncode == 3 and "index_file" in r.stdout and "--repair" in r.stdout
        r = cli("check", "--index", index, "--repair")
        assert r.returncode == 0 and "repaired" in r.stdout and "ok: 40 creators" in r.stdout
        assert victim.read_text() == "precious"
        assert cli("check", "--index", index).returncode == 0


@pytest.mark.parametrize("damage", ["missing", "empty"])
def test_a_lost_catalog_is_refused_and_the_vectors_kept(index, damage):
    catalog = index / "catalog.sqlite"
    for f in index.glob("catalog.sqlite*"):
        f.unlink()
    if damage == "empty":
        catalog.write_bytes(b"")
    before = sorted(p.name for p in index.iterdir())
    vectors = next(index.glob("vectors.*.faiss")).read_bytes()
    with pytest.raises(CatalogMissingError, match="source of truth"):
        Recommender(index, create=True, embedder=HashEmbedder(64))
    for args in (("check", "--index", index), ("check", "--index", index, "--repair"),
                 ("match", "--index", index, "--brief", "x"), ("stats", "--index", index)):
        r = cli(*args)
        assert r.returncode == 3, args
        assert "catalog.sqlite" in r.stdout + r.stderr and "Traceback" not in r.stderr
        assert "--repair" not in r.stdout + r.stderr  # it cannot help
    assert sorted(p.name for p in index.iterdir()) == before  # nothing created or deleted
    assert next(index.glob("vectors.*.faiss")).read_bytes() == vectors


@pytest.mark.parametrize("text", ["{trunc", "[]", "null", '"a string"'])
def test_an_unreadable_manifest_is_rebuilt_from_the_catalog(index, text):
    (index / "manifest.json").write_text(text)
    r = cli("check", "--index", index)
    assert r.returncode == 3 and "manifest" in r.stdout and "--repair" in r.stdout
    assert "Traceback" not in r.stderr
    r = cli("check", "--index", index, "--repair")
    assert r.returncode == 0 and "ok: 40 creators" in r.stdout, r.stdout + r.stderr
    assert Manifest.read(index).count == 40


@pytest.mark.parametrize("field, value, says", [
    ("dim", "abc", "dim: 'abc' is not a int"), ("dim", True, "dim: True is not a int"),
    ("dim", 0, "out of range"), ("generation", -1, ">= 0"),
    ("index_sha256", "zz", "SHA-256"), ("index_file", "catalog.sqlite", "index_file"),
    ("surprise", 1, "surprise: not a manifest field")])
def test_manifest_fields_are_checked(index, field, value, says):
    manifest_with(index, **{field: value})
    with pytest.raises(CorruptIndexError, match=says):
        Manifest.read(index)
    r = cli("check", "--index", index, "--repair")
    assert r.returncode == 0 and "ok: 40 creators" in r.stdout


def test_a_missing_required_field_is_named(index):
    raw = json.loads((index / "manifest.json").read_text())
    del raw["model"]
    (index / "manifest.json").write_text(json.dumps(raw))
    with pytest.raises(CorruptIndexError, match="model: missing"):
        Manifest.read(index)


def test_snapshots_left_by_a_crash_are_reported_and_then_removed(index, tmp_path):
    current = Manifest.read(index).index_file
    (index / "vectors.99999.faiss").write_bytes(b"left by a crash")
    r = cli("check", "--index", index)
    assert r.returncode == 0 and "vectors.99999.faiss" in r.stdout and "note:" in r.stdout
    r = cli("ingest", datagen.write_jsonl(tmp_path / "b.jsonl", 3, seed=9), "--index", index)
    assert r.returncode == 0
    names = {p.name for p in index.glob("vectors.*.faiss")}
    assert names == {Manifest.read(index).index_file} and current not in names


def test_a_flipped_bit_in_a_creators_record_is_named_not_a_crash(tmp_path):
    """A bit flipped inside a record (the file's structure intact, so SQLite's integrity check
    passes) is caught by the row's checksum: reads name the creator and the fix; check says
    no repair can restore it; re-ingesting the record heals it."""
    import sqlite3

    from benchmarks.datagen import generate
    from recommender.schema import Brief
    from recommender.storage.checksums import DamagedRowError

    records = list(generate(30, seed=4))
    victim = dict(records[7], bio="Unique velvet turtle knitting diaries")
    records[7] = victim
    src = tmp_path / "a.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    index = tmp_path / "index"
    assert cli("ingest", src, "--index", index).returncode == 0
    catalog = index / "catalog.sqlite"
    data = bytearray(catalog.read_bytes())
    at = data.find(b'"bio": "Unique velvet turtle')
    assert at > 0 and not list(index.glob("catalog.sqlite-wal"))
    data[at + 9] ^= 0x20  # "Unique" -> "unique", inside the record's JSON
    catalog.write_bytes(bytes(data))
    assert sqlite3.connect(catalog).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Recommender(index, create=True, embedder=HashEmbedder(64)) as rec:
        with pytest.raises(DamagedRowError, match=victim["id"]):
            rec.get(victim["id"])
        with pytest.raises(DamagedRowError, match=f"remove {victim['id']}"):
            rec.match(Brief(brief=victim["bio"], k=3))
    r = cli("check", "--index", index)
    assert r.returncode == 3 and victim["id"] in r.stdout and "damaged" in r.stdout
    r = cli("check", "--index", index, "--repair")
    assert r.returncode == 3 and "still:" in r.stdout and "Traceback" not in r.stderr
    assert cli("ingest", src, "--index", index).returncode == 0  # its record, written again
    assert cli("check", "--index", index).returncode == 0


def test_a_damaged_cached_vector_is_reported_dropped_and_encoded_again(index, tmp_path):
    import sqlite3

    db = sqlite3.connect(index / "catalog.sqlite")
    h = db.execute("SELECT hash FROM text_vectors LIMIT 1").fetchone()[0]
    db.execute("UPDATE text_vectors SET vector = zeroblob(length(vector)) WHERE hash=?", (h,))
    db.commit()
    db.close()
    r = cli("check", "--index", index)
    assert r.returncode == 3 and "1 cached text vector(s) damaged" in r.stdout
    r = cli("check", "--index", index, "--repair")
    assert r.returncode == 0 and "ok: 40 creators" in r.stdout
    with Recommender(index, create=True, embedder=HashEmbedder(64)) as rec:
        assert h not in rec.catalog.texts.get([h])


def test_a_damaged_lexical_index_is_rebuilt_from_the_records(index):
    import sqlite3

    db = sqlite3.connect(index / "catalog.sqlite")
    db.execute("UPDATE creator_text_content SET c0 = 'nothing like the record' WHERE id = 3")
    db.commit()
    db.close()
    r = cli("check", "--index", index)
    assert r.returncode == 3 and "lexical index is damaged" in r.stdout
    r = cli("check", "--index", index, "--repair")
    assert r.returncode == 0 and "ok: 40 creators" in r.stdout, r.stdout
    with Recommender(index, create=True, embedder=HashEmbedder(64)) as rec:
        [(_, body)] = rec.catalog.lexical.bodies([3])
        assert body != "nothing like the record" and rec.catalog.lexical.problem() is None
