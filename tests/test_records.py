"""One record as an export writes it (records.py, through ingest.py): its fields' names, what
it leaves empty or null, its ids; errors that name its line and its field as it writes it."""

import json

from conftest import creator

from recommender.ingest import read_objects, read_paths


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
    assert got[(3, "posts[0].like_count")].startswith("'lots' is not a count")
    assert got[(3, "follower_count")].startswith(
        "'many' is not a number of followers: a whole number (12400, 12,400, 12.4k)")
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


def test_json_records_that_are_each_one_post_with_its_author_are_read_as_their_creators(
        tmp_path):
    """A scraper's JSON of posts (TikTok's: text, diggCount, playCount and the author in an
    object, authorMeta.name and authorMeta.fans) was refused record by record ("authorMeta:
    not a field"). Such records are now read as a table of one row per post: each author a
    creator, each record one of its posts, beside the ordinary records of the same file; an
    error names the record's line and its field as written."""
    posts = [{"id": 7301, "text": "Soupe de fanes", "diggCount": 1200, "playCount": 15000,
              "authorMeta": {"name": "cuisine.lea", "fans": 8400, "verified": False}},
             {"id": 7302, "text": "Pain perdu", "diggCount": None, "playCount": 9000,
              "authorMeta": {"name": "cuisine.lea", "fans": 8400, "verified": False}},
             {"id": 7401, "text": "Vélo cargo", "diggCount": "beaucoup",
              "authorMeta": {"name": "velo.tom", "fans": 2100, "verified": True}},
             creator("c9")]
    path = tmp_path / "videos.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in posts) + "\n", "utf-8")
    parsed = read_paths([path], ignore_unknown=True, platform="tiktok")
    got = {c.id: (c.platform, c.followers, [(p.id, p.likes, p.views) for p in c.posts])
           for c in parsed.records}
    assert got["cuisine.lea"] == ("tiktok", 8400, [("7301", 1200, 15000), ("7302", None, 9000)])
    assert set(got) == {"cuisine.lea", "c9"}
    assert [(e.line, e.field, e.record_id) for e in parsed.errors] == [
        (3, "diggCount", "velo.tom")]
    assert parsed.ignored == {"posts.authorMeta.verified": 3}
    array = tmp_path / "videos.json"
    array.write_text(json.dumps(posts[:2]), "utf-8")
    [lea] = read_paths([array], ignore_unknown=True, platform="tiktok").records
    assert [p.id for p in lea.posts] == ["7301", "7302"]
    # without --ignore-unknown, each record with a field the format does not have is refused,
    # named at its own line as any record is; the ordinary record is read
    strict = read_paths([path], platform="tiktok")
    assert [(e.line, e.field) for e in strict.errors] == [
        (1, "authorMeta.verified"), (2, "authorMeta.verified"), (3, "authorMeta.verified")]
    assert all("not a field of the ingest format" in e.reason for e in strict.errors)
    assert [c.id for c in strict.records] == ["c9"]
