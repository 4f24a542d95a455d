"""What answering a brief needs once a candidate pool exists, shared by one index
(service.Recommender) and by a set of shards (sharding.ShardedRecommender): the pool scored,
its best re-scored from their posts, selected and explained; a creator read by id or handle;
the filters checked against the values the catalogue holds; a plan.

A subclass gives `ranker`, `tiers`, `embedder`, `__len__` and a `catalog` that answers rows,
resolve, record, records, vids_of and filters.vocabularies / filters.counts_alone for the vids
its pools hold, and post_vectors, texts_of and lexical.bodies unless it overrides
shortlist_reads and explained_reads (the shards read those in one trip each).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import feedback
from .embedding import english_only
from .errors import InvalidInputError, NotFoundError, nearest, shown
from .evidence import rerank_depth, rescore
from .explain import explain
from .locales import speaks
from .pool import Candidate, CreatorRow, Pool
from .retrieval import materialise
from .schema import Brief, Filters, Match

if TYPE_CHECKING:
    from pathlib import Path

    from .embedding import Embedder
    from .ranking import Ranker
    from .tiers import TierScheme

PostVectors = dict[int, tuple[list[str | None], np.ndarray]]

# the filters checked against the index's own values: (Filters field, column)
VOCABULARY_FILTERS = (("countries", "country"), ("languages", "language"),
                      ("platforms", "platform"), ("categories", "category"))


class Answering:
    """The answer flow over a pool, for any catalog that answers by vid."""

    ranker: Ranker
    tiers: TierScheme
    embedder: Embedder
    catalog: Any
    _encoder_note: tuple[object, str | None] | None = None  # (version, note): encoder_note
    # (version, creators without a language, without a country): unknown_note
    _unknown: tuple[object, int, int] | None = None

    def __len__(self) -> int:
        raise NotImplementedError

    def match(self, brief: Brief | dict[str, Any]) -> list[Match]:
        raise NotImplementedError

    def get(self, creator_id: str) -> dict[str, Any]:
        """A creator's stored record and signals, by id or handle."""
        cid = self.catalog.resolve(creator_id)
        rec = None if cid is None else self.catalog.record(cid)
        if rec is None:
            raise NotFoundError(f"no creator with id or handle {shown(creator_id)}")
        return rec

    def encoder_note(self) -> str | None:
        """What a planner must be told when the index encodes with an English-only model while
        it holds creators in other languages (None otherwise): they rank worse than they
        would with a multilingual one. Counted once per version of the catalogue
        (_version): every match asks, and counting a language's creators reads all of them."""
        if not english_only(self.embedder.name):
            return None
        version = self._version()
        cached = self._encoder_note
        if cached is None or cached[0] != version:
            cached = (version, self._count_other_languages())
            self._encoder_note = cached
        return cached[1]

    def _version(self) -> object:
        """What changes when the catalogue's creators may have: their count here; an index
        gives its write generation."""
        return len(self)

    def _count_other_languages(self) -> str | None:
        others = [x for x in self.catalog.filters.vocabularies(["language"])["language"]
                  if not speaks(x, "en")]
        held = 0 if not others else self.catalog.filters.counts_alone(
            Filters(languages=others)).get("languages", 0)
        if held <= 0:
            return None
        return (f"this index encodes with {self.embedder.name}, which reads English only, and "
                f"{held:,} of its {len(self):,} creators are in other languages "
                f"({', '.join(others[:6])}{', ...' if len(others) > 6 else ''}): they rank "
                "below English creators of the same content. An index built with the default "
                "encoder (use-m3) reads them (README: Which encoder)")

    def unknown_note(self, f: Filters) -> str | None:
        """What a planner must be told when the brief filters on language or country and some
        creators of the index have none (their records give none, and for a language their
        texts did not say it clearly enough): the filter leaves them out, unseen. None
        otherwise. Counted once per version of the catalogue, as encoder_note is."""
        if not f.languages and not f.countries:
            return None
        version = self._version()
        if self._unknown is None or self._unknown[0] != version:
            known = self.catalog.filters.vocabularies(["language", "country"])
            held = self.catalog.filters.counts_alone(Filters(
                languages=known["language"] or None, countries=known["country"] or None))
            total = len(self)
            self._unknown = (version, total - held.get("languages", 0),
                             total - held.get("countries", 0))
        _, languages, countries = self._unknown
        missing = [(n, what) for n, what, asked in (
            (languages, "language", f.languages), (countries, "country", f.countries))
            if asked and n > 0]
        if not missing:
            return None
        whats = " and ".join(what for _, what in missing)
        return (f"of this index's {len(self):,} creators, "
                + " and ".join(f"{n:,} {'has' if n == 1 else 'have'} no {what}"
                               for n, what in missing)
                + " (their records give none; a language is also read from a creator's texts "
                f"when they say it clearly): this brief's {whats} "
                f"filter{'s' if len(missing) > 1 else ''} leave{'' if len(missing) > 1 else 's'}"
                f" them out, whatever they post. Give each record its {whats} to include them")

    def unknown(self, refs: Sequence[str]) -> list[str]:
        """The ids or handles among refs that name no creator (to report an exclusion that
        excluded nothing)."""
        return [r for r in refs if self.catalog.resolve(r) is None]

    def _ranked(self, pool: Pool, objective: str | None, k: int, query: np.ndarray,
                terms: list[str]) -> list[Match]:
        """The shortlist (shortlisted), selected and explained."""
        depth = self.ranker.pool_depth(k)
        # without a values statement re-scoring leaves the shortlist in the order it came: read
        # the rows and posts of the depth that select() looks at, not of the wider shortlist
        best, vectors = self.shortlisted(pool, objective, depth,
                                         None if pool.values_vector is not None else depth)
        chosen = self.ranker.select(best[:depth], k)
        # the brief's words a creator used, from the stems its lexical index holds
        texts, bodies = self.explained_reads([c.row.vid for c in chosen], vectors, bool(terms))
        return [explain(c, query, texts.get(c.row.vid, []), terms,
                        indexed=bodies.get(c.row.vid, "") if terms else None,
                        words_in=pool.words_in)
                for c in chosen]

    def shortlisted(self, pool: Pool, objective: str | None, depth: int, wide: int | None = None
                    ) -> tuple[list[Candidate], dict[int, tuple[list[str | None], np.ndarray]]
                               | None]:
        """The pool scored as columns, rows read for its best only (wide of them, default
        rerank_depth(depth)), those re-scored from their posts (evidence.py) when the brief's
        vectors are known: (candidates best first, the post vectors read, or None)."""
        if not len(pool):
            return [], None
        scores, comps = self.ranker.score_pool(pool, objective)
        pool.content = feedback.content(pool, scores, self.content_vectors)
        if pool.content is not None:  # scored again on the brief its best candidates moved
            comps["similarity"] = self.ranker.content(pool)
            scores = self.ranker.combine(comps, len(pool))
        if pool.brief_vector is None:
            return materialise(self.catalog.rows, pool, self.ranker.shortlist(scores, depth),
                               scores, comps), None
        wide = rerank_depth(depth) if wide is None else wide
        idx = self.ranker.shortlist(scores, wide)
        rows, vectors = self.shortlist_reads(pool.vids[idx], pool)
        best = materialise(lambda _: rows, pool, idx, scores, comps)[:wide]
        if vectors is None:
            vectors = self.catalog.post_vectors([c.row.vid for c in best])
        return rescore(self.ranker, best, vectors, pool.brief_vector, pool.values_vector), vectors

    def shortlist_reads(self, vids: np.ndarray, pool: Pool
                        ) -> tuple[dict[int, CreatorRow], PostVectors | None]:
        """The rows of a shortlist, and its post vectors where reading them together saves a
        trip (None: read them for the best only, after). Re-scoring and explaining use the
        post vectors only through their dot products with the pool's brief and values vectors
        (and their sum)."""
        return self.catalog.rows(vids), None

    def content_vectors(self, vids: np.ndarray) -> np.ndarray:
        """The content vectors of vids as the vector index holds them, one row each, a NaN row
        for a vid it no longer holds."""
        raise NotImplementedError

    def explained_reads(self, vids: list[int], vectors: PostVectors | None, bodies: bool
                        ) -> tuple[dict[int, list[tuple[str | None, str, np.ndarray]]],
                                   dict[int, str]]:
        """What explaining the chosen needs: their texts with vectors, and (bodies) the stems
        their lexical index holds."""
        texts = self.catalog.texts_of(vids, vectors)
        return texts, dict(self.catalog.lexical.bodies(vids)) if bodies else {}

    def _check_filters(self, f: Filters) -> None:
        """Refuse a filter none of whose values the index knows: it could only empty the
        answer, and it is almost always a typo or another spelling (named, with the nearest
        known value)."""
        for t in f.tiers or []:
            if t not in self.tiers.names:
                raise InvalidInputError(f"filters.tiers: unknown tier {shown(t)}; this index has "
                                        f"{', '.join(self.tiers.names)}")
        asked_for = [(name, column) for name, column in VOCABULARY_FILTERS if getattr(f, name)]
        if not asked_for:
            return
        vocabularies = self.catalog.filters.vocabularies([c for _, c in asked_for])
        for name, column in asked_for:
            asked = getattr(f, name)
            known = vocabularies[column]
            # a language asked without a region takes in its regional variants (fr: fr-ca)
            found = (any(speaks(k, v) for v in asked for k in known) if column == "language"
                     else any(v in known for v in asked))
            if not found:
                guess = nearest(asked[0], known)
                hint = f" (did you mean {guess}?)" if guess else ""
                more = ", ..." if len(known) > 20 else ""
                raise InvalidInputError(
                    f"filters.{name}: no creator in this index has {column} "
                    f"{', '.join(shown(v) for v in asked[:5])}{hint}; it holds "
                    f"{', '.join(known[:20]) or 'none'}{more}")

    def why_empty(self, f: Filters) -> str:
        """Why a match came back empty, naming the filter(s) to widen: one that alone lets no
        creator through, or the combination when each passes some on its own."""
        if len(self) == 0:
            return "this index holds no creator yet: ingest some first"
        alone = {name: n for name, n in self.catalog.filters.counts_alone(f).items() if n >= 0}
        if not alone:
            return "no creator matches this brief"
        empty = [name for name, n in alone.items() if n == 0]
        if empty:
            return (f"no creator passes filters.{' nor filters.'.join(empty)} on its own in "
                    f"this index: widen {'it' if len(empty) == 1 else 'them'}")
        each = ", ".join(f"{name} {n}" for name, n in alone.items())
        return (f"each filter lets creators through on its own ({each}) but none passes them "
                "all together: widen or drop one")

    def plan(self, brief: Brief | dict[str, Any], budget: float, *, currency: str | None = None,
             mix: str | dict[str, float] | None = None, max_creators: int = 30,
             allow_flagged: bool = False, rate_card: str | Path | None = None,
             candidates: int = 200) -> dict[str, Any]:
        """A campaign plan for a budget (planner.py): which creators, in which tiers, their
        estimated costs and forecasts, beside the obvious alternatives."""
        from .planner import plan

        return plan(self, brief if isinstance(brief, Brief) else Brief.model_validate(brief),
                    budget, currency=currency, mix=mix, max_creators=max_creators,
                    allow_flagged=allow_flagged, rate_card=rate_card, candidates=candidates)
