"""The graded judgments of the evaluation set: the rules of data/eval/JUDGING.md, applied to the
generator's truth about each creator (never to a ranker score)."""

from __future__ import annotations

# follower bounds of the mission's tiers, restated here so the judge depends on no ranker module
NANO_BELOW = 1_000
MACRO_ABOVE = 100_000
TIER_ORDER = ("nano", "micro", "macro")
OBJECTIVE_TIER = {"awareness": "macro", "engagement": "micro", "conversion": "micro",
                  "ugc": "nano"}


def shown_tier(followers: int) -> str:
    return "nano" if followers < NANO_BELOW else "macro" if followers > MACRO_ABOVE else "micro"


def used_term(record: dict, term: str) -> bool:
    term = term.lower()
    return any(term in (p.get("text") or "").lower() for p in record.get("posts") or [])


def grade(brief: dict, record: dict, truth: dict) -> int:
    """0-3 for one creator and one brief (JUDGING.md, rules 1-5)."""
    j = brief["judging"]
    niche = truth["post_niche"]
    on_niche = niche in j["niches"]
    related = niche in j.get("related", [])
    languages = j.get("languages") or [brief["language"]]
    if (record.get("language") not in languages or not (on_niche or related)
            or niche in j.get("opposed", [])):
        return 0  # rule 1
    g = 3 if on_niche else 1  # rule 2
    term = j.get("term")
    if term:  # rule 3
        used = used_term(record, term)
        g = 2 if not used and on_niche else 2 if used and related else g
    objective = brief.get("objective")
    if objective:  # rule 4
        want = TIER_ORDER.index(OBJECTIVE_TIER[objective])
        distance = abs(TIER_ORDER.index(shown_tier(record["followers"])) - want)
        g = min(g, 3 - distance)
    if truth["kind"] in ("inflated", "saturated", "stuffer"):  # rule 5
        g = min(g, 1)
    return max(g, 0)


def qrels(briefs: list[dict], records: list[dict], truths: dict[str, dict]) -> dict:
    """{brief id: {creator id: grade}} with every non-zero grade (the rest are 0)."""
    out: dict[str, dict[str, int]] = {}
    for b in briefs:
        grades = {r["id"]: grade(b, r, truths[r["id"]]) for r in records}
        out[b["id"]] = {cid: g for cid, g in sorted(grades.items()) if g > 0}
    return out
