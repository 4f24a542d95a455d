"""The durable vector store (storage/vectors.py): failed writes, snapshots, repair, the writer
lock, growth from exact to IVF, and readers taking in another process's writes."""

import json
import os

import numpy as np
import pytest
from conftest import creator, ids_of, snapshot, write_jsonl

import index.faiss_backends as backends
from benchmarks import datagen
from index.store import CorruptIndexError, DirLock, LockedError, Manifest
from recommender.embedding import HashEmbedder
from recommender.schema import Brief, Filters
from recommender.service import NotFoundError, Recommender


def test_failed_write_leaves_previous_index(tmp_path, monkeypatch):
    path = tmp_path / "idx"
    rec = Recommender(path, create=True, embedder=HashEmbedder())
    rec.ingest([write_jsonl(tmp_path / "a.jsonl", [creator("a"), creator("b", "gaming")])])
    before = snapshot(path)
    from recommender.storage.textcache import TextCache

    def disk_full(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(TextCache, "prune", disk_full)  # fails inside the transaction
    with pytest.raises(OSError, match="No space"):
        rec.ingest([write_jsonl(tmp_path / "c.jsonl", [creator("c", "travel"),
                                                        creator("a", followers=7)])])
    monkeypatch.undo()
    assert snapshot(path) == before
    assert len(rec) == 2 and sorted(ids_of(rec.match(Brief(brief="gaming", k=5)))) == ["a", "b"]
    assert rec.get("a")["record"]["followers"] == 4200

def test_snapshot_failure_loses_nothing(tmp_path, monkeypatch):
    """The catalog commit is the acknowledgement: a vector file that cannot be written (disk
    full, crash before the manifest moved) is made up for by replay on the next open."""
    path = tmp_path / "idx"
    rec = Recommender(path, create=True, embedder=HashEmbedder())
    rec.ingest([write_jsonl(tmp_path / "a.jsonl", [creator("a")])])
    import recommender.storage.vectors as vectors

    def disk_full(p, data, **_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(vectors, "atomic_write", disk_full)
    r = rec.ingest([write_jsonl(tmp_path / "b.jsonl", [creator("b", "gaming")])])
    assert r.added == 1
    assert rec.remove(["a"]) == ["a"]
    assert not list(path.glob("*.tmp")) and len(list(path.glob("vectors.*"))) == 1
    monkeypatch.undo()
    monkeypatch.setattr(Manifest, "write", lambda self, d: (_ for _ in ()).throw(
        OSError("killed before the manifest moved")))
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", [creator("c", "travel")])])
    monkeypatch.undo()
    rec.catalog.close()  # as if the process died: no snapshot on close
    again = Recommender(path, create=True, embedder=HashEmbedder())
    assert len(again) == 2
    assert sorted(ids_of(again.match(Brief(brief="gaming", k=5)))) == ["b", "c"]
    with pytest.raises(NotFoundError):
        again.get("a")
    assert again.check() == []

def test_large_indexes_snapshot_in_batches(tmp_path, monkeypatch):
    import recommender.storage.vectors as vectors

    monkeypatch.setattr(vectors, "SNAPSHOT_ALWAYS_BELOW", 10)
    path = tmp_path / "idx"
    rec = Recommender(path, create=True, embedder=HashEmbedder())
    rec.ingest([datagen.write_jsonl(tmp_path / "a.jsonl", 100, seed=2)])
    first = json.loads((path / "manifest.json").read_text())["index_file"]
    rec.ingest([write_jsonl(tmp_path / "b.jsonl", [creator("one_more", "velvet turtle")])])
    assert json.loads((path / "manifest.json").read_text())["index_file"] == first  # 1% < 5%
    reader = Recommender(path, embedder=HashEmbedder())  # another process: snapshot + replay
    assert len(reader) == 101
    assert ids_of(reader.match(Brief(brief="velvet turtle", k=1))) == ["one_more"]
    rec.close()  # the writer snapshots what it wrote
    assert json.loads((path / "manifest.json").read_text())["index_file"] != first

def test_corrupt_vector_file_is_detected_and_repaired(tmp_path):
    path = tmp_path / "idx"
    Recommender(path, create=True, embedder=HashEmbedder()).ingest(
        [write_jsonl(tmp_path / "a.jsonl", [creator("a"), creator("b", "gaming")])])
    vec = next(path.glob("vectors.*.faiss"))
    data = bytearray(vec.read_bytes())
    data[len(data) // 2] ^= 0xFF
    vec.write_bytes(bytes(data))
    with pytest.raises(CorruptIndexError, match=vec.name):
        Recommender(path, create=True, embedder=HashEmbedder())
    rec = Recommender(path, create=True, embedder=HashEmbedder(), recover=True)
    assert rec.check(repair=True)
    assert rec.check() == []
    assert len(Recommender(path, create=True, embedder=HashEmbedder())) == 2
    (path / "manifest.json").write_text("{trunc")
    with pytest.raises(CorruptIndexError, match="manifest"):
        Recommender(path, create=True, embedder=HashEmbedder())

def test_second_writer_fails_clearly(tmp_path):
    rec = Recommender(tmp_path / "idx", create=True, embedder=HashEmbedder(), lock_timeout=0.2)
    with DirLock(tmp_path / "idx"), pytest.raises(LockedError, match=f"pid {os.getpid()}"):
        rec.ingest([write_jsonl(tmp_path / "a.jsonl", [creator("a")])])
    assert rec.ingest([tmp_path / "a.jsonl"]).added == 1

def test_grows_from_flat_to_ivf_and_reopens(tmp_path, monkeypatch):
    monkeypatch.setattr(backends, "FLAT_MAX", 100)
    rec = Recommender(tmp_path / "idx", create=True, embedder=HashEmbedder())
    rec.ingest([datagen.write_jsonl(tmp_path / "a.jsonl", 60, seed=1)])
    assert rec.stats()["index_kind"] == "flat"
    rec.ingest([datagen.write_jsonl(tmp_path / "b.jsonl", 200, seed=1)])
    assert rec.stats()["index_kind"] == "ivf" and len(rec) == 200
    q = rec.embedder.encode(["zero waste"])[0]
    again = Recommender(tmp_path / "idx", create=True, embedder=HashEmbedder())
    assert np.array_equal(again.store.index.search(q[None], 10)[1],
                          rec.store.index.search(q[None], 10)[1])

def test_reader_sees_another_writers_commits(tmp_path):
    path = tmp_path / "idx"
    writer = Recommender(path, create=True, embedder=HashEmbedder())
    writer.ingest([write_jsonl(tmp_path / "a.jsonl", [creator("a")])])
    reader = Recommender(path, create=True, embedder=HashEmbedder())  # e.g. a running server
    writer.ingest([write_jsonl(tmp_path / "b.jsonl", [creator("b", "velvet turtle")])])
    writer.remove(["a"])
    assert ids_of(reader.match(Brief(brief="velvet turtle", k=5))) == ["b"]
    assert len(reader) == 1

@pytest.mark.parametrize("snapshots", [True, False])
def test_reader_filters_follow_another_writers_commits(tmp_path, monkeypatch, snapshots):
    """The in-memory filter and ranking columns take in another process's writes: a creator
    added, one whose country changed, one removed; reloaded when the writer's snapshot moved
    (its tombstones may be gone), else updated from the rows and tombstones it wrote."""
    import recommender.storage.vectors as vectors

    if not snapshots:  # a large index: the writer's few changes leave the snapshot where it is
        monkeypatch.setattr(vectors, "SNAPSHOT_ALWAYS_BELOW", 0)
        monkeypatch.setattr(vectors, "SNAPSHOT_CHANGE_SHARE", 100.0)
    path = tmp_path / "idx"
    writer = Recommender(path, create=True, embedder=HashEmbedder())
    writer.ingest([write_jsonl(tmp_path / "a.jsonl", [creator("a"), creator("c")])])
    reader = Recommender(path, create=True, embedder=HashEmbedder())
    reloads = []
    forget = reader.catalog.filters.forget
    monkeypatch.setattr(reader.catalog.filters, "forget", lambda: (reloads.append(1), forget()))
    fr = {"countries": ["FR"]}
    assert sorted(ids_of(reader.match(Brief(brief="zero waste", k=5, filters=fr)))) == ["a", "c"]
    writer.ingest([write_jsonl(tmp_path / "b.jsonl", [
        creator("b", country="FR"), creator("c", country="BE")])])
    writer.remove(["a"])
    assert ids_of(reader.match(Brief(brief="zero waste", k=5, filters=fr))) == ["b"]
    assert ids_of(reader.match(Brief(brief="zero waste", k=5,
                                     filters={"countries": ["BE"]}))) == ["c"]
    assert bool(reloads) == snapshots


class _HeldEncoder(HashEmbedder):
    """Encodes texts holding 'SLOW' only once released: an ingest that is still encoding."""

    def __init__(self) -> None:
        super().__init__()
        import threading

        self.started, self.release = threading.Event(), threading.Event()

    def encode(self, texts):
        if any("SLOW" in t for t in texts):
            self.started.set()
            assert self.release.wait(120), "the test never released the encoder"
        return super().encode(texts)


def test_an_ingest_that_is_encoding_blocks_no_reader_and_no_writer(tmp_path):
    """While one writer encodes, another writer commits and a reader takes that in and
    answers: locks are held for the commit, not for the encoding (the wait timeouts below are
    safety nets, never reached unless a lock is held while encoding)."""
    import threading

    path = tmp_path / "idx"
    held = _HeldEncoder()
    slow = Recommender(path, create=True, embedder=held)
    slow.ingest([write_jsonl(tmp_path / "a.jsonl", [creator("a", "gaming setup")])])
    writer = threading.Thread(target=slow.ingest, args=(
        [write_jsonl(tmp_path / "s.jsonl", [creator("s", "SLOW zero waste")])],))
    writer.start()
    try:
        assert held.started.wait(60)
        other = Recommender(path, create=True, embedder=HashEmbedder(), lock_timeout=0.5)
        other.ingest([write_jsonl(tmp_path / "b.jsonl", [creator("b", "night train travel")])])
        answers: list = []
        reader = threading.Thread(target=lambda: answers.append(
            ids_of(slow.match(Brief(brief="night train travel", k=3)))))
        reader.start()
        reader.join(60)
        assert not reader.is_alive() and answers and "b" in answers[0]
        assert writer.is_alive()  # still encoding all along
    finally:
        held.release.set()
        writer.join(60)
    assert sorted(r.id for r in slow.catalog.rows(
        slow.catalog.filters.candidates(Filters(min_followers=0))).values()) == ["a", "b", "s"]
    other.close()
    slow.close()


def test_a_full_disk_is_named_and_the_index_kept(tmp_path):
    """SQLITE_FULL (the catalog's page limit stands in for a full disk) is a StorageFullError
    saying so, after a rollback of the whole write; the index answers as before."""
    from index.store import StorageFullError

    path = tmp_path / "idx"
    rec = Recommender(path, create=True, embedder=HashEmbedder())
    rec.ingest([write_jsonl(tmp_path / "a.jsonl", [creator("a", "gaming setup")])])
    pages = rec.catalog.db.rows("PRAGMA page_count")[0][0]
    rec.catalog.db.conn.execute(f"PRAGMA max_page_count = {pages}")
    big = [creator(f"b{i}", f"night train travel {i} " + "word " * 500) for i in range(50)]
    with pytest.raises(StorageFullError, match="disk is full.*nothing of this write was kept"):
        rec.ingest([write_jsonl(tmp_path / "b.jsonl", big)])
    assert rec.catalog.count() == 1 and rec.check() == []
    assert ids_of(rec.match(Brief(brief="gaming setup", k=3))) == ["a"]
    rec.close()


def test_a_read_only_index_answers_reads_and_refuses_writes_by_name(tmp_path, monkeypatch,
                                                                    capsys):
    """An index directory this process may not write (a read-only mount, another owner) still
    answers match, similar, stats, get and check; a write says why it cannot happen. (Tests run
    as root, whom permissions do not stop: os.access stands in for them.)"""
    from index.store import ReadOnlyIndexError
    from recommender import service
    from recommender.cli import main as cli_main

    path = tmp_path / "idx"
    with Recommender(path, create=True, embedder=HashEmbedder()) as rec:
        rec.ingest([write_jsonl(tmp_path / "a.jsonl", [creator("a", "gaming setup"),
                                                        creator("b", "night train")])])
    before = {p.name: p.read_bytes() for p in path.iterdir() if p.is_file()}
    monkeypatch.setattr(service.os, "access", lambda p, mode: False)
    with Recommender(path, create=True, embedder=HashEmbedder()) as rec:
        assert rec.catalog.db.read_only
        assert ids_of(rec.match(Brief(brief="gaming setup", k=1))) == ["a"]
        assert ids_of(rec.similar("a", k=1)) == ["b"]
        assert rec.stats()["creators"] == 2 and rec.get("b")["record"]["id"] == "b"
        assert rec.check() == []
        with pytest.raises(ReadOnlyIndexError, match="read-only"):
            rec.ingest([write_jsonl(tmp_path / "c.jsonl", [creator("c")])])
        with pytest.raises(ReadOnlyIndexError, match="read-only"):
            rec.remove(["a"])
    monkeypatch.setenv("CREATOR_MATCH_MODEL", "hash-64")
    assert cli_main(["stats", "--index", str(path)]) == 0
    assert cli_main(["check", "--index", str(path), "--repair"]) == 0  # nothing to repair
    assert cli_main(["remove", "a", "--index", str(path)]) == 3
    assert "read-only" in capsys.readouterr().err
    after = {p.name: p.read_bytes() for p in path.iterdir() if p.is_file()}
    assert {k: v for k, v in after.items() if not k.startswith((".", "catalog.sqlite-"))} == \
        {k: v for k, v in before.items() if not k.startswith((".", "catalog.sqlite-"))}
