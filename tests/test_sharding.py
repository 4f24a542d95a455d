"""Sharded serving in process: the sample split into shards by shard_of, answered by a
ShardedRecommender, against one index of every creator (exact indexes: the sample is below the
flat size). The same over a real Ray cluster is in test_distributed.py."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import DATA

from recommender.distributed import align_norms, shard_of
from recommender.embedding import HashEmbedder
from recommender.errors import InvalidInputError, NotFoundError
from recommender.ranking import Ranker
from recommender.schema import Filters
from recommender.service import Recommender
from recommender.sharding import (
    OverlappingShardsError,
    ReadOnlyShardsError,
    ShardedRecommender,
    shard_paths,
)

BRIEFS = [
    {"brief": "zero waste shampoo bar", "values": "plastic-free, honest reviews", "k": 10},
    {"brief": "recettes végétales anti-gaspi", "objective": "ugc", "k": 20},
    {"brief": "gaming setup review", "objective": "awareness", "k": 15,
     "filters": {"languages": ["en"]}},
    {"brief": "running shoes", "values": "durable, repair", "k": 10,
     "filters": {"tiers": ["micro", "nano"], "min_engagement_rate": 0.01}},
    {"brief": "thrift haul", "k": 30, "filters": {"countries": ["FR", "GB"]}},
    # deeper than the reference pool (retrieval.REFERENCE_DEPTH): its scales are read on it
    {"brief": "vegan recipes", "values": "seasonal, local", "objective": "engagement",
     "k": 120},
]


def split(tmp_path, shards: int, records: list[str], norms_differ: bool = True):
    """One index of every creator, and the same creators in `shards` shard directories
    (norms_differ: the shards' own engagement norms differ, and are aligned)."""
    emb = HashEmbedder(64)
    (tmp_path / "all.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    with Recommender(tmp_path / "one", create=True, embedder=emb) as one:
        one.ingest([tmp_path / "all.jsonl"])
    dirs = []
    for s in range(shards):
        part = [r for r in records if shard_of(json.loads(r)["id"], shards) == s]
        (tmp_path / f"part{s}.jsonl").write_text("\n".join(part) + "\n", encoding="utf-8")
        with Recommender(tmp_path / f"shard-{s}", create=True, embedder=emb) as rec:
            rec.ingest([tmp_path / f"part{s}.jsonl"])
        dirs.append(tmp_path / f"shard-{s}")
    # as the sharded ingest ends: engagement norms over every shard, as in one index
    recs = [Recommender(d, embedder=emb) for d in dirs]
    assert (align_norms(recs) > 0) == norms_differ
    for rec in recs:
        rec.close()
    return tmp_path / "one", dirs


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    records = (DATA / "creators.jsonl").read_text(encoding="utf-8").splitlines()
    return split(tmp_path_factory.mktemp("shards"), 3, records)


def answers(matches):
    return [(m.creator_id, round(m.score, 6)) for m in matches]


@pytest.mark.parametrize("brief", BRIEFS, ids=lambda b: b["brief"][:20])
@pytest.mark.parametrize("diversity", [0.0, 0.3])
def test_a_sharded_match_equals_one_index_of_every_creator(indexes, brief, diversity):
    one_path, dirs = indexes
    emb = HashEmbedder(64)
    with Recommender(one_path, embedder=emb, ranker=Ranker(diversity=diversity)) as one, \
            ShardedRecommender(dirs, embedder=emb, ranker=Ranker(diversity=diversity)) as many:
        expected = one.match(brief)
        got = many.match(brief)
        assert len(expected) == brief["k"]
        assert answers(got) == answers(expected)
        # the explanations too: the same evidence, the same words of the brief used
        for a, b in zip(got, expected, strict=True):
            assert a.model_dump() == b.model_dump()


def test_lookalikes_plans_and_reads_over_shards_equal_one_index(indexes):
    one_path, dirs = indexes
    emb = HashEmbedder(64)
    with Recommender(one_path, embedder=emb) as one, \
            ShardedRecommender(dirs, embedder=emb) as many:
        cid = one.match({"brief": "vegan recipes", "k": 1})[0].creator_id
        for filters in (None, {"languages": ["fr"]}):
            for k in (12, 60):
                assert answers(many.similar(cid, k, filters)) == answers(
                    one.similar(cid, k, filters))
        handle = one.get(cid)["record"]["handle"]
        got, expected = many.get(handle), one.get(handle)
        assert {**got, "updated_at": None} == {**expected, "updated_at": None}
        asked = Filters(languages=["fr"], countries=["FR"])  # what a filter leaves out, unseen
        assert many.unknown_note(asked) == one.unknown_note(asked)
        brief = {"brief": "zero waste shampoo bar", "values": "plastic-free",
                 "objective": "awareness"}
        assert many.plan(brief, 20_000, max_creators=8) == one.plan(brief, 20_000,
                                                                    max_creators=8)
        assert len(many) == len(one) == 360
        stats = many.stats()
        assert stats["creators"] == 360 and stats["shards"] == 3
        assert stats["tiers"] == one.stats()["tiers"]
        from api.schemas import StatsResponse  # every field the API's stats answer
        assert set(StatsResponse.model_fields) <= set(stats)
        # every creator once, a page at a time, across the shards' boundaries
        seen, cursor = [], 0
        while True:
            page, cursor = many.browse({"languages": ["en"]}, cursor or 0, 50)
            seen += [c["id"] for c in page]
            if cursor is None:
                break
        whole, _ = one.browse({"languages": ["en"]}, 0, 1000)
        assert sorted(seen) == sorted(c["id"] for c in whole)
        assert len(seen) == len(set(seen))


def test_bad_input_over_shards_is_named_as_for_one_index(indexes):
    one_path, dirs = indexes
    emb = HashEmbedder(64)
    with ShardedRecommender(dirs, embedder=emb) as many:
        with pytest.raises(InvalidInputError, match="did you mean gaming"):
            many.match({"brief": "x", "filters": {"categories": ["gamng"]}})
        with pytest.raises(NotFoundError, match="nosuchcreator"):
            many.get("nosuchcreator")
        with pytest.raises(ReadOnlyShardsError, match="--ray --shards"):
            many.upsert([{"id": "x"}])
        empty = {"countries": ["FR"], "languages": ["en"]}
        assert many.match({"brief": "vegan", "filters": empty}) == []
        with Recommender(one_path, embedder=emb) as one:
            f = Filters.model_validate(empty)
            assert many.why_empty(f) == one.why_empty(f) != ""
    with pytest.raises(InvalidInputError, match="listed twice"):
        shard_paths([dirs[0], dirs[0]])
    with pytest.raises(InvalidInputError, match="neither an index directory"):
        shard_paths([dirs[0].parent / "nothing-here"])


def test_shards_that_overlap_are_named_not_answered_twice(indexes):
    """A shard listed beside the index it was split from: a creator would come back twice."""
    one_path, dirs = indexes
    with ShardedRecommender([one_path, dirs[0]], embedder=HashEmbedder(64)) as both, \
            pytest.raises(OverlappingShardsError, match="in two of the shards given"):
        both.match(BRIEFS[0])


def test_shards_built_with_another_encoder_are_refused(tmp_path, indexes):
    _, dirs = indexes
    with Recommender(tmp_path / "other", create=True, embedder=HashEmbedder(32)) as rec:
        rec.upsert([json.loads((DATA / "creators.jsonl").read_text().splitlines()[0])])
    with pytest.raises(InvalidInputError, match="built differently"):
        ShardedRecommender([dirs[0], tmp_path / "other"], embedder=HashEmbedder(64))


def test_vectors_of_the_pool_are_the_shards_own(indexes):
    """The rows a sharded answer reads carry the global vid that routes them back."""
    _, dirs = indexes
    with ShardedRecommender(dirs, embedder=HashEmbedder(64)) as many:
        vids = many.catalog.vids_of(["ig_lea_zd"]) or many.catalog.vids_of(
            [many.match({"brief": "vegan", "k": 1})[0].creator_id])
        (cid, g), = vids.items()
        row = many.catalog.rows([g])[g]
        assert row.id == cid and row.vid == g
        assert np.isclose(np.linalg.norm(row.vector), 1.0, atol=1e-2)


def test_serve_shards_over_http(indexes):
    """`creator-match serve --shards`: the API answers as one index would; a write is refused
    with where writes go."""
    import httpx
    from serving import Server

    one_path, dirs = indexes
    key = "test-shards-key-0123"
    srv = Server(one_path, {"CREATOR_MATCH_API_KEYS": f"write:{key}",
                            "CREATOR_MATCH_KEYS_FILE": str(one_path.parent / "keys.json")},
                 shards=dirs).start()
    try:
        h = {"X-API-Key": key}
        brief = BRIEFS[0]
        got = httpx.post(f"{srv.url}/v1/match", json=brief, headers=h, timeout=30)
        assert got.status_code == 200, got.text
        with Recommender(one_path, embedder=HashEmbedder(64)) as one:
            want = [m.creator_id for m in one.match(brief)]
        assert [m["creator_id"] for m in got.json()["matches"]] == want
        assert httpx.get(f"{srv.url}/v1/stats", headers=h).json()["creators"] == 360
        # the page offers no write action here, even to a write key
        assert httpx.get(f"{srv.url}/v1/me", headers=h).json() == {"scope": "write",
                                                                   "writes": False}
        refused = httpx.post(f"{srv.url}/v1/creators", json={"creators": []}, headers=h)
        assert refused.status_code == 403
        assert "--ray --shards" in refused.json()["error"]["message"]
        refused = httpx.post(f"{srv.url}/v1/creators/import", params={"name": "c.csv"},
                             content=b"id,platform,followers,bio\nx,x,1,b\n", headers=h)
        assert refused.status_code == 403
        assert "--ray --shards" in refused.json()["error"]["message"]
    finally:
        srv.stop()


def test_serve_shards_with_worker_processes(indexes):
    """`serve --shards ... --workers 2`: each worker opens the shards; every answer is one
    index's, whichever worker takes it."""
    import httpx
    from serving import Server

    one_path, dirs = indexes
    key = "test-shards-key-0123"
    srv = Server(one_path, {"CREATOR_MATCH_API_KEYS": f"read:{key}",
                            "CREATOR_MATCH_KEYS_FILE": str(one_path.parent / "keys.json")},
                 shards=dirs, workers=2).start()
    try:
        with Recommender(one_path, embedder=HashEmbedder(64)) as one:
            want = [m.creator_id for m in one.match(BRIEFS[2])]
        for _ in range(4):  # new connections: the kernel spreads them over the workers
            got = httpx.post(f"{srv.url}/v1/match", json=BRIEFS[2],
                             headers={"X-API-Key": key}, timeout=30)
            assert [m["creator_id"] for m in got.json()["matches"]] == want
    finally:
        srv.stop()


def test_shards_ingested_on_their_own_are_told_their_engagement_norms_differ(tmp_path, caplog):
    """A creator of a shard built by its own ingest is compared with its shard's peers only;
    serving such shards says so (the sharded ingest aligns them: no warning above)."""
    records = (DATA / "creators.jsonl").read_text(encoding="utf-8").splitlines()
    emb = HashEmbedder(64)
    dirs = []
    for s in range(2):  # Instagram's creators, the others: a shard is any set of creators
        part = [r for r in records if (json.loads(r)["platform"] == "instagram") == (s == 0)]
        (tmp_path / f"p{s}.jsonl").write_text("\n".join(part) + "\n", encoding="utf-8")
        with Recommender(tmp_path / f"s{s}", create=True, embedder=emb) as rec:
            rec.ingest([tmp_path / f"p{s}.jsonl"])
            assert rec.catalog.norms()  # each holds a group of 30 creators or more
        dirs.append(tmp_path / f"s{s}")
    with ShardedRecommender(dirs, embedder=emb):
        pass
    assert "the shards' engagement norms differ" in caplog.text
    caplog.clear()
    recs = [Recommender(d, embedder=emb) for d in dirs]
    align_norms(recs)
    for rec in recs:
        rec.close()
    with ShardedRecommender(dirs, embedder=emb):
        pass
    assert "engagement norms differ" not in caplog.text


def test_a_brief_in_a_language_one_shard_holds_is_read_in_it_over_shards(tmp_path):
    """The brief's language is read among the languages of every shard's creators: a German
    brief whose German creators all sit in one shard is read in German over the shards, as in
    one index (its stopwords out of the words named)."""
    from conftest import creator

    records = [json.dumps(creator(f"de{i}", "Unsere veganen Rezepte für die ganze Familie",
                                  language="de", country="DE")) for i in range(3)]
    records += [json.dumps(creator(f"fr{i}", f"recettes végétales {i}")) for i in range(6)]
    one_path, dirs = split(tmp_path, 3, records, norms_differ=False)
    emb = HashEmbedder(64)
    brief = {"brief": "Vegane Rezepte für die Familie", "k": 5}
    with Recommender(one_path, embedder=emb) as one, \
            ShardedRecommender(dirs, embedder=emb) as many:
        expected, got = one.match(brief), many.match(brief)
        assert answers(got) == answers(expected)
        german = [m for m in got if m.creator_id.startswith("de")]
        assert german and all(m.matched_terms == ["vegane", "rezepte", "familie"]
                              for m in german)
