"""What of a brief is encoded and looked up: its subject, and what its values statement stands for.

Three kinds of words a planner writes would pull a match the wrong way, and all are left out
before the brief and the values statement are encoded (the sentence encoder) and looked up
(BM25):

* **The words of the trade and the deal** (both texts). "Looking for UGC creators for our
  brand campaign: refillable shampoo bars" is about shampoo bars. "creators", "campaign",
  "brand", "UGC", "collab" describe the collaboration itself; as query words they lift
  creators of every niche, and in the brief's vector they pull towards creators whose posts
  read like promotion. So do the rest of what a brief says of the deal rather than of the
  creators' subject, each read where its module says:
  - trade.py: the trade's words, greetings and sign-offs, the deal's labelled terms
    ("Timeline: 6 weeks", "Tone: warm, funny"), a form's field names, what the ranker
    measures itself ("authentic creators"), where the brand is online; in a brief, the
    promotion its post carries ("use code GREEN20") and who the brand is ("Client: Oak &
    Ash", "founded in 2019 by two sisters");
  - asked.py: what only a filter or a setting says (the tier, the objective, the market, the
    platforms and deliverables) and the audience's ages, which no catalog holds; the same
    words as a subject stay ("mental health awareness", "French cuisine", "TikTok dances");
  - timing.py, in a brief: when the campaign runs ("for our Christmas campaign", "runs 1-15
    May").
  notes.py tells the planner what of these a filter or a setting should say instead.
* **The framing of a values statement** (both texts): "Our brand values: repair, second hand",
  "We believe in slow travel", "Nos valeurs :" say that a statement follows, not what it
  stands for (framing.py).
* **What the values statement rejects** (and what the brief does). "repair and buying less, no fast
  fashion or weekly hauls" stands for repair; "fast fashion", "weekly hauls" name the opposite
  stance's content. A sentence encoder barely reads the negation, and BM25 not at all: left
  in, they point the values towards the creators the brand rejects. A rejected part starts at
  a negation (no, not, never, without, against, instead of, rather than, don't, free from, do
  without; pas de, sans, contre, jamais, au lieu de, plutôt que, loin de, ni, se passer de)
  or at the word of a preference that names what it is preferred to ("refills over new
  packaging", "resale vs weekly drops": over, vs, versus), and runs to the end of its clause
  (a comma, a full stop, "and", "but", "for", "with"; "et", "mais", "pour", "avec"; "or" and
  "ou" continue it). A negation with nothing after it in its clause rejects nothing and stays
  ("start over", "just say no"), and a set phrase that holds a negation and states a value
  or names a subject is kept whole ("leave no trace", "no one left behind", "no dig", "no
  rest days", "not just").

  A brief rejects the same way, with fewer words: no, not, nor, don't, instead of, rather
  than; pas de, au lieu de, plutôt que, non aux, ni ("Resale app for pre-loved clothes, no
  fast fashion" is about pre-loved clothes; the stances set's rejections written into its
  briefs cost them 0.980 -> 0.898 nDCG@10 with the values given, 0.812 -> 0.407 without).
  The others name what a brief is about: "an app against food waste", "recettes sans
  gluten", "vivre sans voiture", "women over 50", "iPhone vs Android", "never stop
  exploring". A brief of nothing but a rejection is kept whole. A brief's sentence after its
  first that asks to avoid something goes whole (_AVOIDED: "Avoid anyone promoting crash
  diets.", "Éviter les créateurs qui …").

  "less", "fewer" and "moins de" are not among them: what a brand wants less of ("less
  e-waste", "moins de déchets") is often what the creators who share its stance post about,
  and taking it out lowered the labelled sets' figures where a statement said so.

A clause that taking these words out leaves with nothing but stopwords ("for our" of "Looking
for creators for our campaign: ...") goes with them, and so do the stopwords that only led to
them ("We [need creators] to [promote] rain jackets"); a clause written so stays.
A brief without a values statement that writes one into a sentence ("Refill shampoo bars. We
care about zero waste.", "nos valeurs : local") has it read as its statement (values_in): the
part of the sentence from its framing on; or, without a framing, a later sentence or line that
is a list of at least three short items and nothing else ("Refill moisturiser. Doing less,
refills, finishing what you buy."). Read as the brief's subject, the values blur with the
topic, and the creators of the niche's opposite stance rank beside those who share them (five
ways of writing the values into each brief of the labelled sets cost stances and feeds 0.02 to
0.09 nDCG@10 on their test briefs, when read as the subject).
A brief of nothing but the trade's words is kept whole; a values statement that only rejects
("no plastic, no palm oil") gives no direction to stand for, and the match runs as without one.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from .accents import with_accents
from .asked import (
    AUDIENCE_PHRASE,
    CREATORS_COUNTED,
    OBJECTIVE_PHRASE,
    PLATFORM_PHRASE,
    TIER_PHRASE,
    age_spans,
    demographic_spans,
    market_spans,
)
from .framing import BARE_VALUE, FRAMING_PHRASE, OPENING, POINTER_BACK
from .lexical.tokens import STOPWORDS, fold, words
from .timing import WHEN_PHRASE
from .trade import (
    BUDGET,
    FIELD,
    FOUNDED,
    LABELLED,
    NAMED,
    ONLINE,
    PROMOTION,
    QUALITIES,
    SELF_DESCRIBED,
    SIGNATURE,
    TRADE,
    alternation,
)

NEGATIONS = ("no", "not", "nor", "never", "without", "against", "avoid", "avoiding", "don't",
             "don’t", "do not", "instead of", "rather than", "away from", "free from",
             "free of", "do without", "over", "vs", "vs.", "versus",
             "pas de", "pas d'", "pas d’", "sans", "contre", "jamais", "au lieu de",
             "au lieu d'", "au lieu d’", "plutôt que", "plutot que", "loin de", "loin des",
             "loin du", "non au", "non aux", "ni",
             "se passer de", "se passer d'", "se passer d’", "se passer du", "se passer des")
# A brief rejects with fewer of them: "an app against food waste", "recettes sans gluten",
# "vivre sans voiture", "skincare that helps avoid breakouts", "women over 50", "iPhone vs
# Android", "never stop exploring" are about what follows the word
BRIEF_NEGATIONS = ("no", "not", "nor", "don't", "don’t", "do not", "instead of", "rather than",
                   "pas de", "pas d'", "pas d’", "au lieu de", "au lieu d'", "au lieu d’",
                   "plutôt que", "plutot que", "non au", "non aux", "ni")
# where a rejected part ends: a clause's punctuation, or a word that starts something else
_CLAUSE_ENDS = ("and", "but", "for", "to", "with", "while", "that", "which", "et", "mais", "pour",
                "avec", "qui", "que")


# a negation ending in an apostrophe (pas d') runs straight into its word
_NEGATION = re.compile(rf"(?<![\w#@-])(?:{alternation(NEGATIONS)})(?:(?<=['’])|(?![\w-]))\s*",
                       re.IGNORECASE)
_BRIEF_NEGATION = re.compile(rf"(?<![\w#@-])(?:{alternation(BRIEF_NEGATIONS)})"
                             r"(?:(?<=['’])|(?![\w-]))\s*", re.IGNORECASE)
_CLAUSE_END = re.compile(rf"[,;.:!?()\[\]\n]|\s[-–—|/]\s|(?<![\w-])(?:{alternation(_CLAUSE_ENDS)})"
                         r"(?![\w-])", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]")  # a letter or a digit
_GONE = "\x00"  # where words were taken out of a text, until _tidy
# where a clause of a brief ends: punctuation, or a dash between spaces
_CLAUSE_BREAK = re.compile(r"(\s*(?:[,;:!?|/()\[\]]|\.(?!\w))\s*|\s[-–—]\s)")
_EMPTY_CLAUSES = re.compile(r"\s*[,;](?:\s*[,;])*\s*")  # what a part taken out leaves: ", ,"


def _says_something(text: str) -> bool:
    return any(w not in STOPWORDS for w in words(fold(text)))


def _tidy(kept: str, text: str) -> str:
    """kept without the clauses that taking words out (_GONE) left with nothing but stopwords
    ("for our", "we who"), its punctuation tidied; text when kept holds no word but
    stopwords."""
    parts = _CLAUSE_BREAK.split(_SPACES.sub(" ", kept))
    clauses, gone = [], False
    for sep, c in zip(["", *parts[1::2]], parts[0::2], strict=True):
        # a clause emptied goes, and the nothing its closing bracket leaves after it
        gone = (_GONE in c or (gone and not c.strip())) and not _says_something(c)
        if not gone:
            clauses.append((sep, c))
    # within a clause, the stopwords that only led to words taken out go with them ("We
    # [need creators] to [promote] rain jackets")
    clauses = [(sep, _GONE.join(x for x in c.split(_GONE)[:-1] if _says_something(x))
                + _GONE + c.split(_GONE)[-1]) if _GONE in c else (sep, c) for sep, c in clauses]
    kept = "".join(c if i == 0 else sep + c for i, (sep, c) in enumerate(clauses))
    kept = _SPACES.sub(" ", kept.replace(_GONE, " "))
    kept = _EMPTY_CLAUSES.sub(", ", kept).strip(" :;,.!?-–—|/")
    return kept if _says_something(kept) else text


# A brief's sentence that asks to avoid something ("Avoid anyone promoting crash diets.",
# "Please steer clear of haul accounts.", "Éviter les créateurs qui font la promo de régimes
# express."), to its end: it names the creators the brand does not want, and left in it points
# the match at them ("avoid" is no negation of a brief elsewhere: "skincare that helps avoid
# breakouts" is about breakouts). After a sentence's end, a line's or a spaced dash: the brief's
# first sentence is its subject ("Avoid breakouts with our new serum").
_AVOIDED = re.compile(
    r"(?:(?<=[.!?\n])|(?<=\s[-–—]))\s*(?:(?:and|but|et|mais)\s+)?"
    r"(?:(?:please|pls|kindly|merci\s+d['’]|svp|s['’]il\s+vous\s+pla[iî]t)\s*,?\s*)?"
    r"(?:(?:we|nous|on)(?:\s+(?:want|would\s+like|need|voulons|veut|souhaitons|"
    r"pr[ée]f[ée]rons)|['’]d\s+like)\s+(?:to\s+)?)?"
    r"(?:avoid|steer\s+clear\s+of|stay\s+away\s+from|keep\s+away\s+from|exclude|"
    r"[ée]viter|[ée]vitez|[ée]vite|exclure|excluez|to\s+avoid\s*:|[àa]\s+[ée]viter\s*:)"
    r"(?![\w-])[^.!?\n]*", re.IGNORECASE)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans in order, those that overlap or touch made one."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


@lru_cache(maxsize=4096)
def _without_trade(text: str, brief: bool = True) -> str:
    """The text with the tiers, the objective, the market, the platforms and deliverables and
    the audience's ages asked for (asked.py), the framing of a values statement and the
    trade's words marked _GONE; in a brief (brief), the promotion its post carries, who the
    brand is and when the campaign runs too: in a values statement, "codes promo" is a stance
    (a fast-fashion brand's), and "cooking for Christmas" what it stands for. Kept for the texts
    read last: a match reads a brief's parts several times (values_in, subject,
    names_a_subject), and its notes read them again."""
    gone = f" {_GONE} "
    # the market, the tier, how many creators and their size before the people words go, read
    # on the same text: "3 to 5 nano influencers in the UK" is a count's, a tier's and a
    # market's phrase, which share "influencers"
    for start, end in reversed(_merged([(s, e) for s, e, _ in market_spans(text)]
                                       + [m.span() for m in TIER_PHRASE.finditer(text)]
                                       + [m.span() for m in CREATORS_COUNTED.finditer(text)]
                                       + [m.span() for m in AUDIENCE_PHRASE.finditer(text)])):
        text = text[:start] + gone + text[end:]
    for start, end in reversed(age_spans(text)):  # "women 25-35": before "women" goes
        text = text[:start] + gone + text[end:]
    if brief:  # "Target audience: women, urban": before the field's label goes
        for start, end in reversed(demographic_spans(text)):
            text = text[:start] + gone + text[end:]
    for phrase in (ONLINE, SIGNATURE, LABELLED,
                   *((_AVOIDED, BUDGET, PROMOTION, NAMED, SELF_DESCRIBED, FOUNDED, WHEN_PHRASE)
                     if brief
                     else (POINTER_BACK, OPENING)),
                   QUALITIES, FIELD, OBJECTIVE_PHRASE, PLATFORM_PHRASE, FRAMING_PHRASE, TRADE):
        text = phrase.sub(gone, text)
    return text


def subject(text: str, brief: bool = True) -> str:
    """The text without the trade's words (the tiers and objective asked for and a values
    statement's framing with them; a brief's promotion); the text itself when nothing else
    is left. brief: False for a values statement."""
    return _tidy(_without_trade(text, brief), text)


def names_a_subject(text: str, brief: bool = True) -> bool:
    """Whether the text says anything beyond the trade's words and stopwords ("Looking for
    UGC creators" does not: it asks for creators, not for what they post about). brief:
    False for a values statement."""
    return any(w not in STOPWORDS for w in words(fold(_without_trade(text, brief))))


# Set phrases that hold a negation and state a value or name a subject: kept whole ("leave no
# trace" is the outdoor ethic, not "leave" without "trace"; "no dig" a way of gardening, "no
# rest days" a way of training, "not just" a slogan's start)
SET_PHRASES = ("leave no trace", "no one left behind", "no dig", "no bake", "no code",
               "no poo", "no spend", "no buy", "no waste", "no mow", "no makeup", "no nonsense",
               "no fuss", "no frills", "no filter", "no excuses", "no rest days", "no days off",
               "no pain no gain", "not just", "not only", "non seulement", "pas seulement",
               "pas que")
_SET_PHRASES = re.compile(rf"(?<![\w-])(?:{alternation(SET_PHRASES)})(?![\w-])",
                          re.IGNORECASE)


def stands_for(values: str, negation: re.Pattern[str] = _NEGATION) -> tuple[str, list[str]]:
    """(what a values statement stands for, the parts it rejects): each rejected part is
    taken out with its negation; "" when nothing else is left. A set phrase that holds a
    negation ("leave no trace") is kept whole. negation: where a rejected part starts
    (_BRIEF_NEGATION for a brief)."""
    kept, rejected, pos = [], [], 0
    phrases: list[tuple[int, int]] | None = None  # read at the first negation, if any
    end = -1  # where the clause end last found starts: still the next one up to there
    for m in negation.finditer(values):
        if phrases is None:
            phrases = [p.span() for p in _SET_PHRASES.finditer(values)]  # in order, apart
            starts = [a for a, _ in phrases]
            # a statement's framing after what it rejects starts a clause of its own ("no
            # diet culture are at the heart of everything we do")
            frames = [f.start() for f in FRAMING_PHRASE.finditer(values)]
        inside = bisect.bisect_right(starts, m.start()) - 1  # the last phrase started here
        if m.start() < pos or (inside >= 0 and m.start() < phrases[inside][1]):
            continue
        if end < m.end():  # one search per clause end, not one per negation
            found = _CLAUSE_END.search(values, m.end())
            end = found.start() if found else len(values)
        frame = bisect.bisect_left(frames, m.end())
        stop = min(end, frames[frame] if frame < len(frames) else len(values))
        part = values[m.end():stop].strip()
        if not _WORD.search(part):  # "start over", "just say no": nothing rejected
            continue
        kept.append(values[pos:m.start()])
        rejected.append(part)
        pos = stop
    kept.append(values[pos:])
    return _tidy("".join(kept), ""), rejected


# where a sentence ends: a full stop, "!" or "?" before a space or the end (not "2.5"), or a
# line break
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n")


@lru_cache(maxsize=4096)
def values_in(brief: str) -> tuple[str, str | None]:
    """(the brief without the values statement written into it, that statement; or the
    brief and None): each sentence's part from a values statement's framing on ("Refill
    shampoo bars. We care about zero waste and honest labels.", "Cosmétiques solides, nos
    valeurs : local, sans plastique"), when both that part and the rest name something
    beyond the trade's words. A planner who writes the values into the brief means them as
    values: read as the brief's subject, they are one blur of topic and stance, and the
    creators of the opposite stance of the niche stay beside those who share them. Kept for
    the briefs read last: a match reads the brief, and its notes read it again."""
    rest, found, pos = [], [], 0
    for m in FRAMING_PHRASE.finditer(brief):
        if m.start() < pos or " ".join(m.group().lower().split()) in BARE_VALUE:
            continue
        end = _SENTENCE_END.search(brief, m.end())
        stop = end.start() if end else len(brief)
        rest.append(brief[pos:m.start()])
        found.append(brief[m.start():stop])
        pos = stop
    rest.append(brief[pos:])
    left, statement = "".join(rest), ". ".join(found)
    if not found:
        return _listed(brief)
    if not names_a_subject(left) or not names_a_subject(statement, brief=False):
        return brief, None
    return left, statement


# A sentence, a line or a part after a dash of a brief, after its first, that is a list and
# nothing else: at least three short items ("Refill moisturiser. Doing less for your skin,
# refills, finishing what you buy.", "Refill moisturiser — doing less, refills, finishing what
# you buy"), no colon (a labelled term, "Tone: warm, funny, honest"), no figure (a count of
# deliverables, "3 reels, 2 stories and a TikTok")
_SENTENCES = re.compile(  # each end kept, its spaces too
    rf"((?:{_SENTENCE_END.pattern}|\s[-–—]+(?=\s))\s*)")
_ITEM_BREAK = re.compile(r"\s*(?:[,;&]|(?<![\w-])(?:and|et)(?![\w-]))\s*", re.IGNORECASE)
_FIGURE = re.compile(r"\d")
LIST_ITEMS, ITEM_WORDS = 3, 6


def _listed(brief: str) -> tuple[str, str | None]:
    """values_in for a brief whose values are written as a list of their own, without a
    framing: (the brief without its last such list, the list), when both name something
    beyond the trade's words; else (the brief, None). A list of qualities after the subject
    is what the brand stands for, or what its product is (vegan, made in France), which the
    values read as evidence in the posts; read as the subject, it blurs with the topic."""
    parts = _SENTENCES.split(brief)
    sentences, breaks = parts[0::2], [*parts[1::2], ""]
    first = next((i for i, x in enumerate(sentences) if x.strip()), len(sentences))
    tries = 2  # the rest is read at most twice: a brief of many lists reads in linear time
    for i in range(len(sentences) - 1, first, -1):
        text = sentences[i].strip()
        if ":" in text or _FIGURE.search(text):
            continue
        items = [x for x in _ITEM_BREAK.split(text) if x.strip()]
        if len(items) < LIST_ITEMS or any(len(x.split()) > ITEM_WORDS for x in items):
            continue
        if not names_a_subject(text, brief=False):
            continue
        rest = "".join(sentences[j] + breaks[j] for j in range(len(sentences)) if j != i)
        if names_a_subject(rest):
            return rest, text
        tries -= 1
        if not tries:
            break
    return brief, None


# A sentence's first word written with a capital and then small letters ("Repair and
# reuse.", "Doing less for your skin"): what a values statement stands for is encoded with it
# in small letters. The capital is the sentence's, not the value's, and a cased encoder reads
# "Repair" as another token than "repair": with each statement's first letter a capital, test
# nDCG@10 fell on the three labelled sets (generator 0.969 -> 0.966, stances 0.980 -> 0.977,
# feeds 0.866 -> 0.857, feeds dev 0.754 -> 0.732). "UK-made", "B Corp" and "I" stay.
_SENTENCE_CAPITAL = re.compile(r"(^|[.!?]\s+|\n\s*)([A-ZÀ-ÖØ-Þ])(?=[a-zß-öø-ÿ'’-]*[a-zß-öø-ÿ]"
                               r"(?![\w-]*[A-ZÀ-ÖØ-Þ]))")


def _in_small_letters(statement: str) -> str:
    """The statement with each sentence's first word in small letters when only its capital
    is one (_SENTENCE_CAPITAL)."""
    return _SENTENCE_CAPITAL.sub(lambda m: m.group(1) + m.group(2).lower(), statement)


# Runs of spaces and blank lines, one space or one line break each: what the brief says is the
# same, and the patterns above, which read around spaces, then read a long run of them once,
# not once per space (20,000 spaces took 9 s to read, 40,000 four times as long)
_SPACE_RUN = re.compile(r"[^\S\n]+")
_LINE_BREAKS = re.compile(r"\s*\n\s*")


def single_spaced(text: str) -> str:
    """text with each run of spaces or tabs one space, each run of line breaks one line
    break (the line breaks are kept: they end a brief's lines)."""
    return _LINE_BREAKS.sub("\n", _SPACE_RUN.sub(" ", text))


def query_texts(brief: str, values: str | None) -> list[str]:
    """What a match encodes and looks up: the brief's subject, then what its values
    statement stands for, without the trade's words (nothing when there is no statement, or
    it only rejects, or it says nothing beyond its framing and the trade's words: "we
    believe in our values"). Without a statement, the one written into the brief is read as
    it (values_in). French typed without accents is read with them (accents.py)."""
    brief, values, _ = with_accents(single_spaced(brief), values and single_spaced(values))
    if not values:
        brief, values = values_in(brief)
    brief = stands_for(brief, _BRIEF_NEGATION)[0] or brief
    kept = stands_for(_in_small_letters(values))[0] if values else ""
    return [subject(brief)] + ([_in_small_letters(subject(kept, brief=False))]
                               if kept and names_a_subject(kept, brief=False) else [])
