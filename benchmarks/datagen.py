"""Synthetic creators in the ingest format: the bundled sample and larger sets for benchmarks.

Deterministic for a seed. Texts are assembled from per-niche phrase banks in English and French,
with the hard cases a planner meets: opposite values on one topic (thrift vs fast-fashion hauls,
zero-waste vs luxury beauty), inflated followers, sponsored saturation and keyword stuffers.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

# niche -> (categories, {lang: (bios, posts, slot values)})
BANKS: dict[str, dict] = {
    "zero_waste_beauty": {
        "categories": ["beauty", "sustainability"],
        "en": {
            "bio": ["Zero-waste bathroom, homemade cosmetics and refills. {city}",
                    "Plastic-free skincare that actually works. Honest reviews, no fluff.",
                    "Low-waste beauty routines, solid bars and DIY balms from my kitchen."],
            "post": ["My favourite {product}: lasts three months and no plastic bottle.",
                     "Tried a {product} from a local maker in {city}, honest review inside.",
                     "DIY {product} with four ingredients, full recipe in the caption.",
                     "Bathroom audit: swapped every bottle for refills and solid bars.",
                     "Why I stopped buying {product} in plastic: the numbers surprised me.",
                     "Zero-waste travel kit: {product}, bamboo brush and a tin.",
                     "Does a {product} really clean as well? One month test, before and after."],
            "product": ["solid shampoo bar", "refillable deodorant", "shea butter balm",
                        "konjac sponge", "solid conditioner", "clay face mask"],
        },
        "fr": {
            "bio": ["Salle de bain zéro déchet, cosmétiques maison et vrac. {city}",
                    "Soins sans plastique qui marchent vraiment. Avis honnêtes.",
                    "Beauté minimaliste, fabriqué en France, recettes maison."],
            "post": ["Mon {product} préféré : trois mois d'utilisation et zéro flacon.",
                     "J'ai testé un {product} d'une artisane de {city}, mon avis honnête.",
                     "Recette du {product} maison avec quatre ingrédients.",
                     "Ma salle de bain en vrac : tout est en recharge ou solide maintenant.",
                     "Pourquoi j'ai arrêté le {product} en plastique.",
                     "Trousse de voyage zéro déchet : {product}, brosse en bambou et boîte en"
                     " métal."],
            "product": ["shampoing solide", "déodorant rechargeable", "baume au karité",
                        "après-shampoing solide", "masque à l'argile", "savon saponifié à froid"],
        },
    },
    "luxury_beauty": {
        "categories": ["beauty"],
        "en": {
            "bio": ["Luxury skincare addict, new launches every week. {city}",
                    "Glam makeup tutorials and the hottest beauty drops."],
            "post": ["Unboxing the new {product} collection, I bought all twelve shades!",
                     "Full glam look with the viral {product}, link in bio.",
                     "My {product} haul this month, everything I ordered.",
                     "Ranking every {product} I own, from cheapest to most expensive.",
                     "Get ready with me: {product}, lashes and a bold lip."],
            "product": ["eyeshadow palette", "designer perfume", "highlighter", "serum set",
                        "liquid lipstick"],
        },
        "fr": {
            "bio": ["Passionnée de maquillage glamour et de nouveautés beauté. {city}",
                    "Tutos make-up et cosmétiques de luxe."],
            "post": ["Déballage de la nouvelle collection de {product}, j'ai tout pris !",
                     "Maquillage de soirée avec la {product} virale, lien en bio.",
                     "Ma commande beauté du mois : {product} et plein de nouveautés.",
                     "Je classe toutes mes {product}, de la moins chère à la plus chère."],
            "product": ["palette de fards", "parfum de créateur", "enlumineur", "rouge à lèvres"],
        },
    },
    "thrift_fashion": {
        "categories": ["fashion", "sustainability"],
        "en": {
            "bio": ["Second-hand style, thrift flips and mending. Buy less, wear more.",
                    "Vintage and pre-loved outfits, capsule wardrobe. {city}"],
            "post": ["Thrift flip: turned an old {item} into something I wear every week.",
                     "Found this vintage {item} at a charity shop in {city} for four pounds.",
                     "How I mend a {item} instead of buying new, step by step.",
                     "My capsule wardrobe has 30 pieces, most of them second-hand.",
                     "Outfit of the week, every piece pre-loved, including the {item}.",
                     "Why I quit fast fashion: repairing my {item} took ten minutes."],
            "item": ["denim jacket", "wool coat", "linen shirt", "leather bag", "knit sweater"],
        },
        "fr": {
            "bio": ["Mode seconde main, friperie et couture. Acheter moins, porter mieux.",
                    "Tenues vintage et garde-robe capsule. {city}"],
            "post": ["J'ai transformé une vieille {item} trouvée en friperie.",
                     "Trouvé ce {item} vintage chez Emmaüs à {city} pour cinq euros.",
                     "Comment je raccommode mon {item} au lieu d'en racheter un.",
                     "Ma garde-robe capsule : trente pièces, presque tout en seconde main.",
                     "Tenue de la semaine, tout est chiné, même le {item}."],
            "item": ["veste en jean", "manteau en laine", "chemise en lin", "sac en cuir",
                     "pull tricoté"],
        },
    },
    "haul_fashion": {
        "categories": ["fashion"],
        "en": {
            "bio": ["Weekly try-on hauls and the latest trends. {city}",
                    "Fashion hauls, discount codes and outfit ideas."],
            "post": ["Huge try-on haul: twenty new {item}s under ten dollars each!",
                     "Everything I ordered this week, the {item} was only five dollars.",
                     "Trend alert: the {item} everyone is wearing, get it before it sells out.",
                     "Outfit of the day, new {item} again, use my code for 20% off.",
                     "Ranking this season's {item}s from the new drop."],
            "item": ["crop top", "mini dress", "cargo pant", "platform sneaker", "party dress"],
        },
        "fr": {
            "bio": ["Hauls mode chaque semaine et dernières tendances. {city}",
                    "Essayages, codes promo et idées de tenues."],
            "post": ["Énorme haul : vingt {item}s à moins de dix euros !",
                     "Tout ce que j'ai commandé cette semaine, la {item} coûtait cinq euros.",
                     "La {item} que tout le monde porte, foncez avant la rupture.",
                     "Tenue du jour, encore une nouvelle {item}, code promo en bio."],
            "item": ["robe courte", "brassière", "basket compensée", "jupe plissée"],
        },
    },
    "fitness": {
        "categories": ["fitness", "health"],
        "en": {
            "bio": ["Running coach, marathons and mobility. {city}",
                    "Home workouts and strength training for busy people."],
            "post": ["Long run this morning: {distance} km along the river in {city}.",
                     "Twenty-minute {workout} you can do with no equipment.",
                     "My honest review of these running shoes after {distance} km.",
                     "Marathon training week 6: intervals, tempo and a long run.",
                     "Mobility routine for runners with tight hips.",
                     "Strength day: squats, deadlifts and a {workout} finisher."],
            "workout": ["HIIT circuit", "core workout", "kettlebell flow", "tabata"],
            "distance": ["12", "18", "25", "32"],
        },
        "fr": {
            "bio": ["Coach running, marathons et mobilité. {city}",
                    "Sport à la maison et renforcement pour les gens pressés."],
            "post": ["Sortie longue ce matin : {distance} km au bord de l'eau à {city}.",
                     "Séance de {workout} de vingt minutes sans matériel.",
                     "Mon avis sur ces chaussures de running après {distance} km.",
                     "Préparation marathon semaine 6 : fractionné et sortie longue."],
            "workout": ["HIIT", "gainage", "kettlebell", "tabata"],
            "distance": ["12", "18", "25", "32"],
        },
    },
    "vegan_food": {
        "categories": ["food", "sustainability"],
        "en": {
            "bio": ["Plant-based recipes on a budget, seasonal and local. {city}",
                    "Vegan home cooking, meal prep and farmers' market finds."],
            "post": ["One-pot {dish} ready in 25 minutes, fully plant-based.",
                     "Farmers' market haul in {city}: everything for this week's {dish}.",
                     "Meal prep Sunday: five lunches for under fifteen dollars.",
                     "My grandmother's {dish}, veganised and just as comforting.",
                     "Zero food waste: what I cook with vegetable scraps."],
            "dish": ["lentil curry", "chickpea stew", "mushroom risotto", "tofu stir fry"],
        },
        "fr": {
            "bio": ["Recettes végétales, de saison et locales. {city}",
                    "Cuisine vegan du quotidien et marché du dimanche."],
            "post": ["{dish} en une casserole, prêt en 25 minutes, 100% végétal.",
                     "Mon panier du marché de {city} pour le {dish} de la semaine.",
                     "Batch cooking du dimanche : cinq déjeuners pour quinze euros.",
                     "Anti-gaspi : ce que je cuisine avec les épluchures."],
            "dish": ["dahl de lentilles", "ragoût de pois chiches", "risotto aux champignons",
                     "wok de tofu"],
        },
    },
    "travel": {
        "categories": ["travel"],
        "en": {
            "bio": ["Slow travel by train, hidden places and local guides. {city}",
                    "Budget backpacking across {place}."],
            "post": ["Three days in {place} by night train, full itinerary.",
                     "The quiet side of {place}: where locals actually eat.",
                     "Packing list for two weeks in {place} with one carry-on.",
                     "Sunrise hike above {place}, worth the 4am alarm.",
                     "How much I spent in a week in {place}, every cost listed."],
            "place": ["Lisbon", "the Alps", "Kyoto", "Scotland", "the Dolomites", "Iceland"],
        },
        "fr": {
            "bio": ["Voyages lents en train et coins cachés. {city}",
                    "Sac à dos et petit budget à travers {place}."],
            "post": ["Trois jours à {place} en train de nuit, itinéraire complet.",
                     "Le côté calme de {place} : où mangent les habitants.",
                     "Ma liste de valise pour deux semaines à {place}.",
                     "Lever de soleil au-dessus de {place}, ça valait le réveil à 4h."],
            "place": ["Lisbonne", "les Alpes", "Kyoto", "l'Écosse", "la Corse", "l'Islande"],
        },
    },
    "tech": {
        "categories": ["tech"],
        "en": {
            "bio": ["Gadget reviews, honest and long-term. {city}",
                    "Smartphones, laptops and smart home, tested for months."],
            "post": ["Six months with the new {gadget}: the good and the bad.",
                     "Is this {gadget} worth it in 2026? Full review.",
                     "My desk setup tour: {gadget}, monitor arm and cable management.",
                     "Repairing a {gadget} myself: battery swap in 15 minutes.",
                     "Comparing three {gadget}s under 300 dollars."],
            "gadget": ["smartphone", "laptop", "e-reader", "mechanical keyboard", "smartwatch"],
        },
        "fr": {
            "bio": ["Tests de gadgets honnêtes et sur la durée. {city}",
                    "Smartphones, ordinateurs et maison connectée."],
            "post": ["Six mois avec le nouveau {gadget} : le bon et le moins bon.",
                     "Ce {gadget} vaut-il le coup en 2026 ? Test complet.",
                     "Je répare moi-même mon {gadget} : changement de batterie.",
                     "Comparatif de trois {gadget}s à moins de 300 euros."],
            "gadget": ["smartphone", "ordinateur portable", "liseuse", "clavier mécanique"],
        },
    },
    "gaming": {
        "categories": ["gaming"],
        "en": {
            "bio": ["Indie games and cozy streams every evening.",
                    "Speedruns, retro consoles and {game} tips."],
            "post": ["First look at {game}: the art style is stunning.",
                     "Streaming {game} tonight, come hang out and chat.",
                     "Ten hidden secrets in {game} most players miss.",
                     "My retro console collection, fully restored.",
                     "Beat my personal best speedrun in {game}!"],
            "game": ["a cozy farming game", "an indie roguelike", "a pixel-art platformer",
                     "a racing sim"],
        },
        "fr": {
            "bio": ["Jeux indés et streams cosy tous les soirs.",
                    "Speedruns, consoles rétro et astuces."],
            "post": ["Premières impressions sur {game} : la direction artistique est superbe.",
                     "Live ce soir sur {game}, venez discuter.",
                     "Dix secrets cachés dans {game}.",
                     "Ma collection de consoles rétro restaurées."],
            "game": ["un jeu de ferme cosy", "un roguelike indé",
                     "un jeu de plateforme en pixel art"],
        },
    },
    "parenting": {
        "categories": ["parenting", "family"],
        "en": {
            "bio": ["Mum of three, real family life and simple activities. {city}",
                    "Dad blog: toddler chaos, cloth nappies and screen-free play."],
            "post": ["Rainy day activity: {activity} with things you already have.",
                     "Our morning routine with a toddler and a newborn.",
                     "Cloth nappies one year in: what we learned and what we saved.",
                     "Honest review of a {activity} kit after three months of use.",
                     "School lunch ideas my kids actually eat."],
            "activity": ["cardboard castle", "salt dough crafts", "nature scavenger hunt",
                         "sensory bin"],
        },
        "fr": {
            "bio": ["Maman de trois enfants, vraie vie de famille. {city}",
                    "Papa blogueur : bambins, couches lavables et jeux sans écran."],
            "post": ["Activité pour jour de pluie : {activity} avec ce qu'on a à la maison.",
                     "Notre routine du matin avec un bambin et un nouveau-né.",
                     "Couches lavables, un an après : ce qu'on a appris.",
                     "Idées de goûters que mes enfants mangent vraiment."],
            "activity": ["château en carton", "pâte à sel", "chasse au trésor nature"],
        },
    },
    "home_diy": {
        "categories": ["home", "diy"],
        "en": {
            "bio": ["Renovating a 1930s house on a budget, one room at a time.",
                    "DIY furniture, upcycling and plants. {city}"],
            "post": ["Upcycled an old {furniture} with chalk paint, before and after.",
                     "Kitchen renovation update: we tiled the backsplash ourselves.",
                     "How to build a {furniture} from reclaimed wood.",
                     "Small balcony garden tour, twenty plants in four square metres.",
                     "Cheap fixes that made our rental feel like home."],
            "furniture": ["dresser", "bookshelf", "coffee table", "headboard"],
        },
        "fr": {
            "bio": ["Rénovation d'une maison des années 30, pièce par pièce.",
                    "Meubles DIY, récup et plantes. {city}"],
            "post": ["J'ai relooké une vieille {furniture} à la peinture craie, avant et après.",
                     "Rénovation de la cuisine : on a posé la crédence nous-mêmes.",
                     "Fabriquer une {furniture} en bois de récupération.",
                     "Visite de mon petit balcon potager."],
            "furniture": ["commode", "bibliothèque", "table basse", "tête de lit"],
        },
    },
    "finance": {
        "categories": ["finance", "education"],
        "en": {
            "bio": ["Personal finance made simple: budgets, index funds, no hype.",
                    "Paid off my debt in three years, sharing every step. {city}"],
            "post": ["How I budget {amount} a month with the envelope method.",
                     "Index funds explained in two minutes.",
                     "My no-spend month: what I saved and what was hard.",
                     "Emergency fund first: why and how much.",
                     "Reviewing my {amount} net worth update, all numbers shared."],
            "amount": ["2,000", "3,500", "45,000"],
        },
        "fr": {
            "bio": ["Finances perso simplement : budget, ETF, sans promesse miracle.",
                    "J'ai remboursé mes dettes en trois ans, je partage tout. {city}"],
            "post": ["Comment je gère {amount} euros par mois avec la méthode des enveloppes.",
                     "Les ETF expliqués en deux minutes.",
                     "Mon mois sans dépenses : ce que j'ai économisé.",
                     "L'épargne de précaution d'abord : pourquoi et combien."],
            "amount": ["2 000", "3 500"],
        },
    },
    "pets": {
        "categories": ["pets"],
        "en": {
            "bio": ["Two rescue dogs and a very opinionated cat. {city}",
                    "Positive dog training and adoption stories."],
            "post": ["Training tip: teaching a rescue dog to {trick} with treats.",
                     "Adoption day, one year later. Look at her now!",
                     "Honest review of a {toy} after my dog tried to destroy it.",
                     "Our weekend hike with two dogs and one very tired human."],
            "trick": ["walk on a loose leash", "stay calm at the door", "come back when called"],
            "toy": ["chew toy", "puzzle feeder", "rope toy"],
        },
        "fr": {
            "bio": ["Deux chiens adoptés et un chat très têtu. {city}",
                    "Éducation canine positive et histoires d'adoption."],
            "post": ["Astuce d'éducation : apprendre à un chien adopté à {trick}.",
                     "Un an après l'adoption, regardez-la maintenant !",
                     "Mon avis sur un {toy} après que mon chien a essayé de le détruire."],
            "trick": ["marcher en laisse détendue", "revenir au rappel"],
            "toy": ["jouet à mâcher", "tapis de fouille"],
        },
    },
    "outdoor": {
        "categories": ["outdoor", "travel", "sustainability"],
        "en": {
            "bio": ["Hiking, wild camping and leave-no-trace. {city}",
                    "Climbing and mountain trips, gear that lasts."],
            "post": ["Two nights wild camping in {place}, full gear list.",
                     "Leave no trace: what I pack out after every trip.",
                     "Repairing my ten-year-old {gear} instead of replacing it.",
                     "First multi-pitch climb of the season in {place}."],
            "place": ["the Highlands", "the Pyrenees", "Snowdonia", "the Rockies"],
            "gear": ["rain jacket", "tent", "sleeping bag", "hiking boots"],
        },
        "fr": {
            "bio": ["Randonnée, bivouac et respect de la nature. {city}",
                    "Escalade et montagne, du matériel qui dure."],
            "post": ["Deux nuits en bivouac dans {place}, liste de matériel complète.",
                     "Je répare ma {gear} de dix ans au lieu de la remplacer.",
                     "Première grande voie de la saison dans {place}."],
            "place": ["les Pyrénées", "le Vercors", "les Écrins", "le Jura"],
            "gear": ["veste de pluie", "tente", "chaussure de rando"],
        },
    },
}

CITIES = {"en": [("London", "GB"), ("Manchester", "GB"), ("New York", "US"), ("Austin", "US"),
                 ("Toronto", "CA"), ("Melbourne", "AU"), ("Dublin", "IE"), ("Portland", "US")],
          "fr": [("Paris", "FR"), ("Lyon", "FR"), ("Nantes", "FR"), ("Bordeaux", "FR"),
                 ("Marseille", "FR"), ("Bruxelles", "BE"), ("Montréal", "CA"), ("Genève", "CH")]}
FIRST = {"en": ["emma", "liam", "olivia", "noah", "ava", "jack", "mia", "leo", "ruby", "sam",
                "zoe", "ben", "chloe", "max", "isla", "theo"],
         "fr": ["lea", "hugo", "chloe", "louis", "manon", "jules", "camille", "arthur", "ines",
                "paul", "lou", "nathan", "jade", "gabriel", "alice", "tom"]}
PLATFORMS = ["instagram", "instagram", "instagram", "tiktok", "tiktok", "youtube", "x",
             "pinterest", "twitch"]
SPONSOR = {"en": " #ad Use my code {code} for 15% off.", "fr": " #sponsorisé Code {code} -15%."}
STUFFER_BIO = {"en": "Zero waste, sustainable, ethical, eco-friendly, honest, local, organic, "
                     "plastic-free, vegan, slow fashion, clean beauty.",
               "fr": "Zéro déchet, durable, éthique, écolo, local, bio, sans plastique, vegan, "
                     "slow fashion, beauté clean."}
# campaign hashtags a niche's creators adopt (evaluation collection: exact words to search for)
HASHTAGS = {
    "zero_waste_beauty": {"en": ["#plasticfreejuly", "#refillnotlandfill"],
                          "fr": ["#salledebainzerodechet", "#cosmetiquemaison"]},
    "luxury_beauty": {"en": ["#makeupaddict", "#beautyhaul"],
                      "fr": ["#makeupaddict", "#nouveautebeaute"]},
    "thrift_fashion": {"en": ["#secondhandseptember", "#lovedclothes"],
                       "fr": ["#septembresecondemain", "#modecirculaire"]},
    "haul_fashion": {"en": ["#tryonhaul", "#ootd"], "fr": ["#haulmode", "#ootd"]},
    "fitness": {"en": ["#runstreak", "#marathontraining"],
                "fr": ["#runningaddict", "#prepamarathon"]},
    "vegan_food": {"en": ["#veganuary", "#mealprepsunday"], "fr": ["#veganuary", "#antigaspi"]},
    "travel": {"en": ["#slowtravel", "#interrail"], "fr": ["#voyagerautrement", "#interrail"]},
    "tech": {"en": ["#righttorepair", "#desksetup"], "fr": ["#droitalareparation", "#setupbureau"]},
    "gaming": {"en": ["#cozygames", "#indiedev"], "fr": ["#jeuxcosy", "#indiedev"]},
    "parenting": {"en": ["#clothnappies", "#screenfreeplay"],
                  "fr": ["#couchelavable", "#sansecran"]},
    "home_diy": {"en": ["#upcycling", "#rentalhacks"], "fr": ["#recup", "#diydeco"]},
    "finance": {"en": ["#nospendmonth", "#debtfree"],
                "fr": ["#moissansdepense", "#independancefinanciere"]},
    "pets": {"en": ["#adoptdontshop", "#rescuedog"], "fr": ["#adopteznachetezpas", "#chienadopte"]},
    "outdoor": {"en": ["#leavenotrace", "#wildcamping"], "fr": ["#bivouac", "#randonnee"]},
}
# follower ranges per tier (log-uniform inside) and the share of creators in each
TIER_RANGES = {"nano": (120, 999), "micro": (1_000, 100_000), "macro": (100_001, 3_000_000)}
TIER_SHARE = [("nano", 0.3), ("micro", 0.45), ("macro", 0.25)]
EXPECTED_ER = {"nano": 0.06, "micro": 0.035, "macro": 0.015}


def fill(template: str, bank: dict, rng: random.Random, city: str) -> str:
    out = template.replace("{city}", city)
    for key, values in bank.items():
        if isinstance(values, list) and key not in ("bio", "post"):
            out = out.replace("{" + key + "}", rng.choice(values))
    return out


def _pick_tier(rng: random.Random, shares: list[tuple[str, float]] = TIER_SHARE) -> str:
    x, acc = rng.random(), 0.0
    for name, share in shares:
        acc += share
        if x < acc:
            return name
    return "macro"


def creator(i: int, rng: random.Random, kind: str = "genuine") -> dict:
    """One synthetic creator. kind: genuine, inflated, saturated or stuffer."""
    return creator_with_truth(i, rng, kind)[0]


def creator_with_truth(i: int, rng: random.Random, kind: str = "genuine", *,
                       fr_share: float = 0.4, tier_share: list[tuple[str, float]] = TIER_SHARE,
                       hashtags: float = 0.0) -> tuple[dict, dict]:
    """(record, truth): the truth is what the record hides from the ranker - the niche its posts
    really come from, the kind, the real follower count and the hashtag it adopted. With
    hashtags > 0, that share of creators (stuffers excepted) adopt one of their niche's
    campaign hashtags in one to three posts."""
    niches = list(BANKS)
    niche = niches[i % len(niches)]
    lang = "fr" if rng.random() < fr_share else "en"
    bank = BANKS[niche][lang]
    city, country = rng.choice(CITIES[lang])
    tier = _pick_tier(rng, tier_share)
    lo, hi = TIER_RANGES[tier]
    real_followers = int(math.exp(rng.uniform(math.log(lo), math.log(hi))))
    followers = real_followers
    if kind == "inflated":  # bought followers: the audience that engages is the real one
        followers = min(real_followers * rng.randint(25, 60), 5_000_000)
    platform = rng.choice(PLATFORMS)
    name = rng.choice(FIRST[lang])
    handle = f"@{name}.{niche.split('_')[0]}{i}"
    base_er = EXPECTED_ER[tier] * math.exp(rng.gauss(0.1, 0.35))
    n_posts = rng.randint(6, 12)
    sponsored_share = rng.uniform(0.7, 0.95) if kind == "saturated" else rng.uniform(0.0, 0.2)
    start = datetime(2026, 3, 1, tzinfo=timezone.utc)
    posts: list[dict[str, Any]] = []
    stuffer_bank = BANKS[niches[(i + 7) % len(niches)]][lang]
    sponsored_posts = set(rng.sample(range(n_posts), round(sponsored_share * n_posts)))
    for j in range(n_posts):
        src = stuffer_bank if kind == "stuffer" else bank
        text = fill(rng.choice(src["post"]), src, rng, city)
        sponsored = j in sponsored_posts
        if sponsored:
            text += SPONSOR[lang].format(code=f"{name.upper()}{rng.randint(10, 99)}")
        er = base_er * math.exp(rng.gauss(0, 0.3)) * (0.6 if sponsored else 1.0)
        interactions = max(1, int(real_followers * er))
        comment_share = rng.uniform(0.03, 0.08) if kind != "inflated" else rng.uniform(0.0, 0.003)
        comments = int(interactions * comment_share)
        shares = int(interactions * rng.uniform(0.0, 0.05))
        likes = max(0, interactions - comments - shares)
        views = int(real_followers * rng.uniform(0.3, 2.5)) if platform in ("tiktok", "youtube",
                                                                             "twitch") else None
        posted = start + timedelta(days=j * rng.randint(3, 9), hours=rng.randint(7, 21))
        posts.append({"id": f"p{j + 1}", "text": text, "likes": likes, "comments": comments,
                      "shares": shares, "views": views, "sponsored": sponsored,
                      "posted_at": posted.strftime("%Y-%m-%dT%H:%M:%SZ")})
    bio = STUFFER_BIO[lang] if kind == "stuffer" else fill(rng.choice(bank["bio"]), bank, rng,
                                                             city)
    tag = None
    if hashtags > 0 and kind != "stuffer" and rng.random() < hashtags:
        tag = rng.choice(HASHTAGS[niche][lang])
        for j in rng.sample(range(n_posts), rng.randint(1, 3)):
            posts[j]["text"] += f" {tag}"
    record = {"id": f"{platform[:2]}_{name}_{i:06d}", "handle": handle, "platform": platform,
              "followers": followers, "country": country, "language": lang,
              "categories": list(BANKS[niche]["categories"]), "bio": bio, "posts": posts}
    truth = {"id": record["id"], "niche": niche,
             "post_niche": niches[(i + 7) % len(niches)] if kind == "stuffer" else niche,
             "kind": kind, "language": lang, "real_followers": real_followers, "hashtag": tag}
    return record, truth


def generate_labelled(n: int, seed: int = 7,
                      anomalies: float = 0.04) -> Iterator[tuple[str, dict]]:
    """(kind, record) pairs; a share `anomalies` each of inflated and saturated creators and
    half that of keyword stuffers, the rest genuine."""
    for record, truth in generate_with_truth(n, seed, anomalies):
        yield truth["kind"], record


def generate_with_truth(n: int, seed: int = 7, anomalies: float = 0.04,
                        **options) -> Iterator[tuple[dict, dict]]:
    """(record, truth) pairs, as generate_labelled; options go to creator_with_truth."""
    rng = random.Random(seed)
    for i in range(n):
        x = rng.random()
        kind = ("inflated" if x < anomalies else "saturated" if x < 2 * anomalies
                else "stuffer" if x < 2.5 * anomalies else "genuine")
        yield creator_with_truth(i, rng, kind, **options)


def generate(n: int, seed: int = 7, anomalies: float = 0.04) -> Iterator[dict]:
    """n creator records in the ingest format."""
    for _, record in generate_labelled(n, seed, anomalies):
        yield record


def write_jsonl(path: str | Path, n: int, seed: int = 7) -> Path:
    path = Path(path)
    with open(path, "w", encoding="utf-8") as fh:
        for rec in generate(n, seed):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m benchmarks.datagen",
                                description="Write N synthetic creators as JSONL.")
    p.add_argument("out", help="output .jsonl path")
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    write_jsonl(args.out, args.n, args.seed)
    print(f"wrote {args.n} creators to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
