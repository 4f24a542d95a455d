"""Words, as the lexical index sees them: the query side of SQLite FTS5's unicode61 tokenizer.

The catalog keeps a BM25 full-text index of every creator's bio and posts (catalog.py). Planners
search for exact words - a hashtag, a product name, a brand - that a sentence embedding blurs
into its topic; this module turns a brief into the terms to look up and names the ones a creator
actually used, for the explanation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_WORD = re.compile(r"[^\W_]+")

# A term in more than half of all creators' texts carries no information ("the", "de", "my"):
# FTS5's BM25 IDF, log((N - n + 0.5) / (n + 0.5)), is <= 0 there and clamped to ~0. Leaving such
# terms out changes no score and keeps them from making nearly everyone a lexical hit.
MAX_DOC_SHARE = 0.5


def fold(text: str) -> str:
    """Lower case without accents: what unicode61 with remove_diacritics stores."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def terms(text: str) -> list[str]:
    """The distinct words of a text, folded, in order of first appearance."""
    return list(dict.fromkeys(_WORD.findall(fold(text))))


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
        seen.update(_WORD.findall(fold(t)))
    return [w for w in query_terms if w in seen]
