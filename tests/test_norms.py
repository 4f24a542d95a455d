"""Engagement norms from a creator's peers (recommender/norms.py): a genuine creator on a
platform that engages little is not flagged as one with bought followers; one far below its
peers still is."""

import json
import sqlite3

import numpy as np
import pytest
from conftest import write_jsonl

from benchmarks import datagen
from recommender import Recommender, norms, signals
from recommender.norms import MIN_PEERS, Norm
from recommender.schema import Creator
from recommender.storage import migrations
from recommender.storage.checksums import CREATOR_CONTENT, checksum
from recommender.tiers import MISSION


def x_creator(cid: str, rate: float, followers: int = 20_000, platform: str = "x",
              text: str = "thread on home composting") -> dict:
    """A micro creator whose every post gets `rate` of its followers in interactions."""
    likes = round(rate * followers)
    return {"id": cid, "handle": f"@{cid}", "platform": platform, "followers": followers,
            "country": "GB", "language": "en", "categories": ["home"], "bio": f"bio {text}",
            "posts": [{"id": f"p{i}", "text": f"{text} {i}", "likes": likes,
                       "comments": max(1, likes // 20), "shares": 0} for i in range(3)]}


def flags(rec, cid):
    return {f["name"]: f for f in rec.catalog.record(cid)["signals"]["flags"]}


def test_a_group_with_enough_known_rates_gets_its_median():
    rates = {("x", "micro"): np.r_[np.full(MIN_PEERS - 1, 0.004), 0.006, np.nan],
             ("tiktok", "micro"): np.full(MIN_PEERS - 1, 0.05)}
    got = norms.peer_medians(rates)
    assert got == {("x", "micro"): Norm(0.004, MIN_PEERS)}  # NaN (hidden) is no peer
    assert norms.norm_for(got, "tiktok", MISSION.tier_of(5_000)) == Norm(0.035, 0)


def test_a_norm_is_written_again_only_when_it_moves():
    kept = {("x", "micro"): Norm(0.004, 40), ("x", "nano"): Norm(0.01, 30)}
    fresh = {("x", "micro"): Norm(0.0041, 41), ("tiktok", "micro"): Norm(0.05, 30)}
    assert norms.moved(kept, fresh, [("x", "micro"), ("x", "nano"), ("tiktok", "micro")]) == {
        ("x", "nano"): None, ("tiktok", "micro"): Norm(0.05, 30)}
    assert norms.moved(kept, {("x", "micro"): Norm(0.0043, 41)}, [("x", "micro")]) == {
        ("x", "micro"): Norm(0.0043, 41)}
    assert norms.loads(norms.dumps(kept)) == kept and norms.loads(None) == {}


def test_a_large_group_is_measured_again_once_a_share_of_it_was_written():
    """One upsert into a group of ten thousand peers does not read them all; a hundred do."""
    kept = {("x", "micro"): Norm(0.004, 10_000)}
    assert norms.due(kept, {}, {("x", "micro"): 50}) == ([], {("x", "micro"): 50})
    assert norms.due(kept, {("x", "micro"): 50}, {("x", "micro"): 50, ("x", "nano"): 1}) == (
        [("x", "micro"), ("x", "nano")], {})  # a group without a norm: at every write
    assert norms.loads_pending(norms.dumps_pending({("x", "micro"): 7})) == {("x", "micro"): 7}


def test_renormed_signals_are_what_compute_gives_with_that_norm():
    """The rewrite of stored signals and a fresh compute agree, flags and their order too."""
    creators = [Creator.model_validate(r) for r in datagen.generate(120, seed=11)]
    norm = {}
    for c in creators:
        tier = MISSION.tier_of(c.followers)
        norm[(str(c.platform), tier.name)] = Norm(tier.expected_engagement * 0.2, 50)
    raised = 0
    for c in creators:
        before = signals.compute(c).to_dict()
        after = signals.compute(c, norms=norm).to_dict()
        tier = before["tier"]
        assert signals.renormed(before, str(c.platform), c.followers,
                                norm[(str(c.platform), tier)]) == after
        assert signals.renormed(after, str(c.platform), c.followers,
                                Norm(MISSION.tier_of(c.followers).expected_engagement)) == before
        raised += ("engagement_anomaly" in {f["name"] for f in before["flags"]}) - (
            "engagement_anomaly" in {f["name"] for f in after["flags"]})
    assert raised > 0  # the lower norm lifts some flags: the test compares something


def test_genuine_creators_of_a_platform_that_engages_little_are_not_flagged(tmp_path, embedder):
    """X engages far below Instagram. Forty genuine micro creators on X at 0.4% would each be
    flagged against the tier's 3.5%; against their peers' median only the one at 0.05% is."""
    genuine = [x_creator(f"x{i:02d}", 0.003 + 0.0001 * (i % 20)) for i in range(40)]
    bought = x_creator("x_bought", 0.0005)
    few = [x_creator(f"yt{i}", 0.004, platform="youtube") for i in range(5)]
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", [*genuine, bought, *few])])
    assert not any("engagement_anomaly" in flags(rec, c["id"]) for c in genuine)
    low = flags(rec, "x_bought")["engagement_anomaly"]
    assert "median of the 41 micro x creators in this index" in low["evidence"]
    stored = rec.catalog.record("x00")["signals"]
    assert stored["engagement_peers"] == 41 and stored["engagement_norm"] == pytest.approx(
        0.004, abs=2e-4)
    # five creators are no norm: YouTube's keep the tier's figure, and its flag
    assert "the 3.5% expected for this tier" in flags(rec, "yt0")["engagement_anomaly"][
        "evidence"]
    assert rec.catalog.norms().keys() == {("x", "micro")}
    # the ranker reads the same in memory as the rows say
    answer = {m.creator_id: m for m in rec.match(
        {"brief": "home composting", "k": 50, "filters": {"platforms": ["x"]}})}
    assert "engagement_anomaly" not in answer["x05"].flags
    assert answer["x05"].components["authenticity"] == 1.0
    assert answer["x_bought"].components["authenticity"] < 0.5
    assert rec.check() == []
    rec.close()


def test_a_group_that_grows_past_the_threshold_rewrites_its_earlier_creators(tmp_path, embedder):
    """Creators written before their group had enough peers are compared with the peers once
    it has: the earlier rows change in the write that makes the norm, and another process
    reading the index sees it."""
    path = tmp_path / "idx"
    rec = Recommender(path, create=True, embedder=embedder)
    first = [x_creator(f"a{i:02d}", 0.004) for i in range(MIN_PEERS - 5)]
    rec.ingest([write_jsonl(tmp_path / "a.jsonl", first)])
    assert "engagement_anomaly" in flags(rec, "a00")
    reader = Recommender(path, embedder=embedder)
    brief = {"brief": "home composting", "k": 5, "filters": {"platforms": ["x"]}}
    assert all("engagement_anomaly" in m.flags for m in reader.match(brief))
    rec.ingest([write_jsonl(tmp_path / "b.jsonl",
                            [x_creator(f"b{i:02d}", 0.004) for i in range(5)])])
    assert "engagement_anomaly" not in flags(rec, "a00")
    assert rec.catalog.record("a00")["signals"]["engagement_peers"] == MIN_PEERS
    got = reader.match(brief)
    assert got and not any(m.flags for m in got)
    assert all(m.components["authenticity"] == 1.0 for m in got)
    # removing creators until the group is too small takes it back to the tier's figure
    rec.remove(["b00", "b01"])
    assert "engagement_anomaly" in flags(rec, "a00")
    assert rec.catalog.norms() == {}
    assert rec.check() == [] and reader.check() == []
    reader.close()
    rec.close()


def test_an_index_written_before_gets_its_norms_on_open(tmp_path, embedder, caplog):
    """Catalog migration step 14: an index whose creators were compared with their tier's
    figure is compared with their peers' once, on open."""
    path = tmp_path / "idx"
    rec = Recommender(path, create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl",
                            [x_creator(f"x{i:02d}", 0.004) for i in range(40)])])
    rec.close()
    db = sqlite3.connect(path / "catalog.sqlite")  # as step 13 left it: the tier's figure
    before = []
    for vid, *content in db.execute(f"SELECT vid, {', '.join(CREATOR_CONTENT)} FROM creators"):
        row = dict(zip(CREATOR_CONTENT, content, strict=True))
        old = signals.renormed(json.loads(row["signals"]), "x", row["followers"], Norm(0.035))
        row.update(signals=json.dumps(old), engagement=old["engagement"],
                   authenticity=old["authenticity"])
        before.append((row["signals"], row["engagement"], row["authenticity"],
                       checksum([row[c] for c in CREATOR_CONTENT]), vid))
    db.executemany("UPDATE creators SET signals=?, engagement=?, authenticity=?, checksum=?"
                   " WHERE vid=?", before)
    db.execute("DELETE FROM meta WHERE key=?", (norms.META_KEY,))
    db.execute("UPDATE meta SET value='13' WHERE key='migration'")
    db.commit()
    db.close()
    rec = Recommender(path, embedder=embedder)
    assert "m014_engagement_norms_by_platform" in caplog.text
    assert rec.catalog.get_meta("migration") == str(len(migrations.STEPS))
    assert "engagement_anomaly" not in flags(rec, "x00")
    assert rec.catalog.norms() == {("x", "micro"): Norm(pytest.approx(0.0042), 40)}
    assert rec.check() == []
    rec.close()


def test_check_names_a_damaged_snapshot_another_process_wrote(tmp_path, embedder):
    """check first takes in what other processes wrote; a snapshot they wrote that is damaged
    is named, not raised."""
    path = tmp_path / "idx"
    writer = Recommender(path, create=True, embedder=embedder)
    writer.ingest([write_jsonl(tmp_path / "a.jsonl", [x_creator("a", 0.004)])])
    reader = Recommender(path, embedder=embedder)
    writer.ingest([write_jsonl(tmp_path / "b.jsonl", [x_creator("b", 0.004)])])
    writer.store.snapshot()
    writer.close()
    snap = max(path.glob("vectors.*.faiss"), key=lambda p: p.stat().st_mtime)
    data = bytearray(snap.read_bytes())
    data[len(data) // 2] ^= 0xFF
    snap.write_bytes(bytes(data))
    problems = reader.check()
    assert any("checksum mismatch" in p for p in problems)
    reader.close()


def test_a_group_that_creators_leave_is_measured_again(tmp_path, embedder):
    """Creators updated onto another platform leave their old group: its median is measured
    again in that write, not only the new group's."""
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    high = [x_creator(f"h{i:02d}", 0.004) for i in range(25)]
    low = [x_creator(f"l{i:02d}", 0.002) for i in range(20)]
    rec.ingest([write_jsonl(tmp_path / "a.jsonl", [*high, *low])])
    # likes and comments: 0.4% of the followers in likes is 0.42% with the comments
    assert rec.catalog.norms()[("x", "micro")].rate == pytest.approx(0.0042)
    moved = [{**c, "platform": "instagram"} for c in high[:10]]
    rec.ingest([write_jsonl(tmp_path / "b.jsonl", moved)])
    # 15 at 0.42% and 20 at 0.21% are left on X: their median is 0.21%
    assert rec.catalog.norms()[("x", "micro")] == Norm(pytest.approx(0.0021), 35)
    assert rec.catalog.record("h20")["signals"]["engagement_norm"] == pytest.approx(0.0021)
    assert rec.check() == []
    rec.close()


def test_rates_a_record_states_count_in_no_norm(tmp_path, embedder):
    """An agency's list states its creators' rates (often measured another way, here 6%): they
    are the export's figures, and they no longer move the median that measured creators are
    flagged against. Forty creators on X measured at about 0.4% beside forty stated at 6%:
    the norm is the measured forty's, and none of them is flagged; the stated keep their
    rate, and a filter on it still finds them. An index written before (step 17) is measured
    again on open."""
    measured = [x_creator(f"x{i:02d}", 0.003 + 0.0001 * (i % 20)) for i in range(40)]
    stated = [{"id": f"s{i:02d}", "platform": "x", "followers": 20_000, "bio": "home composting",
               "engagement_rate": "6%"} for i in range(40)]
    path = tmp_path / "idx"
    rec = Recommender(path, create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", [*measured, *stated])])
    # measured at the ingest's commit from the filter columns, the stated left out
    assert rec.catalog.norms() == {("x", "micro"): Norm(pytest.approx(0.004, abs=2e-4), 40)}
    assert not any("engagement_anomaly" in flags(rec, c["id"]) for c in measured)
    assert rec.catalog.record("s00")["signals"]["engagement_source"] == "stated"
    found = rec.match({"brief": "home composting", "k": 50,
                       "filters": {"min_engagement_rate": 0.05}})
    assert {m.creator_id for m in found} == {s["id"] for s in stated}
    rec.close()
    # as an index written before step 17 was: the stated rates in the norm, no column
    db = sqlite3.connect(path / "catalog.sqlite")
    db.execute("UPDATE creators SET rate_stated=0")
    db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)",
               (norms.META_KEY, norms.dumps({("x", "micro"): Norm(0.02, 80)})))
    db.execute("UPDATE meta SET value='16' WHERE key='migration'")
    db.commit()
    db.close()
    rec = Recommender(path, embedder=embedder)
    assert rec.catalog.norms() == {("x", "micro"): Norm(pytest.approx(0.004, abs=2e-4), 40)}
    assert rec.check() == []
    rec.close()
