"""The default encoder (multilingual.py): a brief is encoded with a BLAS thread fewer than an
ingest's texts, on the same weights, to the same vectors."""

import numpy as np
import pytest

from recommender.embedding import encode_queries
from recommender.multilingual import UniversalSentenceEncoder


def test_a_brief_is_encoded_with_a_thread_fewer_on_the_same_weights_to_the_same_vectors():
    """A match applies its filters on a helper thread while its brief is encoded: the brief
    leaves that thread a core (two BLAS threads on two cores made a match 1.5x slower beside
    an ingest). An ingest's batches keep every thread; the weights are loaded once."""
    enc = UniversalSentenceEncoder(threads=2)
    texts = ["launch of a plastic-free solid shampoo bar", "zéro déchet, avis honnêtes",
             "GIVEAWAY TIME"]
    creators, brief = enc.encode(texts), encode_queries(enc, texts)
    np.testing.assert_allclose(brief, creators, atol=1e-5)
    assert enc.query_threads == 1
    model, twin = enc._model, enc._query_model
    assert (model._backend.threads, twin._backend.threads) == (2, 1)
    assert twin._backend.table is model._backend.table  # one copy of the weights
    assert enc.encode(texts[:1]).shape == (1, 512) and model._backend.threads == 2
    assert UniversalSentenceEncoder(threads=1).query_threads == 1  # never none


def test_a_thread_count_that_is_none_is_refused_naming_the_setting(monkeypatch):
    """CREATOR_MATCH_ENCODER_THREADS=two, or 0, was read as unset without a word."""
    from recommender.errors import InvalidInputError

    for bad in ("two", "0", "-1", "1.5"):
        monkeypatch.setenv("CREATOR_MATCH_ENCODER_THREADS", bad)
        with pytest.raises(InvalidInputError, match="CREATOR_MATCH_ENCODER_THREADS"):
            UniversalSentenceEncoder()
    monkeypatch.setenv("CREATOR_MATCH_ENCODER_THREADS", " 3 ")
    assert UniversalSentenceEncoder().threads == 3
    assert UniversalSentenceEncoder(threads=1).threads == 1  # given: the setting is not read
    monkeypatch.delenv("CREATOR_MATCH_ENCODER_THREADS")
    assert UniversalSentenceEncoder().threads >= 1
