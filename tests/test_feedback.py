"""Relevance feedback on the brief (feedback.py): the content component read on the brief moved
towards its five best candidates, and the briefs it leaves as they are."""

import numpy as np
import pytest

from recommender import feedback
from recommender.pool import Pool


def unit(v):
    v = np.asarray(v, np.float32)
    return v / np.linalg.norm(v)


def pool_of(vectors, brief, scores_order=None, fewest=None, reference=None):
    """A pool of len(vectors) candidates whose cosine with the brief is read from vectors."""
    vectors = np.asarray(vectors, np.float32)
    n = len(vectors)
    return Pool(vids=np.arange(100, 100 + n, dtype=np.int64), similarity=vectors @ brief,
                values_similarity=None, keywords=None, tier=np.array(["micro"] * n, object),
                engagement=np.full(n, 0.5), authenticity=np.ones(n), brief_vector=brief,
                fewest_using=fewest, reference=reference)


def test_the_content_is_read_on_the_brief_moved_towards_its_five_best():
    """The brief says "a"; its five best candidates all post "a" and "b": a candidate posting
    "b" alone rises above one posting "c" alone, which the brief's own cosine cannot tell
    apart, and each cosine is the one with b + WEIGHT * mean of the five, normalised."""
    a, b, c = np.eye(3, dtype=np.float32)
    brief = a
    best = [unit(a + b)] * 5
    others = [unit(a + 0.1 * c)] * 5 + [b, c]
    vectors = np.stack(best + others)
    pool = pool_of(vectors, brief)
    scores = np.array([1.0] * 5 + [0.5] * 7)
    got = feedback.content(pool, scores, lambda vids: vectors[vids - 100])
    moved = unit(brief + feedback.WEIGHT * unit(a + b))
    assert got is not None
    np.testing.assert_allclose(got, vectors @ moved, atol=1e-6)
    assert pool.similarity[-2] == pool.similarity[-1] == 0.0  # b and c alike to the brief
    assert got[-2] > got[-1]  # not to what its best candidates post


def test_the_feedback_is_the_best_by_score_among_the_reference_ties_by_vid():
    """Candidates outside the reference (a deeper answer's) are never the feedback, so that a
    deeper answer is moved by the default answer's five; a vector the index no longer holds
    (NaN) is passed over, and that candidate keeps its cosine with the brief."""
    rng = np.random.default_rng(0)
    vectors = np.stack([unit(v) for v in rng.normal(size=(14, 8))])
    brief = unit(rng.normal(size=8))
    reference = np.array([True] * 12 + [False] * 2)
    pool = pool_of(vectors, brief, reference=reference)
    scores = np.linspace(0.9, 0.1, 14)
    scores[12:] = 5.0  # the best scores, outside the reference
    held = vectors.copy()
    held[0] = np.nan  # the best of the reference, gone from the index
    got = feedback.content(pool, scores, lambda vids: held[vids - 100])
    expected = held @ feedback.moved(brief, vectors[1:6])
    expected[0] = pool.similarity[0]
    assert got is not None
    np.testing.assert_allclose(got, expected, atol=1e-6)


@pytest.mark.parametrize("case", ["lookalikes", "small pool", "a word one creator uses"])
def test_briefs_the_feedback_leaves_as_they_are(case):
    """No brief vector (lookalikes), a pool under twice the feedback, and a brief with a word
    only one creator uses (its code, its name: that creator is what it asks for, and the
    feedback's others cannot share the word) are not moved; a word two creators use is."""
    rng = np.random.default_rng(1)
    n = 9 if case == "small pool" else 20
    vectors = np.stack([unit(v) for v in rng.normal(size=(n, 8))])
    brief = unit(rng.normal(size=8))
    pool = pool_of(vectors, brief, fewest=1 if case == "a word one creator uses" else 40)
    if case == "lookalikes":
        pool.brief_vector = None
    scores = rng.random(n)
    assert feedback.content(pool, scores, lambda vids: vectors[vids - 100]) is None
    if case == "a word one creator uses":
        pool.fewest_using = 2
        assert feedback.content(pool, scores, lambda vids: vectors[vids - 100]) is not None
