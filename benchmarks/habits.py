"""What a planner writes besides the subject, and what it does to a match.

Each habit rewrites every brief of the three labelled sets the same way, in English or French
after the brief's language: a phrase after the brief ("… Discount code GREEN20: 20% off the
first order."), before it ("Oak & Ash: …"), the values statement written into the brief
("… Our values: V."), the statement rewritten ("We believe in V, and …"), or the French typed
without accents. Each set is then answered as `creator-match eval` answers it
(`evaluation.systems.as_asked`) and scored by its own judgments: test nDCG@10 (all, English,
French), wrong stance and off-niche shares of the top-10 slots, dev nDCG@10, beside the sets
as written. The tables in benchmarks/README.md ("Relevance") were measured this way.

    python -m benchmarks.habits [--habits NAME,...] [--index-dir DIR] [--model NAME]
                                [--out DIR]

--index-dir keeps the three sets' indexes between runs (built on first use); --model is any
encoder `creator-match ingest --model` takes (default: the index default).
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recommender.evaluation import dataset
from recommender.evaluation.metrics import Scorer
from recommender.evaluation.systems import as_asked, to_brief
from recommender.service import Recommender

SETS = {"generator": dataset.PACKAGED, "stances": dataset.PACKAGED_STANCES,
        "feeds": dataset.PACKAGED_FEEDS}


@dataclass(frozen=True)
class Habit:
    """How a planner's habit rewrites a brief: where ("after" the brief, "before" it,
    "into": the statement written into the brief, "values": the statement rewritten,
    "rejects": the set's rejection after the brief, "avoid": what the set's rejection names,
    asked to be avoided in a sentence of its own, "plain": no accents), and its English and
    French text ({x}: the brief, {v}: the values statement, {r}: what the rejection names)."""

    where: str
    en: str = ""
    fr: str = ""


HABITS: dict[str, Habit] = {
    "as written": Habit("none"),
    # the values written into the brief (2026-11-30, late)
    "our values": Habit("into", "{x}. Our values: {v}.", "{x}. Nos valeurs : {v}."),
    "we stand for": Habit("into", "{x}. We stand for {v}.", "{x}. Nous défendons {v}."),
    "values without framing": Habit("into", "{x}. {V}.", "{x}. {V}."),
    # what a brief rejects
    "the set's rejection": Habit("rejects"),
    # the market, the audience size, the form's fields
    "the market": Habit("after", "{x}; for the UK market, UK-based creators.",
                        "{x}; pour le marché français, créateurs basés en France."),
    "the audience size": Habit("after", "{x}. Creators with 10k-50k followers.",
                               "{x}. Créateurs entre 10 000 et 50 000 abonnés."),
    "a field name": Habit("before", "Product: {x}", "Produit : {x}"),
    # the audience's ages (2026-11-30, night)
    "the audience's ages": Habit("after", "{x}. Target audience: aged 25-35.",
                                 "{x}. Cible : 25-35 ans."),
    "the audience": Habit("after", "{x}. Target audience: women 25-35, urban.",
                          "{x}. Cible : femmes 25-35 ans, urbaines."),
    "ages for": Habit("after", "{x}, for 25-34 year olds.", "{x}, pour les 25-34 ans."),
    # French typed without accents
    "no accents": Habit("plain"),
    # the promotion and the tone of the post
    "a discount code": Habit("after", "{x}. Discount code GREEN20: 20% off the first order.",
                             "{x}. Code promo VERT20 : -20 % sur la première commande."),
    "a call to action": Habit("after", "{x}. CTA: link in bio, promo code GREEN20.",
                              "{x}. Call to action : lien en bio, code promo VERT20."),
    "a tone": Habit("after", "{x}. Tone: warm, funny, authentic.",
                    "{x}. Ton : chaleureux, drôle, authentique."),
    "mandatories": Habit("after", "{x}. Mandatories: use #ad and tag @brand.",
                         "{x}. Obligatoire : mentionner #partenariat et taguer @marque."),
    "a key message": Habit("after", "{x}. Key message: free returns and 10% off your first box.",
                           "{x}. Message clé : retours gratuits et 10 % de remise sur la "
                           "première box."),
    # the platforms and the deliverables
    "deliverables": Habit("after", "{x}. We need 3 Instagram reels and 2 TikTok videos.",
                          "{x}. On a besoin de 3 reels Instagram et 2 vidéos TikTok."),
    "platforms": Habit("after", "{x}, on Instagram and TikTok.", "{x}, sur Instagram et TikTok."),
    # where the brand is online
    "an address": Habit("after", "{x}. More at https://www.oakandash.com/refill",
                        "{x}. Plus d'infos : https://www.maison-lumiere.fr/campagne"),
    "a site and handle": Habit("after", "{x} (site: oakandash.com, IG @oakandash)",
                               "{x} (site : maison-lumiere.fr, insta @maisonlumiere)"),
    # authentic creators, an engaged community
    "authentic creators": Habit("after", "{x}. We want authentic creators with an engaged "
                                "community.", "{x}. On veut des créateurs authentiques avec une "
                                "communauté engagée."),
    "creators who live it": Habit("values", "We believe in {v}, and we want creators who live "
                                  "it every day.", "Nous croyons en {v}, et nous voulons des "
                                  "créateurs qui le vivent au quotidien."),
    # measured and left
    "a brand's name": Habit("before", "Oak & Ash: {x}", "Maison Lumière : {x}"),
    "a company's story": Habit("before", "We are a small Bristol-based company founded in 2019 "
                               "by two sisters. {x}", "Nous sommes une jeune entreprise "
                               "lyonnaise fondée en 2019 par deux sœurs. {x}"),
    "a client's name": Habit("before", "Client: Oak & Ash. {x}", "Client : Maison Lumière. {x}"),
    "a founding": Habit("after", "{x}. Founded in 2019 by two sisters.",
                        "{x}. Fondée en 2019 par deux sœurs."),
    "a brand name label": Habit("after", "{x}. Brand name: Verdant Co.",
                                "{x}. Nom de la marque : Verdure & Co."),
    "an advertiser": Habit("before", "Advertiser: Northwind Outfitters — {x}",
                           "Annonceur : Atelier Sauvage — {x}"),
    "since a year": Habit("after", "{x}, a family business since 1987.",
                          "{x}, une affaire familiale depuis 1987."),
    "a season": Habit("after", "{x}, for our Christmas campaign.",
                      "{x}, pour notre campagne de Noël."),
    # when the campaign runs (2026-12-01): the last three written before the rule, to test it
    "a go-live date": Habit("after", "{x}. Campaign goes live mid-October and runs for six "
                            "weeks.", "{x}. La campagne démarre mi-octobre, pour six semaines."),
    "a holiday's dates": Habit("after", "{x} — timed for Valentine's Day (posts between 7 and "
                               "14 February).", "{x} — calée sur la Saint-Valentin (posts entre "
                               "le 7 et le 14 février)."),
    "a season's activation": Habit("before", "Summer 2027 activation: {x}",
                                   "Activation été 2027 : {x}"),
    # two more, written after the rule's second version
    "around a holiday": Habit("after", "{x}, to go out around Easter, ideally the week before.",
                              "{x}, à publier autour de Pâques, idéalement la semaine d'avant."),
    "a holiday weekend": Habit("after", "{x} (Black Friday to Cyber Monday)",
                               "{x} (du Black Friday au Cyber Monday)"),
    # urgency and a question (2026-12-01): the second of each written before the rule
    "urgency": Habit("before", "URGENT: {x} Please reply by Friday!",
                     "URGENT — {x} Réponse avant vendredi svp !"),
    "names by a day": Habit("after", "{x}. Need names ASAP, ideally by Wednesday.",
                            "{x}. Besoin de noms au plus vite, idéalement d'ici mercredi."),
    "a question": Habit("before", "Which creators would fit this? {x}",
                        "Quels créateurs conviendraient ? {x}"),
    "asked to suggest": Habit("before", "Could you suggest a few creators? {x}",
                              "Pouvez-vous nous proposer quelques créateurs ? {x}"),
    # a values statement told as the brand's story (2026-12-01)
    "values as a story": Habit("values", "We're a brand that has always believed in {v}. It's "
                               "who we are and what our customers love about us.",
                               "Depuis nos débuts, nous défendons {v}. C'est ce qui nous "
                               "rassemble avec notre communauté."),
    "values that guide us": Habit("values", "{v} — these are the values that guide everything "
                                  "we do.", "{v} : ce sont les valeurs qui guident tout ce que "
                                  "nous faisons."),
    # two more, written before the rule
    "values at our core": Habit("values", "At our core, we've always stood for {v}. That's "
                                "what makes us different.", "Au cœur de notre marque : {v}. "
                                "Voilà ce qui nous distingue."),
    "values that drive us": Habit("values", "{V}. This is what drives our team every single "
                                  "day.", "{V}. C'est notre ADN depuis toujours."),
    # two written after the rule, and left as they score
    "values as a promise": Habit("values", "Honesty matters to us: {v}. That is the promise we "
                                 "make to every customer.", "Ce qui nous anime : {v}. C'est la "
                                 "promesse que nous faisons à chaque client."),
    "values as the reason": Habit("values", "Everything we make is guided by {v} — it's the "
                                  "reason we started.", "Tout ce que nous fabriquons repose sur "
                                  "{v} — c'est la raison pour laquelle nous avons commencé."),
    # a statement's opening in the brand's own words (2026-12-01), written before its rule
    "what drives us": Habit("values", "What drives us: {v}.", "Notre moteur : {v}."),
    "a range built on": Habit("values", "Our whole range is built on {v}.",
                              "Toute notre gamme est fondée sur {v}."),
    "products shaped by": Habit("values", "Our products are shaped by {v}.",
                                "Nos produits sont pensés autour de {v}."),
    # (2026-12-01, later) written after the participle rule that reads the row above, to
    # test it: a participle the rule does not list in French
    "designs informed by": Habit("values", "Our designs are informed by {v}.",
                                 "Nos créations sont influencées par {v}."),
    # (2026-12-01, later) a framing after the values: the first written with its rule, the
    # second after it, before it was measured
    "values at the heart": Habit("values", "{V} are at the heart of everything we do.",
                                 "{V} sont au cœur de tout ce que nous faisons."),
    "it comes down to": Habit("values", "For us, it all comes down to {v}.",
                              "Pour nous, tout se résume à {v}."),
    # the values as a list of their own, without a word that frames them (2026-12-01): the
    # two below were written before the rule
    "values on their own line": Habit("into", "{x}\n{V}", "{x}\n{V}"),
    "values after a dash": Habit("into", "{x} — {v}", "{x} — {v}"),
    "an avoid sentence": Habit("avoid", "{x}. Please avoid creators who post about {r}.",
                               "{x}. Éviter les créateurs qui parlent de {r}."),
    "how many creators": Habit("before", "Looking for 3 to 5 micro creators (10k-50k) in the "
                               "UK: {x}", "On cherche une dizaine de micro-créatrices "
                               "(10k-50k) en France : {x}"),
    "a budget in words": Habit("after", "{x}. Budget ~£3k, Instagram Reels preferred.",
                               "{x}. Budget d'environ 3 000 €, Instagram en priorité."),
    "hashtags": Habit("after", "{x} #zerowaste #sustainableliving",
                      "{x} #zerodechet #consommerautrement"),
}


# the words a set's rejection starts its parts with ("no fast fashion", "pas de friperie", "we
# never push the newest flagship phone")
_REJECTING = re.compile(r"^\s*(?:we\s+never\s+\w+|never|no|pas\s+de|pas\s+d['’]|jamais\s+de)\s+",
                        re.IGNORECASE)


def _without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def rewrite(brief: dict, habit: Habit) -> dict:
    """The brief as the habit writes it (a copy); a habit that needs a values statement or a
    rejection leaves a brief without one as it is."""
    b = dict(brief)
    values = b.get("values")
    values = ", ".join(values) if isinstance(values, list) else values
    x = b["brief"].rstrip(". ")
    text = habit.fr if b.get("language") == "fr" else habit.en
    if habit.where in ("after", "before"):
        b["brief"] = text.format(x=x if habit.where == "after" else b["brief"])
    elif habit.where == "into" and values:
        b["brief"] = text.format(x=x, v=values, V=values[:1].upper() + values[1:])
        b["values"] = None
    elif habit.where == "values" and values:
        b["values"] = text.format(v=values, V=values[:1].upper() + values[1:])
    elif habit.where == "rejects" and b.get("rejects"):
        b["brief"] = f"{x}, {b['rejects']}"
    elif habit.where == "avoid" and b.get("rejects"):
        named = [_REJECTING.sub("", part).strip() for part in b["rejects"].split(",")]
        joined = (" ou " if b.get("language") == "fr" else " or ").join(n for n in named if n)
        b["brief"] = text.format(x=x, r=joined)
    elif habit.where == "plain":  # French above all; an English "café" too
        b["brief"] = _without_accents(b["brief"])
        b["values"] = _without_accents(values) if values else values
    return b


def _index(name: str, es: dataset.EvalSet, where: Path, model: str | None) -> Recommender:
    path = where / name
    fresh = not path.exists()
    rec = Recommender(path, create=fresh, model=model)
    if fresh:
        rec.ingest([es.creators])
    return rec


def score(rec: Recommender, es: dataset.EvalSet, habit: Habit) -> dict[str, dict]:
    """{split: {ndcg, ndcg_en, ndcg_fr, wrong_stance, off_niche}} of one set under a habit."""
    out: dict[str, dict] = {}
    for split in ("dev", "test"):
        briefs = es.split(split)
        if not briefs:
            continue
        per = Scorer(es, briefs).per_brief(
            {b["id"]: as_asked(rec, to_brief(rewrite(b, habit))) for b in briefs})
        language = {b["id"]: b["language"] for b in briefs}

        def mean(values: list) -> float | None:
            kept = [v for v in values if v is not None]
            return float(np.mean(kept)) if kept else None  # rounded only when printed

        out[split] = {
            "ndcg": mean([m["ndcg@10"] for m in per.values()]),
            "ndcg_en": mean([m["ndcg@10"] for q, m in per.items() if language[q] == "en"]),
            "ndcg_fr": mean([m["ndcg@10"] for q, m in per.items() if language[q] == "fr"]),
            "wrong_stance": mean([m.get("wrong_stance@10") for m in per.values()]),
            "off_niche": mean([m.get("off_niche@10") for m in per.values()]),
        }
    return out


def run(names: list[str], index_dir: Path, model: str | None = None,
        sets: dict[str, Path] = SETS,
        progress: Callable[[str], None] = lambda line: None) -> dict[str, dict]:
    """{habit: {set: score()}} for the named habits over the sets."""
    results: dict[str, dict] = {name: {} for name in names}
    for set_name, path in sets.items():
        es = dataset.load(path)
        rec = _index(set_name, es, index_dir, model)
        try:
            for name in names:
                results[name][set_name] = score(rec, es, HABITS[name])
                progress(f"{name}: {set_name} {_cell(results[name][set_name])}")
        finally:
            rec.close()
    return results


def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _cell(r: dict) -> str:
    t, d = r.get("test", {}), r.get("dev", {})
    return (f"{_f(t.get('ndcg'))} ({_f(t.get('ndcg_en'))} / {_f(t.get('ndcg_fr'))}) "
            f"\\| {_f(d.get('ndcg'))}")


def report(results: dict[str, dict], sets: list[str]) -> str:
    lines = ["# What a planner writes besides the subject", "",
             "Test nDCG@10 all (English / French) \\| dev nDCG@10, per set; each brief "
             "rewritten by the habit (benchmarks/habits.py).", "",
             "| habit | English | French | " + " | ".join(sets) + " |",
             "|---|---|---|" + "---|" * len(sets)]
    for name, by_set in results.items():
        h = HABITS[name]
        en, fr = ((t or h.where).replace("\n", "⏎") for t in (h.en, h.fr))  # one table row
        lines.append(f"| {name} | {en} | {fr} | "
                     + " | ".join(_cell(by_set[s]) for s in sets) + " |")
    return "\n".join(lines) + "\n"


def _names(text: str) -> list[str]:
    """The habits named in a comma-separated list (no habit's name holds a comma)."""
    import argparse

    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in HABITS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown habit(s) {', '.join(map(repr, unknown))}; known: {', '.join(HABITS)}"
            if unknown else "no habit given")
    return names


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m benchmarks.habits",
                                description=__doc__.splitlines()[0])
    p.add_argument("--habits", type=_names, default=list(HABITS),
                   help="comma-separated habit names (default: all)")
    p.add_argument("--index-dir", type=Path, help="keep the sets' indexes here between runs")
    p.add_argument("--model", help="encoder name or path (default: the index default)")
    p.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = p.parse_args(argv)
    names = args.habits if "as written" in args.habits else ["as written", *args.habits]
    with tempfile.TemporaryDirectory() as tmp:
        where = args.index_dir or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        results = run(names, where, args.model,
                      progress=lambda line: print(line, file=sys.stderr, flush=True))
    stamp = time.strftime("%Y%m%dT%H%M%S")
    args.out.mkdir(parents=True, exist_ok=True)
    text = report(results, list(SETS))
    (args.out / f"habits-{stamp}.md").write_text(text, encoding="utf-8")
    (args.out / f"habits-{stamp}.json").write_text(json.dumps(
        {"habits": {n: {"where": HABITS[n].where, "en": HABITS[n].en, "fr": HABITS[n].fr,
                        "sets": results[n]} for n in names}}, indent=1), encoding="utf-8")
    print(text)
    print(f"wrote {args.out / f'habits-{stamp}.md'} and .json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
