"""The third labelled set ("written"): captions written one by one, not phrase banks, to check
that what the first two sets taught holds on texts shaped like real feeds.

What differs from the stances set (benchmarks/evalset2.py), whose every stance has six captions:
* 10 to 14 distinct captions a stance and language (benchmarks/evalset3_texts.py), each
  written as a creator writes, the stance often implied ("the bus took 11 hours but look at that
  valley") rather than named;
* a creator's stance shows in two to five of its posts only; the rest are posts of its niche
  that carry neither stance (a packing list, a knife skill) and posts of ordinary life;
* niches of other kinds (personal finance, outdoor, books, skincare, parenting) beside shared
  ones, five of ten with French creators;
* briefs written by hand: values as a sentence, a list, with or without what the brand rejects,
  and two briefs whose stance is in the brief alone (no values statement).

Judged by data/eval3/JUDGING.md (the rule code of the first two sets), written before this set
was first ranked.

    python -m benchmarks.evalset3 [DIR]      (default: the packaged set, in place)
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from .build_evalset import write_set
from .evalset2 import TIER_FOLLOWERS, engagement_rate, post_record
from .evalset3_texts import LIFE, NICHES

OUT = Path(__file__).resolve().parents[1] / "recommender" / "data" / "eval3"
SEED = 3031
NAMES = ["ines", "kofi", "jade", "ravi", "lou", "finn", "aya", "marc", "elsa", "tom", "mei",
         "jules", "ada", "nils", "rosa", "sami"]

# (id, language, brief, values or None, objective, niche, stance, filtered on the language)
BRIEFS: list[tuple[str, str, str, str | list[str] | None, str, str, str, bool]] = [
    ("b3-skin-minimal-en", "en", "We're launching a refillable moisturiser and want people who "
     "genuinely use very few products", "doing less for your skin, refills over new packaging, "
     "finishing what you buy", "ugc", "skincare", "minimal", False),
    ("b3-soin-haul-fr", "fr", "Lancement de notre coffret édition limitée de 12 soins",
     "nouveauté, plaisir, collection", "awareness", "skincare", "haul", True),
    ("b3-fit-balance-en", "en", "Fitness app for people who hate the gym: short home "
     "sessions", "rest, enjoyment, every body welcome, no pressure", "engagement", "fitness",
     "balance", False),
    ("b3-cuisine-saison-fr", "fr", "Épicerie de producteurs locaux : campagne de printemps",
     "de saison, local, zéro gaspillage, fait maison", "ugc", "food", "seasonal", False),
    ("b3-fit-extreme-en", "en", "Pre-workout and fat burner brand, summer shred campaign",
     "discipline, intensity, results", "conversion", "fitness", "extreme", True),
    ("b3-cuisine-fastfood-fr", "fr", "Chaîne de burgers : lancement du menu XXL",
     "gourmandise, défis, plaisir sans limite", "engagement", "food", "fastfood", True),
    ("b3-food-seasonal-en", "en", "Spring campaign for our organic veg box delivery",
     "seasonal and local, cooking from scratch, no food waste", "engagement", "food",
     "seasonal", False),
    ("b3-voyage-luxe-fr", "fr", "Hôtel cinq étoiles aux Maldives : réouverture, on cherche "
     "des voyageurs", "luxe, exclusivité, expériences d'exception", "awareness", "travel",
     "luxury", False),
    ("b3-travel-slow-en", "en", "Rail pass for Europe this summer: looking for people who "
     "actually travel by train", "take your time, stay longer, fly less", "conversion",
     "travel", "slow", False),
    ("b3-parents-simple-fr", "fr", "Marque de jouets en bois d'occasion", "moins d'écrans, jeu "
     "libre dehors, seconde main", "engagement", "parenting", "simple", True),
    ("b3-tech-repair-en", "en", "Refurbished laptops marketplace", ["repair",
     "making devices last", "less e-waste"], "engagement", "tech", "repair", False),
    ("b3-maison-chine-fr", "fr", "Plateforme de meubles d'occasion, on cherche des passionnés "
     "de déco", "chiner, réparer, donner une seconde vie aux meubles, pas de meubles jetables",
     "conversion", "home", "thrift", False),
    ("b3-tech-upgrade-en", "en", "Launch of our new flagship phone, we need big tech voices "
     "for launch day", "first to have the newest tech, premium", "awareness", "tech", "upgrade",
     True),
    ("b3-parent-gadget-en", "en", "Smart baby monitor launch", "the latest tech for parents, "
     "convenience", "conversion", "parenting", "gadget", False),
    ("b3-home-haul-en", "en", "Affordable homeware chain: spring collection drop", "fresh "
     "trends every season, refresh your home", "awareness", "home", "haul", False),
    ("b3-finance-frugal-en", "en", "Low-cost index fund app for first-time investors",
     "patience and low fees, no get-rich-quick schemes, no crypto hype", "engagement",
     "finance", "frugal", False),
    ("b3-outdoor-quiet-en", "en", "Outdoor gear repair service, spring campaign", None, "ugc",
     "outdoor", "quiet", False),
    ("b3-books-borrow-en", "en", "Public libraries' summer reading challenge: we want readers "
     "who borrow, swap and buy secondhand", None, "ugc", "books", "borrow", False),
]


def _languages(niche: str) -> list[str]:
    return sorted(next(iter(NICHES[niche]["stances"].values())))


def _posts(rng: random.Random, niche: str, stance: str, lang: str) -> list[str]:
    """Two to five captions of the stance, one to three of the niche that carry no stance, up
    to two of ordinary life, in a shuffled order."""
    own = NICHES[niche]["stances"][stance][lang]
    neutral = NICHES[niche]["neutral"][lang]
    texts = (rng.sample(own, rng.randint(2, 5)) + rng.sample(neutral, rng.randint(1, 3))
             + rng.sample(LIFE[lang], rng.randint(0, 2)))
    rng.shuffle(texts)
    return texts


def _creator(rng: random.Random, n: int, niche: str, stance: str, lang: str, tier: str,
             kind: str) -> tuple[dict, dict]:
    name = rng.choice(NAMES)
    lo, hi = TIER_FOLLOWERS[tier]
    real = int(rng.uniform(lo, hi))
    followers = real * rng.randint(20, 60) if kind == "inflated" else real
    rate = engagement_rate(rng, tier)
    post_niche, post_stance, post_lang = niche, stance, lang
    if kind == "stuffer":  # the niche's value words in the bio, posts of another niche
        post_niche = rng.choice([x for x in NICHES if x != niche and lang in _languages(x)])
        post_stance = rng.choice(list(NICHES[post_niche]["stances"]))
    posts = []
    texts = _posts(rng, post_niche, post_stance, post_lang)
    # a saturated creator: at least four posts in five paid (a share drawn per post could
    # leave two of four, which no planner would call saturated)
    paid = set(rng.sample(range(len(texts)), -(-4 * len(texts) // 5))) \
        if kind == "saturated" else set()
    for i, text in enumerate(texts):
        sponsored = i in paid or rng.random() < 0.05
        if sponsored:
            text += " #ad" if lang == "en" else " #sponsorisé"
        posts.append(post_record(rng, i, text, real, rate, sponsored))
    bios = NICHES[niche]["bios"][stance][lang]
    # a stuffer's bio piles up the niche's stance words: its bios and two of its captions
    bio = (" | ".join(bios + rng.sample(NICHES[niche]["stances"][stance][lang], 2))
           if kind == "stuffer" else rng.choice(bios))
    cid = f"s3_{name}_{n:04d}"
    record = {"id": cid, "handle": f"@{name}.{niche}{n}",
              "platform": rng.choice(["instagram", "tiktok", "youtube"]),
              "followers": followers,
              "country": "FR" if lang == "fr" else rng.choice(["US", "GB", "IE", "AU"]),
              "language": lang, "categories": NICHES[niche]["categories"], "bio": bio,
              "posts": posts}
    truth = {"id": cid, "niche": niche, "post_niche": f"{post_niche}:{post_stance}",
             "kind": kind, "language": lang, "real_followers": real}
    return record, truth


def generate(seed: int = SEED) -> list[tuple[dict, dict]]:
    """Per niche and stance: three genuine creators a tier in English, two in French where the
    niche has French captions, and one trap of each kind."""
    rng = random.Random(seed)
    out: list[tuple[dict, dict]] = []
    for niche, spec in NICHES.items():
        langs = _languages(niche)
        for stance in spec["stances"]:
            for lang in langs:
                for tier in ("nano", "micro", "macro"):
                    for _ in range(3 if lang == "en" else 2):
                        out.append(_creator(rng, len(out), niche, stance, lang, tier,
                                            "genuine"))
            for kind in ("inflated", "saturated", "stuffer"):
                tier = rng.choice(["nano", "micro"] if kind == "inflated"
                                  else ["nano", "micro", "macro"])
                out.append(_creator(rng, len(out), niche, stance, rng.choice(langs), tier,
                                    kind))
    return out


def briefs() -> list[dict]:
    """The briefs, alternately dev and test, with their judging keys."""
    out = []
    for i, (bid, lang, text, values, objective, niche, stance, filtered) in enumerate(BRIEFS):
        other = [s for s in NICHES[niche]["stances"] if s != stance]
        brief: dict = {"id": bid, "split": "dev" if i % 2 == 0 else "test", "language": lang,
                       "brief": text}
        if values is not None:
            brief["values"] = values
        brief.update({"objective": objective,
                      "filters": {"languages": [lang] if filtered else None},
                      "judging": {"niches": [f"{niche}:{stance}"],
                                  "opposed": [f"{niche}:{s}" for s in other],
                                  "languages": [lang] if filtered else ["en", "fr"]}})
        out.append(brief)
    return out


def build(out: str | Path = OUT) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    bs = briefs()
    (out / "briefs.json").write_text(json.dumps(bs, indent=1, ensure_ascii=False) + "\n",
                                     "utf-8")
    write_set(out, bs, generate())
    return out


if __name__ == "__main__":
    import sys

    print(build(sys.argv[1] if len(sys.argv) > 1 else OUT))
