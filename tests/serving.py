"""A real `creator-match serve` in a child process, on 127.0.0.1 and a free port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, index: Path, env: dict | None = None, model: str | None = "hash-64",
                 workers: int = 1, shards: list[Path] | None = None) -> None:
        """model: the encoder (default the hashing one of the fast tests); None: the index's.
        shards: serve these shards as one (--shards) instead of the index."""
        self.index, self.port, self.workers = index, free_port(), workers
        self.shards = shards
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {})}
        self.env.pop("CREATOR_MATCH_MODEL", None)
        if model:
            self.env["CREATOR_MATCH_MODEL"] = model
        self.proc: subprocess.Popen | None = None
        self.output = ""

    def start(self) -> Server:
        # the installed console script: `python -m` would put the working directory first on
        # sys.path, where a folder named like a package (an index called "index") shadows it
        script = Path(sys.executable).with_name("creator-match")
        self.proc = subprocess.Popen(
            [str(script), "serve",
             *(["--shards", ",".join(map(str, self.shards))] if self.shards
               else ["--index", str(self.index)]),
             "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stdout.read()}")
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("server did not start in 60 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                out, _ = self.proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                out, _ = self.proc.communicate()
            self.output += out or ""
