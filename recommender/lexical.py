"""Words, as the lexical index sees them: the query side of SQLite FTS5's unicode61 tokenizer.

The catalog keeps a BM25 full-text index of every creator's bio and posts (catalog.py). Planners
search for exact words - a hashtag, a product name, a brand - that a sentence embedding blurs
into its topic; this module turns a brief into the terms to look up and names the ones a creator
actually used, for the explanation.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

_WORD = re.compile(r"[^\W_]+")

# A term in more than half of all creators' texts carries no information ("the", "de", "my"):
# FTS5's BM25 IDF, log((N - n + 0.5) / (n + 0.5)), is <= 0 there and clamped to ~0. Leaving such
# terms out changes no score and keeps them from making nearly everyone a lexical hit.
MAX_DOC_SHARE = 0.5
# Words in at most this many creators' texts (or this share, at scale) are "rare": they fetch
# creators from the whole collection; the others only re-score candidates.
RARE_MIN, RARE_SHARE = 100, 0.002
K1, B = 1.2, 0.75  # FTS5's bm25() constants


# the combining-mark blocks (accents) that NFKD splits off letters
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower case without accents: what unicode61 with remove_diacritics stores."""
    if text.isascii():
        return text.lower()
    return _MARKS.sub("", unicodedata.normalize("NFKD", text.lower()))


# ASCII text splits on everything but letters and digits ([^\W_] in ASCII): bytes.translate
# and split run in C, several times faster than the regular expression
_ASCII_SEPARATORS = bytes(c if c < 128 and chr(c).isalnum() else 32 for c in range(256))


def words(folded: str) -> list[str]:
    """The words of a folded text, in order (repeats kept)."""
    if folded.isascii():
        return folded.encode("ascii").translate(_ASCII_SEPARATORS).decode("ascii").split()
    return _WORD.findall(folded)


def terms(text: str) -> list[str]:
    """The distinct words of a text, folded, in order of first appearance."""
    return list(dict.fromkeys(words(fold(text))))


def fts_query(words: Iterable[str]) -> str:
    """An FTS5 MATCH expression: any of the words (each quoted, so none is read as syntax)."""
    return " OR ".join(f'"{w}"' for w in words)


def body(record: dict) -> str:
    """The text indexed for one creator: bio and posts."""
    parts = [record.get("bio") or ""] + [p.get("text") or "" for p in record.get("posts") or []]
    return "\n".join(p for p in parts if p)


def matched(query_terms: Iterable[str], texts: Iterable[str]) -> list[str]:
    """The query terms that occur in the texts, in the query's order."""
    seen: set[str] = set()
    for t in texts:
        seen.update(words(fold(t)))
    return [w for w in query_terms if w in seen]


@dataclass
class Query:
    """A brief's words as BM25 sees them: the informative ones, their IDF, the rare ones."""

    terms: list[str]
    idf: dict[str, float] = field(default_factory=dict)
    rare: list[str] = field(default_factory=list)
    avgdl: float = 1.0

    @classmethod
    def build(cls, words: list[str], df: dict[str, int], n: int, tokens: int) -> Query:
        if n <= 0:
            return cls([])
        used = [w for w in words if 0 < df.get(w, 0) <= max(1.0, MAX_DOC_SHARE * n)]
        # FTS5's IDF, with its floor for words in more than half the documents
        idf = {w: max(math.log((n - df[w] + 0.5) / (df[w] + 0.5)), 1e-6) for w in used}
        rare_max = max(RARE_MIN, RARE_SHARE * n)
        return cls(used, idf, [w for w in used if df[w] <= rare_max], max(tokens / n, 1.0))

    def score(self, body: str) -> float:
        """Okapi BM25 of one text (FTS5's formula and constants)."""
        folded = fold(body)
        # most candidates hold none of the words: a substring test (a superset of a word
        # match) rules them out without splitting the text
        if not any(t in folded for t in self.terms):
            return 0.0
        toks = words(folded)
        tf = {w: n for w in self.terms if (n := toks.count(w))}  # a few words: C-level counts
        if not tf:
            return 0.0
        norm = K1 * (1 - B + B * len(toks) / self.avgdl)
        return float(sum(self.idf[w] * f * (K1 + 1) / (f + norm) for w, f in tf.items()))
