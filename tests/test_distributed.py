"""Distributed ingest on a real Ray cluster: a head and a second node on 127.0.0.1, started
with `ray start`, ingesting into 2 shards; compared with one index."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA

from benchmarks.ray_cluster import local_cluster
from recommender.distributed import ingest, shard_dirs, shard_of
from recommender.embedding import HashEmbedder
from recommender.errors import InvalidInputError
from recommender.service import Recommender

pytestmark = pytest.mark.ray
ray = pytest.importorskip("ray", reason="needs the [ray] extra, which the README's test "
                                        "command installs")


@pytest.fixture(scope="module")
def cluster():
    """Two nodes of one CPU each, on loopback; this process connected to them."""
    with local_cluster(nodes=2, cpus_per_node=1) as address:
        yield address


def lines(path: Path, n: int | None = None) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[:n]


def test_a_creator_always_goes_to_the_same_shard():
    assert shard_of("ig_lea_zd", 4) == shard_of("ig_lea_zd", 4)
    counts = np.bincount([shard_of(f"c{i}", 4) for i in range(4000)], minlength=4)
    assert counts.min() > 850  # spread: 1,000 each expected
    assert [shard_of("ig_lea_zd", 7)] == [int.from_bytes(
        __import__("hashlib").sha1(b"ig_lea_zd").digest()[:8], "big") % 7]


def test_the_tables_of_a_distributed_ingest_include_excel_workbooks(tmp_path):
    """Tables (CSV files, .xlsx workbooks) are read together on the driver, as rows for Ray
    Data: records with their shard, errors with their sheet and row."""
    from openpyxl import Workbook

    from recommender.distributed import parse_tables

    book = Workbook()
    book.active.append(["id", "platform", "followers", "bio"])
    book.active.append(["lea", "instagram", 4200, "Zéro déchet"])
    book.active.append(["bob", "myspace", 10, "bio"])
    book.save(tmp_path / "c.xlsx")
    rows = parse_tables([str(tmp_path / "c.xlsx")], 4)
    [record] = [r for r in rows if r["kind"] == "record"]
    assert json.loads(record["payload"])["id"] == "lea" and record["shard"] == shard_of("lea", 4)
    [error] = [json.loads(r["payload"]) for r in rows if r["kind"] == "error"]
    assert (error["file"].endswith("c.xlsx#Sheet"), error["line"], error["field"]) == (
        True, 3, "platform")


def test_a_distributed_ingest_gives_records_naming_no_platform_the_one_asked(tmp_path):
    """ingest --ray --platform: a file of one platform's profiles, as JSON Lines (read by the
    workers) and as a table (read on the driver), each record without a platform given the
    one asked; a platform this does not read is refused before anything is read."""
    from recommender.distributed import parse_file, parse_tables

    line = json.dumps({"id": "lea", "followers": 4200, "bio": "Zéro déchet"}).encode()
    rows = parse_file({"path": "p.jsonl", "bytes": line}, 2, "TikTok")
    assert [json.loads(r["payload"])["platform"] for r in rows] == ["tiktok"]
    (tmp_path / "c.csv").write_text("username,followers,bio\n@bob,900,Vélo\n", "utf-8")
    rows = parse_tables([str(tmp_path / "c.csv")], 2, "IG")
    assert [(json.loads(r["payload"])["id"], json.loads(r["payload"])["platform"])
            for r in rows] == [("bob", "instagram")]
    assert [r["kind"] for r in parse_file({"path": "p.jsonl", "bytes": line}, 2)] == ["error"]
    with pytest.raises(InvalidInputError, match="'myspace' is not a platform"):
        ingest([tmp_path / "c.csv"], tmp_path / "shards", 2, model="hash-64",
               platform="myspace")
    assert not (tmp_path / "shards").exists()


def test_the_workers_leave_out_what_the_format_does_not_have_when_asked(tmp_path):
    """ingest --ray --ignore-unknown: the workers and the driver leave out an export's extra
    fields and columns, and say which, as a local ingest does; refused without it."""
    from recommender.distributed import parse_file, parse_tables

    line = json.dumps({"id": "lea", "platform": "instagram", "followers": 4200, "url": "x",
                       "bio": "Zéro déchet"}).encode()
    rows = parse_file({"path": "p.jsonl", "bytes": line}, 2, ignore_unknown=True)
    assert [r["kind"] for r in rows] == ["record", "ignored"]
    assert json.loads(rows[1]["payload"]) == {"url": 1}
    assert [r["kind"] for r in parse_file({"path": "p.jsonl", "bytes": line}, 2)] == ["error"]
    (tmp_path / "c.csv").write_text("id,platform,followers,bio,full_name\n"
                                    "bob,tiktok,900,Vélo,Bob\n", "utf-8")
    rows = parse_tables([str(tmp_path / "c.csv")], 2, ignore_unknown=True)
    assert [json.loads(r["payload"]) for r in rows if r["kind"] == "ignored"] == [
        {"full_name": 1}]


def test_a_different_shard_count_is_refused(tmp_path):
    shard_dirs(tmp_path / "s", 2)
    with pytest.raises(InvalidInputError, match="holds 2 shards, not 3; ingest with --shards 2"):
        shard_dirs(tmp_path / "s", 3)
    with pytest.raises(InvalidInputError, match="no such file"):
        ingest([tmp_path / "missing.jsonl"], tmp_path / "new", 2, model="hash-64")
    assert not (tmp_path / "new").exists()  # nothing created for a job that cannot start
    assert [p.name for p in shard_dirs(tmp_path / "s")] == ["shard-00", "shard-01"]


def test_distributed_ingest_equals_one_index_split_by_shard(cluster, tmp_path):
    data = tmp_path / "creators.jsonl"
    good = lines(DATA / "creators.jsonl")
    bad = json.dumps({"id": "bad_one", "platform": "instagram", "followers": -2})
    # no language, a caption that says #ad, a post without a caption: the shards say so too
    told = json.dumps({"id": "texts_told", "platform": "instagram", "followers": 900,
                       "bio": "Cuisine végétale de saison, recettes simples et anti-gaspillage",
                       "posts": [{"id": "p1", "likes": 40, "comments": 3,
                                  "text": "Soupe de fanes de carottes, le meilleur des restes #ad"},
                                 {"id": "p2", "likes": 10, "comments": 1}]})
    good = [*good, told]
    data.write_text("\n".join([*good[:200], bad, *good[200:]]) + "\n", encoding="utf-8")
    # a run that stopped part way: the first 120 creators written
    first = tmp_path / "first.jsonl"
    first.write_text("\n".join(good[:120]) + "\n", encoding="utf-8")
    part = ingest([first], tmp_path / "shards", 2, address=cluster, workers=2, model="hash-64")
    assert (part.added, part.rejected) == (120, 0)

    report = ingest([data], tmp_path / "shards", address=cluster, workers=2, model="hash-64")
    assert (report.added, report.unchanged, report.rejected) == (241, 120, 1)
    assert (report.languages_detected, report.sponsored_by_caption,
            report.posts_without_caption) == (1, 1, 1)
    assert report.written_encodes == 0  # every text came from the actor pool
    err = {(e.file, e.line, e.field) for e in report.errors}
    assert (str(data), 201, "followers") in err

    again = ingest([data], tmp_path / "shards", address=cluster, workers=2, model="hash-64")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 361)
    assert again.encoded_texts == 0  # nothing encoded twice

    with Recommender(tmp_path / "one", create=True, embedder=HashEmbedder(64)) as one:
        one.ingest([data])
        whole = {r["record"]["id"]: r for r in (one.get(line_id) for line_id in
                 [json.loads(x)["id"] for x in good])}
    seen = set()
    for i, d in enumerate(shard_dirs(tmp_path / "shards")):
        with Recommender(d) as shard:
            ids = {row.id for row in shard.catalog.rows(
                shard.catalog.filters.candidates(__import__(
                    "recommender.schema", fromlist=["Filters"]).Filters(min_followers=0))
                ).values()}
            assert ids and all(shard_of(c, 2) == i for c in ids)
            seen |= ids
            for cid in list(ids)[:40]:
                got = shard.get(cid)
                assert got["record"] == whole[cid]["record"]
                assert got["signals"] == whole[cid]["signals"]
    assert seen == set(whole)  # every creator once, none lost, none twice



def test_a_strict_distributed_ingest_writes_nothing_and_the_others_are_as_local(cluster,
                                                                                tmp_path):
    """--strict, --tiers and --ignore-unknown with --ray, as for one index: a strict job with a
    bad record is refused before its texts are encoded, and no shard holds a creator; the
    tier scheme asked is the one the shards keep from their first write, and another is
    refused after it; the fields left out are counted over the files."""
    from recommender.errors import IngestRejected

    good = [json.dumps({"id": f"c{i}", "platform": "instagram", "followers": 500 * (i + 1),
                        "bio": f"recettes {i}", "url": f"u{i}"}) for i in range(6)]
    bad = json.dumps({"id": "bad", "platform": "instagram", "followers": -2, "bio": "b"})
    data = tmp_path / "c.jsonl"
    data.write_text("\n".join([*good, bad]) + "\n", encoding="utf-8")
    with pytest.raises(IngestRejected) as e:
        ingest([data], tmp_path / "s", 2, address=cluster, workers=2, model="hash-64",
               strict=True, ignore_unknown=True, tiers="mission:0,2000,100000")
    assert [(err.line, err.field) for err in e.value.errors] == [(7, "followers")]
    for d in shard_dirs(tmp_path / "s"):
        with Recommender(d) as shard:
            assert len(shard) == 0
    report = ingest([data], tmp_path / "s", address=cluster, workers=2, model="hash-64",
                    ignore_unknown=True, tiers="mission:0,2000,100000")
    assert (report.added, report.rejected, report.ignored) == (6, 1, {"url": 6})
    with Recommender(shard_dirs(tmp_path / "s")[shard_of("c2", 2)]) as shard:
        # 1,500 followers: micro in the mission's bounds, nano below the 2,000 asked
        assert shard.get("c2")["signals"]["tier"] == "nano"
        assert shard.stats()["tier_scheme"] == "mission:0,2000,100000"
    with pytest.raises(InvalidInputError, match="tiers are fixed when an index is created"):
        ingest([data], tmp_path / "s", address=cluster, workers=2, model="hash-64",
               ignore_unknown=True, tiers="industry")
    assert report.to_dict()["ignored"] == {"url": 6}


class Stopped(Exception):
    """The driver dying part way through a job."""


def test_a_run_that_stops_keeps_what_it_committed_and_a_rerun_finishes(cluster, tmp_path,
                                                                       monkeypatch):
    """Blocks are committed as the actors finish them: a job whose driver dies after the first
    block holds that block's creators, whole; the same job run again adds the others, encodes
    no text of the creators already held, and leaves every creator in its shard once."""
    from recommender.indexer import creator_texts
    from recommender.schema import Creator

    records = [json.loads(x) for x in lines(DATA / "creators.jsonl")]
    for rec in records:  # every text its own, so that the texts encoded can be counted
        rec["bio"] = f"{rec.get('bio') or ''} {rec['id']}"
        for p in rec["posts"]:
            p["text"] = f"{p['text']} {rec['id']}{p['id']}"
    data = tmp_path / "creators.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    real, calls = Recommender.ingest_parsed, []

    def dies_after_one_block(self, parsed, **kw):  # one commit a shard a block
        if len(calls) == 2:
            raise Stopped
        calls.append(1)
        return real(self, parsed, **kw)

    monkeypatch.setattr(Recommender, "ingest_parsed", dies_after_one_block)
    with pytest.raises(Stopped):
        ingest([data], tmp_path / "shards", 2, address=cluster, workers=2, model="hash-64",
               write_batch=40)
    monkeypatch.undo()
    held: set[str] = set()
    for i, d in enumerate(shard_dirs(tmp_path / "shards")):
        with Recommender(d) as shard:
            for rec in records:
                if shard_of(rec["id"], 2) == i and shard.catalog.resolve(rec["id"]):
                    assert shard.get(rec["id"])["record"]["posts"]  # whole, posts and all
                    held.add(rec["id"])
    assert 0 < len(held) < len(records) / 2  # a block or two of 40 (bundled to 64 at least)

    again = ingest([data], tmp_path / "shards", address=cluster, workers=2, model="hash-64")
    assert (again.added, again.unchanged, again.rejected) == (len(records) - len(held),
                                                              len(held), 0)
    # encoded again: the texts of the creators not held, and none of those held
    assert again.encoded_texts == sum(len(creator_texts(Creator.model_validate(r)))
                                      for r in records if r["id"] not in held)
    ids = []
    for d in shard_dirs(tmp_path / "shards"):
        with Recommender(d) as shard:
            ids += [r.id for r in shard.catalog.rows(shard.catalog.filters.candidates(
                __import__("recommender.schema", fromlist=["Filters"]).Filters(
                    min_followers=0))).values()]
    assert sorted(ids) == sorted(r["id"] for r in records)  # every creator once

def test_sharded_serving_on_ray_equals_one_index_and_names_a_shard_down(cluster, tmp_path):
    """Ingest into 2 shards on the cluster, serve them from Ray actors (2 replicas each), and
    answer as one index of every creator does; a replica lost is stood in for, a shard lost
    is an error naming it, never a smaller answer."""
    from recommender.sharding import ShardedRecommender, ShardUnavailableError

    data = DATA / "creators.jsonl"
    ingest([data], tmp_path / "shards", 2, address=cluster, workers=2, model="hash-64")
    with Recommender(tmp_path / "one", create=True, embedder=HashEmbedder(64)) as one:
        one.ingest([data])
    briefs = [{"brief": "zero waste shampoo bar", "values": "plastic-free, honest", "k": 10},
              {"brief": "recettes végétales", "objective": "ugc", "k": 20,
               "filters": {"languages": ["fr"]}}]
    with Recommender(tmp_path / "one", embedder=HashEmbedder(64)) as one, ShardedRecommender(
            [tmp_path / "shards"], embedder=HashEmbedder(64), ray_address=cluster,
            replicas=2, replica_cpus=0.25, timeout=60) as many:
        assert len(many) == len(one) == 360
        # over Ray the post vectors travel as coordinates in the brief's plane: the same dot
        # products, to float rounding
        expected = [one.match(b) for b in briefs]

        def same(got, want):
            assert [m.creator_id for m in got] == [m.creator_id for m in want]
            assert np.allclose([m.score for m in got], [m.score for m in want], atol=1e-6)
            assert [[e.post_id for e in m.evidence] for m in got] == [
                [e.post_id for e in m.evidence] for m in want]

        for b, want in zip(briefs, expected, strict=True):
            same(many.match(b), want)
        shard0 = many.shards[0]
        ray.kill(shard0.actors[0], no_restart=True)  # a replica lost
        for b, want in zip(briefs, expected, strict=True):
            same(many.match(b), want)
        ray.kill(shard0.actors[1], no_restart=True)  # the whole shard lost
        with pytest.raises(ShardUnavailableError, match="shard-00"):
            many.match(briefs[0])


def test_shared_replicas_serve_several_coordinators_and_outlive_them(cluster, tmp_path):
    """--shared-replicas: two coordinators of the same shards use the same named actors; one
    closing leaves them to the other; stop_replicas ends them, and then a match names the
    shard rather than answer without it."""
    from recommender.sharding import ShardedRecommender, ShardUnavailableError, stop_replicas

    data = tmp_path / "few.jsonl"
    data.write_text("\n".join(lines(DATA / "creators.jsonl", 80)) + "\n", encoding="utf-8")
    ingest([data], tmp_path / "shards", 2, address=cluster, workers=1, model="hash-64")
    opts = {"embedder": HashEmbedder(64), "ray_address": cluster, "replica_cpus": 0.1,
            "shared_replicas": True, "timeout": 60}
    brief = {"brief": "zero waste shampoo bar", "k": 5}
    first = ShardedRecommender([tmp_path / "shards"], **opts)
    second = ShardedRecommender([tmp_path / "shards"], **opts)
    try:
        ids = [[a._actor_id for a in s.actors] for s in first.shards]
        assert ids == [[a._actor_id for a in s.actors] for s in second.shards]
        want = [m.creator_id for m in first.match(brief)]
        first.close()  # its replicas are shared: they stay for the second
        assert [m.creator_id for m in second.match(brief)] == want
        assert stop_replicas([tmp_path / "shards"], cluster) == 2
        with pytest.raises(ShardUnavailableError, match="shard-0"):
            second.match(brief)
    finally:
        second.close()
        stop_replicas([tmp_path / "shards"], cluster)
