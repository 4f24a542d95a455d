"""Lexical search: the words of a brief and of a creator's texts (tokens.py), BM25 over them
(the FTS5 index a catalog keeps, fulltext)."""

from .tokens import (
    MAX_DOC_SHARE,
    STOPWORDS,
    Query,
    analyse,
    body,
    body_stems,
    brief_language,
    brief_words,
    fold,
    fts_query,
    matched,
    term_vector,
    terms,
    words,
)

__all__ = ["MAX_DOC_SHARE", "STOPWORDS", "Query", "analyse", "body", "body_stems", "brief_language",
           "brief_words", "fold", "fts_query", "matched", "term_vector", "terms", "words"]
