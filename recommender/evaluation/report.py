"""The evaluation's report: a markdown table per split and a bar chart of nDCG@10."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np


def _fmt(v: float | None, count: bool = False) -> str:
    return "–" if v is None else f"{v:.0f}" if count else f"{v:.3f}"


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.1%}"


def set_label(path: str) -> str:
    """A set's name as reports give it: 'stances, 50% of its creators' for eval2-thin50."""
    base, _, thin = Path(path).name.partition("-thin")
    base, written, _ = base.partition("-written")
    return {"eval": "generator", "eval2": "stances", "eval3": "feeds"}.get(base, base) + (
        f", {thin}% of its creators" if thin else "") + (
        ", as planners and exports write it" if written else "")


def markdown(result: dict, meta: dict) -> str:
    label = set_label(meta["set"])
    lines = [f"# creator-match eval — set '{label}' — {meta['when']}", "",
             (f"Set: `{meta['set']}` ({meta['creators']} creators); model `{meta['model']}`"
              + (f" (briefs encoded {meta['query_precision']})"
                 if meta.get("query_precision") else "")
              + f"; weights {meta['weights']}."), ""]
    for sp, systems in result["splits"].items():
        n = next(iter(systems.values()))
        lines += [f"## {sp} briefs ({n['all']['briefs']}: " + ", ".join(
            f"{g} {r['briefs']}" for g, r in n.items() if g != "all") + ")", "",
            ("| system | nDCG@10 | nDCG@10 EN | nDCG@10 FR | Recall@50 | MRR | tier fit@10 "
             "| traps in top 10 | wrong stance in top 10 | off-niche in top 10 "
             "| displaced in top 10 |"),
            "|---|---|---|---|---|---|---|---|---|---|---|"]
        for system, g in systems.items():
            a = g["all"]
            lines.append(
                f"| {system} | {_fmt(a['ndcg@10'])} | {_fmt(g.get('en', {}).get('ndcg@10'))} | "
                f"{_fmt(g.get('fr', {}).get('ndcg@10'))} | {_fmt(a['recall@50'])} | "
                f"{_fmt(a['mrr'])} | {_fmt(a['tier_fit@10'])} | {_pct(a['traps@10'])} | "
                f"{_pct(a['wrong_stance@10'])} | {_pct(a['off_niche@10'])} | "
                f"{_pct(a['displaced@10'])} |")
        floor = {g: r.get("unavoidable@10") for g, r in n.items()}
        if floor["all"]:
            lines += ["", f"{sp}: some briefs have fewer than 10 genuine creators of their niche "
                      "in the languages they accept, so whatever the ranking, at least "
                      f"{_pct(floor['all'])} of these top-10 slots hold another niche or stance "
                      "(or a trap) ("
                      + ", ".join(f"{g.upper()} {_pct(v)}" for g, v in floor.items()
                                  if g != "all" and v is not None)
                      + "): wrong stance and off-niche together cannot fall below it; "
                      "displaced counts the slots a left-out creator of the niche could fill."]
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
