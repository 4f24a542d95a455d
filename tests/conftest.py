"""Shared fixtures: a fake deterministic encoder for fast tests, the real model built once."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from recommender.embedding import HashEmbedder
from recommender.schema import Filters

DATA = Path(__file__).resolve().parents[1] / "recommender" / "data"
# SQL taking a catalog back to before migration step 5 (row checksums) and 6 (the handle
# index), to test older catalogs
BEFORE_STEP_5 = ("ALTER TABLE creators DROP COLUMN checksum;"
                 " ALTER TABLE text_vectors DROP COLUMN checksum;"
                 " DROP INDEX creators_handle;")


class CountingEmbedder(HashEmbedder):
    """The hashing embedder, counting every text it is asked to encode."""

    def __init__(self, dim: int = 64) -> None:
        super().__init__(dim)
        self.encoded: list[str] = []

    def encode(self, texts):
        self.encoded.extend(texts)
        return super().encode(texts)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    monkeypatch.delenv("CREATOR_MATCH_INDEX", raising=False)
    monkeypatch.delenv("CREATOR_MATCH_MODEL", raising=False)
    monkeypatch.delenv("CREATOR_MATCH_QUERY_PRECISION", raising=False)
    monkeypatch.delenv("CREATOR_MATCH_SHARDS", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


def creator(cid: str, text: str = "zero waste shampoo bar", followers: int = 4200, **kw) -> dict:
    """A valid creator record with three posts; keyword arguments override fields."""
    rec = {
        "id": cid, "handle": f"@{cid}", "platform": "instagram", "followers": followers,
        "country": "FR", "language": "fr", "categories": ["beauty"], "bio": f"bio {text}",
        "posts": [{"id": f"p{i}", "text": f"{text} post {i}", "likes": followers // 20,
                   "comments": followers // 400, "shares": 1, "sponsored": False}
                  for i in range(3)],
    }
    rec.update(kw)
    return rec


def write_jsonl(path: Path, records: list) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n")
    return path


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory):
    """A fresh ONNX export cache for this run (the export itself is under test)."""
    path = tmp_path_factory.mktemp("onnx-cache")
    os.environ["CREATOR_MATCH_CACHE"] = str(path)
    return path


@pytest.fixture(scope="session")
def real_model(onnx_cache):
    """The packaged all-MiniLM-L6-v2 on the default path (auto), loaded once for every
    end-to-end test."""
    from recommender.embedding import SentenceTransformerEmbedder

    os.environ["HF_HUB_OFFLINE"] = "1"
    emb = SentenceTransformerEmbedder()
    emb.encode(["warm up"])
    return emb


@pytest.fixture(scope="session")
def default_model():
    """The default encoder of a new index (USE-multilingual v3), loaded once."""
    from recommender.embedding import make_embedder

    emb = make_embedder(None)
    emb.encode(["warm up"])
    return emb


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, default_model):
    """The bundled sample ingested once with the default encoder, as a new user gets it."""
    from recommender.service import Recommender

    path = tmp_path_factory.mktemp("sample") / "index"
    rec = Recommender(path, create=True, embedder=default_model)
    report = rec.ingest([DATA / "creators.jsonl"])
    assert report.rejected == 0 and report.added >= 300
    yield rec
    rec.close()


def unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def ids_of(matches):
    return [m.creator_id for m in matches]


def snapshot(path):
    """Everything a reader sees of an index: manifest, vectors file and catalog content."""
    m = json.loads((path / "manifest.json").read_text())
    from recommender.service import Recommender

    rec = Recommender(path, create=True, embedder=HashEmbedder())
    try:
        state = {cid: rec.get(cid)["record"] for cid in
                 sorted(r.id for r in rec.catalog.rows(rec.catalog.filters.candidates(
                     Filters(min_followers=0))).values())}
        return m, (path / m["index_file"]).read_bytes(), state
    finally:
        rec.close()


def assert_bm25_equals_fts5(rec, texts):
    """BM25 from the stored term vectors equals FTS5's own bm25() for each text."""
    from recommender.evaluation.systems import bm25

    for text in texts:
        terms, vids, scores = bm25(rec.catalog, text, 30)
        q = rec.catalog.lexical.query(text)
        assert q.terms == terms and len(vids)
        assert np.allclose(rec.catalog.lexical.scores(q, vids), scores, rtol=1e-5)


@pytest.fixture(scope="session")
def minilm_index(tmp_path_factory, real_model):
    """The bundled sample ingested once with all-MiniLM-L6-v2 (its int8 brief path)."""
    from recommender.service import Recommender

    path = tmp_path_factory.mktemp("sample-minilm") / "index"
    rec = Recommender(path, create=True, embedder=real_model)
    rec.ingest([DATA / "creators.jsonl"])
    yield rec
    rec.close()


@pytest.fixture
def cli(monkeypatch, capsys):
    """Run the command line in-process with the hashing encoder: (exit code, stdout, stderr)."""
    from recommender.cli import main

    monkeypatch.setenv("CREATOR_MATCH_MODEL", "hash-64")

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run
