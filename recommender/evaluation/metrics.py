"""The measures: pytrec_eval (trec_eval's) nDCG@10 with the grades as gains, Recall@50 and MRR
counting grades >= 2 as relevant; beside them the share of the top 10 in the objective's tier
and the share the generator made inflated or saturated ("flagged")."""

from __future__ import annotations

import json

import numpy as np

from . import judging
from .dataset import EvalSet
from .systems import DEPTH

FLAGGED = ("inflated", "saturated")
TRAPS = ("inflated", "saturated", "stuffer")
METRICS = ("ndcg@10", "recall@50", "mrr", "tier_fit@10", "flagged@10", "briefs_flagged",
           "traps@10", "wrong_stance@10", "off_niche@10", "displaced@10", "unavoidable@10")


def _pytrec():
    try:
        import pytrec_eval
    except ImportError:
        raise SystemExit("creator-match eval needs pytrec_eval: pip install "
                         "'creator-match[eval]' (or pytrec-eval-terrier)") from None
    return pytrec_eval


class Scorer:
    """The measures of runs against one set's judgments."""

    def __init__(self, es: EvalSet, briefs: list[dict]) -> None:
        pt = _pytrec()
        self.briefs = briefs
        self.truth = es.truth
        qrels = {b["id"]: es.qrels[b["id"]] or {"-": 0} for b in briefs}
        self._graded = pt.RelevanceEvaluator(qrels, {"ndcg_cut.10"})
        self._binary = pt.RelevanceEvaluator(qrels, {"recall.50", "recip_rank"},
                                             relevance_level=2)
        self.followers: dict[str, int] = {}
        self.language: dict[str, str | None] = {}
        with open(es.creators, encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                self.followers[r["id"]] = r["followers"]
                self.language[r["id"]] = r.get("language")

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
                      "briefs_flagged": None if flagged is None else float(flagged > 0),
                      **self._slots(b, top)}
        return out


    def _slots(self, brief: dict, top: list[str]) -> dict[str, float | None]:
        """Shares of the top-10 slots (of 10, so a short list is not flattered) holding a trap
        (inflated, saturated, keyword stuffer), a creator of the opposite value stance (an
        `opposed` niche), one off the brief's niche (neither in its niches, related nor
        opposed), and either of the last two while a genuine creator of the niche was left
        out ("displaced"), by the generator's truth; beside them the share no ranking can
        avoid ("unavoidable"): with fewer than 10 genuine creators of the niche in the
        languages the brief accepts, the other slots hold another niche, stance or a trap
        whatever the order."""
        j = brief.get("judging") or {}
        if not self.truth or not j:
            return {"traps@10": None, "wrong_stance@10": None, "off_niche@10": None,
                    "displaced@10": None, "unavoidable@10": None}
        niches = set(j.get("niches", [])) | set(j.get("related", []))
        opposed = set(j.get("opposed", []))
        kinds = [self.truth[c]["kind"] for c in top if c in self.truth]
        found = [self.truth[c]["post_niche"] for c in top if c in self.truth]
        # displaced: a slot of another niche or stance while a genuine creator of the brief's
        # niche in a language it accepts was left out (a catalogue with fewer than 10 such
        # creators must fill its top 10 with others: those slots are not the ranker's fault;
        # nor is leaving out a trap of the niche, which is what the ranker is for)
        languages = set(j.get("languages") or [brief["language"]])
        own = [c for c, t in self.truth.items() if t["post_niche"] in niches
               and t.get("kind") not in TRAPS and self.language.get(c) in languages]
        shown = set(top)
        left_out = sum(c not in shown for c in own)
        wrong = sum(n not in niches for n in found)
        return {"traps@10": sum(k in TRAPS for k in kinds) / 10,
                "wrong_stance@10": sum(n in opposed for n in found) / 10,
                "off_niche@10": sum(n not in niches and n not in opposed for n in found) / 10,
                "displaced@10": min(wrong, left_out) / 10,
                "unavoidable@10": max(0, 10 - len(own)) / 10}


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


def paired(before: dict[str, float], after: dict[str, float], resamples: int = 2000,
           seed: int = 0) -> dict[str, float | int]:
    """Two runs' scores on the same briefs, compared brief by brief: the mean difference
    (after - before), its 95% interval by the bootstrap over briefs (seeded: the same runs give
    the same interval), and how many briefs got better or worse by more than 0.001. A brief
    scored in one run only is left out. Eighteen briefs cannot tell 0.01 apart from chance;
    the interval says when a difference is more than that."""
    ids = sorted(set(before) & set(after))
    d = np.array([after[i] - before[i] for i in ids], np.float64)
    if not len(d):
        raise ValueError("no brief scored in both runs")
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, len(d), size=(resamples, len(d)))].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return {"briefs": len(d), "before": float(np.mean([before[i] for i in ids])),
            "after": float(np.mean([after[i] for i in ids])), "difference": float(d.mean()),
            "low": float(lo), "high": float(hi), "better": int((d > 1e-3).sum()),
            "worse": int((d < -1e-3).sum())}
