"""Load test: concurrent clients mixing matches and upserts against `creator-match serve`.

Loopback only, bounded in time and requests, stops by itself. Reports requests, errors,
latency p50/p99 and the server's resident memory at start and end.

    python benchmarks/load.py --index demo-index --clients 50 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np

BRIEFS = ["solid shampoo bar launch", "second-hand fashion app", "marathon running shoe",
          "vegan meal kit", "night train travel", "cozy indie game", "repairable smartphone",
          "dog training treats", "budgeting app", "upcycled furniture paint"]


def server_memory_mb(pid: int) -> dict[str, float]:
    """The server's resident memory: all of it, and its anonymous part (heaps, arenas) apart
    from file pages (the model's weights and the catalog, mapped: the kernel may drop them)."""
    out = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key = line.split(":")[0]
            if key in ("VmRSS", "RssAnon", "RssFile"):
                out[key] = round(int(line.split()[1]) / 1024, 1)
    return out


def server_rss_mb(pid: int) -> float:
    return server_memory_mb(pid).get("VmRSS", float("nan"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def client(i: int, url: str, key: str, deadline: float, max_requests: int,
                 stats: dict, upsert_share: float) -> None:
    rng = random.Random(i)
    headers = {"X-API-Key": key}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as c:
        n = 0
        while time.monotonic() < deadline and n < max_requests:
            n += 1
            t0 = time.perf_counter()
            try:
                if rng.random() < upsert_share:
                    cid = f"load_{i}_{rng.randint(0, 20)}"  # upserts that also update
                    r = await c.post("/v1/creators", json={"creators": [{
                        "id": cid, "platform": "instagram", "followers": rng.randint(500, 90_000),
                        "bio": f"{rng.choice(BRIEFS)} fan", "posts": [
                            {"id": "p1", "text": f"{rng.choice(BRIEFS)} review {n}",
                             "likes": rng.randint(10, 900), "comments": rng.randint(1, 40)}]}]})
                    kind = "upsert"
                else:
                    body = {"brief": rng.choice(BRIEFS), "k": 20}
                    if rng.random() < 0.5:
                        body["filters"] = {"tiers": [rng.choice(["nano", "micro", "macro"])]}
                    r = await c.post("/v1/match", json=body)
                    kind = "match"
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok, kind = False, "error"
            stats["lat"].append(time.perf_counter() - t0)
            stats[kind] = stats.get(kind, 0) + 1
            if not ok:
                stats["errors"] += 1


async def drive(url: str, key: str, clients: int, seconds: float, max_requests: int,
                upsert_share: float = 0.1) -> dict:
    stats: dict = {"lat": [], "errors": 0}
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(client(i, url, key, deadline, max_requests, stats, upsert_share)
                           for i in range(clients)))
    return stats


@contextmanager
def served(index: Path, *, scope: str = "write", workers: int = 1, model: str | None = None,
           env: dict[str, str] | None = None, ready_timeout: float = 600
           ) -> Iterator[tuple[str, str, subprocess.Popen]]:
    """`creator-match serve` on loopback with a fresh key of this scope, once it says ready:
    (url, key, process); stopped after."""
    port, key = free_port(), "bench-" + os.urandom(8).hex()
    full = {**os.environ, **(env or {}), "CREATOR_MATCH_API_KEYS": f"{scope}:{key}"}
    if model:
        full["CREATOR_MATCH_MODEL"] = model
    cmd = [str(Path(sys.executable).with_name("creator-match")), "serve", "--index", str(index),
           "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=full, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=tempfile.gettempdir())
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            try:
                if httpx.get(f"{url}/v1/health", timeout=2).json().get("ready"):
                    break
            except (httpx.HTTPError, ValueError):
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"the server did not start: {' '.join(cmd)}")
            time.sleep(0.3)
        yield url, key, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


def run(index: Path, clients: int, seconds: float, max_requests: int, model: str | None,
        warmup: float = 0.0, upsert_share: float = 0.1) -> dict:
    with served(index, model=model, ready_timeout=120) as (url, key, proc):
        httpx.post(f"{url}/v1/match", json={"brief": "warm up"}, headers={"X-API-Key": key},
                   timeout=60)
        rss_cold = server_rss_mb(proc.pid)
        series: list[float] = []  # the server's RSS every second, warm-up included
        anon: list[float] = []  # its anonymous part
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.wait(1.0):
                mem = server_memory_mb(proc.pid)
                series.append(mem["VmRSS"])
                anon.append(mem.get("RssAnon", float("nan")))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        if warmup > 0:  # the same load, unmeasured: thread pools and allocator arenas fill up
            asyncio.run(drive(url, key, clients, warmup, max_requests, upsert_share))
        rss0 = server_rss_mb(proc.pid)
        t0 = time.monotonic()
        stats = asyncio.run(drive(url, key, clients, seconds, max_requests, upsert_share))
        elapsed = time.monotonic() - t0
        rss1 = server_rss_mb(proc.pid)
        sampling.set()
        sampler.join()
    lat = np.array(stats["lat"]) * 1e3
    return {"clients": clients, "seconds": round(elapsed, 1), "requests": len(lat),
            "matches": stats.get("match", 0), "upserts": stats.get("upsert", 0),
            "errors": stats["errors"], "rps": round(len(lat) / elapsed, 1),
            "p50_ms": round(float(np.percentile(lat, 50)), 1),
            "p99_ms": round(float(np.percentile(lat, 99)), 1),
            "warmup_s": warmup, "rss_cold_mb": round(rss_cold, 1),
            "rss_start_mb": round(rss0, 1), "rss_end_mb": round(rss1, 1),
            "rss_growth": round((rss1 - rss0) / rss0, 4), "rss_every_s_mb": series,
            "rss_anon_every_s_mb": anon}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", type=Path, required=True)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--max-requests", type=int, default=100_000, help="per client, a bound")
    p.add_argument("--model", default=None)
    p.add_argument("--upserts", type=float, default=0.1, help="share of requests that upsert")
    p.add_argument("--warmup", type=float, default=0,
                   help="seconds of the same load before memory at start is read")
    args = p.parse_args(argv)
    result = run(args.index, args.clients, args.seconds, args.max_requests, args.model,
                 args.warmup, args.upserts)
    print(json.dumps(result, indent=2))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
