"""The trade's words (trade_words.py): a brief's "creators", "campaign", "brand", "UGC" say how
the brand works with creators, not what they post about, and neither score nor steer a match."""

import pytest
from conftest import creator, write_jsonl

from recommender.schema import Brief
from recommender.service import Recommender
from recommender.trade_words import query_texts, subject


@pytest.mark.parametrize(("text", "kept"), [
    ("Looking for UGC creators for our brand campaign: refillable shampoo bars",
     "for for our : refillable shampoo bars"),
    ("On cherche des créateurs de contenu pour notre campagne : cosmétiques solides",
     "On des de pour notre : cosmétiques solides"),
    ("Recherche influenceuses (createurs sans accents) pour la marque - vélo cargo",
     "( sans accents) pour la - vélo cargo"),
])
def test_the_trade_words_leave_the_subject(text, kept):
    assert subject(text) == kept


def test_hashtags_hyphenated_words_and_a_text_of_nothing_else_are_kept():
    assert subject("brand-new #brandpartner phone") == "brand-new #brandpartner phone"
    assert subject("UGC campaign") == "UGC campaign"
    assert query_texts("influencer campaign: solid shampoo", None) == ["solid shampoo"]
    assert query_texts("solid shampoo", "honest content, no plastic") == [
        "solid shampoo", "honest , no plastic"]


def test_a_bio_full_of_the_trade_does_not_match_a_brief_that_names_it(tmp_path, embedder):
    """Creators whose bios say "UGC creator | brand collabs" get no keyword credit from a
    brief's "UGC creators ... brand campaign", and no explanation names those words."""
    trade = "UGC creator | brand campaign collabs"
    recs = [creator(f"t{i}", f"my weekend football match number {i}", bio=trade)
            for i in range(6)]
    recs.append(creator("sh", "my solid shampoo bar lasted three months", bio="zero waste"))
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", recs)])
    ms = rec.match(Brief(brief="Looking for UGC creators for our brand campaign: solid shampoo",
                         k=7))
    assert ms[0].creator_id == "sh" and ms[0].matched_terms == ["solid", "shampoo"]
    others = [m for m in ms if m.creator_id != "sh"]
    assert others and all(m.components["keywords"] == 0.0 and m.matched_terms == []
                          for m in others)
    rec.close()
