"""What a brief asks for in words that a match takes as settings (asked.py): the market, the
audience size, the audience's ages."""

import pytest

from recommender.asked import (
    PLATFORM_PHRASE,
    age_spans,
    ages_named,
    audience_named,
    market_spans,
    markets_named,
    platforms_named,
)
from recommender.notes import notes
from recommender.query_text import query_texts


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
    ("Bakery launch, creators from Lyon", ["creators from Lyon"], []),
])
def test_the_market_asked_for_in_words_is_found(text, phrases, codes):
    assert [text[a:b].strip() for a, b, _ in market_spans(text)] == phrases
    assert markets_named(text) == codes


@pytest.mark.parametrize("text", [
    "French cuisine recipes", "Made in France denim", "Plant-based recipes", "Lyon-based",
    "creators like us", "le marché de Noël", "the stock market for beginners",
    "Recettes de Chine", "créateurs de recettes", "Looking For Creators In Sustainable Fashion",
    "content creators from TikTok",
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


@pytest.mark.parametrize(("text", "size"), [
    ("Refill shampoo. Creators with 10k-50k followers.", (10_000, 50_000)),
    ("Savon solide (moins de 20k abonnés)", (None, 20_000)),
    ("entre 10 000 et 50 000 abonnés", (10_000, 50_000)),
    ("over 100,000 followers", (100_000, None)),
    ("5k+ followers", (5_000, None)),
    ("plus de 1,5k abonnés", (1_500, None)),
    ("between 1.5M and 3M followers", (1_500_000, 3_000_000)),
    ("up to 20K subscribers", (None, 20_000)),
    ("50k to 10k followers", (10_000, 50_000)),
    ("5-10 micro creators (10k-50k) who live low-waste", (10_000, 50_000)),
    ("créatrices (5k - 20K abonnés) pour nos bougies", (5_000, 20_000)),
    # a bracketed range after anything but the creators is not their size
    ("Yoga mats (1.5k-2k)", None),
    # one count is no bound; no count is no size
    ("creators with 10k followers", None),
    ("solid shampoo for our followers", None),
])
def test_the_audience_size_asked_for_in_words_is_read(text, size):
    assert audience_named(text) == size


def test_the_audience_size_leaves_what_is_matched_and_match_says_which_filter_says_it():
    brief = "Refill shampoo. Creators with 10k-50k followers."
    assert query_texts(brief, None) == ["Refill shampoo"]
    said = [n for n in notes(brief, None) if "followers in words" in n]
    assert len(said) == 1 and "--min-followers 10000 --max-followers 50000" in said[0]
    assert not [n for n in notes(brief, None, follower_filter=True) if "followers in" in n]
    said = notes("Savon solide (moins de 20k abonnés)", None)
    assert len(said) == 1 and "--max-followers 20000;" in said[0]
    assert "--min-followers" not in said[0]


@pytest.mark.parametrize(("text", "phrases"), [
    ("Refill shampoo. Target audience: women aged 25-35, urban.", ["aged 25-35"]),
    ("Shampoings solides. Cible : femmes 25-35 ans, urbaines.", ["25-35 ans"]),
    ("Trail shoes for 25-34 year olds", ["25-34 year olds"]),
    ("Jouets en bois pour les 3 à 6 ans", ["3 à 6 ans"]),
    ("Audience: adults (30-45), busy professionals", ["(30-45)"]),
    ("cible 18 à 24 ans", ["18 à 24 ans"]),
    ("between 25 and 35 years old", ["between 25 and 35 years old"]),
    ("students 18-24s", ["18-24s"]),
    ("tranche d'âge : 18-25", ["tranche d'âge : 18-25"]),
    ("aged 18+", ["aged 18+"]),
])
def test_the_audience_ages_are_found(text, phrases):
    assert [text[a:b] for a, b in age_spans(text)] == phrases


@pytest.mark.parametrize("text", [
    "3-5 recipes a week", "10-20 km runs", "fitness for women over 50", "a 2-3 years deal",
    "parents 2 and 3 times a week", "18-24 months of training", "cook for 2-4 people",
])
def test_numbers_that_are_no_audience_age_stay(text):
    """A range needs an age's word around it, or a word for people just before it."""
    assert age_spans(text) == []


def test_the_audience_ages_leave_what_is_matched_and_match_says_so():
    brief = "Refill shampoo. Target audience: women aged 25-35, urban."
    assert query_texts(brief, None) == ["Refill shampoo"]
    assert query_texts("Shampoings solides. Cible : femmes 25-35 ans.", None) == [
        "Shampoings solides"]
    said = [n for n in notes(brief, None) if "ages" in n]
    assert len(said) == 1 and "(women, urban; 25-35)" in said[0] and "not matched" in said[0]
    said = notes("Refill shampoo for women aged 25-35", None)
    assert len(said) == 1 and "audience's ages (25-35)" in said[0]
    assert ages_named("women 18-24, men (25-34), aged 18-24") == ["18-24", "25-34"]
    assert not [n for n in notes("3-5 recipes a week", None) if "ages" in n]


@pytest.mark.parametrize(("brief", "read"), [
    ("Refill shampoo. Audience: millennials, urban, CSP+", "Refill shampoo"),
    ("Baby carrier. Target audience: new parents, urban", "Baby carrier. new parents"),
    # outside an audience field, the same words name a subject
    ("Women's running shoes", "Women's running shoes"),
    ("Urban gardening kits for men", "Urban gardening kits for men"),
])
def test_who_the_audience_is_leaves_what_is_matched_in_its_field(brief, read):
    """An audience field's sex, place, generation and means say who sees the posts, which no
    catalog holds; its other words ("new parents") say what the creators post about."""
    assert query_texts(brief, None) == [read]


@pytest.mark.parametrize(("text", "phrases", "platforms"), [
    ("Refill shampoo. We need 3 Instagram reels and 2 TikTok videos.",
     ["3 Instagram reels", "2 TikTok videos"], ["instagram", "tiktok"]),
    ("Savon. On a besoin de 3 reels Instagram et 2 vidéos TikTok.",
     ["3 reels Instagram", "2 vidéos TikTok"], ["instagram", "tiktok"]),
    ("Trail shoes, on Instagram and TikTok.", ["on Instagram and TikTok"],
     ["instagram", "tiktok"]),
    ("TikTok creators for our snack", ["TikTok creators"], ["tiktok"]),
    ("créatrices Instagram pour nos bijoux", ["créatrices Instagram"], ["instagram"]),
    ("one dedicated YouTube integration", ["one dedicated YouTube integration"], ["youtube"]),
    ("3 posts a week on IG", ["3 posts", "on IG"], ["instagram"]),
    ("two stories and 5 photos", ["two stories", "5 photos"], []),
    ("Eco cleaning products. Instagram Reels preferred.", ["Instagram Reels preferred"],
     ["instagram"]),
    ("Vélo cargo, YouTube en priorité.", ["YouTube en priorité"], ["youtube"]),
    ("Snack bar, TikTok only", ["TikTok only"], ["tiktok"]),
])
def test_the_platforms_and_deliverables_asked_for_in_words_are_found(text, phrases, platforms):
    assert [m.group() for m in PLATFORM_PHRASE.finditer(text)] == phrases
    assert platforms_named(text) == platforms


@pytest.mark.parametrize("text", [
    "TikTok dances for beginners", "Instagram-worthy cafés", "Reels and Stories about yoga",
    "bedtime stories for kids", "tell a story about your morning", "a video game review",
    "une vidéo de recette", "2 pairs of shorts", "Threads and yarn for knitting",
])
def test_a_platform_or_a_format_as_a_subject_stays(text):
    """A platform's name alone, a format without a count, an article for a count, and the
    platforms whose names are words ("Threads", "X", "Shorts") are not asked for."""
    assert not PLATFORM_PHRASE.search(text)


def test_the_platforms_leave_what_is_matched_and_match_says_which_filter_says_it():
    brief = "Refill shampoo. We need 3 Instagram reels and 2 TikTok videos."
    assert query_texts(brief, None) == ["Refill shampoo"]
    said = [n for n in notes(brief, None) if "platform" in n]
    assert len(said) == 1 and "--platform instagram,tiktok" in said[0]
    assert not [n for n in notes(brief, None, platforms=["instagram"]) if "platform" in n]
