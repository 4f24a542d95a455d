"""Distributed ingest on Ray: creator files into N shard indexes, embedded by a pool of actors.

    creator-match ingest FILES --ray [--address ADDR] --shards N --index DIR

- **Read and validate** (Ray Data): each JSON Lines file is a block read by a task, and every
  line is checked by the same code as a local ingest, so a rejected record is reported with its
  file, line, field and reason. CSV files are read together in one task (a posts file refers
  to creators of any creators file).
- **Embed** (Ray Data `map_batches` over a pool of actors, each loading the model once, one
  thread each): a record whose stored copy in its shard is identical is passed on untouched, and
  of a changed record only the texts its shard has never encoded are encoded.
- **Write**: each batch is committed to its shard as it arrives (vectors into the shard's text
  cache, then an ordinary upsert, which finds every text encoded), so a run that stops part way
  leaves whole batches, and running it again finishes the job: nothing is duplicated (an upsert
  replaces by id) and no text already written is encoded again.
- **Engagement norms**: at the end, each platform's and tier's median engagement is measured
  over all the shards and given to each (align_norms), so that a creator is compared with the
  same peers as in one index.

A creator goes to shard `shard_of(id, N)`: the first 8 bytes of the SHA-1 of its id, modulo N,
so an upsert of the same id always reaches the same shard. DIR holds `shard-00`, `shard-01`, …
(each an ordinary creator-match index) and `shards.json`, which fixes N.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import IngestRejected, InvalidInputError
from .ingest import read_files, read_json_array, read_jsonl, read_objects
from .norms import Group, peer_medians
from .records import Parsed, RecordError, rejected_records
from .schema import Creator

MANIFEST = "shards.json"
HASH = "sha1-64 mod N"


def shard_of(creator_id: str, shards: int) -> int:
    """The shard of a creator: stable across runs, machines and Python versions."""
    digest = hashlib.sha1(creator_id.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % shards


def shard_dirs(root: Path, shards: int | None = None) -> list[Path]:
    """The shard directories under root: those of its shards.json, or, for a new root, N new
    ones (shards.json written). A different N for an existing root is refused: resharding would
    move creators between shards."""
    manifest = root / MANIFEST
    if manifest.exists():
        try:
            spec = json.loads(manifest.read_text())
            names, stored = spec["shards"], len(spec["shards"])
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise InvalidInputError(f"{manifest}: not a shard manifest ({e})") from None
        if shards is not None and shards != stored:
            raise InvalidInputError(f"--shards: {root} holds {stored} shards, not {shards}; "
                                    f"ingest with --shards {stored}, or into a new directory")
        return [root / n for n in names]
    if shards is None:
        raise InvalidInputError(f"{root}: no {MANIFEST}; create the shards with --shards N")
    if shards < 1:
        raise InvalidInputError("--shards: at least 1")
    names = [f"shard-{i:02d}" for i in range(shards)]
    root.mkdir(parents=True, exist_ok=True)
    tmp = manifest.with_suffix(".tmp")
    tmp.write_text(json.dumps({"shards": names, "hash": HASH}, indent=2))
    os.replace(tmp, manifest)
    return [root / n for n in names]


@dataclass
class ShardedReport:
    shards: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    encoded_texts: int = 0  # by the actor pool
    written_encodes: int = 0  # by the writers: 0 unless a text was missing (a bug)
    seconds: float = 0.0
    read_seconds: float = 0.0  # reading and validating, before the embedding pool starts
    first_batch_seconds: float = 0.0  # from then until the first encoded batch came back
    posts: int = 0
    workers: int = 0
    languages_detected: int = 0  # as IngestReport's, summed over the shards' writes
    sponsored_by_caption: int = 0
    posts_without_caption: int = 0
    per_shard: list[dict[str, int]] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    # fields and columns left out as not in the ingest format (ignore_unknown), as
    # IngestReport's: name -> the records or rows they were left out of
    ignored: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        d = {k: v for k, v in self.__dict__.items() if k != "errors"}
        d["errors"] = [e.to_dict() for e in self.errors]
        return d


# -- the stages (plain functions of rows and batches, run by Ray) -------------------------------

def _rows_of(parsed: Parsed, shards: int) -> Iterator[dict[str, Any]]:
    for c in parsed.records:
        file, line = parsed.origins[c.id]
        yield {"kind": "record", "shard": shard_of(c.id, shards), "file": file, "line": line,
               "payload": c.model_dump_json()}
    for e in parsed.errors:
        yield {"kind": "error", "shard": -1, "file": e.file, "line": e.line,
               "payload": json.dumps(e.to_dict())}
    if parsed.ignored:
        yield {"kind": "ignored", "shard": -1, "file": "", "line": 0,
               "payload": json.dumps(parsed.ignored)}


def parse_file(row: dict[str, Any], shards: int, platform: str | None = None,
               ignore_unknown: bool = False) -> list[dict[str, Any]]:
    """One JSON Lines (or JSON array) file's records and errors, as rows; platform: that of
    every record that names none; ignore_unknown: leave out what the format does not have
    (Parsed)."""
    parsed = Parsed(platform=platform, ignore_unknown=ignore_unknown)
    path, data = str(row["path"]), bytes(row["bytes"])
    if path.lower().endswith(".json") and data.lstrip()[:1] == b"[":
        read_json_array(data, path, parsed)
    else:
        read_jsonl(data, path, parsed)
    return list(_rows_of(parsed, shards))


def parse_tables(paths: list[str], shards: int, platform: str | None = None,
                 ignore_unknown: bool = False) -> list[dict[str, Any]]:
    parsed = Parsed(platform=platform, ignore_unknown=ignore_unknown)
    read_files([(p, Path(p).read_bytes()) for p in paths], parsed)
    return list(_rows_of(parsed, shards))


class Encoder:
    """A Ray actor of the embedding pool: loads the model once, then encodes what its shards
    have never encoded."""

    def __init__(self, model: str, roots: list[str], threads: int = 1) -> None:
        os.environ["CREATOR_MATCH_ENCODER_THREADS"] = str(threads)
        from .embedding import make_embedder

        self.embedder = make_embedder(model)
        self.roots = [Path(r) for r in roots]
        self._catalogs: dict[int, Any] = {}

    def _catalog(self, shard: int) -> Any:
        if shard not in self._catalogs:
            from .storage.catalog import Catalog

            path = self.roots[shard] / "catalog.sqlite"
            self._catalogs[shard] = Catalog(path, read_only=True) if path.exists() else None
        return self._catalogs[shard]

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        from .indexer import creator_texts
        from .storage.catalog import record_hash
        from .storage.textcache import text_hash

        rows = [(int(shard), Creator.model_validate_json(payload))
                for shard, payload in zip(batch["shard"], batch["payload"], strict=True)]
        texts = [{text_hash(t): t for _, t in creator_texts(c)} for _, c in rows]
        # what each shard already holds: two queries a shard a batch, not two a record
        stored: dict[int, dict[str, str]] = {}
        known: dict[int, set[str]] = {}
        for shard in {s for s, _ in rows}:
            cat = self._catalog(shard)
            members = [i for i, (s, _) in enumerate(rows) if s == shard]
            stored[shard] = {} if cat is None else cat.record_hashes(
                [rows[i][1].id for i in members])
            known[shard] = set() if cat is None else cat.texts.known(
                [h for i in members for h in texts[i]])
        todo: dict[str, str] = {}  # text hash -> text, to encode
        per_row: list[tuple[int, list[str]]] = []
        for (shard, creator), hashes in zip(rows, texts, strict=True):
            if stored[shard].get(creator.id) == record_hash(creator):
                per_row.append((shard, []))  # unchanged: its shard skips it
                continue
            fresh = [h for h in hashes if h not in known[shard]]
            todo.update((h, hashes[h]) for h in fresh)
            per_row.append((shard, fresh))
        order = list(todo)
        vectors = (self.embedder.encode([todo[h] for h in order]) if order
                   else np.zeros((0, self.embedder.dim), np.float32))
        at = {h: i for i, h in enumerate(order)}
        out_hashes: list[str] = []
        out_vectors: list[bytes] = []
        seen: set[tuple[int, str]] = set()
        for shard, fresh in per_row:
            # each vector travels once a batch to each shard that needs it
            mine = [h for h in fresh if (shard, h) not in seen]
            seen.update((shard, h) for h in mine)
            out_hashes.append("\n".join(mine))
            out_vectors.append(np.asarray(vectors[[at[h] for h in mine]], np.float32).tobytes()
                               if mine else b"")
        return {"shard": batch["shard"], "payload": batch["payload"],
                "hashes": np.array(out_hashes, dtype=object),
                "vectors": np.array(out_vectors, dtype=object),
                "encoded": np.array([len(order)] + [0] * (len(per_row) - 1), dtype=np.int64)}


def align_norms(recs: list[Any]) -> int:
    """Every shard's engagement norms measured over all the shards (recommender/norms.py): a
    creator is compared with the creators of its platform and tier in the whole index, as in
    one index, not with those its shard happens to hold. Returns how many creators that
    rewrote."""
    rates: dict[Group, list[np.ndarray]] = {}
    for rec in recs:
        for group, r in rec.catalog.rates_by_group().items():
            rates.setdefault(group, []).append(r)
    given = peer_medians({g: np.concatenate(parts) for g, parts in rates.items()})
    return sum(rec.indexer.adopt_norms(given) for rec in recs)


# -- the driver ---------------------------------------------------------------------------------

def ingest(paths: Iterable[str | Path], root: str | Path, shards: int | None = None, *,
           address: str | None = None, workers: int | None = None, model: str | None = None,
           batch_size: int = 64, write_batch: int = 512, platform: str | None = None,
           ignore_unknown: bool = False, strict: bool = False,
           tiers: str | None = None) -> ShardedReport:
    """Ingest files into the shards under root on a Ray cluster (address: 'auto', host:port,
    or None for a local one started here). workers: the embedding actors (default: the
    cluster's CPUs). batch_size: records an actor encodes at a time; write_batch: about how
    many records are committed at a time (one commit per shard each), as soon as the actors
    have encoded them. platform: that of every record that names none (a file of one
    platform's accounts); ignore_unknown: leave out the fields and columns the format does
    not have; strict: write nothing when any record is bad (IngestRejected, raised before
    the embedding starts); tiers: the tier scheme of shards created now (tiers.py)."""
    try:
        import ray
    except ImportError:
        raise InvalidInputError("--ray needs Ray: pip install 'creator-match[ray]'") from None
    from .service import Recommender

    t0 = time.perf_counter()
    platform = Parsed(platform=platform).platform  # a platform this does not read: refused here
    files = [str(Path(p).resolve()) for p in paths]
    missing = [p for p in files if not Path(p).is_file()]
    if missing:  # before anything is created
        raise InvalidInputError(f"cannot read {', '.join(missing)}: no such file")
    root = Path(root)
    dirs = shard_dirs(root, shards)
    names = set()
    for d in dirs:  # each shard opened once here: created with the model, or checked against it
        with Recommender(d, model=model, create=True, tiers=tiers) as rec:
            names.add(rec.embedder.name)
    if len(names) != 1:
        raise InvalidInputError(f"{root}: its shards were built with different encoders "
                                f"({', '.join(sorted(names))})")
    model_name = names.pop()
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 configure_logging=False)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)  # a line per stage otherwise
    warnings.filterwarnings("ignore", message="Use 'expr' instead of 'fn'")
    n = len(dirs)
    table_formats = (".csv", ".xlsx")  # read together on the driver: posts attach across files
    jsonl = [p for p in files if not p.lower().endswith(table_formats)]
    tables = [p for p in files if p.lower().endswith(table_formats)]
    parts = []
    if jsonl:
        parts.append(ray.data.read_binary_files(jsonl, include_paths=True)
                     .flat_map(lambda row: parse_file(row, n, platform, ignore_unknown)))
    if tables:
        parts.append(ray.data.from_items(parse_tables(tables, n, platform, ignore_unknown)))
    rows = parts[0] if len(parts) == 1 else parts[0].union(*parts[1:])
    rows = rows.materialize()
    # everything but the embedding done before the actor pool starts: the pool may hold every
    # CPU of the cluster, and a task still waiting for one would wait for ever
    pool = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
    records = (rows.filter(lambda r: r["kind"] == "record")
               .select_columns(["shard", "payload"]).materialize())
    # blocks of about write_batch records: an actor encodes a block, and the block is committed
    # as soon as it comes back (so a run that stops keeps what it committed), with enough
    # blocks for every actor to stay busy to the end
    blocks = max(pool * 4, -(-records.count() // write_batch))
    records = records.repartition(blocks).materialize()
    report = ShardedReport(shards=n, workers=pool)
    for r in rows.filter(lambda r: r["kind"] == "error").take_all():
        e = json.loads(r["payload"])
        report.errors.append(RecordError(e["file"], e["line"], e["field"], e["reason"], e["id"]))
    report.errors.sort(key=lambda e: (e.file, e.line))
    report.rejected = rejected_records(report.errors)
    for r in rows.filter(lambda r: r["kind"] == "ignored").take_all():
        for name, times in json.loads(r["payload"]).items():
            report.ignored[name] = report.ignored.get(name, 0) + times
    if strict and report.errors:
        raise IngestRejected(report.errors)
    report.read_seconds = time.perf_counter() - t0
    encoded = (records.map_batches(Encoder, fn_constructor_kwargs={
                   "model": model_name, "roots": [str(d) for d in dirs]},
                   batch_size=batch_size, num_cpus=1, compute=ray.data.ActorPoolStrategy(
                       size=pool)))
    per_shard = [{"added": 0, "updated": 0, "unchanged": 0} for _ in dirs]
    recs = [Recommender(d, model=model_name, tiers=tiers) for d in dirs]
    try:
        t_pool = time.perf_counter()
        # a block at a time, as each comes back: a batch_size here would hold blocks back
        # until enough had come to fill one, and the commits would wait for the encoding
        for batch in encoded.iter_batches(batch_size=None, batch_format="numpy",
                                          prefetch_batches=0):
            if not report.first_batch_seconds:
                report.first_batch_seconds = time.perf_counter() - t_pool
            report.encoded_texts += int(np.sum(batch["encoded"]))
            by_shard: dict[int, tuple[list[Any], dict[str, np.ndarray]]] = {}
            for shard, payload, hashes, blob in zip(batch["shard"], batch["payload"],
                                                    batch["hashes"], batch["vectors"],
                                                    strict=True):
                records, vectors = by_shard.setdefault(int(shard), ([], {}))
                records.append(json.loads(payload))
                if hashes:
                    mat = np.frombuffer(blob, np.float32).reshape(-1, recs[0].embedder.dim)
                    vectors.update(zip(hashes.split("\n"), mat, strict=True))
            for shard, (records, vectors) in by_shard.items():
                r = recs[shard].ingest_parsed(read_objects(records, "ray"), known=vectors)
                report.written_encodes += r.encoded_texts
                report.posts += sum(len(x.get("posts", [])) for x in records)
                for k in ("languages_detected", "sponsored_by_caption", "posts_without_caption"):
                    setattr(report, k, getattr(report, k) + getattr(r, k))
                for k in ("added", "updated", "unchanged"):
                    per_shard[shard][k] += getattr(r, k)
        align_norms(recs)
    finally:
        for rec in recs:
            rec.close()
    report.per_shard = per_shard
    for k in ("added", "updated", "unchanged"):
        setattr(report, k, sum(s[k] for s in per_shard))
    report.seconds = time.perf_counter() - t0
    return report
