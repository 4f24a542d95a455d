"""The Recommender facade over a real index directory, with the fast fake encoder: ingest,
match, similar, remove, and what it checks when it opens an index."""


import numpy as np
import pytest
from conftest import creator, ids_of, snapshot, write_jsonl

from benchmarks import datagen
from recommender import feedback
from recommender.embedding import HashEmbedder
from recommender.evidence import rerank_depth, rescore
from recommender.retrieval import materialise
from recommender.schema import Brief
from recommender.service import IngestRejected, ModelMismatchError, NotFoundError, Recommender


def test_ingest_upsert_counts_and_cache(tmp_path, embedder):
    f = write_jsonl(tmp_path / "a.jsonl", [creator("a"), creator("b", "gaming stream")])
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    r = rec.ingest([f])
    assert (r.added, r.updated, r.unchanged, r.rejected) == (2, 0, 0, 0)
    assert r.encoded_texts == len(set(embedder.encoded)) == 8
    embedder.encoded.clear()
    r = rec.ingest([f])
    assert (r.added, r.updated, r.unchanged) == (0, 0, 2) and embedder.encoded == []
    # a metadata change re-scores without re-encoding; one new post encodes just that text
    changed = creator("a", followers=9000)
    changed["posts"].append({"id": "p9", "text": "brand new post", "likes": 5, "comments": 1})
    r = rec.ingest([write_jsonl(tmp_path / "b.jsonl", [changed])])
    assert (r.added, r.updated) == (0, 1)
    assert embedder.encoded == ["brand new post"]
    assert rec.get("a")["record"]["followers"] == 9000
    assert len(rec) == 2

def test_match_explains_and_ranks(tmp_path, embedder):
    recs = [creator("zw", "zero waste shampoo bar refill"), creator("gm", "fps gaming stream"),
            creator("zw_big", "zero waste shampoo bar refill", followers=500_000)]
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", recs)])
    ms = rec.match(Brief(brief="zero waste shampoo bar", objective="ugc", k=3))
    assert ids_of(ms)[-1] == "gm"
    top = ms[0]
    assert set(top.components) == {"similarity", "values", "keywords", "tier_fit",
                                   "engagement", "authenticity"}
    assert top.components["values"] is None
    assert top.evidence and top.evidence[0].post_id.startswith("p")
    assert ms == sorted(ms, key=lambda m: -m.score)
    awareness = rec.match(Brief(brief="zero waste shampoo bar", objective="awareness", k=1))
    assert ids_of(awareness) == ["zw_big"]

def test_strict_rejects_whole_batch(tmp_path):
    rec = Recommender(tmp_path / "idx", create=True, embedder=HashEmbedder())
    rec.ingest([write_jsonl(tmp_path / "a.jsonl", [creator("a")])])
    before = snapshot(tmp_path / "idx")
    bad = write_jsonl(tmp_path / "b.jsonl", [creator("b"), "{oops", creator("a", followers=1)])
    with pytest.raises(IngestRejected) as e:
        rec.ingest([bad], strict=True)
    assert e.value.errors[0].line == 2
    assert snapshot(tmp_path / "idx") == before
    r = rec.ingest([bad])  # not strict: the good ones land, the bad one is reported
    assert (r.added, r.updated, r.rejected) == (1, 1, 1)

def test_model_mismatch_names_both(tmp_path):
    Recommender(tmp_path / "idx", create=True, embedder=HashEmbedder(64)).ingest(
        [write_jsonl(tmp_path / "a.jsonl", [creator("a")])])
    with pytest.raises(ModelMismatchError, match="hash-64.*hash-32"):
        Recommender(tmp_path / "idx", create=True, embedder=HashEmbedder(32))
    assert Recommender(tmp_path / "idx", create=True, model="hash-64").embedder.name == "hash-64"

class _Int8Named(HashEmbedder):
    """Stands in for the int8 path, which names its model MODEL@int8."""

    @property
    def name(self) -> str:
        return super().name + "@int8"

def test_int8_and_other_paths_never_share_an_index(tmp_path):
    Recommender(tmp_path / "idx", create=True, embedder=_Int8Named(64)).ingest(
        [write_jsonl(tmp_path / "a.jsonl", [creator("a")])])
    with pytest.raises(ModelMismatchError, match="Set CREATOR_MATCH_PRECISION=int8"):
        Recommender(tmp_path / "idx", create=True, embedder=HashEmbedder(64))
    Recommender(tmp_path / "idx2", create=True, embedder=HashEmbedder(64)).ingest(
        [write_jsonl(tmp_path / "b.jsonl", [creator("b")])])
    with pytest.raises(ModelMismatchError, match="another precision than int8"):
        Recommender(tmp_path / "idx2", create=True, embedder=_Int8Named(64))

def test_tier_scheme_is_fixed_at_creation(tmp_path):
    path = tmp_path / "idx"
    rec = Recommender(path, create=True, embedder=HashEmbedder(), tiers="industry")
    rec.ingest([write_jsonl(tmp_path / "a.jsonl", [creator("a", followers=50_000)])])
    assert rec.get("a")["tier"] == "micro"  # industry: micro is 10k-100k
    again = Recommender(path, create=True, embedder=HashEmbedder())
    assert again.tiers.name == "industry"
    with pytest.raises(ValueError, match="tier scheme 'industry'"):
        Recommender(path, create=True, embedder=HashEmbedder(), tiers="mission")

def test_remove_erases_everywhere(tmp_path, embedder):
    path = tmp_path / "idx"
    rec = Recommender(path, create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "a.jsonl", [
        creator("secret", "unique purple elephant phrase"), creator("b", "gaming")])])
    assert ids_of(rec.match(Brief(brief="unique purple elephant phrase", k=1))) == ["secret"]
    assert rec.remove(["secret", "nobody"]) == ["secret"]
    with pytest.raises(NotFoundError):
        rec.get("secret")
    assert ids_of(rec.match(Brief(brief="unique purple elephant phrase", k=5))) == ["b"]
    stats = rec.stats()
    assert stats["creators"] == 1 and stats["cached_texts"] == 4  # only b's bio and posts
    rec.close()
    assert len(Recommender(path, create=True, embedder=HashEmbedder())) == 1

def test_similar_and_unknown_tier(tmp_path):
    rec = Recommender(tmp_path / "idx", create=True, embedder=HashEmbedder())
    rec.ingest([write_jsonl(tmp_path / "a.jsonl", [
        creator("a", "zero waste shampoo"), creator("b", "zero waste shampoo bar"),
        creator("c", "fps gaming")])])
    got = ids_of(rec.similar("a", k=2))
    assert got == ["b", "c"]
    with pytest.raises(NotFoundError):
        rec.similar("zz")
    with pytest.raises(ValueError, match="unknown tier 'mega'"):
        rec.match(Brief(brief="x", filters={"tiers": ["mega"]}))

def test_match_shortlist_equals_ranking_everything(tmp_path, embedder):
    """match scores the pool as columns and reads rows for a shortlist only (ties at its edge
    included); its answer is the head of every candidate of the pool, scored and read, its best
    re-scored from their posts."""
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([datagen.write_jsonl(tmp_path / "c.jsonl", 150, seed=4)])
    for brief in (Brief(brief="zero waste shampoo", k=5, objective="ugc"),
                  Brief(brief="thrift haul", values="honest reviews", k=12),
                  Brief(brief="gaming setup", k=7, filters={"tiers": ["micro"]})):
        pool, _, _ = rec.retriever.pool(brief)
        scores, comps = rec.ranker.score_pool(pool, brief.objective)
        pool.content = feedback.content(pool, scores, rec.content_vectors)
        if pool.content is not None:  # every candidate scored again on the moved brief
            scores, comps = rec.ranker.score_pool(pool, brief.objective)
        ranked = materialise(rec.catalog.rows, pool, np.arange(len(pool)), scores, comps)
        wide = rerank_depth(brief.k)
        head = rescore(rec.ranker, ranked[:wide],
                       rec.catalog.post_vectors([c.row.vid for c in ranked[:wide]]),
                       pool.brief_vector, pool.values_vector)
        assert ids_of(rec.match(brief)) == [c.row.id for c in head[: brief.k]]

def test_a_match_reads_the_posts_of_the_shortlist_it_re_scores(tmp_path, embedder):
    """A brief with a values statement reads the rows and posts of the wide shortlist that
    re-scoring reorders; one without reads those of the k it can choose among (ties at the
    edge included), since nothing reorders them."""
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([datagen.write_jsonl(tmp_path / "c.jsonl", 150, seed=4)])
    read: list[int] = []
    rows, posts = rec.catalog.rows, rec.catalog.post_vectors
    rec.catalog.rows = lambda vids: (read.append(len(vids)), rows(vids))[1]
    rec.catalog.post_vectors = lambda vids: (read.append(len(vids)), posts(vids))[1]
    rec.match(Brief(brief="thrift haul", k=5))
    assert read and max(read) < rerank_depth(5) and min(read) >= 5
    read.clear()
    rec.match(Brief(brief="thrift haul", values="repair and buying less", k=5))
    assert max(read) >= rerank_depth(5)
    rec.close()

def test_concurrent_matches_answer_as_one_at_a_time(tmp_path):
    """Matches from many threads at once (the HTTP server's) each get the answer they get
    alone: the helper threads that apply filters beside the encoder share no state."""
    from concurrent.futures import ThreadPoolExecutor

    rec = Recommender(tmp_path / "idx", create=True, embedder=HashEmbedder(32))
    rec.ingest([datagen.write_jsonl(tmp_path / "c.jsonl", 200, seed=9)])
    briefs = [Brief(brief=b, k=6, filters=f) for b in ("zero waste shampoo", "thrift haul",
                                                         "gaming setup", "vegan recipes")
              for f in ({}, {"tiers": ["micro"]}, {"countries": ["FR"]})]
    alone = [ids_of(rec.match(b)) for b in briefs]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda b: ids_of(rec.match(b)), briefs * 4))
    assert together == alone * 4
    rec.close()


def test_a_missing_index_is_named_not_an_empty_answer(tmp_path):
    """Before: Recommender('typo-path') created an empty index and match answered []."""
    with pytest.raises(FileNotFoundError, match="no index at .*typo.*create=True"):
        Recommender(tmp_path / "typo", embedder=HashEmbedder())
    assert not (tmp_path / "typo").exists()  # and nothing was created
    with Recommender(tmp_path / "new", embedder=HashEmbedder(), create=True) as rec:
        assert rec.match(Brief(brief="x")) == []  # created on purpose: empty until ingested


def test_content_fit_is_what_a_creator_posts_not_its_few_closest_posts(tmp_path, embedder):
    """Content is what a creator posts, taken together: a creator of another niche with three
    captions near the brief among many does not outrank one whose every post is on the brief's
    topic (by its three closest posts alone, it did)."""
    def posts(texts):
        return [{"id": f"p{i}", "text": t, "likes": 200, "comments": 10}
                for i, t in enumerate(texts)]
    stray = creator("stray", posts=posts(
        ["solid shampoo bar tin", "solid shampoo bar gift", "solid shampoo bar sale"]
        + [f"ranked match {i} on the new console" for i in range(9)]))
    whole = creator("whole", posts=posts(
        ["solid shampoo bar routine today", "solid shampoo bar for curls",
         "solid shampoo bar after swimming", "solid shampoo bar and conditioner",
         "solid shampoo bar travel case", "solid shampoo bar in winter"]))
    filler = [creator(f"f{i}", f"garden tomato harvest number {i}") for i in range(4)]
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", [stray, whole, *filler])])
    assert ids_of(rec.match(Brief(brief="solid shampoo bar", k=2))) == ["whole", "stray"]
    rec.close()


def test_a_caption_posted_again_is_one_piece_of_evidence(tmp_path, embedder):
    """A creator's content vector holds each caption once: one on-topic caption posted three
    times is less evidence than three different on-topic posts."""
    def posts(texts):
        return [{"id": f"p{i}", "text": t, "likes": 200, "comments": 10}
                for i, t in enumerate(texts)]
    off = ["weekend football match", "new gaming chair", "city marathon photos"]
    repeated = creator("rep", posts=posts(["solid shampoo bar"] * 3 + off))
    varied = creator("var", posts=posts(["solid shampoo bar in a tin", "my shampoo bar routine",
                                         "solid bar for dry hair", *off]))
    filler = [creator(f"f{i}", f"garden tomato harvest number {i}") for i in range(4)]
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", [repeated, varied, *filler])])
    ms = rec.match(Brief(brief="solid shampoo bar", k=3))
    assert ids_of(ms)[:2] == ["var", "rep"]
    assert ms[0].components["similarity"] > ms[1].components["similarity"]
    rec.close()


def test_a_bio_that_states_the_values_is_values_evidence(tmp_path, embedder):
    """The values fit reads a creator's bio beside its posts: of two creators whose posts are
    the same, the one whose bio says what the brand stands for holds its values (read from the
    posts alone, they tied). Keywords off: the bio's words must not decide it instead."""
    from recommender.ranking import Ranker, Weights

    same = [{"id": f"p{i}", "text": f"solid shampoo bar wash day {i}", "likes": 200,
             "comments": 10} for i in range(4)]
    states = creator("z_states", bio="refill repair buy less secondhand", posts=same)
    other = creator("a_other", bio="weekly haul new drops unboxing", posts=same)
    filler = [creator(f"f{i}", f"garden tomato harvest number {i}") for i in range(4)]
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", [states, other, *filler])])
    rec.ranker = Ranker(weights=Weights(keywords=0))
    ms = rec.match(Brief(brief="solid shampoo bar", values="refill, repair, buy less", k=2))
    assert ids_of(ms) == ["z_states", "a_other"]
    assert ms[0].components["values"] > ms[1].components["values"]
    assert all(e.post_id for m in ms for e in m.values_evidence)  # posts shown, not the bio
    rec.close()


def test_asking_for_fewer_or_more_keeps_the_head_of_the_default_answer(tmp_path, embedder):
    """A creator's score does not depend on how many results were asked: the first 5 and 10
    are those of the default answer (20), which `eval` measures, and so are the first 20 of 60
    or 150. Asking for more scores a deeper pool and shortlist on the default's scales (the
    content scale's zero, the values' median and feedback, the keywords' best). Before, those
    were read on whatever was retrieved, and the first 20 of 150 were not the 20; lookalikes
    alike."""
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([datagen.write_jsonl(tmp_path / "c.jsonl", 600, seed=5)])
    for brief in ({"brief": "zero waste shampoo", "values": "refill, honest reviews",
                   "objective": "ugc"},
                  {"brief": "thrift haul", "values": "second hand, repair"},
                  {"brief": "gaming setup", "objective": "awareness",
                   "filters": {"languages": ["en"]}}):
        default = ids_of(rec.match(Brief(**brief)))
        assert len(default) == 20
        for k in (5, 10, 15):
            assert ids_of(rec.match(Brief(**brief, k=k))) == default[:k]
        for k in (60, 150):
            deeper = ids_of(rec.match(Brief(**brief, k=k)))
            assert len(deeper) == k and deeper[:20] == default
    cid = default[0]
    assert ids_of(rec.similar(cid, 150))[:20] == ids_of(rec.similar(cid, 20))
    rec.close()


@pytest.mark.parametrize(("name", "english"), [
    ("sentence-transformers/all-MiniLM-L6-v2", True), ("all-mpnet-base-v2", True),
    ("/models/all-MiniLM-L12-v2", True),
    ("google/universal-sentence-encoder-multilingual-3", False),
    ("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2", False), ("hash-64", False)])
def test_which_encoders_read_english_only(name, english):
    from recommender.embedding import english_only

    assert english_only(name) is english


def test_an_english_only_encoder_over_other_languages_is_said(tmp_path, cli, monkeypatch):
    """A planner whose index encodes with an English-only model is told, at ingest and with
    each match, how many of its creators are in other languages; not while all are English
    (British English, en-GB, among them)."""
    import recommender.answering

    monkeypatch.setattr(recommender.answering, "english_only", lambda name: True)
    idx = tmp_path / "idx"
    en = write_jsonl(tmp_path / "en.jsonl", [creator("a", language="en"),
                                             creator("a2", language="en-GB")])
    code, _, err = cli("ingest", en, "--index", idx)
    assert code == 0 and "English only" not in err
    fr = write_jsonl(tmp_path / "fr.jsonl", [creator("b"), creator("c", language="de")])
    code, _, err = cli("ingest", fr, "--index", idx)
    assert code == 0
    assert ("reads English only, and 2 of its 4 creators are in other languages (de, fr)"
            in err)
    code, _, err = cli("match", "--index", idx, "--brief", "shampoo")
    assert code == 0 and "2 of its 4 creators are in other languages" in err
    monkeypatch.setattr(recommender.answering, "english_only", lambda name: False)
    code, _, err = cli("match", "--index", idx, "--brief", "shampoo")
    assert "English only" not in err


def test_the_encoder_note_is_counted_once_per_write(tmp_path, embedder, monkeypatch):
    """Every match asks for the note: the catalogue's languages are counted again only after
    a write, which the note then follows."""
    import recommender.answering

    monkeypatch.setattr(recommender.answering, "english_only", lambda name: True)
    counted = []
    count = Recommender._count_other_languages
    monkeypatch.setattr(Recommender, "_count_other_languages",
                        lambda self: counted.append(1) or count(self))
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "en.jsonl", [creator("a", language="en")])])
    assert rec.encoder_note() is None and rec.encoder_note() is None and len(counted) == 1
    rec.ingest([write_jsonl(tmp_path / "fr.jsonl", [creator("b")])])
    assert "1 of its 2 creators are in other languages (fr)" in rec.encoder_note()
    rec.match(Brief(brief="shampoo"))
    assert rec.encoder_note() and len(counted) == 2
    rec.close()


def test_a_language_or_country_filter_says_whom_it_leaves_out_unseen(tmp_path, embedder):
    """Creators whose records give no language or country (an export of one platform's
    profiles, a scraper's posts) pass no language or country filter, whatever they post: the
    match says how many it leaves out that way and what to give, only when the brief filters
    so; the count follows the catalogue."""
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", [
        creator("a"), creator("b", language=None, country=None, bio="ok", posts=[
            {"id": "p1", "text": "ok", "likes": 3, "comments": 1}])])])
    assert rec.unknown_note(Brief(brief="x").filters) is None
    note = rec.unknown_note(Brief(brief="x", filters={"languages": ["fr"]}).filters)
    assert note is not None and "1 has no language" in note and "country" not in note
    both = rec.unknown_note(Brief(brief="x", filters={"languages": ["fr"],
                                                      "countries": ["FR"]}).filters)
    assert both is not None and "its language and country to include them" in both
    rec.upsert([creator("b")])  # now with both
    assert rec.unknown_note(Brief(brief="x", filters={"languages": ["fr"]}).filters) is None
    rec.close()
