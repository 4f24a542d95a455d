"""The ranker (ranking.py): the weighted components and diversity."""


from conftest import creator, ids_of, write_jsonl

from recommender.embedding import HashEmbedder
from recommender.schema import Brief
from recommender.service import Recommender


def test_diversity_keeps_near_duplicates_apart(tmp_path):
    from recommender.ranking import Ranker

    recs = [creator(f"dup{i}", "zero waste shampoo bar refill") for i in range(4)]
    recs.append(creator("other", "zero waste kitchen compost jars"))
    path = tmp_path / "idx"
    Recommender(path, create=True, embedder=HashEmbedder()).ingest(
        [write_jsonl(tmp_path / "a.jsonl", recs)])
    plain = Recommender(path, embedder=HashEmbedder())
    diverse = Recommender(path, embedder=HashEmbedder(), ranker=Ranker(diversity=0.7))
    brief = Brief(brief="zero waste shampoo bar", k=2)
    assert ids_of(plain.match(brief))[1].startswith("dup")
    assert ids_of(diverse.match(brief))[1] == "other"


def pool_of(similarity, tiers, engagement=None, authenticity=None, values=None, keywords=None):
    import numpy as np

    from recommender.pool import Pool

    n = len(similarity)
    return Pool(vids=np.arange(n, dtype=np.int64), similarity=np.array(similarity, float),
                values_similarity=None if values is None else np.array(values, float),
                keywords=None if keywords is None else np.array(keywords, float),
                tier=np.array(tiers, dtype=object),
                engagement=np.array(engagement or [0.5] * n, float),
                authenticity=np.array(authenticity or [1.0] * n, float))


def test_score_is_relevance_times_the_discounts_the_brief_defines():
    """relevance = the weighted mean of similarity and keywords (those defined); every other
    defined component c multiplies it by 1 - w (1 - c); undefined ones (no values statement, no
    objective, lexical off) drop out. The pool's cosines are rescaled lowest -> 0, best -> 1."""
    import numpy as np

    from recommender.ranking import Ranker, Weights

    w = Weights(similarity=0.5, values=0.1, keywords=0.1, tier_fit=0.4, engagement=0.2,
                authenticity=1.0)
    pool = pool_of([0.2, 0.4, 0.6], ["nano", "micro", "macro"], engagement=[0.2, 0.4, 0.6],
                   authenticity=[1.0, 0.5, 0.0])
    scores, comps = Ranker(weights=w).score_pool(pool, None)
    assert comps["values"] is None and comps["keywords"] is None and comps["tier_fit"] is None
    assert np.allclose(comps["similarity"], [0.0, 0.5, 1.0])
    expected = comps["similarity"] * (1 - 0.2 * (1 - pool.engagement)) * pool.authenticity
    assert np.allclose(scores, expected)
    scores, comps = Ranker(weights=w).score_pool(pool, "ugc")  # nano wanted
    assert comps["tier_fit"].tolist() == [1.0, 0.5, 0.0]
    assert np.allclose(scores, expected * (1 - 0.4 * (1 - comps["tier_fit"])))


def test_a_discount_never_lifts_an_off_topic_creator():
    """The failure of a weighted mean: an on-tier, authentic creator of another niche beat the
    brief's own creators on priors. Discounts only take away, so relevance stays first."""
    import numpy as np

    from recommender.ranking import Ranker

    pool = pool_of([0.70, 0.30, 0.20], ["macro", "nano", "micro"], engagement=[0.5, 1.0, 0.5])
    scores, comps = Ranker().score_pool(pool, "ugc")  # nano wanted: the off-topic one is nano
    assert np.allclose(comps["similarity"], [1.0, 0.2, 0.0])
    assert scores[0] > scores[1] > scores[2]


def test_values_measure_the_stance_beyond_the_topic():
    """Two creators equally close to the brief: the one whose content leans to the values
    statement beyond the brief's topic gets the higher values component."""
    import numpy as np

    from recommender.ranking import stance

    s = stance(np.array([0.6, 0.6, 0.2]), np.array([0.5, 0.2, 0.5]), between=0.5)
    assert s[0] > s[1]
    assert np.allclose(s, (np.array([0.5, 0.2, 0.5]) - 0.5 * np.array([0.6, 0.6, 0.2]))
                       / np.sqrt(0.75))
    assert np.allclose(stance(np.array([0.6]), np.array([0.5]), between=0.99), [0.5])


def test_fixed_calibration_and_an_objective_for_each_tier():
    import numpy as np

    from recommender.ranking import Ranker

    pool = pool_of([0.15, 0.4, 0.9], ["nano", "micro", "macro"])
    _, comps = Ranker(calibration="fixed").score_pool(pool, "awareness")
    assert np.allclose(comps["similarity"], [0.0, 0.5, 1.0])  # (cos - 0.15) / 0.5, clipped
    assert comps["tier_fit"].tolist() == [0.0, 0.5, 1.0]
    _, comps = Ranker().score_pool(pool, "engagement")
    assert comps["tier_fit"].tolist() == [0.5, 1.0, 0.5]


def test_shortlist_keeps_every_tie_at_its_edge():
    import numpy as np

    from recommender.ranking import Ranker

    scores = np.array([0.9, 0.5, 0.7, 0.7, 0.7, 0.1])
    assert sorted(Ranker().shortlist(scores, 2).tolist()) == [0, 2, 3, 4]
    assert sorted(Ranker().shortlist(scores, 10).tolist()) == list(range(6))


def test_weights_are_checked_and_parsed():
    import pytest

    from recommender.ranking import Weights

    assert Weights.parse("similarity=0.4, authenticity=0.2").similarity == 0.4
    for bad, says in (("similarity", "use NAME=NUMBER"), ("speed=1", "use NAME=NUMBER"),
                      ("values=x", "not a number")):
        with pytest.raises(ValueError, match=says):
            Weights.parse(bad)
    with pytest.raises(ValueError, match="finite number >= 0"):
        Weights(similarity=-1)
    with pytest.raises(ValueError, match="similarity or keywords must weigh more than 0"):
        Weights(similarity=0, keywords=0)
    with pytest.raises(ValueError, match="0 to 1"):
        Weights(authenticity=2)


def test_the_pool_stance_and_the_posts_direction_are_one_measure():
    """ranking.stance (from two cosines, for the pool) equals the cosine with
    values_direction (a vector, for posts), the same threshold included."""
    import numpy as np

    from recommender.ranking import stance, values_direction

    rng = np.random.default_rng(3)
    b, x = (v / np.linalg.norm(v) for v in rng.normal(size=(2, 16)))
    for mix in (0.3, 0.99):  # a statement far from the brief, then one nearly the brief
        v = mix * b + (1 - mix) * rng.normal(size=16)
        v /= np.linalg.norm(v)
        got = stance(np.array([x @ b]), np.array([x @ v]), float(v @ b))
        assert np.allclose(got, [x @ values_direction(b, v)])
