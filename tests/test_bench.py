"""Smoke test: the benchmark runs end to end at a tiny size (no timing is asserted)."""

import json

from recommender import bench


def test_bench_smoke(tmp_path):
    result = bench.run(sizes=[600], queries=4, ingest_n=15, model="hash-64", http=True,
                       out_dir=tmp_path / "results", workdir=tmp_path / "work")
    r = result["sizes"][0]
    assert r["n"] == 600 and r["upsert_found"] is True
    assert 0.0 <= r["recall_at_20"] <= 1.0 and r["match_ms"]["p50"] > 0
    assert r["baseline_ms"]["p50"] > 0 and r["http"]["match_ms"]["p99"] > 0
    assert result["ingest"]["warm"]["encoded"] == 0
    files = sorted(p.suffix for p in (tmp_path / "results").iterdir())
    assert files == [".json", ".md"]
    saved = json.loads(next((tmp_path / "results").glob("*.json")).read_text())
    assert saved["sizes"][0]["n"] == 600
