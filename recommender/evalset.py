"""The labelled evaluation set: a creator collection in the ingest format, briefs in English and
French split into dev and test, and graded judgments (data/eval/JUDGING.md).

The packaged set is generated (deterministically, so anyone can rebuild and review it) and then
judged by written rules; `python -m recommender.evalset DIR` rebuilds it. A set of your own is a
directory with the same three files: creators.jsonl, briefs.json, qrels.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import datagen, judging

PACKAGED = Path(__file__).parent / "data" / "eval"
# the collection: balanced languages and tiers so that every brief has enough candidates of its
# objective's tier; a sixth of creators are anomalies (6% inflated, 6% saturated, 3% stuffers)
SIZE, SEED, ANOMALIES = 1200, 11, 0.06
OPTIONS = {"fr_share": 0.5, "tier_share": [("nano", 1 / 3), ("micro", 1 / 3), ("macro", 1 / 3)],
           "hashtags": 0.6}


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


def build(out: str | Path) -> Path:
    """Generate the collection and its truth, then judge every creator for every brief in
    out/briefs.json (copied from the packaged set when out has none)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if not (out / "briefs.json").exists():
        (out / "briefs.json").write_text((PACKAGED / "briefs.json").read_text("utf-8"), "utf-8")
    briefs = json.loads((out / "briefs.json").read_text(encoding="utf-8"))
    pairs = list(datagen.generate_with_truth(SIZE, SEED, ANOMALIES, **OPTIONS))
    with open(out / "creators.jsonl", "w", encoding="utf-8") as fc, \
            open(out / "truth.jsonl", "w", encoding="utf-8") as ft:
        for rec, truth in pairs:
            fc.write(json.dumps(rec, ensure_ascii=False) + "\n")
            ft.write(json.dumps(truth, ensure_ascii=False) + "\n")
    qrels = judging.qrels(briefs, [r for r, _ in pairs], {t["id"]: t for _, t in pairs})
    (out / "qrels.json").write_text(json.dumps(qrels, indent=1, sort_keys=True) + "\n", "utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m recommender.evalset",
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
