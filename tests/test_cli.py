"""The command line, in-process, with the fast fake encoder (CREATOR_MATCH_MODEL=hash-64)."""

import json
import subprocess
import sys

import pytest
from conftest import creator, write_jsonl

from recommender.cli import main


def test_ingest_match_similar_remove(cli, tmp_path):
    f = write_jsonl(tmp_path / "c.jsonl", [creator("a", "zero waste shampoo"),
                                           creator("b", "fps gaming", followers=300_000)])
    code, out, _ = cli("ingest", f, "--index", tmp_path / "idx", "--quiet")
    assert code == 0 and "added 2, updated 0, unchanged 0, rejected 0" in out
    code, out, _ = cli("match", "--index", tmp_path / "idx", "--brief", "zero waste shampoo",
                       "--objective", "ugc", "--json")
    body = json.loads(out)
    assert code == 0 and [m["creator_id"] for m in body["matches"]] == ["a", "b"]
    assert {"score", "components", "evidence", "flags", "tier"} <= set(body["matches"][0])
    code, out, _ = cli("match", "--index", tmp_path / "idx", "--brief", "x", "--tier", "macro",
                       "--platform", "instagram", "--min-followers", "1000", "--k", "5")
    assert code == 0 and "@b" in out and "@a" not in out
    code, out, _ = cli("similar", "a", "--index", tmp_path / "idx", "--json")
    assert [m["creator_id"] for m in json.loads(out)["matches"]] == ["b"]
    code, out, _ = cli("remove", "a", "zz", "--index", tmp_path / "idx")
    assert code == 1 and "removed 1; not found: zz" in out
    code, out, _ = cli("stats", "--index", tmp_path / "idx")
    assert json.loads(out)["creators"] == 1
    code, out, _ = cli("check", "--index", tmp_path / "idx")
    assert code == 0 and out.startswith("ok: 1 creators")


def test_brief_file_and_bad_briefs(cli, tmp_path):
    cli("ingest", write_jsonl(tmp_path / "c.jsonl", [creator("a")]), "--index", tmp_path / "i")
    bf = tmp_path / "brief.json"
    bf.write_text(json.dumps({"brief": "shampoo", "objective": "ugc",
                              "filters": {"countries": ["FR"], "exclude_ids": ["a"]}}))
    code, out, _ = cli("match", "--index", tmp_path / "i", "--brief-file", bf, "--json")
    assert code == 0 and json.loads(out) == {"matches": []}
    bf.write_text(json.dumps({"brief": "shampoo", "objective": "fame", "k": 0}))
    code, _, err = cli("match", "--index", tmp_path / "i", "--brief-file", bf)
    assert code == 2 and "objective" in err and "k:" in err
    code, _, err = cli("match", "--index", tmp_path / "i", "--brief", "x", "--tier", "mega")
    assert code == 2 and "unknown tier 'mega'" in err
    code, _, err = cli("match", "--index", tmp_path / "nothing", "--brief", "x")
    assert code == 2 and "no index at" in err


def test_a_brief_file_with_null_fields_is_a_brief_without_them(cli, tmp_path):
    """Tools write a field left empty as null: no filters, no objective, no values."""
    cli("ingest", write_jsonl(tmp_path / "c.jsonl", [creator("a")]), "--index", tmp_path / "i")
    bf = tmp_path / "brief.json"
    bf.write_text(json.dumps({"brief": "shampoo", "values": None, "objective": None,
                              "k": None, "filters": None}))
    code, out, err = cli("match", "--index", tmp_path / "i", "--brief-file", bf, "--json")
    assert code == 0, err
    assert [m["creator_id"] for m in json.loads(out)["matches"]] == ["a"]


def test_ingest_can_leave_out_an_exports_extra_fields(cli, tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [creator("a", full_name="Ann")])
    code, _, err = cli("ingest", path, "--index", tmp_path / "i")
    assert code == 1 and "full_name: not a field of the ingest format" in err
    code, out, _ = cli("ingest", path, "--index", tmp_path / "i", "--ignore-unknown")
    assert code == 0 and "added 1" in out
    assert "left out, not in the ingest format: full_name (1 record)" in out


def test_a_misspelt_field_of_a_brief_names_the_one_meant(cli, tmp_path):
    cli("ingest", write_jsonl(tmp_path / "c.jsonl", [creator("a")]), "--index", tmp_path / "i")
    bf = tmp_path / "brief.json"
    bf.write_text(json.dumps({"brief": "shampoo", "valeus": "repair",
                              "filters": {"languge": ["fr"], "zzz": 1}}))
    code, _, err = cli("match", "--index", tmp_path / "i", "--brief-file", bf)
    assert code == 2
    assert f"{bf}: valeus: not a field of a brief (did you mean values?)" in err
    assert "filters.languge: not a field of a brief (did you mean languages?)" in err
    assert "filters.zzz: not a field of a brief (its fields: tiers, countries," in err


def test_a_brief_file_may_carry_its_name_as_the_example_briefs_do(cli, tmp_path):
    """Each of the bundled example briefs (recommender/data/briefs.json), saved as a file of its
    own, is a brief --brief-file reads: its "name" is the planner's label, and the same brief
    without it answers the same creators."""
    from recommender.cli import DATA

    cli("ingest", DATA / "creators.jsonl", "--index", tmp_path / "i")
    examples = json.loads((DATA / "briefs.json").read_text(encoding="utf-8"))
    assert all("name" in b for b in examples)
    for n, b in enumerate(examples):
        named, bare = tmp_path / f"named{n}.json", tmp_path / f"bare{n}.json"
        named.write_text(json.dumps(b), "utf-8")
        bare.write_text(json.dumps({k: v for k, v in b.items() if k != "name"}), "utf-8")
        answers = []
        for f in (named, bare):
            code, out, err = cli("match", "--index", tmp_path / "i", "--brief-file", f, "--json")
            assert code == 0, err
            answers.append([m["creator_id"] for m in json.loads(out)["matches"]])
        assert answers[0] == answers[1]
    long = tmp_path / "long.json"
    long.write_text(json.dumps({"brief": "shampoo", "name": "x" * 201}))
    code, _, err = cli("match", "--index", tmp_path / "i", "--brief-file", long)
    assert code == 2 and "name" in err


def test_bad_file_reports_lines_and_keeps_index(cli, tmp_path):
    idx = tmp_path / "idx"
    cli("ingest", write_jsonl(tmp_path / "ok.jsonl", [creator("a")]), "--index", idx)
    before = (idx / "manifest.json").read_text()
    bad = write_jsonl(tmp_path / "bad.jsonl", [creator("b"), "{", creator("c", followers=-1)])
    code, _, err = cli("ingest", bad, "--index", idx, "--strict")
    assert code == 2 and f"{bad}:2" in err and f"{bad}:3 (id c): followers" in err
    assert "nothing was written" in err
    assert (idx / "manifest.json").read_text() == before
    code, out, err = cli("ingest", bad, "--index", idx)
    assert code == 1 and "added 1" in out and "rejected 2" in out and f"{bad}:2" in err


def test_model_mismatch_exit_code(cli, tmp_path):
    cli("ingest", write_jsonl(tmp_path / "c.jsonl", [creator("a")]), "--index", tmp_path / "i")
    code, _, err = cli("match", "--index", tmp_path / "i", "--brief", "x", "--model", "hash-32")
    assert code == 3 and "hash-64" in err and "hash-32" in err


def test_help_is_instant_and_light():
    """--help must not import torch, faiss or sentence-transformers."""
    code = ("import sys; from recommender.cli import build_parser; build_parser(); "
            "import recommender; "
            "bad = [m for m in ('torch', 'faiss', 'sentence_transformers') if m in sys.modules]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture
def planner_index(cli, tmp_path):
    f = write_jsonl(tmp_path / "c.jsonl", [
        creator("lea", "zero waste shampoo", categories=["beauty"]),
        creator("sam", "fps gaming", followers=300_000, country="US", language="en",
                categories=["gaming"])])
    assert cli("ingest", f, "--index", tmp_path / "idx", "--quiet")[0] == 0
    return tmp_path / "idx"


@pytest.mark.parametrize("args, says", [
    (["--country", "Frnace"], "no creator in this index has country 'FRNACE'"),
    (["--country", "DE"], "no creator in this index has country 'DE'; it holds FR, US"),
    (["--language", "frnch"], "has language 'frnch' (did you mean fr?)"),
    (["--category", "gamng"], "has category 'gamng' (did you mean gaming?)"),
    (["--min-engagement", "2"], "rates are fractions; did you mean 2%"),
])
def test_a_filter_value_the_index_does_not_know_is_named(cli, planner_index, capsys, args,
                                                        says):
    """Before: each of these printed 'no creator matches this brief and its filters', exit 0."""
    try:
        code, out, err = cli("match", "--index", planner_index, "--brief", "shampoo", *args)
    except SystemExit as stop:  # argparse refuses the option's value itself
        code, (out, err) = stop.code, capsys.readouterr()
    assert code == 2 and says in err, err
    assert "no creator matches" not in out


def test_forms_people_type_and_the_filter_that_emptied_an_answer(cli, planner_index):
    code, out, _ = cli("match", "--index", planner_index, "--brief", "shampoo",
                       "--min-engagement", "2%", "--json")
    rates = [m["engagement_rate"] for m in json.loads(out)["matches"]]
    assert code == 0 and rates and min(rates) >= 0.02  # 2% is 0.02
    code, _, err = cli("match", "--index", planner_index, "--brief", "shampoo",
                       "--min-followers", "10000000", "--country", "FR")
    assert code == 0 and "no creator passes filters.min_followers on its own" in err
    assert "countries" not in err
    code, out, err = cli("match", "--index", planner_index, "--brief", "shampoo",
                         "--country", "US", "--language", "fr")
    assert code == 0 and "no creator matches" in out
    assert "(countries 1, languages 1) but none passes them all together" in err


@pytest.mark.parametrize("args", [["--country", "France"], ["--country", "fra"],
                                  ["--language", "French"], ["--language", "FR"],
                                  ["--language", "fre"],
                                  ["--language", "français"]])
def test_country_and_language_names_and_codes_are_understood(cli, planner_index, args):
    """Before: --country France and --language french returned nothing, exit 0."""
    code, out, err = cli("match", "--index", planner_index, "--brief", "shampoo", "--json",
                         *args)
    found = json.loads(out)["matches"]
    assert code == 0 and [m["creator_id"] for m in found] == ["lea"], err
    assert found[0]["country"] == "FR" and found[0]["language"] == "fr"


def test_the_index_may_come_from_the_environment(cli, planner_index, monkeypatch):
    monkeypatch.setenv("CREATOR_MATCH_INDEX", str(planner_index))
    code, out, err = cli("match", "--brief", "shampoo", "--json")
    assert code == 0 and json.loads(out)["matches"], err


def test_matches_carry_country_language_and_categories(cli, planner_index):
    code, out, _ = cli("match", "--index", planner_index, "--brief", "fps gaming", "--json",
                       "--k", "1")
    assert code == 0
    m = json.loads(out)["matches"][0]
    assert (m["creator_id"], m["country"], m["language"], m["categories"]) == \
        ("sam", "US", "en", ["gaming"])


def test_similar_says_its_own_default(cli, capsys):
    with pytest.raises(SystemExit):
        main(["similar", "--help"])
    assert "default 10" in capsys.readouterr().out


def test_a_handle_works_wherever_an_id_does(cli, planner_index, tmp_path):
    """Before: 'no creator with id '@lea'' and an --exclude of a handle silently ignored."""
    code, out, _ = cli("similar", "@lea", "--index", planner_index, "--json")
    assert code == 0 and [m["creator_id"] for m in json.loads(out)["matches"]] == ["sam"]
    code, out, err = cli("match", "--index", planner_index, "--brief", "shampoo", "--json",
                         "--exclude", "@lea,nobody")
    assert code == 0 and "lea" not in [m["creator_id"] for m in json.loads(out)["matches"]]
    assert "no creator with id or handle nobody" in err
    twin = write_jsonl(tmp_path / "t.jsonl", [creator("lea_tt", "zero waste", handle="@lea",
                                                      platform="tiktok")])
    cli("ingest", twin, "--index", planner_index, "--quiet")
    code, _, err = cli("similar", "@lea", "--index", planner_index)
    assert code == 2 and "'@lea' is the handle of 2 creators: lea (instagram), lea_tt (tiktok)" \
        in err
    code, out, _ = cli("remove", "lea_tt", "@nobody", "--index", planner_index)
    assert code == 1 and "removed 1; not found: @nobody" in out


def test_the_table_names_its_columns_and_explains_them(cli, planner_index):
    code, out, _ = cli("match", "--index", planner_index, "--brief", "zero waste shampoo",
                       "--objective", "ugc")
    assert code == 0
    header = out.splitlines()[0]
    assert header.split()[:3] == ["#", "creator", "platform"]
    assert all(name in header for name in ("content", "words", "tier fit", "authentic"))
    assert "sim" not in header.split() and "kw" not in header.split()  # the old abbreviations
    assert "not a probability of fit" in out and "closest post" in out
    assert "FR/fr" in out  # where the creator is


def test_a_model_that_cannot_load_is_named_with_the_offline_choices(cli, tmp_path):
    f = write_jsonl(tmp_path / "c.jsonl", [creator("lea", "zero waste shampoo")])
    code, _, err = cli("ingest", f, "--index", tmp_path / "idx", "--model", "no-such-model")
    assert code == 2 and "could not load embedding model 'no-such-model'" in err
    assert "choose use-m3 (the default) or minilm" in err and "Traceback" not in err


@pytest.mark.parametrize("said, meant", [("UGC", "ugc"), ("Reach", "awareness"),
                                         ("ROI", "conversion"), ("word of mouth", "ugc"),
                                         ("credibility", "engagement"),
                                         ("Notoriété", "awareness"), ("ventes", "conversion")])
def test_an_objective_in_the_missions_words(cli, tmp_path, said, meant):
    """Any case, and the mission's other words for each objective, in a brief file and on the
    command line; both answer as the objective they mean."""
    from recommender.schema import Brief

    assert Brief(brief="x", objective=said).objective == meant
    idx = tmp_path / "i"
    cli("ingest", write_jsonl(tmp_path / "c.jsonl", [creator("a"), creator("b", followers=500)]),
        "--index", idx)
    bf = tmp_path / "brief.json"
    bf.write_text(json.dumps({"brief": "shampoo", "objective": said}))
    runs = [cli("match", "--index", idx, "--brief-file", bf, "--json"),
            cli("match", "--index", idx, "--brief", "shampoo", "--objective", said, "--json"),
            cli("match", "--index", idx, "--brief", "shampoo", "--objective", meant, "--json")]
    assert all(code == 0 for code, _, _ in runs)
    assert len({json.dumps(json.loads(out)["matches"]) for _, out, _ in runs}) == 1


def test_ingest_says_what_it_read_from_the_texts(cli, tmp_path):
    """A language the record left out, a sponsored post said by its caption, a post without
    one: the summary says how many, and --json gives the counts."""
    rec = {"id": "t1", "platform": "instagram", "followers": 900,
           "bio": "Cuisine végétale de saison, recettes simples et anti-gaspillage",
           "posts": [{"id": "p1", "text": "Soupe de fanes de carottes, le meilleur des restes #ad",
                      "likes": 40, "comments": 3}, {"id": "p2", "likes": 10, "comments": 1}]}
    f = write_jsonl(tmp_path / "c.jsonl", [rec, creator("plain")])
    code, out, _ = cli("ingest", f, "--index", tmp_path / "i")
    assert code == 0 and ("from the texts: the language of 1 creator detected in the texts; "
                          "1 post sponsored by the caption (#ad, …); 1 post without a caption"
                          ) in out
    code, out, _ = cli("ingest", f, "--index", tmp_path / "j", "--json")
    got = json.loads(out)
    assert (got["languages_detected"], got["sponsored_by_caption"],
            got["posts_without_caption"]) == (1, 1, 1)
    code, out, _ = cli("ingest", write_jsonl(tmp_path / "p.jsonl", [creator("plain2")]),
                       "--index", tmp_path / "k")
    assert "from the texts" not in out


def test_a_brief_or_a_values_statement_with_nothing_to_match_is_said_so(cli, planner_index):
    code, out, err = cli("match", "--index", planner_index, "--brief", "shampoo", "--json",
                         "--values", "no plastic, no palm oil")
    assert code == 0 and all(m["components"]["values"] is None
                             for m in json.loads(out)["matches"])
    assert "the values statement only rejects things; it was not used" in err
    code, _, err = cli("match", "--index", planner_index, "--brief", "shampoo",
                       "--values", "repair, no plastic")
    assert code == 0 and "only rejects" not in err and "names no subject" not in err
    code, out, err = cli("match", "--index", planner_index, "--brief",
                         "Looking for UGC creators for our campaign", "--json")
    assert code == 0 and json.loads(out)["matches"]  # matched whole, and said
    assert "the brief names no subject beyond the campaign's own words" in err


def test_values_given_as_a_list_are_the_statement_they_make(cli, planner_index, tmp_path):
    """A brief file may list its values; they match as the statement they make together."""
    from recommender.schema import Brief

    assert Brief(brief="x", values=["repair", " second hand ", ""]).values == "repair, second hand"
    assert Brief(brief="x", values=[]).values is None
    listed, written = tmp_path / "a.json", tmp_path / "b.json"
    listed.write_text(json.dumps({"brief": "shampoo", "values": ["zero waste", "honest"]}))
    written.write_text(json.dumps({"brief": "shampoo", "values": "zero waste, honest"}))
    runs = [cli("match", "--index", planner_index, "--brief-file", f, "--json")
            for f in (listed, written)]
    assert runs[0][0] == runs[1][0] == 0 and runs[0][1] == runs[1][1]
    bad = tmp_path / "c.json"
    bad.write_text(json.dumps({"brief": "shampoo", "values": [1, 2]}))
    code, _, err = cli("match", "--index", planner_index, "--brief-file", bad)
    assert code == 2 and "values: a statement, or a list of strings: item 0 is 1" \
        in err


def test_ingest_gives_a_scrapers_profiles_their_platform(cli, tmp_path):
    """A scraper's export of Instagram profiles (its own names: username, followersCount,
    biography, latestPosts with caption and likesCount) names no platform: refused, saying
    how to give it; read with --platform."""
    f = tmp_path / "profiles.json"
    f.write_text(json.dumps([{"id": "1784", "username": "lena.kocht", "followersCount": 12400,
                              "biography": "Vegane Rezepte", "latestPosts": [
                                  {"id": "9", "caption": "Linsen-Bolognese", "likesCount": 10}]}]))
    idx = tmp_path / "idx"
    code, _, err = cli("ingest", f, "--index", idx)
    assert code == 1 and "platform: Field required" in err and "--platform NAME" in err
    code, out, err = cli("ingest", f, "--index", idx, "--platform", "IG")
    assert code == 0 and "added 1" in out, err
    code, out, _ = cli("match", "--index", idx, "--brief", "Linsen", "--json")
    (m,) = json.loads(out)["matches"]
    assert (m["creator_id"], m["platform"], m["followers"]) == ("1784", "instagram", 12400)
    code, _, err = cli("ingest", f, "--index", idx, "--platform", "myspace")
    assert code == 2 and "'myspace' is not a platform" in err


def test_a_brief_file_of_several_briefs_answers_each_in_its_order(cli, tmp_path):
    """A JSON array of briefs (the bundled example briefs are one) is answered brief by brief:
    a table under each brief's name, the column legend once; with --json one answer per brief,
    with its notes. A bad brief is named by its place and name, and nothing is answered."""
    f = write_jsonl(tmp_path / "c.jsonl", [creator("a", "zero waste shampoo"),
                                           creator("b", "fps gaming", followers=300_000)])
    cli("ingest", f, "--index", tmp_path / "i")
    briefs = tmp_path / "briefs.json"
    briefs.write_text(json.dumps([
        {"name": "shampoo", "brief": "zero waste shampoo", "objective": "ugc"},
        {"brief": "fps gaming", "filters": {"tiers": ["macro"]}},
        {"name": "nobody", "brief": "x", "filters": {"exclude_ids": ["a", "b"]}}]))
    code, out, err = cli("match", "--index", tmp_path / "i", "--brief-file", briefs, "--k", "1")
    assert code == 0, err
    assert out.index("brief 1: shampoo") < out.index("@a") < out.index("brief 2: fps gaming")
    assert out.index("brief 2: fps gaming") < out.index("@b") < out.index("brief 3: nobody")
    assert out.count("score: relevance") == 1  # the legend, once, at the end
    code, out, err = cli("match", "--index", tmp_path / "i", "--brief-file", briefs, "--json")
    answers = json.loads(out)["answers"]
    assert [a["name"] for a in answers] == ["shampoo", None, "nobody"]
    assert [[m["creator_id"] for m in a["matches"]] for a in answers][:2] == [["a", "b"], ["b"]]
    assert answers[2]["matches"] == [] and answers[2]["notes"]  # why it is empty
    briefs.write_text(json.dumps([{"brief": "x"}, {"name": "jp", "brief": "y",
                                                   "filters": {"countries": ["JP"]}}]))
    code, out, err = cli("match", "--index", tmp_path / "i", "--brief-file", briefs)
    assert code == 2 and out == ""
    assert f"{briefs}: brief 2 (jp): filters.countries: no creator in this index has" in err
    briefs.write_text(json.dumps([{"brief": "x"}, {"name": "late", "brief": "y", "k": 0}]))
    code, out, err = cli("match", "--index", tmp_path / "i", "--brief-file", briefs)
    assert code == 2 and out == "" and f"{briefs}: brief 2 (late): k:" in err
    briefs.write_text("[]")
    code, _, err = cli("match", "--index", tmp_path / "i", "--brief-file", briefs)
    assert code == 2 and "no brief to answer" in err
    briefs.write_text(json.dumps([{"brief": "x"}, {"brief": "y"}]))
    code, _, err = cli("plan", "--index", tmp_path / "i", "--brief-file", briefs,
                       "--budget", "1000")
    assert code == 2 and "a plan is made for one brief at a time" in err


def test_a_brief_file_from_another_tool_keeps_its_ids_and_may_leave_its_fields_out(cli,
                                                                                  tmp_path):
    """Another tool's briefs carry an id and fields of their own ("split", "judging"): the
    file was refused for its ids. An id is the brief's (answered back, and naming it in an
    error); a field no brief has is still refused, with the option that leaves it out, and
    --ignore-unknown answers the briefs, naming what it left out."""
    f = write_jsonl(tmp_path / "c.jsonl", [creator("a", "zero waste shampoo"),
                                           creator("b", "fps gaming", followers=300_000)])
    cli("ingest", f, "--index", tmp_path / "i")
    briefs = tmp_path / "briefs.json"
    briefs.write_text(json.dumps([
        {"id": "b-1", "brief": "zero waste shampoo", "split": "test", "judging": {"n": 1}},
        {"id": 17, "brief": "fps gaming", "split": "dev", "filters": {"countries": ["JP"]}}]))
    code, out, err = cli("match", "--index", tmp_path / "i", "--brief-file", briefs, "--json")
    assert code == 2 and out == ""
    assert f"{briefs}: brief 1 (b-1): split: not a field of a brief" in err
    assert "--ignore-unknown" in err
    code, out, err = cli("match", "--index", tmp_path / "i", "--brief-file", briefs, "--json",
                         "--ignore-unknown")
    assert code == 2 and f"{briefs}: brief 2 (17): filters.countries" in err  # none in JP
    briefs.write_text(json.dumps([
        {"id": "b-1", "brief": "zero waste shampoo", "split": "test", "judging": {"n": 1}},
        {"id": 17, "brief": "fps gaming", "split": "dev"}]))
    code, out, err = cli("match", "--index", tmp_path / "i", "--brief-file", briefs, "--json",
                         "--ignore-unknown", "--k", "1")
    assert code == 0, err
    assert "left out, not fields of a brief: judging (1 brief), split (2 briefs)" in err
    answers = json.loads(out)["answers"]
    assert [(a["id"], [m["creator_id"] for m in a["matches"]]) for a in answers] == [
        ("b-1", ["a"]), ("17", ["b"])]
    code, out, _ = cli("match", "--index", tmp_path / "i", "--brief-file", briefs, "--k", "1",
                       "--ignore-unknown")
    assert code == 0 and "brief 1: b-1" in out and "brief 2: 17" in out
