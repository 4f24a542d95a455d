"""Rebuild the labelled evaluation set: generate the collection and its truth (datagen.py), then
judge every creator for every brief by the rules of JUDGING.md (recommender.evaluation.judging).

    python -m benchmarks.build_evalset [DIR]     (default: the packaged set, in place)
"""

from __future__ import annotations

import json
from pathlib import Path

from recommender.evaluation import judging
from recommender.evaluation.dataset import PACKAGED, load

from . import datagen

# the collection: balanced languages and tiers so that every brief has enough candidates of its
# objective's tier; a sixth of creators are anomalies (6% inflated, 6% saturated, 3% stuffers)
SIZE, SEED, ANOMALIES = 1200, 11, 0.06
OPTIONS = {"fr_share": 0.5, "tier_share": [("nano", 1 / 3), ("micro", 1 / 3), ("macro", 1 / 3)],
           "hashtags": 0.6}


def build(out: str | Path) -> Path:
    """Generate the collection and its truth, then judge every creator for every brief in
    out/briefs.json (copied from the packaged set when out has none)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if not (out / "briefs.json").exists():
        (out / "briefs.json").write_text((PACKAGED / "briefs.json").read_text("utf-8"), "utf-8")
    briefs = json.loads((out / "briefs.json").read_text(encoding="utf-8"))
    write_set(out, briefs, list(datagen.generate_with_truth(SIZE, SEED, ANOMALIES, **OPTIONS)))
    return out


def write_set(out: Path, briefs: list[dict], pairs: list[tuple[dict, dict]]) -> None:
    """A set's collection, the generator's truth and the judgments the rules give."""
    with open(out / "creators.jsonl", "w", encoding="utf-8") as fc, \
            open(out / "truth.jsonl", "w", encoding="utf-8") as ft:
        for rec, truth in pairs:
            fc.write(json.dumps(rec, ensure_ascii=False) + "\n")
            ft.write(json.dumps(truth, ensure_ascii=False) + "\n")
    qrels = judging.qrels(briefs, [r for r, _ in pairs], {t["id"]: t for _, t in pairs})
    (out / "qrels.json").write_text(json.dumps(qrels, indent=1, sort_keys=True) + "\n", "utf-8")


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m benchmarks.build_evalset",
                                description="Rebuild the evaluation set (collection, truth, "
                                            "judgments) in a directory.")
    p.add_argument("out", nargs="?", default=str(PACKAGED))
    args = p.parse_args(argv)
    out = build(args.out)
    s = load(out)
    for b in s.briefs:
        grades = list(s.qrels[b["id"]].values())
        print(f"{b['id']:26} {b['split']:4} " + " ".join(
            f"g{g}={grades.count(g)}" for g in (3, 2, 1)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
