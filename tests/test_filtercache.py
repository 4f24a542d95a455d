"""Each filter's answer kept in memory: bounded, least recently used out, the same for the same
values in any order, and never served past a write of this process or another."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import DATA, creator

from recommender.embedding import HashEmbedder
from recommender.errors import InvalidInputError
from recommender.schema import Brief, Filters
from recommender.service import Recommender
from recommender.storage.filtercache import FilterCache, key_of


def ids(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.int64)


def test_least_recently_used_out_within_the_budget():
    cache = FilterCache(max_bytes=3 * 10 * 8)  # three answers of ten ids
    for k in "abc":
        cache.put(k, ids(10))
    assert cache.get("a") is not None  # a is now the most recent
    cache.put("d", ids(10))
    assert [k for k in "abcd" if cache.get(k) is not None] == ["a", "c", "d"]
    with pytest.raises(ValueError):  # shared between matches: read only
        cache.get("a")[0] = 5
    big = ids(31)
    cache.put("big", big)
    assert big.flags.writeable  # over the budget: not kept
    assert cache.get("big") is None
    cache.clear()
    assert all(cache.get(k) is None for k in "acd")


def test_the_same_values_in_any_order_are_one_filter_and_exclusions_are_not_kept():
    a = Filters(countries=["FR", "BE"], tiers=["micro"])
    b = Filters(tiers=["micro"], countries=["BE", "FR", "FR"])
    assert key_of(a) == key_of(b)
    assert key_of(a) != key_of(Filters(countries=["FR", "BE"]))
    assert key_of(a) != key_of(Filters(countries=["FR", "BE"], tiers=["micro"], min_followers=1))
    assert key_of(Filters(countries=["FR"], exclude_ids=["x"])) is None


def test_a_repeated_filter_is_answered_from_memory_and_its_answer_follows_writes(tmp_path):
    f = Filters(countries=["FR"], tiers=["micro"])
    with Recommender(tmp_path / "i", create=True, embedder=HashEmbedder(64)) as rec:
        rec.ingest([DATA / "creators.jsonl"])
        first = rec.catalog.filters.candidates(f)
        assert rec.catalog.filters.candidates(f) is first
        assert rec.catalog.filters.cache.hits == 1
        rec.upsert([creator("fc_new", "solid shampoo bar", followers=5000, country="FR")])
        vid = rec.catalog.vid_of("fc_new")
        assert vid in rec.catalog.filters.candidates(f)
        assert "fc_new" in [m.creator_id for m in rec.match(Brief(
            brief="solid shampoo bar", k=400, filters={"countries": ["FR"],
                                                      "tiers": ["micro"]}))]
        rec.upsert([creator("fc_new", "solid shampoo bar", followers=5000, country="BE")])
        assert rec.catalog.vid_of("fc_new") not in rec.catalog.filters.candidates(f)
        rec.upsert([creator("fc_new", "solid shampoo bar", followers=5000, country="FR")])
        vid = rec.catalog.vid_of("fc_new")
        assert vid in rec.catalog.filters.candidates(f)
        rec.remove(["fc_new"])
        assert vid not in rec.catalog.filters.candidates(f)


@pytest.mark.parametrize("snapshots", [True, False])
def test_another_process_write_reaches_a_kept_filter(tmp_path, monkeypatch, snapshots):
    """A reader keeps its filter's answer; a writer (another Recommender on the directory, as
    another process would be) adds a creator; the reader's next match takes the write in,
    whether the writer moved the snapshot (the reader reloads) or not (it reads the rows)."""
    import recommender.storage.vectors as vectors

    if not snapshots:  # a large index: the writer's few changes leave the snapshot where it is
        monkeypatch.setattr(vectors, "SNAPSHOT_ALWAYS_BELOW", 0)
        monkeypatch.setattr(vectors, "SNAPSHOT_CHANGE_SHARE", 100.0)
    path = tmp_path / "i"
    with Recommender(path, create=True, embedder=HashEmbedder(64)) as writer:
        writer.ingest([DATA / "creators.jsonl"])
    brief = Brief(brief="solid shampoo bar", k=400, filters={"countries": ["FR"],
                                                              "tiers": ["micro"]})
    with Recommender(path, embedder=HashEmbedder(64)) as reader:
        assert "fc_other" not in [m.creator_id for m in reader.match(brief)]
        with Recommender(path, embedder=HashEmbedder(64)) as writer:  # closing snapshots
            writer.upsert([creator("fc_other", "solid shampoo bar", followers=5000,
                                   country="FR")])
            assert "fc_other" in [m.creator_id for m in reader.match(brief)]


def test_the_budget_setting(monkeypatch, tmp_path):
    f = Filters(countries=["FR"])
    monkeypatch.setenv("CREATOR_MATCH_FILTER_CACHE_MB", "0")
    with Recommender(tmp_path / "i", create=True, embedder=HashEmbedder(16)) as rec:
        rec.upsert([creator("fc_b")])
        assert rec.catalog.filters.candidates(f) is not rec.catalog.filters.candidates(f)
        assert rec.catalog.filters.cache.hits == 0
    monkeypatch.setenv("CREATOR_MATCH_FILTER_CACHE_MB", "lots")
    with pytest.raises(InvalidInputError, match="CREATOR_MATCH_FILTER_CACHE_MB"):
        Recommender(tmp_path / "j", create=True, embedder=HashEmbedder(16))
