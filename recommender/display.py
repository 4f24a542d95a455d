"""How results look in a terminal: the matches table and an ingest's summary."""

from __future__ import annotations

import csv
import io
import json
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .indexer import IngestReport
    from .schema import Match


COLUMNS = (("content", "similarity"), ("words", "keywords"), ("values", "values"),
           ("tier fit", "tier_fit"), ("engagement", "engagement"),
           ("authentic", "authenticity"))
LEGEND = (
    "score: relevance (content and words) times a discount for each other column, each 0-1 "
    "(- : the brief does not use it); it ranks creators for this brief and is not a "
    "probability of fit: read content to see how close a creator really is.\n"
    "content: closeness of what the creator posts (bio and posts together) to the brief, "
    "rescaled among the candidates "
    "(1 = the closest); words: the brief's words the creator uses (BM25, 1 = the most; - for a "
    "creator who writes in another language than the brief: content alone is its relevance); "
    "values: how much its posts and bio hold the brand's values beyond the brief's topic (0.5 = as "
    "much as the typical candidate); tier fit: the tier the objective calls for; engagement: "
    "engagement rate against its peers' (the median of its platform and tier in the index); "
    "authentic: 1 minus the penalties of the flags raised.")


def format_table(matches: list[Match], width: int | None = None, legend: bool = True) -> str:
    """A planner-readable table (rich): one row per creator; then, for each, the post closest
    to the brief and the brief's words it uses; then (legend) a legend of the columns."""
    if not matches:
        return "no creator matches this brief and its filters"
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for name, justify in (("#", "right"), ("creator", "left"), ("platform", "left"),
                          ("tier", "left"), ("followers", "right"), ("where", "left"),
                          ("eng. rate", "right"), ("score", "right")):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for title, _ in COLUMNS:
        table.add_column(title, justify="right", no_wrap=True)
    table.add_column("flags", no_wrap=True)
    for i, m in enumerate(matches, 1):
        c = m.components
        where = "/".join(x for x in (m.country, m.language) if x) or "-"
        rate = "-" if m.engagement_rate is None else f"{m.engagement_rate:.1%}" + (
            " (stated)" if m.engagement_source == "stated" else "")
        table.add_row(str(i), m.handle or m.creator_id, m.platform, m.tier, f"{m.followers:,}",
                      where, rate, f"{m.score:.3f}",
                      *("-" if c.get(key) is None else f"{c[key]:.2f}" for _, key in COLUMNS),
                      ", ".join(m.flags))
    console = Console(width=width or 200, record=True, file=io.StringIO(), color_system=None)
    console.print(table)
    console.print()
    for i, m in enumerate(matches, 1):
        why = [f"closest post ({m.evidence[0].similarity:.2f}) "
               f"\u201c{m.evidence[0].text[:100]}\u201d"] if m.evidence else []
        if m.values_evidence:
            why.append(values_phrase(m.components.get("values"))
                       + f" \u201c{m.values_evidence[0].text[:80]}\u201d")
        if m.matched_terms:
            why.append(f"brief's words used: {', '.join(m.matched_terms[:8])}")
        if m.matched_categories:
            why.append(f"filed under: {', '.join(m.matched_categories[:8])}")
        console.print(f"{i:>2} {m.handle or m.creator_id}: " + ("; ".join(why) or "-"),
                      highlight=False, markup=False)
    if legend:
        console.print()
        console.print(legend_text(), highlight=False, markup=False)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


def legend_text() -> str:
    """What a match table's columns mean, in paragraphs of at most 100 characters a line."""
    return "\n".join(textwrap.fill(paragraph, 100) for paragraph in LEGEND.split("\n"))


def values_phrase(values: float | None) -> str:
    """How a creator's posts hold the brand's values, in words: its closest posts to them
    "share" them only when it holds them at least as much as the typical candidate (0.5);
    below, the same posts say how little, for a creator of the opposite stance."""
    if values is not None and values < 0.5:
        return f"holds your values less than most candidates ({values:.2f}); its closest post"
    return "shares your values"


def print_matches(matches: list[Match], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"matches": [m.model_dump(mode="json") for m in matches]},
                         indent=2, ensure_ascii=False))
    else:
        print(format_table(matches))


def print_report(report: IngestReport, as_json: bool) -> None:
    """An ingest's summary, and each rejected record on stderr."""
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
        return
    for e in report.errors:
        print(f"rejected: {e}", file=sys.stderr)
    print(f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
          f"rejected {report.rejected} ({report.encoded_texts} texts encoded, "
          f"{report.cached_texts} from cache, {report.seconds:.1f}s)")
    print_notes(report)


def print_notes(report: Any) -> None:
    """An ingest report's lines of what it read from the texts and what it left out, those
    it has (a local or a sharded ingest's)."""
    for line in (told_by_texts(report), left_out(report.ignored)):
        if line:
            print(line)


def left_out(ignored: dict[str, int]) -> str | None:
    """The fields and columns an ingest left out as not in its format (--ignore-unknown), in
    a line, each with the records or posts it was left out of; None when there were none."""
    if not ignored:
        return None
    return "left out, not in the ingest format: " + ", ".join(
        f"{name} ({n} {'post' if name.startswith('posts.') else 'record'}"
        f"{'' if n == 1 else 's'})" for name, n in sorted(ignored.items()))


def told_by_texts(report: Any) -> str | None:
    """What an ingest read from the texts that the records did not say, in a line (None when
    nothing): a report's languages_detected, sponsored_by_caption, posts_without_caption."""
    told = [what.format(n=n, s="" if n == 1 else "s") for n, what in (
        (report.languages_detected, "the language of {n} creator{s} detected in the texts"),
        (report.sponsored_by_caption, "{n} post{s} sponsored by the caption (#ad, …)"),
        (report.posts_without_caption, "{n} post{s} without a caption (counted, not searched)"))
        if n]
    return f"from the texts: {'; '.join(told)}" if told else None


PLAN_COLUMNS = ("creators", "cost", "reach", "engagements", "ugc", "mean_fit")


def format_plan(plan: dict[str, Any], width: int | None = None) -> str:
    """A plan for a planner: the picks, per tier and total figures, the alternatives, then the
    assumptions (every cost and forecast is an estimate, and says from what)."""
    from rich.console import Console
    from rich.table import Table

    cur = plan["currency"]
    console = Console(width=width or 160, record=True, file=io.StringIO(), color_system=None)
    head = (f"plan for {plan['budget']:,.2f} {cur}, objective {plan['objective']}, mix "
            + ", ".join(f"{t} {s:.0%}" for t, s in plan["mix"].items())
            + (" (optimal)" if plan["optimal"] else " (best found in the time limit)"))
    console.print(head, highlight=False, markup=False)
    picks = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for name in ("#", "creator", "platform", "tier", "followers", "where", "fit",
                 f"cost {cur}", "reach", "engagements", "ugc"):
        picks.add_column(name, justify="left" if name in ("creator", "platform", "tier", "where")
                         else "right", no_wrap=True)
    for i, p in enumerate(plan["picks"], 1):
        where = "/".join(x for x in (p.get("country"), p.get("language")) if x) or "-"
        picks.add_row(str(i), p.get("handle") or p["creator_id"], p["platform"], p["tier"],
                      f"{p['followers']:,}", where, f"{p['fit']:.2f}", f"{p['cost']:,.2f}",
                      f"{p['reach']:,}", f"{p['engagements']:,}", str(p["ugc"]))
    console.print(picks)
    console.print()
    summary = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    summary.add_column("", no_wrap=True)
    for name in PLAN_COLUMNS:
        summary.add_column(name if name != "cost" else f"cost {cur}", justify="right")
    rows = [(f"  {t}", v) for t, v in plan["by_tier"].items()] + [("plan total", plan["totals"])]
    rows += [(f"alt: {n}", v) for n, v in plan["alternatives"].items() if n != "the plan"]
    for label, v in rows:
        summary.add_row(label, *(_plan_cell(name, v[name]) for name in PLAN_COLUMNS))
    console.print(summary)
    console.print()
    a = plan["assumptions"]
    lines = [f"estimates, not quotes: prices from {a['rate_card']}"
             + (f", converted {a['exchange_rate']['from']} -> {a['exchange_rate']['to']} at "
                f"{a['exchange_rate']['rate']}" if a.get("exchange_rate") else ""),
             f"kpi: {a['kpi']}; mix: {a['mix_source']}; on brief: {a['on_brief']}; "
             f"{a['candidates']} candidates" + ("; flagged creators left out"
                                                 if a["flagged_left_out"] else "")]
    lines += [f"{k}: {v}" for k, v in a["formulas"].items()]
    lines += [f"note: {n}" for n in plan["notes"]]
    for line in lines:
        console.print(textwrap.fill(line, 100), highlight=False, markup=False)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


def _plan_cell(name: str, value: Any) -> str:
    if value is None:
        return "-"
    if name == "cost":
        return f"{value:,.2f}"
    if name == "mean_fit":
        return f"{value:.2f}"
    return f"{value:,}"


def write_plan_csv(plan: dict[str, Any], path: Path) -> None:
    """The picks, one row each, for a spreadsheet (UTF-8 with a byte-order mark, which Excel
    reads as UTF-8)."""
    cols = ["creator_id", "handle", "platform", "tier", "followers", "country", "language",
            "engagement_rate", "fit", "cost", "cost_source", "reach", "reach_source",
            "engagements", "ugc", "cost_per_engagement", "cpm"]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([*cols, "currency"])
        for p in plan["picks"]:
            w.writerow([*("" if p.get(c) is None else p.get(c) for c in cols), plan["currency"]])
