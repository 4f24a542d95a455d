"""What retrieval hands the ranker: a brief's candidate pool as columns (everything scoring
needs, before any catalog row is read), then the rows of the few that can make the top k."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .locales import written_in


@dataclass
class Pool:
    """A brief's candidates as columns."""

    vids: np.ndarray  # int64
    similarity: np.ndarray  # raw cosine with the brief
    values_similarity: np.ndarray | None  # raw cosine with the values statement
    keywords: np.ndarray | None  # BM25 / best BM25; None: lexical search off
    tier: np.ndarray  # tier names
    engagement: np.ndarray
    authenticity: np.ndarray
    brief_values_cosine: float | None = None  # cosine of the values vector with the brief's
    brief_vector: np.ndarray | None = None  # the brief's vector (None for lookalikes)
    values_vector: np.ndarray | None = None  # the values statement's, when the brief has one
    language: np.ndarray | None = None  # each candidate's language code, None where unknown
    brief_language: str | None = None  # the brief's, among the candidates' (see read_in)
    # which candidates the default answer's pool holds (retrieval.REFERENCE_DEPTH), None when
    # all: the scales are read on them, so that asking for more results scores more creators
    # on the same scales, and the first ten of fifty are the ten
    reference: np.ndarray | None = None
    # the language besides English and French the brief's words are read in (its stopwords
    # out, stemmed in it too: lexical.brief_language), None for none
    words_in: str | None = None
    # cosine with the brief moved towards its best candidates (feedback.content), what the
    # content component reads; None: the brief's own cosine (similarity)
    content: np.ndarray | None = None
    # the fewest creators of the index that use one of the brief's words (lexical.Query.fewest);
    # None: not looked up (lexical search off)
    fewest_using: int | None = None

    def in_reference(self, column: np.ndarray) -> np.ndarray:
        """column's values for the reference candidates (all of them when every candidate is
        one, or none is)."""
        if self.reference is None or not self.reference.any():
            return column
        out: np.ndarray = column[self.reference]
        return out

    def __len__(self) -> int:
        return len(self.vids)

    def read_in(self, text: str) -> None:
        """Note the language the brief's looked-up words (text) are written in, chosen among
        its candidates' languages (None when they share one, or it is not clear): the
        ranker leaves words out of the relevance of a creator who writes in another."""
        if self.keywords is not None and self.language is not None and len(self):
            self.brief_language = written_in(text, set(self.language.tolist()))

    def other_language(self) -> np.ndarray:
        """Which candidates write in a language other than the brief's (none when either is
        unknown): the brief's words are not theirs to use, so not evidence against them."""
        if self.brief_language is None or self.language is None:
            return np.zeros(len(self), bool)
        return np.array([code is not None and code.split("-")[0] != self.brief_language
                         for code in self.language.tolist()], bool)

    @classmethod
    def empty(cls) -> Pool:
        return cls(np.zeros(0, np.int64), np.zeros(0), None, None, np.zeros(0, dtype=object),
                   np.zeros(0), np.zeros(0))


@dataclass
class CreatorRow:
    """What ranking and explanation read of a stored creator (signals parsed on demand)."""

    vid: int
    id: str
    handle: str | None
    platform: str
    followers: int
    tier: str
    engagement_rate: float | None
    engagement: float
    authenticity: float
    signals_json: str
    vector: np.ndarray
    country: str | None = None
    language: str | None = None
    categories: list[str] = field(default_factory=list)

    @property
    def signals(self) -> dict[str, Any]:
        out: dict[str, Any] = json.loads(self.signals_json)
        return out


@dataclass
class Candidate:
    """One scored creator of a pool, with its catalog row."""

    row: CreatorRow
    similarity: float  # raw cosine with the brief
    values_similarity: float | None  # raw cosine with the values statement
    keywords: float | None = None  # BM25 / best BM25 for the brief; None: lexical search off
    components: dict[str, float | None] = field(default_factory=dict)
    score: float = 0.0
    value_posts: list[tuple[str, float]] = field(default_factory=list)  # (post id, stance)
