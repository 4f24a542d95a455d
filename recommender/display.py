"""How results look in a terminal: the matches table and an ingest's summary."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .indexer import IngestReport
    from .schema import Match


def format_table(matches: list[Match]) -> str:
    """A planner-readable table: one line per creator, its best evidence post below it."""
    if not matches:
        return "no creator matches this brief and its filters"
    head = (f"{'#':>2}  {'handle':<24} {'platform':<9} {'tier':<6} {'followers':>9} "
            f"{'eng.':>6} {'score':>5}  {'sim':>4} {'val':>4} {'kw':>4} {'tier':>4} {'eng':>4} "
            f"{'auth':>4}  flags")
    lines = [head, "-" * len(head)]

    def fmt(v: float | None) -> str:
        return "  - " if v is None else f"{v:4.2f}"

    for i, m in enumerate(matches, 1):
        c = m.components
        er = "   -  " if m.engagement_rate is None else f"{m.engagement_rate:6.1%}"
        lines.append(
            f"{i:>2}  {(m.handle or m.creator_id)[:24]:<24} {m.platform:<9} {m.tier:<6} "
            f"{m.followers:>9,} {er} {m.score:5.3f}  {fmt(c['similarity'])} {fmt(c['values'])} "
            f"{fmt(c.get('keywords'))} {fmt(c['tier_fit'])} {fmt(c['engagement'])} "
            f"{fmt(c['authenticity'])}  "
            f"{','.join(m.flags)}")
        if m.evidence:
            ev = m.evidence[0]
            lines.append(f"    └ {ev.similarity:.2f} “{ev.text[:100]}”")
        if m.matched_terms:
            lines.append(f"    └ words of the brief used: {', '.join(m.matched_terms[:8])}")
    return "\n".join(lines)


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
