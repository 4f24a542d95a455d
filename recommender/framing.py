"""The words that frame a values statement as one, which query_text.py leaves out of what is
encoded and looked up.

"Our brand values: repair, second hand", "We believe in slow travel", "... creators who share
these values"; "Nos valeurs :", "Nous croyons en": these say that a statement follows, not what
it stands for. Left in, they point every statement the same way, towards creators who write
about values and beliefs in general ("Our brand values:" or "We believe in" before each
statement of the labelled sets cost their test briefs 0.014 to 0.050 nDCG@10 on two sets of
three). "value" alone stays ("good value for money"), and so does "sharing" ("sharing
economy"). The framing is read in any tense ("we've always stood for", "a brand that has
always believed in"), and in a statement so is what points back at it once it is made ("...
It's who we are.", "... C'est notre ADN.", POINTER_BACK), and the brand's own opening before a
colon or a verb of foundation ("What drives us:", "Our whole range is built on", "Tout ce que
nous fabriquons repose sur", OPENING).
"""

from __future__ import annotations

import re

from .trade import alternation

# The words that frame a values statement as one ("Our brand values:", "We believe in",
# "creators who share these values"; "Nos valeurs :", "Nous croyons en"): they say that a
# statement follows, not what it stands for, and left in they point every statement the same
# way, towards creators who write about values and beliefs in general. "value" alone stays
# ("good value for money").
OWNERS = ("our", "my", "the", "these", "those", "its", "their", "your", "brand", "core",
          "company", "shared", "same", "brand's", "brand’s")
_FRAMING_EN = tuple(f"{o}{m} {v}{verb}" for o in OWNERS
                    for m in ("", " brand", " core", " company") for v in ("values", "value")
                    for verb in ("", " are", " is", " include"))
_FRAMING_EN += tuple(f"{w}{e}" for w in ("we", "i", "who", "that") for e in (
    " believe in", " believe that", " believe", " stand for", " care about", " champion",
    " value", " are about", " are all about", " are committed to", " are passionate about"))
# the same in another tense, or said of the brand: "we've always stood for", "a brand that has
# always believed in", "at our core"
_FRAMING_EN += tuple(f"{w}{aux}{adv} {verb}".strip()
                     for w in ("", "we", "i", "who", "that", "which", "the brand", "our brand")
                     for aux in ("", " have", " has", "'ve", "’ve")
                     for adv in ("", " always")
                     for verb in ("believed in", "stood for", "cared about", "championed",
                                  "valued", "been about", "been all about",
                                  "been committed to", "been passionate about")
                     if w or aux or adv)
_FRAMING_EN += ("we're a brand that", "we’re a brand that", "we are a brand that",
                "a brand that", "at our core", "at its core", "at the core of our brand",
                "at the heart of our brand", "since day one", "from day one",
                "since we started")
_FRAMING_EN += ("we're about", "we’re about", "we're all about", "we’re all about",
                "we're committed to", "we’re committed to", "we're passionate about",
                "we’re passionate about", "what we stand for", "stands for", "committed to",
                "values are", "values:", "value:", "values we share", "who we are",
                "what matters to us", "what we care about", "we prioritise", "we prioritize",
                "our mission", "our mission is", "our mission is to", "our purpose",
                "our purpose is", "our ethos", "our ethos is", "our philosophy",
                "our philosophy is")
# said of the brand in the third person ("Our brand believes that …"), or after the values
# ("… are at the heart of everything we do", "… is what we're all about", "… guide everything
# we do", "… matter most to us")
_FRAMING_EN += ("believes in", "believes that", "cares about", "is committed to",
                "is all about", "is passionate about")
_FRAMING_EN += tuple(f"{v}{a} the {h} of {w}"
                     for v in ("", "is ", "are ") for a in ("at", "right at")
                     for h in ("heart", "core", "centre", "center")
                     for w in ("everything we do", "all we do", "what we do", "everything we make",
                               "what we make", "who we are"))
_FRAMING_EN += tuple(f"{v}{w}" for v in ("", "is ", "are ")
                     for w in ("what we're all about", "what we’re all about",
                               "what we are all about", "what we believe in", "what defines us",
                               "what drives us", "what guides us"))
_FRAMING_EN += tuple(f"{v} {w}" for v in ("guide", "guides", "drive", "drives", "shape",
                                           "shapes", "inform", "informs", "define", "defines")
                     for w in ("everything we do", "all we do", "what we do", "us",
                               "everything we make", "our work", "our brand"))
_FRAMING_EN += ("in everything we do", "matter to us", "matters to us", "matter most to us",
                "matters most to us", "mean everything to us", "means everything to us")
_FRAMING_EN += tuple(f"{w} {s} {o} values" for w in ("who", "that", "")
                     for s in ("share", "shares", "sharing") for o in OWNERS)
# what points back at the statement: "… and we want creators who live it every day"
_DAILY = ("", " every day", " daily", " day to day", " day-to-day")
_FRAMING_EN += tuple(f"who {v} {o}{d}" for v in ("live", "live by", "embody", "share")
                     for o in ("it", "them", "this", "these values") for d in _DAILY)
_FRAMING_FR = tuple(f"{o} valeurs" for o in ("nos", "mes", "ces", "les", "des", "leurs",
                                             "vos", "mêmes", "memes"))
_FRAMING_FR += ("nos valeurs de marque", "valeurs de la marque", "valeurs de marque",
                "valeurs partagées", "valeurs partagees", "valeurs :", "nous croyons en",
                "nous croyons à", "nous croyons au", "nous croyons aux", "nous croyons que",
                "on croit en", "on croit à", "on croit au", "on croit aux", "on croit que",
                "nous défendons", "on défend", "nous prônons", "on prône",
                "nous sommes engagés pour", "nous sommes attachés à", "ce que nous défendons",
                "engagés pour", "engagées pour", "nous tenons à", "nous tenons au",
                "nous tenons aux", "on tient à", "on tient au", "on tient aux",
                "ce qui compte pour nous", "ce qui nous tient à cœur",
                "ce qui nous tient à coeur", "nous valorisons", "on valorise", "notre mission",
                "notre mission est de", "notre mission est d'", "notre mission est d’",
                "notre philosophie", "notre raison d'être", "notre raison d’être")
_FRAMING_FR += tuple(f"{w}{s} {o} valeurs" for w in ("qui ", "") for s in ("partagent", "partage",
                     "partager") for o in ("nos", "ces", "les", "les mêmes", "les memes"))
_FRAMING_FR += tuple(f"qui {o}{v}{d}" for o in ("le ", "les ", "l'", "l’")
                     for v in ("vivent", "incarnent", "partagent")
                     for d in ("", " au quotidien", " tous les jours"))
_FRAMING_FR += ("au cœur de notre marque", "au coeur de notre marque", "au cœur de la marque",
                "au coeur de la marque", "depuis nos débuts", "depuis le premier jour",
                "nous avons toujours défendu", "nous avons toujours cru en",
                "nous avons toujours cru à", "on a toujours défendu", "on a toujours cru en",
                "on a toujours cru à")
# ... and after the values: "… sont au cœur de tout ce que nous faisons", "… nous guident",
# "… comptent pour nous"
_FRAMING_FR += tuple(f"{v}au {c} de {w}"
                     for v in ("", "est ", "sont ") for c in ("cœur", "coeur", "centre")
                     for w in ("tout ce que nous faisons", "tout ce que l'on fait",
                               "tout ce que l’on fait", "ce que nous faisons",
                               "tout ce que nous fabriquons", "notre démarche", "nos produits",
                               "notre travail"))
_FRAMING_FR += tuple(f"nous {v}" for v in ("guide", "guident", "anime", "animent", "définit",
                                            "définissent", "portent", "porte", "inspire",
                                            "inspirent"))
_FRAMING_FR += ("comptent pour nous", "compte pour nous", "nous tiennent à cœur",
                "nous tiennent à coeur", "nous tient à cœur", "nous tient à coeur",
                "ce qui nous définit", "ce qui nous guide", "ce qui nous anime",
                "dans tout ce que nous faisons", "notre marque croit en",
                "notre marque défend", "la marque défend")
FRAMING = tuple(dict.fromkeys(_FRAMING_EN + _FRAMING_FR))
# In a values statement, what points back at it once it is made, after a sentence's end, a
# dash or a colon: "… It's who we are.", "… — these are the values that guide everything we
# do", "… That is the promise we make to every customer.", "… C'est notre ADN.", "… Voilà ce qui
# nous distingue." A pronoun there stands for the values already said, and the rest says what
# they are to the brand; its own words (customers, community, team, love) would point the
# values at creators who write about their community. What a pronoun says the values mean or
# include is kept ("That means local sourcing", "Cela veut dire …").
_POINTER = (r"(?:it['’]s|it\s+is|that['’]s|that\s+is|this\s+is|these\s+are|those\s+are|"
            r"c['’]est|ce\s+sont|voil[àa]|voici|tel(?:le)?s?\s+(?:est|sont)|cela|ça)")
# In a values statement, how the brand opens it in its own words: a short opening before a
# colon that speaks of the brand ("What drives us:", "Notre moteur :", "Ce qui nous anime :"),
# or a clause of the brand's before a verb of foundation ("Our whole range is built on",
# "Everything we make is guided by", "Toute notre gamme est fondée sur", or any participle
# with its agent: "Our products are shaped by", "Nos créations sont influencées par"). The
# values follow; the opening's own words (range, team, products) would point them at
# creators who post about products. A first person is what tells the brand's words apart:
# "Repair: the heart of it" and "Built on repair" stay.
# (not French "on", an English "on" too, nor "US", the country)
_WE = (r"(?:we|(?-i:us|Us)|our|ours|i|me|my|we['’](?:re|ve)|nous|notre|nos|je|mon|ma|mes)")
_FOUNDATION = (r"(?:built\s+on|based\s+on|rooted\s+in|grounded\s+in|driven\s+by|"
               r"founded\s+on|cent(?:re|er)ed\s+on|focused\s+on|"
               r"(?:fond|bas|ancr|guid|port|inspir)[ée]e?s?\s+(?:sur|dans)|"
               r"construite?s?\s+sur|reposent\s+sur|repose\s+sur|"
               # what shapes the brand, said with any participle and its agent ("guided by",
               # "shaped by", "pensés autour de", "animés par"); not "made by" ("made by
               # hand" is a value)
               r"(?!made\s)[^\W\d_]{2,}ed\s+(?:by|around)|"
               r"[^\W\d_]{2,}(?:[ée]e?s?|ie?s?|ue?s?)\s+(?:par|autour\s+d(?:e|u|es|['’])))")
OPENING = re.compile(
    rf"^(?=[^:\n]{{0,60}}:)[^:\n]{{0,60}}?(?<![\w-]){_WE}(?![\w-])[^:\n]{{0,60}}:(?!//)"
    rf"|(?:^|(?<=[.!?;]))[^,.;:!?\n]{{0,80}}?(?<![\w-]){_WE}(?![\w-])[^,.;:!?\n]{{0,80}}?"
    rf"(?<![\w-]){_FOUNDATION}(?![\w-])", re.IGNORECASE)
# ... and what a pointer back says the values are to the brand: who or what it is, or one of its
# words for them ("the promise we make", "our DNA", "la raison pour laquelle"). What follows a
# pointer otherwise describes the product or the values ("It's vegan and made in France",
# "It's about making things last", "That's why we only use recycled cotton") and stays.
_TO_THE_BRAND = (
    r"(?:(?:really|truly|exactly|simply|just|all|precisely|vraiment|exactement|simplement|"
    r"bien|tout|justement)\s+)*"
    r"(?:who|what|how|where|us|ours|ce\s+qui|ce\s+que|ce\s+qu['’]|nous"
    r"|(?:the|our|a|an|la|le|les|l['’]|notre|nos|un|une|toute|tout)\s*"
    r"(?:[^\W\d_]+\s+){0,2}?"
    r"(?:values?|promise|reason|heart|core|dna|essence|identity|philosophy|ethos|spirit|soul|"
    r"mission|motto|commitment|principles?|beliefs?|story|signature|foundation|backbone|"
    r"valeurs?|promesse|raison|c[œo]e?ur|adn|identit[ée]|philosophie|esprit|[âa]me|"
    r"engagement|devise|principes?|histoire|fondements?|credo|moteur|boussole)(?![\w-]))")
POINTER_BACK = re.compile(
    rf"(?:(?<=[.!?;:—–])|(?<=\s[-—–]))\s*{_POINTER}(?![\w-])\s*(?={_TO_THE_BRAND})"
    r"[^.!?\n]*", re.IGNORECASE)

FRAMING_PHRASE = re.compile(rf"(?<![\w#@-])(?:{alternation(FRAMING)})(?![\w-])", re.IGNORECASE)
# "the value", "our value": a noun that frames nothing ("the value of second hand")
BARE_VALUE = frozenset(f"{o}{m} value" for o in OWNERS
                        for m in ("", " brand", " core", " company"))
