"""Platforms that engage differently: the labelled sets with some platforms' counts scaled.

The three labelled sets draw a creator's engagement from its tier alone, the same on every
platform. Real platforms differ far more (brands' accounts: TikTok 3.70%, Instagram 0.48%, X
0.12%; Socialinsider 2026). This rewrites each set's creators file with every post's likes,
comments and shares on the named platforms multiplied by a factor (genuine creators and
traps alike, so a creator with bought followers stays as far below its platform's genuine
creators as before), ingests it into a fresh index, and reports:

* the engagement_anomaly flags raised, on genuine creators and on creators with bought
  followers ("inflated" in the sets' truth), by platform;
* the sets answered as `creator-match eval` answers them (benchmarks/habits.py, as written):
  test nDCG@10 all (English / French) | dev, and the share of top-10 slots holding a trap.

    python -m benchmarks.platforms [--scale x=0.1,youtube=0.5] [--out DIR]

--scale x=1 answers the sets as written (every factor 1).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from recommender.evaluation import dataset
from recommender.evaluation.metrics import Scorer
from recommender.evaluation.systems import as_asked, to_brief
from recommender.service import Recommender

from .habits import HABITS, SETS, _cell, score

COUNTS = ("likes", "comments", "shares")


def scaled(src: Path, dst: Path, scale: dict[str, float]) -> None:
    """src's creators with every post count on a platform of scale multiplied by its factor."""
    with open(src, encoding="utf-8") as fh, open(dst, "w", encoding="utf-8") as out:
        for line in fh:
            record = json.loads(line)
            factor = scale.get(str(record.get("platform", "")).lower())
            if factor is not None:
                for post in record.get("posts") or []:
                    for k in COUNTS:
                        if isinstance(post.get(k), (int, float)) and post[k] > 0:
                            post[k] = round(post[k] * factor)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def flags(rec: Recommender, truth: dict[str, dict]) -> dict[str, dict[str, int]]:
    """{platform: {kind: creators of that kind flagged engagement_anomaly}}."""
    out: dict[str, Counter[str]] = {}
    for cid, platform in rec.catalog.db.rows(
            "SELECT id, platform FROM creators WHERE signals LIKE '%engagement_anomaly%'"):
        out.setdefault(platform, Counter())[truth[cid]["kind"]] += 1
    return {p: dict(c) for p, c in sorted(out.items())}


def traps(rec: Recommender, es: dataset.EvalSet) -> float:
    """Share of the test and dev briefs' top-10 slots holding a trap."""
    briefs = es.split("dev") + es.split("test")
    per = Scorer(es, briefs).per_brief({b["id"]: as_asked(rec, to_brief(b)) for b in briefs})
    shares = [t for m in per.values() if (t := m.get("traps@10")) is not None]
    return float(np.mean(shares)) if shares else 0.0


def run(scale: dict[str, float], work: Path) -> dict[str, dict]:
    out = {}
    for name, path in SETS.items():
        es = dataset.load(path)
        data = work / f"{name}.jsonl"
        scaled(Path(es.creators), data, scale)
        rec = Recommender(work / f"idx-{name}", create=True)
        try:
            rec.ingest([data])
            out[name] = {"flags": flags(rec, es.truth), "traps": traps(rec, es),
                         "score": score(rec, es, HABITS["as written"])}
        finally:
            rec.close()
        print(f"{name}: {out[name]['flags']}", file=sys.stderr, flush=True)
    return out


def report(scale: dict[str, float], results: dict[str, dict]) -> str:
    said = ", ".join(f"{p} x{f:g}" for p, f in scale.items())
    lines = [f"# Platforms that engage differently ({said})", "",
             "| set | anomaly flags by platform (genuine / inflated) | nDCG@10 test (EN / FR) "
             "\\| dev | traps in top 10 |", "|---|---|---|---|"]
    for name, r in results.items():
        shown = "; ".join(f"{p} {k.get('genuine', 0)} / {k.get('inflated', 0)}"
                          for p, k in r["flags"].items())
        lines.append(f"| {name} | {shown} | {_cell(r['score'])} | {r['traps']:.1%} |")
    return "\n".join(lines) + "\n"


def _scale(text: str) -> dict[str, float]:
    import argparse

    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        platform, sep, factor = part.partition("=")
        try:
            out[platform.strip().lower()] = float(factor)
        except ValueError:
            sep = ""
        if not sep or out[platform.strip().lower()] < 0:
            raise argparse.ArgumentTypeError(f"bad scale {part!r}: write PLATFORM=FACTOR, "
                                             "the factor a number >= 0")
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m benchmarks.platforms",
                                description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=_scale, default={"x": 0.1, "youtube": 0.5},
                   help="PLATFORM=FACTOR,... (default x=0.1,youtube=0.5)")
    p.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        results = run(args.scale, Path(tmp))
    stamp = time.strftime("%Y%m%dT%H%M%S")
    args.out.mkdir(parents=True, exist_ok=True)
    text = report(args.scale, results)
    (args.out / f"platforms-{stamp}.md").write_text(text, encoding="utf-8")
    (args.out / f"platforms-{stamp}.json").write_text(
        json.dumps({"scale": args.scale, "sets": results}, indent=1), encoding="utf-8")
    print(text)
    print(f"wrote {args.out / f'platforms-{stamp}.md'} and .json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
