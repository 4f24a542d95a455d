"""Hashtag stuffers: the labelled sets with creators who end every post with a brief's words.

The sets' keyword stuffers stuff their bios. Stuffing hashtags is the other way to be found for
a subject one does not post about: "index funds explained #zerowaste #vegan #ethical ...". This
adds, for every brief of each set, STUFFERS copies of genuine creators of another niche (neither
the brief's nor its opposed one) in the brief's language, each post ending with HASHTAGS of the
brief's and values statement's words as hashtags (seeded). A copy posts what its original posts,
so it is judged as its original is for every brief (relevant where it is); it is never relevant
to the brief whose words it stuffs. The set is ingested into a fresh index and answered as
`creator-match eval` answers it (benchmarks/habits.py, as written), and the report gives:

* test nDCG@10 all (English / French) | dev;
* the share of the briefs' top-10 slots held by a creator stuffing that brief's words.

--genuine measures the other side: no stuffer, and every genuine creator's posts end with
hashtags as many real ones write them, two of its niche's (those the set's creators of its
niche use) and three generic ones (#instagood, #reels, ...), none of which its captions need
say. What those hashtags add to the ranking, and what leaving them unread costs, is the
difference with the set as written.

    python -m benchmarks.stuffing [--genuine] [--out DIR] [--seed N]
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from recommender.evaluation import dataset
from recommender.evaluation.systems import as_asked, to_brief
from recommender.lexical import brief_words
from recommender.service import Recommender

from .habits import HABITS, SETS, _cell, score

STUFFERS = 2  # per brief
HASHTAGS = 5  # per post, drawn from the brief's words
WORDS = 8  # the brief's first words (values included) the hashtags are drawn from
PREFIX = "stuffer-"


def _base(niche: str) -> str:
    return niche.split(":")[0]


def stuffed(es: dataset.EvalSet, dst: Path, seed: int) -> dataset.EvalSet:
    """es with STUFFERS hashtag stuffers per brief, written to dst."""
    rng = random.Random(seed)
    with open(es.creators, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    genuine = [r for r in records if es.truth[r["id"]]["kind"] == "genuine"]
    truth = dict(es.truth)
    qrels = {b: dict(rel) for b, rel in es.qrels.items()}
    added = []
    for b in es.briefs:
        judging = b.get("judging") or {}
        near = {_base(n) for n in judging.get("niches", []) + judging.get("opposed", [])}
        values = b.get("values")
        values = ", ".join(values) if isinstance(values, list) else values or ""
        words = [w for w in brief_words(f"{b['brief']} {values}") if len(w) > 2][:WORDS]
        others = [r for r in genuine if r.get("language") == b["language"]
                  and _base(es.truth[r["id"]]["niche"]) not in near]
        for j, src in enumerate(rng.sample(others, STUFFERS)):
            copy = json.loads(json.dumps(src))
            copy["id"] = f"{PREFIX}{b['id']}-{j}"
            copy["handle"] = f"@{copy['id']}"
            for post in copy.get("posts") or []:
                tags = " ".join("#" + w for w in rng.sample(words, min(HASHTAGS, len(words))))
                post["text"] = f"{post.get('text') or ''} {tags}".strip()
            added.append(copy)
            truth[copy["id"]] = {**es.truth[src["id"]], "id": copy["id"],
                                 "kind": "hashtag_stuffer", "source": src["id"]}
            for brief, rel in qrels.items():
                if brief != b["id"] and rel.get(src["id"]):
                    rel[copy["id"]] = rel[src["id"]]
    dst.mkdir(parents=True, exist_ok=True)
    (dst / "creators.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records + added),
        encoding="utf-8")
    (dst / "briefs.json").write_text(json.dumps(es.briefs, ensure_ascii=False), encoding="utf-8")
    (dst / "qrels.json").write_text(json.dumps(qrels), encoding="utf-8")
    (dst / "truth.jsonl").write_text("".join(json.dumps(t) + "\n" for t in truth.values()),
                                     encoding="utf-8")
    return dataset.load(dst)


GENERIC = ("instagood", "reels", "explore", "photooftheday", "love", "instadaily", "fyp",
           "viral")
NICHE_TAGS, GENERIC_TAGS = 2, 3  # per post, in --genuine


def tagged(es: dataset.EvalSet, dst: Path, seed: int) -> dataset.EvalSet:
    """es with every genuine creator's posts ending with NICHE_TAGS of its niche's hashtags
    and GENERIC_TAGS generic ones (seeded), written to dst; judgments unchanged."""
    from recommender.hashtags import hashtags

    rng = random.Random(seed)
    with open(es.creators, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    pools: dict[str, set[str]] = {}
    for r in records:
        niche = es.truth[r["id"]]["niche"]
        pools.setdefault(niche, set()).update(
            h for p in r.get("posts") or [] for h in hashtags(p.get("text") or ""))
    for r in records:
        if es.truth[r["id"]]["kind"] != "genuine":
            continue
        own = sorted(pools[es.truth[r["id"]]["niche"]])
        for post in r.get("posts") or []:
            tags = rng.sample(own, min(NICHE_TAGS, len(own))) + rng.sample(GENERIC, GENERIC_TAGS)
            post["text"] = f"{post.get('text') or ''} {' '.join('#' + t for t in tags)}".strip()
    dst.mkdir(parents=True, exist_ok=True)
    (dst / "creators.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    for name in ("briefs.json", "qrels.json", "truth.jsonl"):
        (dst / name).write_bytes((es.path / name).read_bytes())
    return dataset.load(dst)


def stuffers_in_top(rec: Recommender, es: dataset.EvalSet) -> dict[str, float]:
    """{split: share of the briefs' top-10 slots holding a creator stuffing that brief's
    words}."""
    out = {}
    for split in ("dev", "test"):
        briefs = es.split(split)
        held = [sum(c.startswith(f"{PREFIX}{b['id']}-") for c in as_asked(rec, to_brief(b))[:10])
                for b in briefs]
        out[split] = float(np.sum(held)) / (10 * len(briefs)) if briefs else 0.0
    return out


def run(work: Path, seed: int, genuine: bool = False) -> dict[str, dict]:
    out = {}
    for name, path in SETS.items():
        es = (tagged if genuine else stuffed)(dataset.load(path), work / name, seed)
        rec = Recommender(work / f"idx-{name}", create=True)
        try:
            rec.ingest([es.creators])
            result: dict[str, dict] = {"score": score(rec, es, HABITS["as written"])}
            if not genuine:
                result["stuffers"] = stuffers_in_top(rec, es)
            out[name] = result
        finally:
            rec.close()
        print(f"{name}: {out[name]}", file=sys.stderr, flush=True)
    return out


def report(results: dict[str, dict], genuine: bool = False) -> str:
    title = (f"# Genuine creators' hashtags ({NICHE_TAGS} of the niche's and {GENERIC_TAGS} "
             "generic ones on every post)" if genuine else
             f"# Hashtag stuffers ({STUFFERS} a brief, {HASHTAGS} of its words on every post)")
    if genuine:
        lines = [title, "", "| set | nDCG@10 test (EN / FR) \\| dev |", "|---|---|"]
        lines += [f"| {name} | {_cell(r['score'])} |" for name, r in results.items()]
        return "\n".join(lines) + "\n"
    lines = [title, "", "| set | nDCG@10 test (EN / FR) \\| dev | top-10 slots held by the brief's "
             "stuffers, test \\| dev |", "|---|---|---|"]
    for name, r in results.items():
        s = r["stuffers"]
        lines.append(f"| {name} | {_cell(r['score'])} | {s['test']:.1%} \\| {s['dev']:.1%} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m benchmarks.stuffing",
                                description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--genuine", action="store_true",
                   help="no stuffer: genuine creators' posts carry hashtags as real ones do")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        results = run(Path(tmp), args.seed, args.genuine)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    args.out.mkdir(parents=True, exist_ok=True)
    text = report(results, args.genuine)
    name = f"{'hashtagged' if args.genuine else 'stuffing'}-{stamp}"
    (args.out / f"{name}.md").write_text(text, encoding="utf-8")
    (args.out / f"{name}.json").write_text(
        json.dumps({"seed": args.seed, "genuine": args.genuine, "sets": results}, indent=1),
        encoding="utf-8")
    print(text)
    print(f"wrote {args.out / f'{name}.md'} and .json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
