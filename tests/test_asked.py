"""What a brief asks for in words that a match takes as settings (asked.py): the market."""

import pytest

from recommender.asked import market_spans, markets_named
from recommender.query_text import notes, query_texts


@pytest.mark.parametrize(("text", "phrases", "codes"), [
    ("Refill moisturiser; for the UK market, UK-based creators.",
     ["for the UK market", "UK-based"], ["GB"]),
    ("Cosmétiques solides pour le marché français, créatrices basées en France.",
     ["pour le marché français", "basées en France"], ["FR"]),
    ("Looking for French creators for our vegan range", ["French"], ["FR"]),
    ("créatrices belges et suisses", ["créatrices belges et suisses"], ["BE", "CH"]),
    ("content creators from the US and Canada", ["creators from the US and Canada"],
     ["US", "CA"]),
    ("influencers based in the United States", ["based in the United States"], ["US"]),
    ("créateurs au Royaume-Uni", ["créateurs au Royaume-Uni"], ["GB"]),
    # a region, a language, a city: taken out, and no country to filter on
    ("Solid shampoo for the European market", ["for the European market"], []),
    ("Bakery launch, creators based in Lyon", ["based in Lyon"], []),
])
def test_the_market_asked_for_in_words_is_found(text, phrases, codes):
    assert [text[a:b].strip() for a, b, _ in market_spans(text)] == phrases
    assert markets_named(text) == codes


@pytest.mark.parametrize("text", [
    "French cuisine recipes", "Made in France denim", "Plant-based recipes", "Lyon-based",
    "creators like us", "le marché de Noël", "the stock market for beginners",
    "Recettes de Chine", "créateurs de recettes",
])
def test_a_place_named_as_a_subject_stays(text):
    """A country's name or adjective alone is what a brief is about ("French cuisine",
    "made in France" is a value); "us" in lower case is a pronoun."""
    assert market_spans(text) == []


def test_the_market_leaves_what_is_matched_and_match_says_which_filter_says_it():
    brief = "Refill moisturiser; for the UK market, UK-based creators."
    assert query_texts(brief, None) == ["Refill moisturiser"]
    said = [n for n in notes(brief, None) if "creators in GB" in n]
    assert len(said) == 1 and "--country GB" in said[0]
    assert not [n for n in notes(brief, None, countries=["GB"]) if "creators in" in n]
    assert not [n for n in notes("French cuisine recipes", None) if "creators in" in n]
