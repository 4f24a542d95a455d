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
