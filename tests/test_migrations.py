"""The catalog's numbered schema steps (storage/migrations.py): a new catalog gets them all,
an older one the steps it lacks, once, on open."""


import json
import sqlite3

import pytest
from conftest import BEFORE_STEP_5, assert_bm25_equals_fts5, creator, write_jsonl

from benchmarks import datagen
from recommender.evaluation.systems import bm25
from recommender.schema import Brief
from recommender.service import Recommender
from recommender.storage import migrations


def stored_signals(db, cid: str) -> dict:
    """A creator's signals as the catalog file holds them."""
    return json.loads(db.execute("SELECT signals FROM creators WHERE id=?", (cid,)).fetchone()[0])


def store_signals(db, cid: str, signals: dict) -> None:
    """Write a creator's signals (and the authenticity they give) into the catalog file as an
    older version would have, with a valid row checksum."""
    from recommender.storage.checksums import CREATOR_CONTENT, checksum

    row = dict(zip(CREATOR_CONTENT, db.execute(
        f"SELECT {', '.join(CREATOR_CONTENT)} FROM creators WHERE id=?", (cid,)).fetchone(),
        strict=True))
    row.update(signals=json.dumps(signals), authenticity=signals["authenticity"])
    db.execute("UPDATE creators SET signals=?, authenticity=?, checksum=? WHERE id=?",
               (row["signals"], row["authenticity"],
                checksum([row[c] for c in CREATOR_CONTENT]), cid))


def test_catalog_from_before_the_lexical_index_is_indexed_on_open(tmp_path, embedder):
    import sqlite3

    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", [creator("a", "solid shampoo bar"),
                                                    creator("b", "retro gaming")])])
    rec.close()
    db = sqlite3.connect(tmp_path / "idx" / "catalog.sqlite")
    db.executescript("DROP TABLE term_vectors; DROP TABLE term_df; DROP TABLE creator_text_vocab;"
                     "DROP TABLE creator_text; DELETE FROM meta WHERE key='migration';"
                     + BEFORE_STEP_5
                     + "INSERT INTO meta VALUES('schema_version', '1');")  # before numbered steps
    db.close()
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    terms, vids, scores = bm25(rec.catalog, "shampoo", 10)
    assert terms == ["shampoo"] and len(vids) == 1 and scores[0] > 0
    assert rec.check() == []

def test_catalog_without_term_vectors_gets_them_on_open(tmp_path, embedder, caplog):
    """A catalog of lexical version 2 (before term vectors) is given them once, on open, and
    says so (minutes at millions of creators)."""
    import sqlite3

    recs = list(datagen.generate(80, seed=6))
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", recs)])
    rec.close()
    db = sqlite3.connect(tmp_path / "idx" / "catalog.sqlite")
    db.executescript(BEFORE_STEP_5 + "DROP TABLE term_vectors;"
                     " UPDATE meta SET value='3' WHERE key='migration';")
    db.close()
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    assert ("creators (m004_term_vectors, m005_row_checksums, m006_handle_index, "
            "m007_analysed_text, m008_bio_nearest_post, m009_bio_claims_and_disclosures, "
            "m010_trap_penalties, m011_categories_in_text, "
            "m012_each_text_once_in_content_vectors, m013_topic_words_not_stopwords, "
            "m014_engagement_norms_by_platform, m015_unborne_hashtags_not_read, "
            "m016_words_in_each_language, m017_stated_rates_not_norms)"
            ) in caplog.text
    assert rec.catalog.get_meta("migration") == str(len(migrations.STEPS))
    assert rec.catalog.db.conn.execute("SELECT COUNT(*) FROM term_vectors").fetchone()[0] == 80
    assert_bm25_equals_fts5(rec, ("solid shampoo bar zero waste", "Trousse de voyage zéro déchet"))
    rec.close()


def test_categories_are_searched_after_step_11(tmp_path, embedder, monkeypatch):
    """Step 11: a catalog whose lexical index was written without the creators' categories
    gets them on open, so a brief naming the niche finds the creators filed under it."""
    from recommender.storage import catalog as catalog_module

    hiker = creator("hiker", "wild camp by the lake, packed out all my trash")
    hiker["categories"] = ["outdoor"]
    body = catalog_module.body
    with monkeypatch.context() as m:  # the lexical index as step 10 wrote it
        m.setattr(catalog_module, "body", lambda r, lang=None: body({**r, "categories": []}, lang))
        with Recommender(tmp_path / "idx", create=True, embedder=embedder) as rec:
            rec.ingest([write_jsonl(tmp_path / "c.jsonl", [hiker, creator("other")])])
            assert len(bm25(rec.catalog, "outdoor", 10)[1]) == 0
    db = sqlite3.connect(tmp_path / "idx" / "catalog.sqlite")
    db.execute("UPDATE meta SET value='10' WHERE key='migration'")
    db.commit()
    db.close()
    with Recommender(tmp_path / "idx", embedder=embedder) as rec:
        hiker_vid = rec.catalog.vids_of(["hiker"])["hiker"]
        _, vids, scores = bm25(rec.catalog, "outdoor gear", 10)
        assert vids.tolist() == [hiker_vid] and scores[0] > 0
        assert rec.catalog.get_meta("migration") == str(len(migrations.STEPS))
        assert_bm25_equals_fts5(rec, ("outdoor", "wild camping"))
        assert rec.check() == []


def test_a_caption_posted_again_counts_once_in_the_content_vector_after_step_12(
        tmp_path, embedder, monkeypatch):
    """Step 12: a catalog whose content vectors counted a caption each time it was posted gets
    them again, each distinct text once, on open; the vector index replays the rows changed, so
    a match reads the new vectors."""
    import numpy as np

    from recommender import indexer
    from recommender.storage import textcache
    from recommender.storage.database import from_blob

    def posts(texts):
        return [{"id": f"p{i}", "text": t, "likes": 200, "comments": 10}
                for i, t in enumerate(texts)]
    reposter = creator("rep", posts=posts(["solid shampoo bar"] * 4 + ["retro gaming night"]))
    others = [creator("var", "solid shampoo bar in a tin"), creator("gamer", "retro gaming")]

    def counted_each_time(vectors):  # what versions before step 12 stored
        mean = np.mean(vectors, axis=0)
        return (mean / np.linalg.norm(mean)).astype(np.float16)
    with monkeypatch.context() as m:
        m.setattr(indexer, "content_vector", counted_each_time)
        with Recommender(tmp_path / "idx", create=True, embedder=embedder) as rec:
            rec.ingest([write_jsonl(tmp_path / "c.jsonl", [reposter, *others])])
    db = sqlite3.connect(tmp_path / "idx" / "catalog.sqlite")
    old = dict(db.execute("SELECT id, vector FROM creators"))
    db.execute("UPDATE meta SET value='11' WHERE key='migration'")
    db.commit()
    db.close()
    with Recommender(tmp_path / "idx", embedder=embedder) as rec:
        assert rec.catalog.get_meta("migration") == str(len(migrations.STEPS))
        new = dict(rec.catalog.db.conn.execute("SELECT id, vector FROM creators"))
        assert new["var"] == old["var"] and new["gamer"] == old["gamer"]  # no text repeated
        texts = embedder.encode(["bio zero waste shampoo bar", "solid shampoo bar",
                                 "retro gaming night"])
        expected = textcache.content_vector(list(texts)).astype(np.float32)
        assert np.abs(from_blob(new["rep"]) - expected).max() < 2e-3
        assert np.abs(from_blob(old["rep"]) - expected).max() > 0.05  # it did count repeats
        vids = rec.catalog.vids_of(["rep", "gamer"])
        searched = rec.store.index.reconstruct(np.array([vids["rep"], vids["gamer"]]))
        assert np.abs(searched[0] - expected).max() < 2e-3  # the vector index replayed it
        assert np.abs(searched[1] - from_blob(old["gamer"])).max() < 2e-3
        assert rec.check() == []



def test_topic_words_are_searched_after_step_13(tmp_path, embedder, monkeypatch):
    """Step 13: a catalog whose lexical index was written while "home" and "free" were
    stopwords (the stop-words package's whole English list) gets them on open: a brief for
    home decor finds the creator who wrote "home", and "plastic-free" is not "plastic"."""
    from stop_words import get_stop_words

    from recommender.lexical import tokens

    homely = creator("homely", "Home tour: my plastic-free kitchen shelves")
    plastic = creator("plastic", "Plastic storage boxes haul for the kitchen")
    old = {**tokens._STOP, "en": tokens._STOP["en"] | set(get_stop_words("en"))}
    with monkeypatch.context() as m:  # the analysis as step 12 indexed it
        m.setattr(tokens, "_STOP", old)
        with Recommender(tmp_path / "idx", create=True, embedder=embedder) as rec:
            rec.ingest([write_jsonl(tmp_path / "c.jsonl", [homely, plastic])])
            [(_, stored)] = rec.catalog.lexical.bodies([rec.catalog.vid_of("homely")])
            assert "home" not in stored.split() and "free" not in stored.split()
    db = sqlite3.connect(tmp_path / "idx" / "catalog.sqlite")
    db.execute("UPDATE meta SET value='12' WHERE key='migration'")
    db.commit()
    db.close()
    with Recommender(tmp_path / "idx", embedder=embedder) as rec:
        [(_, stored)] = rec.catalog.lexical.bodies([rec.catalog.vid_of("homely")])
        assert {"home", "free"} <= set(stored.split())
        _, vids, _ = bm25(rec.catalog, "home decor", 10)
        assert vids.tolist() == [rec.catalog.vid_of("homely")]
        _, vids, _ = bm25(rec.catalog, "plastic-free", 10)
        assert vids.tolist() == [rec.catalog.vid_of("homely")]
        assert rec.catalog.get_meta("migration") == str(len(migrations.STEPS))
        assert_bm25_equals_fts5(rec, ("home decor", "plastic-free kitchen"))
        assert rec.check() == []

def test_a_new_catalog_runs_every_step_once(tmp_path):
    """Every step runs on a new file and is recorded; opening again runs none."""
    from recommender.storage.catalog import Catalog
    from recommender.storage.database import Database

    cat = Catalog(tmp_path / "c.sqlite")
    assert cat.get_meta("migration") == str(len(migrations.STEPS)) and cat.generation == 0
    tables = {r[0] for r in cat.db.rows("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"creators", "tombstones", "texts", "text_vectors", "term_df",
            "term_vectors", "creator_text"} <= tables
    cat.close()
    db = Database(tmp_path / "c.sqlite")
    assert migrations.migrate(db) == []
    db.close()


def test_each_legacy_lexical_version_maps_to_its_step():
    """Catalogs written before numbered steps are read by what they recorded."""
    import sqlite3

    for lexical_version, done in ((None, 1), ("1", 2), ("2", 3), ("3", 4)):
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("INSERT INTO meta VALUES('schema_version', '1')")
        if lexical_version:
            conn.execute("INSERT INTO meta VALUES('lexical_index', ?)", (lexical_version,))
        assert migrations.applied(conn) == done
    assert migrations.applied(sqlite3.connect(":memory:")) == 0


def test_a_lexical_index_of_raw_words_is_rebuilt_with_stems(tmp_path, embedder):
    """Step 7: a catalog whose lexical index holds raw words (steps 2-4 before the analysis)
    is rebuilt on open: stopwords gone, stems in."""
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", [
        creator("fr1", "Mes recettes de saison, un dimanche anti-gaspi", language="fr")])])
    rec.close()
    db = sqlite3.connect(tmp_path / "idx" / "catalog.sqlite")
    db.execute("UPDATE creator_text_content SET c0 = 'mes recettes de saison un dimanche'")
    db.execute("UPDATE meta SET value='6' WHERE key='migration'")
    db.commit()
    db.close()
    rec = Recommender(tmp_path / "idx", embedder=embedder)
    [(_, stored)] = rec.catalog.lexical.bodies([rec.catalog.vid_of("fr1")])
    assert "recet" in stored.split() and "de" not in stored.split() and "un" not in stored
    assert rec.catalog.get_meta("migration") == str(len(migrations.STEPS))
    rec.close()


def test_bio_mismatch_is_recomputed_by_the_current_rule_on_open(tmp_path):
    """Steps 8-9: a catalog whose flags were set by an older rule gets the current one's (a
    stuffed bio far from the posts; not a bio that says little), with the authenticity they
    cost and valid row checksums."""

    from recommender.embedding import HashEmbedder

    embedder = HashEmbedder(512)  # no word of either bio shares a bucket with its posts
    stuffer = creator("s", "retro gaming speedrun",
                      bio="organic local honest ethical vegan sustainable plastic-free zero waste")
    plain = creator("p", "solid shampoo bar", bio="📍 Nantes | DM pour collabs")
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", [stuffer, plain])])
    assert [f["name"] for f in rec.get("s")["signals"]["flags"]] == ["bio_mismatch"]
    assert rec.get("p")["signals"]["flags"] == []
    rec.close()
    # the catalog as the old rule left it: the stuffer unflagged, the other flagged
    db = sqlite3.connect(tmp_path / "idx" / "catalog.sqlite")
    old = {"s": [], "p": [{"name": "bio_mismatch", "evidence": "old rule", "penalty": 0.5}]}
    for cid, flags in old.items():
        store_signals(db, cid, {**stored_signals(db, cid), "flags": flags,
                                "authenticity": 1.0 - 0.5 * len(flags)})
    db.execute("UPDATE meta SET value='7' WHERE key='migration'")
    db.commit()
    db.close()
    rec = Recommender(tmp_path / "idx", embedder=embedder)
    s, p = rec.get("s"), rec.get("p")
    assert [f["name"] for f in s["signals"]["flags"]] == ["bio_mismatch"]
    assert "nearest post" in s["signals"]["flags"][0]["evidence"]
    assert s["signals"]["authenticity"] == 0.25
    assert p["signals"]["flags"] == [] and p["signals"]["authenticity"] == 1.0
    assert rec.check() == []  # checksums hold
    assert rec.catalog.db.get_meta("migration") == str(len(migrations.STEPS))
    rec.close()


def test_disclosed_sponsoring_is_counted_on_open(tmp_path, embedder):
    """Step 9: captions that disclose a paid post (#ad) make it sponsored in a catalog written
    before, with the saturation flag, the ratio and the authenticity, and valid checksums."""
    from recommender.storage.checksums import CREATOR_CONTENT, checksum

    ads = creator("ads", posts=[{"id": f"p{i}", "text": f"my favourite serum #ad {i}",
                                 "likes": 200, "comments": 9} for i in range(4)])
    with Recommender(tmp_path / "idx", create=True, embedder=embedder) as rec:
        rec.ingest([write_jsonl(tmp_path / "c.jsonl", [ads, creator("plain")])])
        now = rec.get("ads")["signals"]
    assert [f["name"] for f in now["flags"]] == ["sponsored_saturation"]
    assert now["sponsored_ratio"] == 1.0 and now["sponsored_disclosed"] == 4
    # the catalog as the earlier rules left it: captions not read
    db = sqlite3.connect(tmp_path / "idx" / "catalog.sqlite")
    row = dict(zip(CREATOR_CONTENT, db.execute(
        f"SELECT {', '.join(CREATOR_CONTENT)} FROM creators WHERE id='ads'").fetchone(),
        strict=True))
    old = {k: v for k, v in json.loads(row["signals"]).items() if k != "sponsored_disclosed"}
    old.update(flags=[], sponsored_ratio=0.0, authenticity=1.0)
    row.update(signals=json.dumps(old), authenticity=1.0)
    db.execute("UPDATE creators SET signals=?, authenticity=?, checksum=? WHERE id='ads'",
               (row["signals"], 1.0, checksum([row[c] for c in CREATOR_CONTENT])))
    db.execute("UPDATE meta SET value='8' WHERE key='migration'")
    db.commit()
    db.close()
    with Recommender(tmp_path / "idx", embedder=embedder) as rec:
        got = rec.get("ads")["signals"]
        assert got["flags"] == now["flags"] and got["authenticity"] == now["authenticity"]
        assert got["sponsored_ratio"] == 1.0 and got["sponsored_disclosed"] == 4
        assert rec.get("plain")["signals"]["flags"] == []
        assert rec.check() == []


def test_trap_flags_cost_their_current_penalties_on_open(tmp_path):
    """Step 10: the flags of a catalog written when sponsored saturation cost 0.3-0.7 and
    keyword stuffing 0.5 cost what they cost now, in the stored signals, the authenticity, the
    ranking's columns and valid checksums; a creator without them is untouched."""

    from recommender.embedding import HashEmbedder

    embedder = HashEmbedder(512)
    stuffer = creator("s", "retro gaming speedrun",
                      bio="organic local honest ethical vegan sustainable plastic-free zero waste")
    ads = creator("ads", posts=[{"id": f"p{i}", "text": f"my favourite serum {i}", "likes": 200,
                                 "comments": 9, "sponsored": i < 3} for i in range(4)])
    with Recommender(tmp_path / "idx", create=True, embedder=embedder) as rec:
        rec.ingest([write_jsonl(tmp_path / "c.jsonl", [stuffer, ads, creator("plain")])])
        now = {cid: rec.get(cid)["signals"] for cid in ("s", "ads", "plain")}
    assert [(f["name"], f["penalty"]) for f in now["s"]["flags"]] == [("bio_mismatch", 0.75)]
    assert [(f["name"], f["penalty"]) for f in now["ads"]["flags"]] == [
        ("sponsored_saturation", 0.85)]  # 75% sponsored: 0.6 at half, 0.9 at 80%
    db = sqlite3.connect(tmp_path / "idx" / "catalog.sqlite")
    for cid, penalty in (("s", 0.5), ("ads", 0.6333)):  # the old rules' penalties
        signals = stored_signals(db, cid)
        signals["flags"][0]["penalty"] = penalty
        store_signals(db, cid, {**signals, "authenticity": 1.0 - penalty})
    db.execute("UPDATE meta SET value='9' WHERE key='migration'")
    db.commit()
    db.close()
    with Recommender(tmp_path / "idx", embedder=embedder) as rec:
        assert {cid: rec.get(cid)["signals"] for cid in now} == now
        assert (now["s"]["authenticity"], now["ads"]["authenticity"]) == pytest.approx((0.25, 0.15))
        got = {m.creator_id: m.components["authenticity"]
               for m in rec.match(Brief(brief="serum", k=3))}
        assert got == {"s": 0.25, "ads": 0.15, "plain": 1.0}
        assert rec.check() == []


def test_a_missing_language_is_detected_on_open(tmp_path, embedder):
    """Step 9: a creator stored without a language gets the one its texts are written in, in
    the column that filters read, with valid checksums."""
    from recommender.storage.checksums import CREATOR_CONTENT, checksum

    fr = creator("fr", bio="Cuisine végétale de saison, recettes simples et anti-gaspillage",
                 posts=[{"id": "p1", "text": "Soupe de fanes de carottes, le meilleur des restes",
                         "likes": 40, "comments": 3}])
    del fr["language"]
    with Recommender(tmp_path / "idx", create=True, embedder=embedder) as rec:
        rec.ingest([write_jsonl(tmp_path / "c.jsonl", [fr])])
    db = sqlite3.connect(tmp_path / "idx" / "catalog.sqlite")
    row = dict(zip(CREATOR_CONTENT, db.execute(
        f"SELECT {', '.join(CREATOR_CONTENT)} FROM creators").fetchone(), strict=True))
    assert row["language"] == "fr"
    old = {k: v for k, v in json.loads(row["signals"]).items() if k != "detected_language"}
    row.update(signals=json.dumps(old), language=None)
    db.execute("UPDATE creators SET signals=?, language=NULL, checksum=?",
               (row["signals"], checksum([row[c] for c in CREATOR_CONTENT])))
    db.execute("UPDATE meta SET value='8' WHERE key='migration'")
    db.commit()
    db.close()
    with Recommender(tmp_path / "idx", embedder=embedder) as rec:
        assert rec.get("fr")["signals"]["detected_language"]["code"] == "fr"
        found = rec.match({"brief": "recettes", "filters": {"languages": ["fr"]}})
        assert [m.creator_id for m in found] == ["fr"]
        assert rec.check() == []


def test_a_creator_of_another_language_has_its_words_read_in_it_after_step_16(
        tmp_path, embedder, monkeypatch):
    """Step 16: a catalog whose German creator's captions were read as English or French
    ("und", "die", "für" indexed, "Rezepte" not stemmed in German) is read again on open; one
    of English and French creators alone is left as it is."""
    from recommender.lexical import tokens

    cook = creator("koch", "Unsere Rezepte für die ganze Familie und Freunde", language="de")
    with monkeypatch.context() as m:  # the analysis as step 15 indexed it
        m.setattr(tokens, "OTHER", {})
        with Recommender(tmp_path / "idx", create=True, embedder=embedder) as rec:
            rec.ingest([write_jsonl(tmp_path / "c.jsonl", [cook, creator("fr1")])])
            [(_, stored)] = rec.catalog.lexical.bodies([rec.catalog.vid_of("koch")])
            assert {"und", "die"} <= set(stored.split())
    with Recommender(tmp_path / "plain", create=True, embedder=embedder) as rec:
        rec.ingest([write_jsonl(tmp_path / "p.jsonl", [creator("fr1"), creator("fr2")])])
    for name in ("idx", "plain"):
        db = sqlite3.connect(tmp_path / name / "catalog.sqlite")
        db.execute("UPDATE meta SET value='15' WHERE key='migration'")
        db.commit()
        db.close()
    with monkeypatch.context() as m:
        m.setattr(migrations, "m007_analysed_text", lambda conn: pytest.fail("rebuilt"))
        with Recommender(tmp_path / "plain", embedder=embedder) as rec:
            assert rec.catalog.get_meta("migration") == str(len(migrations.STEPS))
    with Recommender(tmp_path / "idx", embedder=embedder) as rec:
        [(_, stored)] = rec.catalog.lexical.bodies([rec.catalog.vid_of("koch")])
        assert "rezept" in stored.split() and not {"und", "die", "fur"} & set(stored.split())
        [top] = rec.match(Brief(brief="Rezepte für die Familie", k=1))
        assert top.creator_id == "koch" and top.matched_terms == ["rezepte", "familie"]
        assert rec.catalog.get_meta("migration") == str(len(migrations.STEPS))
        assert_bm25_equals_fts5(rec, ("Rezepte für die Familie", "zero waste"))
        assert rec.check() == []
