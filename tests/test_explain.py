"""Explanation (explain.py): evidence posts, flags and matched words of a chosen candidate."""

import json

import numpy as np

from recommender.explain import explain, snippet
from recommender.pool import Candidate, CreatorRow


def candidate(flags=()):
    row = CreatorRow(vid=1, id="a", handle="@a", platform="instagram", followers=4200,
                     tier="micro", engagement_rate=0.0412345, engagement=0.5, authenticity=0.7,
                     signals_json=json.dumps({"flags": list(flags)}),
                     vector=np.ones(2, np.float32))
    return Candidate(row=row, similarity=0.5, values_similarity=None,
                     components={"similarity": 0.5}, score=0.123456)


def test_evidence_is_the_closest_posts_and_the_bio_is_never_one():
    q = np.array([1.0, 0.0], np.float32)
    texts = [(None, "Bio about solid shampoo", np.array([1.0, 0.0])),
             ("p1", "far away", np.array([0.0, 1.0])),
             ("p2", "close   to\nthe brief", np.array([0.9, 0.1])),
             ("p3", "closest", np.array([1.0, 0.0]))]
    m = explain(candidate(), q, texts, ["shampoo", "refill"], evidence_posts=2)
    assert [e.post_id for e in m.evidence] == ["p3", "p2"]
    assert m.evidence[1].text == "close to the brief" and m.evidence[0].similarity == 1.0
    assert m.matched_terms == ["shampoo"]  # the bio counts for the words used
    assert m.score == 0.1235 and m.engagement_rate == 0.04123


def test_flags_carry_their_evidence():
    flag = {"name": "sponsored_saturation", "evidence": "4 of 5 posts sponsored", "penalty": 0.3}
    m = explain(candidate([flag]), np.ones(2, np.float32), [])
    assert m.flags == ["sponsored_saturation"]
    assert m.flag_details == {"sponsored_saturation": "4 of 5 posts sponsored"}
    assert m.evidence == [] and m.matched_terms == []


def test_snippet_is_one_line_of_bounded_length():
    assert snippet("a\n b  c") == "a b c"
    long = snippet("word " * 100, limit=20)
    assert len(long) == 20 and long.endswith("…")


def test_a_creator_that_holds_the_values_less_is_not_said_to_share_them():
    """The table's explanation says "shares your values" only at or above the typical
    candidate's values fit (0.5); below, the same post says how little it holds them."""
    from recommender.display import format_table

    texts = [("p1", "weekly haul of new clothes", np.array([1.0, 0.0])),
             ("p2", "I mended my jeans", np.array([0.0, 1.0]))]
    shown = {}
    for values in (0.12, 0.8):
        c = candidate()
        c.components = {"similarity": 0.5, "values": values}
        c.value_posts = [("p2", 0.3)]
        shown[values] = format_table([explain(c, np.array([1.0, 0.0], np.float32), texts)])
    assert "holds your values less than most candidates (0.12); its closest post" in shown[0.12]
    assert "shares your values" not in shown[0.12]
    assert "shares your values \u201cI mended my jeans\u201d" in shown[0.8]


def test_a_word_found_in_its_categories_only_is_not_said_to_be_used(tmp_path, embedder):
    """A brief's word that names a creator's category ("outdoor") finds the creator, and its
    match says it is filed under it: not that the creator used the word, which it did not."""
    from conftest import creator, write_jsonl

    from recommender.display import format_table
    from recommender.lexical import body, body_stems
    from recommender.schema import Brief
    from recommender.service import Recommender

    hiker = creator("hiker", "wild camp by the lake, packed out all my trash")
    hiker["categories"] = ["outdoor"]
    walker = creator("walker", "outdoor walk by the lake")
    walker["categories"] = ["outdoor"]
    assert body_stems(body(hiker))[1] == {"outdoor"}
    assert "outdoor" not in body_stems(body(hiker))[0]
    with Recommender(tmp_path / "idx", create=True, embedder=embedder) as rec:
        rec.ingest([write_jsonl(tmp_path / "c.jsonl", [hiker, walker, creator("other")])])
        ms = {m.creator_id: m for m in rec.match(Brief(brief="outdoor lake", k=3))}
    assert ms["hiker"].matched_terms == ["lake"] and ms["hiker"].matched_categories == ["outdoor"]
    assert ms["walker"].matched_terms == ["outdoor", "lake"]
    assert ms["walker"].matched_categories == []  # it used the word: said once, as used
    # without the index's body (analysed here), the same
    row_texts = [(None, "bio wild camp by the lake", np.ones(2, np.float32))]
    c = candidate()
    c.row.categories = ["outdoor"]
    m = explain(c, np.ones(2, np.float32), row_texts, ["outdoor", "lake"])
    assert m.matched_terms == ["lake"] and m.matched_categories == ["outdoor"]
    assert "filed under: outdoor" in format_table([ms["hiker"]])
