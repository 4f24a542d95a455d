"""The Recommender over a real index directory, with the fast fake encoder."""

import json
import os
import random

import numpy as np
import pytest
from conftest import creator, write_jsonl

import index.faiss_backends as backends
from index.store import CorruptIndexError, DirLock, LockedError, Manifest
from recommender import datagen, lexical
from recommender.catalog import LEXICAL_VERSION
from recommender.embedding import HashEmbedder
from recommender.ranking import Ranker, Weights
from recommender.schema import Brief, Filters
from recommender.service import IngestRejected, ModelMismatchError, NotFoundError, Recommender


def ids_of(matches):
    return [m.creator_id for m in matches]


def snapshot(path):
    """Everything a reader sees of an index: manifest, vectors file and catalog content."""
    m = json.loads((path / "manifest.json").read_text())
    rec = Recommender(path, embedder=HashEmbedder())
    try:
        state = {cid: rec.get(cid)["record"] for cid in
                 sorted(r.id for r in rec.catalog.rows(rec.catalog.candidates(
                     Filters(min_followers=0))).values())}
        return m, (path / m["index_file"]).read_bytes(), state
    finally:
        rec.close()


def test_ingest_upsert_counts_and_cache(tmp_path, embedder):
    f = write_jsonl(tmp_path / "a.jsonl", [creator("a"), creator("b", "gaming stream")])
    rec = Recommender(tmp_path / "idx", embedder=embedder)
    r = rec.ingest([f])
    assert (r.added, r.updated, r.unchanged, r.rejected) == (2, 0, 0, 0)
    assert r.encoded_texts == len(set(embedder.encoded)) == 8
    embedder.encoded.clear()
    r = rec.ingest([f])
    assert (r.added, r.updated, r.unchanged) == (0, 0, 2) and embedder.encoded == []
    # a metadata change re-scores without re-encoding; one new post encodes just that text
    changed = creator("a", followers=9000)
    changed["posts"].append({"id": "p9", "text": "brand new post", "likes": 5, "comments": 1})
    r = rec.ingest([write_jsonl(tmp_path / "b.jsonl", [changed])])
    assert (r.added, r.updated) == (0, 1)
    assert embedder.encoded == ["brand new post"]
    assert rec.get("a")["record"]["followers"] == 9000
    assert len(rec) == 2


def test_match_explains_and_ranks(tmp_path, embedder):
    recs = [creator("zw", "zero waste shampoo bar refill"), creator("gm", "fps gaming stream"),
            creator("zw_big", "zero waste shampoo bar refill", followers=500_000)]
    rec = Recommender(tmp_path / "idx", embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", recs)])
    ms = rec.match(Brief(brief="zero waste shampoo bar", objective="ugc", k=3))
    assert ids_of(ms)[-1] == "gm"
    top = ms[0]
    assert set(top.components) == {"similarity", "values", "keywords", "tier_fit",
                                   "engagement", "authenticity"}
    assert top.components["values"] is None
    assert top.evidence and top.evidence[0].post_id.startswith("p")
    assert ms == sorted(ms, key=lambda m: -m.score)
    awareness = rec.match(Brief(brief="zero waste shampoo bar", objective="awareness", k=1))
    assert ids_of(awareness) == ["zw_big"]


def test_strict_rejects_whole_batch(tmp_path):
    rec = Recommender(tmp_path / "idx", embedder=HashEmbedder())
    rec.ingest([write_jsonl(tmp_path / "a.jsonl", [creator("a")])])
    before = snapshot(tmp_path / "idx")
    bad = write_jsonl(tmp_path / "b.jsonl", [creator("b"), "{oops", creator("a", followers=1)])
    with pytest.raises(IngestRejected) as e:
        rec.ingest([bad], strict=True)
    assert e.value.errors[0].line == 2
    assert snapshot(tmp_path / "idx") == before
    r = rec.ingest([bad])  # not strict: the good ones land, the bad one is reported
    assert (r.added, r.updated, r.rejected) == (1, 1, 1)


def test_failed_write_leaves_previous_index(tmp_path, monkeypatch):
    path = tmp_path / "idx"
    rec = Recommender(path, embedder=HashEmbedder())
    rec.ingest([write_jsonl(tmp_path / "a.jsonl", [creator("a"), creator("b", "gaming")])])
    before = snapshot(path)
    from recommender.catalog import Catalog

    def disk_full(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Catalog, "prune_cache", disk_full)  # fails inside the transaction
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
    rec = Recommender(path, embedder=HashEmbedder())
    rec.ingest([write_jsonl(tmp_path / "a.jsonl", [creator("a")])])
    import recommender.service as service

    def disk_full(p, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(service, "atomic_write", disk_full)
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
    again = Recommender(path, embedder=HashEmbedder())
    assert len(again) == 2
    assert sorted(ids_of(again.match(Brief(brief="gaming", k=5)))) == ["b", "c"]
    with pytest.raises(NotFoundError):
        again.get("a")
    assert again.check() == []


def test_large_indexes_snapshot_in_batches(tmp_path, monkeypatch):
    import recommender.service as service

    monkeypatch.setattr(service, "SNAPSHOT_ALWAYS_BELOW", 10)
    path = tmp_path / "idx"
    rec = Recommender(path, embedder=HashEmbedder())
    rec.ingest([datagen.write_jsonl(tmp_path / "a.jsonl", 100, seed=2)])
    first = json.loads((path / "manifest.json").read_text())["index_file"]
    rec.ingest([write_jsonl(tmp_path / "b.jsonl", [creator("one_more", "velvet turtle")])])
    assert json.loads((path / "manifest.json").read_text())["index_file"] == first  # 1% < 5%
    reader = Recommender(path, embedder=HashEmbedder())  # another process: snapshot + replay
    assert len(reader) == 101
    assert ids_of(reader.match(Brief(brief="velvet turtle", k=1))) == ["one_more"]
    rec.close()  # the writer snapshots what it wrote
    assert json.loads((path / "manifest.json").read_text())["index_file"] != first


def test_model_mismatch_names_both(tmp_path):
    Recommender(tmp_path / "idx", embedder=HashEmbedder(64)).ingest(
        [write_jsonl(tmp_path / "a.jsonl", [creator("a")])])
    with pytest.raises(ModelMismatchError, match="hash-64.*hash-32"):
        Recommender(tmp_path / "idx", embedder=HashEmbedder(32))
    assert Recommender(tmp_path / "idx", model="hash-64").embedder.name == "hash-64"


class _Int8Named(HashEmbedder):
    """Stands in for the int8 path, which names its model MODEL@int8."""

    @property
    def name(self) -> str:
        return super().name + "@int8"


def test_int8_and_other_paths_never_share_an_index(tmp_path):
    Recommender(tmp_path / "idx", embedder=_Int8Named(64)).ingest(
        [write_jsonl(tmp_path / "a.jsonl", [creator("a")])])
    with pytest.raises(ModelMismatchError, match="Set CREATOR_MATCH_PRECISION=int8"):
        Recommender(tmp_path / "idx", embedder=HashEmbedder(64))
    Recommender(tmp_path / "idx2", embedder=HashEmbedder(64)).ingest(
        [write_jsonl(tmp_path / "b.jsonl", [creator("b")])])
    with pytest.raises(ModelMismatchError, match="another precision than int8"):
        Recommender(tmp_path / "idx2", embedder=_Int8Named(64))


def test_corrupt_vector_file_is_detected_and_repaired(tmp_path):
    path = tmp_path / "idx"
    Recommender(path, embedder=HashEmbedder()).ingest(
        [write_jsonl(tmp_path / "a.jsonl", [creator("a"), creator("b", "gaming")])])
    vec = next(path.glob("vectors.*.faiss"))
    data = bytearray(vec.read_bytes())
    data[len(data) // 2] ^= 0xFF
    vec.write_bytes(bytes(data))
    with pytest.raises(CorruptIndexError, match=vec.name):
        Recommender(path, embedder=HashEmbedder())
    rec = Recommender(path, embedder=HashEmbedder(), recover=True)
    assert rec.check(repair=True)
    assert rec.check() == []
    assert len(Recommender(path, embedder=HashEmbedder())) == 2
    (path / "manifest.json").write_text("{trunc")
    with pytest.raises(CorruptIndexError, match="manifest"):
        Recommender(path, embedder=HashEmbedder())


def test_second_writer_fails_clearly(tmp_path):
    rec = Recommender(tmp_path / "idx", embedder=HashEmbedder(), lock_timeout=0.2)
    with DirLock(tmp_path / "idx"):
        with pytest.raises(LockedError, match=f"pid {os.getpid()}"):
            rec.ingest([write_jsonl(tmp_path / "a.jsonl", [creator("a")])])
    assert rec.ingest([tmp_path / "a.jsonl"]).added == 1


def test_remove_erases_everywhere(tmp_path, embedder):
    path = tmp_path / "idx"
    rec = Recommender(path, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "a.jsonl", [
        creator("secret", "unique purple elephant phrase"), creator("b", "gaming")])])
    assert ids_of(rec.match(Brief(brief="unique purple elephant phrase", k=1))) == ["secret"]
    assert rec.remove(["secret", "nobody"]) == ["secret"]
    with pytest.raises(NotFoundError):
        rec.get("secret")
    assert ids_of(rec.match(Brief(brief="unique purple elephant phrase", k=5))) == ["b"]
    stats = rec.stats()
    assert stats["creators"] == 1 and stats["cached_texts"] == 4  # only b's bio and posts
    rec.close()
    assert len(Recommender(path, embedder=HashEmbedder())) == 1


def random_filters(rng: random.Random) -> dict:
    f = {}
    if rng.random() < 0.5:
        f["tiers"] = rng.sample(["nano", "micro", "macro"], rng.randint(1, 2))
    if rng.random() < 0.4:
        f["countries"] = rng.sample(["FR", "GB", "US", "CA", "BE"], rng.randint(1, 2))
    if rng.random() < 0.4:
        f["languages"] = [rng.choice(["en", "fr"])]
    if rng.random() < 0.4:
        f["platforms"] = rng.sample(["instagram", "tiktok", "youtube", "x"], 2)
    if rng.random() < 0.4:
        f["categories"] = [rng.choice(["beauty", "fashion", "gaming", "sustainability"])]
    if rng.random() < 0.3:
        f["min_followers"] = rng.choice([500, 5_000, 50_000])
    if rng.random() < 0.3:
        f["max_followers"] = rng.choice([2_000, 80_000, 1_000_000])
    if rng.random() < 0.3:
        f["min_engagement_rate"] = rng.choice([0.01, 0.03, 0.06])
    return f


def passes(rec_dict: dict, tier: str, er, f: dict) -> bool:
    r = rec_dict
    return all([
        tier in f.get("tiers", [tier]),
        r.get("country") in f.get("countries", [r.get("country")]),
        r.get("language") in f.get("languages", [r.get("language")]),
        r["platform"] in f.get("platforms", [r["platform"]]),
        not f.get("categories") or set(r["categories"]) & set(f["categories"]),
        r["followers"] >= f.get("min_followers", 0),
        r["followers"] <= f.get("max_followers", 10**12),
        "min_engagement_rate" not in f or (er is not None and er >= f["min_engagement_rate"]),
        r["id"] not in f.get("exclude_ids", []),
    ])


@pytest.mark.parametrize("flat_max", [backends.FLAT_MAX, 50])
def test_every_filter_honoured_exactly(tmp_path, monkeypatch, flat_max):
    """Random filter combinations on flat and IVF indexes: every returned creator passes, and
    when fewer creators pass than k, all of them come back."""
    monkeypatch.setattr(backends, "FLAT_MAX", flat_max)
    src = datagen.write_jsonl(tmp_path / "gen.jsonl", 240, seed=3)
    rec = Recommender(tmp_path / "idx", embedder=HashEmbedder())
    rec.ingest([src])
    assert rec.stats()["index_kind"] == ("ivf" if flat_max == 50 else "flat")
    records = {json.loads(line)["id"]: json.loads(line) for line in open(src)}
    info = {cid: rec.get(cid) for cid in records}
    rng = random.Random(5)
    for _ in range(40):
        f = random_filters(rng)
        f["exclude_ids"] = rng.sample(sorted(records), 3)
        k = rng.choice([5, 20, 300])
        ms = rec.match(Brief(brief=rng.choice(["zero waste beauty", "gaming stream", "travel"]),
                             objective=rng.choice([None, "ugc", "awareness"]), k=k, filters=f))
        allowed = {cid for cid, r in records.items()
                   if passes(r, info[cid]["tier"], info[cid]["signals"]["engagement_rate"], f)}
        got = ids_of(ms)
        assert set(got) <= allowed, f
        assert len(got) == min(k, len(allowed)), f
        assert len(set(got)) == len(got)


def test_similar_and_unknown_tier(tmp_path):
    rec = Recommender(tmp_path / "idx", embedder=HashEmbedder())
    rec.ingest([write_jsonl(tmp_path / "a.jsonl", [
        creator("a", "zero waste shampoo"), creator("b", "zero waste shampoo bar"),
        creator("c", "fps gaming")])])
    got = ids_of(rec.similar("a", k=2))
    assert got == ["b", "c"]
    with pytest.raises(NotFoundError):
        rec.similar("zz")
    with pytest.raises(ValueError, match="unknown tier 'mega'"):
        rec.match(Brief(brief="x", filters={"tiers": ["mega"]}))


def test_diversity_keeps_near_duplicates_apart(tmp_path):
    from recommender.ranking import Ranker

    recs = [creator(f"dup{i}", "zero waste shampoo bar refill") for i in range(4)]
    recs.append(creator("other", "zero waste kitchen compost jars"))
    path = tmp_path / "idx"
    Recommender(path, embedder=HashEmbedder()).ingest([write_jsonl(tmp_path / "a.jsonl", recs)])
    plain = Recommender(path, embedder=HashEmbedder())
    diverse = Recommender(path, embedder=HashEmbedder(), ranker=Ranker(diversity=0.7))
    brief = Brief(brief="zero waste shampoo bar", k=2)
    assert ids_of(plain.match(brief))[1].startswith("dup")
    assert ids_of(diverse.match(brief))[1] == "other"


def test_grows_from_flat_to_ivf_and_reopens(tmp_path, monkeypatch):
    monkeypatch.setattr(backends, "FLAT_MAX", 100)
    rec = Recommender(tmp_path / "idx", embedder=HashEmbedder())
    rec.ingest([datagen.write_jsonl(tmp_path / "a.jsonl", 60, seed=1)])
    assert rec.stats()["index_kind"] == "flat"
    rec.ingest([datagen.write_jsonl(tmp_path / "b.jsonl", 200, seed=1)])
    assert rec.stats()["index_kind"] == "ivf" and len(rec) == 200
    q = rec.embedder.encode(["zero waste"])[0]
    again = Recommender(tmp_path / "idx", embedder=HashEmbedder())
    assert np.array_equal(again._index.search(q[None], 10)[1], rec._index.search(q[None], 10)[1])


def test_reader_sees_another_writers_commits(tmp_path):
    path = tmp_path / "idx"
    writer = Recommender(path, embedder=HashEmbedder())
    writer.ingest([write_jsonl(tmp_path / "a.jsonl", [creator("a")])])
    reader = Recommender(path, embedder=HashEmbedder())  # e.g. a running server
    writer.ingest([write_jsonl(tmp_path / "b.jsonl", [creator("b", "velvet turtle")])])
    writer.remove(["a"])
    assert ids_of(reader.match(Brief(brief="velvet turtle", k=5))) == ["b"]
    assert len(reader) == 1


@pytest.mark.parametrize("snapshots", [True, False])
def test_reader_filters_follow_another_writers_commits(tmp_path, monkeypatch, snapshots):
    """The in-memory filter and ranking columns take in another process's writes: a creator
    added, one whose country changed, one removed; reloaded when the writer's snapshot moved
    (its tombstones may be gone), else updated from the rows and tombstones it wrote."""
    import recommender.service as service

    if not snapshots:  # a large index: the writer's few changes leave the snapshot where it is
        monkeypatch.setattr(service, "SNAPSHOT_ALWAYS_BELOW", 0)
        monkeypatch.setattr(service, "SNAPSHOT_CHANGE_SHARE", 100.0)
    path = tmp_path / "idx"
    writer = Recommender(path, embedder=HashEmbedder())
    writer.ingest([write_jsonl(tmp_path / "a.jsonl", [creator("a"), creator("c")])])
    reader = Recommender(path, embedder=HashEmbedder())
    reloads = []
    forget = reader.catalog.forget_columns
    monkeypatch.setattr(reader.catalog, "forget_columns", lambda: (reloads.append(1), forget()))
    fr = {"countries": ["FR"]}
    assert sorted(ids_of(reader.match(Brief(brief="zero waste", k=5, filters=fr)))) == ["a", "c"]
    writer.ingest([write_jsonl(tmp_path / "b.jsonl", [
        creator("b", country="FR"), creator("c", country="BE")])])
    writer.remove(["a"])
    assert ids_of(reader.match(Brief(brief="zero waste", k=5, filters=fr))) == ["b"]
    assert ids_of(reader.match(Brief(brief="zero waste", k=5,
                                     filters={"countries": ["BE"]}))) == ["c"]
    assert bool(reloads) == snapshots


def test_tier_scheme_is_fixed_at_creation(tmp_path):
    path = tmp_path / "idx"
    rec = Recommender(path, embedder=HashEmbedder(), tiers="industry")
    rec.ingest([write_jsonl(tmp_path / "a.jsonl", [creator("a", followers=50_000)])])
    assert rec.get("a")["tier"] == "micro"  # industry: micro is 10k-100k
    again = Recommender(path, embedder=HashEmbedder())
    assert again.tiers.name == "industry"
    with pytest.raises(ValueError, match="tier scheme 'industry'"):
        Recommender(path, embedder=HashEmbedder(), tiers="mission")


def test_exact_words_found_by_the_lexical_index(tmp_path, embedder):
    """A rare word (a product name) is found through BM25 even outside the dense pool, explained
    in matched_terms; removing the creator removes it from the lexical index too."""
    recs = [creator(f"c{i}", f"weekly thoughts about topic number {i}") for i in range(300)]
    recs.append(creator("kj", "my konjac sponge lasted three months"))
    rec = Recommender(tmp_path / "idx", embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", recs)])
    ms = rec.match(Brief(brief="konjac", k=5))
    assert ms[0].creator_id == "kj"
    assert ms[0].components["keywords"] == 1.0 and ms[0].matched_terms == ["konjac"]
    assert all(m.components["keywords"] == 0.0 for m in ms[1:])
    off = Recommender(tmp_path / "idx", embedder=embedder,
                      ranker=Ranker(weights=Weights(keywords=0.0)))
    m0 = off.match(Brief(brief="konjac", k=5))[0]
    assert m0.components["keywords"] is None and m0.matched_terms == []
    off.close()
    rec.remove(["kj"])
    assert "kj" not in ids_of(rec.match(Brief(brief="konjac", k=5)))
    terms, vids, _ = rec.catalog.bm25_search("konjac", 10)
    assert terms == [] and len(vids) == 0


def test_filtered_lexical_hits_keep_rank_order_and_the_limit(tmp_path, embedder):
    """Creators using a rare word, best BM25 first, among those a filter allows: tested in
    batches against the sorted ids (a set of a large filter's ids cost more than the search),
    with the same answer for unsorted ids, an empty filter, and more matches than a batch."""
    recs = [creator(f"k{i:03d}", ("konjac " * (1 + i % 7) if i % 3 == 0 else "loofah ")
                    + f"sponge number {i}") for i in range(900)]  # konjac: 300 of 900
    rec = Recommender(tmp_path / "idx", embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", recs)])
    cat = rec.catalog
    q = cat.lexical_query("konjac")
    q.rare = ["konjac"]  # common in this small set; the look-up is what is tested
    ranked = cat.lexical_hits(q, 1000)
    assert len(ranked) == 300
    allowed = np.sort(ranked[::2])  # the 140th allowed hit is past the first batch of rows
    got = cat.lexical_hits(q, 140, allowed)
    want = [v for v in ranked.tolist() if v in set(allowed.tolist())][:140]
    assert got.tolist() == want and len(want) == 140
    assert cat.lexical_hits(q, 140, allowed[::-1]).tolist() == want  # unsorted
    assert cat.lexical_hits(q, 10, allowed[:0]).tolist() == []
    terms, vids, scores = cat.bm25_search("konjac", 140, allowed)
    assert vids.tolist() == want and list(scores) == sorted(scores, reverse=True)
    rec.close()


def test_catalog_from_before_the_lexical_index_is_indexed_on_open(tmp_path, embedder):
    import sqlite3

    rec = Recommender(tmp_path / "idx", embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", [creator("a", "solid shampoo bar"),
                                                    creator("b", "retro gaming")])])
    rec.close()
    db = sqlite3.connect(tmp_path / "idx" / "catalog.sqlite")
    db.executescript("DROP TABLE creator_text_vocab; DROP TABLE creator_text;"
                     "DELETE FROM meta WHERE key='lexical_index';")
    db.close()
    rec = Recommender(tmp_path / "idx", embedder=embedder)
    terms, vids, scores = rec.catalog.bm25_search("shampoo", 10)
    assert terms == ["shampoo"] and len(vids) == 1 and scores[0] > 0
    assert rec.check() == []


def _assert_bm25_equals_fts5(rec, texts):
    for text in texts:
        terms, vids, scores = rec.catalog.bm25_search(text, 30)
        q = rec.catalog.lexical_query(text)
        assert q.terms == terms and len(vids)
        assert np.allclose(rec.catalog.lexical_scores(q, vids), scores, rtol=1e-5)


def test_python_bm25_equals_fts5(tmp_path, embedder):
    """lexical_scores (term vectors kept per creator, scored with numpy) gives FTS5's own
    bm25() to float precision, with the collection statistics read from FTS5's averages record;
    after an update and a removal too, and 0 for a creator without the words or without text."""
    recs = list(datagen.generate(120, seed=5))
    rec = Recommender(tmp_path / "idx", embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", recs)])
    assert rec.catalog._fts_averages()[0] == 120
    texts = ("solid shampoo bar zero waste", "Trousse de voyage zéro déchet", "kettlebell")
    _assert_bm25_equals_fts5(rec, texts)
    changed = dict(recs[0], bio="Kettlebell kettlebell swings, zéro déchet")
    rec.ingest([write_jsonl(tmp_path / "u.jsonl", [changed])])
    rec.remove([recs[1]["id"]])
    _assert_bm25_equals_fts5(rec, texts)
    q = rec.catalog.lexical_query("kettlebell")
    without = next(r["id"] for r in recs[2:] if "kettlebell" not in lexical.body(r).lower())
    unknown = max(rec.catalog.vid_of(r["id"]) or 0 for r in recs) + 1
    assert rec.catalog.lexical_scores(q, [rec.catalog.vid_of(without), unknown]).tolist() == \
        [0.0, 0.0]


def test_catalog_without_term_vectors_gets_them_on_open(tmp_path, embedder, caplog):
    """A catalog of lexical version 2 (before term vectors) is given them once, on open, and
    says so (minutes at millions of creators)."""
    import sqlite3

    recs = list(datagen.generate(80, seed=6))
    rec = Recommender(tmp_path / "idx", embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", recs)])
    rec.close()
    db = sqlite3.connect(tmp_path / "idx" / "catalog.sqlite")
    db.executescript("DROP TABLE term_vectors; UPDATE meta SET value='2' WHERE key='lexical_index';")
    db.close()
    rec = Recommender(tmp_path / "idx", embedder=embedder)
    assert "updating the lexical index of 80 creators from version 2 to 3" in caplog.text
    assert rec.catalog.get_meta("lexical_index") == LEXICAL_VERSION
    assert rec.catalog._db.execute("SELECT COUNT(*) FROM term_vectors").fetchone()[0] == 80
    _assert_bm25_equals_fts5(rec, ("solid shampoo bar zero waste", "Trousse de voyage zéro déchet"))
    rec.close()


def _vocab_df(cat) -> dict[str, int]:
    return dict(cat._db.execute("SELECT term, doc FROM creator_text_vocab").fetchall())


def test_term_frequencies_follow_every_write(tmp_path, embedder):
    """term_df (document frequencies kept with each write) always equals what FTS5's vocabulary
    counts: after ingest, an update that changes words, a removal, and for a catalog of
    lexical version 1 (before term_df), which is counted once on open."""
    import sqlite3

    recs = list(datagen.generate(60, seed=3))
    rec = Recommender(tmp_path / "idx", embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", recs)])
    df = dict(rec.catalog._db.execute("SELECT term, df FROM term_df").fetchall())
    assert df == _vocab_df(rec.catalog) and len(df) > 100
    changed = dict(recs[0], bio="Kombucha brewer and Zéro-déchet fan")
    rec.ingest([write_jsonl(tmp_path / "u.jsonl", [changed])])
    rec.remove([recs[1]["id"], recs[2]["id"]])
    df = dict(rec.catalog._db.execute("SELECT term, df FROM term_df").fetchall())
    assert df == _vocab_df(rec.catalog) and df["kombucha"] >= 1
    rec.close()
    db = sqlite3.connect(tmp_path / "idx" / "catalog.sqlite")
    db.executescript("DELETE FROM term_df; UPDATE meta SET value='1' WHERE key='lexical_index';")
    db.close()
    rec = Recommender(tmp_path / "idx", embedder=embedder)
    assert dict(rec.catalog._db.execute("SELECT term, df FROM term_df").fetchall()) == df
    assert rec.catalog.get_meta("lexical_index") == LEXICAL_VERSION
    rec.close()


def test_match_shortlist_equals_ranking_everything(tmp_path, embedder):
    """match scores the pool as columns and reads rows for a shortlist only (ties at its edge
    included); its answer is the head of rank(), which materialises every candidate."""
    rec = Recommender(tmp_path / "idx", embedder=embedder)
    rec.ingest([datagen.write_jsonl(tmp_path / "c.jsonl", 150, seed=4)])
    for brief in (Brief(brief="zero waste shampoo", k=5, objective="ugc"),
                  Brief(brief="thrift haul", values="honest reviews", k=12),
                  Brief(brief="gaming setup", k=7, filters={"tiers": ["micro"]})):
        ranked, _, _ = rec.rank(brief)
        assert ids_of(rec.match(brief)) == [c.row.id for c in ranked[: brief.k]]


@pytest.mark.parametrize("flat_max", [backends.FLAT_MAX, 50])
def test_pool_similarities_are_the_index_cosines(tmp_path, monkeypatch, flat_max):
    """The pool's similarity (and values similarity) of every candidate is the cosine with
    the index's copy of its vector, whether the search scored it (its own score is used) or
    only the lexical index found it (scored from the vector); exact and IVF alike."""
    monkeypatch.setattr(backends, "FLAT_MAX", flat_max)
    rec = Recommender(tmp_path / "idx", embedder=HashEmbedder(32))
    rec.ingest([datagen.write_jsonl(tmp_path / "c.jsonl", 300, seed=8)])
    for brief in (Brief(brief="zero waste shampoo", k=5),
                  Brief(brief="thrift haul denim", values="honest reviews", k=5,
                        filters={"tiers": ["micro", "nano"]})):
        pool, _, _ = rec._pool(brief)
        q = rec.embedder.encode([brief.brief] + ([brief.values] if brief.values else []))
        vecs = rec._index.reconstruct(pool.vids)
        assert np.allclose(pool.similarity, vecs @ q[0], atol=1e-4)
        if brief.values:
            assert np.allclose(pool.values_similarity, vecs @ q[1], atol=1e-4)
    # the search's own scores where it has them; only the others are decoded
    q = rec.embedder.encode(["gaming setup"])
    scores, ids = rec._index.search(q, 10)
    others = np.setdiff1d(rec._index._ids[:40], ids[0])
    vids = np.union1d(ids[0], others)
    decoded = []
    reconstruct = rec._index.reconstruct
    monkeypatch.setattr(rec._index, "reconstruct",
                        lambda v: decoded.append(np.asarray(v).tolist()) or reconstruct(v))
    sims = rec._similarities(vids, scores, ids, q, 0)
    assert decoded == [others.tolist()]
    assert np.allclose(sims[0], reconstruct(vids) @ q[0], atol=1e-4)


def test_concurrent_matches_answer_as_one_at_a_time(tmp_path):
    """Matches from many threads at once (the HTTP server's) each get the answer they get
    alone: the helper threads that apply filters beside the encoder share no state."""
    from concurrent.futures import ThreadPoolExecutor

    rec = Recommender(tmp_path / "idx", embedder=HashEmbedder(32))
    rec.ingest([datagen.write_jsonl(tmp_path / "c.jsonl", 200, seed=9)])
    briefs = [Brief(brief=b, k=6, filters=f) for b in ("zero waste shampoo", "thrift haul",
                                                         "gaming setup", "vegan recipes")
              for f in ({}, {"tiers": ["micro"]}, {"countries": ["FR"]})]
    alone = [ids_of(rec.match(b)) for b in briefs]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda b: ids_of(rec.match(b)), briefs * 4))
    assert together == alone * 4
    rec.close()
