"""Countries and languages as people type them, mapped to the codes the index stores.

A creator list or a filter may say "France", "FRA" or "fr"; the index stores ISO 3166-1 alpha-2
("FR"). A language may be "French", "fre", "fra" or "fr"; the index stores ISO 639-1 where the
language has one ("fr"), else ISO 639-3. The names come from pycountry (the ISO tables, kept up
to date by its maintainers), so nothing here is a hand-made list except the few common names that
are not ISO's ("UK"). Names are read in English and, as French sheets write them, in French
("Belgique", "États-Unis", "Français"; with or without accents): pycountry's own translations.

A creator whose record gives no language gets the language its own texts are written in, when a
language identifier is sure of it (detect_language): py3langid (langid.py's model, 97
languages, numpy only) over the bio and captions, kept at a probability of 0.9 or more. Mixed or
short texts stay unknown.
"""

from __future__ import annotations

import gettext
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import pycountry

# Names people use that the ISO tables do not hold.
_COUNTRY_ALIASES = {"UK": "GB", "ENGLAND": "GB", "SCOTLAND": "GB", "WALES": "GB"}


@lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """ISO 3166-1 alpha-2 code for a code or an English name; None when it names no country."""
    t = text.strip()
    if not t:
        return None
    alias = _COUNTRY_ALIASES.get(t.upper())
    if alias:
        return alias
    found = _by_code(pycountry.countries, t) or _by_name(pycountry.countries, t)
    return str(found.alpha_2) if found else None


@lru_cache(maxsize=4096)
def language_code(text: str) -> str | None:
    """ISO 639-1 code (639-3 for a language without one) for a code or an English name; a
    regional tag keeps its region ("fr-CA" -> "fr-ca"; "en_US", as locales and exports write
    it, -> "en-us"). None when it names no language."""
    t = text.strip().replace("_", "-")
    if not t:
        return None
    base, sep, region = t.partition("-")
    name = base if sep else t
    found = _by_code(pycountry.languages, name) or _by_name(pycountry.languages, name)
    if found is None:
        return None
    code = str(getattr(found, "alpha_2", None) or found.alpha_3)
    return f"{code}-{region.lower()}" if sep and region else code


def _by_code(table: Any, text: str) -> Any:
    """A code first: "en" is English's code before it is the name of another language (Enc)."""
    t = text.lower()
    if len(t) == 2:
        return table.get(alpha_2=t)
    if len(t) == 3:
        return table.get(alpha_3=t) or (table.get(bibliographic=t)
                                         if table is pycountry.languages else None)
    return None


def _by_name(table: Any, text: str) -> Any:
    try:
        return table.lookup(text)
    except LookupError:
        return _french_names(table is pycountry.languages).get(_folded(text))


def _folded(name: str) -> str:
    """A name in small letters without accents, dashes and apostrophes as spaces: "États-Unis"
    and "etats unis" are one."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name)
                    if not unicodedata.combining(c))
    return " ".join(re.sub(r"[-'’]", " ", plain.lower()).split())


@lru_cache(maxsize=2)
def _french_names(languages: bool) -> dict[str, Any]:
    """The French names of the ISO table's entries (pycountry's translations), folded; a name
    two entries share names neither."""
    table = pycountry.languages if languages else pycountry.countries
    domain = "iso639-3" if languages else "iso3166-1"
    try:
        french = gettext.translation(domain, pycountry.LOCALES_DIR, languages=["fr"])
    except OSError:
        return {}
    found: dict[str, Any] = {}
    shared: set[str] = set()
    for entry in table:
        for attr in ("name", "common_name"):
            english = getattr(entry, attr, None)
            if not english:
                continue
            key = _folded(french.gettext(english))
            if key in found and found[key] is not entry:
                shared.add(key)
            found[key] = entry
    return {k: v for k, v in found.items() if k not in shared}


def normal_country(text: str) -> str:
    """The stored form of a country: its code when recognised, else the text upper-cased (so the
    error that follows names what was typed)."""
    return country_code(text) or text.strip().upper()


def normal_language(text: str) -> str:
    return language_code(text) or text.strip().lower()


def speaks(held: str | None, asked: str) -> bool:
    """Whether a creator's language (held) is the one a filter asks for: the same, or asked
    without a region ("fr") and held with one ("fr-fr", "fr-ca"). A region asked ("fr-ca")
    is that region only."""
    if held is None:
        return False
    return held == asked or ("-" not in asked and held.partition("-")[0] == asked)


DETECT_MIN_PROBABILITY = 0.9
# The identifier's 142 classes include regional languages and dialects (Ligurian, Occitan,
# Extremaduran, Venetian, Walloon) that take a share of a short French or Spanish caption's
# probability: two French captions, "Soupe de fanes de carottes, zéro gaspi" and "Pain perdu
# avec le pain rassis, recette anti-gaspi", read fr at 0.839, and the creator got no language.
# When the identifier's first choice is a language this index reads (read_languages), its
# probability is read among those (as a brief's is among the catalogue's, written_in); any
# other first choice keeps its own probability.
# Besides the languages the lexical index analyses, those the default encoder reads whole:
ENCODER_READS = frozenset({"zh", "ja", "ko", "th", "el"})


@lru_cache(maxsize=1)
def read_languages() -> frozenset[str]:
    """The languages this index reads: English, French and the others the lexical index stems
    (lexical.tokens.LANGUAGES, OTHER), and ENCODER_READS."""
    from .lexical.tokens import LANGUAGES, OTHER

    return frozenset(LANGUAGES) | frozenset(OTHER) | ENCODER_READS


DETECT_MAX_CHARS = 4000  # the language shows in the first few thousand characters
_IDENTIFIER_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _load_identifier() -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def language_identifier() -> Any:
    """py3langid's identifier, loaded once (0.6 s) on first use: a creator without a language
    at ingest, or the first match with lexical search (retrieval loads it then)."""
    with _IDENTIFIER_LOCK:
        return _load_identifier()


def detect_language(texts: list[str]) -> tuple[str, float] | None:
    """(ISO 639-1 code, probability) of the language the texts are written in, or None when
    the identifier is not sure of one (under DETECT_MIN_PROBABILITY: mixed, short or emoji);
    a language this index reads is read among those (read_languages())."""
    text = "\n".join(t for t in texts if t)[:DETECT_MAX_CHARS]
    if not text.strip():
        return None
    ranked = language_identifier().rank(text)
    code, probability = ranked[0]
    read = read_languages()
    if code in read:  # its share among the languages this index reads
        probability /= sum(p for c, p in ranked if c in read)
    if probability < DETECT_MIN_PROBABILITY:
        return None
    return str(code), round(float(probability), 4)


def written_in(text: str, among: Iterable[str | None],
               sure: float = DETECT_MIN_PROBABILITY) -> str | None:
    """The language of a short text (a brief), chosen among the given ones (the languages of
    the creators it could match): the identifier's probabilities of those alone, which read a
    brief of a few words reliably where the choice among every language does not. None when
    fewer than two of them are languages the identifier knows, or none has `sure` of their
    total."""
    bases = {code.split("-")[0] for code in among if code}
    if len(bases) < 2 or not text.strip():
        return None
    ranked = dict(language_identifier().rank(text[:DETECT_MAX_CHARS]))
    known = {code: float(ranked[code]) for code in bases if code in ranked}
    total = sum(known.values())
    if len(known) < 2 or total <= 0:
        return None
    best = max(known, key=lambda code: known[code])
    return best if known[best] / total >= sure else None
