"""Sharded serving beside one index: N shards of n/N synthetic creators against one index of
all n (the same creators, split by shard_of), exact (flat) indexes on both sides, so the top k
must be identical; latency of a match on each side, in the same run, and the fan-out's cost.

    python -m benchmarks.sharded --size 1000000 --shards 2 [--ray [--clients 8]]

The creators are bench.py's synthetic ones (vectors near real content vectors, phrase-bank
texts, nothing encoded at build). Briefs are encoded by the default encoder. With --ray the
shards are also served by Ray actors on a two-node loopback cluster (one CPU each), a third
side of the same run, and then with 1 and with 2 replicas a shard, matches/s with --clients
briefs in flight at once (what replicas are for). Prints a markdown table and writes JSON
under benchmarks/results/; nothing asserts a time.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.bench import QUERY_TEXTS, brief_of, centers, pct, synthetic_rows


def build(root: Path, n: int, shards: int, model: str | None) -> tuple[Path, list[Path], dict]:
    """One catalog of all n creators and `shards` catalogs of their shares, in one pass of the
    generator; then each directory's exact vector index (flat at any size)."""
    import index.faiss_backends as backends
    from recommender.distributed import shard_of
    from recommender.service import Recommender
    from recommender.storage.catalog import Catalog

    backends.FLAT_MAX = 2**62  # exact search on both sides: answers comparable one for one
    one = root / "one"
    parts = [root / f"shard-{s:02d}" for s in range(shards)]
    for d in (one, *parts):
        d.mkdir(parents=True)
    t0 = time.perf_counter()
    cats = [Catalog(d / "catalog.sqlite") for d in (one, *parts)]
    with ExitStack() as stack:
        gens = [stack.enter_context(c.transaction()) for c in cats]
        for rows, _, text_vectors in synthetic_rows(n, centers(model), seed=n):
            cats[0].texts.put(text_vectors)
            cats[0].write(rows, gens[0])
            for s in range(shards):
                mine = [r for r in rows if shard_of(r.record["id"], shards) == s]
                cats[1 + s].texts.put(text_vectors)  # every text: the shard keeps what it uses
                cats[1 + s].write(mine, gens[1 + s])
    for c in cats:
        c.close()
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    for d in (one, *parts):
        with Recommender(d, create=True, model=model, recover=True) as rec:
            rec.check(repair=True)  # the vector index, snapshot and manifest
            kind = rec.stats()["index_kind"]
    return one, parts, {"catalog_load_s": round(load, 1),
                        "index_build_s": round(time.perf_counter() - t0, 1), "index_kind": kind}


# values statements for --values, one a brief in turn: over Ray a brief with one has its
# shortlist's post vectors travel whole (evidence.refined reads them), one without projected
VALUES_TEXTS = ["zero waste, honest reviews", "second hand, repair, buy less",
                "performance, endurance", "local and seasonal, no food waste",
                "slow travel, take your time"]


def briefs(queries: int, values: bool = False) -> list:
    """k=20; every other one filtered by a country and a tier (bench.py's filter); with
    values, each with a values statement."""
    out = [brief_of(QUERY_TEXTS[i % len(QUERY_TEXTS)],
                    {"country": "FR", "tier": "micro"} if i % 2 else None)
           for i in range(queries)]
    if values:
        out = [b.model_copy(update={"values": VALUES_TEXTS[i % len(VALUES_TEXTS)]})
               for i, b in enumerate(out)]
    return out


def timed(rec, qs: list) -> tuple[list[list[str]], list[float]]:
    answers, times = [], []
    for b in qs:
        t0 = time.perf_counter()
        got = rec.match(b)
        times.append(time.perf_counter() - t0)
        answers.append([m.creator_id for m in got])
    return answers, times


def loaded(rec, qs: list, clients: int) -> dict:
    """Matches/s with `clients` briefs in flight at once (each brief twice), and the latency of
    a match under that load."""
    from concurrent.futures import ThreadPoolExecutor

    def one(b) -> float:
        t0 = time.perf_counter()
        rec.match(b)
        return time.perf_counter() - t0

    work = qs * 2
    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        times = list(pool.map(one, work))
    wall = time.perf_counter() - t0
    return {"clients": clients, "matches": len(work), "seconds": round(wall, 2),
            "matches_per_s": round(len(work) / wall, 2), **pct(times)}


def markdown(result: dict) -> str:
    """The run as a table: each side's latency, the fan-out's cost against one index (negative:
    the shards were faster), and how many briefs got the same top 20."""
    n, size, qs = result["shards"], result["size"], result["queries"]
    rows = []
    for side, v in result["latency_ms"].items():
        if side in result["overhead_ms"]:
            o = result["overhead_ms"][side]
            extra = f"{o['p50']:+.2f} / {o['p99']:+.2f} | {result['identical_top20'][side]} of {qs}"
        else:
            extra = "- | -"
        rows.append(f"| {side} | {v['p50']} | {v['p95']} | {v['p99']} | {extra} |")
    lines = [
        f"# Sharded serving: {n} x {size // n:,} vs one index of {size:,}", "",
        f"Exact (flat) indexes, model {result['model']}, {qs} briefs (k=20; every other one "
        "filtered by country and tier" + ("; each with a values statement" if result.get(
            "values") else "") + "), every side timed twice, alternating.", "",
        "| side | p50 ms | p95 ms | p99 ms | fan-out cost p50 / p99 ms | identical top 20 |",
        "|---|---|---|---|---|---|", *rows, ""]
    if result.get("replicas"):
        lines += ["Ray actors under load: every brief twice, `clients` in flight at once.", "",
                  "| replicas a shard | clients | matches/s | p50 ms | p99 ms |",
                  "|---:|---:|---:|---:|---:|"]
        lines += [f"| {r['replicas']} | {r['clients']} | {r['matches_per_s']} | {r['p50']} | "
                  f"{r['p99']} |" for r in result["replicas"]]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from recommender.embedding import make_embedder
    from recommender.service import Recommender
    from recommender.sharding import ShardedRecommender

    p = argparse.ArgumentParser(prog="python -m benchmarks.sharded",
                                description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=1_000_000)
    p.add_argument("--shards", type=int, default=2)
    p.add_argument("--queries", type=int, default=60)
    p.add_argument("--model", default=None)
    p.add_argument("--ray", action="store_true", help="serve the shards from Ray actors on a "
                   "two-node loopback cluster")
    p.add_argument("--clients", type=int, default=8, help="with --ray: briefs in flight at "
                   "once when comparing 1 and 2 replicas a shard")
    p.add_argument("--values", action="store_true", help="give every brief a values "
                   "statement (re-scored from the shortlist's posts)")
    p.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    p.add_argument("--workdir", type=Path, default=None)
    args = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cm-sharded-", dir=args.workdir))
    try:
        print(f"building one index of {args.size:,} and {args.shards} shards ...",
              file=sys.stderr)
        one_dir, parts, built = build(work, args.size, args.shards, args.model)
        print(f"built: {built}", file=sys.stderr)
        emb = make_embedder(args.model)
        qs = briefs(args.queries, args.values)
        with ExitStack() as stack:
            sides = {"one index": stack.enter_context(Recommender(one_dir, embedder=emb)),
                     f"{args.shards} shards, in process": stack.enter_context(
                         ShardedRecommender(parts, embedder=emb))}
            on_ray = None
            if args.ray:
                from benchmarks.ray_cluster import local_cluster

                address = stack.enter_context(local_cluster(nodes=2, cpus_per_node=1))
                on_ray = stack.enter_context(ShardedRecommender(
                    parts, embedder=emb, ray_address=address, replica_cpus=0.5, timeout=120))
                sides[f"{args.shards} shards, Ray actors"] = on_ray
            for rec in sides.values():  # warm every side: model, caches, first reads
                rec.match(qs[0])
            times: dict[str, list[float]] = {name: [] for name in sides}
            answers: dict[str, list[list[str]]] = {}
            for _ in range(2):  # alternate, so no side gets the warmer machine
                for name, rec in sides.items():
                    answers[name], t = timed(rec, qs)
                    times[name] += t
            replicas = []
            if on_ray is not None:  # what replicas add: throughput, several briefs in flight
                on_ray.close()
                for r in (1, 2, 1, 2):  # alternating, as above
                    with ShardedRecommender(parts, embedder=emb, ray_address=address,
                                            replicas=r, replica_cpus=0.5 / r,
                                            timeout=120) as many:
                        many.match(qs[0])
                        replicas.append({"replicas": r, **loaded(many, qs, args.clients)})
                        print(replicas[-1], file=sys.stderr, flush=True)
        base = "one index"
        lat = {name: pct(t) for name, t in times.items()}
        result = {
            "when": datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S"),
            "machine": {"python": platform.python_version(), "cpu": platform.processor()
                        or platform.machine()},
            "size": args.size, "shards": args.shards, "queries": len(qs), "model": emb.name,
            "values": args.values,
            "build": built, "latency_ms": lat, "replicas": replicas,
            "identical_top20": {name: sum(x == y for x, y in zip(answers[base], a, strict=True))
                                for name, a in answers.items() if name != base},
            "overhead_ms": {name: {k: round(v[k] - lat[base][k], 2) for k in v}
                            for name, v in lat.items() if name != base},
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"sharded-{result['when']}"
    (args.out / f"{name}.json").write_text(json.dumps(result, indent=1) + "\n")
    md = markdown(result)
    (args.out / f"{name}.md").write_text(md)
    print(md)
    return 0 if all(n == len(qs) for n in result["identical_top20"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
