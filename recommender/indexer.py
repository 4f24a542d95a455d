"""The write path: validated records -> signals -> embeddings (each text once, ever) -> one
catalog commit (with the engagement norms of the creators' peers measured again) -> the
vectors. Removal goes the same way."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from index.faults import crash_point

from .embedding import Embedder
from .errors import IngestRejected
from .hashtags import read, unborne
from .norms import Group, Norm
from .records import Parsed, RecordError, rejected_records
from .schema import Creator
from .signals import bio_coherence
from .signals import compute as compute_signals
from .storage.catalog import Catalog, StoredCreator, record_hash
from .storage.textcache import content_vector, text_hash
from .storage.vectors import VectorStore
from .tiers import TierScheme

ENCODE_CHUNK = 256  # texts per encoder call: large enough to keep the model busy


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    encoded_texts: int = 0
    cached_texts: int = 0
    errors: list[RecordError] = field(default_factory=list)
    seconds: float = 0.0
    # what the written creators' texts told that their records did not say
    languages_detected: int = 0  # creators without a language given one (signals)
    sponsored_by_caption: int = 0  # posts sponsored by their caption's disclosure alone
    posts_without_caption: int = 0  # kept for their counts, nothing of them embedded
    # fields and columns left out as not in the ingest format (--ignore-unknown): name ->
    # records or rows they were left out of
    ignored: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected, "encoded_texts": self.encoded_texts,
                "cached_texts": self.cached_texts, "seconds": round(self.seconds, 3),
                "languages_detected": self.languages_detected,
                "sponsored_by_caption": self.sponsored_by_caption,
                "posts_without_caption": self.posts_without_caption,
                "ignored_fields": dict(self.ignored),
                "errors": [e.to_dict() for e in self.errors]}


def creator_texts(c: Creator) -> list[tuple[str | None, str]]:
    """(post id, text) of everything embedded for a creator: the bio (post id None), then the
    posts that have a caption, each as it is read (hashtags.read: without the hashtags that
    no caption bears out, when they are most of many)."""
    out: list[tuple[str | None, str]] = []
    if c.bio and c.bio.strip():
        out.append((None, c.bio))
    unread = unborne([p.text for p in c.posts])
    for p in c.posts:
        if p.text and (text := read(p.text, unread)).strip():
            out.append((p.id, text))
    return out


class Indexer:
    def __init__(self, store: VectorStore, embedder: Embedder, tiers: TierScheme) -> None:
        self.store = store
        self.catalog = store.catalog
        self.embedder = embedder
        self.tiers = tiers

    def ingest(self, parsed: Parsed, *, strict: bool = False, progress: bool = False,
               known: dict[str, np.ndarray] | None = None) -> IngestReport:
        """Upsert the parsed records: unchanged ones are skipped, changed ones re-encoded
        for the texts never seen before, all in one commit.

        Encoding runs outside every lock: readers keep answering from the last commit, and
        another writer waits only while this one commits. Under the lock the records are
        compared again (another writer may have changed them meanwhile) and any text not yet
        encoded is encoded then. known: vectors by text hash encoded elsewhere (the actors of
        a distributed ingest), used as if cached."""
        t0 = time.perf_counter()
        report = IngestReport(rejected=rejected_records(parsed.errors),
                              errors=list(parsed.errors), ignored=dict(parsed.ignored))
        if strict and parsed.errors:
            raise IngestRejected(parsed.errors)
        self.store.require_writable()  # before any encoding
        hashes = {c.id: record_hash(c) for c in parsed.records}
        _, todo = self._changed(parsed.records, hashes)
        # stored as float16: round-trip now, as for a fresh vector
        vectors: dict[str, np.ndarray] = {
            h: np.asarray(v, np.float32).astype(np.float16).astype(np.float32)
            for h, v in (known or {}).items()}
        if todo:
            vectors = self._encode_missing([t for c in todo for _, t in creator_texts(c)],
                                           vectors, progress, report)
            crash_point("encoded")
        with self.store.writing():
            existing, todo = self._changed(parsed.records, hashes)
            report.unchanged = len(parsed.records) - len(todo)
            if todo:
                vectors = self._encode_missing([t for c in todo for _, t in creator_texts(c)],
                                               vectors, progress, report)
                written = self._commit([(c, hashes[c.id]) for c in todo], vectors)
                report.languages_detected = sum(
                    x.get("detected_language") is not None for x in written)
                report.sponsored_by_caption = sum(x.get("sponsored_disclosed", 0)
                                                  for x in written)
                report.posts_without_caption = sum(p.text is None for c in todo
                                                   for p in c.posts)
                report.updated = sum(c.id in existing for c in todo)
                report.added = len(todo) - report.updated
        report.seconds = time.perf_counter() - t0
        return report

    def _changed(self, records: list[Creator], hashes: dict[str, str]
                 ) -> tuple[dict[str, str], list[Creator]]:
        """(the stored record hashes of these ids, the records that differ from them)."""
        existing = self.catalog.record_hashes(list(hashes))
        return existing, [c for c in records if existing.get(c.id) != hashes[c.id]]

    def _encode_missing(self, texts: Iterable[str], known: dict[str, np.ndarray],
                        progress: bool, report: IngestReport) -> dict[str, np.ndarray]:
        """Every text's vector keyed by text hash: known ones, then the cache's, then the
        encoder's for the rest. No text is encoded twice."""
        by_hash: dict[str, str] = {}
        for t in texts:
            h = text_hash(t)
            if h not in known:
                by_hash.setdefault(h, t)
        cached = self.catalog.texts.get(by_hash)
        missing = [h for h in by_hash if h not in cached]
        report.cached_texts += len(cached)
        report.encoded_texts += len(missing)
        new: dict[str, np.ndarray] = {}
        with _progress(progress and bool(missing), len(missing)) as advance:
            for start in range(0, len(missing), ENCODE_CHUNK):
                chunk = missing[start:start + ENCODE_CHUNK]
                vecs = self.embedder.encode([by_hash[h] for h in chunk])
                # stored as float16: round-trip now so a cached and a fresh vector are identical
                new.update(zip(chunk, vecs.astype(np.float16).astype(np.float32), strict=True))
                advance(len(chunk))
        return {**known, **cached, **new}

    def _commit(self, todo: list[tuple[Creator, str]], vectors: dict[str, np.ndarray]
                ) -> list[dict[str, Any]]:
        """One catalog commit for every changed creator, then their vectors; their signals."""
        dim = next(iter(vectors.values())).shape[0]
        used: dict[str, np.ndarray] = {}
        stored = []
        norms = self.catalog.norms()  # under the writer lock: the ones this commit changes
        for c, h in todo:
            items = creator_texts(c)
            hashes = [text_hash(t) for _, t in items]
            used.update((x, vectors[x]) for x in hashes)
            vec = content_vector([vectors[x] for x in hashes])
            stored.append(StoredCreator(
                record=c.model_dump(mode="json"), record_hash=h,
                signals=compute_signals(c, self.tiers, _coherence(items, hashes, vectors),
                                        norms).to_dict(), vector=vec,
                texts=[(pid, x) for (pid, _), x in zip(items, hashes, strict=True)]))

        def change(catalog: Catalog, gen: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            catalog.texts.put(used)  # the new ones, and any another writer pruned meanwhile
            before = catalog.groups_of([str(s.record["id"]) for s in stored])  # updated ones
            vids = catalog.write(stored, gen)
            # the written creators' peers may now engage otherwise: their norms, when due; a
            # group that creators left (another platform or tier now) counts them too
            after = Counter((str(s.record["platform"]), str(s.signals["tier"])) for s in stored)
            catalog.renorm(self.tiers, gen, after + (before - after))
            catalog.texts.prune()
            return (np.array(vids, np.int64),
                    np.stack([s.vector for s in stored]).astype(np.float32),
                    np.zeros(0, np.int64))

        self.store.commit(change, dim)
        return [x.signals for x in stored]

    def adopt_norms(self, given: dict[Group, Norm]) -> int:
        """Engagement norms measured over every shard of a sharded index in place of this
        index's own, in one commit (storage/norms.adopt); returns how many creators that
        rewrote."""
        done = 0

        def change(catalog: Catalog, gen: int) -> tuple[np.ndarray, None, np.ndarray]:
            nonlocal done
            done = catalog.adopt_norms(given, self.tiers, gen)
            return np.zeros(0, np.int64), None, np.zeros(0, np.int64)

        if self.store.index is None:
            return 0
        with self.store.writing():
            self.store.commit(change, self.store.index.dim)
        return done

    def remove(self, ids: Sequence[str]) -> list[str]:
        """Delete creators from the catalog, the vectors and the embedding cache; returns those
        that existed."""
        removed: dict[str, int] = {}

        def change(catalog: Catalog, gen: int) -> tuple[np.ndarray, None, np.ndarray]:
            groups = catalog.groups_of(list(ids))  # read before the rows go
            removed.update(catalog.remove(list(ids), gen))
            if removed:
                catalog.renorm(self.tiers, gen, groups)
            return (np.zeros(0, np.int64), None,
                    np.array(list(removed.values()), dtype=np.int64))

        if self.store.index is None:
            return []
        with self.store.writing():
            self.store.commit(change, self.store.index.dim)
        return sorted(removed)


def _coherence(items: list[tuple[str | None, str]], hashes: list[str],
               vectors: dict[str, np.ndarray]) -> tuple[float, float] | None:
    """signals.bio_coherence of a creator's texts (the bio is the item without a post id)."""
    bio = [vectors[h] for (pid, _), h in zip(items, hashes, strict=True) if pid is None]
    posts = [vectors[h] for (pid, _), h in zip(items, hashes, strict=True) if pid is not None]
    if not bio or not posts:
        return None
    return bio_coherence(bio[0], np.stack(posts))


@contextmanager
def _progress(show: bool, total: int) -> Iterator[Callable[[int], None]]:
    """An encoding progress bar on stderr (rich), shown only on a terminal: a log or a pipe
    gets the ingest's summary line alone."""
    console = Console(stderr=True)
    if not (show and console.is_terminal):
        yield lambda n: None
        return
    columns = (TextColumn("encoding"), BarColumn(), MofNCompleteColumn(), TextColumn("texts"),
               TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("encoding", total=total)
        yield lambda n: bar.advance(task, n)
