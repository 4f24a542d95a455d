"""`creator-match serve`: open the index, load or create API keys, run uvicorn."""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from recommender.errors import InvalidInputError

if TYPE_CHECKING:
    from fastapi import FastAPI

    from .auth import LiveKeys
    from .settings import Settings

M_ARENA_MAX = -8  # glibc's mallopt parameter


def bound_malloc_arenas(arenas: int) -> bool:
    """Cap glibc's malloc arenas for the threads created from now on; True if set.

    glibc gives a thread that allocates while another holds an arena an arena of its own, up to
    8 per core. Under load the server's 40 worker threads each allocate and free megabytes (a
    snapshot's bytes, request bodies) and every arena keeps its own fragments: in the load test
    (50 clients, 10% upserts, 2 cores) anonymous memory grew 1.2 MB/s without a cap and leveled
    off at +17 MB with 2 arenas, at the same throughput. MALLOC_ARENA_MAX, when set, decides."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (musl, macOS): its allocator has no such arenas
        return False
    return bool(libc.mallopt(M_ARENA_MAX, arenas))


def load_keys(settings: Settings) -> LiveKeys:
    """Keys from CREATOR_MATCH_API_KEYS and the keys file (read again when it changes); with
    none, create a write key, print it once and keep only its hash in the keys file."""
    from .auth import KeyStore, LiveKeys

    env = KeyStore.from_env(settings.api_keys)
    if not len(env) and not len(KeyStore.load(settings.keys_path)):
        first = KeyStore()
        key = first.create("write", name="first-write-key")
        first.save(settings.keys_path)
        print(f"No API key was configured. Created a write key (shown once, only its hash is "
              f"kept in {settings.keys_path}):\n\n    {key}\n", flush=True)
    return LiveKeys(env, settings.keys_path)


def serve(index: str | Path | None, host: str = "127.0.0.1", port: int = 8000,
          model: str | None = None, keys_file: str | None = None, workers: int = 1,
          shards: list[str] | None = None, ray_address: str | None = None, replicas: int = 1,
          replica_cpus: float = 1.0, shared_replicas: bool = False) -> int:
    """Serve one index (with `workers` processes), or a set of shards (sharding.py): in this
    process, or as Ray actors on the cluster at ray_address with `replicas` per shard."""
    import uvicorn

    from recommender.embedding import usable_cores
    from recommender.service import Recommender

    from .settings import Settings

    if shards:
        if workers > 1 and ray_address:
            raise InvalidInputError("--workers with --ray: each worker would start its own "
                                    "replicas; run one coordinator a machine and add "
                                    "--replicas for throughput")
        index = index or shards[0]  # where the keys file lives by default
    elif ray_address or replicas > 1:
        raise InvalidInputError("--ray and --replicas serve shards: give --shards DIR,DIR,...")
    if index is None:
        raise InvalidInputError("--index: give the index directory (or --shards)")
    settings = (Settings(index=Path(index), model=model, keys_file=Path(keys_file))
                if keys_file else Settings(index=Path(index), model=model))
    if workers > 1:
        if port == 0:
            raise InvalidInputError("--port: give a port number with --workers (0 would give "
                                    "each worker a different one)")
        # N processes on one port, past the GIL: this one checks the index and the keys, then
        # each worker opens the index (or the shards) itself (worker_app) from these settings
        if shards:
            from recommender.sharding import ShardedRecommender, shard_paths

            paths = [str(p.resolve()) for p in shard_paths(shards)]
            with ShardedRecommender(paths, model=settings.model or None) as many:
                size, name = len(many), many.embedder.name
            os.environ["CREATOR_MATCH_SHARDS"] = ",".join(paths)
        else:
            with Recommender(settings.index, model=settings.model or None, create=True) as one:
                size, name = len(one), one.embedder.name
        load_keys(settings)
        os.environ.update({"CREATOR_MATCH_INDEX": str(settings.index.resolve()),
                           "CREATOR_MATCH_KEYS_FILE": str(settings.keys_path.resolve()),
                           # each worker's encoder gets its share of the cores
                           "CREATOR_MATCH_ENCODER_THREADS": str(
                               max(1, usable_cores() // workers))})
        if settings.model:
            os.environ["CREATOR_MATCH_MODEL"] = settings.model
        _announce(f"{len(shards)} shards" if shards else settings.index, size, name, host,
                  port, workers)
        from . import workers as processes

        return processes.run(host, port, workers)

    bound_malloc_arenas(max(2, usable_cores()))  # before any worker thread exists
    from recommender.sharding import ShardedRecommender

    from .app import create_app

    rec: Recommender | ShardedRecommender
    if shards:
        rec = ShardedRecommender(shards, model=settings.model or None, ray_address=ray_address,
                                 replicas=replicas, replica_cpus=replica_cpus,
                                 shared_replicas=shared_replicas)
    else:
        rec = Recommender(settings.index, model=settings.model or None, create=True)
    # load and run the model once before the port opens: the first request would otherwise
    # wait seconds for it, and /v1/health answers only once this is done (ready)
    rec.match({"brief": "warm up", "k": 1})
    keys = load_keys(settings)
    app = create_app(rec, keys, settings)
    where = (f"{len(rec.paths)} shards ({', '.join(str(p) for p in rec.paths)})"
             + (f" on Ray at {ray_address}, {replicas} replica(s) each" if ray_address else "")
             if isinstance(rec, ShardedRecommender) else str(settings.index))
    _announce(where, len(rec), rec.embedder.name, host, port, 1)
    uvicorn.run(app, host=host, port=port, log_level="warning")
    rec.close()
    return 0


def _announce(index: Path | str, size: int, model: str, host: str, port: int, workers: int) -> None:
    many = f", {workers} worker processes" if workers > 1 else ""
    print(f"creator-match serving {index} ({size} creators, model {model}{many}) on "
          f"http://{host}:{port}: the planner's page at /, the API at /v1, its documentation "
          "at /docs", file=sys.stderr, flush=True)


def worker_app() -> FastAPI:
    """One worker process of `serve --workers N`: its own Recommender on the shared index
    (writes between processes take the index's writer lock; readers see them on their next
    request), or its own ShardedRecommender on the shards, warmed up before it accepts a
    request."""
    import atexit

    from recommender.embedding import usable_cores
    from recommender.service import Recommender
    from recommender.sharding import ShardedRecommender

    from .app import create_app
    from .auth import KeyStore, LiveKeys
    from .settings import Settings

    bound_malloc_arenas(max(2, usable_cores()))
    settings = Settings()  # type: ignore[call-arg]  # from the environment serve() set
    rec: Recommender | ShardedRecommender
    if settings.shards:
        rec = ShardedRecommender(settings.shards.split(","), model=settings.model or None)
    else:
        rec = Recommender(settings.index, model=settings.model or None)
    atexit.register(rec.close)
    rec.match({"brief": "warm up", "k": 1})
    keys = LiveKeys(KeyStore.from_env(settings.api_keys), settings.keys_path)
    return create_app(rec, keys, settings)
