"""The README works as written: CI runs its test command, its Python runs, the tour's commands
succeed on the demo index, and every other command line is one the CLI accepts."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from recommender.cli import build_parser
from recommender.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def commands(block: str) -> list[list[str]]:
    """The creator-match invocations of a shell block, as argument lists."""
    out = []
    for line in block.splitlines():
        for part in line.split("&&"):
            words = shlex.split(part, comments=True)
            if words and Path(words[0]).name == "creator-match":
                out.append(words[1:])
    return out


def section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_ci_runs_the_readme_test_command():
    setup = blocks("bash")[:2]
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert setup[1].strip() == ci
    assert "pytest" in ci and "ruff check" in ci and "mypy" in ci


def test_the_python_examples_run(tmp_path, monkeypatch):
    monkeypatch.setenv("CREATOR_MATCH_MODEL", "hash-64")
    shutil.copy(ROOT / "recommender" / "data" / "creators.jsonl", tmp_path / "creators.jsonl")
    for code in blocks("python"):
        exec(compile(code, "README.md", "exec"), {})  # our own documentation


def test_the_tour_works_on_the_demo_index(tmp_path, monkeypatch, capsys):
    """The tour's commands, in order, after the demo (built with the fake encoder)."""
    (tmp_path / "recommender").symlink_to(ROOT / "recommender")
    monkeypatch.setenv("CREATOR_MATCH_MODEL", "hash-64")
    assert cli_main(["demo"]) == 0
    tour = [c for block in blocks("bash") if block in section("A five-minute tour")
            for c in commands(block)]
    assert len(tour) == 5
    for argv in tour:
        assert cli_main(argv) == 0, argv
    out = capsys.readouterr().out
    assert "ok" in out and "added 360" in out


@pytest.mark.parametrize("argv", [c for b in blocks("bash") for c in commands(b)],
                         ids=lambda a: " ".join(a[:2]))
def test_every_command_line_is_accepted(argv):
    if argv[0] in ("bench", "eval"):
        return  # their own parsers; the benchmark's and eval's tests run them
    build_parser().parse_args(argv)
