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
    with Recommender(tmp_path / "idx", create=True, embedder=HashEmbedder(64)) as rec:
        rec.ingest([DATA / "creators.jsonl"])
    # bounded by request count, not by time: the same 40 requests (seeded: 38 matches, 2
    # upserts) run on any machine; the time bound is only a safety net
    r = load.run(tmp_path / "idx", clients=5, seconds=300, max_requests=8, model="hash-64")
    assert (r["requests"], r["matches"], r["upserts"], r["errors"]) == (40, 38, 2, 0)
