"""Explanation: a chosen candidate -> the match a planner reads: its score and components, the
posts closest to the brief as evidence, the flags raised with their evidence, and the brief's
words the creator used."""

from __future__ import annotations

import numpy as np

from . import lexical
from .pool import Candidate
from .schema import Evidence, Match

EVIDENCE_POSTS = 3


def explain(c: Candidate, query: np.ndarray, texts: list[tuple[str | None, str, np.ndarray]],
            query_terms: list[str] | None = None, evidence_posts: int = EVIDENCE_POSTS,
            indexed: str | None = None, words_in: str | None = None) -> Match:
    """The match of one candidate, given its (post id or None for the bio, text, vector) and
    its lexical index's body (lexical.body; None: its texts and categories analysed here);
    words_in: the language besides English and French the brief's words are read in
    (Pool.words_in)."""
    posts = [(pid, text, vec) for pid, text, vec in texts if pid is not None]
    evidence: list[Evidence] = []
    if posts:
        sims = np.stack([v for _, _, v in posts]) @ query
        for i in np.argsort(-sims, kind="stable")[:evidence_posts]:
            pid, text, _ = posts[i]
            evidence.append(Evidence(post_id=pid, text=snippet(text),
                                     similarity=round(float(sims[i]), 4)))
    by_post = {pid: text for pid, text, _ in posts}
    values_evidence = [Evidence(post_id=pid, text=snippet(by_post[pid]), similarity=sim)
                       for pid, sim in c.value_posts if pid in by_post]
    signals = c.row.signals  # parsed from its JSON on each read: once here
    flags = signals.get("flags", [])
    used: list[str] = []
    filed: list[str] = []
    if query_terms:
        if indexed is not None:
            text_stems, category_stems = lexical.body_stems(indexed)
        else:
            text_stems = {s for _, t, _ in texts for s in lexical.analyse(t, c.row.language)}
            category_stems = set(lexical.analyse(" ".join(c.row.categories), c.row.language))
        used = lexical.matched(query_terms, text_stems, words_in)
        filed = [w for w in lexical.matched(query_terms, category_stems, words_in)
                 if w not in used]
    return Match(
        creator_id=c.row.id,
        handle=c.row.handle,
        platform=c.row.platform,
        tier=c.row.tier,
        followers=c.row.followers,
        country=c.row.country,
        language=c.row.language,
        categories=c.row.categories,
        engagement_rate=None if c.row.engagement_rate is None
        else round(c.row.engagement_rate, 5),
        # stored before sources were kept: a rate was then always measured on posts
        engagement_source=None if c.row.engagement_rate is None
        else signals.get("engagement_source") or "posts",
        score=round(c.score, 4),
        components=c.components,
        evidence=evidence,
        values_evidence=values_evidence,
        flags=[f["name"] for f in flags],
        flag_details={f["name"]: f["evidence"] for f in flags},
        matched_terms=used,
        matched_categories=filed,
    )


def snippet(text: str, limit: int = 280) -> str:
    """One line of at most limit characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
