"""creator-match eval: relevance on a labelled set, beside the baselines a planner would use.

    dataset.py   the labelled set: creators, briefs (dev/test, EN/FR), graded judgments
    judging.py   the judging rules (JUDGING.md), applied to the generator's truth
    systems.py   creator-match and the baselines, each answering every brief
    metrics.py   nDCG@10, Recall@50, MRR, tier fit and flagged shares (pytrec_eval)
    tuning.py    the weights' grid search on the dev briefs
    report.py    markdown and a chart
    runner.py    the command: index the set, run, score, report
"""
