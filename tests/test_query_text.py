"""What of a brief is encoded and looked up (query_text.py): not the trade's words ("creators",
"campaign", "brand", "UGC"), which say how the brand works with creators; not what the values
statement rejects ("no fast fashion"), which names the creators the brand does not want."""

import pytest
from conftest import creator, write_jsonl

from recommender.asked import objectives_named, tiers_named
from recommender.notes import notes
from recommender.query_text import (
    names_a_subject,
    query_texts,
    stands_for,
    subject,
    values_in,
)
from recommender.schema import Brief
from recommender.service import Recommender


@pytest.mark.parametrize(("text", "kept"), [
    ("Looking for UGC creators for our brand campaign: refillable shampoo bars",
     "refillable shampoo bars"),
    ("On cherche des créateurs de contenu pour notre campagne : cosmétiques solides",
     "cosmétiques solides"),
    ("Recherche influenceuses (createurs sans accents) pour la marque - vélo cargo",
     "sans accents - vélo cargo"),
])
def test_the_trade_words_leave_the_subject(text, kept):
    assert subject(text) == kept


def test_hashtags_hyphenated_words_and_a_text_of_nothing_else_are_kept():
    assert subject("brand-new #brandpartner phone") == "brand-new #brandpartner phone"
    assert subject("UGC campaign") == "UGC campaign"
    assert subject("Looking for creators for our campaign") == (
        "Looking for creators for our campaign")  # nothing left but "for our"
    assert query_texts("influencer campaign: solid shampoo", None) == ["solid shampoo"]
    assert query_texts("solid shampoo", "honest content, no plastic bottles") == [
        "solid shampoo", "honest"]


@pytest.mark.parametrize(("text", "kept", "tiers"), [
    ("nano and micro-influencers for our refillable deodorant", "for our refillable deodorant",
     ["nano", "micro"]),
    ("On cherche des nano-, micro- et macro-influenceuses : vélo cargo", "vélo cargo",
     ["nano", "micro", "macro"]),
    ("Mega influencers for the new phone", "for the new phone", ["macro"]),
    ("microcreators: vegan snacks", "vegan snacks", ["micro"]),
    # a tier's name alone is a word like any other; a hashtag is kept whole
    ("macro tracking app for lifters", "macro tracking app for lifters", []),
    ("a micro and a pop filter for podcasters", "a micro and a pop filter for podcasters", []),
    ("#microinfluencer meetup", "#microinfluencer meetup", []),
])
def test_the_tiers_asked_for_are_the_trades_words_too(text, kept, tiers):
    """"micro-influencers" says which creators, not what they post: it leaves the subject,
    and the planner is told that words are no tier filter."""
    assert subject(text) == kept
    assert tiers_named(text) == tiers
    said = [n for n in notes(text, None) if "creators in words" in n]
    assert len(said) == (1 if tiers else 0)
    assert not [n for n in notes(text, None, ["micro"]) if "creators in words" in n]


def test_the_tiers_asked_for_are_named_as_the_index_names_them():
    """The industry's five tiers know "mega" and "mid"; the mission's three place "mega" at
    their top, "macro", and cannot place "mid"."""
    from recommender.tiers import INDUSTRY, MISSION

    text = "mega-influencers and mid-tier creators for a phone launch"
    assert subject(text) == "for a phone"
    assert tiers_named(text, INDUSTRY.names) == ["mega", "mid"]
    assert tiers_named(text, MISSION.names) == ["macro"]
    said = [n for n in notes(text, None, tier_names=INDUSTRY.names) if "in words" in n]
    assert said and "--tier mega,mid" in said[0]


@pytest.mark.parametrize(("text", "kept", "named"), [
    ("Awareness campaign: vegan snack launch", "vegan snack", ["awareness"]),
    ("Objectif NOTORIÉTÉ : épicerie locale", "épicerie locale", ["awareness"]),
    ("UGC and reviews campaign: our plant-based recipe box", "our plant-based recipe box",
     ["ugc"]),
    ("vegan snacks, to drive sales and word of mouth", "vegan snacks", ["conversion", "ugc"]),
    ("Campagne d'engagement : vélo cargo", "vélo cargo", ["engagement"]),
    ("New protein bar, conversion focus", "New protein bar", ["conversion"]),
    ("New protein bar. Focus on sales.", "New protein bar", ["conversion"]),
    ("Barre protéinée, campagne axée sur la notoriété", "Barre protéinée", ["awareness"]),
    # the same words as a subject or a value stay
    ("mental health awareness podcast", "mental health awareness podcast", []),
    ("engagement écologique, seconde main", "engagement écologique, seconde main", []),
    ("honest reviews of solid shampoo", "honest reviews of solid shampoo", []),
])
def test_the_objective_named_in_words_leaves_the_subject(text, kept, named):
    """"Awareness campaign", "to drive sales", "objectif : notoriété" say what the campaign
    is for, not what the creators post; the planner is told to give it as the objective."""
    assert subject(text) == kept
    assert objectives_named(text) == named
    said = [n for n in notes(text, None) if "objective in words" in n]
    assert len(said) == (1 if named else 0)
    assert not [n for n in notes(text, None, objective="engagement")
                if "objective in words" in n]


@pytest.mark.parametrize(("text", "kept"), [
    ("Hi team, quick brief for next quarter. vegan recipes", "vegan recipes"),
    ("vegan recipes. Timeline: 6 weeks, deliverables TBD. Thanks!", "vegan recipes"),
    ("Hello! rain jacket. Deadline: end of May, budget: 3.5k€. Best regards, Anna",
     "rain jacket"),
    ("Bonjour l'équipe ! recettes végétales. Livrables : 3 reels. Merci, Claire Dupont",
     "recettes végétales"),
    # a budget with its amount, without the colon
    ("rain jacket. Budget ~£3k. Thanks!", "rain jacket"),
    ("rain jacket, total budget of £3,000", "rain jacket"),
    ("recettes végétales, budget d'environ 5 000 €", "recettes végétales"),
    # the same words as a subject stay: no label, no sign-off at the end
    ("budget travel in Europe", "budget travel in Europe"),
    ("petit budget, cuisine de saison", "petit budget, cuisine de saison"),
    ("a budget app for students", "a budget app for students"),
    ("Budget 2026 planner app", "Budget 2026 planner app"),
    ("Best hiking boots for beginners", "Best hiking boots for beginners"),
])
def test_greetings_sign_offs_and_the_deals_terms_leave_the_subject(text, kept):
    """"Hi team", "Thanks!", "Timeline: 6 weeks", "Budget: 3.5k€" say how the brief is sent
    and on what terms, not what creators post ("Thanks!" pulls towards every creator's
    thank-you post)."""
    assert subject(text) == kept


@pytest.mark.parametrize(("text", "kept"), [
    ("URGENT: Refill moisturiser Please reply by Friday!", "Refill moisturiser"),
    ("URGENT — Recharge de crème. Réponse avant vendredi svp !", "Recharge de crème"),
    ("Which creators would fit this? Refill moisturiser", "Refill moisturiser"),
    ("Quels créateurs conviendraient ? Recharge de crème", "Recharge de crème"),
    ("Could you suggest a few creators? Refill moisturiser", "Refill moisturiser"),
    ("Pouvez-vous nous proposer quelques créateurs ? Recharge de crème", "Recharge de crème"),
    ("Refill moisturiser, ideally by Wednesday, let us know ASAP", "Refill moisturiser"),
    # the same words as a subject stay
    ("Fit and healthy meal plans", "Fit and healthy meal plans"),
    ("Friday night dinners", "Friday night dinners"),
    ("Une réponse aux déchets plastiques", "Une réponse aux déchets plastiques"),
    ("Jeans that would fit every body", "Jeans that would fit every body"),
    # "urgent" before a noun names the subject; in capitals or as its own clause, the hurry
    ("Urgent care clinic opening in Leeds", "Urgent care clinic opening in Leeds"),
    ("urgent plumbing repairs", "urgent plumbing repairs"),
    ("Urgent: refill moisturiser", "refill moisturiser"),
    ("Refill moisturiser - urgent!", "Refill moisturiser"),
])
def test_the_planners_hurry_and_request_leave_the_subject(text, kept):
    """"URGENT", "Please reply by Friday!", "Which creators would fit this?" say how the
    planner asks, not what creators post ("fit" pulls towards fitness creators)."""
    assert subject(text) == kept


def test_only_the_clauses_the_trade_words_emptied_go():
    """A clause left with nothing but stopwords once the trade's words are out goes; one
    written so stays, and so does the text's punctuation."""
    assert subject("Lancement de notre coffret. On veut des micro-influenceuses.") == (
        "de notre coffret")
    assert subject("made in the U.S. for real, 3.5 stars") == (
        "made in the U.S. for real, 3.5 stars")
    assert subject("durable rain jacket (we want micro creators), vegan") == (
        "durable rain jacket, vegan")
    assert subject("shampoo (solid), vegan") == "shampoo (solid), vegan"
    # within a clause, the stopwords that only led to words taken out go with them
    assert subject("We need content creators to promote durable rain jackets") == (
        "durable rain jackets")
    assert subject("Zero-waste campaign for our organic veg box") == (
        "Zero-waste for our organic veg box")
    # a season beside the campaign's word says when it runs (timing.py)
    assert subject("Spring campaign for our organic veg box") == "for our organic veg box"


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


@pytest.mark.parametrize(("values", "kept", "rejected"), [
    ("repair and buying less, no fast fashion or weekly hauls",
     "repair and buying less", ["fast fashion or weekly hauls"]),
    ("adopt don't shop, rescue", "adopt, rescue", ["shop"]),
    ("leave no trace, repair instead of replace", "leave no trace, repair", ["replace"]),
    ("No one left behind, no fast fashion", "No one left behind", ["fast fashion"]),
    ("voyager lentement, loin de l'avion, pas d’hôtels de luxe et du local",
     "voyager lentement, et du local", ["l'avion", "hôtels de luxe"]),
    ("Non aux pesticides, sans engrais chimique ni gazon parfait ; biodiversité",
     "biodiversité", ["pesticides", "engrais chimique ni gazon parfait"]),
    ("notably honest, nothing fake", "notably honest, nothing fake", []),
    ("refills over new packaging, quality over quantity", "refills, quality",
     ["new packaging", "quantity"]),
    ("resale vs. weekly fast-fashion drops", "resale", ["weekly fast-fashion drops"]),
    ("free from parabens, honest reviews", "honest reviews", ["parabens"]),
    ("se passer de la voiture, réparer", "réparer", ["la voiture"]),
    ("start over, say no", "start over, say no", []),
    ("buy less and repair", "buy less and repair", []),
])
def test_what_a_values_statement_rejects_is_taken_out(values, kept, rejected):
    assert stands_for(values) == (kept, rejected)


def test_a_brief_of_the_trade_alone_names_no_subject():
    assert not names_a_subject("Looking for UGC creators for our brand campaign")
    assert not names_a_subject("On cherche des créatrices pour notre campagne")
    assert names_a_subject("UGC creators for our solid shampoo bar")
    assert names_a_subject("#brandpartner")


def test_a_statement_that_only_rejects_gives_no_direction():
    assert stands_for("no plastic, no palm oil") == ("", ["plastic", "palm oil"])
    assert query_texts("solid shampoo", "no plastic, no palm oil") == ["solid shampoo"]
    assert query_texts("an app against food waste", None) == ["an app against food waste"]


@pytest.mark.parametrize("values", ["repair old clothes, no weekly hauls",
                                    "repair old clothes over weekly hauls"])
def test_values_that_reject_the_other_stance_do_not_point_at_it(tmp_path, embedder, values):
    """A values statement naming what the brand rejects ("no weekly hauls") or prefers its
    values to ("over weekly hauls") gives the creators who post weekly hauls neither keyword
    credit nor values fit."""
    recs = [creator(f"slow{i}", f"I repair my old clothes {i}") for i in range(3)]
    recs += [creator(f"haul{i}", f"my weekly hauls of clothes {i}") for i in range(3)]
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", recs)])
    ms = rec.match(Brief(brief="clothes", values=values, k=6))
    hauls = [m for m in ms if m.creator_id.startswith("haul")]
    slow = [m for m in ms if m.creator_id.startswith("slow")]
    assert len(hauls) == len(slow) == 3
    assert all(m.components["keywords"] == 0.0 and m.matched_terms == ["clothes"] for m in hauls)
    assert max(m.components["values"] for m in hauls) < min(m.components["values"] for m in slow)
    rec.close()


@pytest.mark.parametrize(("brief", "left", "statement"), [
    ("Refill shampoo bars. We care about zero waste and honest labels.",
     "Refill shampoo bars", "zero waste and honest labels"),
    ("We believe in slow travel. Launching rail passes for Europe.",
     "rail passes for Europe", "slow travel"),
    ("Refill moisturiser for people who care about finishing what they buy",
     "Refill moisturiser for people", "finishing what they buy"),
    ("Trail shoes 2.5 kg lighter. Our values are repair and durability! Budget: 5k",
     "Trail shoes 2.5 kg lighter", "repair and durability"),
    ("Second-hand furniture marketplace\nBrand values: thrifting, mending",
     "Second-hand furniture marketplace", "thrifting, mending"),
    ("Cosmétiques solides, nos valeurs : local, fait main. Merci !",
     "Cosmétiques solides", "local, fait main"),
    ("Jouets en bois. Nous tenons à moins d'écrans et au jeu dehors.",
     "Jouets en bois", "moins d'écrans et au jeu dehors"),
    ("Repair kits for jackets. Our mission: make repair mainstream.",
     "Repair kits for jackets", "make repair mainstream"),
    ("Vélos cargo. Notre mission est de sortir les familles de la voiture.",
     "Vélos cargo", "sortir les familles de la voiture"),
    # a list of its own, after the subject, without a framing
    ("Refill moisturiser. Doing less for your skin, refills, finishing what you buy.",
     "Refill moisturiser", "doing less for your skin, refills, finishing what you buy"),
    ("Savon solide\nLocal, de saison et fait main",
     "Savon solide", "local, de saison et fait main"),
    ("Refill moisturiser — doing less, refills, finishing what you buy",
     "Refill moisturiser", "doing less, refills, finishing what you buy"),
    ("Box de recettes - de saison, local, fait maison",
     "Box de recettes", "de saison, local, fait maison"),
])
def test_a_values_statement_written_into_the_brief_is_read_as_one(brief, left, statement):
    """A planner who writes the values into the brief means them as values: the sentence's
    part from the framing on is the values statement, the rest the brief's subject."""
    assert query_texts(brief, None) == [left, statement]
    assert values_in(brief)[1] is not None
    said = [n for n in notes(brief, None) if "the brief states" in n]
    assert len(said) == 1 and "--values" in said[0]


@pytest.mark.parametrize("brief", [
    # nothing but the trade's words left beside the statement: the brief is the statement
    "Looking for creators who share our values: repair, second hand.",
    # a framing with nothing after it
    "Solid shampoo bars - what we stand for",
    # "the value of" frames nothing
    "Launch of our resale app. We show the value of second hand.",
    "Solid shampoo bars for sensitive skin",
    # no list of its own: two items, a labelled term, a count, the subject itself first
    "Rain jacket. Women and men.",
    "Rain jacket. Tone: warm, funny, honest.",
    "Rain jacket. We need 3 reels, 2 stories and a TikTok.",
    "Vegan, plastic-free, made in France: solid shampoo",
    "Looking for creators. Fashion, beauty, lifestyle.",
    # a dash inside a word or a range, or before a phrase that is no list
    "Rain jacket — for trail runners who camp",
    "Anti-waste recipes, ready-to-cook, sugar-free, low-fat",
    "Rain jacket 10-20 km, light, packable",
])
def test_a_brief_without_a_statement_of_its_own_is_not_split(brief):
    assert values_in(brief) == (brief, None)
    assert not [n for n in notes(brief, None) if "the brief states" in n]


def test_values_written_into_the_brief_that_only_reject_are_not_used_and_said_so():
    """"Our values: no plastic, no palm oil" in a brief names no value to stand for: neither
    the brief nor a statement points at plastic, and the note says the values were not used
    (not that they were read as a statement)."""
    brief = "Refill shampoo. Our values: no plastic, no palm oil."
    assert query_texts(brief, None) == ["Refill shampoo"]
    said = notes(brief, None)
    assert len(said) == 1 and "only reject things; they were not used" in said[0]
    assert notes("solid shampoo", "Our values: no plastic") == notes("solid shampoo",
                                                                     "no plastic")


def test_a_statement_given_keeps_the_brief_as_written():
    """With a values statement given, the brief's own framed words stay its subject."""
    brief = "Refill shampoo bars. We care about zero waste."
    assert query_texts(brief, "honest labels") == ["Refill shampoo bars. zero waste",
                                                   "honest labels"]
    assert not [n for n in notes(brief, "honest labels") if "the brief states" in n]


@pytest.mark.parametrize(("brief", "read"), [
    ("Resale app for pre-loved clothes, no fast fashion, no weekly hauls",
     "Resale app for pre-loved clothes"),
    ("Rail passes for slow travellers rather than cheap flights or cruises",
     "Rail passes for slow travellers"),
    ("Mode de seconde main, pas de fast fashion ni de hauls", "Mode de seconde main"),
    ("Pass ferroviaire plutôt que vols en avion", "Pass ferroviaire"),
    # what follows these words is what the brief is about
    ("an app against food waste", "an app against food waste"),
    ("Recettes sans gluten", "Recettes sans gluten"),
    ("Fitness for women over 50", "Fitness for women over 50"),
    ("iPhone vs Android camera reviews", "iPhone vs Android camera reviews"),
    ("Never stop exploring: hiking boots", "Never stop exploring: hiking boots"),
    # set phrases, and a brief of nothing but a rejection
    ("Compost bins for no dig gardening", "Compost bins for no dig gardening"),
    ("Not just a shampoo bar: a zero-waste ritual", "Not just a shampoo bar: a zero-waste ritual"),
    ("No fast fashion", "No fast fashion"),
])
def test_a_brief_does_not_point_at_what_it_rejects(brief, read):
    """A sentence encoder and BM25 read "no fast fashion" as fast fashion: a brief's rejection
    would point it at the creators the brand rejects."""
    assert query_texts(brief, None) == [read]



@pytest.mark.parametrize(("brief", "read"), [
    ("Seeking 3 to 5 nano influencers in the UK for our sourdough starter kit.",
     "for our sourdough starter kit"),
    ("Looking for 5-10 micro creators (10k-50k) who already live low-waste.",
     "who already live low-waste"),
    ("We need a dozen creators for our snack", "for our snack"),
    ("Pour notre shampoing solide, nous recherchons une dizaine de micro-influenceuses beauté",
     "Pour notre shampoing solide, beauté"),
    ("nano créatrices françaises pour nos bougies", "pour nos bougies"),
    ("Fair trade chocolate. 10 creators, mostly micro.", "Fair trade chocolate"),
    ("Bougies artisanales, plutôt nano ou micro.", "Bougies artisanales"),
    ("Fitness app, mostly macro counting tips", "Fitness app, mostly macro counting tips"),
    # a count of something else stays
    ("3-5 recipes a week for busy parents", "3-5 recipes a week for busy parents"),
])
def test_how_many_creators_of_which_tier_and_size_leave_what_is_matched(brief, read):
    """Before: "3 to 5 nano influencers in the UK" left "3 to 5 nano" (the market's phrase took
    "influencers" before the tier's was read), and "5-10 micro creators (10k-50k)" left
    "5-10 (10k-50k)"."""
    assert query_texts(brief, None) == [read]

@pytest.mark.parametrize(("brief", "read"), [
    ("New protein bar. Avoid anyone promoting crash diets.", "New protein bar"),
    ("New protein bar. Please steer clear of creators who push crash diets. Thanks!",
     "New protein bar"),
    ("New protein bar. We'd like to avoid crash diet accounts.", "New protein bar"),
    ("New protein bar — avoid crash diet accounts", "New protein bar"),
    ("Serum for teens.\nTo avoid: haul accounts, dupes", "Serum for teens"),
    ("Barre protéinée. Éviter les créateurs qui font la promo de régimes express.",
     "Barre protéinée"),
    ("Sérum. À éviter : les comptes haul.", "Sérum"),
    # the brief's first sentence is its subject, and "avoid" within a sentence is no rejection
    ("Avoid breakouts with our new serum. For teens.",
     "Avoid breakouts with our new serum. For teens"),
    ("Serum for teens, helps avoid breakouts.", "Serum for teens, helps avoid breakouts"),
])
def test_a_brief_does_not_point_at_what_it_asks_to_avoid(brief, read):
    """Before: "Avoid anyone promoting crash diets." was matched as "Avoid anyone crash diets",
    pointing a protein bar at the creators it asked to avoid."""
    assert query_texts(brief, None) == [read]


def test_set_phrases_that_hold_a_negation_stay_in_a_statement():
    assert stands_for("discipline, no excuses, no rest days") == (
        "discipline, no excuses, no rest days", [])
    assert stands_for("no dig gardening, no pesticides") == ("no dig gardening", ["pesticides"])


def test_a_brief_that_rejects_the_other_stance_does_not_rank_it_first(tmp_path, embedder):
    """"old clothes, no weekly hauls" is matched as "old clothes": the creators who post
    weekly hauls get no keyword credit for the words the brief rejects."""
    recs = [creator(f"slow{i}", f"I repair my old clothes {i}") for i in range(3)]
    recs += [creator(f"haul{i}", f"my weekly hauls of new clothes {i}") for i in range(3)]
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", recs)])
    ms = rec.match(Brief(brief="old clothes, no weekly hauls", k=6))
    assert [m.creator_id[:4] for m in ms[:3]] == ["slow"] * 3
    assert all(m.matched_terms == ["clothes"] for m in ms if m.creator_id.startswith("haul"))
    rec.close()


@pytest.mark.parametrize(("brief", "read"), [
    ("Product: refill moisturiser", "refill moisturiser"),
    ("Produit : coffret de soins\nObjectif : notoriété", "coffret de soins"),
    ("What this is about: repair cafés", "repair cafés"),
    # the word without its colon is the brief's own
    ("product reviews for runners", "product reviews for runners"),
])
def test_a_brief_forms_field_names_leave_what_is_matched(brief, read):
    """"Product: X" is about X: the field's name is the form's, and cost every labelled set
    up to 0.017 nDCG@10 when it led each brief."""
    assert query_texts(brief, None) == [read]


@pytest.mark.parametrize(("brief", "read"), [
    ("Refill shampoo bars. Discount code GREEN20: 20% off the first order.",
     "Refill shampoo bars"),
    ("Savon solide. Code promo VERT20 : -20 % sur la première commande.", "Savon solide"),
    ("Trail shoes. CTA: link in bio, promo code GREEN20.", "Trail shoes"),
    ("Gym wear, use code FIT10 for 10% off", "Gym wear"),
    ("Refill shampoo. Tone of voice: warm, funny. Mandatories: #ad, tag @brand.",
     "Refill shampoo"),
    ("Shoes. Key message: free returns and 10% off your first box.", "Shoes"),
    # percentages, codes and commissions of the subject stay
    ("100% organic cotton tees, 70% less plastic", "100% organic cotton tees, 70% less plastic"),
    ("code of conduct training", "code of conduct training"),
    ("Discount grocery app", "Discount grocery app"),
    ("Art commissions for pet portraits", "Art commissions for pet portraits"),
])
def test_the_promotion_and_the_tone_of_the_post_leave_a_brief(brief, read):
    """A code, a discount, a link in bio, a commission and the tone the post should take
    describe the sponsored post and the deal, not what the creators post: "Discount code
    GREEN20: 20% off the first order." after each brief cost the labelled sets' test briefs
    up to 0.056 nDCG@10."""
    assert query_texts(brief, None) == [read]


def test_promo_codes_in_a_values_statement_are_a_stance_and_stay():
    """A fast-fashion brand's "codes promo" names its side of the niche."""
    assert query_texts("robes tendance à petits prix", "tendances, style, codes promo") == [
        "robes tendance à petits prix", "tendances, style, codes promo"]


@pytest.mark.parametrize(("brief", "read"), [
    ("Refill shampoo. More at https://www.oakandash.com/refill", "Refill shampoo"),
    ("Refill shampoo (site: oakandash.com, IG @oakandash)", "Refill shampoo"),
    ("Savon. Plus d'infos : https://www.maison-lumiere.fr/campagne", "Savon"),
    ("Trail shoes — contact press@oakandash.co.uk", "Trail shoes — contact"),
    # a dot between words or digits is no address
    ("Node.js tutorials, 3.5 stars, e.g. trail shoes",
     "Node.js tutorials, 3.5 stars, e.g. trail shoes"),
])
def test_where_the_brand_is_online_leaves_a_brief(brief, read):
    """An address, an e-mail or a handle names the brand's place online, and the encoder read
    "oakandash.com" as words of its own ("(site: oakandash.com, IG @oakandash)" after each
    brief cost the sets' test briefs up to 0.056 nDCG@10)."""
    assert query_texts(brief, None) == [read]


@pytest.mark.parametrize(("brief", "values", "read"), [
    ("Resale app. We want authentic creators with an engaged community.", None,
     ["Resale app"]),
    ("Appli de revente. On veut des créateurs authentiques avec une communauté engagée.", None,
     ["Appli de revente"]),
    ("Resale app", "repair, second hand. Authentic creators, close to their community.",
     ["Resale app", "repair, second hand"]),
    ("Resale app", "We believe in repair and second hand, and we want creators who live it "
     "every day.", ["Resale app", "repair and second hand"]),
    ("Appli", "Nous croyons en la réparation, et nous voulons des créateurs qui le vivent au "
     "quotidien.", ["Appli", "la réparation"]),
    # a value, and a subject, stay
    ("appli", "honnêteté, authenticité, une communauté engagée pour le climat",
     ["appli", "honnêteté, authenticité, une communauté engagée pour le climat"]),
    ("Authentic Italian pasta, real food recipes", None,
     ["Authentic Italian pasta, real food recipes"]),
])
def test_what_the_ranker_measures_of_creators_leaves_what_is_matched(brief, values, read):
    """"Authentic creators with an engaged community" is what the authenticity and engagement
    components read from the creators' figures; as words it pointed briefs at posts about
    community ("We want authentic creators with an engaged community." after each brief cost
    the sets' test briefs up to 0.016 nDCG@10). "who live it every day" points back at the
    statement."""
    assert query_texts(brief, values) == read


@pytest.mark.parametrize(("brief", "read"), [
    ("Client: Oak & Ash. Refill shampoo bars", "Refill shampoo bars"),
    ("Advertiser: Northwind Outfitters — Trail shoes", "Trail shoes"),
    ("Savon solide. Nom de la marque : Verdure & Co.", "Savon solide"),
    ("Brand: Oak & Ash, refill shampoo bars", "refill shampoo bars"),
    ("Refill shampoo bars. Founded in 2019 by two sisters.", "Refill shampoo bars"),
    ("Established in 1998, we make wool socks", "we make wool socks"),
    ("Coffret de soins. Fondée en 2019 par deux sœurs.", "Coffret de soins"),
    ("Refill moisturiser, a family business since 1987.", "Refill moisturiser"),
    ("Recharge de crème, une affaire familiale depuis 1987.", "Recharge de crème"),
    ("Podcast for family business owners", "Podcast for family business owners"),
    ("We are a small Bristol-based company. Refill moisturiser", "Refill moisturiser"),
    ("Nous sommes une jeune entreprise lyonnaise. Recharge de crème", "Recharge de crème"),
    ("We're an independent, family-run business. Refill pots", "Refill pots"),
    # a word of what the brand makes stops it
    ("We are a team of runners making trail shoes", "We are a team of runners making trail shoes"),
    # the name without its label, and a history that is the subject, stay
    ("Heritage recipes since the 1950s", "Heritage recipes since the 1950s"),
    ("Cuisine de grand-mère depuis toujours", "Cuisine de grand-mère depuis toujours"),
    ("Marque : bio", "Marque : bio"),  # nothing else: kept whole
])
def test_who_the_brand_is_leaves_a_brief(brief, read):
    """A client's name after its label ("Client : Maison Lumière" cost the sets' test briefs up
    to 0.055 nDCG@10: the encoder read a house and light) and when and by whom the brand was
    founded name no subject of the creators'."""
    assert query_texts(brief, None) == [read]


def test_a_statements_capital_is_the_sentences_not_the_values():
    """A cased encoder reads "Repair" as another token than "repair": a statement is encoded
    with each sentence's first word in small letters (its capital is the sentence's), so
    "Repair and reuse." and "repair and reuse" are matched alike; a word in capitals, or
    with a capital inside, stays."""
    assert query_texts("Shoes", "Repair and reuse. Honest labels.") == [
        "Shoes", "repair and reuse. honest labels"]
    assert query_texts("Shoes", "Repair and reuse") == query_texts("Shoes", "repair and reuse")
    assert query_texts("Shoes", "Zéro déchet\nFait main")[1] == "zéro déchet fait main"
    for kept in ("UK-made, fair wages", "B Corp certified, local", "iPhone repair, reuse"):
        assert query_texts("Shoes", kept) == ["Shoes", kept]
    # the brief's own capitals stay: its first word may name the product
    assert query_texts("Refill moisturiser", None) == ["Refill moisturiser"]
