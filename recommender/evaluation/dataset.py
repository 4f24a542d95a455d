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
