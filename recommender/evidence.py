"""Evidence from posts: the shortlist's values re-scored from what each creator posts.

A creator's content vector is the mean of its bio and posts, and the pool's similarity (its
cosine with the brief) is what the creator talks about, taken together: it is the best of the
signals measured for telling the brief's niche from the others (ROC AUC over creators, mean
over briefs, USE-m3; `benchmarks/README.md`):

    signal                                   generator  stances  feeds
    cosine with the content vector           0.981      0.987    0.957
    mean of all posts' cosines               0.972      0.984    0.927
    mean of the 3 closest posts' cosines     0.970      0.974    0.904
    (mean of the two above: the content fit re-scored here until 2026-11-30)
                                             0.973      0.981    0.919

So content is not re-scored from the posts. The values are: a stance shows in some of a
creator's posts, not in all, and the mean blurs it. For the few creators that can make the top
k:

* values fit = the mean cosine of its TOP_POSTS texts closest to the values direction beyond
               the brief's topic (ranking.values_direction), among its bio and posts, each
               caption once (the catalog reads each text of a creator once: one post repeated
               three times is one piece of evidence), so that two creators of one niche with
               opposite stances separate. The bio counts: it is where a creator says what it
               stands for ("less but better skincare | empties & honest reviews"); a bio that
               piles up the brief's words over posts of another niche is the bio_mismatch
               flag's job. The posts among them are shown as "shares your values".

               How well it tells the brief's stance from the opposite one within the niche
               (ROC AUC, as above):        generator  stances  feeds
               3 closest posts                 0.892      0.948    0.673
               3 closest of bio and posts      0.920      0.954    0.800

* refined    - the direction is then moved towards what the FEEDBACK creators of the
               shortlist who hold the values most say, and away from what the FEEDBACK who
               hold them least say (their aligned texts' means: Rocchio relevance feedback,
               with the shortlist as the feedback, at equal weight with the statement), and
               the fit is read again along it, put back on the first fit's median and spread.
               A statement is a few abstract words ("discipline, intensity, results"), which
               the other side may even write ("consistency over intensity"); the creators who
               share it say it in their own ("no rest days", "shred season").
               `eval` against the statement's direction alone: of the nine sets and variants,
               none lower by more than 0.0004 nDCG@10, the three sets up 0.005 to 0.018
               (benchmarks/README.md). Without
               the rescaling the refined fit's spread was wider than the margin was measured
               for, and re-ordered creators of one side against their tiers (generator test
               0.961 -> 0.93).

The feedback, the median and the spread are read on the shortlist a default answer re-scores
(its first REFERENCE): a deeper one, for more results, scores more creators on them.

Values fit is 0.5 at the shortlist's median with STANCE_MARGIN either side (a fixed margin in
cosine units keeps small differences among creators who all share the values small). It
replaces the pool's values component, and the ranker combines the components as before.
"""

from __future__ import annotations

import numpy as np

from .pool import Candidate
from .ranking import Ranker, columns, values_direction
from .retrieval import SAME_DEPTH_UP_TO

TOP_POSTS = 3
# the shortlist's creators whose texts refine the values direction, at each end (refined)
FEEDBACK = 5
# values fit: 0.5 at the shortlist's median, 1 this much cosine above it, 0 this much below.
# The margin is the distance measured between the two stances of a niche: the median values
# fit of the brief's stance stands 0.105, 0.107 and 0.076 above the opposite stance's on the
# three labelled sets (genuine creators of the brief's languages), so a creator of the
# opposite stance takes about the whole values discount. A fixed margin, unlike rescaling
# lowest-to-best, does not turn the small differences among creators who all share the values
# into large discounts, and one outlier does not set everyone's scale. (0.15, set when the
# values fit read the posts alone, gave a creator 0.1 below the median 0.17, not 0.)
STANCE_MARGIN = 0.1


def rerank_depth(depth: int) -> int:
    """How many of the pool's best are re-scored from their posts for `depth` results: enough
    that a creator the pool's mean vectors under-rate can still climb into the top, few enough
    that reading their posts' vectors stays a small part of a match; the same number for any
    depth up to retrieval.SAME_DEPTH_UP_TO, since the values' median is taken over them."""
    return 2 * max(depth, SAME_DEPTH_UP_TO)


# the shortlist a default answer re-scores: a deeper one's scales are read on its first these
REFERENCE = rerank_depth(SAME_DEPTH_UP_TO)


class Texts:
    """The shortlist's texts as one matrix (each creator's rows together, in its order), so that
    reading them along a direction is one product, not one per creator."""

    def __init__(self, mats: list[np.ndarray]) -> None:
        lengths = np.array([len(m) for m in mats], np.int64)  # each at least 1
        self.rows = np.concatenate(mats)
        self.owner = np.repeat(np.arange(len(mats)), lengths)
        self.start = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        self.length = lengths
        self.taken = np.minimum(lengths, TOP_POSTS)  # how many texts each fit reads

    def ranked(self, direction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(each text's cosine along direction; the texts in order of creator, then of that
        cosine, highest first, ties in the creator's order)."""
        sims = self.rows @ direction
        return sims, np.lexsort((-sims, self.owner))

    def best(self, order: np.ndarray) -> np.ndarray:
        """The rows, in order, of each creator's TOP_POSTS texts highest along the direction
        order was ranked by (all of them when it has fewer)."""
        within = np.arange(len(order)) - self.start[self.owner[order]]
        return order[within < TOP_POSTS]

    def fits(self, sims: np.ndarray, best: np.ndarray) -> np.ndarray:
        """Each creator's mean cosine over its best texts."""
        return np.bincount(self.owner[best], weights=sims[best],
                           minlength=len(self.length)) / self.taken

    def means(self, best: np.ndarray) -> np.ndarray:
        """Each creator's best texts' mean vector, one row a creator."""
        owner = self.owner[best]
        weights = np.zeros((len(self.length), len(best)), np.float32)
        weights[owner, np.arange(len(best))] = 1.0 / self.taken[owner]
        return weights @ self.rows[best]


def refined(direction: np.ndarray, texts: list[np.ndarray], fits: np.ndarray) -> np.ndarray:
    """The values direction moved towards what the shortlist's creators who hold the values
    most say, and away from what those who hold them least say: each creator's TOP_POSTS texts
    closest to the direction, averaged, for the FEEDBACK best and worst by fit (fits, in the
    order of texts), their difference taken at the direction's own length (Rocchio relevance
    feedback, with the shortlist as the feedback). A statement is a few abstract words
    ("discipline, intensity, results"); the creators who share it say it in their own ("no
    rest days", "shred season"). The direction itself when the shortlist is too short to hold
    both ends."""
    order = np.argsort(-fits, kind="stable")
    if len(order) < 2 * FEEDBACK:
        return direction
    best = np.mean([texts[i] for i in order[:FEEDBACK]], axis=0)
    worst = np.mean([texts[i] for i in order[-FEEDBACK:]], axis=0)
    contrast = best - worst
    norm = float(np.linalg.norm(contrast))
    if norm < 1e-9:
        return direction
    moved = direction + contrast / norm
    return moved / max(float(np.linalg.norm(moved)), 1e-12)


def on_scale(fresh: np.ndarray, before: np.ndarray, ref: np.ndarray | None = None
             ) -> np.ndarray:
    """fresh put on before's scale: the same median and spread (standard deviation; both read
    on the ref positions, when any), so that STANCE_MARGIN, measured in the statement's own
    direction, reads the refined one alike."""
    f, b = (fresh, before) if ref is None or not ref.any() else (fresh[ref], before[ref])
    spread = float(np.std(f))
    if spread < 1e-9:
        return before
    return float(np.median(b)) + (fresh - float(np.median(f))) * (float(np.std(b)) / spread)


def rescore(ranker: Ranker, cands: list[Candidate],
            vectors: dict[int, tuple[list[str | None], np.ndarray]],
            q_brief: np.ndarray, q_values: np.ndarray | None) -> list[Candidate]:
    """The candidates with values from their posts, re-scored, best first (ties by creator
    id); without a values statement, as they came. A candidate whose vectors could not be read
    keeps its pool components."""
    if q_values is None:
        return cands
    read = [i for i, c in enumerate(cands) if len(vectors.get(c.row.vid, ((), ()))[1])]
    mats = [vectors[cands[i].row.vid][1] for i in read]
    # the scales (the feedback, the median and spread) are read on the shortlist a default
    # answer re-scores (cands come best first), so that a deeper one scores more creators on
    # the same scales (retrieval.REFERENCE_DEPTH)
    ref = np.array([i < REFERENCE for i in read], bool)
    stance = np.full(len(cands), np.nan)
    if read:
        texts = Texts(mats)
        direction = values_direction(q_brief, q_values)
        sims, order = texts.ranked(direction)
        best = texts.best(order)
        fits = texts.fits(sims, best)
        direction = refined(direction, list(texts.means(best)[ref]), fits[ref])
        sims, order = texts.ranked(direction)  # the fit's texts, and the posts shown
        for n, i in enumerate(read):
            pids = vectors[cands[i].row.vid][0]
            first, last = int(texts.start[n]), int(texts.start[n] + texts.length[n])
            posts = [j for j in order[first:last].tolist() if pids[j - first] is not None]
            cands[i].value_posts = [(str(pids[j - first]), round(float(sims[j]), 4))
                                    for j in posts[:TOP_POSTS]]
        stance[read] = on_scale(texts.fits(sims, texts.best(order)), fits, ref)
    comps = columns([c.components for c in cands])
    if comps["values"] is not None:
        comps["values"] = _replace(comps["values"], stance,
                                   REFERENCE if len(cands) > REFERENCE else None)
    scores = ranker.combine(comps, len(cands))
    for i, c in enumerate(cands):
        c.components = {k: None if v is None or np.isnan(v[i]) else round(float(v[i]), 4)
                        for k, v in comps.items()}
        c.score = float(scores[i])
    return sorted(cands, key=lambda c: (-c.score, c.row.id))


def _replace(pool_values: np.ndarray, fresh: np.ndarray, first: int | None = None
             ) -> np.ndarray:
    """fresh where known (the pool's component elsewhere), in cosine units around the
    shortlist's median (of its first candidates, when given): the median 0.5, STANCE_MARGIN
    above it 1, STANCE_MARGIN below it 0."""
    known = ~np.isnan(fresh)
    if not known.any():
        return pool_values
    out = pool_values.copy()
    centre = fresh[:first][known[:first]] if first is not None else fresh[known]
    mid = float(np.median(centre if len(centre) else fresh[known]))
    out[known] = np.clip((fresh[known] - mid + STANCE_MARGIN) / (2 * STANCE_MARGIN), 0.0, 1.0)
    return out
