"""Hashtag stuffing (recommender/hashtags.py): hashtags that no caption bears out, when they are
most of a creator's many, are not read as what it talks about; genuine and generic hashtags
change nothing."""

import sqlite3

import pytest
from conftest import creator, write_jsonl

from recommender.cli import main
from recommender.hashtags import HASHTAGS_MIN, read, read_captions, unborne
from recommender.indexer import creator_texts
from recommender.lexical import body
from recommender.schema import Brief, Creator
from recommender.service import Recommender
from recommender.storage import migrations

STUFFED = "#zerowaste #vegan #ethical #plasticfree #slowfashion #sustainable #organic #fairtrade"
FINANCE = ["index funds explained: fees, diversification, patience",
           "my no-spend month: what I saved and what was hard",
           "how I budget my salary with three bank accounts",
           "emergency fund: how many months of rent to keep"]


def stuffer(cid: str = "stuffer") -> dict:
    """A personal-finance creator whose every post ends with zero-waste hashtags."""
    rec = creator(cid, "x", language="en")
    rec["bio"] = "money tips for your twenties"
    rec["posts"] = [{"id": f"p{i}", "text": f"{t} {STUFFED}", "likes": 200, "comments": 10}
                    for i, t in enumerate(FINANCE)]
    return rec


def test_hashtags_no_caption_bears_out_are_not_read():
    captions = [f"{t} {STUFFED} #ad" for t in FINANCE]
    unread = unborne(captions)
    assert len(unread) == 8 and "zerowaste" in unread and "ad" not in unread
    assert read(captions[0], unread) == f"{FINANCE[0]} #ad"
    assert read_captions([None, "#zerowaste #vegan", *captions])[0] == f"{FINANCE[0]} #ad"
    # fewer distinct hashtags than HASHTAGS_MIN are read, borne out or not
    few = [f"{t} #zerowaste #vegan #ethical #organic" for t in FINANCE]
    assert HASHTAGS_MIN > 4 and unborne(few) == frozenset()


@pytest.mark.parametrize("captions", [
    # topical hashtags its captions say, as letters, as a compound or by their stem
    ["refilled my shampoo at the bulk shop, zero waste win #zerowaste #refills #bulkshopping",
     "my sustainable living kit: glass jars #sustainableliving #glassjars #plasticfree",
     "plastic free bathroom tour, vegan soap #plasticfreejuly #lowwaste #ecofriendly #vegan"],
    # a few hashtags its captions do not say: not many enough to be stuffing
    ["sunday vibes #zerowaste #refill #plasticfree", "coffee time #lowwaste #vegan"],
    # French, with accents: #zérodéchet in "zéro déchet", #recettes by its stem
    ["mes courses zéro déchet au marché #zérodéchet #vrac #marché #local",
     "recette de saison : soupe de courge #recettes #saison #courge #légumes"],
])
def test_genuine_hashtags_are_read(captions):
    assert unborne(captions) == frozenset()
    assert read_captions(captions) == captions


def test_generic_hashtags_are_left_out_and_cost_nothing():
    """#instagood and #fyp name no subject: not read, and no flag, no penalty."""
    generic = {"instagood", "reels", "fyp", "love", "explore", "viral", "photooftheday",
               "trending"}
    captions = [f"long walk along the river this morning #{t}" for t in sorted(generic)]
    assert unborne(captions) == generic
    assert read_captions(captions) == ["long walk along the river this morning"] * 8


def test_hashtags_under_captions_that_say_little_are_read():
    """"🌿" or "sunday vibes" claims nothing the hashtags could contradict: they are all the
    creator says of its subject."""
    tags = "#zerowaste #plasticfree #lowwaste #ecofriendly #bulkfood #reusable #glassjars #vegan"
    captions = [f"{said} {tags}" for said in ("🌿", "sunday vibes", "today", "new in ✨")]
    assert unborne(captions) == frozenset()
    assert read_captions(captions) == captions


def test_a_stuffer_is_encoded_and_indexed_for_what_it_writes(tmp_path, embedder):
    c = Creator.model_validate(stuffer())
    assert [t for _, t in creator_texts(c)][1:] == FINANCE
    assert "zerowast" not in body(stuffer()) and "fund" in body(stuffer())
    genuine = [creator(f"zw{i}", "zero waste refill shampoo bar, plastic free #zerowaste "
                       "#plasticfree", language="en") for i in range(3)]
    others = [creator(f"fin{i}", text, language="en") for i, text in enumerate(FINANCE)]
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", [*genuine, *others, stuffer()])])
    got = {m.creator_id: m for m in rec.match(Brief(brief="zerowaste plasticfree vegan ethical",
                                                    k=8))}
    assert all(got[f"zw{i}"].components["keywords"] == 1.0 for i in range(3))
    assert got["stuffer"].components["keywords"] == 0.0
    order = list(got)
    assert max(order.index(f"zw{i}") for i in range(3)) < order.index("stuffer")
    # what a planner is shown keeps the captions as written
    assert rec.catalog.record("stuffer")["record"]["posts"][0]["text"].endswith(STUFFED)
    rec.close()


def test_an_index_written_before_is_indexed_again_and_its_stuffers_encoded_on_ingest(
        tmp_path, embedder, caplog, capsys, monkeypatch):
    """Step 15: the words again without the unborne hashtags on open; the vectors, which need
    the encoder, when the same records are ingested again (their record hashes cleared)."""
    path = tmp_path / "idx"
    records = [creator("zw", "zero waste refill shampoo bar"), stuffer()]
    rec = Recommender(path, create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", records)])
    rec.close()
    db = sqlite3.connect(path / "catalog.sqlite")
    db.execute("UPDATE meta SET value='14' WHERE key='migration'")
    db.commit()
    db.close()
    rec = Recommender(path, embedder=embedder)
    assert "m015_unborne_hashtags_not_read" in caplog.text
    assert "1 creators carry hashtags" in caplog.text
    assert rec.catalog.get_meta("migration") == str(len(migrations.STEPS))
    assert rec.catalog.record_hashes(["zw", "stuffer"])["stuffer"] == ""
    assert rec.check() == [] and rec.stats()["to_ingest_again"] == 1
    rec.close()
    monkeypatch.setenv("CREATOR_MATCH_MODEL", embedder.name)
    assert main(["check", "--index", str(path)]) == 0
    assert "note: 1 creators were encoded with hashtags" in capsys.readouterr().out
    rec = Recommender(path, embedder=embedder)
    report = rec.ingest([tmp_path / "c.jsonl"])
    assert (report.updated, report.unchanged) == (1, 1)
    assert rec.catalog.record_hashes(["stuffer"])["stuffer"] != ""
    assert rec.stats()["to_ingest_again"] == 0
    rec.close()


def test_a_stuffed_bio_is_not_borne_out_by_stuffed_hashtags(tmp_path, default_model):
    """A bio of the same words as the stuffed hashtags: the hashtags are not read, so they do
    not bear the bio out either, and bio_mismatch says so (the default encoder: the flag's
    cosine test reads meaning)."""
    both = stuffer("both")
    both["bio"] = ("zero waste, sustainable, ethical, eco-friendly, vegan, organic, plastic-free,"
                   " slow fashion, fair trade")
    rec = Recommender(tmp_path / "idx", create=True, embedder=default_model)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", [both])])
    flags = [f["name"] for f in rec.catalog.record("both")["signals"]["flags"]]
    assert "bio_mismatch" in flags
    rec.close()


def test_captions_without_hashtags_bear_them_out_and_say_something():
    """A hashtag one caption uses is borne out by another caption that says it."""
    captions = [f"{t} {STUFFED}" for t in FINANCE] + [
        "ethical and organic: what I buy for the house", "my zero waste bathroom, one year on"]
    assert unborne(captions[:4])  # the stuffed captions alone bear none out
    assert unborne(captions) == frozenset()  # 3 of 8 borne out, by captions without hashtags
