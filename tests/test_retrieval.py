"""Retrieval (retrieval.py): the pool's similarities are the index's cosines."""


import numpy as np
import pytest

import index.faiss_backends as backends
from benchmarks import datagen
from recommender import retrieval
from recommender.embedding import HashEmbedder
from recommender.schema import Brief
from recommender.service import Recommender


@pytest.mark.parametrize("flat_max", [backends.FLAT_MAX, 50])
def test_pool_similarities_are_the_index_cosines(tmp_path, monkeypatch, flat_max):
    """The pool's similarity (and values similarity) of every candidate is the cosine with
    the index's copy of its vector, whether the search scored it (its own score is used) or
    only the lexical index found it (scored from the vector); exact and IVF alike."""
    monkeypatch.setattr(backends, "FLAT_MAX", flat_max)
    rec = Recommender(tmp_path / "idx", create=True, embedder=HashEmbedder(32))
    rec.ingest([datagen.write_jsonl(tmp_path / "c.jsonl", 300, seed=8)])
    for brief in (Brief(brief="zero waste shampoo", k=5),
                  Brief(brief="thrift haul denim", values="honest reviews", k=5,
                        filters={"tiers": ["micro", "nano"]})):
        pool, _, _ = rec.retriever.pool(brief)
        q = rec.embedder.encode([brief.brief] + ([brief.values] if brief.values else []))
        vecs = rec.store.index.reconstruct(pool.vids)
        assert np.allclose(pool.similarity, vecs @ q[0], atol=1e-4)
        if brief.values:
            assert np.allclose(pool.values_similarity, vecs @ q[1], atol=1e-4)
    # the search's own scores where it has them; only the others are decoded
    q = rec.embedder.encode(["gaming setup"])
    scores, ids = rec.store.index.search(q, 10)
    others = np.setdiff1d(rec.store.index.ids()[:40], ids[0])
    vids = np.union1d(ids[0], others)
    decoded = []
    reconstruct = rec.store.index.reconstruct
    monkeypatch.setattr(rec.store.index, "reconstruct",
                        lambda v: decoded.append(np.asarray(v).tolist()) or reconstruct(v))
    sims = retrieval.similarities(rec.store.index, vids, scores, ids, q, 0)
    assert decoded == [others.tolist()]
    assert np.allclose(sims[0], reconstruct(vids) @ q[0], atol=1e-4)


@pytest.mark.parametrize("flat_max", [backends.FLAT_MAX, 50])
def test_stored_vectors_are_the_index_copies_and_nan_for_a_vid_gone(tmp_path, monkeypatch,
                                                                   flat_max):
    """The content vectors the relevance feedback reads: the index's own copies, in the order
    asked; a vid the index no longer holds (a writer removed it since the pool was read) is a
    NaN row, and the others are still read."""
    monkeypatch.setattr(backends, "FLAT_MAX", flat_max)
    rec = Recommender(tmp_path / "idx", create=True, embedder=HashEmbedder(32))
    rec.ingest([datagen.write_jsonl(tmp_path / "c.jsonl", 120, seed=3)])
    vids = rec.store.index.ids()[[7, 2, 40]]
    got = retrieval.stored_vectors(rec.store, vids)
    assert np.array_equal(got, rec.store.index.reconstruct(vids))
    gone = rec.catalog.rows([int(vids[1])])[int(vids[1])].id
    rec.remove([gone])
    got = retrieval.stored_vectors(rec.store, vids)
    assert np.isnan(got[1]).all() and not np.isnan(got[[0, 2]]).any()
    assert np.array_equal(got[[0, 2]], rec.store.index.reconstruct(vids[[0, 2]]))
    assert retrieval.stored_vectors(rec.store, np.zeros(0, np.int64)).shape == (0, 32)
