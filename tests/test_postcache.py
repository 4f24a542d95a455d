"""The shortlist's post vectors kept in memory: bounded, least recently used out, and never
served past a write."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import DATA, creator

from recommender.embedding import HashEmbedder
from recommender.errors import InvalidInputError
from recommender.service import Recommender
from recommender.storage.postcache import PostVectorCache


def entry(n: int, dim: int = 4):
    return ([f"p{i}" for i in range(n)], np.ones((n, dim), np.float32))


def test_least_recently_used_out_within_the_budget():
    cache = PostVectorCache(max_bytes=3 * 2 * 4 * 4)  # three entries of 2 x 4 float32
    cache.put({1: entry(2), 2: entry(2), 3: entry(2)}, generation=0)
    cache.get([1], 0)  # 1 is now the most recent
    cache.put({4: entry(2)}, 0)
    found, missing = cache.get([1, 2, 3, 4], 0)
    assert set(found) == {1, 3, 4} and missing == [2]
    with pytest.raises(ValueError):  # shared between matches: read only
        found[1][1][0, 0] = 5.0


def test_a_new_generation_starts_afresh_and_a_stale_read_is_not_kept():
    cache = PostVectorCache(max_bytes=1 << 20)
    cache.put({1: entry(2)}, 0)
    assert cache.get([1], 0)[1] == []
    assert cache.get([1], 1)[1] == [1]  # a write happened: read again
    cache.put({1: entry(2)}, 0)  # read before that write, stored after: dropped
    assert cache.get([1], 1)[1] == [1]


def test_a_creator_rewritten_is_scored_from_its_new_posts(tmp_path):
    with Recommender(tmp_path / "i", create=True, embedder=HashEmbedder(64)) as rec:
        rec.ingest([DATA / "creators.jsonl"])
        rec.upsert([creator("pc_a", "solid shampoo bar")])
        vid = rec.catalog.vid_of("pc_a")
        first = rec.catalog.post_vectors([vid])[vid][1]
        again = rec.catalog.post_vectors([vid])[vid][1]
        assert again is first and rec.catalog.post_cache.hits == 1
        rec.upsert([creator("pc_a", "night train travel diaries")])
        vid = rec.catalog.vid_of("pc_a")
        now = rec.catalog.post_vectors([vid])[vid][1]
        want = HashEmbedder(64).encode(["night train travel diaries post 0"])[0]
        assert not np.allclose(now, first)
        assert np.allclose(now[1], want, atol=1e-2)  # row 0 is the bio, then the posts


def test_the_budget_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("CREATOR_MATCH_POST_CACHE_MB", "0")
    with Recommender(tmp_path / "i", create=True, embedder=HashEmbedder(16)) as rec:
        rec.upsert([creator("pc_b")])
        vid = rec.catalog.vid_of("pc_b")
        rec.catalog.post_vectors([vid])
        rec.catalog.post_vectors([vid])
        assert rec.catalog.post_cache.hits == 0
    monkeypatch.setenv("CREATOR_MATCH_POST_CACHE_MB", "lots")
    with pytest.raises(InvalidInputError, match="CREATOR_MATCH_POST_CACHE_MB"):
        Recommender(tmp_path / "j", create=True, embedder=HashEmbedder(16))
