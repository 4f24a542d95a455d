"""The second labelled set ("stances"): an independent generator, written after the first set
and without reusing any of its phrase banks, to check that the ranker's defaults carry over.

What differs from the first set (benchmarks/datagen.py):
* every niche holds two opposite value stances that share the niche's vocabulary (resale and
  repair vs weekly hauls; train travel vs first-class jet-setting; refurbished vs every new
  flagship ...): topic alone cannot separate them;
* niches the first set lacks (gardening, gaming, pets, cycling, coffee) beside shared ones;
* other sentence shapes: questions, lists, exclamations, hashtags, emoji, typos, and
  code-switching creators who post in English and French;
* briefs written as a planner writes them ("Looking for ...", "On cherche ..."), half of them
  open to any language (a planner asks for a niche, not a language), half filtered;
* traps of every kind: bought followers, sponsored saturation, and stuffers whose bio is full of
  the brief's value words over posts of another niche.

The judging rules (data/eval2/JUDGING.md) were written before any weight was chosen and reuse
the first set's rule code (recommender/evaluation/judging.py): a creator of the opposite stance
is `opposed` (0), another niche is 0, tier distance and traps cap the grade.

    python -m benchmarks.evalset2 [DIR]      (default: the packaged set, in place)
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from .build_evalset import write_set

OUT = Path(__file__).resolve().parents[1] / "recommender" / "data" / "eval2"
SEED = 2027

# niche -> (categories, {stance: {lang: [post sentences]}}); each stance's posts share the
# niche's words with the other stance, the stance is in what they value
NICHES: dict[str, tuple[list[str], dict[str, dict[str, list[str]]]]] = {
    "fashion": (["fashion"], {
        "slow": {
            "en": ["found this wool coat second hand for 12 bucks, fixed the lining myself",
                   "how i mend jeans instead of buying new ones: patch, darn, repeat",
                   "resale finds of the month: a 90s blazer and leather boots, all pre-loved",
                   "capsule wardrobe update: 30 pieces, nothing bought new this year",
                   "swap party this sunday, bring clothes you no longer wear!",
                   "why i quit fast fashion and learned to repair my own clothes"],
            "fr": ["trouvé ce manteau en laine en friperie pour 12 euros, doublure recousue",
                   "comment je raccommode mes jeans au lieu d'en racheter",
                   "mes trouvailles de seconde main du mois : blazer vintage et bottines",
                   "garde-robe capsule : rien acheté de neuf cette année",
                   "troc de vêtements dimanche, apportez ce que vous ne portez plus",
                   "pourquoi j'ai arrêté la fast fashion et appris à réparer"]},
        "fast": {
            "en": ["HUGE try-on haul!! 25 new pieces from this week's drop",
                   "new week new outfits, everything under 10 dollars 😍",
                   "unboxing my biggest order ever, the new collection just landed",
                   "trend alert: get the look for less before it sells out",
                   "50 outfits in 50 days, never wearing the same thing twice",
                   "flash sale haul, grabbed 12 tops and 8 dresses lol"],
            "fr": ["ÉNORME haul essayage : 25 nouvelles pièces de la collection de la semaine",
                   "nouvelle semaine nouvelles tenues, tout à moins de 10 euros 😍",
                   "déballage de ma plus grosse commande, la nouvelle collection est arrivée",
                   "alerte tendance : le look à petit prix avant la rupture",
                   "50 tenues en 50 jours, jamais deux fois la même",
                   "haul des soldes flash, 12 hauts et 8 robes"]}}),
    "travel": (["travel"], {
        "slow": {
            "en": ["three weeks across europe by night train, no flights at all",
                   "staying with a local family in the mountains, slow travel at its best",
                   "bike and train trip along the coast, camping every night",
                   "how to plan a low-carbon holiday: rail passes and homestays",
                   "one village, ten days, learning to cook with the neighbours"],
            "fr": ["trois semaines en europe en train de nuit, sans avion",
                   "chez l'habitant dans la montagne, le voyage lent comme je l'aime",
                   "vélo et train le long de la côte, bivouac chaque soir",
                   "préparer des vacances bas carbone : pass ferroviaire et gîtes",
                   "un village, dix jours, à cuisiner avec les voisins"]},
        "jet": {
            "en": ["first class to dubai then a private villa in the maldives ✈️",
                   "five countries in five days, living in airport lounges",
                   "the most expensive suite i've ever booked, worth every penny",
                   "weekend in new york on a whim, business class obviously",
                   "yacht week recap: champagne, sunsets and helicopter transfers"],
            "fr": ["première classe pour dubaï puis villa privée aux maldives ✈️",
                   "cinq pays en cinq jours, je vis dans les salons d'aéroport",
                   "la suite la plus chère que j'ai réservée, elle vaut chaque centime",
                   "week-end à new york sur un coup de tête, en classe affaires",
                   "récap de la semaine en yacht : champagne et transferts en hélico"]}}),
    "tech": (["tech"], {
        "repair": {
            "en": ["replaced the battery of my 6 year old phone, 20 minutes with a screwdriver",
                   "refurbished laptops are the best deal nobody talks about",
                   "right to repair matters: this tablet can be opened without glue",
                   "keeping my old camera alive with spare parts from a repair café",
                   "modular phone review: swap the screen yourself"],
            "fr": ["changé la batterie de mon téléphone de 6 ans, 20 minutes au tournevis",
                   "les ordinateurs reconditionnés, le meilleur plan dont personne ne parle",
                   "le droit à la réparation compte : cette tablette s'ouvre sans colle",
                   "mon vieil appareil photo tient grâce au repair café",
                   "test d'un téléphone modulaire : on change l'écran soi-même"]},
        "upgrade": {
            "en": ["unboxing the new flagship on launch day, upgrading again this year!",
                   "i buy every new phone the day it drops, here's why",
                   "day one preorder: the latest model vs last year's, is it worth it",
                   "my desk setup got a full refresh, all new gear",
                   "selling my 8 month old laptop, the new chip is out"],
            "fr": ["déballage du nouveau flagship le jour de la sortie, je change encore",
                   "j'achète chaque nouveau téléphone le jour de sa sortie",
                   "précommande jour un : le dernier modèle contre celui de l'an dernier",
                   "mon bureau entièrement renouvelé, que du matériel neuf",
                   "je revends mon portable de 8 mois, la nouvelle puce est sortie"]}}),
    "food": (["food"], {
        "plant": {
            "en": ["zero waste sunday: broccoli stalk soup and carrot top pesto",
                   "seasonal veggie box, five plant-based dinners for the week",
                   "lentil bolognese that even my dad liked, fully vegan",
                   "cooking with leftovers: stale bread becomes french toast",
                   "market haul: what's in season this month and how i cook it"],
            "fr": ["dimanche anti-gaspi : soupe de tiges de brocoli et pesto de fanes",
                   "panier de saison, cinq dîners végétaux pour la semaine",
                   "bolognaise de lentilles validée par mon père, 100% végétale",
                   "cuisiner les restes : le pain rassis devient pain perdu",
                   "retour du marché : les légumes de saison et mes recettes"]},
        "meat": {
            "en": ["72 oz steak challenge, finished it in 20 minutes 🥩",
                   "smoked brisket for 14 hours, the bbq king is back",
                   "rating every fast food burger in town, part 3",
                   "triple bacon cheeseburger mukbang",
                   "all you can eat ribs, how many plates did i do"],
            "fr": ["défi steak de 2 kilos, fini en 20 minutes 🥩",
                   "poitrine de boeuf fumée 14 heures, le roi du barbecue est de retour",
                   "je note tous les burgers de fast food de la ville, partie 3",
                   "mukbang triple cheeseburger bacon",
                   "travers de porc à volonté, combien d'assiettes"]}}),
    "fitness": (["fitness", "health"], {
        "gentle": {
            "en": ["home workout, no equipment, listen to your body",
                   "rest days are part of training, not a failure",
                   "body neutral fitness: move because it feels good",
                   "20 minute mobility flow for beginners",
                   "no supplements, just sleep, food and walks"],
            "fr": ["séance à la maison, sans matériel, écoute ton corps",
                   "le repos fait partie de l'entraînement",
                   "le sport pour se sentir bien, pas pour maigrir",
                   "20 minutes de mobilité pour débutants",
                   "pas de compléments : sommeil, repas et marche"]},
        "shred": {
            "en": ["shred season: 1200 calories and two-a-days until summer",
                   "my supplement stack for max gains, link in bio",
                   "no excuses, no rest days, beast mode every morning",
                   "cutting to 6% body fat, fat burners review",
                   "pre-workout tier list, the strongest ones ranked"],
            "fr": ["saison de sèche : 1200 calories et deux séances par jour",
                   "mes compléments pour une prise de masse maximale, lien en bio",
                   "pas d'excuse, pas de repos, mode bête chaque matin",
                   "sèche à 6% de masse grasse, test de brûleurs de graisse",
                   "classement des pré-workouts les plus forts"]}}),
    "gardening": (["garden", "home"], {
        "organic": {
            "en": ["no-dig beds, compost and zero pesticides in my allotment",
                   "companion planting instead of sprays: marigolds with tomatoes",
                   "saving seeds from this year's heirloom beans",
                   "rainwater harvesting for the veg patch",
                   "welcoming hedgehogs and bees into a wild garden"],
            "fr": ["potager sans labour, compost et zéro pesticide",
                   "associations de plantes au lieu de traitements : œillets et tomates",
                   "je garde les graines de mes haricots anciens",
                   "récupérer l'eau de pluie pour le potager",
                   "un jardin sauvage pour les hérissons et les abeilles"]},
        "lawn": {
            "en": ["perfect striped lawn: weed killer and fertiliser schedule",
                   "spraying the whole garden, goodbye every weed",
                   "artificial turf install, never mowing again",
                   "the strongest slug pellets ranked",
                   "golf course lawn in 30 days with this chemical program"],
            "fr": ["pelouse parfaite : calendrier désherbant et engrais",
                   "je traite tout le jardin, adieu les mauvaises herbes",
                   "pose de gazon synthétique, plus jamais de tonte",
                   "les granulés anti-limaces les plus puissants",
                   "gazon de golf en 30 jours avec ce programme chimique"]}}),
    "gaming": (["gaming"], {
        "cozy": {
            "en": ["cozy indie game night, farming and tea 🍵",
                   "games that helped my mental health this winter",
                   "wholesome co-op with my partner, no rush",
                   "hidden gem indie games made by tiny studios",
                   "taking breaks matters: my screen time rules"],
            "fr": ["soirée jeu indé cosy, ferme et thé 🍵",
                   "les jeux qui ont aidé mon moral cet hiver",
                   "co-op tranquille avec ma moitié",
                   "pépites indé faites par de tout petits studios",
                   "faire des pauses compte : mes règles d'écran"]},
        "grind": {
            "en": ["opening 200 loot boxes live, chasing the legendary skin",
                   "24 hour ranked grind, sleep is for the weak",
                   "pay to win? i spent 500 on the battle pass",
                   "sweatiest ranked moments, pro settings inside",
                   "gambling for skins stream tonight"],
            "fr": ["j'ouvre 200 loot boxes en live pour le skin légendaire",
                   "24 heures de classé non-stop, le sommeil c'est pour les faibles",
                   "pay to win ? 500 euros dans le passe de combat",
                   "mes moments classés les plus tendus, réglages pro",
                   "stream paris de skins ce soir"]}}),
    "pets": (["pets"], {
        "rescue": {
            "en": ["adopted this senior dog from the shelter, best decision ever",
                   "fostering kittens until they find a home",
                   "adopt don't shop: meet this week's rescues",
                   "volunteering at the animal shelter on saturdays",
                   "our rescue cat's first year at home"],
            "fr": ["adopté ce vieux chien au refuge, meilleure décision",
                   "famille d'accueil pour chatons en attendant l'adoption",
                   "adoptez, n'achetez pas : les loulous de la semaine",
                   "bénévole au refuge le samedi",
                   "la première année de notre chat adopté"]},
        "breeder": {
            "en": ["picked up our designer puppy from the breeder, so fluffy",
                   "rare colour french bulldog, pedigree papers inside",
                   "dog show weekend, best in breed again",
                   "new litter available, deposits open",
                   "the most expensive cat breeds ranked"],
            "fr": ["récupéré notre chiot de race chez l'éleveur",
                   "bouledogue français couleur rare, pedigree",
                   "week-end d'exposition canine, meilleur de race",
                   "nouvelle portée disponible, réservations ouvertes",
                   "les races de chat les plus chères"]}}),
    "cycling": (["outdoor", "sport"], {
        "commute": {
            "en": ["car-free for a year: commuting by bike in the rain",
                   "cargo bike school run with two kids",
                   "fixing a puncture in five minutes, basic bike repair",
                   "protected bike lanes changed my city",
                   "second hand bike buying guide"],
            "fr": ["un an sans voiture : vélotaf sous la pluie",
                   "école en vélo cargo avec deux enfants",
                   "réparer une crevaison en cinq minutes",
                   "les pistes cyclables ont changé ma ville",
                   "guide d'achat de vélo d'occasion"]},
        "gear": {
            "en": ["new 12k carbon race bike unboxing, every upgrade",
                   "my power meter and aero wheels, all the new gear",
                   "buying the newest electronic groupset again",
                   "sportive weekend, flew in with three bikes",
                   "tested 10 carbon helmets, bought them all"],
            "fr": ["déballage de mon nouveau vélo carbone à 12 000 euros",
                   "capteur de puissance et roues aéro, tout le nouveau matos",
                   "encore le dernier groupe électronique",
                   "cyclosportive, venu en avion avec trois vélos",
                   "testé 10 casques carbone, je les ai tous achetés"]}}),
    "coffee": (["food", "drinks"], {
        "fair": {
            "en": ["fair trade beans from a women-led cooperative",
                   "roasting at home, direct trade with the farmers",
                   "reusable cup every morning, no pods",
                   "pour over guide with a secondhand grinder",
                   "visiting a shade-grown coffee farm"],
            "fr": ["café équitable d'une coopérative de femmes",
                   "torréfaction maison, commerce direct avec les producteurs",
                   "tasse réutilisable chaque matin, pas de capsules",
                   "guide de la méthode douce avec un moulin d'occasion",
                   "visite d'une plantation de café sous ombrage"]},
        "pods": {
            "en": ["ranking 40 coffee pod flavours, new limited editions",
                   "my capsule machine collection, bought the new one",
                   "pumpkin spice triple whip frappe, the secret menu",
                   "drive-through coffee run every day of the week",
                   "unboxing the holiday pod advent calendar"],
            "fr": ["je classe 40 capsules de café, les éditions limitées",
                   "ma collection de machines à capsules, j'ai pris la nouvelle",
                   "frappé triple chantilly, le menu secret",
                   "café au drive tous les jours de la semaine",
                   "déballage du calendrier de l'avent en capsules"]}}),
}

HASHTAGS = {"slow": ["#secondhandseptember", "#friperie"], "fast": ["#haul", "#ootd"],
            "plant": ["#antigaspi", "#plantbased"], "repair": ["#righttorepair"],
            "rescue": ["#adoptdontshop"], "organic": ["#nodig"], "commute": ["#velotaf"],
            "fair": ["#fairtrade"]}
EMOJI = ["🌿", "✨", "🔥", "💚", "🙌", "😅", "📦", "🚲", "☕", "🐶"]
NAMES = ["maya", "noah", "lina", "omar", "eva", "theo", "sara", "yann", "mila", "adam", "zoé",
         "hugo", "ana", "leo", "nina"]
TIER_FOLLOWERS = {"nano": (120, 990), "micro": (1_100, 95_000), "macro": (110_000, 2_500_000)}

# (id, language, brief, values, objective, niche, stance, filtered on the language)
BRIEFS = [
    ("b-fashion-slow-en", "en", "Looking for creators to launch our resale app for pre-loved "
     "clothes", "we believe in repair, second hand and buying less", "engagement", "fashion",
     "slow", False),
    ("b-fashion-fast-fr", "fr", "On cherche des créatrices pour la nouvelle collection "
     "hebdomadaire de notre marque de mode", "tendances, petits prix, nouveautés chaque "
     "semaine", "awareness", "fashion", "fast", True),
    ("b-travel-slow-fr", "fr", "Campagne pour un pass ferroviaire européen, on veut des "
     "voyageurs", "voyager lentement, en train, loin de l'avion", "ugc", "travel", "slow",
     False),
    ("b-travel-jet-en", "en", "Luxury resort group needs travel creators for a new island "
     "villa", "exclusive, premium, first-class experiences", "awareness", "travel", "jet",
     True),
    ("b-tech-repair-en", "en", "Brief: refurbished smartphones with a 3 year warranty",
     "repairability, keeping devices longer, less e-waste", "conversion", "tech", "repair",
     False),
    ("b-tech-upgrade-fr", "fr", "Lancement de notre nouveau smartphone haut de gamme",
     "dernière technologie, nouveauté, être le premier", "awareness", "tech", "upgrade",
     False),
    ("b-food-plant-fr", "fr", "Box de légumes de saison : on cherche des cuisiniers du "
     "quotidien", "anti-gaspillage, végétal, local", "ugc", "food", "plant", True),
    ("b-food-meat-en", "en", "Burger chain summer campaign, big flavours", "indulgence, "
     "meat lovers, bbq", "engagement", "food", "meat", False),
    ("b-fitness-gentle-en", "en", "Looking for fitness voices for a beginner-friendly home "
     "workout app", "body positivity, rest, no pressure", "engagement", "fitness", "gentle",
     False),
    ("b-fitness-shred-fr", "fr", "Marque de compléments protéinés cherche des sportifs",
     "performance, sèche, dépassement", "conversion", "fitness", "shred", True),
    ("b-garden-organic-en", "en", "Organic seed company, spring campaign for veg growers",
     "no pesticides, biodiversity, saving seeds", "ugc", "gardening", "organic", False),
    ("b-garden-lawn-fr", "fr", "Nouvel engrais gazon pour une pelouse impeccable",
     "résultat parfait, efficacité", "engagement", "gardening", "lawn", False),
    ("b-gaming-cozy-fr", "fr", "Studio indé, sortie d'un jeu cosy de jardinage", "bienveillance, "
     "santé mentale, jouer sans pression", "engagement", "gaming", "cozy", False),
    ("b-gaming-grind-en", "en", "Esports energy drink wants competitive streamers",
     "grind, winning, max performance", "awareness", "gaming", "grind", True),
    ("b-pets-rescue-en", "en", "Animal shelter network adoption month campaign",
     "adopt don't shop, rescue, second chances", "ugc", "pets", "rescue", False),
    ("b-pets-breeder-fr", "fr", "Croquettes premium pour chiens de race", "pedigree, "
     "excellence, expositions", "conversion", "pets", "breeder", False),
    ("b-cycling-commute-fr", "fr", "Vélo cargo électrique : campagne pour familles urbaines",
     "se passer de la voiture, réparer, mobilité douce", "engagement", "cycling", "commute",
     False),
    ("b-cycling-gear-en", "en", "Carbon wheel brand launch, top performance", "speed, the "
     "newest tech, marginal gains", "awareness", "cycling", "gear", False),
    ("b-coffee-fair-en", "en", "Fair trade coffee roaster looking for home baristas",
     "fair pay for farmers, no single-use pods", "ugc", "coffee", "fair", False),
    ("b-coffee-pods-fr", "fr", "Nouvelle gamme de capsules aromatisées édition limitée",
     "gourmandise, nouveauté, pratique", "engagement", "coffee", "pods", False),
]


def _typo(rng: random.Random, text: str) -> str:
    """One swapped pair of letters in one word, as a phone keyboard does."""
    words = text.split()
    i = rng.randrange(len(words))
    w = words[i]
    if len(w) > 4:
        j = rng.randrange(1, len(w) - 2)
        words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return " ".join(words)


def engagement_rate(rng: random.Random, tier: str) -> float:
    """A genuine audience's engagement rate for a tier (smaller audiences engage more)."""
    return rng.uniform(0.03, 0.09) if tier == "nano" else rng.uniform(0.02, 0.06) \
        if tier == "micro" else rng.uniform(0.008, 0.025)


def post_record(rng: random.Random, i: int, text: str, real: int, rate: float,
                sponsored: bool) -> dict:
    """The i-th post (from 0) of a creator whose real audience is `real` at `rate`."""
    likes = max(0, int(real * rate * rng.uniform(0.6, 1.4)))
    return {"id": f"p{i + 1}", "text": text, "likes": likes,
            "comments": max(0, int(likes * rng.uniform(0.02, 0.08))), "sponsored": sponsored,
            "posted_at": f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}"
                         f"T{rng.randint(6, 22):02d}:00:00Z"}


def _post(rng: random.Random, niche: str, stance: str, lang: str, used: set[str]) -> str:
    bank = NICHES[niche][1][stance][lang]
    text = rng.choice([t for t in bank if t not in used] or bank)
    used.add(text)
    shape = rng.random()
    if shape < 0.15:
        text = text[0].upper() + text[1:] + " ?" if lang == "fr" else text.capitalize() + "?"
    elif shape < 0.3:
        text = text.upper()[:1] + text[1:] + "!!"
    if rng.random() < 0.4:
        text += " " + rng.choice(EMOJI)
    if rng.random() < 0.35:
        text += " " + rng.choice(HASHTAGS.get(stance, ["#" + niche]))
    if rng.random() < 0.15:
        text = _typo(rng, text)
    return text


def _creator(rng: random.Random, n: int, niche: str, stance: str, lang: str, tier: str,
             kind: str) -> tuple[dict, dict]:
    name = rng.choice(NAMES)
    lo, hi = TIER_FOLLOWERS[tier]
    real = int(rng.uniform(lo, hi))
    followers = real
    rate = engagement_rate(rng, tier)
    post_niche, post_stance = niche, stance
    if kind == "inflated":  # bought followers: shown a tier up, engagement of the real audience
        followers = real * rng.randint(20, 60)
    if kind == "stuffer":  # value words of this niche in the bio, posts of another niche
        post_niche = rng.choice([x for x in NICHES if x != niche])
        post_stance = rng.choice(list(NICHES[post_niche][1]))
    langs = [lang] if lang != "both" else ["en", "fr"]
    posts: list[dict] = []
    used: set[str] = set()
    for i in range(rng.randint(5, 9)):
        text = _post(rng, post_niche, post_stance, langs[i % len(langs)], used)
        sponsored = (kind == "saturated" and rng.random() < 0.85) or rng.random() < 0.05
        if sponsored:
            text += " #ad" if rng.random() < 0.5 else " #sponsorisé"
        posts.append(post_record(rng, i, text, real, rate, sponsored))
    stance_words = " · ".join(NICHES[niche][1][stance]["en" if lang == "both" else lang][:2])
    bio = (f"{stance_words} | {niche} {'créatrice' if lang == 'fr' else 'creator'}"
           if kind == "stuffer" else
           f"{rng.choice(EMOJI)} {niche} · {NICHES[post_niche][1][post_stance][langs[0]][0][:60]}")
    cid = f"s2_{name}_{n:04d}"
    country = "FR" if lang in ("fr", "both") else rng.choice(["US", "GB", "CA", "AU"])
    record = {"id": cid, "handle": f"@{name}.{niche}{n}", "platform":
              rng.choice(["instagram", "tiktok", "youtube"]), "followers": followers,
              "country": country, "language": "fr" if lang == "both" else lang,
              "categories": NICHES[niche][0], "bio": bio, "posts": posts}
    truth = {"id": cid, "niche": niche, "post_niche": f"{post_niche}:{post_stance}",
             "kind": kind, "language": lang, "real_followers": real}
    return record, truth


def generate(seed: int = SEED) -> list[tuple[dict, dict]]:
    """Per niche and stance: genuine creators in each tier and language (a few bilingual),
    plus one trap of each kind."""
    rng = random.Random(seed)
    out: list[tuple[dict, dict]] = []
    for niche, (_, stances) in NICHES.items():
        for stance in stances:
            for lang in ("en", "fr", "both"):
                for tier in ("nano", "micro", "macro"):
                    for _ in range(3 if lang != "both" else 1):
                        out.append(_creator(rng, len(out), niche, stance, lang, tier,
                                            "genuine"))
            for kind in ("inflated", "saturated", "stuffer"):
                out.append(_creator(rng, len(out), niche, stance, rng.choice(["en", "fr"]),
                                    rng.choice(["nano", "micro"]) if kind == "inflated"
                                    else rng.choice(["nano", "micro", "macro"]), kind))
    return out


# A clause rejecting the other stance's content, as a planner may end a values statement: the
# evaluation's --as-written variant appends it (written after the weights were chosen, to test
# that what a statement rejects does not point its values at the creators rejected).
REJECTS = {
    "b-fashion-slow-en": "no fast fashion, no weekly hauls of new clothes",
    "b-fashion-fast-fr": "pas de seconde main, pas de friperie",
    "b-travel-slow-fr": "pas de vols en avion, pas de resorts de luxe",
    "b-travel-jet-en": "no backpacking on a budget, no slow train journeys",
    "b-tech-repair-en": "we never push the newest flagship phone or yearly upgrades",
    "b-tech-upgrade-fr": "pas de vieux téléphones réparés",
    "b-food-plant-fr": "sans viande, pas de barbecue",
    "b-food-meat-en": "no vegan recipes, no plant-based swaps",
    "b-fitness-gentle-en": "no extreme diets, no shredding or six-pack challenges",
    "b-fitness-shred-fr": "pas de yoga doux, pas de séances tranquilles",
    "b-garden-organic-en": "no chemical weed killer, no perfect lawns",
    "b-garden-lawn-fr": "pas de potager bio, pas de jardin sauvage",
    "b-gaming-cozy-fr": "pas de compétition, pas de grind classé",
    "b-gaming-grind-en": "no cozy farming games, no relaxing casual play",
    "b-pets-rescue-en": "no breeders, no pedigree dog shows",
    "b-pets-breeder-fr": "pas de refuges, pas d'adoption",
    "b-cycling-commute-fr": "pas de course sur route, pas de vélo en carbone",
    "b-cycling-gear-en": "no commuting by cargo bike, no slow city rides",
    "b-coffee-fair-en": "no capsule machines",
    "b-coffee-pods-fr": "pas de café de spécialité équitable",
}


def briefs() -> list[dict]:
    """The briefs, alternately dev and test, with their judging keys."""
    out = []
    for i, (bid, lang, text, values, objective, niche, stance, filtered) in enumerate(BRIEFS):
        other = [s for s in NICHES[niche][1] if s != stance]
        out.append({"id": bid, "split": "dev" if i % 2 == 0 else "test", "language": lang,
                    "brief": text, "values": values, "rejects": REJECTS[bid],
                    "objective": objective,
                    "filters": {"languages": [lang] if filtered else None},
                    "judging": {"niches": [f"{niche}:{stance}"],
                                "opposed": [f"{niche}:{s}" for s in other],
                                "languages": [lang] if filtered else ["en", "fr"]}})
    return out


def build(out: str | Path = OUT) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pairs = generate()
    bs = briefs()
    (out / "briefs.json").write_text(json.dumps(bs, indent=1, ensure_ascii=False) + "\n",
                                     "utf-8")
    write_set(out, bs, pairs)
    return out


if __name__ == "__main__":
    import sys

    print(build(sys.argv[1] if len(sys.argv) > 1 else OUT))
