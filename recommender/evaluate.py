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
  BM25                     the lexical index alone, on the brief and values
  hybrid RRF               reciprocal-rank fusion (k=60) of similarity only and BM25
  popularity               most followers first
  random                   a seeded shuffle

--tune searches the ranker's weights on the dev briefs only (a grid over the simplex) and reports
the test briefs with the weights found; the defaults in ranking.Weights come from such a run.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import evalset, judging
from .embedding import encode_queries
from .ranking import COMPONENTS, Ranker, Weights
from .schema import Brief

DEPTH = 50  # results per brief: Recall@50 needs 50
RRF_K = 60
FLAGGED = ("inflated", "saturated")
SYSTEMS = ("creator-match", "creator-match dense", "similarity only", "BM25", "hybrid RRF",
           "popularity", "random")
METRICS = ("ndcg@10", "recall@50", "mrr", "tier_fit@10", "flagged@10", "briefs_flagged")


def _pytrec():
    try:
        import pytrec_eval
    except ImportError:
        raise SystemExit("creator-match eval needs pytrec_eval: pip install "
                         "'creator-match[eval]' (or pytrec-eval-terrier)") from None
    return pytrec_eval


def to_brief(b: dict, k: int = DEPTH) -> Brief:
    filters = {"languages": [b["language"]], **b.get("filters", {})}
    return Brief(brief=b["brief"], values=b.get("values"), objective=b.get("objective"), k=k,
                 filters=filters)


@contextmanager
def using(rec, ranker: Ranker):
    """The recommender with another ranker for a while (the evaluation is single-threaded)."""
    before = rec.ranker
    ranker.tiers = rec.tiers
    rec.ranker = ranker
    try:
        yield rec
    finally:
        rec.ranker = before


class _Collection:
    """Every creator's vector, id and followers, for the baselines that scan them all."""

    def __init__(self, rec) -> None:
        vids, vecs = [], []
        for v, x in rec.catalog.iter_vectors():
            vids.append(v)
            vecs.append(x)
        self.vids = np.concatenate(vids)
        self.vecs = np.concatenate(vecs)
        self.vecs /= np.maximum(np.linalg.norm(self.vecs, axis=1, keepdims=True), 1e-12)
        rows = rec.catalog.rows(self.vids)
        self.ids = np.array([rows[int(v)].id for v in self.vids])
        self.followers = np.array([rows[int(v)].followers for v in self.vids])
        self.pos = {int(v): i for i, v in enumerate(self.vids)}

    def subset(self, allowed: np.ndarray | None) -> np.ndarray:
        if allowed is None:
            return np.arange(len(self.vids))
        return np.array(sorted(self.pos[int(v)] for v in allowed if int(v) in self.pos),
                        dtype=np.int64)

    def top(self, rows: np.ndarray, scores: np.ndarray, n: int) -> list[str]:
        """Ids of the n best rows, ties by id."""
        order = np.lexsort((self.ids[rows], -scores))[:n]
        return self.ids[rows[order]].tolist()


def run_systems(rec, briefs: list[dict], systems=SYSTEMS, seed: int = 0,
                dense_weights: Weights | None = None) -> dict:
    """{system: {brief id: [creator ids, best first]}}. creator-match dense uses dense_weights,
    by default the ranker's with keywords at 0."""
    col = _Collection(rec)
    runs: dict[str, dict[str, list[str]]] = {s: {} for s in systems}
    hybrid = Ranker(weights=rec.ranker.weights, diversity=rec.ranker.diversity)
    dense = Ranker(weights=dense_weights or Weights(**{**asdict(rec.ranker.weights),
                                                       "keywords": 0.0}),
                   diversity=rec.ranker.diversity)
    for n, b in enumerate(briefs):
        brief = to_brief(b)
        allowed = rec.catalog.candidates(brief.filters)
        rows = col.subset(allowed)
        texts = [brief.brief] + ([brief.values] if brief.values else [])
        for name, ranker in (("creator-match", hybrid), ("creator-match dense", dense)):
            if name in runs:
                with using(rec, ranker):
                    runs[name][b["id"]] = [m.creator_id for m in rec.match(brief)]
        qv = encode_queries(rec.embedder, texts)
        q = qv.sum(axis=0)
        q /= max(float(np.linalg.norm(q)), 1e-12)
        cos = col.vecs[rows] @ q
        sim = col.top(rows, cos, len(rows))
        _, lvids, _ = rec.catalog.bm25_search(" ".join(texts), 4 * DEPTH, allowed)
        lex = [col.ids[col.pos[int(v)]] for v in lvids]
        if "similarity only" in runs:
            runs["similarity only"][b["id"]] = sim[:DEPTH]
        if "BM25" in runs:
            runs["BM25"][b["id"]] = lex[:DEPTH]
        if "hybrid RRF" in runs:
            fused: dict[str, float] = {}
            for ranking in (sim[:4 * DEPTH], lex):
                for r, cid in enumerate(ranking, start=1):
                    fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + r)
            runs["hybrid RRF"][b["id"]] = sorted(fused, key=lambda c: (-fused[c], c))[:DEPTH]
        if "popularity" in runs:
            runs["popularity"][b["id"]] = col.top(rows, col.followers[rows].astype(float), DEPTH)
        if "random" in runs:
            rng = np.random.default_rng(seed + n)
            runs["random"][b["id"]] = col.ids[rows[rng.permutation(len(rows))[:DEPTH]]].tolist()
    return runs


class Scorer:
    """The measures of runs against one set's judgments."""

    def __init__(self, es: evalset.EvalSet, briefs: list[dict]) -> None:
        pt = _pytrec()
        self.briefs = briefs
        self.truth = es.truth
        qrels = {b["id"]: es.qrels[b["id"]] or {"-": 0} for b in briefs}
        self._graded = pt.RelevanceEvaluator(qrels, {"ndcg_cut.10"})
        self._binary = pt.RelevanceEvaluator(qrels, {"recall.50", "recip_rank"},
                                             relevance_level=2)
        self.followers: dict[str, int] = {}
        with open(es.creators, encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                self.followers[r["id"]] = r["followers"]

    @staticmethod
    def _trec(run: dict[str, list[str]]) -> dict[str, dict[str, float]]:
        # unique descending scores, so trec_eval keeps the system's order exactly
        return {q: {cid: float(DEPTH - i) for i, cid in enumerate(ids)} or {"-": 0.0}
                for q, ids in run.items()}

    def ndcg10(self, run: dict[str, list[str]]) -> dict[str, float]:
        got = self._graded.evaluate(self._trec(run))
        return {b["id"]: got.get(b["id"], {}).get("ndcg_cut_10", 0.0) for b in self.briefs}

    def per_brief(self, run: dict[str, list[str]]) -> dict[str, dict[str, float | None]]:
        trec = self._trec(run)
        graded, binary = self._graded.evaluate(trec), self._binary.evaluate(trec)
        out: dict[str, dict[str, float | None]] = {}
        for b in self.briefs:
            q = b["id"]
            top = run.get(q, [])[:10]
            want = judging.OBJECTIVE_TIER.get(b.get("objective") or "")
            fit = (None if not want or not top else
                   sum(judging.shown_tier(self.followers[c]) == want for c in top) / len(top))
            flagged = (None if not self.truth or not top else
                       sum(self.truth[c]["kind"] in FLAGGED for c in top) / len(top))
            out[q] = {"ndcg@10": graded.get(q, {}).get("ndcg_cut_10", 0.0),
                      "recall@50": binary.get(q, {}).get("recall_50", 0.0),
                      "mrr": binary.get(q, {}).get("recip_rank", 0.0),
                      "tier_fit@10": fit, "flagged@10": flagged,
                      "briefs_flagged": None if flagged is None else float(flagged > 0)}
        return out


def summarise(per_brief: dict[str, dict], briefs: list[dict]) -> dict[str, dict]:
    """Means per group (all, en, fr, ...); briefs_flagged is a count."""
    groups = {"all": briefs}
    for lang in sorted({b["language"] for b in briefs}):
        groups[lang] = [b for b in briefs if b["language"] == lang]
    out = {}
    for g, bs in groups.items():
        row = {}
        for m in METRICS:
            vals = [per_brief[b["id"]][m] for b in bs if per_brief[b["id"]][m] is not None]
            row[m] = (None if not vals else float(sum(vals)) if m == "briefs_flagged"
                      else float(np.mean(vals)))
        row["briefs"] = len(bs)
        out[g] = row
    return out


def evaluate(rec, es: evalset.EvalSet, split: str | None = None, seed: int = 0,
             dense_weights: Weights | None = None) -> dict:
    """{split: {system: {group: {metric: value}}}} plus per-brief figures."""
    splits = ["dev", "test"] if split in (None, "all") else [split]
    runs = run_systems(rec, es.split(None if split in (None, "all") else split), seed=seed,
                       dense_weights=dense_weights)
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


# -- weight tuning -----------------------------------------------------------------------------

def simplex(step: float, dims: int = len(COMPONENTS)):
    """Every weight vector with entries in multiples of step summing to 1."""
    n = round(1 / step)
    for cut in itertools.combinations(range(n + dims - 1), dims - 1):
        parts = np.diff((-1, *cut, n + dims - 1)) - 1
        yield parts / n


def tune(rec, es: evalset.EvalSet, step: float = 0.05, split: str = "dev") -> dict:
    """The weights with the best mean nDCG@10 on the split's briefs, found on candidate pools
    scored once (hybrid on, so every component is known) and re-weighted in numpy."""
    briefs = es.split(split)
    scorer = Scorer(es, briefs)
    pools = []
    with using(rec, Ranker(weights=Weights(keywords=0.1))):
        for b in briefs:
            ranked, _, _ = rec.rank(to_brief(b))
            ranked.sort(key=lambda c: c.row.id)
            comps = np.array([[np.nan if c.components[k] is None else c.components[k]
                               for k in COMPONENTS] for c in ranked], dtype=np.float64)
            pools.append((b["id"], np.array([c.row.id for c in ranked]), comps))
    grid = np.array(list(simplex(step)))
    tops: dict[str, np.ndarray] = {}
    for q, ids, comps in pools:
        active = ~np.isnan(comps[0]) if len(comps) else np.zeros(len(COMPONENTS), bool)
        total = grid[:, active].sum(axis=1)
        scores = np.nan_to_num(comps) @ grid.T / np.where(total > 0, total, 1.0)
        order = np.argsort(-scores, axis=0, kind="stable")[:DEPTH]  # ties keep id order
        tops[q] = ids[order.T] if len(ids) else np.zeros((len(grid), 0), dtype=str)
    means = np.array([np.mean(list(scorer.ndcg10({q: t[i].tolist() for q, t in tops.items()})
                                   .values())) for i in range(len(grid))])

    def best(mask: np.ndarray) -> tuple[dict, float, int]:
        i = int(np.flatnonzero(mask)[np.argmax(means[mask])])  # first of the best, grid order
        w = Weights(**{k: round(float(x), 4) for k, x in zip(COMPONENTS, grid[i], strict=True)})
        return asdict(w), float(means[i]), int(np.sum(np.abs(means[mask] - means[i]) < 1e-12))

    hybrid, h_ndcg, h_ties = best(np.ones(len(grid), bool))
    dense, d_ndcg, _ = best(grid[:, COMPONENTS.index("keywords")] == 0)
    return {"weights": hybrid, "dev_ndcg@10": h_ndcg, "tied_best": h_ties,
            "dense_weights": dense, "dense_dev_ndcg@10": d_ndcg,
            "grid": len(grid), "step": step, "briefs": len(briefs)}


# -- report ------------------------------------------------------------------------------------

def _fmt(v: float | None, count: bool = False) -> str:
    return "–" if v is None else f"{v:.0f}" if count else f"{v:.3f}"


def markdown(result: dict, meta: dict) -> str:
    lines = [f"# creator-match eval — {meta['when']}", "",
             (f"Set: `{meta['set']}` ({meta['creators']} creators); model `{meta['model']}`"
              + (f" (briefs encoded {meta['query_precision']})"
                 if meta.get("query_precision") else "")
              + f"; weights {meta['weights']}."), ""]
    for sp, systems in result["splits"].items():
        n = next(iter(systems.values()))
        lines += [f"## {sp} briefs ({n['all']['briefs']}: " + ", ".join(
            f"{g} {r['briefs']}" for g, r in n.items() if g != "all") + ")", "",
            ("| system | nDCG@10 | nDCG@10 EN | nDCG@10 FR | Recall@50 | MRR | tier fit@10 "
             "| flagged@10 | briefs with a flagged top 10 |"),
            "|---|---|---|---|---|---|---|---|---|"]
        for system, g in systems.items():
            a = g["all"]
            lines.append(
                f"| {system} | {_fmt(a['ndcg@10'])} | {_fmt(g.get('en', {}).get('ndcg@10'))} | "
                f"{_fmt(g.get('fr', {}).get('ndcg@10'))} | {_fmt(a['recall@50'])} | "
                f"{_fmt(a['mrr'])} | {_fmt(a['tier_fit@10'])} | {_fmt(a['flagged@10'])} | "
                f"{_fmt(a['briefs_flagged'], count=True)} |")
        if "similarity only" in systems and "creator-match" in systems:
            for g in systems["creator-match"]:
                s = systems["similarity only"][g]["ndcg@10"]
                c = systems["creator-match"][g]["ndcg@10"]
                target = s + 0.67 * (1 - s)
                gap = (c - s) / (1 - s) if s < 1 else float("nan")
                lines.append("")
                lines.append(f"{sp} {g}: creator-match closes {gap:.0%} of the distance from "
                             f"similarity only ({s:.3f}) to a perfect ranking; target "
                             f"nDCG@10 >= {target:.3f}: {'met' if c >= target else 'missed'} "
                             f"({c:.3f}).")
        lines.append("")
    return "\n".join(lines)


def plot(result: dict, path: Path) -> Path | None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("no matplotlib: plot skipped (pip install 'creator-match[eval]')", file=sys.stderr)
        return None
    splits = list(result["splits"])
    fig, axes = plt.subplots(1, len(splits), figsize=(7 * len(splits), 4.5), squeeze=False)
    for ax, sp in zip(axes[0], splits, strict=True):
        systems = result["splits"][sp]
        groups = [g for g in next(iter(systems.values())) if g != "all"] + ["all"]
        width = 0.8 / len(groups)
        x = np.arange(len(systems))
        for i, g in enumerate(groups):
            ax.bar(x + i * width, [systems[s][g]["ndcg@10"] or 0 for s in systems], width,
                   label=g.upper() if g != "all" else "all")
        ax.set_xticks(x + width * (len(groups) - 1) / 2, list(systems), rotation=30,
                      ha="right", fontsize=8)
        ax.set_ylim(0, 1)
        ax.set_ylabel("nDCG@10")
        ax.set_title(f"{sp} briefs")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="creator-match eval", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=None, help="evaluation set directory (default: packaged)")
    p.add_argument("--index", default=None, help="index directory to build or reuse "
                   "(default: a temporary one)")
    p.add_argument("--model", default=None, help="embedding model name or path")
    p.add_argument("--weights", default=None, help="ranker weights, e.g. 'similarity=0.4'")
    p.add_argument("--split", choices=["dev", "test", "all"], default="all")
    p.add_argument("--tune", action="store_true", help="search the weights on the dev briefs, "
                   "then evaluate with them")
    p.add_argument("--step", type=float, default=0.05, help="grid step for --tune")
    p.add_argument("--out", default="eval-results", help="directory for the .md, .json, .png")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    _pytrec()
    from .service import Recommender

    es = evalset.load(args.data)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="creator-match-eval-") as tmp:
        ranker = Ranker(weights=Weights.parse(args.weights) if args.weights else Weights())
        rec = Recommender(args.index or Path(tmp) / "index", model=args.model, ranker=ranker)
        try:
            report = rec.ingest([es.creators], progress=sys.stderr.isatty())
            print(f"indexed {len(rec)} creators ({report.encoded_texts} texts encoded) in "
                  f"{time.perf_counter() - t0:.1f}s", file=sys.stderr)
            tuned, dense = None, None
            if args.tune:
                tuned = tune(rec, es, args.step)
                print(f"tuned on {tuned['briefs']} dev briefs over {tuned['grid']} weight vectors "
                      f"(step {args.step}): {tuned['weights']} -> dev nDCG@10 "
                      f"{tuned['dev_ndcg@10']:.3f} ({tuned['tied_best']} tied); with keywords "
                      f"at 0: {tuned['dense_weights']} -> {tuned['dense_dev_ndcg@10']:.3f}",
                      file=sys.stderr)
                rec.ranker = Ranker(weights=Weights(**tuned["weights"]), tiers=rec.tiers)
                dense = Weights(**tuned["dense_weights"])
            result = evaluate(rec, es, args.split, seed=args.seed, dense_weights=dense)
            model = rec.embedder.name
            query_precision = getattr(rec.embedder, "query_precision", None)
            weights = asdict(rec.ranker.weights)
        finally:
            rec.close()
    when = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    with open(es.creators, encoding="utf-8") as fh:
        creators = sum(1 for _ in fh)
    meta = {"when": when, "set": str(es.path), "creators": creators,
            "model": model, "query_precision": query_precision, "weights": weights, "tuned": tuned,
            "seconds": round(time.perf_counter() - t0, 1)}
    md = markdown(result, meta)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"eval-{when}.md").write_text(md + "\n", encoding="utf-8")
    (out / f"eval-{when}.json").write_text(json.dumps({"meta": meta, **result}, indent=1),
                                           encoding="utf-8")
    png = plot(result, out / f"eval-{when}.png")
    print(md)
    print(f"wrote {out / f'eval-{when}.md'}, .json" + (", .png" if png else "") +
          f" in {meta['seconds']}s", file=sys.stderr)
    return 0
