"""This checkout against another revision, timed in turn on one machine: `python -m
benchmarks.against REV --size 1000000 --rounds 6`.

One run of `creator-match bench` says how fast this code is on this host in this hour; the
same code's baseline has ranged from 195 to 614 ms across runs here, so a figure against a
figure written on another day says little about the code. This times the benchmark's first
loop (each brief unfiltered, then with a market and a tier filter; k=20; no values statement)
for both versions in the same minutes: each builds its own synthetic index once, with its own
`build_synthetic` and its own default encoder (or --model), then each round runs both, one
after the other, the first of each round alternating. It prints each round's p50s, and the
ratios of this code to the other; it writes them to benchmarks/results/against-*.md and .json.
Nothing is asserted about time.

The other revision is read from git (`git archive`) into --work; it runs on this Python, so
its dependencies must be those installed here. The indexes are kept in --work (a 1M index
takes minutes to build): give the same --work to run more rounds later.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run in a checkout (its root first on sys.path): build its synthetic index when absent, then
# time the first loop of its benchmark and print {"p50", "filtered_p50"} in ms. Written for
# any revision since the benchmark's briefs and synthetic catalogue took their present shape
# (recommender/bench.py before it moved to benchmarks/bench.py).
LOOP = r"""
import json, random, statistics, sys, time
from pathlib import Path
root, index, n, queries, model = sys.argv[1:6]
sys.path.insert(0, root)
try:
    from benchmarks import bench
except ImportError:
    from recommender import bench
from recommender.schema import Brief
from recommender.service import Recommender
model = model or None
if not Path(index).exists():
    bench.build_synthetic(Path(index), int(n), model, bench.centers(model))
rec = Recommender(Path(index), create=True, model=model)
def brief(text, f=None):
    extra = {"filters": {"countries": [f["country"]], "tiers": [f["tier"]]}} if f else {}
    return Brief.model_validate({"brief": text, "k": 20, **extra})
rng = random.Random(1)
texts = [rng.choice(bench.QUERY_TEXTS) + f" {rng.choice(['', 'for spring', 'campaign'])}"
         for _ in range(int(queries))]
filt = [{"country": rng.choice(bench.COUNTRIES), "tier": rng.choice(["micro", "nano"])}
        for _ in range(int(queries))]
rec.match(brief("warm up", {"country": "FR", "tier": "micro"}))
plain, filtered = [], []
for t, f in zip(texts, filt):
    s = time.perf_counter(); rec.match(brief(t)); plain.append(time.perf_counter() - s)
    s = time.perf_counter(); rec.match(brief(t, f)); filtered.append(time.perf_counter() - s)
p50 = lambda xs: round(1e3 * statistics.median(xs), 2)
print(json.dumps({"p50": p50(plain), "filtered_p50": p50(filtered),
                  "model": rec.embedder.name}))
"""


def checkout(rev: str, into: Path) -> Path:
    """The tree of rev (a commit, a tag, a branch) written under into, once."""
    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", f"{rev}^{{commit}}"],
                         capture_output=True, text=True, check=False)
    if sha.returncode:
        raise SystemExit(f"against: {rev!r} is no revision of {ROOT}: {sha.stderr.strip()}")
    tree = into / f"rev-{sha.stdout.strip()[:12]}"
    if not tree.exists():
        part = tree.with_name(tree.name + ".part")
        part.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev],
                                 capture_output=True, check=True)
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            try:
                tar.extractall(part, filter="data")
            except TypeError:  # Python before 3.10.12: git's own archive of this repository
                tar.extractall(part)
        part.rename(tree)
    return tree


def loop(tree: Path, index: Path, n: int, queries: int, model: str | None) -> dict:
    """One timing of the first loop in tree's code, on its index (built when absent)."""
    done = subprocess.run([sys.executable, "-c", LOOP, str(tree), str(index), str(n),
                           str(queries), model or ""], cwd=tree, capture_output=True, text=True,
                          check=False)
    if done.returncode:
        raise SystemExit(f"against: the loop failed in {tree}:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def summary(rounds: list[dict]) -> dict:
    """Medians of each version's p50s over the rounds, and of this code's ratio to the other's
    round by round (with their range): {"this", "other", "ratio": {"p50", "filtered_p50"}}."""
    out: dict = {"this": {}, "other": {}, "ratio": {}}
    for key in ("p50", "filtered_p50"):
        ratios = [r["this"][key] / r["other"][key] for r in rounds]
        out["this"][key] = round(statistics.median(r["this"][key] for r in rounds), 2)
        out["other"][key] = round(statistics.median(r["other"][key] for r in rounds), 2)
        out["ratio"][key] = {"median": round(statistics.median(ratios), 3),
                             "min": round(min(ratios), 3), "max": round(max(ratios), 3)}
    return out


def markdown(result: dict) -> str:
    rows = [f"# This code ({result['this']}) against {result['other']} "
            f"({platform.machine()}, {result['n']:,} creators, {result['queries']} briefs a "
            "round, k=20)", "",
            "| round | first | this p50 | other p50 | this filtered p50 | other filtered p50 "
            "| ratio filtered |", "|---|---|---|---|---|---|---|"]
    for i, r in enumerate(result["rounds"], start=1):
        rows.append(f"| {i} | {r['first']} | {r['this']['p50']} | {r['other']['p50']} | "
                    f"{r['this']['filtered_p50']} | {r['other']['filtered_p50']} | "
                    f"{r['this']['filtered_p50'] / r['other']['filtered_p50']:.3f} |")
    s = result["summary"]
    for key, what in (("p50", "unfiltered"), ("filtered_p50", "filtered")):
        q = s["ratio"][key]
        rows.append(f"\n{what} p50, median over the rounds: {s['this'][key]} ms against "
                    f"{s['other'][key]} ms; this code's ratio, round by round: median "
                    f"{q['median']}× (range {q['min']}–{q['max']})")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.against",
                                description=__doc__.splitlines()[0])
    p.add_argument("rev", help="the revision to time this checkout against")
    p.add_argument("--size", type=int, default=1_000_000, help="creators in each index")
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--queries", type=int, default=200, help="briefs a round")
    p.add_argument("--model", default=None, help="both versions' encoder (default: each one's)")
    p.add_argument("--work", type=Path, default=None,
                   help="where the other tree and both indexes are kept (default: a new "
                        "temporary folder)")
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = p.parse_args(argv)
    for name in ("size", "rounds", "queries"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be at least 1")
    work = args.work or Path(tempfile.mkdtemp(prefix="against-"))
    other = checkout(args.rev, work)
    print(f"against: {args.rev} read into {other}; indexes under {work}", file=sys.stderr)
    sides = {"this": (ROOT, work / f"index-this-{args.size}"),
             "other": (other, work / f"index-{other.name}-{args.size}")}
    model = None
    rounds: list[dict] = []
    for i in range(args.rounds):
        order = ("this", "other") if i % 2 == 0 else ("other", "this")
        got = {side: loop(*sides[side], args.size, args.queries, args.model) for side in order}
        rounds.append({"first": order[0], **got})
        model = {side: got[side]["model"] for side in got}
        print(f"round {i + 1}: this {got['this']['filtered_p50']} ms, other "
              f"{got['other']['filtered_p50']} ms (filtered p50)", file=sys.stderr)
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=False).stdout.strip()
    head = f"{head}, as checked out" if head else "this checkout"
    result = {"this": head, "other": args.rev, "n": args.size, "queries": args.queries,
              "models": model, "rounds": rounds, "summary": summary(rounds)}
    text = markdown(result)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (args.out / f"against-{stamp}.md").write_text(text, encoding="utf-8")
    (args.out / f"against-{stamp}.json").write_text(json.dumps(result, indent=2),
                                                    encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
