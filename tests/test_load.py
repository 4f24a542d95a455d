"""A short smoke run of the load script (the full 50 clients x 60 s runs outside the suite)."""

import importlib.util
from pathlib import Path

from conftest import DATA

from recommender.embedding import HashEmbedder
from recommender.service import Recommender


def test_load_smoke(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "load", Path(__file__).resolve().parents[1] / "benchmarks" / "load.py")
    load = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load)
    with Recommender(tmp_path / "idx", embedder=HashEmbedder(64)) as rec:
        rec.ingest([DATA / "creators.jsonl"])
    r = load.run(tmp_path / "idx", clients=5, seconds=3, max_requests=40, model="hash-64")
    assert r["requests"] > 10 and r["matches"] and r["upserts"]
    assert r["errors"] == 0
