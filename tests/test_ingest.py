"""Parsing and validation: every bad record named by file, line and field; good ones kept."""

import json

import pytest
from conftest import creator, write_jsonl
from pydantic import ValidationError

from recommender.ingest import read_objects, read_paths
from recommender.schema import Creator


def errors_by_line(parsed):
    return {(e.line, e.field): e.reason for e in parsed.errors}


def test_good_jsonl(tmp_path):
    p = write_jsonl(tmp_path / "c.jsonl", [creator("a"), creator("b")])
    parsed = read_paths([p])
    assert [c.id for c in parsed.records] == ["a", "b"] and parsed.errors == []


def test_malformed_lines_are_named_and_skipped(tmp_path):
    big = "x" * (10 * 1024 * 1024)
    lines = [
        creator("ok1"),
        "{not json",
        creator("neg", followers=-5),
        json.dumps(creator("nan"))[:-1] + ', "extra": NaN}',
        creator("badtype", posts=[{"id": "p", "text": "t", "likes": "many", "comments": 0}]),
        creator("huge", posts=[{"id": "p", "text": big, "likes": 1, "comments": 0}]),
        creator("plat", platform="myspace"),
        creator("empty", bio="", posts=[]),
        "[1, 2]",
        creator("ok1"),  # duplicate of line 1
        creator("emoji", text="🌿 شامبو صلب zéro déchet"),
        creator("inf", followers=1e400) if False else '{"id": "inf", "platform": "x", '
        '"followers": Infinity, "bio": "b"}',
        creator("absurd", followers=10**13),
    ]
    p = write_jsonl(tmp_path / "bad.jsonl", lines)
    with open(p, "ab") as fh:
        fh.write(b'{"id": "latin1", "platform": "x", "followers": 1, "bio": "caf\xe9"}\n')
    parsed = read_paths([p])
    assert sorted(c.id for c in parsed.records) == ["emoji", "ok1"]
    errs = errors_by_line(parsed)
    assert "malformed JSON" in errs[(2, "record")]
    assert (3, "followers") in errs
    assert "NaN" in errs[(4, "record")]
    assert (5, "posts[0].likes") in errs
    assert "at most 20000 characters" in errs[(6, "posts[0].text")]
    assert (7, "platform") in errs
    assert "bio or at least one post" in errs[(8, "record")]
    assert errs[(9, "record")] == "expected a JSON object"
    assert "duplicate id, first seen at" in errs[(10, "id")]
    assert "Infinity" in errs[(12, "record")]
    assert (13, "followers") in errs
    assert "not valid UTF-8" in errs[(14, "record")]
    for e in parsed.errors:
        assert str(e).startswith(f"{p}:{e.line}")


def test_unknown_extension_and_missing_file(tmp_path):
    (tmp_path / "c.txt").write_text("hello")
    parsed = read_paths([tmp_path / "c.txt", tmp_path / "missing.jsonl"])
    assert [e.field for e in parsed.errors] == ["file", "file"]


def test_read_objects_positions():
    parsed = read_objects([creator("a"), {"id": "b"}, "nope"])
    assert [c.id for c in parsed.records] == ["a"]
    assert {e.line for e in parsed.errors} == {2, 3}


@pytest.mark.parametrize("given, stored", [
    ({"country": "France", "language": "French"}, ("FR", "fr")),
    ({"country": "fra", "language": "fre"}, ("FR", "fr")),
    ({"country": "united kingdom", "language": "en-GB"}, ("GB", "en-gb")),
    ({"country": "UK", "language": "EN"}, ("GB", "en")),
    # in French, as French sheets write them, with or without accents
    ({"country": "Belgique", "language": "Français"}, ("BE", "fr")),
    ({"country": "Etats-Unis", "language": "anglais"}, ("US", "en")),
    ({"country": "Royaume Uni", "language": "en_GB"}, ("GB", "en-gb")),
])
def test_country_and_language_names_are_stored_as_codes(given, stored):
    c = Creator.model_validate(creator("x", **given))
    assert (c.country, c.language) == stored


def test_a_country_that_is_no_country_names_the_field():
    with pytest.raises(ValidationError) as e:
        Creator.model_validate(creator("x", country="Frnace"))
    assert "'Frnace' is not a country code or name" in str(e.value)
    with pytest.raises(ValidationError):
        Creator.model_validate(creator("x", country="Narnie"))
    assert e.value.errors()[0]["loc"] == ("country",)


def test_a_post_without_a_caption_is_kept_and_counted_but_not_embedded(tmp_path, embedder):
    """A photo or a video posted with no caption is real content with real counts: the
    creator is not rejected for it, its engagement and sponsoring count, nothing is embedded."""
    from recommender.service import Recommender

    c = creator("a", "vegan recipes")
    c["posts"] += [{"id": "photo", "likes": 900, "comments": 30, "sponsored": True},
                   {"id": "blank", "text": "   ", "likes": 800, "comments": 20}]
    with Recommender(tmp_path / "idx", create=True, embedder=embedder) as rec:
        report = rec.ingest([write_jsonl(tmp_path / "c.jsonl", [c])])
        assert (report.added, report.errors) == (1, [])
        assert len(embedder.encoded) == 4  # the bio and three captions
        got = rec.get("a")
        assert [p["text"] for p in got["record"]["posts"]][3:] == [None, None]
        assert got["signals"]["engagement_posts"] == 5
        assert got["signals"]["sponsored_ratio"] == 0.2
        assert [m.creator_id for m in rec.match({"brief": "vegan recipes"})] == ["a"]


def test_a_creator_with_nothing_to_read_is_named(tmp_path):
    lines = [creator("mute", bio="", posts=[{"id": "p1", "likes": 5, "comments": 0}])]
    parsed = read_paths([write_jsonl(tmp_path / "c.jsonl", lines)])
    assert parsed.records == []
    assert "bio or at least one post with text" in errors_by_line(parsed)[(1, "record")]


def test_a_creator_without_a_language_gets_the_one_its_texts_are_written_in(tmp_path,
                                                                           embedder):
    """The record stays as given; filters and results use the detected language, and the
    signals say it was detected. Texts too short or mixed to be sure of stay unknown."""
    from recommender.service import Recommender

    french = creator("fr_unsaid", bio="Cuisine végétale de saison et recettes anti-gaspillage",
                     posts=[{"id": f"p{i}", "text": t, "likes": 40, "comments": 3}
                            for i, t in enumerate([
                                "Soupe de fanes de carottes, le meilleur des restes",
                                "Mon pain perdu du dimanche avec le pain rassis de la semaine",
                                "Trois idées pour cuisiner les épluchures de légumes"])])
    del french["language"]
    terse = creator("terse", bio="✨🌱", posts=[{"id": "p1", "text": "ok 👍", "likes": 4,
                                                "comments": 0}])
    del terse["language"]
    english = creator("en_said", "plant based seasonal recipes", language="en")
    with Recommender(tmp_path / "idx", create=True, embedder=embedder) as rec:
        rec.ingest([write_jsonl(tmp_path / "c.jsonl", [french, terse, english])])
        got = rec.get("fr_unsaid")
        assert "language" not in got["record"] or got["record"]["language"] is None
        assert got["signals"]["detected_language"]["code"] == "fr"
        assert got["signals"]["detected_language"]["probability"] >= 0.9
        assert rec.get("terse")["signals"]["detected_language"] is None
        assert rec.get("en_said")["signals"]["detected_language"] is None
        found = rec.match({"brief": "recettes anti-gaspillage", "filters": {"languages": ["fr"]}})
        assert [(m.creator_id, m.language) for m in found] == [("fr_unsaid", "fr")]


def test_counts_and_platforms_as_exports_write_them():
    """JSON records take what the CSV path takes: counts as strings ("12,400", "12.4k", "-1"
    for hidden) and the names exports give platforms ("IG", "YouTube Shorts", "Twitter")."""
    recs = [{"id": "a", "platform": "IG", "followers": "12,400", "bio": "b",
             "posts": [{"id": "p", "text": "t", "likes": "-1", "comments": "1.2K"}]},
            {"id": "b", "platform": "YouTube  Shorts", "followers": "1.5M", "bio": "b"},
            {"id": "c", "platform": "Twitter", "followers": "12 400", "bio": "b"},
            {"id": "d", "platform": "tiktok", "followers": "many", "bio": "b"},
            {"id": "e", "platform": "myspace", "followers": 1, "bio": "b"}]
    parsed = read_objects(recs, "x.json")
    got = {c.id: (c.platform, c.followers) for c in parsed.records}
    assert got == {"a": ("instagram", 12_400), "b": ("youtube", 1_500_000), "c": ("x", 12_400)}
    post = parsed.records[0].posts[0]
    assert (post.likes, post.comments) == (None, 1_200)
    assert {(e.line, e.field) for e in parsed.errors} == {(4, "followers"), (5, "platform")}


def test_a_count_an_export_could_not_read_is_unknown_and_a_word_is_named():
    """An empty string, "hidden" and "n/a" (any case) are what exports write for a count the
    platform hides: unknown, as null and -1 are, never 0. Any other word is refused, naming the
    record's line and the field, and saying what a hidden count may be written as."""
    recs = [{"id": "a", "platform": "instagram", "followers": 900, "bio": "b",
             "posts": [{"id": "p1", "text": "t", "likes": "", "comments": " "},
                       {"id": "p2", "text": "t", "likes": "Hidden", "comments": "N/A"},
                       {"id": "p3", "text": "t", "likes": "12", "comments": "hidden"}]},
            {"id": "b", "platform": "instagram", "followers": 900, "bio": "b",
             "posts": [{"id": "p1", "text": "t", "likes": "lots", "comments": 1}]}]
    parsed = read_objects(recs, "x.json")
    (a,) = parsed.records
    assert [(p.likes, p.comments) for p in a.posts] == [(None, None), (None, None), (12, None)]
    (err,) = parsed.errors
    assert (err.line, err.field) == (2, "posts[0].likes")
    assert "'lots' is not a count" in err.reason and "hidden" in err.reason


def test_two_short_captions_are_read_in_the_language_they_are_written_in():
    """The identifier's classes include regional languages and dialects that take a share of a
    short caption's probability (two French captions read fr at 0.84, and the creator got no
    language, so a language filter left it out). Among the languages the index reads, they
    are French at 0.97; a text whose first choice is another language keeps its own
    probability, and emoji or a word stay unknown."""
    from recommender.locales import detect_language

    short = ["Soupe de fanes de carottes, zéro gaspi #antigaspi",
             "Pain perdu avec le pain rassis, recette anti-gaspi"]
    code, probability = detect_language(short)
    assert code == "fr" and probability >= 0.9
    assert detect_language(["Xin chào các bạn, hôm nay mình nấu phở bò"])[0] == "vi"
    assert detect_language(["ok"]) is None and detect_language(["🔥🔥🔥 #ad"]) is None
