"""The labelled evaluation set: a creator collection in the ingest format, briefs in English and
French split into dev and test, and graded judgments (data/eval/JUDGING.md).

The packaged set is generated (deterministically, so anyone can rebuild and review it) and then
judged by written rules (judging.py); `python -m benchmarks.build_evalset DIR` rebuilds it. A set
of your own is a directory with the same three files: creators.jsonl, briefs.json, qrels.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PACKAGED = Path(__file__).resolve().parents[1] / "data" / "eval"  # "generator": the first set
# "stances": the second, from an independent generator (benchmarks/evalset2.py)
PACKAGED_STANCES = Path(__file__).resolve().parents[1] / "data" / "eval2"
# "feeds": the third, captions written one by one as feeds are (benchmarks/evalset3.py)
PACKAGED_FEEDS = Path(__file__).resolve().parents[1] / "data" / "eval3"
PACKAGED_SETS = (PACKAGED, PACKAGED_STANCES, PACKAGED_FEEDS)


@dataclass
class EvalSet:
    path: Path
    briefs: list[dict]
    qrels: dict[str, dict[str, int]]
    truth: dict[str, dict]  # creator id -> generator truth (empty for a set without one)

    @property
    def creators(self) -> Path:
        return self.path / "creators.jsonl"

    def split(self, name: str | None) -> list[dict]:
        return [b for b in self.briefs if name in (None, "all") or b.get("split") == name]


def load(path: str | Path | None = None) -> EvalSet:
    """The evaluation set in a directory (default: the packaged one), checked for consistency."""
    p = Path(path) if path else PACKAGED
    for name in ("creators.jsonl", "briefs.json", "qrels.json"):
        if not (p / name).is_file():
            raise FileNotFoundError(f"{p / name}: missing (an evaluation set needs "
                                    "creators.jsonl, briefs.json and qrels.json)")
    briefs = json.loads((p / "briefs.json").read_text(encoding="utf-8"))
    qrels = json.loads((p / "qrels.json").read_text(encoding="utf-8"))
    for i, b in enumerate(briefs):
        for key in ("id", "brief", "language"):
            if key not in b:
                raise ValueError(f"{p / 'briefs.json'}: brief {i}: {key}: missing")
        if b["id"] not in qrels:
            raise ValueError(f"{p / 'qrels.json'}: no judgments for brief {b['id']!r}")
    truth: dict[str, dict] = {}
    if (p / "truth.jsonl").is_file():
        with open(p / "truth.jsonl", encoding="utf-8") as fh:
            for line in fh:
                t = json.loads(line)
                truth[t["id"]] = t
    return EvalSet(p, briefs, qrels, truth)


def thinned(es: EvalSet, fraction: float, seed: int, into: Path) -> EvalSet:
    """The set with a seeded share of its creators (judgments and truth kept for those only):
    a smaller catalogue, where a brief's niche has few creators in each tier and language, as
    in a small agency's, so that what a ranker puts in the slots its niche cannot fill shows.
    Written under `into` as `<name>-thin<percent>`."""
    import random

    if not 0.0 < fraction < 1.0:
        raise ValueError(f"--thin: {fraction}; a share of the creators, between 0 and 1")
    rng = random.Random(seed)
    out = into / f"{es.path.name}-thin{round(fraction * 100)}"
    out.mkdir(parents=True, exist_ok=True)
    kept: set[str] = set()
    with open(es.creators, encoding="utf-8") as src, \
            open(out / "creators.jsonl", "w", encoding="utf-8") as dst:
        for line in src:
            if line.strip() and rng.random() < fraction:
                kept.add(json.loads(line)["id"])
                dst.write(line if line.endswith("\n") else line + "\n")
    qrels = {b: {c: g for c, g in judged.items() if c in kept}
             for b, judged in es.qrels.items()}
    (out / "qrels.json").write_text(json.dumps(qrels), encoding="utf-8")
    (out / "briefs.json").write_text(json.dumps(es.briefs, ensure_ascii=False),
                                     encoding="utf-8")
    if es.truth:
        (out / "truth.jsonl").write_text("".join(json.dumps(es.truth[c]) + "\n"
                                                 for c in es.truth if c in kept),
                                         encoding="utf-8")
    return load(out)


# What planners and exports add to a set's clean texts (as_written): a request around the brief,
# and the trade's tags in a bio
_REQUESTS = {"en": ("Looking for UGC creators for our brand campaign: {}",
                    "Influencer campaign brief - {}", "We need content creators to promote {}"),
             "fr": ("On cherche des créateurs de contenu pour notre campagne : {}",
                    "Campagne influence pour notre marque - {}",
                    "Recherche influenceurs pour promouvoir {}")}
# ... and the values written into the brief, for half the briefs that have them
_VALUES_WRITTEN = {"en": ("{}. Our values: {}.", "{}. We care about {}.", "{}. We stand for {}."),
                   "fr": ("{}. Nos valeurs : {}.", "{}. Ce qui compte pour nous : {}.",
                          "{}. Nous défendons {}.")}
# ... and one of the things a brief says besides its subject, each brief its own (seeded): the
# audience, the deliverables and platforms, a promotion, where the brand is online
_BESIDES = {"en": (". Target audience: women 25-35, urban.",
                   ". We need 3 Instagram reels and 2 TikTok videos.",
                   ". Discount code GREEN20: 20% off the first order.",
                   " (site: oakandash.com, IG @oakandash)"),
            "fr": (". Cible : femmes 25-35 ans, urbaines.",
                   ". On a besoin de 3 reels Instagram et 2 vidéos TikTok.",
                   ". Code promo VERT20 : -20 % sur la première commande.",
                   " (site : maison-lumiere.fr, insta @maisonlumiere)")}
_BIO_TAGS = {"en": ("UGC creator", "content creator", "collabs: DM",
                    "brand partnerships via email", "influencer", "open to brand collabs"),
             "fr": ("créatrice de contenu", "créateur UGC", "collab : DM",
                    "partenariats marques en DM", "influenceuse", "ouverte aux collaborations")}


def as_written(es: EvalSet, seed: int, into: Path) -> EvalSet:
    """The set as planners and exports write it: every brief inside a planner's request
    ("Looking for UGC creators for our brand campaign: ...") and followed by one thing a brief
    says besides its subject (seeded: the audience, the deliverables, a discount code, the
    brand's site); its values statement ending with the brief's `rejects` clause where the set
    gives one ("..., no fast fashion"), and for half of those with a statement (seeded),
    written into the brief's text instead of given apart ("... Our values: repair, no fast
    fashion."); half the bios (seeded) ending with the trade's tags ("UGC creator | collabs:
    DM"). Judgments and truth are the set's: none of them reads a bio or a brief's wording.
    Written under `into` as `<name>-written`."""
    import random

    rng = random.Random(seed)
    inline = random.Random(seed + 1)  # its own draws: the requests and tags stay as they were
    besides = random.Random(seed + 2)
    out = into / f"{es.path.name}-written"
    out.mkdir(parents=True, exist_ok=True)
    with open(es.creators, encoding="utf-8") as src, \
            open(out / "creators.jsonl", "w", encoding="utf-8") as dst:
        for line in src:
            if not line.strip():
                continue
            record = json.loads(line)
            if rng.random() < 0.5:
                tag = rng.choice(_BIO_TAGS["fr" if record.get("language") == "fr" else "en"])
                record["bio"] = " | ".join(filter(None, [record.get("bio"), tag]))
            dst.write(json.dumps(record, ensure_ascii=False) + "\n")
    briefs = []
    for b in es.briefs:
        request = rng.choice(_REQUESTS["fr" if b["language"] == "fr" else "en"])
        said = besides.choice(_BESIDES["fr" if b["language"] == "fr" else "en"])
        written = {**b, "brief": request.format(b["brief"]).rstrip(" .") + said}
        values = b.get("values")
        values = ", ".join(values) if isinstance(values, list) else values
        if b.get("rejects"):
            values = written["values"] = ", ".join(filter(None, [values, b["rejects"]]))
        if values and inline.random() < 0.5:
            phrase = inline.choice(_VALUES_WRITTEN["fr" if b["language"] == "fr" else "en"])
            written["brief"] = phrase.format(written["brief"].rstrip(" ."), values)
            written["values"] = None
        briefs.append(written)
    (out / "briefs.json").write_text(json.dumps(briefs, ensure_ascii=False), encoding="utf-8")
    (out / "qrels.json").write_text(json.dumps(es.qrels), encoding="utf-8")
    if es.truth:
        (out / "truth.jsonl").write_text("".join(json.dumps(t) + "\n" for t in es.truth.values()),
                                         encoding="utf-8")
    return load(out)
