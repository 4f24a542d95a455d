"""What a brief asks for in words that a match takes as settings: the tier, the objective, the
market, the platforms, the audience size; and the ages of the brand's audience, which nothing
in a catalog says.

"Looking for nano and micro-influencers", "Awareness campaign: ...", "for the UK market",
"créatrices basées en France", "10k-50k followers" say which creators the brand wants and what
the campaign is for, not what the creators post. query_text.py takes these phrases out of what
is encoded and looked up (the encoder would read "French" or "awareness" as a subject), and
since words are no filter, notes.py tells the planner which filter or setting says it: the tier
filter or the objective, the country filter, the platform filter, the follower filters. Each
phrase needs the trade's frame around its word: a tier's name alone ("macro" counting), an
objective's word alone ("mental health awareness"), a country's name or adjective alone
("French cuisine", "made in France") and a platform's name alone ("TikTok dances") stay.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import get_args

import pycountry

from .cells import OBJECTIVE_ALIASES, PLATFORM_ALIASES, Platform
from .lexical.tokens import fold
from .schema import Objective
from .tiers import MISSION

# the trade's words for the people it works with (trade.TRADE_WORDS holds them too)
PEOPLE = ("creator", "creators", "influencer", "influencers", "créateur", "créateurs",
          "créatrice", "créatrices", "influenceur", "influenceurs", "influenceuse",
          "influenceuses")
# as a pattern's alternatives, with and without accents, the longest first
PEOPLE_WORD = "|".join(sorted({w for p in PEOPLE for w in (p, fold(p))}, key=len, reverse=True))

# "micro-influencers", "nano and micro creators", "macro-influenceuses", "mostly micro": the
# tier of the creators wanted. A tier's name alone stays: "macro" is also a fitness word,
# "micro" a French microphone. The names of both schemes (tiers.py: mission, industry).
_TIER_NAME = r"(?:nano|micro|mid(?:-tier)?|macro|m[eé]ga)"
TIER_PHRASE = re.compile(
    rf"(?<![\w#@-])(?:{_TIER_NAME}-?\s*(?:[,/&]|\b(?:and|et|or|ou)\b)\s*)*"
    rf"{_TIER_NAME}[-\s]?(?:{PEOPLE_WORD})(?![\w-])"
    # "mostly micro", "plutôt nano ou micro" ending their clause: "mostly macro counting" stays
    rf"|(?<![\w#@-])(?:mostly|mainly|ideally|preferably|primarily|plut[ôo]t|surtout|"
    rf"id[ée]alement|de\s+pr[ée]f[ée]rence|principalement)\s+{_TIER_NAME}"
    rf"(?:-?\s*(?:[,/&]|\b(?:and|et|or|ou)\b)\s*{_TIER_NAME})*(?=\s*(?:$|[,.;:!?)\]]))",
    re.IGNORECASE)

# How many creators are wanted ("3 to 5 nano influencers", "5-10 micro creators", "a dozen
# creators", "une dizaine de créatrices"): the plan's business, with the tier read above
_HOW_MANY = (r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|deux|trois|"
             r"quatre|cinq|sept|huit|neuf|dix|douze|vingt)")
CREATORS_COUNTED = re.compile(
    rf"(?<![\w#@-])(?:{_HOW_MANY}\s*(?:[-–/]|to|or|à|a|ou)\s*)?{_HOW_MANY}\s+"
    rf"(?:(?:{_TIER_NAME})(?:-?\s*(?:[,/&]|\b(?:and|et|or|ou)\b)\s*{_TIER_NAME})*[-\s]?)?"
    rf"(?:{PEOPLE_WORD})(?![\w-])"
    rf"|(?<![\w#@-])(?:a\s+(?:dozen|handful|couple)(?:\s+of)?\s+|une\s+(?:dizaine|douzaine|"
    rf"quinzaine|vingtaine|poign[ée]e)\s+d(?:e\s+|['’]\s*))"
    rf"(?:(?:{_TIER_NAME})(?:-?\s*(?:[,/&]|\b(?:and|et|or|ou)\b)\s*{_TIER_NAME})*[-\s]?)?"
    rf"(?:{PEOPLE_WORD})(?![\w-])", re.IGNORECASE)

# The objective named in words ("Awareness campaign: ...", "to drive sales", "Objectif :
# notoriété", "campagne d'engagement"): what the campaign is for; the objective says it to the
# ranker. A word of them alone stays ("mental health awareness" keeps "awareness" but for
# "awareness campaign"; "engagement" is also a French commitment). The words are those
# `--objective` takes (cells.OBJECTIVE_ALIASES), folded too.
_OBJECTIVES = {**{o: o for o in get_args(Objective)}, **OBJECTIVE_ALIASES}
_OBJECTIVES.update({fold(w): o for w, o in list(_OBJECTIVES.items())})
_GOAL = "|".join(re.escape(w).replace(r"\ ", r"\s+")
                 for w in sorted(_OBJECTIVES, key=len, reverse=True))
_GOALS = rf"(?:{_GOAL})(?:\s*(?:[,/&+]|\band\b|\bet\b)\s*(?:{_GOAL}))*"  # "conversion and ROI"
OBJECTIVE_PHRASE = re.compile(
    rf"(?<![\w#@-])(?:{_GOALS}\s+(?:campaigns?|push|goals?|objectives?|kpis?|focus)"
    rf"|(?:objectives?|goals?|kpis?|aim|objectifs?)\s*(?:is\s+|:\s*|=\s*)?{_GOALS}"
    rf"|(?:drive|drives|driving|boost|boosting|increase|increasing|grow|growing|generate|"
    rf"build|building|booster|augmenter|développer|developper|générer|generer|"
    rf"focus(?:ed|ing)?\s+on|ax[ée]e?s?\s+sur)\s+"
    rf"(?:(?:la|les|le|du|our|brand|more)\s+|l['’])?{_GOALS}"
    rf"|campagnes?\s+(?:de\s+|d['’]\s*){_GOALS})(?![\w-])", re.IGNORECASE)
_GOAL_WORD = re.compile(rf"(?<![\w-])(?:{_GOAL})(?![\w-])", re.IGNORECASE)

# The market named in words ("for the UK market", "UK-based creators", "French creators",
# "based in France"; "pour le marché français", "créatrices belges", "basées en France"): where
# the creators should be, which the country filter says. The adjectives of the markets
# planners name most, in English and French, with their ISO 3166-1 codes ("" for a region or a
# language: "European", "francophone"); the names of every country come from pycountry, in
# English and French.
_ADJECTIVES = {
    "FR": "french français française françaises",
    "GB": "british britannique britanniques anglais anglaise anglaises",
    "US": "american américain américaine américains américaines",
    "DE": "german allemand allemande allemands allemandes",
    "ES": "spanish espagnol espagnole espagnols espagnoles",
    "IT": "italian italien italienne italiens italiennes",
    "BE": "belgian belge belges",
    "CH": "swiss suisse suisses",
    "CA": "canadian canadien canadienne canadiens canadiennes québécois québécoise québécoises",
    "NL": "dutch néerlandais néerlandaise néerlandaises",
    "PT": "portuguese portugais portugaise portugaises",
    "IE": "irish irlandais irlandaise irlandaises",
    "LU": "luxembourgish luxembourgeois luxembourgeoise luxembourgeoises",
    "AU": "australian australien australienne australiens australiennes",
    "MA": "moroccan marocain marocaine marocains marocaines",
    "": "european européen européenne européens européennes francophone francophones "
        "anglophone anglophones french-speaking english-speaking english local locaux "
        "locales",
}
# codes written as adjectives ("UK creators"), in capitals only: "us" is a pronoun
_CODES = {"UK": "GB", "U.K.": "GB", "US": "US", "U.S.": "US", "USA": "US", "EU": ""}


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Every country's name, English and French, folded, to its code; the adjectives too."""
    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"],
                                 fallback=True)
    names: dict[str, str] = {}
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "common_name", None), french.gettext(c.name)):
            if name and not any(ch in name for ch in ",()"):
                names[fold(name)] = str(c.alpha_2)
    names.update({"uk": "GB", "usa": "US", "us": "US", "england": "GB", "angleterre": "GB",
                  "britain": "GB", "great britain": "GB", "etats-unis": "US"})
    names.update({fold(a): code for code, words in _ADJECTIVES.items() for a in words.split()})
    return names


_WORD = r"[^\W\d_][\w'’.-]*"
# the words a market phrase is built around: what precedes or follows them is looked up
_CUE = re.compile(rf"(?<![\w#@-])(?:markets?|march[ée]s?|based|bas[ée]e?s?|implant[ée]e?s?|"
                  rf"install[ée]e?s?|{PEOPLE_WORD})(?![\w-])|-based(?![\w-])", re.IGNORECASE)
_BEFORE_MARKET = re.compile(rf"(?:(?:\b(?:for|in|on|into|across)\s+)?(?:the\s+)?)"
                            rf"((?:{_WORD}\s+){{0,2}}{_WORD})\s+$", re.IGNORECASE)
_WORDS_BEFORE = re.compile(rf"((?:{_WORD}\s+){{0,2}}{_WORD})$")
_FRENCH_LEAD = re.compile(r"(?:\b(?:pour|sur|dans)\s+(?:le|les)\s+)$", re.IGNORECASE)
_AFTER_BASED = re.compile(rf"\s+(?:in|en|au|aux|à|a|dans)\s+(?:the\s+)?"
                          rf"((?:{_WORD}\s+){{0,2}}{_WORD})", re.IGNORECASE)
_AFTER_PEOPLE = re.compile(rf"\s+(from|in|en|au|aux|de|du|d['’])\s*(?:the\s+)?"
                           rf"((?:{_WORD}\s+){{0,2}}{_WORD})", re.IGNORECASE)
_WORDS_AFTER = re.compile(rf"\s+((?:{_WORD}\s+){{0,2}}{_WORD})")
_AND = {"and", "et", "or", "ou", "&", ","}
_PLATFORMS = {*get_args(Platform), *(fold(a) for a in PLATFORM_ALIASES)}


def _place(words: list[str], city: bool) -> tuple[int, tuple[str, ...]] | None:
    """(how many of the words, from the first, name a place or two joined by "and", "et",
    ...; the country codes of those that are countries), the longest name first; a word in
    capitals that names no country is a city when city is true. None when they name no
    place."""
    table = _countries()
    for n in range(len(words), 0, -1):
        name = " ".join(words[:n]).rstrip(".,;:")
        code = _CODES.get(name) if name in _CODES else table.get(fold(name))
        if code is not None:
            # "belges et suisses", "the US and Canada": the first place's code, both taken
            more = _place(words[n + 1:], city=False) if n + 1 < len(words) and fold(
                words[n]) in _AND else None
            codes = (code,) if code else ()
            return (n + 1 + more[0], codes + more[1]) if more else (n, codes)
    if city and words and words[0][:1].isupper() and fold(words[0]).rstrip(".,;:") not in (
            _PLATFORMS):  # "creators from TikTok" names a platform, not a city
        return 1, ()
    return None


def _end(after: re.Match[str], n: int) -> int:
    """Where the first n words of after's last group end, without a closing full stop or
    comma."""
    g = after.lastindex or 0
    return after.start(g) + len(" ".join(after.group(g).split()[:n]).rstrip(".,;:"))


def market_spans(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """Where a text asks its creators to be in the trade's words ("for the UK market", "UK-based
    creators", "French creators", "based in Lyon"; "pour le marché français", "créatrices
    belges", "basées en France"): (start, end, the country codes it names: none for a region,
    a language or a city) of each phrase, in order."""
    spans: list[tuple[int, int, tuple[str, ...]]] = []
    for m in _CUE.finditer(text):
        cue, start, end = m.group().lower(), m.start(), m.end()
        found: tuple[int, int, tuple[str, ...]] | None = None
        if cue.startswith("market") or cue == "-based":
            at = max(0, start - 80)
            before = (_BEFORE_MARKET if cue.startswith("market") else _WORDS_BEFORE).search(
                text[at:start])
            words = list(re.finditer(r"\S+", before.group(1))) if before else []
            for i, w in enumerate(words):  # the longest name that ends before the cue
                hit = _place([x.group() for x in words[i:]], city=False)
                if hit and hit[0] == len(words) - i and before:
                    first = at + (before.start() if i == 0 else before.start(1) + w.start())
                    found = (first, end, hit[1])
                    break
        elif cue.startswith(("march", "bas", "implant", "install")):
            after = (_WORDS_AFTER if cue.startswith("march") else _AFTER_BASED).match(text, end)
            hit = after and _place(after.group(1).split(), city=not cue.startswith("march"))
            if after and hit:
                lead = _FRENCH_LEAD.search(text[max(0, start - 20):start])
                first = start - (len(lead.group()) if lead else 0)
                found = (first, _end(after, hit[0]), hit[1])
        else:  # a people word: "creators in Germany", "créatrices belges", "French creators"
            # (a city only after "from": "Creators In Beauty", in capitals, is a subject)
            after = _AFTER_PEOPLE.match(text, end)
            hit = after and _place(after.group(2).split(),
                                   city=after.group(1).lower() == "from")
            if not (after and hit):
                after = _WORDS_AFTER.match(text, end)
                hit = after and _place(after.group(1).split(), city=False)
            if after and hit:
                found = (start, _end(after, hit[0]), hit[1])
            else:
                word = re.search(rf"({_WORD})\s+$", text[max(0, start - 40):start])
                hit = _place([word.group(1)], city=False) if word else None
                if word and hit:
                    found = (max(0, start - 40) + word.start(1), start, hit[1])
        if found and (not spans or found[0] >= spans[-1][1]):
            spans.append(found)
    return spans


def markets_named(text: str) -> list[str]:
    """The countries a text asks its creators to be in, in the trade's words (market_spans),
    as ISO 3166-1 codes, each once, in order."""
    return list(dict.fromkeys(code for _, _, codes in market_spans(text) for code in codes))


# The audience size asked for in words ("creators with 10k-50k followers", "under 20K
# followers", "entre 10 000 et 50 000 abonnés", "plus de 5k abonnés"), which the follower
# filters say. A count: digits with thousands separated by a space, a comma or a dot, and "k"
# or "M" after it.
_COUNT = r"\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+|\d+(?:[.,]\d+)?\s?[kKmM]?|\d+"
_FOLLOWERS = r"(?:followers|subscribers|abonn[ée]e?s|fans)"
_AT_MOST = (r"under|below|less\s+than|fewer\s+than|up\s+to|at\s+most|max(?:imum)?|"
            r"moins\s+de|jusqu['’]\s*[àa]|au\s+plus|pas\s+plus\s+de|<")
_AT_LEAST = (r"over|above|more\s+than|at\s+least|min(?:imum)?|plus\s+de|au\s+moins|"
             r"d[èe]s|>")
AUDIENCE_PHRASE = re.compile(
    rf"(?<![\w#@-])(?:with\s+|avec\s+|de\s+|having\s+)?(?:(?:between|entre|from|de)\s+)?"
    rf"(?:(?P<lo>{_COUNT})\s*(?:-|–|to|and|à|a|et)\s*(?P<hi>{_COUNT})"
    rf"|(?P<most>{_AT_MOST})\s*(?P<max>{_COUNT})|(?P<least>{_AT_LEAST})\s*(?P<min>{_COUNT})"
    rf"|(?P<plus>{_COUNT})\s*\+|(?P<about>{_COUNT}))\s+{_FOLLOWERS}(?![\w-])"
    # a range in brackets after the creators it sizes, its top in thousands or millions
    # ("micro creators (10k-50k)"): "Yoga mats (1.5k-2k)" and "(3-8)" stay
    rf"|(?<![\w#@-])(?:{PEOPLE_WORD})\s*\(\s*(?P<plo>{_COUNT})\s*(?:-|–|to|à)\s*"
    rf"(?P<phi>\d+(?:[.,]\d+)?\s?[kKmM])\s*(?:{_FOLLOWERS}\s*)?\)", re.IGNORECASE)


def _count(text: str) -> int:
    """"10k" -> 10000, "1.5M" -> 1500000, "50 000" -> 50000, "50,000" -> 50000."""
    t = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    scale = {"k": 1_000, "m": 1_000_000}.get(t[-1:].lower(), 1)
    number = t.rstrip("kKmM").strip()
    if scale > 1:
        return round(float(number.replace(",", ".")) * scale)
    return int(re.sub(r"[ .,]", "", number))


def audience_named(text: str) -> tuple[int | None, int | None] | None:
    """(the fewest, the most followers) a text asks its creators to have in words ("10k-50k
    followers", "moins de 20k abonnés"; None for a bound it does not give), the first such
    phrase; None when it asks for none, or names a single count ("10k followers")."""
    for m in AUDIENCE_PHRASE.finditer(text):
        if m["lo"] or m["plo"]:
            lo, hi = sorted((_count(m["lo"] or m["plo"]), _count(m["hi"] or m["phi"])))
            return lo, hi
        if m["max"]:
            return None, _count(m["max"])
        if m["min"] or m["plus"]:
            return _count(m["min"] or m["plus"]), None
    return None


# The ages of the people the brand sells to ("women aged 25-35", "25-34 year olds", "18-24s",
# "Cible : femmes 25-35 ans", "de 25 à 35 ans"): who buys, which no catalog field holds (a
# creator is matched on what it posts; its audience's ages are not in a catalog), and numbers
# the encoder reads as a subject. An age range needs an age's word around it, or a word for
# people just before it ("women 25-35"): "3-5 recipes", "10-20 km" and "women over 50" stay.
_AGE = r"\d{1,2}"
_DASHED = rf"{_AGE}\s*[-–—]\s*{_AGE}s?"
_RANGE = rf"{_AGE}\s*(?:-|–|—|to|and|à|a|et)\s*{_AGE}s?"
# "years" alone is a duration ("a 2-3 years partnership"); "ans" is both, and briefs count
# campaigns in weeks and months
_YEARS = r"(?:years?[\s-]*olds?|years?\s+of\s+age|y/?o|ans)"
_AGED = (r"(?:aged|ages|age|age\s+group|age\s+range|âgée?s?\s+de|agee?s?\s+de|"
         r"tranche\s+d['’]\s*âge\s*:?|tranche\s+d['’]\s*age\s*:?)")
_WHO = (r"(?:women|woman|men|mums|moms|mothers|dads|fathers|parents|people|adults|students|"
        r"teens|professionals|consumers|shoppers|gamers|readers|femmes|hommes|mamans|papas|"
        r"jeunes|étudiants|étudiantes|etudiants|etudiantes|actifs|actives|adultes|"
        r"consommateurs|consommatrices|lecteurs|lectrices)")
AGE_PHRASE = re.compile(
    rf"(?<![\w#@-])(?:(?:{_AGED}\s*|(?:between|entre|de|from)\s+)?(?P<r1>{_RANGE})\s*{_YEARS}"
    rf"|{_AGED}\s*(?P<r2>{_RANGE}|{_AGE}\s*\+)(?:\s*(?:years|ans))?"
    rf"|{_WHO}\s*[,:]?\s*(?P<r3>(?:\(\s*{_DASHED}\s*\)|{_DASHED})(?:\s*{_YEARS})?))(?![\w-])",
    re.IGNORECASE)


_AGES = re.compile(_RANGE)

# Who the audience is, in a field that says so ("Target audience: women 25-35, urban", "Cible :
# femmes 25-35 ans, urbaines, CSP+"): its sex, where it lives, its generation and its means,
# which no catalog field holds either, and words the encoder reads as a subject (the posts of
# women creators, of city life). Only inside the field: "women's running shoes" and "urban
# gardening" name a subject, and so do the field's other words ("Target audience: new
# parents", "runners").
_AUDIENCE_FIELD = re.compile(
    r"(?<![\w#@-])(?:target\s+audience|target\s+market|audience|target|audience\s+cible|"
    r"public\s+cible|public\s+visé|cœur\s+de\s+cible|coeur\s+de\s+cible|cible)\s*:"
    r"[^.!?\n]*", re.IGNORECASE)
_DEMOGRAPHIC = re.compile(
    r"(?<![\w#@-])(?:women|woman|men|man|female|females|male|males|ladies|urban|rural|suburban|"
    r"city[\s-]dwellers|city[\s-]dwelling|millennials|gen[\s-]?[xyz]|generation\s+[xyz]|"
    r"boomers|baby\s+boomers|(?:young\s+)?adults|affluent|high[\s-]income|middle[\s-]class|"
    r"upper[\s-]middle[\s-]class|(?:busy\s+|working\s+|young\s+)?professionals|"
    r"femmes|hommes|femme|homme|urbain(?:e|s|es)?|ruraux|rurale?s?|citadin(?:e|s|es)?|"
    r"(?:jeunes\s+)?adultes|(?:jeunes\s+)?actif(?:s|ve|ves)|cadres|csp\s*\+|aisée?s?|"
    r"génération\s+[xyz]|generation\s+[xyz])(?![\w-])", re.IGNORECASE)


def demographic_spans(text: str) -> list[tuple[int, int]]:
    """Where an audience field of a text says who the audience is ("women", "urban", "CSP+"
    of "Target audience: women 25-35, urban, CSP+"): (start, end) of each, in order."""
    return [(f.start() + m.start(), f.start() + m.end())
            for f in _AUDIENCE_FIELD.finditer(text) for m in _DEMOGRAPHIC.finditer(f.group())]


def demographics_named(text: str) -> list[str]:
    """Who an audience field says the audience is, as written ("women", "urban"), each once
    (in small letters), in order."""
    return list(dict.fromkeys(" ".join(text[a:b].lower().split())
                              for a, b in demographic_spans(text)))


def age_spans(text: str) -> list[tuple[int, int]]:
    """Where a text names the ages of the people the brand sells to ("aged 25-35", "25-35
    ans", the "18-24" of "women 18-24"): (start, end) of each, in order; the word for the
    people stays."""
    return [m.span("r3") if m["r3"] else m.span() for m in AGE_PHRASE.finditer(text)]


def ages_named(text: str) -> list[str]:
    """The ranges of ages a text names for the people the brand sells to, as written
    ("25-35", "18+"), each once, in order."""
    found = (m["r1"] or m["r2"] or _AGES.search(m["r3"]).group()  # type: ignore[union-attr]
             for m in AGE_PHRASE.finditer(text))
    return list(dict.fromkeys(" ".join(a.split()) for a in found))


# The platforms asked for in words ("on Instagram and TikTok", "TikTok creators", "créatrices
# Instagram", "sur YouTube") and the deliverables a post is counted in ("3 Instagram reels", "2
# TikTok videos", "two stories", "3 reels Instagram", "2 vidéos TikTok"): where and in what form
# the sponsored posts go, which the platform filter says, not what the creators post. A
# platform's name alone stays ("TikTok dances", "Instagram-worthy cafés"), and so does a format
# without a count ("Reels and Stories", "bedtime stories"). Names that are also words ("X",
# "Threads", "Snap", "Reels", "Shorts") are not read as platforms.
_PLATFORM_NAMES = {code: code for code in get_args(Platform) if code not in ("x", "threads")}
_PLATFORM_NAMES.update({alias: code for alias, code in PLATFORM_ALIASES.items()
                        if alias in ("ig", "insta", "tik tok", "yt", "youtube shorts",
                                     "instagram reels", "instagram stories", "twitter", "fb")})
PLATFORM_NAME = "|".join(re.escape(n).replace(r"\ ", r"\s+")
                     for n in sorted(_PLATFORM_NAMES, key=len, reverse=True))
_PLATFORMS_LIST = (rf"(?:{PLATFORM_NAME})"
                   rf"(?:\s*(?:,|&|/|\band\b|\bet\b|\bor\b|\bou\b)\s*(?:{PLATFORM_NAME}))"
                   rf"{{0,5}}")  # bounded: a list repeated 1,000 times is read once
# a count, not an article: "a video game", "tell a story", "une vidéo de recette" stay
_COUNT_WORD = r"(?:\d+|one|two|three|four|five|six|ten|deux|trois|quatre|cinq|six|dix)"
_FORMAT = (r"(?:r[eé]els?|stor(?:y|ies)|posts?|vid[ée]os?|tiktoks?|car(?:r)?ousels?|"
           r"int[ée]grations?|publications?|photos?|(?:static|feed)\s+posts?|unboxings?)")
_KIND = r"(?:(?:dedicated|sponsored|short|long|d[ée]di[ée]e?s?|sponsoris[ée]e?s?)\s+)?"
PLATFORM_PHRASE = re.compile(
    rf"(?<![\w#@-])(?:{_COUNT_WORD}\s+{_KIND}(?:{_PLATFORMS_LIST}\s+)?{_FORMAT}"
    rf"(?:\s+(?:(?:on|sur|for|pour)\s+)?{_PLATFORMS_LIST})?"
    rf"|(?:on|sur|via)\s+{_PLATFORMS_LIST}"
    # "Instagram Reels preferred", "TikTok only", "YouTube en priorité"
    rf"|{_PLATFORMS_LIST}\s+(?:preferred|only|first|in\s+priority|de\s+pr[ée]f[ée]rence|"
    rf"uniquement|seulement|en\s+priorit[ée]|d['’]\s*abord)"
    rf"|{_PLATFORMS_LIST}\s+(?:{PEOPLE_WORD})"
    rf"|(?:{PEOPLE_WORD})\s+{_PLATFORMS_LIST})(?![\w-])", re.IGNORECASE)
_PLATFORM_WORD = re.compile(rf"(?<![\w#@-])(?:{PLATFORM_NAME})(?![\w-])", re.IGNORECASE)


def platforms_named(text: str) -> list[str]:
    """The platforms a text asks its creators to post on in the trade's words (PLATFORM_PHRASE),
    as the index names them, each once, in order."""
    found = (w for m in PLATFORM_PHRASE.finditer(text)
             for w in _PLATFORM_WORD.findall(m.group()))
    return list(dict.fromkeys(_PLATFORM_NAMES[" ".join(fold(w).split())] for w in found))


def tiers_named(text: str, names: Sequence[str] = MISSION.names) -> list[str]:
    """The tiers a text asks for in the trade's words ("micro-influencers", "nano créateurs"),
    each once, in order, among the scheme's names: "mega" is a three-tier scheme's top tier,
    "macro"; a name the scheme cannot place ("mid" in three tiers) is left out."""
    found = (t for m in TIER_PHRASE.finditer(fold(text))
             for t in re.findall(r"nano|micro|mid|macro|mega", m.group()))
    return list(dict.fromkeys(
        t if t in names else names[-1] for t in found
        if t in names or (t == "mega" and names[-1] == "macro")))


def objectives_named(text: str) -> list[str]:
    """The objectives a text names in the trade's words ("awareness campaign", "to drive
    sales", "objectif : notoriété"), each once, in order, as the index names them."""
    found = (w for m in OBJECTIVE_PHRASE.finditer(text) for w in _GOAL_WORD.findall(m.group()))
    return list(dict.fromkeys(_OBJECTIVES[fold(" ".join(w.split()))] for w in found))
