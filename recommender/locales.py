"""Countries and languages as people type them, mapped to the codes the index stores.

A creator list or a filter may say "France", "FRA" or "fr"; the index stores ISO 3166-1 alpha-2
("FR"). A language may be "French", "fre", "fra" or "fr"; the index stores ISO 639-1 where the
language has one ("fr"), else ISO 639-3. The names come from pycountry (the ISO tables, kept up
to date by its maintainers), so nothing here is a hand-made list except the few common names that
are not ISO's ("UK").
"""

from __future__ import annotations

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
    regional tag keeps its region ("fr-CA" -> "fr-ca"). None when it names no language."""
    t = text.strip()
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
        return None


def normal_country(text: str) -> str:
    """The stored form of a country: its code when recognised, else the text upper-cased (so the
    error that follows names what was typed)."""
    return country_code(text) or text.strip().upper()


def normal_language(text: str) -> str:
    return language_code(text) or text.strip().lower()
