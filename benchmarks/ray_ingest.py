"""Distributed ingest scaling: posts/s with 1 and 2 embedding workers (one CPU each) on a
two-node Ray cluster on loopback, each run into new shards, with the default encoder.

The creators are the synthetic generator's, with every text made unique (a suffix), so that
each post is really encoded: the generator's phrase banks repeat texts, which the pool would
otherwise encode once a batch.

    python -m benchmarks.ray_ingest --creators 1500
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import datagen
from benchmarks.ray_cluster import local_cluster


def write_unique(path: Path, n: int) -> int:
    posts = 0
    with open(path, "w", encoding="utf-8") as fh:
        for rec in datagen.generate(n, seed=11):
            rec["bio"] = f"{rec.get('bio') or ''} ({rec['id']})"
            for p in rec["posts"]:
                p["text"] = f"{p['text']} #{rec['id']}{p['id']}"
            posts += len(rec["posts"])
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return posts


def main(argv: list[str] | None = None) -> int:
    from recommender.distributed import ingest

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--creators", type=int, default=1500)
    p.add_argument("--model", default=None)
    p.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cm-ray-"))
    try:
        data = work / "creators.jsonl"
        posts = write_unique(data, args.creators)
        rows = []
        warm = work / "warm.jsonl"
        write_unique(warm, 40)
        with local_cluster(nodes=2, cpus_per_node=1) as address:
            # a first, small job starts Ray's worker processes and imports the package in
            # them, so that neither measured run pays for it
            ingest([warm], work / "shards-warm", 2, address=address, workers=2,
                   model=args.model)
            for workers in (1, 2):
                t0 = time.perf_counter()
                r = ingest([data], work / f"shards-{workers}", 2, address=address,
                           workers=workers, model=args.model)
                seconds = time.perf_counter() - t0
                rows.append({"workers": workers, "creators": r.added, "posts": posts,
                             "texts_encoded": r.encoded_texts, "seconds": round(seconds, 1),
                             "posts_per_s": round(posts / seconds, 1),
                             "texts_per_s": round(r.encoded_texts / seconds, 1),
                             "read_seconds": round(r.read_seconds, 1),
                             "first_batch_seconds": round(r.first_batch_seconds, 1)})
                print(rows[-1], file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {"machine": f"{platform.machine()}, 2 Ray nodes of 1 CPU on one machine",
              "rows": rows, "scaling": round(rows[1]["posts_per_s"] / rows[0]["posts_per_s"], 2)}
    lines = ["| workers | creators | posts | texts encoded | seconds | read s | first block s "
             "| posts/s |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['workers']} | {r['creators']} | {r['posts']} | {r['texts_encoded']} | "
              f"{r['seconds']} | {r['read_seconds']} | {r['first_batch_seconds']} | "
              f"{r['posts_per_s']} |" for r in rows]
    lines.append(f"\n2 workers / 1 worker: {result['scaling']}×")
    md = "\n".join(lines) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (args.out / f"ray-ingest-{stamp}.json").write_text(json.dumps(result, indent=2))
    (args.out / f"ray-ingest-{stamp}.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
