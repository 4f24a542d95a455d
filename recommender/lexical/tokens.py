"""Words, as the lexical index sees them: folded, without stopwords, stemmed by language.

The catalog keeps a BM25 full-text index of every creator's bio and posts (fulltext.py). Planners
search for exact words - a hashtag, a product name, a brand - that a sentence embedding blurs
into its topic; this module turns a brief into the terms to look up and names the ones a creator
actually used, for the explanation.

Analysis (the same for the index and the brief): fold case and accents, split into words, find
the text's language (which of the English and French stopword lists its words use more; the
creator's own language breaks a tie, so a bilingual creator's English posts count as English),
drop that language's stopwords ("of", "the", "de", "un", "d'" neither score nor appear in
explanations, while "home", "free", "second", "plein" do: see _STOP; a French "course" stays,
though "of course" makes it an English one), then stem with that language's Snowball stemmer
(PyStemmer: "recettes" and "recette" are both "recet").
A brief is stemmed both ways: it finds an English and a French creator alike. The index stores
the stems (FTS5 then tokenizes them as words); an index written before this analysis is rebuilt
by the catalog's migration step 7.

Other languages: a creator whose language (stated, or detected at ingest) is one that both
maintained packages cover (a Snowball stemmer in PyStemmer and a list in stop-words: German,
Spanish, Italian, Portuguese, Dutch, Polish, Russian, Turkish, Arabic and a dozen more; OTHER)
has each text read between English, French and that language, by the same vote of stopwords,
so a German caption loses "und", "die", "für" and "Rezepte" is stemmed as "Rezept". A brief is
read in such a language as well when the language identifier reads it so among the languages
the index's creators write (brief_language): its stopwords leave the brief and its words are
stemmed in that language too. A catalogue of English and French creators is read exactly as
before (migration step 16 rebuilds the lexical index of one that holds another language).
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import numpy as np
import Stemmer
from stop_words import LANGUAGE_MAPPING, get_stop_words


def _combining_marks() -> str:
    """A character class of the combining marks (Unicode categories Mn, Mc, Me) of the Basic
    Multilingual Plane: the vowel signs of Devanagari and Thai, Arabic's hamza above as NFKD
    splits it off. They are not letters to the regular expressions, so a word split at each
    ("पसंदीदा" read as "पस", "द", "द"); FTS5's tokenizer keeps them in the word."""
    ranges, start = [], None
    for cp in range(0x10000):
        # the variation selectors (an emoji's U+FE0F) are marks too, of no word: they stay
        # separators, as they were
        mark = unicodedata.category(chr(cp))[0] == "M" and not 0xFE00 <= cp <= 0xFE0F
        if mark and start is None:
            start = cp
        elif not mark and start is not None:
            ranges.append(f"{chr(start)}-{chr(cp - 1)}" if cp - 1 > start else chr(start))
            start = None
    return "".join(ranges)


# a word: a letter or digit, then letters, digits and combining marks
_WORD = re.compile(rf"[^\W_](?:[^\W_]|[{_combining_marks()}])*")

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


LANGUAGES = ("en", "fr")
_STEMMER_NAMES = {"en": "english", "fr": "french"}
# Stopwords are the words that say nothing of what a text is about. The lists are the
# `stop-words` package's, each entry split as words() splits text ("aren't": "aren", "t"),
# without the words they hold that do name a topic. Its English list (1,333 words) also holds
# generic verbs and adjectives ("want", "use", "buy", "new", "best"), found in the captions of
# every niche, which stay stopwords; what leaves both lists:
# * nouns that name what creators post about ("home", "room", "face", "men", "fire", "ring",
#   "novel", "mug", "computer", "website"; "pièce", "valeur");
# * the verbs that name a niche's activity ("run", "fix", "save", "test");
# * the words that make a compound mean what it does: "plastic-free" was read as "plastic",
#   "second-hand" as "hand", "zero waste" as "waste", "plein air" as "air".
_ENGLISH_CONTENT_WORDS = frozenset((
    "area", "areas", "bill", "computer", "face", "faces", "fire", "group", "groups", "home",
    "homepage", "information", "invention", "keys", "line", "man", "men", "member", "members",
    "microsoft", "mug", "name", "net", "netscape", "novel", "page", "pages", "place", "places",
    "research", "ring", "room", "rooms", "site", "system", "test", "text", "tip", "value",
    "web", "webpage", "website", "world", "year", "years",
    "run", "fix", "save",
    "free", "zero", "second"))
_FRENCH_CONTENT_WORDS = frozenset((
    "chose", "choses", "debut", "dos", "droite", "essai", "etat", "force", "mine", "mot", "nom",
    "parole", "personne", "personnes", "piece", "sujet", "valeur", "voie",
    "plein"))


def _stopwords(lang: str, content: frozenset[str]) -> frozenset[str]:
    return frozenset(w for entry in get_stop_words(lang) for w in words(fold(entry))) - content


_STOP = {"en": _stopwords("en", _ENGLISH_CONTENT_WORDS),
         "fr": _stopwords("fr", _FRENCH_CONTENT_WORDS)}
STOPWORDS = _STOP["en"] | _STOP["fr"]
# what tells the languages apart: the stopwords of one that are not the other's ("de" is in
# both lists)
_ONLY = {"en": _STOP["en"] - _STOP["fr"], "fr": _STOP["fr"] - _STOP["en"]}


# The other languages analysed: those with both a Snowball stemmer and a stopword list, by
# ISO 639-1 code (Norwegian's list is filed under Bokmål, "nb"; "no" names it as well)
_STEMMERS = set(Stemmer.algorithms())
OTHER = {code: name for code, name in {**LANGUAGE_MAPPING, "no": "norwegian"}.items()
         if name in _STEMMERS and code not in LANGUAGES
         and code != "el"}  # the package's Greek list is of Ancient Greek ("ἀλλά", "γάρ")
_STEMMER_NAMES.update(OTHER)


def base_language(code: str | None) -> str | None:
    """The language a code names, without its region ("pt-br" -> "pt"); None for none."""
    return code.split("-")[0].lower() if code else None


def other_language(code: str | None) -> str | None:
    """The code's base language when it is one of OTHER (analysed beside English and French),
    else None."""
    base = base_language(code)
    return base if base in OTHER else None


def stopwords(lang: str) -> frozenset[str]:
    """A language's stopwords, folded and split as words() splits text."""
    if lang in _STOP:
        return _STOP[lang]
    return _other_stopwords(lang)


@cache
def _other_stopwords(lang: str) -> frozenset[str]:
    return _stopwords(OTHER[lang], frozenset())


@cache
def _only(candidates: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """Each candidate language's stopwords that are none of the others'."""
    return {lang: stopwords(lang).difference(*(stopwords(o) for o in candidates if o != lang))
            for lang in candidates}


@cache
def _stemmer(lang: str) -> Any:
    return Stemmer.Stemmer(_STEMMER_NAMES[lang])


def language_of(tokens: Sequence[str], hint: str | None = None) -> str:
    """en or fr (or the hint's language when it is one of OTHER), by which language's
    stopwords, among those none of the others has, the words use more; the hint (the
    creator's language) on a tie, then English."""
    extra = other_language(hint)
    if extra is None:  # English and French, as the index has always read them
        en = sum(t in _ONLY["en"] for t in tokens)
        fr = sum(t in _ONLY["fr"] for t in tokens)
        if en != fr:
            return "en" if en > fr else "fr"
        base = base_language(hint) or "en"
        return base if base in LANGUAGES else "en"
    only = _only((*LANGUAGES, extra))
    counts = {lang: sum(t in words for t in tokens) for lang, words in only.items()}
    best = max(counts.values())
    tied = [lang for lang, n in counts.items() if n == best]
    return extra if extra in tied else tied[0]


def analyse(text: str, language: str | None = None) -> list[str]:
    """The index terms of a text, in order (repeats kept): stems of its words that are not
    stopwords, in the text's language."""
    tokens = words(fold(text))
    lang = language_of(tokens, language)
    stop = stopwords(lang)
    kept = [t for t in tokens if t not in stop]
    return list(_stemmer(lang).stemWords(kept)) if kept else []


def content_words(text: str, language: str | None = None) -> list[tuple[str, str]]:
    """(word, stem) for each distinct stem of a text's words that are not stopwords of its
    language, in order; the word as written (lower case, accents kept), for an explanation."""
    written = [(w, t) for w in _WORD.findall(text.lower()) for t in words(fold(w))]
    lang = language_of([t for _, t in written], language)
    stop = stopwords(lang)
    kept = [(w, t) for w, t in written if t not in stop]
    stems = _stemmer(lang).stemWords([t for _, t in kept]) if kept else []
    out: dict[str, str] = {}
    for (w, _), s in zip(kept, stems, strict=True):
        out.setdefault(s, w)
    return [(w, s) for s, w in out.items()]


def brief_words(text: str, language: str | None = None) -> list[str]:
    """The distinct words of a brief that are stopwords of neither language (nor of language,
    the brief's when it is one of OTHER: brief_language), in order, in small letters with their
    accents ("végétales"): what the explanation names when a creator uses one (a brief is
    short and often mixes both). Two words that differ only by accents are one, as the index
    reads them."""
    extra = other_language(language)
    stop = STOPWORDS if extra is None else STOPWORDS | stopwords(extra)
    out: dict[str, str] = {}
    for w in _WORD.findall(text.lower()):
        parts = words(fold(w))
        for t in parts:  # a word that folds into two ("ﬁ"-ligatures) is shown as folded
            if t not in stop:
                out.setdefault(t, w if len(parts) == 1 else t)
    return list(out.values())


@lru_cache(maxsize=8192)
def stems_of(word: str, language: str | None = None) -> tuple[str, ...]:
    """A word's stems, folded as the index stores them, in English and French (a brief may be
    either) and in language when it is one of OTHER; cached: each match's explanations ask
    again for every creator shown."""
    folded = fold(word)
    extra = other_language(language)
    langs = LANGUAGES if extra is None else (*LANGUAGES, extra)
    return tuple(dict.fromkeys(_stemmer(lang).stemWord(folded) for lang in langs))


def terms(text: str, language: str | None = None) -> list[str]:
    """A brief's distinct index terms, in order: each word's stems in every language it is
    read in (brief_words, stems_of)."""
    return list(dict.fromkeys(s for w in brief_words(text, language)
                              for s in stems_of(w, language)))


def brief_language(text: str, held: Iterable[str | None]) -> str | None:
    """The language of OTHER a brief is written in, when the language identifier reads it so
    among English, French and the languages held (the index's creators'): locales.written_in,
    which reads a short text reliably among a few languages where the choice among every
    language does not. None when the brief reads as English or French, or not clearly: an
    index of English and French creators never asks the identifier."""
    extras = {other_language(code) for code in held} - {None}
    if not extras:
        return None
    from ..locales import written_in

    return other_language(written_in(text, {*LANGUAGES, *(e for e in extras if e)}))


def fts_query(words: Iterable[str]) -> str:
    """An FTS5 MATCH expression: any of the words (each quoted, so none is read as syntax)."""
    return " OR ".join(f'"{w}"' for w in words)


# starts the line of a body that holds the creator's categories: a separator to FTS5's
# unicode61 and to words(), so it is never a term
CATEGORIES_MARK = "§"


def body(record: dict[str, Any], detected: str | None = None) -> str:
    """The text indexed for one creator: the analysed bio and posts, one line each (each text
    stemmed in its own language, a post as hashtags.read reads it), then its categories on a
    line of their own after CATEGORIES_MARK. The categories are the creator's niche as it or
    its platform names it: a brief that names the niche ("outdoor gear repair") finds the
    creators filed under it, whatever words their captions use. detected: the language the
    ingest read the texts in, for a record that states none; it is used when it is one of
    OTHER (between English and French the texts' own stopwords decide, as they always did)."""
    from ..hashtags import read, unborne

    language = record.get("language") or (detected if other_language(detected) else None)
    captions = [p.get("text") or "" for p in record.get("posts") or []]
    unread = unborne(captions)
    parts = [record.get("bio") or ""] + [read(t, unread) for t in captions]
    lines = [" ".join(analyse(p, language)) for p in parts if p]
    categories = analyse(" ".join(record.get("categories") or []), language)
    if categories:
        lines.append(" ".join([CATEGORIES_MARK, *categories]))
    return "\n".join(lines)


def body_stems(indexed: str) -> tuple[set[str], set[str]]:
    """(stems of its texts, stems of its categories) of an indexed body (body())."""
    texts: set[str] = set()
    categories: set[str] = set()
    for line in indexed.splitlines():
        if line.startswith(CATEGORIES_MARK):
            categories.update(line[len(CATEGORIES_MARK):].split())
        else:
            texts.update(line.split())
    return texts, categories


def matched(brief: Iterable[str], stems: set[str], language: str | None = None) -> list[str]:
    """The brief's words (brief_words) a creator used, given the stems of its texts (its
    indexed body): "recette" when it wrote "recettes"; in the brief's order (language: the
    brief's, as brief_words was given it)."""
    return [w for w in brief if any(s in stems for s in stems_of(w, language))]


@dataclass
class Query:
    """A brief's words as BM25 sees them: the informative ones, their IDF, the rare ones."""

    terms: list[str]
    idf: dict[str, float] = field(default_factory=dict)
    rare: list[str] = field(default_factory=list)
    avgdl: float = 1.0
    # the fewest creators any of its words is used by (0: it has none the index holds)
    fewest: int = 0

    @classmethod
    def build(cls, words: list[str], df: dict[str, int], n: int, tokens: int) -> Query:
        if n <= 0:
            return cls([])
        used = [w for w in words if 0 < df.get(w, 0) <= max(1.0, MAX_DOC_SHARE * n)]
        # FTS5's IDF, with its floor for words in more than half the documents
        idf = {w: max(math.log((n - df[w] + 0.5) / (df[w] + 0.5)), 1e-6) for w in used}
        rare_max = max(RARE_MIN, RARE_SHARE * n)
        return cls(used, idf, [w for w in used if df[w] <= rare_max], max(tokens / n, 1.0),
                   min((df[w] for w in used), default=0))

    def scores(self, lengths: Sequence[int], vectors: Sequence[bytes]) -> np.ndarray:
        """Okapi BM25 (FTS5's formula and constants) of texts given as their token counts and
        term vectors (see term_vector): a few numpy passes for a whole candidate pool."""
        if not self.terms or not len(lengths):
            return np.zeros(len(lengths), np.float64)
        entries = np.frombuffer(b"".join(vectors), dtype=TERM_VECTOR)
        owner = np.repeat(np.arange(len(vectors)),
                          [len(v) // TERM_VECTOR.itemsize for v in vectors])
        qhash = np.array([term_hash(t) for t in self.terms], np.uint64)
        order = np.argsort(qhash)
        qhash, idf = qhash[order], np.array([self.idf[t] for t in self.terms])[order]
        at = np.searchsorted(qhash, entries["term"]).clip(0, len(qhash) - 1)
        hit = qhash[at] == entries["term"]
        at, tf, owner = at[hit], entries["tf"][hit].astype(np.float64), owner[hit]
        norm = K1 * (1 - B + B * np.asarray(lengths, np.float64) / self.avgdl)
        return np.bincount(owner, weights=idf[at] * tf * (K1 + 1) / (tf + norm[owner]),
                           minlength=len(lengths))


# A text's term vector: each distinct word once, as a 64-bit hash of the word and its count. The
# catalog keeps one per creator, so BM25 of a candidate pool is a vectorised lookup instead of
# folding and splitting every candidate's texts at query time (64-bit hashes: some two words of
# a vocabulary of a million share one with odds of about 3 in 10^8, n^2 / 2^65).
TERM_VECTOR = np.dtype([("term", "<u8"), ("tf", "<u4")])


def term_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8", "surrogatepass"),
                                          digest_size=8).digest(), "little")


def index_terms(analysed: str) -> list[str]:
    """The terms of an analysed text (body), in order, as FTS5 counts them: CATEGORIES_MARK is
    a separator to it, not a term."""
    return [w for w in analysed.split() if w != CATEGORIES_MARK]


def term_vector(analysed: str) -> tuple[int, list[str], bytes]:
    """(token count, distinct terms in order of first appearance, term vector) of an analysed
    text (body)."""
    counts = Counter(index_terms(analysed))
    vec = np.array([(term_hash(w), n) for w, n in counts.items()], dtype=TERM_VECTOR)
    return sum(counts.values()), list(counts), vec.tobytes()
