"""French typed without accents, read with them: "complements proteines, seche" as
"compléments protéines, sèche".

Planners often type French without its accents (an English keyboard, a phone, a quick
message). BM25 does not mind (the lexical index folds accents on both sides), but the sentence
encoder does: "seche" and "depassement" are no French words to it, and the stances set's French
briefs and statements typed so lost 0.983 -> 0.942 nDCG@10 on their test briefs, wrong stance
1% -> 5% of the top-10 slots (benchmarks/README.md). So before a brief is encoded, each word of
a French brief typed without a single accent that is no French word as typed, but is one
with accents, is given them: its most frequent accented form in a French word-frequency list
(pyspellchecker's, counted over film subtitles). A word that is a word as typed stays ("tente"
is a tent, though "tenté" is more frequent; "marche", "mais", "du", "sur"), and so does an
English word more frequent in English than its accented form is in French ("email" is not
"émail", "the" not "thé"), and so does the trade's "reels" (no "réels"); and so does every
text with an accent anywhere: its writer types them, and an unaccented word there is meant
so.
The brief and its values statement are read together (a statement is often a list of nouns
without a stopword: "performance, seche, depassement"), and are French when their words use
more of French's stopwords than of English's (lexical.language_of), or else when a word needs
accents and the language identifier finds French likelier than English.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from .lexical.tokens import fold, language_of, words
from .locales import written_in

_LETTERS = re.compile(r"[A-Za-z]+")
# the trade's English words that a word list counted over film subtitles takes for French
# ones: an Instagram "reel" is no "réel"
_BORROWED = frozenset({"reel", "reels"})


@cache
def _accented() -> dict[str, str]:
    """Each French word's spelling without accents, when that is no French word of its own
    and no English word more frequent in English than the accented word is in French ("the",
    "email", "elite", "age" stay: a French brief borrows English words), to its most frequent
    accented form ("seche" -> "sèche", "ete" -> "été")."""
    from spellchecker import SpellChecker  # half a second: once, at a process's first brief

    french = SpellChecker(language="fr", distance=1).word_frequency.dictionary
    english = SpellChecker(language="en", distance=1).word_frequency.dictionary
    best: dict[str, tuple[int, str]] = {}
    for word, n in french.items():
        plain = fold(word)
        if plain != word and plain.isascii() and (plain not in best or n > best[plain][0]):
            best[plain] = (n, word)
    fr_total, en_total = sum(french.values()), sum(english.values())
    return {plain: word for plain, (n, word) in best.items()
            if plain not in french and plain not in _BORROWED
            and english.get(plain, 0) / en_total <= n / fr_total}


def _french(text: str, table: dict[str, str]) -> bool:
    """Whether a text with no accent is French that lost them: more of French's stopwords
    than of English's; or else a word that needs accents ("vegetales") and the language
    identifier finding French likelier than English ("iPhone vs Android camera reviews" has
    such a word too). The stopwords alone do not say English: a brief of a few words often
    has none, and the English list holds words a French brief writes too ("site", and the
    "fr" of "verdure.fr")."""
    tokens = words(text.lower())
    if language_of(tokens, "en") == "fr":  # more French stopwords than English ones
        return True
    return any(t in table for t in tokens) and written_in(text, ("en", "fr"), sure=0.5) == "fr"


def _give(match: re.Match[str], table: dict[str, str], given: dict[str, str]) -> str:
    typed = match.group()
    word = table.get(typed.lower())
    if word is None:
        return typed
    given.setdefault(typed.lower(), word)
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word


def with_accents(brief: str, values: str | None) -> tuple[str, str | None, dict[str, str]]:
    """(the brief, its values statement, {word as typed: word read}) with the accents given
    back to the words that need them, when the two, read together, are French with no accent
    anywhere; the texts as they are and {} otherwise."""
    brief, values, given = _read(brief, values)
    return brief, values, dict(given)


@lru_cache(maxsize=4096)
def _read(brief: str, values: str | None) -> tuple[str, str | None, tuple[tuple[str, str], ...]]:
    """with_accents, kept for the briefs read last (a match reads the brief, and its notes
    read it again), the words given as pairs: a cached answer is never changed."""
    joined = f"{brief}\n{values or ''}"
    if not joined.isascii():
        return brief, values, ()
    table = _accented()
    if not _french(joined, table):
        return brief, values, ()
    given: dict[str, str] = {}
    brief = _LETTERS.sub(lambda m: _give(m, table, given), brief)
    if values:
        values = _LETTERS.sub(lambda m: _give(m, table, given), values)
    return brief, values, tuple(given.items())
