"""timing.py: when the campaign runs leaves what is matched, and match says so."""

import pytest

from recommender.notes import notes
from recommender.query_text import query_texts
from recommender.timing import when_named, when_spans


def _found(text: str) -> list[str]:
    return [text[a:b] for a, b in when_spans(text)]


@pytest.mark.parametrize(("text", "phrases"), [
    ("Refill moisturiser, for our Christmas campaign.", ["our Christmas campaign"]),
    ("Coffret de soins, pour notre campagne de Noël.", ["campagne de Noël"]),
    ("Vegan recipe box, launching in September, campaign runs 1-15 May",
     ["in September", "runs 1-15 May"]),
    ("Box de recettes, campagne en mars-avril, lancement à la rentrée",
     ["en mars-avril", "à la rentrée"]),
    ("Q4 campaign for our running shoes", ["Q4 campaign"]),
    ("Mother's Day campaign for our jewellery", ["Mother's Day campaign"]),
    ("Black Friday push for our skincare line", ["Black Friday push"]),
    ("Campagne fête des mères pour nos bijoux", ["Campagne fête des mères"]),
    ("posts from 1 May to 15 June", ["posts from 1 May to 15 June"]),
    ("posts du 1er au 15 mai", ["posts du 1er au 15 mai"]),
    ("Refill moisturiser. Campaign goes live mid-October and runs for six weeks.",
     ["goes live mid-October", "runs for six weeks"]),
    ("La campagne démarre mi-octobre, pour six semaines.",
     ["démarre mi-octobre", "pour six semaines"]),
    ("Summer 2027 activation: refill moisturiser", ["Summer 2027 activation"]),
    ("Outdoor gear repair service, spring campaign", ["spring campaign"]),
    ("Soldes d'été : nos robes en lin", ["Soldes d'été"]),
    ("gift boxes, over the holiday season", ["over the holiday season"]),
    ("our holiday campaign for gift boxes", ["our holiday campaign"]),
    ("kids starting school in September", ["in September"]),
    ("posts between 7 and 14 February", ["posts between 7 and 14 February"]),
    ("posts entre le 7 et le 14 février", ["posts entre le 7 et le 14 février"]),
    ("to go out around Easter", ["to go out around Easter"]),
    ("à publier autour de Pâques", ["à publier autour de Pâques"]),
    ("calée sur la Saint-Valentin", ["calée sur la Saint-Valentin"]),
    # a clause that is nothing but a time
    ("Refill moisturiser (Black Friday to Cyber Monday)", ["Black Friday to Cyber Monday"]),
    ("Black Friday: refill moisturiser", ["Black Friday"]),
    ("Q4 - refill moisturiser", ["Q4"]),
    ("Eco cleaning products. Q1 2027.", ["Q1 2027"]),
    ("Refill moisturiser. Christmas!", ["Christmas"]),
    # a time said from another, ending its clause or before the time it is said from
    ("to go out around Easter, ideally the week before.",
     ["to go out around Easter", "the week before"]),
    ("à publier autour de Pâques, idéalement la semaine d'avant",
     ["à publier autour de Pâques", "la semaine d'avant"]),
    ("Ski trips, the week after New Year", ["the week after New Year"]),
])
def test_when_the_campaign_runs_is_found(text, phrases):
    assert _found(text) == phrases


@pytest.mark.parametrize("text", [
    # a season that says when the product is used or what creators post
    "Rail pass for Europe this summer", "Pre-workout brand, summer shred campaign",
    "tips for winter camping", "in spring cleaning mode", "Summer collection of linen dresses",
    "recettes d'hiver", "seasonal cooking, cuisine de saison", "cet été",
    # a holiday that names what the product is
    "Christmas gift guide with toy reviewers", "Halloween costumes",
    "gift ideas for Christmas dinners", "Veg box, Christmas dinners",
    # a brief's first clause before a comma starts the list of what creators post
    "Noël, cadeaux faits main", "Christmas, gift wrapping, cards",
    # Christmas Eve is a time of its own; posts about a holiday are the subject
    "Recettes pour la veille de Noël", "Posts about Christmas gift ideas",
    "Blog posts for Christmas gift guides", "Eco cleaning products. Christmas gift guide.",
    # a UK holiday is a trip
    "Beach towels for people on holiday", "holiday rentals",
    # words that are months or years only elsewhere
    "this may help", "march for the climate", "ça a été super", "sur Mars",
    "Founded in 2019 by two sisters", "carbon neutral by 2030", "abs in 30 days",
])
def test_what_is_no_campaign_time_stays(text):
    assert when_spans(text) == []


def test_when_the_campaign_runs_leaves_what_is_matched_and_match_says_so():
    brief = "Refillable moisturiser, for our Christmas campaign, runs 1-15 December."
    assert query_texts(brief, None) == ["Refillable moisturiser"]
    assert query_texts("Coffret de soins, pour notre campagne de Noël.", None) == [
        "Coffret de soins"]
    said = [n for n in notes(brief, None) if "when the campaign runs" in n]
    assert len(said) == 1 and "(Christmas, 1-15 December)" in said[0]
    assert "not matched" in said[0]
    assert when_named("in May, Q4 campaign, for 6 weeks, in May") == ["May", "Q4", "6 weeks"]
    # a day of the week alone is the planner's deadline: it goes, and is not called the
    # campaign's
    assert query_texts("Refill moisturiser. Please reply by Friday!", None) == [
        "Refill moisturiser"]
    assert when_named("Please reply by Friday, campaign in May") == ["May"]
    # a values statement keeps its seasons and its dates: they are what it stands for
    assert query_texts("Veg box", "seasonal, local, cooking for Christmas")[1] == (
        "seasonal, local, cooking for Christmas")
    assert not [n for n in notes("Rail pass for Europe this summer", None)
                if "when the campaign runs" in n]
