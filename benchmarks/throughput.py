"""Throughput under concurrent planners: matches/s and latency p50/p99 over HTTP at 1, 4, 16
and 64 clients, for each way of serving, beside the way before micro-batching, in one run.

The ways: the code before (each brief encoded alone, CREATOR_MATCH_BATCH_WINDOW_MS=-1, and the
shortlist's post vectors read from SQLite at each match, CREATOR_MATCH_POST_CACHE_MB=0), the
defaults (briefs micro-batched, post vectors kept in memory), and the defaults with one worker
process per usable core (`serve --workers N`). The briefs are the 46 of the two labelled sets
(English and French, with values statements and objectives), in a fixed random order per client.

    python -m benchmarks.throughput --index demo-index
    python -m benchmarks.throughput --size 1000000      # a synthetic index of that size
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from benchmarks.load import served
from recommender.embedding import usable_cores

DATA = Path(__file__).resolve().parents[1] / "recommender" / "data"


def briefs() -> list[dict]:
    out = []
    for name in ("eval", "eval2"):
        for b in json.loads((DATA / name / "briefs.json").read_text(encoding="utf-8")):
            out.append({"brief": b["brief"], "values": b.get("values"),
                        "objective": b.get("objective"), "k": 20})
    return out


async def _client(i: int, url: str, key: str, pool: list[dict], deadline: float,
                  lat: list[float], errors: list[int]) -> None:
    order = random.Random(i).sample(pool, len(pool))
    async with httpx.AsyncClient(base_url=url, headers={"X-API-Key": key}, timeout=120) as c:
        n = 0
        while n == 0 or time.monotonic() < deadline:  # one at least, however slow the start
            t0 = time.perf_counter()
            try:
                ok = (await c.post("/v1/match", json=order[n % len(order)])).status_code == 200
            except httpx.HTTPError:
                ok = False
            lat.append(time.perf_counter() - t0)
            if not ok:
                errors.append(1)
            n += 1


def load(url: str, key: str, clients: int, seconds: float, pool: list[dict]) -> dict:
    lat: list[float] = []
    errors: list[int] = []

    async def drive() -> None:
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(_client(i, url, key, pool, deadline, lat, errors)
                               for i in range(clients)))

    t0 = time.monotonic()
    asyncio.run(drive())
    elapsed = time.monotonic() - t0
    ms = np.array(lat) * 1e3
    return {"clients": clients, "requests": len(ms), "errors": len(errors),
            "matches_per_s": round(len(ms) / elapsed, 1),
            "p50_ms": round(float(np.percentile(ms, 50)), 1),
            "p99_ms": round(float(np.percentile(ms, 99)), 1)}


WRK_SCRIPT = """
local bodies = {}
for line in io.lines(os.getenv("BRIEFS")) do bodies[#bodies + 1] = line end
local n = 0
local headers = {["Content-Type"] = "application/json", ["X-API-Key"] = os.getenv("KEY")}
request = function()
  n = n + 1
  return wrk.format("POST", "/v1/match", headers, bodies[(n % #bodies) + 1])
end
"""
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not m:
        raise ValueError(f"wrk printed a latency of {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def load_wrk(url: str, key: str, clients: int, seconds: float, pool: list[dict]) -> dict:
    """The same load from wrk (C, one thread): far less of the shared CPU than a Python
    client, so the server's own capacity shows."""
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "briefs.jsonl").write_text(
            "\n".join(json.dumps(b, ensure_ascii=False) for b in pool) + "\n", encoding="utf-8")
        (Path(d) / "briefs.lua").write_text(WRK_SCRIPT)
        out = subprocess.run(
            ["wrk", "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--latency",
             "--timeout", "60s", "-s", str(Path(d) / "briefs.lua"), url],
            env={**os.environ, "KEY": key, "BRIEFS": str(Path(d) / "briefs.jsonl")},
            capture_output=True, text=True, check=True, timeout=seconds + 120).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                     out)
    return {"clients": clients, "requests": int(_find(r"(\d+) requests in", out)),
            "errors": (int(bad.group(1)) if bad else 0) +
                      (sum(int(x) for x in sock.groups()) if sock else 0),
            "matches_per_s": float(_find(r"Requests/sec:\s+([\d.]+)", out)),
            # the "Latency Distribution" lines, not a "+/- Stdev" column that happens to be 50%
            "p50_ms": round(_ms(_find(r"(?m)^\s+50%\s+(\S+)\s*$", out)), 1),
            "p99_ms": round(_ms(_find(r"(?m)^\s+99%\s+(\S+)\s*$", out)), 1)}


def _find(pattern: str, text: str) -> str:
    m = re.search(pattern, text)
    if not m:
        raise ValueError(f"wrk's output has no {pattern!r}: {text[-500:]}")
    return m.group(1)


def ways(workers: int) -> dict[str, tuple[int, dict[str, str]]]:
    before = {"CREATOR_MATCH_BATCH_WINDOW_MS": "-1", "CREATOR_MATCH_POST_CACHE_MB": "0"}
    return {"before: each brief alone, posts read each time": (1, before),
            "micro-batched, posts kept": (1, {}),
            f"micro-batched, posts kept, {workers} workers": (workers, {})}


def run(index: Path, clients: list[int], seconds: float, warmup: float,
        client: str = "python") -> dict:
    pool = briefs()
    drive = load_wrk if client == "wrk" else load
    result: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores "
                               f"({usable_cores()} usable), Python {platform.python_version()}",
                    "index": str(index), "seconds": seconds, "briefs": len(pool),
                    "client": client, "ways": {}}
    for name, (workers, env) in ways(max(2, usable_cores())).items():
        print(f"{name}: starting", file=sys.stderr, flush=True)
        with served(index, scope="read", workers=workers, env=env) as (url, key, _):
            drive(url, key, max(clients), warmup, pool)  # thread pools, caches, allocators
            rows = []
            for n in clients:
                rows.append(drive(url, key, n, seconds, pool))
                print(f"  {n} clients: {rows[-1]}", file=sys.stderr, flush=True)
            result["ways"][name] = rows
    return result


def markdown(result: dict) -> str:
    names = list(result["ways"])
    base = {r["clients"]: r for r in result["ways"][names[0]]}
    lines = [f"Throughput over HTTP, {result['index']} ({result['machine']}; {result['briefs']} "
             f"briefs, {result['seconds']:.0f} s per row; client {result.get('client', 'python')})",
             "",
             "| way | clients | matches/s | × before | p50 ms | p99 ms | errors |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name in names:
        for r in result["ways"][name]:
            ratio = r["matches_per_s"] / max(base[r["clients"]]["matches_per_s"], 1e-9)
            lines.append(f"| {name} | {r['clients']} | {r['matches_per_s']:.1f} | {ratio:.2f} | "
                         f"{r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--index", type=Path, help="an existing index (e.g. demo-index)")
    where.add_argument("--size", type=int, help="build a synthetic index of this many creators")
    p.add_argument("--clients", default="1,4,16,64")
    p.add_argument("--seconds", type=float, default=15.0)
    p.add_argument("--warmup", type=float, default=5.0)
    p.add_argument("--client", choices=("auto", "wrk", "python"), default="auto",
                   help="the load: wrk (C) where installed (auto), else Python (httpx)")
    p.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = p.parse_args(argv)
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    elif client == "wrk" and not shutil.which("wrk"):
        p.error("--client wrk: wrk is not installed (Debian: apt-get install wrk)")
    clients = [int(c) for c in args.clients.split(",")]
    work = None
    if args.index:
        index = Path(args.index).resolve()
    else:
        from benchmarks.bench import build_synthetic, centers

        work = Path(tempfile.mkdtemp(prefix="cm-throughput-"))
        index = work / f"n{args.size}"
        print(f"building a synthetic index of {args.size:,} creators", file=sys.stderr,
              flush=True)
        build_synthetic(index, args.size, None, centers(None))
    try:
        result = run(index, clients, args.seconds, args.warmup, client)
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    if args.size:
        result["index"] = f"synthetic, {args.size:,} creators"
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (args.out / f"throughput-{stamp}.json").write_text(json.dumps(result, indent=2))
    md = markdown(result)
    (args.out / f"throughput-{stamp}.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
