"""The catalog's creator rows (storage/catalog.py), written and read directly."""

import numpy as np
import pytest

from recommender.storage.catalog import Catalog, StoredCreator


def stored(cid, text="zero waste shampoo", tier="micro", texts=()):
    vec = np.zeros(8, np.float32)
    vec[sum(map(ord, cid)) % 8] = 1.0
    sig = {"tier": tier, "engagement_rate": 0.04, "engagement": 0.5, "authenticity": 1.0,
           "flags": []}
    return StoredCreator(record={"id": cid, "handle": f"@{cid}", "platform": "instagram",
                                 "followers": 5000, "country": "FR", "language": "fr",
                                 "categories": ["beauty"], "bio": text,
                                 "posts": [{"id": "p1", "text": f"{text} post"}]},
                         record_hash=f"h-{cid}-{text}", signals=sig, vector=vec,
                         texts=list(texts))


def test_a_write_keeps_vids_and_moves_the_generation(tmp_path):
    cat = Catalog(tmp_path / "c.sqlite")
    with cat.transaction() as gen:
        vids = cat.write([stored("a"), stored("b")], gen)
    assert cat.generation == gen == 1 and cat.count() == 2
    with cat.transaction() as gen:
        again = cat.write([stored("b", "vintage denim", tier="nano"), stored("c")], gen)
    assert again[0] == vids[1] and again[1] > vids[1]  # an update keeps its vid
    rows = cat.rows(again)
    assert rows[again[0]].tier == "nano" and cat.record("b")["record"]["bio"] == "vintage denim"
    assert cat.record_hashes(["a", "b", "zz"]) == {"a": "h-a-zero waste shampoo",
                                                   "b": "h-b-vintage denim"}
    dead, written, vecs = cat.journal.changes_since(1)
    assert dead.tolist() == [] and written.tolist() == sorted(again) and vecs.shape == (2, 8)
    cat.close()


def test_a_failed_write_leaves_nothing(tmp_path):
    cat = Catalog(tmp_path / "c.sqlite")
    with cat.transaction() as gen:
        cat.write([stored("a")], gen)
    with pytest.raises(ValueError, match="same creator id twice"), cat.transaction() as gen:
        cat.write([stored("b"), stored("b")], gen)
    assert cat.count() == 1 and cat.generation == 1 and cat.vid_of("b") is None
    cat.close()


def test_remove_leaves_a_tombstone_and_forgets_unshared_texts(tmp_path):
    cat = Catalog(tmp_path / "c.sqlite")
    shared, own = "s" * 64, "o" * 64
    cat.texts.put({shared: np.ones(8, np.float32), own: np.ones(8, np.float32)})
    with cat.transaction() as gen:
        vids = cat.write([stored("a", texts=[(None, shared), ("p1", own)]),
                          stored("b", texts=[(None, shared)])], gen)
    with cat.transaction() as gen:
        assert cat.remove(["a", "nobody"], gen) == {"a": vids[0]}
    assert set(cat.texts.get([shared, own])) == {shared}  # b still holds the shared text
    dead, _, _ = cat.journal.changes_since(1)
    assert dead.tolist() == [vids[0]]
    cat.journal.forget_tombstones(gen)
    assert cat.journal.changes_since(1)[0].tolist() == []
    assert cat.lexical.query("shampoo").terms == ["shampoo"]  # b's document is still there
    cat.close()


def test_texts_of_gives_each_creators_texts_in_record_order(tmp_path):
    cat = Catalog(tmp_path / "c.sqlite")
    h1, h2 = "1" * 64, "2" * 64
    cat.texts.put({h1: np.full(8, 0.5, np.float32), h2: np.full(8, 0.25, np.float32)})
    with cat.transaction() as gen:
        [vid] = cat.write([stored("a", "refill", texts=[(None, h1), ("p1", h2)])], gen)
    [(bio_id, bio, v1), (post_id, post, v2)] = cat.texts_of([vid])[vid]
    assert (bio_id, bio, post_id, post) == (None, "refill", "p1", "refill post")
    assert v1[0] == 0.5 and v2[0] == 0.25
    cat.close()
