"""The words of the trade in a brief: how the brand works with creators, not what they post about.

A planner writes "Looking for UGC creators for our brand campaign: refillable shampoo bars".
Only the end says what a creator must talk about. "creators", "campaign", "brand", "UGC",
"collab" describe the collaboration itself, and they are what many creators write in their bios
whatever their subject ("UGC creator | brand collabs: DM", "créatrice de contenu"). Left in, as
query words they lift creators of every niche, and in the brief's vector they pull towards the
creators whose posts read like promotion. So both the brief and the values statement lose them
before they are encoded or looked up; a text of nothing else is kept whole.

The words are the trade's nouns and a planner's request verbs, in English and French, with and
without accents. A hashtag or a hyphenated word keeps them (#brandpartner, brand-new).
"""

from __future__ import annotations

import re

from .lexical.tokens import fold

_EN = """creator creators influencer influencers influence campaign campaigns brand brands
collab collabs collaboration collaborations partner partners partnership partnerships ambassador
ambassadors sponsor sponsors sponsored sponsorship sponsorships ugc content audience audiences
follower followers looking seeking need needs want wants promote promoting promotion launch
launching brief"""
_FR = """créateur créateurs créatrice créatrices influenceur influenceurs influenceuse
influenceuses campagne campagnes marque marques partenaire partenaires partenariat partenariats
ambassadeur ambassadeurs ambassadrice ambassadrices sponsorisé sponsorisée sponsorisés
sponsorisées contenu contenus abonné abonnés abonnée abonnées cherche cherchons recherche
recherchons veut voulons promouvoir lancement lancer"""

WORDS = frozenset(w for text in (_EN, _FR) for word in text.split() for w in (word, fold(word)))

_TRADE = re.compile(
    r"(?<![\w#@-])(?:" + "|".join(sorted(map(re.escape, WORDS), key=len, reverse=True))
    + r")(?![\w-])", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]")


def subject(text: str) -> str:
    """The text without the trade's words; the text itself when nothing else is left."""
    kept = _SPACES.sub(" ", _TRADE.sub(" ", text)).strip(" :;,.-–—|/")
    return kept if _WORD.search(kept) else text


def query_texts(brief: str, values: str | None) -> list[str]:
    """What a match encodes and looks up: the brief's subject, then the values statement's
    (when the brief has one)."""
    return [subject(brief)] + ([subject(values)] if values else [])
