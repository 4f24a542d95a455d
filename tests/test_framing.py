"""The words that frame a values statement as one (framing.py), left out of what a match
encodes and looks up (query_text.py): "Our brand values:", "We believe in", "Nos valeurs :"."""

import pytest

from recommender.framing import FRAMING_PHRASE
from recommender.notes import notes
from recommender.query_text import query_texts


@pytest.mark.parametrize(("values", "kept"), [
    ("Our brand values: repair, second hand", "repair, second hand"),
    ("We believe in slow travel and staying longer.", "slow travel and staying longer"),
    ("repair - we want creators who share these values", "repair"),
    ("Nos valeurs de marque : local, de saison", "local, de saison"),
    ("Nous croyons en la seconde main", "la seconde main"),
    ("partage de vêtements, on cherche des créatrices qui partagent nos valeurs",
     "partage de vêtements"),
    # in another tense, said of the brand, and what points back at the statement once made
    ("We're a brand that has always believed in repair. It's who we are.", "repair"),
    ("At our core, we've always stood for repair, second hand. That's what makes us different.",
     "repair, second hand"),
    ("repair, second hand — these are the values that guide everything we do.",
     "repair, second hand"),
    ("Depuis nos débuts, nous défendons la réparation. C'est ce qui nous rassemble.",
     "la réparation"),
    ("Au cœur de notre marque : réparer. Voilà ce qui nous distingue.", "réparer"),
    # said of the brand in the third person, or after the values
    ("Our brand believes that fashion should last.", "fashion should last"),
    ("Sustainability and craftsmanship are at the heart of everything we do.",
     "sustainability and craftsmanship"),
    ("Repair and reuse is what we're all about.", "repair and reuse"),
    ("Honesty and low fees guide everything we do.", "honesty and low fees"),
    ("La réparation et le local sont au cœur de tout ce que nous faisons.",
     "la réparation et le local"),
    ("Le fait-main et le local nous guident.", "le fait-main et le local"),
    # ... after what it rejects, which ends there
    ("Transparence, sans promesse miracle sont au cœur de tout ce que nous faisons.",
     "transparence"),
    # the brand's own opening before a colon or a verb of foundation
    ("What drives us: repair, second hand.", "repair, second hand"),
    ("Ce qui nous anime : réparer, seconde main.", "réparer, seconde main"),
    ("Our whole range is built on repair and reuse.", "repair and reuse"),
    ("Tout ce que nous fabriquons repose sur la réparation", "la réparation"),
    # ... with any participle and its agent
    ("Our products are shaped by repair and reuse.", "repair and reuse"),
    ("Nos produits sont pensés autour de la réparation.", "la réparation"),
    ("Nous sommes animés par la réparation.", "la réparation"),
    # the words stay where they are what the brand stands for
    ("good value for money, honest", "good value for money, honest"),
    ("sharing economy, repair", "sharing economy, repair"),
    ("Zero waste. That means local sourcing.", "zero waste. that means local sourcing"),
    # after a pointer, what describes the product or the values (not what they are to the
    # brand) stays
    ("repair. It's vegan and made in France.", "repair. it's vegan and made in France"),
    ("repair. It's about making things last.", "repair. it's about making things last"),
    ("repair. That's why we only use recycled cotton.",
     "repair. that's why we only use recycled cotton"),
    ("repair. That is the promise we make to every customer.", "repair"),
    ("réparation. C'est notre ADN depuis toujours.", "réparation"),
    ("These are our values: repair, reuse", "repair, reuse"),
    ("Repair: the heart of it", "repair: the heart of it"),
    ("Built on repair", "built on repair"),
    ("Our shoes are made by hand in Portugal", "our shoes are made by hand in Portugal"),
    ("Nos vêtements sont conçus pour durer", "nos vêtements sont conçus pour durer"),
    ("Focus on local: seasonal produce", "focus on local: seasonal produce"),
    ("Made in the US: fair wages, local sourcing", "made in the US: fair wages, local sourcing"),
])
def test_the_words_that_frame_a_values_statement_leave_it(values, kept):
    """"Our brand values:", "We believe in", "creators who share these values" say that a
    statement follows, not what it stands for: left in, they point every statement the same
    way (a values statement written so lost 0.03 to 0.05 nDCG@10 on the labelled sets)."""
    assert query_texts("solid shampoo", values) == ["solid shampoo", kept]


def test_a_values_statement_of_nothing_but_its_framing_is_not_used():
    """"We believe in our values" names no value: matched as without a statement, and said."""
    for values in ("We believe in our values", "Nos valeurs de marque :"):
        assert query_texts("solid shampoo", values) == ["solid shampoo"]
        assert [n for n in notes("solid shampoo", values) if "names no value" in n]
    assert query_texts("solid shampoo", "We believe in repair") == ["solid shampoo", "repair"]
    assert notes("solid shampoo", "We believe in repair") == []


def test_a_framing_is_a_phrase_of_its_own_words_not_a_part_of_another():
    assert FRAMING_PHRASE.search("Our values: repair")
    assert FRAMING_PHRASE.search("nos valeurs : local")
    assert not FRAMING_PHRASE.search("#ourvalues repair")  # a hashtag is what a creator posts
    assert not FRAMING_PHRASE.search("good value for money")
