"""The command line, in-process, with the fast fake encoder (CREATOR_MATCH_MODEL=hash-64)."""

import json
import subprocess
import sys

import pytest
from conftest import creator, write_jsonl

from recommender.cli import main


@pytest.fixture
def cli(monkeypatch, capsys):
    monkeypatch.setenv("CREATOR_MATCH_MODEL", "hash-64")

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_ingest_match_similar_remove(cli, tmp_path):
    f = write_jsonl(tmp_path / "c.jsonl", [creator("a", "zero waste shampoo"),
                                           creator("b", "fps gaming", followers=300_000)])
    code, out, _ = cli("ingest", f, "--index", tmp_path / "idx", "--quiet")
    assert code == 0 and "added 2, updated 0, unchanged 0, rejected 0" in out
    code, out, _ = cli("match", "--index", tmp_path / "idx", "--brief", "zero waste shampoo",
                       "--objective", "ugc", "--json")
    body = json.loads(out)
    assert code == 0 and [m["creator_id"] for m in body["matches"]] == ["a", "b"]
    assert {"score", "components", "evidence", "flags", "tier"} <= set(body["matches"][0])
    code, out, _ = cli("match", "--index", tmp_path / "idx", "--brief", "x", "--tier", "macro",
                       "--platform", "instagram", "--min-followers", "1000", "--k", "5")
    assert code == 0 and "@b" in out and "@a" not in out
    code, out, _ = cli("similar", "a", "--index", tmp_path / "idx", "--json")
    assert [m["creator_id"] for m in json.loads(out)["matches"]] == ["b"]
    code, out, _ = cli("remove", "a", "zz", "--index", tmp_path / "idx")
    assert code == 1 and "removed 1; not found: zz" in out
    code, out, _ = cli("stats", "--index", tmp_path / "idx")
    assert json.loads(out)["creators"] == 1
    code, out, _ = cli("check", "--index", tmp_path / "idx")
    assert code == 0 and out.startswith("ok: 1 creators")


def test_brief_file_and_bad_briefs(cli, tmp_path):
    cli("ingest", write_jsonl(tmp_path / "c.jsonl", [creator("a")]), "--index", tmp_path / "i")
    bf = tmp_path / "brief.json"
    bf.write_text(json.dumps({"brief": "shampoo", "objective": "ugc",
                              "filters": {"countries": ["FR"], "exclude_ids": ["a"]}}))
    code, out, _ = cli("match", "--index", tmp_path / "i", "--brief-file", bf, "--json")
    assert code == 0 and json.loads(out) == {"matches": []}
    bf.write_text(json.dumps({"brief": "shampoo", "objective": "fame", "k": 0}))
    code, _, err = cli("match", "--index", tmp_path / "i", "--brief-file", bf)
    assert code == 2 and "objective" in err and "k:" in err
    code, _, err = cli("match", "--index", tmp_path / "i", "--brief", "x", "--tier", "mega")
    assert code == 2 and "unknown tier 'mega'" in err
    code, _, err = cli("match", "--index", tmp_path / "nothing", "--brief", "x")
    assert code == 2 and "no index at" in err


def test_bad_file_reports_lines_and_keeps_index(cli, tmp_path):
    idx = tmp_path / "idx"
    cli("ingest", write_jsonl(tmp_path / "ok.jsonl", [creator("a")]), "--index", idx)
    before = (idx / "manifest.json").read_text()
    bad = write_jsonl(tmp_path / "bad.jsonl", [creator("b"), "{", creator("c", followers=-1)])
    code, _, err = cli("ingest", bad, "--index", idx, "--strict")
    assert code == 2 and f"{bad}:2" in err and f"{bad}:3 (id c): followers" in err
    assert "nothing was written" in err
    assert (idx / "manifest.json").read_text() == before
    code, out, err = cli("ingest", bad, "--index", idx)
    assert code == 1 and "added 1" in out and "rejected 2" in out and f"{bad}:2" in err


def test_model_mismatch_exit_code(cli, tmp_path):
    cli("ingest", write_jsonl(tmp_path / "c.jsonl", [creator("a")]), "--index", tmp_path / "i")
    code, _, err = cli("match", "--index", tmp_path / "i", "--brief", "x", "--model", "hash-32")
    assert code == 3 and "hash-64" in err and "hash-32" in err


def test_help_is_instant_and_light():
    """--help must not import torch, faiss or sentence-transformers."""
    code = ("import sys; from recommender.cli import build_parser; build_parser(); "
            "import recommender; "
            "bad = [m for m in ('torch', 'faiss', 'sentence_transformers') if m in sys.modules]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
