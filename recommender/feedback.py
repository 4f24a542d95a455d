"""Relevance feedback on what the brief is about: its best candidates say it in their words.

A brief is a few words ("Lancement de notre coffret édition limitée de 12 soins", "Outdoor gear
repair service"); the creators of its niche post about the subject in the niche's own words,
which the brief may not use. The pool is scored once; the content vectors of its FEEDBACK best
creators (by score: on topic, on tier, authentic) are averaged, and the brief's vector is moved
towards that mean at WEIGHT of its own length (Rocchio's relevance feedback, the ranker's own
first answer as the feedback: pseudo-relevance feedback, as IR systems have used it since
SMART). The content component is then the cosine with the moved brief, and the pool is scored
again. The values' stance is still read against the brief's own vector (ranking.stance,
evidence.py): feedback says what the niche talks about, not what the brand stands for.

A brief that uses a word only one creator writes (its promotion code, its name, its own
hashtag: lexical.Query.fewest) is not moved: that creator is what it asks for, and the other
four of the feedback, which cannot share the word, would pull the brief away from it. On the
demo catalogue, 40 briefs that are each one creator's promotion code put that creator first 13
times without feedback and 7 times with it unguarded; guarded, 13, the same answers. A word two
to four creators write is shared by the feedback's members that write it: 38 such one-word
briefs put one of its creators first 13 times without feedback, 14 with it. (Guarding every
word fewer than five creators write, as first tried, left 14 of the feeds set's 18 briefs
unmoved, for words as common as "cooking" or "workout" in a catalogue of 300, and scored no
figure of the sets higher than guarding one creator's words.)

Measured with `creator-match eval` on the three labelled sets, each split, as written, with 40%
of their creators and as planners write them (benchmarks/README.md, "Relevance feedback on
the brief"): 14 of the 18 nDCG@10 figures rose (generator dev 0.931 -> 0.955, stances test
0.981 -> 0.987, feeds test 0.865 -> 0.873), three stayed, one fell (generator test 0.969 ->
0.966). At equal weight (WEIGHT 1, before the guard) the largest fall was 0.008, at half weight
0.003: the half was kept, as a default that wins one set by losing another is not chosen.
The feedback is the pool a default answer holds (Pool.reference), so that a deeper
answer is moved by the same five; a pool too small to hold twice the feedback is not moved,
as evidence.refined does for the values.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .evidence import FEEDBACK
from .pool import Pool

# the feedback's share beside the brief's own vector (both of unit length): the brief stays
# what the match is about, and its niche's words move it
WEIGHT = 0.5


def moved(brief: np.ndarray, best: np.ndarray) -> np.ndarray:
    """The brief's vector moved towards the mean of best (rows: content vectors), at WEIGHT of
    its length, normalised; the brief itself when best says nothing."""
    mean = np.asarray(best, np.float64).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    if not len(best) or norm < 1e-9:
        return brief
    out = np.asarray(brief, np.float64) + WEIGHT * mean / norm
    return (out / max(float(np.linalg.norm(out)), 1e-12)).astype(np.float32)


def content(pool: Pool, scores: np.ndarray,
            vectors_of: Callable[[np.ndarray], np.ndarray]) -> np.ndarray | None:
    """Each candidate's cosine with the brief moved towards its FEEDBACK best (by scores, among
    the reference candidates; ties by vid); None when the pool is no brief's (lookalikes) or
    holds fewer than twice the feedback. vectors_of(vids): their content vectors, a NaN row
    for one the index no longer holds (a writer removed it): such a candidate keeps its
    cosine with the brief."""
    if pool.brief_vector is None or pool.fewest_using == 1:
        return None
    among = (np.arange(len(pool)) if pool.reference is None or not pool.reference.any()
             else np.flatnonzero(pool.reference))
    if len(among) < 2 * FEEDBACK:
        return None
    vectors = vectors_of(pool.vids)
    held = ~np.isnan(vectors).any(axis=1)
    order = among[np.lexsort((pool.vids[among], -scores[among]))]
    best = order[held[order]][:FEEDBACK]
    if not len(best):
        return None
    cosines = vectors @ moved(pool.brief_vector, vectors[best])
    return np.where(np.isnan(cosines), pool.similarity, cosines).astype(np.float64)
