"""How long a campaign plan's optimisation takes for a pool of candidates: the MILP alone
(plan.optimise), on synthetic candidates with the rate card's prices, a default mix and near-
duplicates among them, beside the greedy "top of the list" a planner would do by hand.

    python -m benchmarks.plan_bench [--sizes 200,1000,5000] [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from recommender.forecast import Forecast
from recommender.plan import DEFAULT_MIX, Option, greedy, optimise
from recommender.rates import RateCard
from recommender.schema import Match

TIERS = ("nano", "micro", "macro")


def candidates(n: int, seed: int = 0) -> list[Option]:
    rng = np.random.default_rng(seed)
    card = RateCard()
    centres = rng.normal(size=(max(n // 20, 1), 64))
    out = []
    for i in range(n):
        followers = int(np.exp(rng.normal(9.0, 2.0)).clip(100, 5_000_000))
        tier = "nano" if followers < 1_000 else "macro" if followers > 100_000 else "micro"
        platform_name = ("instagram", "tiktok", "youtube")[i % 3]
        rate = float(np.exp(rng.normal(np.log(0.035), 0.5)))
        m = Match(creator_id=f"c{i}", handle=None, platform=platform_name, tier=tier,
                  followers=followers, engagement_rate=rate, score=float(rng.uniform(0.2, 1)),
                  components={}, evidence=[], flags=[])
        f = Forecast(cost=card.price(platform_name, followers, float(rng.uniform(0, 1))),
                     reach=int(followers * card.reach_share(tier)),
                     engagements=int(followers * rate), ugc=int(tier != "macro"), fit=m.score,
                     cost_source="card", reach_source="followers")
        vec = centres[i % len(centres)] + rng.normal(size=64) * 0.15  # some near-duplicates
        out.append(Option(m, f, vec))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.plan_bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="200,1000,5000")
    p.add_argument("--budget", type=float, default=20_000)
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        options = candidates(n)
        for objective, kpi in (("awareness", "reach"), ("ugc", "ugc")):
            t0 = time.perf_counter()
            plan = optimise(options, args.budget, DEFAULT_MIX[objective], kpi, max_creators=30)
            secs = time.perf_counter() - t0
            t0 = time.perf_counter()
            greedy(options, list(range(n)), args.budget)
            greedy_s = time.perf_counter() - t0
            rows.append({"candidates": n, "objective": objective, "seconds": round(secs, 3),
                         "optimal": plan.optimal, "picks": len(plan.picks),
                         "greedy_seconds": round(greedy_s, 5)})
            print(f"{n:>6} candidates, {objective:9}: {secs:7.3f} s, optimal {plan.optimal}, "
                  f"{len(plan.picks)} picks (greedy baseline {greedy_s * 1e3:.2f} ms)",
                  flush=True)
    if args.out:
        when = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        path = Path(args.out) / f"plan-{when}.json"
        path.write_text(json.dumps({"machine": f"{platform.machine()}, "
                                               f"{platform.python_version()}",
                                    "budget": args.budget, "runs": rows}, indent=1) + "\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
