"""Micro-batching of briefs: concurrent callers encoded together, each given its own rows."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from conftest import DATA

from recommender.batching import QueryBatcher, brief_batcher
from recommender.embedding import HashEmbedder
from recommender.service import Recommender


class Gate:
    """An encoder whose first call blocks until opened: the callers that arrive meanwhile
    queue, deterministically, whatever the machine's speed."""

    def __init__(self) -> None:
        self.inner = HashEmbedder(32)
        self.open = threading.Event()
        self.calls: list[int] = []

    def __call__(self, texts):
        self.calls.append(len(texts))
        if len(self.calls) == 1:
            assert self.open.wait(60)
        return self.inner.encode(texts)


def queued(batcher: QueryBatcher, n: int) -> None:
    deadline = time.monotonic() + 60
    while len(batcher._queue) < n:
        assert time.monotonic() < deadline, "the callers never queued"
        time.sleep(0.001)


def run_all(batcher, texts_of):
    out, threads = {}, []
    for i, texts in enumerate(texts_of):
        def call(i=i, texts=texts):
            try:
                out[i] = batcher.encode(texts)
            except Exception as e:
                out[i] = e
        threads.append(threading.Thread(target=call))
        threads[-1].start()
    return out, threads


def test_callers_that_wait_are_encoded_in_one_batch_and_get_their_own_rows():
    gate = Gate()
    batcher = QueryBatcher(gate, window_s=0)
    texts_of = [[f"brief {i}"] + ([f"values {i}"] if i % 2 else []) for i in range(9)]
    out, threads = run_all(batcher, texts_of[:1])
    queued_until = time.monotonic() + 60
    while not gate.calls:  # the first caller is inside the encoder
        assert time.monotonic() < queued_until
        time.sleep(0.001)
    more, others = run_all(batcher, texts_of[1:])
    queued(batcher, 8)
    gate.open.set()
    for t in threads + others:
        t.join(60)
    got = {0: out[0], **{i + 1: v for i, v in more.items()}}
    for i, texts in enumerate(texts_of):
        assert np.array_equal(got[i], gate.inner.encode(texts))
    assert gate.calls == [1, sum(len(t) for t in texts_of[1:])]
    assert (batcher.batches, batcher.callers) == (2, 9)


def test_max_texts_splits_a_batch_and_a_large_request_still_passes():
    gate = Gate()
    batcher = QueryBatcher(gate, window_s=0, max_texts=4)
    _, threads = run_all(batcher, [["first"]])
    while not gate.calls:
        time.sleep(0.001)
    more, others = run_all(batcher, [["a", "b", "c"], ["d", "e"], ["f", "g", "h", "i", "j"]])
    queued(batcher, 3)
    gate.open.set()
    for t in threads + others:
        t.join(60)
    # never over 4 texts, but for the request of 5 alone; 3 + 2 + 5 need three batches
    assert all(c <= 4 or c == 5 for c in gate.calls) and sum(gate.calls) == 11
    assert len(gate.calls) == 4
    assert np.array_equal(more[2], gate.inner.encode(["f", "g", "h", "i", "j"]))


def test_an_encoder_error_reaches_every_caller_of_its_batch_and_the_next_batch_works():
    gate = Gate()
    calls = []

    def failing(texts):
        calls.append(texts)
        if len(calls) == 2:
            raise RuntimeError("model crashed")
        return gate(texts)

    batcher = QueryBatcher(failing, window_s=0)
    out, threads = run_all(batcher, [["first"]])
    while not gate.calls:
        time.sleep(0.001)
    more, others = run_all(batcher, [["x"], ["y"]])
    queued(batcher, 2)
    gate.open.set()
    for t in threads + others:
        t.join(60)
    assert isinstance(out[0], np.ndarray)
    assert all(isinstance(v, RuntimeError) and "crashed" in str(v) for v in more.values())
    assert np.array_equal(batcher.encode(["z"]), gate.inner.encode(["z"]))


def test_a_caller_alone_does_not_wait_for_the_window():
    batcher = QueryBatcher(HashEmbedder(16).encode, window_s=3600)
    for _ in range(3):  # alone, and after a batch of one: never the hour's window
        _, threads = run_all(batcher, [["alone"]])
        threads[0].join(60)
        assert not threads[0].is_alive()
    assert batcher.batches == 3


def test_bad_settings_are_refused(monkeypatch, tmp_path):
    with pytest.raises(ValueError):
        QueryBatcher(HashEmbedder(16).encode, window_s=-1)
    monkeypatch.setenv("CREATOR_MATCH_BATCH_WINDOW_MS", "soon")
    from recommender.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="CREATOR_MATCH_BATCH_WINDOW_MS"):
        Recommender(tmp_path / "i", create=True, embedder=HashEmbedder(16))
    # the shards' coordinator reads the setting through the same function: it was float()'s
    # "could not convert string to float" there
    with pytest.raises(InvalidInputError, match="CREATOR_MATCH_BATCH_WINDOW_MS: 'soon'"):
        brief_batcher(HashEmbedder(16).encode)
    monkeypatch.setenv("CREATOR_MATCH_BATCH_WINDOW_MS", "5")
    batcher = brief_batcher(HashEmbedder(16).encode)
    assert batcher is not None and batcher.window_s == 0.005
    assert brief_batcher(HashEmbedder(16).encode, -1) is None  # each brief alone


def test_matches_are_the_same_with_and_without_batching(tmp_path, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    briefs = [{"brief": b, "values": v, "k": 5} for b in ("solid shampoo", "trail running",
                                                         "vegan recipes", "indie games")
              for v in (None, "honest reviews")]
    answers = []
    for window in ("-1", "5"):
        monkeypatch.setenv("CREATOR_MATCH_BATCH_WINDOW_MS", window)
        with Recommender(tmp_path / f"i{window}", create=True, embedder=HashEmbedder(64)) as rec:
            rec.ingest([DATA / "creators.jsonl"])
            with ThreadPoolExecutor(8) as ex:
                answers.append([[m.creator_id for m in ms]
                                for ms in ex.map(rec.match, briefs * 3)])
            assert (rec.retriever.batcher is None) == (window == "-1")
    assert answers[0] == answers[1]
