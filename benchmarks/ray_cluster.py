"""A Ray cluster on loopback for the tests and the benchmark: a head and more nodes started
with `ray start` on 127.0.0.1, each with its own CPUs; the caller's driver connected."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _raylets() -> list[int]:
    """The pids of the Ray nodes (raylets) running on this machine (Linux /proc)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if "raylet" in (entry / "comm").read_text():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@contextmanager
def local_cluster(nodes: int = 2, cpus_per_node: int = 1) -> Iterator[str]:
    """Yields the head's address once the driver is connected to every node; stops them all
    after. `ray stop` stops every Ray process of the machine, so a machine already running a
    Ray node is refused rather than have it stopped."""
    import ray

    cli = str(Path(sys.executable).with_name("ray"))
    port = _free_port()
    # loopback only; the driver read its auth mode when it imported ray
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
    common = ["--node-ip-address", "127.0.0.1", "--num-cpus", str(cpus_per_node),
              "--disable-usage-stats"]
    if _raylets():
        raise RuntimeError("a Ray node already runs on this machine; the local cluster is "
                           "stopped with `ray stop`, which would stop it too: stop it first")
    try:
        subprocess.run([cli, "start", "--head", "--port", str(port), "--include-dashboard",
                        "false", *common], env=env, check=True, capture_output=True, timeout=180)
        for _ in range(nodes - 1):
            subprocess.run([cli, "start", "--address", f"127.0.0.1:{port}", *common], env=env,
                           check=True, capture_output=True, timeout=180)
        ray.init(address=f"127.0.0.1:{port}", include_dashboard=False, log_to_driver=False,
                 configure_logging=False)
        alive = [n for n in ray.nodes() if n["Alive"]]
        if len(alive) != nodes:
            raise RuntimeError(f"{len(alive)} of {nodes} Ray nodes came up")
        yield f"127.0.0.1:{port}"
    finally:
        if ray.is_initialized():
            ray.shutdown()
        subprocess.run([cli, "stop", "--force"], check=False, env=env, capture_output=True,
                   timeout=120)
