"""The throughput benchmark: a short smoke run (the real runs are in benchmarks/README.md), and
the reading of wrk's report."""

from __future__ import annotations

import pytest
from conftest import DATA

from benchmarks import throughput
from recommender.embedding import HashEmbedder
from recommender.service import Recommender

WRK = """Running 10s test @ http://127.0.0.1:8790
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   108.21ms   40.50ms 270.70ms   50%
    Req/Sec   134.10     20.00   160.00     68.50%
  Latency Distribution
     50%  108.00ms
     75%  130.00ms
     90%  160.00ms
     99%    1.20s
  1334 requests in 10.00s, 9.10MB read
  Non-2xx or 3xx responses: 2
Requests/sec:    133.40
Transfer/sec:      0.91MB
""".replace("1.20s\n", "1.20s \n")  # wrk leaves a space after some figures


def test_wrk_report_is_read_from_its_latency_distribution(monkeypatch):
    class Done:
        stdout = WRK

    monkeypatch.setattr(throughput.subprocess, "run", lambda *a, **k: Done())
    row = throughput.load_wrk("http://x", "k", 16, 10, [{"brief": "b"}])
    # the "+/- Stdev" column's 50% is not the median
    assert row == {"clients": 16, "requests": 1334, "errors": 2, "matches_per_s": 133.4,
                   "p50_ms": 108.0, "p99_ms": 1200.0}
    with pytest.raises(ValueError, match="latency"):
        throughput._ms("Latency")


def test_three_ways_measured_in_one_run(tmp_path):
    with Recommender(tmp_path / "idx", create=True, embedder=HashEmbedder(64)) as rec:
        rec.ingest([DATA / "creators.jsonl"])
    result = throughput.run(tmp_path / "idx", clients=[1, 2], seconds=0.5, warmup=0.2,
                            client="python")
    assert len(result["ways"]) == 3
    for rows in result["ways"].values():
        assert [r["clients"] for r in rows] == [1, 2]
        assert all(r["requests"] > 0 and r["errors"] == 0 for r in rows)
    table = throughput.markdown(result)
    assert table.count("\n| ") == 1 + 6  # the header, then a row per way and client count
