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


def test_score_is_the_weighted_mean_of_the_defined_components():
    """Undefined components (no values statement, no objective, lexical off) drop out with
    their weights; the pool's cosines are rescaled lowest -> 0, highest -> 1."""
    import numpy as np

    from recommender.ranking import Ranker, Weights

    w = Weights(similarity=0.5, values=0.1, keywords=0.1, tier_fit=0.1, engagement=0.1,
                authenticity=0.1)
    pool = pool_of([0.2, 0.4, 0.6], ["nano", "micro", "macro"], engagement=[0.2, 0.4, 0.6],
                   authenticity=[1.0, 0.5, 0.0])
    scores, comps = Ranker(weights=w).score_pool(pool, None)
    assert comps["values"] is None and comps["keywords"] is None and comps["tier_fit"] is None
    assert np.allclose(comps["similarity"], [0.0, 0.5, 1.0])
    expected = (0.5 * comps["similarity"] + 0.1 * pool.engagement + 0.1 * pool.authenticity) / 0.7
    assert np.allclose(scores, expected)
    scores, comps = Ranker(weights=w).score_pool(pool, "ugc")  # nano wanted
    assert comps["tier_fit"].tolist() == [1.0, 0.5, 0.0]
    assert np.allclose(scores, (0.7 * expected + 0.1 * comps["tier_fit"]) / 0.8)


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
    with pytest.raises(ValueError, match="at least one weight"):
        Weights(0, 0, 0, 0, 0, 0)
