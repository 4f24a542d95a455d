"""When the campaign runs, as a brief writes it: a holiday, a month, dates, a quarter, a length.

"Refill moisturiser, for our Christmas campaign", "campaign runs 1-15 May", "launching in
September", "Q4 push", "for six weeks", "pour notre campagne de Noël", "à la rentrée", "du 1er
au 15 mai". They say when the sponsored posts go out, which is the plan's business, not what
the creators post about: a catalogue's posts span the year, and the words pull a match towards
whoever posted about Christmas or September, of any niche ("pour notre campagne de Noël" after
each French brief cost the feeds set's French test briefs 0.839 -> 0.747 nDCG@10).

A time is read as the campaign's only where the brief says so:
* after a word of time ("in September", "for Christmas", "ahead of Black Friday", "around
  Easter", "from 1 May to 15 June", "between 7 and 14 February"; "en septembre", "pour Noël",
  "à la rentrée", "autour de Pâques", "du 1er au 15 mai", "sur la Saint-Valentin"), or a verb
  of the campaign's running or of the posts going out ("runs 1-15 May", "goes live
  mid-October", "timed for Valentine's Day", "to go out around Easter", "posts between 7 and
  14 February", "à publier autour de Pâques", "calée sur la Saint-Valentin"), and ending its
  phrase there ("for Christmas gift ideas", "posts about Christmas gift ideas" stay);
* as a time said from another, ending its clause or before that time ("ideally the week
  before", "la semaine d'avant", "the week after New Year"; "la veille de Noël" stays);
* as a clause or a sentence of its own ("Refill moisturiser (Black Friday to Cyber Monday)",
  "Black Friday: refill moisturiser", "… Q1 2027."; "Veg box, Christmas dinners" stays, and so
  does a brief's first clause before a comma, where it starts a list of what creators post:
  "Noël, cadeaux faits main");
* beside a word for the campaign ("Christmas campaign", "Q4 push", "summer 2027 activation";
  "campagne de Noël", "opération rentrée", "soldes d'été");
* a campaign's length after a word of duration ("for six weeks", "over 3 months", "pendant
  2 mois", "sur six semaines").
A season is the campaign's only beside a word for the campaign ("spring campaign"): elsewhere
it says when the product is used or what creators post about ("rail pass for Europe this
summer", "summer shred", "winter camping gear", "recettes d'hiver"), and the labelled sets'
own briefs lost where it went ("... this summer" 0.912 -> 0.851 nDCG@10). A holiday that names
what a product is stays ("Christmas gift guide", "Halloween costumes"). An English "May" is a
month only with its capital ("this may help" stays). A day of the week after a word of time
goes too ("Please reply by Friday", "d'ici mercredi"), but it is the planner's own deadline,
and the note does not call it the campaign's.
"""

from __future__ import annotations

import re

_NUMBER_WORDS = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|a\s+few|un|une|deux|"
                 r"trois|quatre|cinq|six|sept|huit|neuf|dix|douze|quelques)")
_MONTHS = (r"(?:(?:january|february|march|april|(?-i:May|MAY)|june|july|august|september|"
           r"october|november|december|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|"
           r"ao[uû]t|septembre|octobre|novembre|d[ée]cembre)(?!\w)"
           r"|(?:jan|feb|(?-i:Mar)|apr|jun|jul|aug|sep|oct|nov|dec)(?!\w)\.?)")
_HOLIDAYS = (
    r"(?:christmas|xmas|easter|halloween|valentine['’]?s(?:\s+day)?|mother['’]?s\s+day|"
    r"father['’]?s\s+day|black\s+friday|cyber\s+monday|prime\s+day|singles['’]?\s+day|"
    r"boxing\s+day|thanksgiving|back[\s-]to[\s-]school|(?:the\s+)?new\s+year['’]?s?(?:\s+eve)?|"
    r"(?:lunar|chinese)\s+new\s+year|ramadan|eid|diwali|hanukkah|the\s+holidays|"
    r"(?:holiday|festive)\s+season|"
    r"no[ëe]l|p[âa]ques|(?:la\s+)?saint[\s-]valentin|(?:la\s+)?f[êe]te\s+des\s+(?:m[èe]res|"
    r"p[èe]res)|(?:les\s+)?f[êe]tes(?:\s+de\s+fin\s+d['’]\s*ann[ée]e)?|(?:la\s+)?rentr[ée]e|"
    r"(?:le\s+)?nouvel\s+an|(?:la\s+)?toussaint|(?:les\s+)?soldes(?:\s+d['’]\s*(?:[ée]t[ée]|"
    r"hiver))?)")
_SEASONS = r"(?:spring|summer|autumn|fall|winter|printemps|[ée]t[ée]|automne|hiver)"
# UK English's "holiday" is a trip ("on holiday"): a time of the campaign only beside its word
_YEAR = r"(?:19|20)\d\d"
# a day of the week: "reply by Friday", "d'ici mercredi" (the planner's deadline)
_WEEKDAYS = (r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|lundi|mardi|mercredi|"
             r"jeudi|vendredi|samedi|dimanche)(?!\w)")
_DAY = r"\d{1,2}(?:st|nd|rd|th|er|e)?"
_PART = (r"(?:(?:early|mid|late|the\s+end\s+of|end\s+of|the\s+beginning\s+of|beginning\s+of|"
         r"the\s+start\s+of|start\s+of|d[ée]but|fin|mi)[\s-]*)?")
# one time: a date, a month, a season, a holiday, a quarter
_TIME = (rf"(?:{_PART}(?:(?:{_DAY}\s*(?:[-–/]|to|au|à|and|et)\s*(?:le\s+)?)?{_DAY}\s+"
         rf"(?:of\s+)?)?{_MONTHS}"
         rf"(?:\s+{_DAY}(?:\s*[-–]\s*{_DAY})?)?(?:,?\s+{_YEAR})?"
         rf"|{_HOLIDAYS}(?:\s+{_YEAR})?|q[1-4](?:\s+{_YEAR})?|{_WEEKDAYS})")
_TIMES = rf"{_TIME}(?:\s*(?:[-–/&]|to|through|until|and|or|au|à|et|ou)\s*{_TIME})?"
# a campaign's length
_LENGTH = (rf"(?:\d+|{_NUMBER_WORDS})\s+(?:days?|weeks?|months?|jours|semaines|mois)")
_WHEN_WORD = (
    r"(?:in|on|for|during|over|this|next|by|before|after|ahead\s+of|in\s+time\s+for|"
    r"in\s+the\s+run[\s-]up\s+to|around|until|till|through|from|starting|throughout|between|"
    r"en|pour|à|au|aux|dès|entre|autour\s+d(?:e|es|u)|aux\s+alentours\s+d(?:e|es|u)|"
    r"d[èe]s\s+le|d['’]\s*ici|avant|apr[èe]s|pendant|durant|cet|cette|ce|du|courant|"
    r"jusqu['’]\s*(?:à|au|a)|à\s+partir\s+d[eu]|lors\s+d(?:e|es|u)|"
    r"à\s+l['’]\s*occasion\s+d(?:e|es|u)|vers)")
_RUNS = (r"(?:runs?|running|goes\s+live|going\s+live|go\s+live|live|starts?|starting|kicks?\s+off|"
         r"kicking\s+off|ends?|ending|démarre|débute|commence|se\s+déroule|aura\s+lieu|"
         r"takes?\s+place|taking\s+place|"
         # when the posts go out: "timed for Valentine's Day", "to go out around Easter",
         # "posts between 7 and 14 February", "à publier autour de Pâques", "calée sur"
         r"timed|to\s+go\s+out|goes\s+out|going\s+out|(?:to\s+)?publish(?:ed|ing)?|"
         r"(?:to\s+)?post(?:s|ed|ing)?|à\s+publier|à\s+poster|publi[ée]e?s?|publications?|"
         r"cal[ée]e?s?|pr[ée]vue?s?|programm[ée]e?s?|"
         # the planner's deadline: "reply by Friday", "réponse avant vendredi"
         r"reply|respond|answers?|r[ée]ponses?|r[ée]pondre)")
_DETERMINER = r"(?:the|our|this|la|le|les|l['’]|notre|nos)"
# a time said from another: "the week before", "the day after", "la semaine d'avant", "la
# veille", ending its clause or followed by the time it is said from ("the week after New
# Year"); "la veille de Noël" (Christmas Eve) is a time of its own, and stays
_CLAUSE_ENDS_HERE = r"(?=\s*(?:$|[^\w\s'’]))"
_RELATIVE = (r"(?:(?:the|a|la|le|une?)\s+(?:week|day|weekend|month|semaine|jour|week-end|mois)"
             r"\s+(?:before|after|prior|d['’]\s*avant|d['’]\s*apr[èe]s|pr[ée]c[ée]dente?|"
             r"suivante?|avant|apr[èe]s)|la\s+veille|le\s+lendemain)")
# after a word of time, the time ends its phrase ("for Christmas.", "in September with …"): a
# word that it qualifies instead ("tips for winter camping", "in spring cleaning", "for summer
# shred") makes it the subject's
_ENDS = (r"(?=\s*(?:$|[^\w\s'’]|(?:and|or|with|to|for|on|in|at|by|from|until|through|when|while|"
         r"so|as|the|our|a|an|et|ou|avec|pour|sur|dans|à|au|aux|en|de|du|des|d['’]|la|le|les|"
         r"l['’]|un|une|nos|notre|please|pls|svp|s['’]il|thanks|merci)(?![\w-])))")
_CAMPAIGN = (r"(?:campaigns?|launch|launches|push|activation|sale|sales|special|"
             r"promotion|promo)")
_CAMPAGNE = r"(?:campagnes?|op[ée]ration|lancement|activation|temps\s+fort|soldes)"
_LENGTH_WORD = r"(?:for|over|during|within|pour|sur|pendant|durant)"

_A_WEEKDAY = re.compile(_WEEKDAYS, re.IGNORECASE)

WHEN_PHRASE = re.compile(
    rf"(?<![\w#@-])(?:"
    rf"(?:{_RUNS}\s+(?:{_WHEN_WORD}\s+)?|{_WHEN_WORD}\s+)(?:{_DETERMINER}\s*)?"
    rf"(?P<t1>{_TIMES}){_ENDS}"
    rf"|(?:{_DETERMINER}\s*)?(?P<t2>{_TIMES}|(?:{_SEASONS}|holiday)(?:\s+{_YEAR})?)\s+{_CAMPAIGN}"
    rf"|{_CAMPAGNE}\s+(?:(?:de|d['’]|du|des|pour)\s*)?(?:{_DETERMINER}\s*)?"
    rf"(?P<t3>{_TIMES}|{_SEASONS}(?:\s+{_YEAR})?)"
    rf"|(?:{_RUNS}\s+)?{_LENGTH_WORD}\s+(?P<t4>{_LENGTH})"
    rf"|(?:{_RUNS}\s+)?sur\s+(?:{_DETERMINER}\s*)?(?P<t5>{_HOLIDAYS}){_ENDS}"
    rf"|(?:(?<=[(\[,;:—–])|(?<=[.!?]\s))\s*(?P<t6>{_TIMES})(?=\s*(?:$|[)\].,;:!?—–]))"
    # a brief's first clause is the campaign's time before a heading's colon, a dash or the
    # end, not before a comma, where it starts the list of what creators post ("Noël,
    # cadeaux faits main")
    rf"|^\s*(?P<t7>{_TIMES})(?=\s*(?:$|[).;:!?—–]|-\s))"
    rf"|(?P<t8>{_RELATIVE}(?:\s+(?:{_DETERMINER}\s*)?{_TIMES}{_ENDS}|{_CLAUSE_ENDS_HERE}))"
    rf")(?![\w-])", re.IGNORECASE)


def when_spans(text: str) -> list[tuple[int, int]]:
    """Where a brief says when its campaign runs: (start, end) of each, in order."""
    return [m.span() for m in WHEN_PHRASE.finditer(text)]


def when_named(text: str) -> list[str]:
    """The times a brief gives its campaign, as written ("Christmas", "1-15 May", "six
    weeks"), each once, in order; a day of the week alone is the planner's own deadline
    ("reply by Friday"), not the campaign's."""
    found = (next(g for g in m.group("t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8") if g)
             for m in WHEN_PHRASE.finditer(text))
    return list(dict.fromkeys(t for t in (" ".join(t.split()) for t in found)
                              if not _A_WEEKDAY.fullmatch(t)))
