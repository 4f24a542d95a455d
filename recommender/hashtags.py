"""Hashtags that no caption bears out are not read as what a creator talks about.

Hashtag stuffing: a creator of one subject ends every post with the hashtags of another that
brands search for ("index funds explained #zerowaste #vegan #ethical #plasticfree ..."). Read as
part of its captions, the hashtags pull the creator's content vector and its BM25 words towards
that subject, and it climbs into briefs about it. A genuine creator's hashtags name what its
captions say ("refilled my shampoo at the shop #zerowaste #refill").

So, as for a bio (signals.bio_mismatch): a creator whose posts carry at least HASHTAGS_MIN
distinct hashtags, of which fewer than BORNE_MIN are borne out by any caption, while at least
SAYING_MIN of its captions say something of their own (SAYING_WORDS content words besides the
hashtags), has those that are not borne out left out of the texts it is encoded and indexed by
(indexer.creator_texts, lexical.body). Its record, and what a planner is shown, keep them.
Nothing is flagged: a creator with many generic hashtags (#instagood #reels #fyp ...) loses
nothing by it, since they name no subject; a stuffer is simply read for what it writes.
Captions that say little ("🌿", "sunday vibes") claim nothing the hashtags could contradict:
there the hashtags are all the creator says of its subject, and are read.

A hashtag is borne out by a caption when the caption, without its hashtags, holds it as letters
(#zerowaste in "zero waste", #sustainableliving in "sustainable living") or holds its English
or French stem (#refills in "refilled"). Disclosure hashtags (#ad, #sponsorisé) are not
counted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .lexical.tokens import analyse, fold, stems_of

# distinct hashtags: Instagram's own advice is 3 to 5 a post, and a stuffer needs no more; with
# fewer, one borne out is already a fifth
HASHTAGS_MIN = 5
BORNE_MIN = 0.2  # share of them borne out below which the rest are not read (BIO_SUPPORTED_MAX)
_STEM_MIN = 4  # a shorter stem is in too many words to bear anything out
SAYING_MIN = 3  # captions that say something, as a bio is compared with 3 posts at least
SAYING_WORDS = 3  # content words (stopwords left out) that make a caption say something

_HASHTAG = re.compile(r"(?<![\w#])#([^\W_]\w*)")
_NOT_LETTERS = re.compile(r"[\W_]+")


def hashtags(text: str) -> list[str]:
    """The hashtags of a text, folded (lower case, no accents), without the '#', in order,
    disclosure hashtags left out."""
    from .signals import discloses

    return [fold(h) for h in _HASHTAG.findall(text) if not discloses("#" + h)]


def _without_hashtags(text: str) -> str:
    return _HASHTAG.sub(" ", text)


def unborne(captions: Sequence[str | None]) -> frozenset[str]:
    """The hashtags (folded) of these captions that are not read: those no caption bears out,
    when there are at least HASHTAGS_MIN distinct ones, fewer than BORNE_MIN are borne out and
    at least SAYING_MIN captions say something; none otherwise."""
    texts = [t for t in captions if t]
    # most captions have no hashtag: those are not searched for one
    tags = list(dict.fromkeys(h for t in texts if "#" in t for h in hashtags(t)))
    if len(tags) < HASHTAGS_MIN:
        return frozenset()
    said = [_without_hashtags(t) for t in texts]
    if sum(len(analyse(t)) >= SAYING_WORDS for t in said) < SAYING_MIN:
        return frozenset()
    bodies = [_NOT_LETTERS.sub("", fold(t)) for t in said]

    def borne(tag: str) -> bool:
        held = [tag, *(s for s in stems_of(tag) if len(s) >= _STEM_MIN)]
        return any(h in b for b in bodies for h in held)

    out = frozenset(t for t in tags if not borne(t))
    return out if len(tags) - len(out) < BORNE_MIN * len(tags) else frozenset()


def read(text: str, unread: frozenset[str]) -> str:
    """The text as encoded and indexed: without the hashtags in unread."""
    if not unread:
        return text
    kept = _HASHTAG.sub(lambda m: m.group(0) if fold(m.group(1)) not in unread else "", text)
    return " ".join(kept.split())


def read_captions(captions: Sequence[str | None]) -> list[str]:
    """The captions as they are read (read), those left with no text dropped."""
    unread = unborne(captions)
    return [x for x in (read(t, unread) for t in captions if t) if x.strip()]
