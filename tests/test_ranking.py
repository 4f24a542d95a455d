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


def test_a_brief_is_read_in_one_of_its_candidates_languages():
    """written_in chooses among the languages of the creators a brief could match, so a brief
    of a few words is read reliably; nothing to choose among one language."""
    from recommender.locales import written_in

    assert written_in("recettes végétales de saison, zéro gaspillage", {"en", "fr"}) == "fr"
    assert written_in("Smart baby monitor", {"en", "fr", None}) == "en"
    assert written_in("Outdoor gear repair service", {"en", "fr-ca"}) == "en"
    assert written_in("Smart baby monitor", {"en"}) is None
    assert written_in("Smart baby monitor", {"en", "not-a-language"}) is None
    assert written_in("   ", {"en", "fr"}) is None


def test_the_briefs_words_do_not_count_against_a_creator_of_another_language():
    """BM25 can only find the brief's words in the brief's language: a creator who writes in
    another has no keywords component (relevance is its similarity alone), where a creator of
    the brief's language who uses none of its words has 0."""
    import numpy as np

    from recommender.ranking import Ranker

    pool = pool_of([0.6, 0.6, 0.2], ["micro"] * 3, keywords=[1.0, 0.0, 0.0])
    pool.language = np.array(["fr", "fr", "en"], dtype=object)
    scores, comps = Ranker().score_pool(pool, None)
    assert comps["keywords"].tolist() == [1.0, 0.0, 0.0]  # the brief's language unknown
    pool.language = np.array(["fr", "en-gb", None], dtype=object)
    pool.read_in("recettes végétales de saison")
    assert pool.brief_language == "fr"
    scores, comps = Ranker().score_pool(pool, None)
    assert comps["keywords"][0] == 1.0 and np.isnan(comps["keywords"][1])
    assert comps["keywords"][2] == 0.0  # its language unknown: its words are read as before
    sim = comps["similarity"]
    discount = 1 - 0.1 * 0.5  # engagement 0.5 at its default weight
    assert np.allclose(scores, np.array([0.7 * sim[0] + 0.3, sim[1], 0.7 * sim[2]]) * discount)
    assert scores[1] > 0.7 * sim[1] * discount  # not marked down for the brief's language
    pool.keywords = None  # lexical search off: nothing to read the brief's language for
    pool.brief_language = None
    pool.read_in("recettes végétales de saison")
    assert pool.brief_language is None


def test_a_match_over_creators_of_two_languages_says_which_words_it_read(tmp_path):
    """Through the service: the French brief's creators who write in English show no words
    component (None, '-' in the table), the French ones a number; the same over shards."""
    import json

    from conftest import DATA

    from recommender.sharding import ShardedRecommender

    records = [json.loads(line) for line in (DATA / "creators.jsonl").read_text(
        encoding="utf-8").splitlines()]
    path = tmp_path / "idx"
    with Recommender(path, create=True, embedder=HashEmbedder()) as rec:
        rec.ingest([write_jsonl(tmp_path / "a.jsonl", records)])
        got = rec.match(Brief(brief="recettes végétales anti-gaspi", k=40))
    by_language = {}
    for m in got:
        by_language.setdefault(m.language, set()).add(m.components["keywords"] is None)
    assert by_language["en"] == {True} and by_language["fr"] == {False}
    with ShardedRecommender([path], embedder=HashEmbedder()) as many:
        assert [m.model_dump() for m in many.match(
            Brief(brief="recettes végétales anti-gaspi", k=40))] == [m.model_dump() for m in got]


def test_candidates_components_as_columns():
    """A component no candidate has is not used; one some candidates lack is NaN for those
    (scored without it), whichever candidate comes first."""
    import numpy as np

    from recommender.ranking import COMPONENTS, columns

    got = columns([{"similarity": 0.5, "keywords": None}, {"similarity": 1.0, "keywords": 0.2}])
    assert set(got) == set(COMPONENTS) and got["values"] is None
    assert got["similarity"].tolist() == [0.5, 1.0]
    assert np.isnan(got["keywords"][0]) and got["keywords"][1] == 0.2


def test_the_values_direction_is_refined_from_the_shortlists_own_words():
    """Rocchio feedback: the direction moves towards what the creators who hold the values
    most say beyond the statement's words (their aligned texts' mean), away from what those
    who hold them least say, by at most the direction's own length; a shortlist too short to
    hold both ends leaves it as it was. The refined fit keeps the first fit's median and
    spread, the scale STANCE_MARGIN was measured in."""
    import numpy as np

    from recommender.evidence import FEEDBACK, on_scale, refined

    rng = np.random.default_rng(5)
    d, u, w = np.eye(16)[:3]  # the statement's direction; what its side says; the other side
    texts = [0.5 * d + 0.5 * u + 0.05 * rng.normal(size=16) for _ in range(FEEDBACK)]
    texts += [0.2 * d + 0.5 * w + 0.05 * rng.normal(size=16) for _ in range(FEEDBACK)]
    fits = np.array([t @ d for t in texts])
    got = refined(d, texts, fits)
    assert abs(np.linalg.norm(got) - 1) < 1e-9
    assert got @ u > 0.3 and got @ w < -0.3 and got @ d >= np.sqrt(0.5) - 1e-9
    assert np.array_equal(refined(d, texts[:2 * FEEDBACK - 1], fits[:-1]), d)
    fresh = np.array([0.9, 0.1, 0.5, 0.3, 0.7])
    before = np.array([0.2, 0.25, 0.3, 0.1, 0.15])
    scaled = on_scale(fresh, before)
    assert np.isclose(np.median(scaled), np.median(before))
    assert np.isclose(np.std(scaled), np.std(before))
    assert np.array_equal(np.argsort(scaled), np.argsort(fresh))
    assert np.array_equal(on_scale(np.full(5, 0.4), before), before)  # nothing to spread


def test_the_shortlists_texts_read_at_once_as_each_creators_alone():
    """evidence.Texts reads every creator's texts along a direction in one product: each
    creator's fit is the mean of its TOP_POSTS highest texts (all of them when it has fewer),
    the mean vector of those texts is theirs, and the order keeps a creator's rows together,
    highest first, ties in the creator's own order."""
    import numpy as np

    from recommender.evidence import TOP_POSTS, Texts

    rng = np.random.default_rng(11)
    mats = [rng.normal(size=(n, 8)).astype(np.float32) for n in (1, 2, 3, 7, 12)]
    mats.append(np.tile(rng.normal(size=(1, 8)).astype(np.float32), (4, 1)))  # all tied
    d = rng.normal(size=8)
    texts = Texts(mats)
    sims, order = texts.ranked(d)
    best = texts.best(order)
    fits, means = texts.fits(sims, best), texts.means(best)
    for n, m in enumerate(mats):
        s = m @ d
        top = np.argsort(-s, kind="stable")[:TOP_POSTS]
        assert np.isclose(fits[n], s[top].mean())
        assert np.allclose(means[n], m[top].mean(axis=0), atol=1e-6)
        first = texts.start[n]
        assert list(order[first:first + len(m)] - first) == list(np.argsort(-s, kind="stable"))


def test_a_statement_in_abstract_words_finds_the_creators_who_say_it_in_theirs(tmp_path):
    """The statement "discipline, intensity" shares a word with a creator of the other side
    ("consistency over intensity"), and none with most of its own side's posts; the posts of
    the creators it points at most teach the rest of the direction ("no rest days, shred")."""
    from recommender.ranking import Ranker, Weights

    def posts(*texts):
        return [{"id": f"p{i}", "text": t, "likes": 50, "comments": 3}
                for i, t in enumerate(texts)]

    own = [creator(f"own{i}", bio="gym training log", posts=posts(
        "discipline every morning gym", "no rest days shred season", "shred season week",
        "no rest days grind")) for i in range(6)]
    quiet = [creator(f"own_q{i}", bio="gym training log", posts=posts(
        "no rest days shred season", "shred season grind", "gym training log week")) for i in
        range(2)]
    other = [creator(f"oth{i}", bio="gym training log", posts=posts(
        "consistency over intensity walks", "rest day walk yoga", "gentle yoga rest day",
        "walk after lunch yoga")) for i in range(6)]
    rec = Recommender(tmp_path / "idx", create=True, embedder=HashEmbedder())
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", own + quiet + other)])
    rec.ranker = Ranker(weights=Weights(keywords=0, engagement=0))
    ms = rec.match(Brief(brief="gym training", values="discipline, intensity", k=14))
    values = {m.creator_id: m.components["values"] for m in ms}
    # the two who never write the statement's words hold its values beyond every creator of
    # the other side, one of whom writes "intensity"
    assert min(values[f"own_q{i}"] for i in range(2)) > max(values[f"oth{i}"] for i in range(6))
    rec.close()


def test_values_written_into_the_brief_rank_as_values_given(tmp_path):
    """"gym training. We believe in discipline, intensity." is the brief "gym training" with
    the values "discipline, intensity": the same order and components, values fit included."""
    from recommender.ranking import Ranker, Weights

    def posts(*texts):
        return [{"id": f"p{i}", "text": t, "likes": 50, "comments": 3}
                for i, t in enumerate(texts)]

    recs = [creator(f"own{i}", bio="gym training log", posts=posts(
        "discipline every morning gym", "no rest days shred season", f"intensity week {i}"))
        for i in range(6)]
    recs += [creator(f"oth{i}", bio="gym training log", posts=posts(
        "consistency walks", "rest day walk yoga", f"gentle yoga week {i}")) for i in range(6)]
    rec = Recommender(tmp_path / "idx", create=True, embedder=HashEmbedder())
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", recs)])
    rec.ranker = Ranker(weights=Weights(engagement=0))
    given = rec.match(Brief(brief="gym training", values="discipline, intensity", k=12))
    written = rec.match(Brief(brief="gym training. We believe in discipline, intensity.", k=12))
    assert [(m.creator_id, m.components) for m in written] == [
        (m.creator_id, m.components) for m in given]
    assert all(m.components["values"] is not None for m in written)
    assert ids_of(written)[0].startswith("own")
    rec.close()


def test_cosines_closer_than_the_least_span_are_not_stretched_to_the_whole_range():
    """A pool whose cosines all lie within MIN_SPAN (a small or narrowly filtered catalogue)
    keeps their differences small: the best is 1, the lowest 1 - its distance / MIN_SPAN, not
    0. A pool wider than MIN_SPAN is rescaled lowest 0, best 1, as before."""
    import numpy as np

    from recommender.ranking import MIN_SPAN, Ranker

    narrow = pool_of([0.30, 0.30, 0.31], ["micro"] * 3, values=[0.20, 0.22, 0.21])
    _, comps = Ranker().score_pool(narrow, None)
    assert np.allclose(comps["similarity"], [1 - 0.01 / MIN_SPAN] * 2 + [1.0])
    assert comps["similarity"].min() > 0.8
    assert comps["values"].min() > 0.7 and comps["values"].max() == 1.0
    wide = pool_of([0.1, 0.3, 0.5], ["micro"] * 3)
    assert np.allclose(Ranker().score_pool(wide, None)[1]["similarity"], [0.0, 0.5, 1.0])
    alike = pool_of([0.3, 0.3], ["micro"] * 2)
    assert Ranker().score_pool(alike, None)[1]["similarity"].tolist() == [1.0, 1.0]

