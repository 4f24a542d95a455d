"""The evaluation set, its judging rules and `creator-match eval` (with the fake encoder)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks import build_evalset, datagen
from recommender.cli import main as cli_main
from recommender.evaluation import dataset as evalset
from recommender.evaluation import judging, metrics, systems, tuning

BRIEF = {"id": "b", "language": "en", "brief": "x", "objective": "ugc",
         "judging": {"niches": ["thrift_fashion"], "related": ["home_diy"],
                     "opposed": ["haul_fashion"], "term": "#secondhandseptember"}}


def rec(followers=500, language="en", posts=("a post",)):
    return {"id": "c", "followers": followers, "language": language,
            "posts": [{"id": f"p{i}", "text": t} for i, t in enumerate(posts)]}


def truth(niche="thrift_fashion", kind="genuine"):
    return {"id": "c", "niche": niche, "post_niche": niche, "kind": kind}


@pytest.mark.parametrize(("record", "t", "brief", "expected"), [
    # rule 2 + 3: on niche, preferred tier, used the term -> 3; without the term -> 2
    (rec(posts=("flip #SecondHandSeptember",)), truth(), BRIEF, 3),
    (rec(), truth(), BRIEF, 2),
    # rule 1: other language, unrelated or opposed niche -> 0
    (rec(language="fr", posts=("#secondhandseptember",)), truth(), BRIEF, 0),
    (rec(posts=("#secondhandseptember",)), truth("gaming"), BRIEF, 0),
    (rec(posts=("#secondhandseptember",)), truth("haul_fashion"), BRIEF, 0),
    # related niche: 1, or 2 with the term
    (rec(), truth("home_diy"), BRIEF, 1),
    (rec(posts=("#secondhandseptember",)), truth("home_diy"), BRIEF, 2),
    # rule 4: one tier away at most 2, two tiers away at most 1; no objective, no cap
    (rec(5_000, posts=("#secondhandseptember",)), truth(), BRIEF, 2),
    (rec(500_000, posts=("#secondhandseptember",)), truth(), BRIEF, 1),
    (rec(500_000, posts=("#secondhandseptember",)), truth(), {**BRIEF, "objective": None}, 3),
    # rule 5: inflated, saturated, stuffer at most 1
    (rec(posts=("#secondhandseptember",)), truth(kind="inflated"), BRIEF, 1),
    (rec(posts=("#secondhandseptember",)), truth(kind="saturated"), BRIEF, 1),
    (rec(posts=("#secondhandseptember",)), truth(kind="stuffer"), BRIEF, 1),
])
def test_judging_rules(record, t, brief, expected):
    assert judging.grade(brief, record, t) == expected


def test_packaged_set_is_the_rules_applied_to_the_generated_collection(tmp_path):
    """qrels.json, creators.jsonl and truth.jsonl are exactly what the generator and the
    written rules give: nobody edited a judgment by hand."""
    packaged = evalset.load()
    rebuilt = evalset.load(build_evalset.build(tmp_path / "set"))
    assert rebuilt.qrels == packaged.qrels
    assert rebuilt.creators.read_bytes() == packaged.creators.read_bytes()
    splits = {(b["split"], b["language"]) for b in packaged.briefs}
    assert splits == {("dev", "en"), ("dev", "fr"), ("test", "en"), ("test", "fr")}
    for b in packaged.briefs:  # every brief has creators worth finding
        assert sum(g >= 2 for g in packaged.qrels[b["id"]].values()) >= 10, b["id"]


def test_scorer_uses_trec_measures_on_our_order():
    es = evalset.load()
    briefs = es.split("test")[:2]
    scorer = metrics.Scorer(es, briefs)
    ideal = {b["id"]: sorted(es.qrels[b["id"]], key=lambda c: (-es.qrels[b["id"]][c], c))
             for b in briefs}
    worst = {q: list(reversed(ids)) for q, ids in ideal.items()}
    best = scorer.per_brief(ideal)
    assert all(m["ndcg@10"] == pytest.approx(1.0) and m["mrr"] == 1.0 for m in best.values())
    assert all(scorer.per_brief(worst)[q]["ndcg@10"] < 1.0 for q in ideal)
    empty = scorer.per_brief({q: [] for q in ideal})
    assert all(m["ndcg@10"] == 0.0 and m["tier_fit@10"] is None for m in empty.values())


def test_tuning_grid_is_few_explainable_knobs():
    grid = tuning.grid()
    assert len(grid) == 5 * 4 * 4 * 3 * 2
    assert all(abs(w.similarity + w.keywords - 1) < 1e-9 for w in grid)
    assert all(0 <= w.values <= 1 and 0 <= w.tier_fit <= 1 for w in grid)


def packaged_as_rebuilt(packaged_path, build, into, worth_finding: int) -> evalset.EvalSet:
    """A packaged set, checked to be what its builder writes again (creators and judgments),
    with an opposite stance for every brief and at least `worth_finding` creators graded 2+."""
    packaged = evalset.load(packaged_path)
    rebuilt = evalset.load(build(into))
    assert rebuilt.qrels == packaged.qrels
    assert rebuilt.creators.read_bytes() == packaged.creators.read_bytes()
    for b in packaged.briefs:
        assert b["judging"]["opposed"], b["id"]
        assert sum(g >= 2 for g in packaged.qrels[b["id"]].values()) >= worth_finding, b["id"]
    return packaged


def test_second_set_is_its_rules_applied_to_its_generator(tmp_path):
    """The 'stances' set: rebuilt from benchmarks/evalset2.py, identical to the packaged one;
    every brief has an opposite stance in its niche and creators worth finding."""
    from benchmarks import evalset2

    packaged = packaged_as_rebuilt(evalset.PACKAGED_STANCES, evalset2.build, tmp_path / "s2", 5)
    kinds = {t["kind"] for t in packaged.truth.values()}
    assert kinds == {"genuine", "inflated", "saturated", "stuffer"}


def test_third_set_is_its_rules_applied_to_written_captions(tmp_path):
    """The 'feeds' set: rebuilt from benchmarks/evalset3.py, identical to the packaged one; its
    captions are distinct (not phrase banks recombined), a creator's stance shows in a part of
    its posts only, and every brief has an opposite stance and creators worth finding."""
    from benchmarks import evalset3

    packaged = packaged_as_rebuilt(evalset.PACKAGED_FEEDS, evalset3.build, tmp_path / "s3", 4)
    assert {b["language"] for b in packaged.briefs} == {"en", "fr"}
    assert any("values" not in b for b in packaged.briefs)
    captions = [c for n in evalset3.NICHES.values() for s in n["stances"].values()
                for texts in s.values() for c in texts]
    assert len(captions) == len(set(captions)) > 300
    records = [json.loads(line) for line in packaged.creators.open(encoding="utf-8")]
    own = {c for n in evalset3.NICHES.values() for s in n["stances"].values()
           for texts in s.values() for c in texts}
    genuine = [r for r in records if packaged.truth[r["id"]]["kind"] == "genuine"]
    assert all(sum(p["text"].removesuffix(" #ad").removesuffix(" #sponsorisé") in own
                   for p in r["posts"]) < len(r["posts"]) for r in genuine)


def small_set(tmp_path):
    """A small generated set of our own with four of the packaged briefs, judged."""
    data = tmp_path / "set"
    data.mkdir()
    pairs = list(datagen.generate_with_truth(140, 3, 0.06, **build_evalset.OPTIONS))
    with open(data / "creators.jsonl", "w") as fc, open(data / "truth.jsonl", "w") as ft:
        for r, t in pairs:
            fc.write(json.dumps(r) + "\n")
            ft.write(json.dumps(t) + "\n")
    briefs = [b for b in evalset.load().briefs
              if b["id"] in ("en-zerowaste-ugc", "fr-haul-conversion", "en-thrift-conversion",
                             "fr-tech-engagement")]
    (data / "briefs.json").write_text(json.dumps(briefs))
    qrels = judging.qrels(briefs, [r for r, _ in pairs], {t["id"]: t for _, t in pairs})
    (data / "qrels.json").write_text(json.dumps(qrels))
    return data


def test_eval_command_end_to_end_with_the_fake_encoder(tmp_path, capsys):
    """A small set of our own, the fake encoder: every system, both splits, both languages,
    the markdown, JSON and PNG; --tune picks weights on dev."""
    data = small_set(tmp_path)
    out = tmp_path / "out"
    rc = cli_main(["eval", "--data", str(data), "--model", "hash-64", "--out", str(out),
                   "--tune", "--cv", "--index", str(tmp_path / "idx")])
    assert rc == 0
    printed = capsys.readouterr()
    assert "| creator-match |" in printed.out and "| random |" in printed.out
    assert "tuned on the dev briefs of set over 480 weight vectors" in printed.err
    assert "Cross-validation across niches" in printed.out
    [cv] = out.glob("eval-*-cv.json")
    assert len(json.loads(cv.read_text())["folds"]) == 4  # one niche family a brief here
    assert len(list(out.glob("eval-*.md"))) == 1
    [js] = [p for p in out.glob("eval-*.json") if not p.name.endswith("-cv.json")]
    assert list(out.glob("eval-*.png"))
    [result] = json.loads(js.read_text()).values()
    assert set(result["splits"]) == {"dev", "test"}
    for runs in result["splits"].values():
        assert set(runs) == set(systems.SYSTEMS)
        for groups in runs.values():
            assert set(groups) == {"all", "en", "fr"}
            for m in ("ndcg@10", "recall@50", "mrr", "tier_fit@10", "flagged@10", "traps@10",
                      "wrong_stance@10", "off_niche@10"):
                assert 0.0 <= groups["all"][m] <= 1.0
    assert result["meta"]["tuned"]["weights"] == result["meta"]["weights"]
    # the tuner's figure is matching's own: what the evaluation then prints for those weights
    assert result["meta"]["tuned"]["dev_ndcg@10"]["set"] == pytest.approx(
        result["splits"]["dev"]["creator-match"]["all"]["ndcg@10"], abs=1e-12)
    # --thin: the set again with half its creators, reported beside it
    assert cli_main(["eval", "--data", str(data), "--model", "hash-64", "--out",
                     str(tmp_path / "thin"), "--thin", "0.5"]) == 0
    printed = capsys.readouterr().out
    assert "set 'set'" in printed and "set 'set, 50% of its creators'" in printed
    assert "displaced in top 10" in printed
    # a small catalogue says how many slots no ranking can give to a creator of the niche
    assert "whatever the ranking, at least" in printed
    with pytest.raises(SystemExit) as bad:
        cli_main(["eval", "--data", str(data), "--model", "hash-64", "--thin", "2"])
    assert bad.value.code == 2 and "between 0 and 1" in capsys.readouterr().err
    # --as-written: the set again as planners and exports write it
    assert cli_main(["eval", "--data", str(data), "--model", "hash-64", "--out",
                     str(tmp_path / "written"), "--as-written"]) == 0
    assert "set 'set, as planners and exports write it'" in capsys.readouterr().out
    # --against: brief by brief against an earlier run, per set both scored
    assert cli_main(["eval", "--data", str(data), "--model", "hash-64", "--out",
                     str(tmp_path / "again"), "--weights", "tier_fit=0", "--thin", "0.5",
                     "--against", str(js)]) == 0
    printed = capsys.readouterr().out
    assert f"# Against {js}" in printed
    [again] = (tmp_path / "again").glob("eval-*.json")
    compared = json.loads(again.read_text())["against"]["sets"]
    assert set(compared) == {"set"}  # the thinned copy was not in the earlier run
    c = compared["set"]
    assert c["briefs"] == 4 and c["low"] <= c["difference"] <= c["high"]
    assert c["before"] == pytest.approx(np.mean(
        [v["creator-match"]["ndcg@10"] for v in result["per_brief"].values()]))
    for flag, bad, why in (
            ("--against", str(tmp_path / "nothing.json"), "No such file"),
            ("--against", str(data / "qrels.json"), "not the .json of a creator-match eval run"),
            ("--similarity-with", str(tmp_path / "no-model"), "--similarity-with "
             f"{tmp_path / 'no-model'}: could not load embedding model")):
        with pytest.raises(SystemExit) as exit_:
            cli_main(["eval", "--data", str(data), "--model", "hash-64", flag, bad,
                      "--out", str(tmp_path / "refused")])
        assert exit_.value.code == 2 and why in capsys.readouterr().err
        assert not (tmp_path / "refused").exists()  # refused before anything is indexed


def test_another_encoders_similarity_only_is_what_an_index_of_it_answers(tmp_path,
                                                                         monkeypatch):
    """--similarity-with E ranks the set as an index built with E ranks it for its own
    similarity only, and is reported beside the index's; by default the other packaged
    encoder, and none beside an index of an encoder of one's own."""
    from recommender.evaluation import runner
    from recommender.ingest import read_paths
    from recommender.multilingual import NAME as USE_M3
    from recommender.service import Recommender

    es = evalset.load(small_set(tmp_path))
    recs = {}
    for model in ("hash-64", "hash-32"):
        recs[model] = Recommender(tmp_path / model, model=model, create=True)
        recs[model].ingest([es.creators])
    others = runner.other_encoders("hash-32", recs["hash-64"].embedder.name)
    got = systems.run_systems(recs["hash-64"], es.briefs, others=others,
                              creators=read_paths([es.creators]).records)
    own = systems.run_systems(recs["hash-32"], es.briefs)
    assert got["similarity only (hash-32)"] == own["similarity only"]
    assert got["similarity only (hash-32)"] != got["similarity only"]
    names = list(got)
    assert names[names.index("similarity only") + 1] == "similarity only (hash-32)"
    result = runner.evaluate(recs["hash-64"], es, others=others)
    assert "similarity only (hash-32)" in result["splits"]["test"]
    for rec_ in recs.values():
        rec_.close()
    made: list[str] = []
    monkeypatch.setattr("recommender.embedding.make_embedder",
                        lambda spec: made.append(spec) or object())
    assert [o.label for o in runner.other_encoders(None, USE_M3)] == ["minilm"]
    assert runner.other_encoders(None, "hash-64") == [] and made == ["minilm"]
    assert runner.other_encoders("none", USE_M3) == []


def test_paired_differences_have_an_interval_that_holds_their_mean():
    before = {f"b{i}": 0.5 for i in range(20)}
    same = metrics.paired(before, dict(before))
    assert same["difference"] == same["low"] == same["high"] == 0.0
    assert same["better"] == same["worse"] == 0
    up = metrics.paired(before, dict.fromkeys(before, 0.6) | {"extra": 1.0})
    assert up["briefs"] == 20 and up["difference"] == pytest.approx(0.1)
    assert up["low"] == pytest.approx(0.1) and up["better"] == 20  # every brief alike
    mixed = metrics.paired(before, {b: 0.5 + (0.2 if i % 2 else -0.1)
                                    for i, b in enumerate(before)})
    assert mixed["difference"] == pytest.approx(0.05)
    assert mixed["low"] < mixed["difference"] < mixed["high"]
    assert (mixed["better"], mixed["worse"]) == (10, 10)
    assert metrics.paired(before, {b: 0.5 + (0.2 if i % 2 else -0.1)
                                   for i, b in enumerate(before)}) == mixed  # seeded
    with pytest.raises(ValueError, match="no brief scored in both"):
        metrics.paired(before, {"other": 1.0})


def test_eval_rejects_a_set_with_missing_files(tmp_path, capsys):
    (tmp_path / "briefs.json").write_text("[]")
    assert cli_main(["eval", "--data", str(tmp_path), "--model", "hash-16"]) == 2
    assert "creators.jsonl: missing" in capsys.readouterr().err


def test_cross_validation_scores_each_niche_with_weights_chosen_without_it():
    """A grid point that wins only on one niche is not chosen for it when it is held out; a
    set whose every brief is held out leaves the choice to the others."""
    from recommender.evaluation.tuning import cross_validate, grid

    n = len(grid())
    s1 = [{"id": "a1", "judging": {"niches": ["a"]}}, {"id": "b1", "judging": {"niches": ["b"]}}]
    s2 = [{"id": "c1", "judging": {"niches": ["c:x"]}},
          {"id": "c2", "judging": {"niches": ["c:y"]}}]
    m1, m2 = np.zeros((n, 2)), np.zeros((n, 2))
    m1[5, 0] = 1.0  # point 5: perfect on niche a only
    m1[7], m2[7] = 0.5, 0.5  # point 7: fair everywhere
    cv = cross_validate({"one": (s1, m1), "two": (s2, m2)})
    folds = {(f["set"], f["niche"]): f for f in cv["folds"]}
    assert set(folds) == {("one", "a"), ("one", "b"), ("two", "c")}
    assert folds["one", "a"]["held_out_ndcg@10"] == 0.5  # point 7, not the niche's own winner
    assert folds["one", "a"]["weights"] == tuning_weights(7)
    # niche c is set two's only niche: set one alone chooses (points 5 and 7 tie, 5 first)
    assert folds["two", "c"]["weights"] == tuning_weights(5)
    assert folds["two", "c"]["held_out_ndcg@10"] == 0.0
    assert cv["tuned_ndcg@10"] == {"one": 0.5, "two": 0.0}


def test_the_choice_is_made_on_what_matching_answers_not_the_quick_ranking():
    """The quick ranking of the grid orders it; its CHECKED best are answered by matching, and
    the choice (for --tune and each fold of --cv) is made on those answers: a point the quick
    ranking puts first but matching answers badly is not chosen, and the figures are
    matching's."""
    from recommender.evaluation.tuning import CHECKED, choose, cross_validate, grid

    n = len(grid())
    quick = {"one": np.linspace(0.5, 0.4, n), "two": np.linspace(0.5, 0.4, n)}  # 0 first
    real = {j: {"one": 0.9 - 0.01 * j, "two": 0.9 - 0.01 * j} for j in range(n)}
    real[0] = {"one": 0.2, "two": 0.95}  # first by the quick ranking, poor on set one
    tuned = choose(quick, lambda j: real[j])
    assert tuned["weights"] == tuning_weights(1)
    assert tuned["dev_ndcg@10"] == real[1] and tuned["quick_dev_ndcg@10"]["one"] < 0.5
    assert tuned["checked_by_matching"] == CHECKED
    assert choose(quick)["weights"] == tuning_weights(0)  # the quick ranking alone
    # a point matching would answer best, but outside the quick ranking's best, is not looked at
    real[CHECKED + 3] = {"one": 1.0, "two": 1.0}
    assert choose(quick, lambda j: real[j])["weights"] == tuning_weights(1)

    briefs = [{"id": "a1", "judging": {"niches": ["a"]}},
              {"id": "b1", "judging": {"niches": ["b"]}}]
    grid_scores = np.tile(np.linspace(0.5, 0.4, n)[:, None], (1, 2))
    answered = {j: {"one": np.array([0.9, 0.9]) - 0.01 * j} for j in range(n)}
    answered[0] = {"one": np.array([0.1, 0.1])}
    cv = cross_validate({"one": (briefs, grid_scores)}, lambda j: answered[j])
    assert [f["weights"] for f in cv["folds"]] == [tuning_weights(1)] * 2
    assert cv["tuned_ndcg@10"]["one"] == pytest.approx(0.89)
    assert cv["checked_by_matching"]


def test_the_hardest_set_does_not_choose_alone():
    """A point that gains a hair on the hardest set by losing much on another is not chosen:
    the choice is the least regret (the largest fall below a set's best), not the best lowest
    figure."""
    from recommender.evaluation.tuning import choose, grid, largest_regret

    n = len(grid())
    easy, hard = np.zeros(n), np.zeros(n)
    easy[3], hard[3] = 0.95, 0.70  # fine on both
    easy[4], hard[4] = 0.80, 0.71  # +0.01 on the hard set for -0.15 on the easy one
    assert np.min([easy, hard], axis=0).argmax() == 4  # what the lowest figure would choose
    assert largest_regret(np.stack([easy, hard]))[[3, 4]] == pytest.approx([0.01, 0.15])
    assert choose({"easy": easy, "hard": hard})["weights"] == tuning_weights(3)


def tuning_weights(i: int) -> dict:
    from dataclasses import asdict

    from recommender.evaluation.tuning import grid

    return asdict(grid()[i])


def test_a_slot_is_displaced_only_while_a_creator_of_the_niche_waits_outside(tmp_path):
    """'displaced in top 10': a slot of another niche or stance counts while a genuine creator
    of the brief's niche, in a language it accepts, was left out; a catalogue that has no more
    of them (a trap of the niche is not one) fills those slots with others through no fault of
    the ranker."""
    brief = {"id": "b", "language": "en", "brief": "x",
             "judging": {"niches": ["food:plant"], "opposed": ["food:meat"]}}
    people = {"on1": ("food:plant", "en", "genuine"), "on2": ("food:plant", "en", "genuine"),
              "fr1": ("food:plant", "fr", "genuine"), "opp": ("food:meat", "en", "genuine"),
              "off": ("tech", "en", "genuine"), "fake": ("food:plant", "en", "inflated")}
    with open(tmp_path / "creators.jsonl", "w") as fc, open(tmp_path / "truth.jsonl", "w") as ft:
        for cid, (niche, lang, kind) in people.items():
            fc.write(json.dumps({"id": cid, "followers": 500, "language": lang}) + "\n")
            ft.write(json.dumps({"id": cid, "post_niche": niche, "kind": kind}) + "\n")
    (tmp_path / "briefs.json").write_text(json.dumps([brief]))
    (tmp_path / "qrels.json").write_text(json.dumps({"b": {"on1": 3, "on2": 3}}))
    scorer = metrics.Scorer(evalset.load(tmp_path), [brief])

    def slots(top):
        return scorer.per_brief({"b": top})["b"]

    # on2 waits outside while two slots go to another stance and another niche: 1 displaced
    got = slots(["on1", "opp", "off"])
    assert (got["wrong_stance@10"], got["off_niche@10"], got["displaced@10"]) == (0.1, 0.1, 0.1)
    # every genuine English creator of the niche shown (the French one is not asked for, the
    # one with bought followers is a trap, rightly left out): none
    assert slots(["on1", "on2", "opp", "off"])["displaced@10"] == 0.0
    # two genuine English creators of the niche: whatever the order, 8 of the 10 slots hold
    # another niche, stance or a trap
    assert got["unavoidable@10"] == slots(["on1", "on2"])["unavoidable@10"] == 0.8


def test_a_set_as_written_wraps_the_briefs_adds_rejections_and_tags_bios(tmp_path):
    """Every brief inside a planner's request and followed by one thing a brief says besides
    its subject (the audience, the deliverables, a discount code, the brand's site), each
    stances brief's values ending with its
    rejection of the other stance and, for about half the briefs, written into the brief's
    text; about half the bios ending with a trade tag; the creators, the judgments and the
    truth otherwise the set's."""
    from recommender.query_text import values_in

    es = evalset.load(evalset.PACKAGED_STANCES)
    w = evalset.as_written(es, 0, tmp_path)
    assert w.path.name == "eval2-written" and w.qrels == es.qrels and w.truth == es.truth
    inline = 0
    for before, after in zip(es.briefs, w.briefs, strict=True):
        assert after["brief"] != before["brief"] and before["brief"].rstrip(" .") in after["brief"]
        said = [t for t in evalset._BESIDES[before["language"]] if t in after["brief"]]
        assert len(said) == 1  # what a brief says besides its subject: one of them
        values = f"{before['values']}, {before['rejects']}"
        if after["values"] is None:  # written into the brief, where a match finds it
            inline += 1
            assert after["brief"].endswith(f" {values}.")
            assert values in values_in(after["brief"])[1]
        else:
            assert after["values"] == values and values not in after["brief"]
        assert after["judging"] == before["judging"]
    assert 0.25 * len(es.briefs) < inline < 0.75 * len(es.briefs)
    old = [json.loads(line) for line in es.creators.read_text().splitlines()]
    new = [json.loads(line) for line in w.creators.read_text().splitlines()]
    tagged = sum(a["bio"] != b["bio"] for a, b in zip(old, new, strict=True))
    assert 0.35 * len(old) < tagged < 0.65 * len(old)
    assert all({**a, "bio": None} == {**b, "bio": None} and b["bio"].startswith(a["bio"])
               for a, b in zip(old, new, strict=True))
    assert evalset.as_written(es, 0, tmp_path / "again").briefs == w.briefs  # seeded


def test_a_thinned_set_keeps_a_seeded_share_and_its_judgments(tmp_path):
    es = evalset.load(evalset.PACKAGED_STANCES)
    a = evalset.thinned(es, 0.5, 1, tmp_path / "a")
    b = evalset.thinned(es, 0.5, 1, tmp_path / "b")
    ids = [json.loads(line)["id"] for line in a.creators.read_text().splitlines()]
    assert ids == [json.loads(line)["id"] for line in b.creators.read_text().splitlines()]
    assert 0.35 * len(es.truth) < len(ids) < 0.65 * len(es.truth)
    assert set(a.truth) == set(ids) and a.path.name == "eval2-thin50"
    for q, judged in a.qrels.items():
        assert set(judged) <= set(ids)
        assert judged == {c: g for c, g in es.qrels[q].items() if c in set(ids)}
    with pytest.raises(ValueError, match="between 0 and 1"):
        evalset.thinned(es, 1.0, 1, tmp_path / "c")
