"""`creator-match bench`: speed, memory and recall, each beside the baseline a planner would write.

The baseline: encode with sentence-transformers, numpy brute-force cosine over every creator, then
Python filtering and sorting. Both sides run in the same process run, on the same data and
queries, so the figures are ratios measured together. Nothing here asserts a time: it prints a
markdown table and writes JSON under benchmarks/results/.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from recommender.embedding import SentenceTransformerEmbedder, encode_queries, make_embedder
from recommender.schema import Brief
from recommender.storage.textcache import text_hash

from . import datagen

QUERY_TEXTS = [
    "launch of a plastic-free solid shampoo bar", "refillable skincare for sensitive skin",
    "second-hand clothing marketplace app", "vintage denim resale", "new marathon running shoe",
    "home workout equipment", "plant-based meal kit delivery", "budget vegan recipes",
    "night train travel pass", "sustainable hiking gear brand", "cozy indie farming game",
    "mechanical keyboard launch", "repairable smartphone", "cloth nappies subscription",
    "upcycled furniture paint", "index fund investing app", "dog training treats",
    "luxury eyeshadow palette", "fast fashion haul discount", "zero waste kitchen starter kit",
]
# values statements for the briefs timed with one, a few words as planners write them
VALUES_TEXTS = ["zero waste, honest reviews", "repair and buying less",
                "local, seasonal, small budget", "transparency, independent makers",
                "slow travel, fly less", "every body welcome, no pressure",
                "patience and low fees", "positive training, adoption"]
COUNTRIES = ["US", "GB", "CA", "AU", "IE", "FR", "BE", "CH"]
PLATFORMS = ["instagram", "tiktok", "youtube", "x", "pinterest", "twitch"]


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pct(xs: list[float]) -> dict[str, float]:
    a = np.array(xs) * 1e3
    return {"p50": round(float(np.percentile(a, 50)), 2),
            "p95": round(float(np.percentile(a, 95)), 2),
            "p99": round(float(np.percentile(a, 99)), 2)}


# -- ingest ----------------------------------------------------------------------------------


def bench_ingest(n: int, model: str | None, workdir: Path) -> dict:
    """creators/s and posts/s: baseline encode-everything vs creator-match cold and warm."""
    from recommender.service import Recommender

    src = datagen.write_jsonl(workdir / "ingest.jsonl", n, seed=11)
    with open(src, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    posts = sum(len(r["posts"]) for r in records)
    texts = [t for r in records for t in ([r["bio"]] + [p["text"] for p in r["posts"]])]
    base_emb = baseline_embedder(model)
    base_emb.encode(["warm up"])
    t0 = time.perf_counter()
    vecs = base_emb.encode(texts)  # the baseline: every text, duplicates and all
    _ = vecs.astype(np.float32)
    base = time.perf_counter() - t0

    del base_emb
    emb = make_embedder(model)
    emb.encode(["warm up"])
    idx = workdir / "ingest-index"
    rec = Recommender(idx, create=True, embedder=emb)
    t0 = time.perf_counter()
    report = rec.ingest([src])
    cold = time.perf_counter() - t0
    for r in records:  # every record changes, no text does: all "updated", nothing encoded
        r["followers"] += 1
    src2 = workdir / "ingest2.jsonl"
    src2.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    t0 = time.perf_counter()
    report2 = rec.ingest([src2])
    warm = time.perf_counter() - t0
    rec.close()
    unique = list(dict.fromkeys(texts))[:2000]
    precision = bench_precision(model, unique)
    return {
        "precision": precision,
        "encoders": {} if (model or "").startswith("hash") else bench_encoders(model, unique),
        "creators": n, "posts": posts, "texts": len(texts),
        "unique_texts_encoded": report.encoded_texts,
        "baseline": {"seconds": round(base, 2), "creators_per_s": round(n / base, 1),
                     "posts_per_s": round(posts / base, 1)},
        "cold": {"seconds": round(cold, 2), "creators_per_s": round(n / cold, 1),
                 "posts_per_s": round(posts / cold, 1)},
        "warm": {"seconds": round(warm, 2), "creators_per_s": round(n / warm, 1),
                 "posts_per_s": round(posts / warm, 1), "encoded": report2.encoded_texts,
                 "updated": report2.updated},
    }


def _sentence_transformers(model: str | None) -> bool:
    return isinstance(make_embedder(model), SentenceTransformerEmbedder)


def baseline_embedder(model: str | None):
    """What the planner's script uses: the same encoder through its plain Python API
    (sentence-transformers on PyTorch, fp32, for a sentence-transformers model)."""
    emb = make_embedder(model)
    if isinstance(emb, SentenceTransformerEmbedder):
        return SentenceTransformerEmbedder(emb.name, precision="fp32")
    return emb


def bench_encoders(model: str | None, texts: list[str]) -> dict:
    """The index's encoder beside the packaged all-MiniLM-L6-v2 (its default path) on the same
    texts: texts/s and one brief's encode time, p50."""
    out: dict[str, dict] = {}
    for label, spec in (("default", model), ("all-MiniLM-L6-v2", "minilm")):
        emb = make_embedder(spec)
        if label != "default" and emb.name == out.get("default", {}).get("name"):
            continue
        _, speed = encoder_speed(emb, texts)
        out[label] = {"name": emb.name, **speed}
    return out


def encoder_speed(emb, texts: list[str]) -> tuple[np.ndarray, dict]:
    """(the texts' vectors, {texts/s, one brief's encode time p50 in ms}), after a warm-up;
    briefs go through the embedder's own brief path."""
    emb.encode(texts[:32])
    t0 = time.perf_counter()
    vecs = emb.encode(texts)
    secs = time.perf_counter() - t0
    one = []
    for t in QUERY_TEXTS * 3:
        s = time.perf_counter()
        encode_queries(emb, [t])
        one.append(time.perf_counter() - s)
    return vecs, {"texts_per_s": round(len(texts) / secs, 1),
                  "query_ms_p50": round(float(np.median(one)) * 1e3, 2)}


def bench_precision(model: str | None, texts: list[str]) -> dict:
    """Encoder paths side by side: texts/s, one query's encode time, mean cosine to PyTorch
    fp32 and top-20 overlap of the nearest texts for the benchmark queries."""
    from recommender import onnx_backend
    from recommender.embedding import cpu_has_fast_bf16

    if not _sentence_transformers(model):
        return {}
    out: dict = {"cpu_fast_bf16": cpu_has_fast_bf16(), "texts": len(texts), "paths": {}}
    paths = ["fp32", "bf16"] + (["onnx", "int8"] if onnx_backend.available() else [])
    ref = ref_top = None
    for precision in paths:
        emb = SentenceTransformerEmbedder(make_embedder(model).name, precision=precision)
        vecs, speed = encoder_speed(emb, texts)
        top = np.argsort(-(emb.encode(QUERY_TEXTS) @ vecs.T), axis=1)[:, :20]
        if ref is None:
            ref, ref_top = vecs, top
        assert ref is not None and ref_top is not None
        cos = np.sum(ref * vecs, axis=1)
        r = {**speed, "mean_cosine": round(float(cos.mean()), 5),
             "min_cosine": round(float(cos.min()), 5),
             "top20_overlap": round(float(np.mean([len(set(a) & set(b)) / 20 for a, b in
                                                   zip(ref_top, top, strict=True)])), 4)}
        r["speedup"] = round(r["texts_per_s"] / out["paths"]["fp32"]["texts_per_s"], 2) \
            if out["paths"] else 1.0
        out["paths"][precision] = r
    default = SentenceTransformerEmbedder(make_embedder(model).name)
    default.encode(["settle auto"])
    out["auto"] = default.precision
    return out


# -- synthetic collections -------------------------------------------------------------------


def centers(model: str | None) -> np.ndarray:
    """Real content vectors (the bundled sample's creators) to scatter synthetic ones around."""
    emb = make_embedder(model)
    out = []
    for rec in datagen.generate(360, seed=7):
        v = emb.encode([rec["bio"]] + [p["text"] for p in rec["posts"]]).mean(axis=0)
        out.append(v / np.linalg.norm(v))
    return np.stack(out).astype(np.float32)


def synthetic_rows(n: int, c: np.ndarray, seed: int):
    """Creators with realistic metadata and vectors near real ones, in chunks."""
    from recommender.storage.catalog import StoredCreator
    from recommender.tiers import MISSION

    rng = np.random.default_rng(seed)
    niches = list(datagen.BANKS)
    text_vectors: dict[str, np.ndarray] = {}
    for start in range(0, n, 50_000):
        fresh: dict[str, np.ndarray] = {}
        m = min(50_000, n - start)
        which = rng.integers(0, len(c), m)
        noise = rng.normal(size=(m, c.shape[1])).astype(np.float32) * 0.035
        vecs = c[which] + noise
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        followers = np.exp(rng.normal(8.5, 2.0, m)).astype(np.int64).clip(50, 50_000_000)
        er = np.exp(rng.normal(np.log(0.035), 0.6, m))
        rows = []
        texts = random.Random(seed * 7919 + start)
        for i in range(m):
            tier = MISSION.tier_of(int(followers[i]))
            country = COUNTRIES[int(rng.integers(0, len(COUNTRIES)))]
            lang = "fr" if country in ("FR", "BE", "CH") else "en"
            cats = datagen.BANKS[niches[which[i] % len(niches)]]["categories"]
            sig = {"tier": tier.name, "engagement_rate": float(er[i]),
                   "view_engagement_rate": None, "sponsored_ratio": 0.1,
                   "comment_like_ratio": 0.04,
                   "engagement": float((er[i] / tier.expected_engagement) ** 2
                                       / (1 + (er[i] / tier.expected_engagement) ** 2)),
                   "authenticity": 1.0, "flags": []}
            cid = f"syn_{start + i:08d}"
            # phrase-bank texts of the creator's niche and language: the lexical index holds a
            # realistic vocabulary (the vectors stay synthetic; nothing is encoded)
            bank = datagen.BANKS[niches[which[i] % len(niches)]][lang]
            city = texts.choice(datagen.CITIES[lang])[0]
            bio = datagen.fill(texts.choice(bank["bio"]), bank, texts, city)
            posts = [datagen.fill(texts.choice(bank["post"]), bank, texts, city)
                     for _ in range(3)]
            platform = PLATFORMS[i % len(PLATFORMS)]
            # each text keeps one vector near its first creator's (matching re-scores the
            # shortlist from its posts' vectors: the benchmark reads them as a real index does)
            hashes = [text_hash(t) for t in [bio, *posts]]
            for h in hashes:
                if h not in text_vectors:
                    v = vecs[i] + np.asarray(rng.normal(size=c.shape[1]), np.float32) * 0.05
                    text_vectors[h] = v / np.linalg.norm(v)
                    fresh[h] = text_vectors[h]
            rows.append(StoredCreator(
                record={"id": cid, "handle": f"@{cid}", "platform": platform,
                        "followers": int(followers[i]), "country": country, "language": lang,
                        "categories": cats, "bio": bio,
                        "posts": [{"id": f"p{j}", "text": t} for j, t in enumerate(posts)]},
                record_hash=hashlib.sha256(cid.encode()).hexdigest(), signals=sig,
                vector=vecs[i],
                texts=[(None, hashes[0])] + [(f"p{j}", h) for j, h in enumerate(hashes[1:])]))
        yield rows, vecs, fresh


def build_synthetic(path: Path, n: int, model: str | None, c: np.ndarray) -> dict:
    """An index directory of n synthetic creators; returns build timings."""
    from recommender.service import Recommender
    from recommender.storage.catalog import Catalog
    from recommender.tiers import MISSION

    path.mkdir(parents=True, exist_ok=True)
    cat = Catalog(path / "catalog.sqlite")
    t0 = time.perf_counter()
    with cat.transaction() as gen:
        groups: Counter[tuple[str, str]] = Counter()
        for rows, _, text_vectors in synthetic_rows(n, c, seed=n):
            cat.texts.put(text_vectors)
            cat.write(rows, gen)
            groups.update((r.record["platform"], r.signals["tier"]) for r in rows)
        # as an ingest's commit ends: the engagement norms of the creators' peers, measured
        # (recommender/norms.py), so that an upsert finds them as in an ingested index
        cat.renorm(MISSION, gen, groups)
    cat.close()
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    rec = Recommender(path, create=True, model=model, recover=True)  # builds the vector index
    build = time.perf_counter() - t0
    rec.check(repair=True)  # writes the snapshot and manifest
    kind = rec.stats()["index_kind"]
    rec.close()
    return {"catalog_load_s": round(load, 1), "index_build_s": round(build, 1),
            "index_kind": kind}


# -- one collection: latency, recall, memory --------------------------------------------------


def baseline_matrix(path: Path) -> tuple[np.ndarray, list[dict]]:
    """What the planner's script holds: every vector as float32 and every creator as a dict."""
    import sqlite3

    from recommender.storage.database import from_blob

    db = sqlite3.connect(f"file:{path / 'catalog.sqlite'}?mode=ro", uri=True)
    rows = db.execute("SELECT id, tier, country, language, platform, followers, vector"
                      " FROM creators ORDER BY vid").fetchall()
    db.close()
    vecs = np.stack([from_blob(r[6]) for r in rows]).astype(np.float32)
    meta = [{"id": r[0], "tier": r[1], "country": r[2], "language": r[3], "platform": r[4],
             "followers": r[5]} for r in rows]
    return vecs, meta


def baseline_query(emb, vecs, meta, text: str, k: int, filt: dict | None) -> list[str]:
    q = emb.encode([text])[0]
    scores = vecs @ q
    if filt:
        cands = [(float(scores[i]), m["id"]) for i, m in enumerate(meta)
                 if m["country"] == filt["country"] and m["tier"] == filt["tier"]]
    else:
        cands = [(float(s), m["id"]) for s, m in zip(scores, meta, strict=True)]
    cands.sort(reverse=True)
    return [cid for _, cid in cands[:k]]


def as_filters(f: dict) -> dict:
    """A benchmark filter (one country, one tier) as a brief's filters."""
    return {"countries": [f["country"]], "tiers": [f["tier"]]}


def brief_of(text: str, f: dict | None = None, values: str | None = None) -> Brief:
    """A benchmark brief: k=20, with a benchmark filter and a values statement when given."""
    extra: dict[str, object] = {"filters": as_filters(f)} if f else {}
    if values:
        extra["values"] = values
    return Brief.model_validate({"brief": text, "k": 20, **extra})


@contextmanager
def briefs_by(emb, way: str | None):
    """Briefs encoded by way (None: the embedder's own path, "int8") meanwhile."""
    emb.query_precision = way
    try:
        yield
    finally:
        emb.query_precision = None


def query_int8_available(emb) -> bool:
    """Whether briefs can also be encoded by the int8 model beside this embedder's own path
    (a sentence-transformers model on a non-int8 path, with ONNX Runtime installed)."""
    from recommender import onnx_backend

    return (isinstance(emb, SentenceTransformerEmbedder) and emb.requested != "int8"
            and emb.query_precision is None and onnx_backend.available())


def measure(path: Path, n: int, model: str | None, queries: int, http: bool,
            baseline: bool) -> dict:
    from recommender.service import Recommender

    gc.collect()
    rss0 = rss_mb()
    t0 = time.perf_counter()
    rec = Recommender(path, create=True, model=model)
    open_s = time.perf_counter() - t0
    emb = rec.embedder
    emb.encode(["warm up"])
    rng = random.Random(1)
    texts = [rng.choice(QUERY_TEXTS) + f" {rng.choice(['', 'for spring', 'campaign'])}"
             for _ in range(queries)]
    filt = [{"country": rng.choice(COUNTRIES), "tier": rng.choice(["micro", "nano"])}
            for _ in range(queries)]
    rec.match(brief_of("warm up", {"country": "FR", "tier": "micro"}))
    rss1 = rss_mb()
    out: dict = {"n": n, "open_s": round(open_s, 2), "index_kind": rec.stats()["index_kind"]}

    lat, lat_f = [], []
    outside = 0  # filtered matches' creators of another tier than the filter's (checked untimed)
    for t, f in zip(texts, filt, strict=True):
        s = time.perf_counter()
        rec.match(brief_of(t))
        lat.append(time.perf_counter() - s)
        s = time.perf_counter()
        got = rec.match(brief_of(t, f))
        lat_f.append(time.perf_counter() - s)
        outside += sum(m.tier != f["tier"] for m in got)
    cache = rec.catalog.filters.cache
    out["filter_cache"] = {"hits": cache.hits, "misses": cache.misses}
    # then the same filtered briefs again, each with its filter's answer kept from an earlier
    # match (as above: the loop's filters repeat) and computed afresh (the cache off), in
    # alternating order so that neither is always the second to see a brief
    kept: dict[bool, list[float]] = {False: [], True: []}
    budget = cache.max_bytes
    for qi, (t, f) in enumerate(zip(texts, filt, strict=True)):
        for on in (True, False) if qi % 2 == 0 else (False, True):
            cache.max_bytes = budget if on else 0
            s = time.perf_counter()
            rec.match(brief_of(t, f))
            kept[on].append(time.perf_counter() - s)
    cache.max_bytes = budget
    out["filter_cache"].update({"match_filtered_ms": pct(kept[True]),
                                "uncached_match_filtered_ms": pct(kept[False])})
    # then the same filtered briefs again, each with a values statement (as most briefs are
    # written: a second text encoded, the values searched, the shortlist re-scored from its
    # posts) and without, in alternating order so that neither is always the second
    valued: dict[bool, list[float]] = {False: [], True: []}
    for qi, (t, f) in enumerate(zip(texts, filt, strict=True)):
        for with_values in (False, True) if qi % 2 == 0 else (True, False):
            brief = brief_of(t, f, VALUES_TEXTS[qi % len(VALUES_TEXTS)] if with_values else None)
            s = time.perf_counter()
            rec.match(brief)
            valued[with_values].append(time.perf_counter() - s)
    # then the same filtered briefs again, each by the default path and encoded by the int8
    # model (opt-in: CREATOR_MATCH_QUERY_PRECISION=int8), in alternating order so that neither
    # is always the second to see a brief; with the share of the default's matches int8 returns
    q8 = query_int8_available(emb)
    ab: dict = {None: [], "int8": []}
    overlap = []
    for qi, (t, f) in enumerate(zip(texts, filt, strict=True) if q8 else ()):
        brief = brief_of(t, f)
        answers: dict[str | None, list[str]] = {}
        for way in (None, "int8") if qi % 2 == 0 else ("int8", None):
            with briefs_by(emb, way):
                s = time.perf_counter()
                answers[way] = [m.creator_id for m in rec.match(brief)]
                ab[way].append(time.perf_counter() - s)
        if answers[None]:
            overlap.append(len(set(answers[None]) & set(answers["int8"])) / len(answers[None]))
    enc, enc_q8 = [], []
    for t in texts[:50]:
        s = time.perf_counter()
        encode_queries(emb, [t])
        enc.append(time.perf_counter() - s)
        if q8:
            with briefs_by(emb, "int8"):
                s = time.perf_counter()
                encode_queries(emb, [t])
                enc_q8.append(time.perf_counter() - s)
    out["match_ms"] = pct(lat)
    out["match_filtered_ms"] = pct(lat_f)
    out["query_encode_ms"] = pct(enc)
    out["values"] = {"match_filtered_ms": pct(valued[True]),
                     "plain_match_filtered_ms": pct(valued[False])}
    if q8:
        out["query_int8"] = {"match_filtered_ms": pct(ab["int8"]),
                             "default_match_filtered_ms": pct(ab[None]),
                             "query_encode_ms": pct(enc_q8),
                             "top20_overlap": round(float(np.mean(overlap)), 4)}

    # recall@20 of the index against exact search over the same vectors
    index = rec.store.index
    assert index is not None
    qv = encode_queries(emb, texts[:100])
    ids_all = index.ids()
    _, approx = index.search(qv, 20)
    exact_vecs = []
    for start in range(0, len(ids_all), 200_000):
        exact_vecs.append(rec.catalog.rows(ids_all[start:start + 200_000]))
    allvec = np.stack([r.vector for part in exact_vecs for r in part.values()])
    allids = np.array([r.vid for part in exact_vecs for r in part.values()])
    del exact_vecs
    scores = qv @ allvec.T
    exact = allids[np.argsort(-scores, axis=1)[:, :20]]
    out["recall_at_20"] = round(float(np.mean([len(set(a) & set(e)) / 20
                                               for a, e in zip(approx, exact, strict=True)])), 4)
    allowed = rec.catalog.filters.candidates(brief_of("x", filt[0]).filters)
    assert allowed is not None
    _, approx_f = index.search(qv, 20, allowed)
    mask = np.isin(allids, allowed)
    exact_f = allids[mask][np.argsort(-(qv @ allvec[mask].T), axis=1)[:, :20]]
    out["recall_at_20_filtered"] = round(float(np.mean(
        [len(set(a) & set(e)) / 20 for a, e in zip(approx_f, exact_f, strict=True)])), 4)
    # what a filter must never let through: ids the filtered search returned that it does not
    # allow, and the timed filtered matches' creators of another tier
    found = approx_f[approx_f >= 0]
    out["outside_filter"] = int((~np.isin(found, allowed)).sum()) + outside
    if q8:  # the int8 briefs' own vectors, approximate against exact
        with briefs_by(emb, "int8"):
            qv8 = encode_queries(emb, texts[:100])
        _, approx_8 = index.search(qv8, 20, allowed)
        exact_8 = allids[mask][np.argsort(-(qv8 @ allvec[mask].T), axis=1)[:, :20]]
        out["query_int8"]["recall_at_20_filtered"] = round(float(np.mean(
            [len(set(a) & set(e)) / 20 for a, e in zip(approx_8, exact_8, strict=True)])), 4)
    out["filter_selectivity"] = round(len(allowed) / n, 4)
    # matching scores candidates with the index's copy of their vectors (8-bit codes in IVF):
    # how far those cosines are from the catalog's vectors, over each query's 200 nearest
    pos = {int(v): i for i, v in enumerate(allids)}
    errs = []
    for qi, row in enumerate(index.search(qv[:50], 200)[1]):
        row = row[row >= 0]
        stored = index.reconstruct(row) @ qv[qi]
        errs.append(np.abs(stored - allvec[[pos[int(v)] for v in row]] @ qv[qi]))
    err = np.concatenate(errs)
    out["pool_cosine_error"] = {"mean": round(float(err.mean()), 5),
                                "max": round(float(err.max()), 5)}
    del allvec

    # memory
    snap = next(path.glob("vectors.*.faiss"))
    out["vector_bytes_per_creator"] = round(snap.stat().st_size / n, 1)
    out["rss_open_mb"] = round(rss1 - rss0, 1)

    # one upsert, timed until a match finds it: the first after opening, then four more
    times, visible = [], []
    for probe in range(5):
        rec_new = next(datagen.generate(1, seed=99 + probe))
        rec_new["id"] = f"bench_upsert_probe{probe}"
        rec_new["bio"] = f"violet lighthouse knitting {probe}"
        for post in rec_new["posts"]:
            post["text"] = f"violet lighthouse knitting, {post['id']} {probe}"
        s = time.perf_counter()
        rec.upsert([rec_new])
        hits = rec.match(Brief(brief=f"violet lighthouse knitting {probe}", k=5))
        times.append(round((time.perf_counter() - s) * 1e3, 1))
        visible.append(rec_new["id"] in [m.creator_id for m in hits])
    out["upsert_visible_ms"] = times[0]
    out["upsert_visible_next_ms"] = times[1:]
    out["upsert_found"] = all(visible)
    rec.remove([f"bench_upsert_probe{probe}" for probe in range(5)])

    if baseline:
        emb = baseline_embedder(model)
        emb.encode(["warm up"])
        vecs, meta = baseline_matrix(path)
        out["baseline_bytes_per_creator"] = vecs.nbytes // n
        bl, bl_f = [], []
        for t, f in list(zip(texts, filt, strict=True))[: max(10, queries // 5)]:
            s = time.perf_counter()
            baseline_query(emb, vecs, meta, t, 20, None)
            bl.append(time.perf_counter() - s)
            s = time.perf_counter()
            baseline_query(emb, vecs, meta, t, 20, f)
            bl_f.append(time.perf_counter() - s)
        out["baseline_ms"] = pct(bl)
        out["baseline_filtered_ms"] = pct(bl_f)
        out["speedup_p50"] = round(out["baseline_ms"]["p50"] / out["match_ms"]["p50"], 1)
        out["speedup_filtered_p50"] = round(out["baseline_filtered_ms"]["p50"]
                                            / out["match_filtered_ms"]["p50"], 1)
        del vecs, meta
    rec.close()
    if http:
        out["http"] = measure_http(path, model, texts[: min(queries, 100)], filt)
    return out


def measure_http(path: Path, model: str | None, texts: list[str], filt: list[dict]) -> dict:
    """The same briefs over HTTP against `creator-match serve` on 127.0.0.1."""
    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    key = "bench-" + os.urandom(8).hex()
    env = {**os.environ, "CREATOR_MATCH_API_KEYS": f"read:{key}"}
    script = Path(sys.executable).with_name("creator-match")
    cmd = [str(script), "serve", "--index", str(path), "--port", str(port)]
    if model:
        cmd += ["--model", model]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=tempfile.gettempdir())
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        headers = {"X-API-Key": key}
        with httpx.Client(base_url=url, headers=headers, timeout=60) as c:
            c.post("/v1/match", json={"brief": "warm up", "k": 20,
                                      "filters": {"countries": ["FR"], "tiers": ["micro"]}})
            lat, lat_f = [], []
            for t, f in zip(texts, filt, strict=False):
                s = time.perf_counter()
                c.post("/v1/match", json={"brief": t, "k": 20}).raise_for_status()
                lat.append(time.perf_counter() - s)
                s = time.perf_counter()
                c.post("/v1/match", json={"brief": t, "k": 20, "filters": as_filters(f)}
                       ).raise_for_status()
                lat_f.append(time.perf_counter() - s)
        return {"match_ms": pct(lat), "match_filtered_ms": pct(lat_f)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# -- report ----------------------------------------------------------------------------------


def markdown(result: dict) -> str:
    lines = [f"# creator-match benchmark ({result['machine']})", ""]
    ing = result.get("ingest")
    if ing:
        lines += ["## Ingest (real model)", "",
                  "| run | seconds | creators/s | posts/s |", "|---|---|---|---|"]
        for name in ("baseline", "cold", "warm"):
            r = ing[name]
            lines.append(f"| {name} | {r['seconds']} | {r['creators_per_s']} | "
                         f"{r['posts_per_s']} |")
        lines += ["", f"{ing['creators']} creators, {ing['posts']} posts, {ing['texts']} texts "
                  f"({ing['unique_texts_encoded']} unique, encoded once; the warm run "
                  f"re-scored {ing['warm']['updated']} changed records and encoded "
                  f"{ing['warm']['encoded']} texts).", ""]
        enc = ing.get("encoders")
        if enc:
            lines += ["Encoders on the same unique texts: " + "; ".join(
                f"{r['name']} {r['texts_per_s']} texts/s, {r['query_ms_p50']} ms"
                for r in enc.values()) + ".", ""]
        pr = ing.get("precision")
        if pr:
            lines += [f"Encoder paths on {pr['texts']} unique texts (CPU with native bf16: "
                      f"{pr['cpu_fast_bf16']}; `auto` chose {pr['auto']}):", "",
                      "| path | texts/s | × fp32 | one query p50 ms | mean cosine to fp32 (min) |"
                      " top-20 overlap |", "|---|---|---|---|---|---|"]
            for name, r in pr["paths"].items():
                lines.append(f"| {name} | {r['texts_per_s']} | {r['speedup']} | "
                             f"{r['query_ms_p50']} | {r['mean_cosine']} ({r['min_cosine']}) | "
                             f"{r['top20_overlap']} |")
            lines.append("")
    lines += ["## Match (k=20; query encoding included)", "",
              "| N | index | p50 / p95 / p99 ms | filtered p50 / p95 / p99 ms | baseline p50 ms |"
              " baseline filtered p50 ms | speed-up (p50, filtered) | recall@20 (filtered) |"
              " vector B/creator (baseline) | RSS MB | upsert visible ms | HTTP p50 / p99 ms |"
              " HTTP filtered p50 / p99 ms |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in result["sizes"]:
        m, f = r["match_ms"], r["match_filtered_ms"]
        h = r.get("http", {})
        hm, hf = h.get("match_ms", {}), h.get("match_filtered_ms", {})
        lines.append(
            f"| {r['n']:,} | {r['index_kind']} | {m['p50']} / {m['p95']} / {m['p99']} | "
            f"{f['p50']} / {f['p95']} / {f['p99']} | {r.get('baseline_ms', {}).get('p50', '-')} |"
            f" {r.get('baseline_filtered_ms', {}).get('p50', '-')} | "
            f"{r.get('speedup_p50', '-')}× / {r.get('speedup_filtered_p50', '-')}× | "
            f"{r['recall_at_20']} ({r['recall_at_20_filtered']}) | "
            f"{r['vector_bytes_per_creator']} ({r.get('baseline_bytes_per_creator', '-')}) | "
            f"{r['rss_open_mb']} | {r['upsert_visible_ms']} | "
            f"{hm.get('p50', '-')} / {hm.get('p99', '-')} | {hf.get('p50', '-')} / "
            f"{hf.get('p99', '-')} |")
    lines += ["", "Cosine error of the index's vectors against the catalog's, over each query's "
              "200 nearest (mean / max): " + ", ".join(
                  f"{r['n']:,}: {r['pool_cosine_error']['mean']} / "
                  f"{r['pool_cosine_error']['max']}" for r in result["sizes"]
                  if "pool_cosine_error" in r)]
    lines += ["Results outside their filter (filtered search ids and filtered matches' tiers; "
              "must be 0): " + ", ".join(f"{r['n']:,}: {r['outside_filter']}"
                                         for r in result["sizes"] if "outside_filter" in r)]
    lines += ["Filters kept between matches (the loop's filters repeat: hits / misses of the "
              "filter cache; then the filtered briefs again, the cache on and off alternating, "
              "p50 / p95 ms, on against off): " + ", ".join(
                  f"{r['n']:,}: {c['hits']} / {c['misses']}; {c['match_filtered_ms']['p50']} / "
                  f"{c['match_filtered_ms']['p95']} against "
                  f"{c['uncached_match_filtered_ms']['p50']} / "
                  f"{c['uncached_match_filtered_ms']['p95']}"
                  for r in result["sizes"] if (c := r.get("filter_cache")))]
    lines += ["With a values statement (the filtered briefs again, each with one and without, "
              "alternating; p50 / p95 / p99 ms, with against without): " + ", ".join(
                  f"{r['n']:,}: {v['match_filtered_ms']['p50']} / {v['match_filtered_ms']['p95']}"
                  f" / {v['match_filtered_ms']['p99']} against "
                  f"{v['plain_match_filtered_ms']['p50']} / {v['plain_match_filtered_ms']['p95']}"
                  f" / {v['plain_match_filtered_ms']['p99']} "
                  f"({v['match_filtered_ms']['p50'] / v['plain_match_filtered_ms']['p50']:.2f}×)"
                  for r in result["sizes"] if (v := r.get("values")))]
    lines += ["One upsert visible (ms), the first after opening, then four more: " + ", ".join(
        f"{r['n']:,}: {r['upsert_visible_ms']}, then {r.get('upsert_visible_next_ms', [])}"
        for r in result["sizes"])]
    q8 = [r for r in result["sizes"] if "query_int8" in r]
    if q8:
        lines += ["", "Opt-in int8 brief encoding (`CREATOR_MATCH_QUERY_PRECISION=int8`; the "
                  "creators' vectors unchanged): the filtered briefs above run again, by each "
                  "path in alternating order:", "",
                  "| N | int8 briefs filtered p50 / p95 / p99 ms | default, same loop |"
                  " query encoding p50 ms (default) | recall@20 filtered | top-20 overlap with"
                  " the default's matches |", "|---|---|---|---|---|---|"]
        for r in q8:
            g = r["query_int8"]
            m, f = g["match_filtered_ms"], g["default_match_filtered_ms"]
            lines.append(f"| {r['n']:,} | {m['p50']} / {m['p95']} / {m['p99']} | {f['p50']} / "
                         f"{f['p95']} / {f['p99']} | {g['query_encode_ms']['p50']} "
                         f"({r['query_encode_ms']['p50']}) | {g['recall_at_20_filtered']} | "
                         f"{g['top20_overlap']} |")
        lines.append("")
    lines += ["Query encoding alone (p50 ms): " + ", ".join(
        f"{r['n']:,}: {r['query_encode_ms']['p50']}" for r in result["sizes"]),
        "Build (s): " + ", ".join(f"{r['n']:,}: catalog {r['build']['catalog_load_s']}, "
                                   f"index {r['build']['index_build_s']}"
                                   for r in result["sizes"]), ""]
    return "\n".join(lines)


def run(sizes: list[int], queries: int, ingest_n: int, model: str | None, http: bool,
        out_dir: Path, workdir: Path | None = None, keep: bool = False) -> dict:
    work = Path(workdir or tempfile.mkdtemp(prefix="cm-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    result: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                               f"{platform.python_version()}",
                    "model": make_embedder(model).name, "queries": queries, "sizes": []}
    try:
        if ingest_n:
            print(f"ingest: {ingest_n} creators", file=sys.stderr, flush=True)
            result["ingest"] = bench_ingest(ingest_n, model, work)
        c = centers(model)
        for n in sizes:
            print(f"N={n:,}: building", file=sys.stderr, flush=True)
            path = work / f"n{n}"
            build = build_synthetic(path, n, model, c)
            print(f"N={n:,}: measuring", file=sys.stderr, flush=True)
            r = measure(path, n, model, queries, http, baseline=True)
            r["build"] = build
            result["sizes"].append(r)
            if not keep:
                shutil.rmtree(path, ignore_errors=True)
    finally:
        if not keep and workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (out_dir / f"bench-{stamp}.json").write_text(json.dumps(result, indent=2))
    md = markdown(result)
    (out_dir / f"bench-{stamp}.md").write_text(md)
    print(md)
    return result


def _count(text: str, least: int = 1) -> int:
    """A whole number >= least, for the options below (argparse prints the error and exits 2)."""
    import argparse

    try:
        n = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < least:
        raise argparse.ArgumentTypeError(f"{n} is less than {least}")
    return n


def _sizes(text: str) -> list[int]:
    import argparse

    sizes = [_count(s.strip()) for s in text.split(",") if s.strip()]
    if not sizes:
        raise argparse.ArgumentTypeError("no size given")
    return sizes


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="creator-match bench", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default=[10_000, 100_000, 1_000_000], type=_sizes,
                   help="collection sizes, comma separated (e.g. 10000,100000)")
    p.add_argument("--queries", type=_count, default=200)
    p.add_argument("--ingest", type=lambda t: _count(t, least=0), default=2000,
                   help="creators for the ingest run (0: skip)")
    p.add_argument("--model", default=None)
    p.add_argument("--no-http", action="store_true")
    p.add_argument("--out", default="benchmarks/results", type=Path)
    args = p.parse_args(argv)
    run(args.sizes, args.queries, args.ingest, args.model, not args.no_http, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
