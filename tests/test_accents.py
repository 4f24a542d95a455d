"""French typed without accents is read with them (accents.py); nothing else is touched."""

import pytest

from recommender.accents import with_accents
from recommender.notes import notes
from recommender.query_text import query_texts


@pytest.mark.parametrize(("brief", "values", "read"), [
    ("Marque de complements proteines cherche des sportifs", "performance, seche, depassement",
     ("Marque de compléments protéines cherche des sportifs", "performance, sèche, dépassement")),
    # no stopword at all: a word that needs accents, and not read as English
    ("recettes vegetales anti-gaspi", None, ("recettes végétales anti-gaspi", None)),
    ("Velo cargo", "mobilite douce", ("Vélo cargo", "mobilité douce")),
    # the English list's "site" and the "fr" of an address do not make it English
    ("Recettes vegetales. Site : verdure.fr", None, ("Recettes végétales. Site : verdure.fr",
                                                     None)),
])
def test_french_typed_without_accents_is_read_with_them(brief, values, read):
    assert with_accents(brief, values)[:2] == read


@pytest.mark.parametrize(("brief", "values"), [
    # a word as typed stays: "tente" is a tent, "marche" a walk, "mais" but
    ("Tente de randonnee legere", "marche, mais pas de plastique"),
])
def test_a_word_that_is_a_word_as_typed_stays(brief, values):
    b, v, given = with_accents(brief, values)
    assert b.startswith("Tente de randonnée") and v == "marche, mais pas de plastique"
    assert set(given) == {"randonnee", "legere"}


@pytest.mark.parametrize(("brief", "values"), [
    ("video game reviews", None),  # a word that would take accents, read as English
    ("iPhone vs Android camera reviews", None),
    ("Coffee shop decor for the cafe", "the best resume"),  # English stopwords
    ("Recettes végétales, zero dechet", None),  # one accent: its writer types them
    ("Refill shampoo bars", "zero waste"),
])
def test_english_and_french_typed_with_accents_stay(brief, values):
    assert with_accents(brief, values) == (brief, values, {})


def test_a_brief_typed_without_accents_is_matched_and_noted_as_with_them():
    typed = query_texts("Marque de complements proteines", "performance, seche, depassement")
    assert typed == query_texts("Marque de compléments protéines",
                                "performance, sèche, dépassement")
    said = [n for n in notes("Recettes vegetales anti-gaspi", "saison, local") if "accents" in n]
    assert len(said) == 1 and "vegetales as végétales" in said[0]
    assert not [n for n in notes("Recettes végétales anti-gaspi", None) if "accents" in n]


def test_english_words_a_french_brief_borrows_keep_their_spelling():
    """"email" is no "émail", "reels" no "réels": an English word more frequent in English
    than its accented form in French, and the trade's loanwords, stay."""
    brief, _, given = with_accents("Savon solide, 3 reels Instagram, email : contact", None)
    assert brief == "Savon solide, 3 reels Instagram, email : contact" and given == {}
    assert with_accents("Savon solide, recolte locale", None)[2] == {"recolte": "récolte"}
