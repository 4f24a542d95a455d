"""creator-match eval: relevance on the labelled set, beside the baselines a planner would use.

Every system answers every brief of the set (each brief filtered on its own language, as a
planner would) with its top 50; pytrec_eval (trec_eval's measures) scores the runs against the
graded judgments: nDCG@10 with the grades as gains, Recall@50 and MRR counting grades >= 2 as
relevant. Two shares of the top 10 come beside them: creators in the tier the objective calls for
and creators the generator made inflated or saturated ("flagged").

Systems, all over the same index and the same model:
  creator-match            the ranker with its default weights (hybrid: dense + BM25 keywords)
  creator-match dense      the same ranker with the keywords weight at 0 (no lexical index);
                           with --tune, the best weights found with keywords held at 0
  similarity only          cosine of the brief + values vector with each creator, exact
  similarity only (E)      the same as encoder E reads the set (--similarity-with: by default
                           the other packaged encoder, use-m3 or minilm)
  BM25                     the lexical index alone, on the brief and values
  hybrid RRF               reciprocal-rank fusion (k=60) of similarity only and BM25
  popularity               most followers first
  random                   a seeded shuffle

--tune searches a small grid of the ranker's knobs on the dev briefs of every set given and
chooses the point of least regret: the smallest largest fall below a set's best point, over
the sets (a default that wins one set by losing the other is not chosen); it reports the test
briefs with the weights found, and where the package's
defaults (chosen for stated reasons, ranking.Weights) rank on the same grid. The grid is
ranked quickly (each brief's candidates re-combined in numpy); its best few are then answered
by matching itself, and the choice is made, and every figure given, on those answers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from ..ingest import read_paths
from ..ranking import Ranker, Weights
from . import dataset
from .dataset import EvalSet
from .metrics import Scorer, _pytrec, paired, summarise
from .report import markdown, plot, set_label
from .systems import OtherEncoder, run_systems
from .tuning import Checked, brief_scores, choose, cross_validate, grid_scores

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from ..service import Recommender


def evaluate(rec, es: EvalSet, split: str | None = None, seed: int = 0,
             dense_weights: Weights | None = None, others: Sequence[OtherEncoder] = ()
             ) -> dict:
    """{split: {system: {group: {metric: value}}}} plus per-brief figures; others add the
    similarity-only baseline of each other encoder."""
    splits = ["dev", "test"] if split in (None, "all") else [split]
    creators = read_paths([es.creators]).records if others else []
    runs = run_systems(rec, es.split(None if split in (None, "all") else split), seed=seed,
                       dense_weights=dense_weights, others=others, creators=creators)
    result: dict = {"splits": {}, "per_brief": {}}
    for sp in splits:
        briefs = es.split(sp)
        if not briefs:
            continue
        scorer = Scorer(es, briefs)
        result["splits"][sp] = {}
        for system, run in runs.items():
            pb = scorer.per_brief({b["id"]: run[b["id"]] for b in briefs})
            result["splits"][sp][system] = summarise(pb, briefs)
            for q, m in pb.items():
                result["per_brief"].setdefault(q, {})[system] = m
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="creator-match eval", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", action="append", default=None,
                   help="evaluation set directory; repeat for several (default: the three "
                        "packaged sets, 'generator', 'stances' and 'feeds')")
    p.add_argument("--index", default=None, help="index directory to build or reuse, with one "
                   "set only (default: a temporary one per set)")
    p.add_argument("--model", default=None, help="embedding model name or path")
    p.add_argument("--weights", default=None, help="ranker weights, e.g. 'similarity=0.4'")
    p.add_argument("--split", choices=["dev", "test", "all"], default="all")
    p.add_argument("--tune", action="store_true", help="search the weights on the dev briefs "
                   "of every set given, choose the grid point of least regret over the sets, then "
                   "evaluate every set with it")
    p.add_argument("--cv", action="store_true", help="cross-validate the weight search across "
                   "niches: leave each set's niche family out, search the grid on the rest "
                   "(every set, both splits), score the held-out niche; beside the defaults")
    p.add_argument("--thin", type=float, default=None, metavar="SHARE",
                   help="also evaluate each set with only this share of its creators (seeded "
                        "by --seed), as a small catalogue: its niches have few creators a "
                        "tier, and 'displaced in top 10' shows what the ranker puts in their "
                        "place")
    p.add_argument("--as-written", action="store_true",
                   help="also evaluate each set as planners and exports write it: briefs inside "
                        "a planner's request (\"Looking for UGC creators for our brand "
                        "campaign: ...\"), values ending with what the brand rejects where the "
                        "set gives it, half the values written into the brief (\"... Our "
                        "values: ...\"), half the bios ending with the trade's tags (\"UGC "
                        "creator | collabs: DM\")")
    p.add_argument("--against", default=None, metavar="EVAL_JSON",
                   help="an earlier run's eval-<time>.json: compare creator-match's nDCG@10 "
                        "with it brief by brief, for each set both runs scored (mean "
                        "difference, its 95%% bootstrap interval, briefs better and worse)")
    p.add_argument("--similarity-with", default=None, metavar="MODELS",
                   help="encoders whose similarity-only baseline runs beside the index's, "
                        "comma-separated model names or paths, or 'none' (default: the "
                        "packaged encoders, use-m3 and minilm, other than the index's own; "
                        "none when the index uses another)")
    p.add_argument("--out", default="eval-results", help="directory for the .md, .json, .png")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    _pytrec()
    paths = args.data or [str(p) for p in dataset.PACKAGED_SETS]
    if args.index and (len(paths) > 1 or args.thin or args.as_written):
        p.error("--index holds one set's index: give one --data with it, and no --thin or "
                "--as-written")
    if args.thin is not None and not 0.0 < args.thin < 1.0:
        p.error(f"--thin: {args.thin}; a share of the creators, between 0 and 1 (0.5: half)")
    earlier = _earlier(args.against, p) if args.against else None  # before anything is written
    # encoders named on the command line are loaded before any set is indexed: a name that
    # does not load stops the run at once, not after minutes of indexing
    named = None if args.similarity_with is None else _loaded(
        other_encoders(args.similarity_with, ""), p)
    when = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sets = [dataset.load(path) for path in paths]
    mds, results = [], {}
    with contextlib.ExitStack() as stack:
        if args.thin is not None:
            thin_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(
                prefix="creator-match-thin-")))
            sets += [dataset.thinned(es, args.thin, args.seed, thin_dir) for es in sets]
        if args.as_written:
            written_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(
                prefix="creator-match-written-")))
            originals = [es for es in sets if "-thin" not in es.path.name]
            sets += [dataset.as_written(es, args.seed, written_dir) for es in originals]
        recs = [stack.enter_context(_indexed(es, args)) for es in sets]
        others = named if named is not None else other_encoders(None, recs[0].embedder.name)
        dense = None
        # grid points answered by matching itself, each once, for --tune and --cv alike
        checked = Checked({es.path.name: (rec, es) for es, rec in zip(sets, recs, strict=True)})
        if args.tune:  # one choice for every set: the grid point of least regret
            tuned = choose({es.path.name: grid_scores(rec, es) for es, rec in zip(
                sets, recs, strict=True)}, checked.dev)
            print(f"tuned on the dev briefs of {', '.join(tuned['sets'])} over {tuned['grid']}"
                  f" weight vectors, the {tuned['checked_by_matching']} best of the quick "
                  f"ranking answered by matching: {tuned['weights']} -> dev nDCG@10 "
                  + ", ".join(f"{n} {v:.3f}" for n, v in tuned["dev_ndcg@10"].items())
                  + " (quick ranking: " + ", ".join(
                      f"{n} {v:.3f}" for n, v in tuned["quick_dev_ndcg@10"].items()) + ")" + (
                      "; the defaults: " + ", ".join(
                          f"{n} {v:.3f}" for n, v in tuned["defaults"]["dev_ndcg@10"].items())
                      + f", rank {tuned['defaults']['rank']} by their regret in the quick "
                      "ranking" if tuned["defaults"] else ""), file=sys.stderr)
            dense = Weights(**tuned["dense_weights"])
            for rec in recs:
                rec.ranker = Ranker(weights=Weights(**tuned["weights"]), tiers=rec.tiers)
        for es, rec in zip(sets, recs, strict=True):
            t0 = time.perf_counter()
            result = evaluate(rec, es, args.split, seed=args.seed, dense_weights=dense,
                              others=others)
            meta = _meta(es, rec, tuned if args.tune else None, time.perf_counter() - t0)
            meta["when"] = when
            mds.append(markdown(result, meta))
            results[str(es.path)] = {"meta": meta, **result}
            plot(result, out / f"eval-{when}-{es.path.name}.png")
        if args.cv:
            cv = cross_validate({es.path.name: (es.briefs, brief_scores(rec, es, es.briefs)[1])
                                 for es, rec in zip(sets, recs, strict=True)}, checked)
            mds.append(cv_markdown(cv))
            (out / f"eval-{when}-cv.json").write_text(json.dumps(cv, indent=1),
                                                       encoding="utf-8")
    if earlier is not None:
        compared = against(earlier, results)
        mds.append(against_markdown(compared, args.against))
        results["against"] = {"file": args.against, "sets": compared}
    md = "\n\n".join(mds)
    (out / f"eval-{when}.md").write_text(md + "\n", encoding="utf-8")
    (out / f"eval-{when}.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(md)
    print(f"wrote {out / f'eval-{when}.md'}, .json and a .png per set", file=sys.stderr)
    return 0


def other_encoders(spec: str | None, own: str) -> list[OtherEncoder]:
    """The encoders of --similarity-with (spec), each made once: by default the packaged
    ones other than the index's own (named `own`), none when the index uses another."""
    from ..embedding import DEFAULT_MODEL, make_embedder
    from ..multilingual import NAME as USE_M3

    packaged = {"use-m3": USE_M3, "minilm": DEFAULT_MODEL}
    if spec is None:
        labels = ([k for k, name in packaged.items() if name != own]
                  if own in packaged.values() else [])
    else:
        labels = [x.strip() for x in spec.split(",") if x.strip() and x.strip() != "none"]
    return [OtherEncoder(label, make_embedder(label)) for label in labels]


def _loaded(others: list[OtherEncoder], p: argparse.ArgumentParser) -> list[OtherEncoder]:
    """others, each model loaded (by encoding one text), or a usage error naming the one that
    does not load."""
    from ..errors import InvalidInputError

    for o in others:
        try:
            o.embedder.encode(["load"])
        except InvalidInputError as e:
            p.error(f"--similarity-with {o.label}: {e}")
    return others


@contextlib.contextmanager
def _indexed(es: EvalSet, args: argparse.Namespace) -> Iterator[Recommender]:
    """One set indexed in a temporary directory (or --index), with the ranker asked for."""
    from ..service import Recommender

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="creator-match-eval-") as tmp:
        ranker = Ranker(weights=Weights.parse(args.weights) if args.weights else Weights())
        rec = Recommender(args.index or Path(tmp) / "index", model=args.model, ranker=ranker,
                          create=True)
        try:
            report = rec.ingest([es.creators], progress=sys.stderr.isatty())
            print(f"{es.path.name}: indexed {len(rec)} creators ({report.encoded_texts} texts "
                  f"encoded) in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
            yield rec
        finally:
            rec.close()


def _earlier(path: str, p: argparse.ArgumentParser) -> dict:
    """An earlier run's results (eval-<time>.json), or a usage error naming what is wrong."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        p.error(f"--against {path}: {e}")
    if not isinstance(data, dict) or not any(
            isinstance(v, dict) and "per_brief" in v for v in data.values()):
        p.error(f"--against {path}: not the .json of a creator-match eval run (no per_brief)")
    return data


def _set_name(path: str) -> str:
    """A set's name across runs: its directory's (a thinned or rewritten copy lives in a
    temporary directory whose name changes, its own name does not)."""
    return Path(path).name


def against(earlier: dict, results: dict) -> dict[str, dict]:
    """creator-match's nDCG@10 in results against an earlier run's, per set both scored."""
    def ndcg(result: dict) -> dict[str, float]:
        return {b: v["creator-match"]["ndcg@10"] for b, v in result["per_brief"].items()}

    before = {_set_name(k): ndcg(v) for k, v in earlier.items()
              if isinstance(v, dict) and "per_brief" in v}
    out = {}
    for key, result in results.items():
        name = _set_name(key)
        if name in before and set(before[name]) & set(result["per_brief"]):
            out[name] = paired(before[name], ndcg(result))
    return out


def against_markdown(compared: dict[str, dict], path: str) -> str:
    lines = [f"# Against {path}", "",
             "creator-match's nDCG@10 brief by brief, this run minus the earlier one; the "
             "interval is the bootstrap's over briefs (95%): a difference whose interval holds 0 "
             "is not told apart from chance.", "",
             "| set | briefs | nDCG@10 before → now | difference (95% interval) | better / worse |",
             "|---|---|---|---|---|"]
    for name, c in compared.items():
        lines.append(f"| {set_label(name)} | {c['briefs']} | {c['before']:.3f} → "
                     f"{c['after']:.3f} | {c['difference']:+.4f} "
                     f"({c['low']:+.4f}, {c['high']:+.4f}) | "
                     f"{c['better']} / {c['worse']} |")
    if not compared:
        lines.append("| (no set of this run was scored in the earlier one) | | | | |")
    return "\n".join(lines)


def cv_markdown(cv: dict) -> str:
    """The cross-validation across niches as a table, with its summary per set."""
    short = {"similarity": "sim", "keywords": "kw", "values": "val", "tier_fit": "tier",
             "engagement": "eng", "authenticity": "auth"}
    lines = ["# Cross-validation across niches (leave one niche family out)", "",
             "Each row: the grid point chosen on every other niche's briefs of every set (both "
             "splits; the least regret over the sets decides), scored on the held-out niche's "
             "briefs, beside the package's defaults on the same briefs." + (
                 " The choice is made among the best points of the quick ranking as matching "
                 "itself answers them, and every figure is matching's."
                 if cv.get("checked_by_matching") else ""), "",
             "| set | niche | briefs | weights chosen without it | nDCG@10 tuned | "
             "nDCG@10 defaults |", "|---|---|---|---|---|---|"]
    for f in cv["folds"]:
        w = " ".join(f"{short[k]} {v:g}" for k, v in f["weights"].items())
        d = f["defaults_ndcg@10"]
        lines.append(f"| {f['set']} | {f['niche']} | {f['briefs']} | {w} | "
                     f"{f['held_out_ndcg@10']:.3f} | {'-' if d is None else f'{d:.3f}'} |")
    lines.append("")
    for name, v in cv["tuned_ndcg@10"].items():
        d = cv["defaults_ndcg@10"][name]
        lines.append(f"{name}: tuned on the other niches {v:.3f}, defaults "
                     f"{'-' if d is None else f'{d:.3f}'} (every brief, held out once).")
    lines.append(f"\n{cv['distinct_choices']} distinct weight vectors chosen over "
                 f"{len(cv['folds'])} folds.")
    return "\n".join(lines)


def _meta(es: EvalSet, rec: Recommender, tuned: dict | None, seconds: float) -> dict:
    with open(es.creators, encoding="utf-8") as fh:
        creators = sum(1 for _ in fh)
    return {"set": str(es.path), "creators": creators, "model": rec.embedder.name,
            "query_precision": getattr(rec.embedder, "query_precision", None),
            "weights": asdict(rec.ranker.weights), "tuned": tuned,
            "seconds": round(seconds, 1)}
