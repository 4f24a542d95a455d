"""`serve --workers N`: N server processes on one port, each with a listening socket of its own.

One Python process runs one thread at a time, so a match-heavy server uses one core. Worker
processes use them all. uvicorn's own workers share one listening socket, and an idle worker's
event loop accepts every waiting connection in one go: with keep-alive clients, most of them
stay on one worker (measured: 4 and 16 clients on 2 workers gained nothing, 64 gained 2x). Here
each worker binds the port with SO_REUSEPORT, and the kernel spreads new connections over the
workers' sockets by their addresses. This process only starts the workers, restarts one that
dies, and stops them all on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
import threading
import time
from typing import Any

from recommender.errors import InvalidInputError

EARLY_EXIT_S = 60.0  # a worker that dies sooner after its start is broken, not unlucky


def tcp_socket(host: str, port: int, reuse_port: bool = False) -> socket.socket:
    """A listening socket for uvicorn, made with proto IPPROTO_TCP. uvicorn's own
    (Config.bind_socket) leaves proto 0; asyncio then never sets TCP_NODELAY on the accepted
    connections, and every keep-alive request waits ~40 ms on the client's delayed ACK
    (uvicorn issue 3149: 44 ms for GET /v1/me here, against 1.3 ms in one process)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise InvalidInputError(f"--port: cannot listen on {host}:{port} ({e.strerror})"
                                ) from None
    sock.set_inheritable(True)
    return sock


def _worker(host: str, port: int) -> None:
    import uvicorn

    sock = tcp_socket(host, port, reuse_port=True)
    config = uvicorn.Config("api.server:worker_app", factory=True, host=host, port=port,
                            log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])


def run(host: str, port: int, workers: int) -> int:
    """Start the workers and keep them running until SIGTERM or Ctrl-C; 1 if one of them
    cannot start."""
    if not hasattr(socket, "SO_REUSEPORT"):  # Windows: uvicorn's shared socket
        import uvicorn
        from uvicorn.supervisors import Multiprocess

        config = uvicorn.Config("api.server:worker_app", factory=True, workers=workers,
                                host=host, port=port, log_level="warning")
        Multiprocess(config, sockets=[tcp_socket(host, port)]).run()
        return 0
    tcp_socket(host, port, reuse_port=True).close()  # the port is free (or ours): say so now
    ctx = multiprocessing.get_context("spawn")
    stop = threading.Event()

    def start() -> tuple[Any, float]:
        p = ctx.Process(target=_worker, args=(host, port), daemon=False)
        p.start()
        return p, time.monotonic()

    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGTERM,
                                                                       signal.SIGINT)}
    procs = [start() for _ in range(workers)]
    code = 0
    try:
        while not stop.wait(0.5):
            for i, (p, started) in enumerate(procs):
                if p.is_alive():
                    continue
                if time.monotonic() - started < EARLY_EXIT_S:
                    print(f"creator-match: worker {i + 1} exited ({p.exitcode}) while "
                          "starting; stopping the others", file=sys.stderr, flush=True)
                    code = 1
                    stop.set()
                    break
                print(f"creator-match: worker {i + 1} exited ({p.exitcode}); starting another",
                      file=sys.stderr, flush=True)
                procs[i] = start()
    finally:
        for p, _ in procs:
            if p.is_alive():
                p.terminate()  # uvicorn finishes the requests in flight, then exits
        for p, _ in procs:
            p.join(30)
            if p.is_alive():
                p.kill()
                p.join()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return code
