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


def test_csv_with_posts_file(tmp_path):
    (tmp_path / "creators.csv").write_text(
        "id,handle,platform,followers,country,language,categories,bio\n"
        "a,@a,instagram,4200,fr,FR,beauty;sustainability,\"Zéro déchet, fait maison\"\n"
        "b,@b,tiktok,120000,US,en,gaming,\n"
        "c,@c,tiktok,notanumber,US,en,gaming,bio\n", encoding="utf-8")
    (tmp_path / "posts.csv").write_text(
        "creator_id,id,text,likes,comments,shares,views,sponsored,posted_at\n"
        "a,p1,\"Mon shampoing solide, multi\nligne\",320,41,5,,false,2026-10-01T12:00:00Z\n"
        "b,p1,new game,3000,100,0,50000,true,\n"
        "zz,p1,orphan,1,1,0,,false,\n", encoding="utf-8")
    parsed = read_paths([tmp_path / "creators.csv", tmp_path / "posts.csv"])
    by_id = {c.id: c for c in parsed.records}
    assert set(by_id) == {"a", "b"}
    a = by_id["a"]
    assert a.categories == ["beauty", "sustainability"] and a.country == "FR"
    assert a.language == "fr"
    assert a.posts[0].text.startswith("Mon shampoing solide") and a.posts[0].views is None
    assert by_id["b"].posts[0].sponsored is True and by_id["b"].bio is None
    errs = errors_by_line(parsed)
    assert (4, "followers") in errs
    assert any(e.field == "creator_id" and e.line == 5 and "zz" in e.reason
               for e in parsed.errors)


def test_csv_missing_columns_rejects_the_file(tmp_path):
    (tmp_path / "c.csv").write_text("id,handle,bio\na,@a,hello\n")
    parsed = read_paths([tmp_path / "c.csv"])
    assert parsed.records == []
    assert parsed.errors[0].line == 1 and "platform" in parsed.errors[0].field
    assert "missing column" in parsed.errors[0].reason


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


def test_csv_post_with_an_empty_caption_cell(tmp_path):
    (tmp_path / "creators.csv").write_text("id,platform,followers,bio\na,instagram,4200,bio\n",
                                           encoding="utf-8")
    (tmp_path / "posts.csv").write_text("creator_id,id,text,likes,comments\n"
                                        "a,p1,,320,41\na,p2,caption,100,4\n", encoding="utf-8")
    parsed = read_paths([tmp_path / "creators.csv", tmp_path / "posts.csv"])
    assert parsed.errors == []
    assert [p.text for p in parsed.records[0].posts] == [None, "caption"]


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


def test_a_json_export_names_its_fields_as_its_tables_do():
    """A scraper's JSON names fields as exports' tables do (username, followersCount,
    biography, category; a post's caption, likesCount, timestamp): such a record was refused
    field by field, while the same export as a CSV was read. Now it is read the same way: the
    handle without its "@" is the id of a record without one, an error names the field as the
    record writes it, a handle two records share is named, a field given under both names is
    refused, naming the export's, and a post's id (post_id) is never taken for a creator's."""
    recs = [{"username": "@lena.kocht", "platform": "Instagram", "followersCount": "12.4k",
             "category": "Food; Family", "biography": "Vegane Rezepte",
             "posts": [{"id": "1", "caption": "Linsen-Bolognese", "likesCount": -1,
                        "commentsCount": 12, "timestamp": "2026-10-01T12:00:00Z"}]},
            {"username": "lena.kocht", "platform": "tiktok", "followers_count": 100,
             "bio": "Rezepte"},
            {"id": "c3", "platform": "x", "follower_count": "many", "bio": "hello",
             "posts": [{"id": "p", "caption": "hi", "like_count": "lots"}]},
            {"id": "c4", "platform": "x", "followers": 5, "follower_count": 6, "bio": "hello"},
            {"id": "c5", "handle": "@c", "platform": "x", "Followers": 7, "bio": "hello"},
            {"post_id": "p9", "platform": "x", "followers": 7, "bio": "a post's id"}]
    parsed = read_objects(recs, "x.json")
    lena, c5 = parsed.records
    assert (lena.id, lena.handle, lena.followers, lena.categories, lena.bio) == (
        "lena.kocht", "@lena.kocht", 12_400, ["food", "family"], "Vegane Rezepte")
    post = lena.posts[0]
    assert (post.text, post.likes, post.comments, post.posted_at.year) == (
        "Linsen-Bolognese", None, 12, 2026)
    assert (c5.id, c5.followers) == ("c5", 7)  # an id given stays the id
    got = {(e.line, e.field): e.reason for e in parsed.errors}
    assert set(got) == {(2, "username"), (3, "follower_count"), (3, "posts[0].like_count"),
                        (4, "follower_count"), (6, "id"), (6, "post_id")}
    assert "also the creator of x.json:1" in got[(2, "username")]
    assert "'lots' is not a count" in got[(3, "posts[0].like_count")]
    assert "did you mean followers?" in got[(4, "follower_count")]


def test_what_an_export_leaves_empty_is_not_given_and_a_slashed_date_is_named():
    """JSON exports write "" for what they have nothing for, as tables leave a cell empty: an
    empty country, language, handle, sponsored or posted_at refused the record ("String should
    match pattern", "input is too short"); it is now none given, as null is. French sheets'
    oui / non are yes and no. A date written 01/10/2026 was refused with "invalid character in
    year"; it is refused saying that day and month cannot be told apart, and how to write it."""
    recs = [{"id": "a", "platform": "x", "followers": 5, "bio": "b", "country": "",
             "language": " ", "handle": "",
             "posts": [{"id": "p1", "text": "t", "sponsored": "", "posted_at": ""},
                       {"id": "p2", "text": "t", "sponsored": "Oui"},
                       {"id": "p3", "text": "t", "sponsored": "non"}]},
            {"id": "b", "platform": "x", "followers": 5, "bio": "b",
             "posts": [{"id": "p1", "text": "t", "posted_at": "01/10/2026"}]}]
    parsed = read_objects(recs, "x.json")
    (a,) = parsed.records
    assert (a.country, a.language, a.handle) == (None, None, None)
    assert [(p.sponsored, p.posted_at) for p in a.posts] == [(False, None), (True, None),
                                                               (False, None)]
    (err,) = parsed.errors
    assert (err.line, err.field) == (2, "posts[0].posted_at")
    assert "which is the day" in err.reason and "2026-10-01" in err.reason


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


def test_fields_an_export_writes_null_are_fields_it_does_not_give():
    """null categories and posts are none; a post's null `sponsored` declares nothing, and
    its caption's disclosure still counts."""
    from recommender.signals import sponsored_posts

    recs = [creator("a", categories=None, handle=None, country=None, language=None,
                    posts=[{"id": "p1", "text": "new serum #ad", "likes": None,
                            "comments": None, "sponsored": None, "posted_at": None},
                           {"id": "p2", "text": "my shelf", "sponsored": None}]),
            creator("b", posts=None)]
    parsed = read_objects(recs, "x.json")
    assert parsed.errors == []
    a, b = parsed.records
    assert a.categories == [] and b.posts == []
    assert [p.sponsored for p in a.posts] == [False, False]
    assert sponsored_posts(a.posts) == (1, 1)


def test_numeric_ids_as_exports_write_them_are_kept_digit_for_digit():
    """Platforms' numeric ids come as JSON integers (an Instagram media id has 17 digits):
    kept as the same digits; a boolean is no id."""
    recs = [creator(123456, posts=[{"id": 17895695668004550, "text": "t", "likes": 1}]),
            creator(True)]
    parsed = read_objects(recs, "x.json")
    assert [(c.id, c.posts[0].id) for c in parsed.records] == [("123456", "17895695668004550")]
    assert {(e.line, e.field) for e in parsed.errors} == {(2, "id")}
    from recommender.schema import Filters
    assert Filters.model_validate({"exclude_ids": [123456, "a"]}).exclude_ids == ["123456", "a"]


def test_what_the_format_does_not_have_is_refused_or_left_out_and_named(tmp_path):
    """An export's extra fields (url, full_name) and columns reject their record or table,
    saying how to leave them out; with ignore_unknown they are left out, each counted, and
    the rest is read as without them."""
    rec = creator("a", full_name="Ann", url="http://a",
                  posts=[{"id": "p1", "text": "t", "likes": 1, "url": "http://p"},
                         {"id": "p2", "text": "u", "url": "http://q"}])
    (tmp_path / "c.jsonl").write_text(json.dumps(rec) + "\n")
    (tmp_path / "c.csv").write_text("id,platform,followers,bio,verified\nb,x,10,bio,true\n")
    (tmp_path / "p.csv").write_text("creator_id,id,text,likes,comments,url\nb,p1,t,1,0,u\n")
    files = [tmp_path / n for n in ("c.jsonl", "c.csv", "p.csv")]
    strict = read_paths(files)
    assert strict.records == [] and strict.ignored == {}
    assert {e.field for e in strict.errors} == {"full_name", "url", "posts[0].url",
                                                "posts[1].url", "verified"}
    assert all("ingest --ignore-unknown" in e.reason for e in strict.errors)
    misspelt = read_objects([creator("c", posts=[{"id": "p", "text": "t", "lieks": 3}])])
    assert "(did you mean likes?)" in misspelt.errors[0].reason
    lenient = read_paths(files, ignore_unknown=True)
    assert lenient.errors == []
    assert {c.id: len(c.posts) for c in lenient.records} == {"a": 2, "b": 1}
    assert lenient.ignored == {"full_name": 1, "url": 1, "posts.url": 3, "verified": 1}
