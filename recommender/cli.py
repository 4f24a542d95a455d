"""The creator-match command line: ingest, remove, match, similar, stats, check, demo, serve.

Exit status: 0 success; 1 some records were rejected (the rest were written); 2 bad usage or
input, nothing written; 3 the index cannot be used (locked, corrupt, other model).
Nothing heavy is imported until a command runs, so --help answers at once.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .arguments import build_parser
from .display import (
    format_plan,
    format_table,
    legend_text,
    print_matches,
    print_notes,
    print_report,
    write_plan_csv,
)

if TYPE_CHECKING:
    from .errors import IngestRejected

DATA = Path(__file__).parent / "data"
# A command-line write queues behind another writer's commit (its encoding holds no lock) for
# up to this long; the HTTP API answers 503 with Retry-After after the library's 10 s instead.
WRITER_WAIT_S = 300.0


def _ranker(args, tiers=None):
    from .ranking import Ranker, Weights

    weights = Weights.parse(args.weights) if args.weights else Weights()
    return Ranker(weights=weights, diversity=args.diversity)


def _open(args, create: bool = False, ranker=None, **kw):
    from .service import Recommender

    return Recommender(args.index, model=args.model, create=create, ranker=ranker, **kw)


def cmd_ingest_ray(args) -> int:
    from .distributed import ingest
    from .errors import IngestRejected

    try:
        report = ingest(args.paths, Path(args.index), args.shards, address=args.address,
                        workers=args.workers, model=args.model, platform=args.platform,
                        ignore_unknown=args.ignore_unknown, strict=args.strict,
                        tiers=args.tiers)
    except IngestRejected as e:
        return _rejected(e)
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
        print_notes(report)
    return 1 if report.rejected else 0


def _rejected(e: IngestRejected) -> int:
    """A strict ingest that found bad records: each named, and nothing written (exit 2)."""
    for err in e.errors:
        print(f"rejected: {err}", file=sys.stderr)
    print(f"error: {e}", file=sys.stderr)
    return 2


def cmd_ingest(args) -> int:
    from .errors import IngestRejected, InvalidInputError

    if args.ray:
        return cmd_ingest_ray(args)
    if args.shards or args.address or args.workers:
        raise InvalidInputError("--shards, --address and --workers go with --ray")

    with _open(args, create=True, tiers=args.tiers, lock_timeout=WRITER_WAIT_S) as rec:
        try:
            report = rec.ingest(args.paths, strict=args.strict, progress=not args.quiet,
                                ignore_unknown=args.ignore_unknown, platform=args.platform)
        except IngestRejected as e:
            return _rejected(e)
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


def _briefs_from_args(args) -> tuple[list, list[str] | None]:
    """(the briefs asked; when a file held a list of them, how an error names each: the file,
    its place and its name): --brief-file's JSON brief, or its JSON array of briefs, else the
    brief the options make."""
    if args.brief_file:
        try:
            raw = json.loads(args.brief_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"{args.brief_file}: cannot read a JSON brief: {e}") from None
        many = isinstance(raw, list)
        items = raw if many else [raw]
        if many and not items:
            raise ValueError(f"{args.brief_file}: an empty list: no brief to answer")
        if getattr(args, "k", None) is not None:
            for item in items:
                if isinstance(item, dict):
                    item["k"] = args.k
        if getattr(args, "ignore_unknown", False):
            _leave_out_unknown(items)
        sources = [f"{args.brief_file}" + (f": brief {n}" + (
            f" ({_label(item)})" if _label(item) else "") if many else "")
            for n, item in enumerate(items, start=1)]
    else:
        filters = {"tiers": args.tier, "countries": args.country, "languages": args.language,
                   "platforms": args.platform, "categories": args.category,
                   "min_followers": args.min_followers, "max_followers": args.max_followers,
                   "min_engagement_rate": args.min_engagement, "exclude_ids": args.exclude}
        raw = {"brief": args.brief, "values": args.values, "objective": args.objective,
               "filters": {k: v for k, v in filters.items() if v is not None}}
        if getattr(args, "k", None) is not None:
            raw["k"] = args.k
        many, items, sources = False, [raw], ["arguments"]
    briefs, lines = [], []
    for item, source in zip(items, sources, strict=True):
        brief, errors = _validated(item, source)
        briefs.append(brief)
        lines += errors
    if lines:
        raise ValueError("\n".join(lines))
    return briefs, sources if many else None


def _label(item: object) -> str | None:
    """How an error names a brief of a list: its name, else its id."""
    if not isinstance(item, dict):
        return None
    for key in ("name", "id"):
        if isinstance(item.get(key), str | int) and not isinstance(item.get(key), bool):
            return str(item[key])
    return None


def _leave_out_unknown(items: list) -> None:
    """The fields a brief does not have taken out of each brief of items (another tool's:
    "split", "judging"), named on standard error with the number of briefs they were in."""
    from .schema import Brief

    left: dict[str, int] = {}
    for item in items:
        if isinstance(item, dict):
            for key in [k for k in item if k not in Brief.model_fields]:
                del item[key]
                left[key] = left.get(key, 0) + 1
    if left:
        print("note: left out, not fields of a brief: " + ", ".join(
            f"{k} ({n} brief{'s' if n > 1 else ''})" for k, n in sorted(left.items())),
            file=sys.stderr)


def _validated(raw: object, source: str) -> tuple[Any, list[str]]:
    """(the Brief raw makes, None when it makes none; the lines naming what is wrong in it)."""
    from pydantic import ValidationError

    from .records import said
    from .schema import Brief, unknown_field_hint

    try:
        return Brief.model_validate(raw), []
    except ValidationError as e:
        hint = "; to leave out what a brief does not have: --ignore-unknown" \
            if source != "arguments" else ""
        return None, [f"{source}: {'.'.join(map(str, err['loc'])) or 'brief'}: "
                      + (f"not a field of a brief ({unknown_field_hint(err, Brief)}){hint}"
                         if err["type"] == "extra_forbidden" else said(err))
                      for err in e.errors()]


def cmd_match(args) -> int:
    from .errors import InvalidInputError
    from .notes import of_brief

    briefs, labels = _briefs_from_args(args)
    answers = []
    with _open(args, ranker=_ranker(args)) as rec:
        for n, brief in enumerate(briefs):
            try:
                matches = rec.match(brief)
            except InvalidInputError as e:  # a filter value the index does not hold
                if labels is None:
                    raise
                raise InvalidInputError(f"{labels[n]}: {e}") from None
            notes = of_brief(brief, rec.tiers.names) + [
                note for note in (rec.encoder_note(), rec.unknown_note(brief.filters)) if note]
            unknown = rec.unknown(brief.filters.exclude_ids or [])
            if unknown:
                notes.append(f"--exclude: no creator with id or handle {', '.join(unknown)}; "
                             "nothing was left out for it")
            answers.append((brief, matches, notes,
                            rec.why_empty(brief.filters) if not matches else ""))
    if labels is None:
        brief, matches, notes, why = answers[0]
        print_matches(matches, args.json)
        for note in notes:
            print(f"note: {note}", file=sys.stderr)
        if why:
            print(why, file=sys.stderr)
        return 0
    if args.json:  # one object per brief, in the file's order, with what the notes say
        print(json.dumps({"answers": [
            {"id": b.id, "name": b.name, "brief": b.brief,
             "matches": [m.model_dump(mode="json") for m in matches],
             "notes": notes + ([why] if why else [])}
            for b, matches, notes, why in answers]}, indent=2, ensure_ascii=False))
        return 0
    for n, (brief, matches, notes, why) in enumerate(answers, start=1):
        print(f"brief {n}: {brief.name or brief.id or brief.brief}")
        print((format_table(matches, legend=False) if matches else why) + "\n")
        for note in notes:
            print(f"note: brief {n}: {note}", file=sys.stderr)
    print(legend_text())
    return 0


def cmd_plan(args) -> int:
    briefs, labels = _briefs_from_args(args)
    if labels is not None:
        raise ValueError(f"{args.brief_file}: {len(briefs)} briefs; a plan is made for one "
                         "brief at a time: give a file of one brief object")
    brief = briefs[0]
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
        stats = rec.stats()
        if stats["to_ingest_again"]:
            print(f"note: {stats['to_ingest_again']} creators were encoded with hashtags that "
                  "none of their captions bears out, before such hashtags were left unread; "
                  "ingest their records again to encode them without (README: Flags)")
        print(f"ok: {len(rec)} creators, {stats['cached_texts']} cached texts, "
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
            brief = Brief.model_validate(b)
            matches = rec.match(brief)
            if args.json:
                out.append({"name": brief.name, "brief": {k: v for k, v in b.items()
                                                          if k != "name"},
                            "matches": [m.model_dump(mode="json") for m in matches]})
                continue
            print(f"\n== {brief.name}\n   brief: {brief.brief}"
                  + (f"\n   values: {brief.values}" if brief.values else "")
                  + f"\n   objective: {brief.objective or '-'}   filters: "
                  + json.dumps(brief.filters.model_dump(exclude_none=True)))
            print(format_table(matches))
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print(f"\nTry: creator-match match --index {args.index} --brief \"...\" --objective ugc")
    return 0


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
