"""Smoke test: the benchmark runs end to end at a tiny size (no timing is asserted)."""

import json

import pytest

from benchmarks import bench


def test_bench_smoke(tmp_path):
    result = bench.run(sizes=[600], queries=4, ingest_n=15, model="hash-64", http=True,
                       out_dir=tmp_path / "results", workdir=tmp_path / "work")
    r = result["sizes"][0]
    assert r["n"] == 600 and r["upsert_found"] is True
    assert 0.0 <= r["recall_at_20"] <= 1.0 and r["match_ms"]["p50"] > 0
    assert r["outside_filter"] == 0
    # the filtered briefs timed again with a values statement and without, both reported
    assert all(r["values"][k]["p50"] > 0
               for k in ("match_filtered_ms", "plain_match_filtered_ms"))
    assert "With a values statement" in bench.markdown(result)
    # every filtered look-up of the first loop (the warm-up's and 4 briefs') went through the
    # filter cache, and the loop again with it on and off is reported
    cache = r["filter_cache"]
    assert cache["hits"] + cache["misses"] == 5
    assert all(cache[k]["p50"] > 0 for k in ("match_filtered_ms", "uncached_match_filtered_ms"))
    assert "Filters kept between matches" in bench.markdown(result)
    assert r["baseline_ms"]["p50"] > 0 and r["http"]["match_ms"]["p99"] > 0
    assert result["ingest"]["warm"]["encoded"] == 0
    files = sorted(p.suffix for p in (tmp_path / "results").iterdir())
    assert files == [".json", ".md"]
    saved = json.loads(next((tmp_path / "results").glob("*.json")).read_text())
    assert saved["sizes"][0]["n"] == 600


def test_bench_refuses_bad_options_before_building_anything(tmp_path, capsys):
    """A malformed option exits 2 naming the option and the value, and nothing is written."""
    import pytest

    out = tmp_path / "results"
    for argv, says in ((["--sizes", "10k"], "argument --sizes: '10k' is not a whole number"),
                       (["--sizes", ","], "argument --sizes: no size given"),
                       (["--queries", "0"], "argument --queries: 0 is less than 1"),
                       (["--ingest", "-1"], "argument --ingest: -1 is less than 0")):
        with pytest.raises(SystemExit) as stop:
            bench.main([*argv, "--out", str(out)])
        assert stop.value.code == 2
        assert says in capsys.readouterr().err
    assert not out.exists()
    assert bench._sizes("10_000, 600") == [10_000, 600]


def test_habits_rewrite_each_brief_and_score_each_set(tmp_path, capsys):
    """benchmarks/habits.py: each habit writes its phrase in the brief's language, where it
    says; a run scores each set under each habit (a fake encoder; no figure is asserted)."""
    from benchmarks import habits
    from recommender.evaluation import dataset

    en = {"brief": "Resale app.", "values": "repair, second hand", "language": "en",
          "rejects": "no fast fashion"}
    fr = {**en, "brief": "Appli de revente", "values": "réparer, seconde main", "language": "fr"}
    h = habits.HABITS
    assert habits.rewrite(en, h["a discount code"])["brief"] == (
        "Resale app. Discount code GREEN20: 20% off the first order.")
    assert habits.rewrite(fr, h["a brand's name"])["brief"] == "Maison Lumière : Appli de revente"
    assert habits.rewrite(en, h["our values"]) == {
        **en, "brief": "Resale app. Our values: repair, second hand.", "values": None}
    assert habits.rewrite(en, h["the set's rejection"])["brief"] == "Resale app, no fast fashion"
    assert habits.rewrite(fr, h["no accents"])["values"] == "reparer, seconde main"
    assert habits.rewrite(en, h["as written"]) == en
    result = habits.run(["as written", "a discount code"], tmp_path, model="hash-64",
                        sets={"stances": dataset.PACKAGED_STANCES})
    for name in ("as written", "a discount code"):
        test = result[name]["stances"]["test"]
        assert 0.0 <= test["ndcg"] <= 1.0 and test["ndcg_en"] is not None
    assert "| a discount code |" in habits.report(result, ["stances"])
    import pytest

    with pytest.raises(SystemExit):
        habits.main(["--habits", "no such habit", "--out", str(tmp_path / "out")])
    assert "unknown habit(s) 'no such habit'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert all("," not in name for name in habits.HABITS)  # --habits splits on commas
    assert habits._names("as written, our values") == ["as written", "our values"]


def test_platforms_scale_one_platforms_counts_and_refuse_a_bad_scale(tmp_path):
    from benchmarks import platforms

    src = tmp_path / "c.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in [
        {"id": "a", "platform": "X", "posts": [{"likes": 100, "comments": 7, "shares": None}]},
        {"id": "b", "platform": "instagram", "posts": [{"likes": 100, "comments": 7}]},
    ]) + "\n")
    platforms.scaled(src, tmp_path / "out.jsonl", {"x": 0.1})
    a, b = (json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines())
    assert a["posts"] == [{"likes": 10, "comments": 1, "shares": None}]  # hidden stays hidden
    assert b["posts"] == [{"likes": 100, "comments": 7}]
    assert platforms._scale("x=0.1, YouTube=0.5") == {"x": 0.1, "youtube": 0.5}
    for bad in ("x", "x=a", "x=-1"):
        with pytest.raises(Exception, match="PLATFORM=FACTOR"):
            platforms._scale(bad)


def test_stuffing_adds_copies_that_stuff_a_briefs_words_judged_as_their_originals(tmp_path):
    from benchmarks import stuffing
    from recommender.evaluation import dataset
    from recommender.lexical import brief_words

    es = dataset.load(dataset.PACKAGED_FEEDS)
    out = stuffing.stuffed(es, tmp_path / "feeds", seed=7)
    added = [c for c in out.truth if c.startswith(stuffing.PREFIX)]
    assert len(added) == stuffing.STUFFERS * len(es.briefs)
    b = es.briefs[0]
    mine = [c for c in added if c.startswith(f"{stuffing.PREFIX}{b['id']}-")]
    records = {json.loads(line)["id"]: json.loads(line) for line in open(out.creators)}
    for cid in mine:
        source = out.truth[cid]["source"]
        assert out.truth[source]["kind"] == "genuine"
        assert records[cid]["language"] == b["language"]
        assert not out.qrels[b["id"]].get(cid)  # never relevant to the brief it stuffs
        for brief, rel in out.qrels.items():  # elsewhere, judged as its original
            if brief != b["id"]:
                assert rel.get(cid, 0) == rel.get(source, 0)
        said = set(brief_words(f"{b['brief']} {b.get('values') or ''}"))
        originals = [p.get("text") or "" for p in records[source]["posts"]]
        for post, original in zip(records[cid]["posts"], originals, strict=True):
            added = post["text"][len(original):].split()
            assert post["text"].startswith(original) and 0 < len(added) <= stuffing.HASHTAGS
            assert all(t[0] == "#" and t[1:] in said for t in added)


def test_genuine_hashtags_are_their_niches_and_generic_ones(tmp_path):
    from benchmarks import stuffing
    from recommender.evaluation import dataset
    from recommender.hashtags import hashtags

    es = dataset.load(dataset.PACKAGED)
    out = stuffing.tagged(es, tmp_path / "generator", seed=7)
    records = [json.loads(line) for line in open(out.creators)]
    assert len(records) == len(es.truth) and out.qrels == es.qrels
    niche = {}
    for r in map(json.loads, open(es.creators)):
        niche.setdefault(es.truth[r["id"]]["niche"], set()).update(
            h for p in r["posts"] for h in hashtags(p.get("text") or ""))
    for r in records[:50]:
        if es.truth[r["id"]]["kind"] != "genuine":
            continue
        for p in r["posts"]:
            tail = hashtags(p["text"])[-(stuffing.NICHE_TAGS + stuffing.GENERIC_TAGS):]
            assert sum(t in stuffing.GENERIC for t in tail) == stuffing.GENERIC_TAGS
            assert all(t in stuffing.GENERIC or t in niche[es.truth[r["id"]]["niche"]]
                       for t in tail)


def test_against_times_two_versions_in_turn_and_reports_their_ratio(tmp_path):
    """benchmarks/against.py: the benchmark's first loop for this checkout and a revision,
    each on its own index, the first of each round alternating; medians and ratios as the
    rounds give them (no time asserted: the figures are only read)."""
    import shutil
    import subprocess

    from benchmarks import against

    rounds = [{"first": "this", "this": {"p50": 12.0, "filtered_p50": 13.0},
               "other": {"p50": 10.0, "filtered_p50": 10.0}},
              {"first": "other", "this": {"p50": 11.0, "filtered_p50": 11.0},
               "other": {"p50": 11.0, "filtered_p50": 10.0}},
              {"first": "this", "this": {"p50": 9.0, "filtered_p50": 12.0},
               "other": {"p50": 10.0, "filtered_p50": 10.0}}]
    s = against.summary(rounds)
    assert s["this"] == {"p50": 11.0, "filtered_p50": 12.0}
    assert s["ratio"]["filtered_p50"] == {"median": 1.2, "min": 1.1, "max": 1.3}
    assert s["ratio"]["p50"]["median"] == 1.0
    if shutil.which("git") is None or subprocess.run(
            ["git", "-C", str(against.ROOT), "rev-parse", "HEAD"],
            capture_output=True).returncode:
        pytest.skip("not a git checkout: no revision to read")
    out = tmp_path / "results"
    assert against.main(["HEAD", "--size", "300", "--rounds", "2", "--queries", "2",
                         "--model", "hash-64", "--work", str(tmp_path / "w"),
                         "--out", str(out)]) == 0
    saved = json.loads(next(out.glob("against-*.json")).read_text())
    assert [r["first"] for r in saved["rounds"]] == ["this", "other"]
    assert all(r[side]["filtered_p50"] > 0 for r in saved["rounds"] for side in ("this", "other"))
    assert len(list((tmp_path / "w").glob("index-*"))) == 2  # each version its own index
    with pytest.raises(SystemExit, match="no revision"):
        against.main(["no-such-rev", "--size", "10", "--work", str(tmp_path / "w")])
