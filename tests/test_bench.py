"""Smoke test: the benchmark runs end to end at a tiny size (no timing is asserted)."""

import json

from benchmarks import bench


def test_bench_smoke(tmp_path):
    result = bench.run(sizes=[600], queries=4, ingest_n=15, model="hash-64", http=True,
                       out_dir=tmp_path / "results", workdir=tmp_path / "work")
    r = result["sizes"][0]
    assert r["n"] == 600 and r["upsert_found"] is True
    assert 0.0 <= r["recall_at_20"] <= 1.0 and r["match_ms"]["p50"] > 0
    assert r["outside_filter"] == 0
    assert r["baseline_ms"]["p50"] > 0 and r["http"]["match_ms"]["p99"] > 0
    assert result["ingest"]["warm"]["encoded"] == 0
    files = sorted(p.suffix for p in (tmp_path / "results").iterdir())
    assert files == [".json", ".md"]
    saved = json.loads(next((tmp_path / "results").glob("*.json")).read_text())
    assert saved["sizes"][0]["n"] == 600


def test_bench_refuses_bad_options_before_building_anything(tmp_path, capsys):
    """A malformed option exits 2 naming the option and the value, and nothing is written."""
    import pytest

    out = tmp_path / "results"
    for argv, says in ((["--sizes", "10k"], "argument --sizes: '10k' is not a whole number"),
                       (["--sizes", ","], "argument --sizes: no size given"),
                       (["--queries", "0"], "argument --queries: 0 is less than 1"),
                       (["--ingest", "-1"], "argument --ingest: -1 is less than 0")):
        with pytest.raises(SystemExit) as stop:
            bench.main([*argv, "--out", str(out)])
        assert stop.value.code == 2
        assert says in capsys.readouterr().err
    assert not out.exists()
    assert bench._sizes("10_000, 600") == [10_000, 600]
