"""Tables of creators and of their posts, CSV files and Excel worksheets, read together
(tables.py, through ingest.py): posts attached to their creators, errors named at their own
table's row and column."""

import pytest

from recommender.ingest import read_paths
from recommender.records import rejected_records


def errors_by_line(parsed):
    return {(e.line, e.field): e.reason for e in parsed.errors}


def test_a_creator_whose_posts_rows_are_wrong_is_one_rejected_record(tmp_path):
    """A table's creator is its row and its posts' rows: two bad posts rows of one creator,
    and its own bad row, reject one record (each error still named with its file and line);
    a JSONL line that is no JSON at all is a record of its own. A posts table needs only
    creator_id and id: an export without a comments column (or a likes one) is read, its
    counts unknown."""

    creators = tmp_path / "creators.csv"
    creators.write_text("id,platform,followers,bio\nc1,instagram,lots,soupes\n"
                        "c2,instagram,900,tartes\n", "utf-8")
    posts = tmp_path / "posts.csv"
    posts.write_text("creator_id,id,text,likes\nc1,p1,soupe,many\nc1,p2,soupe,12\n"
                     "c1,p3,soupe,lots\nc2,p1,tarte,hidden\n", "utf-8")
    parsed = read_paths([creators, posts])
    assert [c.id for c in parsed.records] == ["c2"]
    (post,) = parsed.records[0].posts
    assert (post.text, post.likes, post.comments) == ("tarte", None, None)
    assert {(e.file.rsplit("/", 1)[-1], e.line) for e in parsed.errors} == {
        ("creators.csv", 2), ("posts.csv", 2), ("posts.csv", 4)}
    assert rejected_records(parsed.errors) == 1
    lines = tmp_path / "c.jsonl"
    lines.write_text('{\n{"id": "a", "platform": "x", "followers": "many", "bio": "b"}\n',
                     "utf-8")
    assert rejected_records(read_paths([lines]).errors) == 2


def test_an_export_without_ids_names_its_creators_by_handle(tmp_path):
    """Exports name creators by username and carry no id of ours: such a creators table was
    refused whole ("id: missing column(s)"). Each creator's id is now its handle without the
    "@", and a posts table links to it by the handle written either way; a row without a
    handle is named. A table with an id column keeps its ids."""
    creators = tmp_path / "creators.csv"
    creators.write_text("Username,platform,followers,bio\n@lena.kocht,instagram,2300,Rezepte\n"
                        "tom.rad,instagram,1800,Lastenrad\n,instagram,900,ohne Namen\n", "utf-8")
    posts = tmp_path / "posts.csv"
    posts.write_text("creator,post id,caption\n@lena.kocht,1,Linsen\nlena.kocht,2,Brot\n"
                     "@tom.rad,1,Markt\nnobody,1,?\n", "utf-8")
    parsed = read_paths([creators, posts])
    got = {c.id: (c.handle, [p.id for p in c.posts]) for c in parsed.records}
    assert got == {"lena.kocht": ("@lena.kocht", ["1", "2"]), "tom.rad": ("tom.rad", ["1"])}
    assert [(e.line, e.field) for e in parsed.errors] == [(4, "Username"), (5, "creator")]
    assert "no id column" in parsed.errors[0].reason
    twice = tmp_path / "twice.csv"
    twice.write_text("username,platform,followers,bio\nlena,instagram,2300,Rezepte\n"
                     "lena,tiktok,5000,Rezepte\n")
    parsed = read_paths([twice])
    assert [c.platform for c in parsed.records] == ["instagram"]
    assert parsed.errors[0].line == 3 and "add an id column" in parsed.errors[0].reason
    with_ids = tmp_path / "with-ids.csv"
    with_ids.write_text("id,username,platform,followers,bio\nig_1,@lena.kocht,instagram,2300,Rezepte\n")
    assert [c.id for c in read_paths([with_ids]).records] == ["ig_1"]


def test_an_excel_workbook_of_creators_and_posts(tmp_path):
    """One workbook, a sheet of creators and a sheet of posts, as Excel holds them: numbers as
    numbers, a date cell, a boolean, a blank row, unnamed trailing columns, a notes sheet."""
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    people = book.active
    people.title = "Creators"
    people.append(["ID", "Username", "Platform", "Follower count", "Country", "Language", "Bio",
                   None])
    people.append(["lea", "@lea", "Instagram", 12400, "France", "French", "Zéro déchet", None])
    people.append([])
    people.append(["sam", "@sam", "IG", "12.4k", "FR", "fr", "Cosmétiques maison", None])
    people.append(["bad", "@bad", "myspace", 10, "FR", "fr", "bio", None])
    posts = book.create_sheet("Posts")
    posts.append(["creator_id", "post_id", "caption", "like_count", "comments", "sponsored",
                  "posted_at"])
    posts.append(["lea", "p1", "Mon shampoing solide", 320.0, 41, True,
                  dt.datetime(2026, 10, 1, 12, 0)])
    posts.append(["lea", "p2", None, 80, 3, False, None])
    posts.append(["sam", "p1", "Baume maison", "-1", 2, False, None])
    posts.append(["bad", "p1", "caption", "many", 2, False, None])
    book.create_sheet("Notes").append(["sent by the agency, October"])
    path = tmp_path / "creators.xlsx"
    book.save(path)
    parsed = read_paths([path])
    by_id = {c.id: c for c in parsed.records}
    assert set(by_id) == {"lea", "sam"}
    lea = by_id["lea"]
    assert (lea.platform, lea.followers, lea.country, lea.language) == ("instagram", 12_400,
                                                                      "FR", "fr")
    assert [(p.id, p.text, p.likes, p.sponsored) for p in lea.posts] == [
        ("p1", "Mon shampoing solide", 320, True), ("p2", None, 80, False)]
    assert lea.posts[0].posted_at is not None and lea.posts[0].posted_at.year == 2026
    assert by_id["sam"].followers == 12_400 and by_id["sam"].posts[0].likes is None
    where = {(e.file, e.line, e.field) for e in parsed.errors}
    assert (f"{path}#Creators", 5, "Platform") in where  # Excel's own row number
    # a post's error names the posts' row, and its column as the sheet writes it
    assert (f"{path}#Posts", 5, "like_count") in where
    assert any(e.file == f"{path}#Notes" and "missing column" in e.reason for e in parsed.errors)


def test_a_file_that_is_no_workbook_is_named(tmp_path):
    path = tmp_path / "creators.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    parsed = read_paths([path])
    assert parsed.records == []
    [e] = parsed.errors
    assert e.file == str(path) and e.field == "file" and "Excel workbook" in e.reason


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


def test_csv_post_with_an_empty_caption_cell(tmp_path):
    (tmp_path / "creators.csv").write_text("id,platform,followers,bio\na,instagram,4200,bio\n",
                                           encoding="utf-8")
    (tmp_path / "posts.csv").write_text("creator_id,id,text,likes,comments\n"
                                        "a,p1,,320,41\na,p2,caption,100,4\n", encoding="utf-8")
    parsed = read_paths([tmp_path / "creators.csv", tmp_path / "posts.csv"])
    assert parsed.errors == []
    assert [p.text for p in parsed.records[0].posts] == [None, "caption"]


def test_errors_name_a_column_as_the_sheet_writes_it(tmp_path):
    """A French agency's sheet names its columns its own way ("Abonnés", "Taux d'engagement");
    an error names the column so, not as ingest renames it (followers, engagement_rate), in the
    creators' table and in the posts' table, and so do the columns it does not know."""
    (tmp_path / "c.csv").write_text(
        "id,Réseau,Abonnés,Taux d'engagement,bio\n"
        "lea,instagram,beaucoup,\"3,2 %\",Zéro déchet\n"
        "bob,instagram,900,3.2,Vélo\n", "utf-8")
    (tmp_path / "p.csv").write_text(
        "creator,post_id,Légende,likesCount\nlea,1,Mon shampoing,12\nbob,1,Le vélo,lots\n",
        "utf-8")
    parsed = read_paths([tmp_path / "c.csv", tmp_path / "p.csv"])
    named = {(e.file.rsplit("/", 1)[-1], e.line, e.field) for e in parsed.errors}
    assert named == {("c.csv", 2, "Abonnés"), ("c.csv", 3, "Taux d'engagement"),
                     ("p.csv", 3, "likesCount")}, parsed.errors
    (tmp_path / "x.csv").write_text("id,platform,followers,bio,Nom complet\n"
                                    "ann,tiktok,900,Vélo,Ann\n", "utf-8")
    [err] = read_paths([tmp_path / "x.csv"]).errors
    assert err.field == "Nom complet" and "unknown column" in err.reason
    left = read_paths([tmp_path / "x.csv"], ignore_unknown=True)
    assert left.ignored == {"Nom complet": 1} and len(left.records) == 1


def test_a_table_of_one_row_per_post_is_read_as_its_creators_and_their_posts(tmp_path):
    """A scraper's export of posts has a row per post, its author's username and followers
    repeated on each (ownerUsername, followersCount, caption, likesCount): it was read as a
    creators table whose ids were the posts' ids, each refused. Each creator is now read from
    its first row and each row is one of its posts; an error names the row and the column as
    the sheet writes it, and a row without its creator is named."""
    path = tmp_path / "posts.csv"
    path.write_text(
        "ownerUsername,followersCount,platform,post_id,caption,likesCount,commentsCount,url\n"
        "@lena.kocht,12400,instagram,1,Linsen-Bolognese,320,12,https://x/1\n"
        "@lena.kocht,12400,instagram,2,Brot backen,hidden,4,https://x/2\n"
        "tom.rad,1800,instagram,7,Lastenrad,55,lots,https://x/7\n"
        "sam,900,instagram,,Markt,3,1,https://x/8\n"
        ",900,instagram,9,niemand,1,1,https://x/9\n", "utf-8")
    parsed = read_paths([path], ignore_unknown=True)
    got = {c.id: (c.handle, c.followers, [(p.id, p.text, p.likes) for p in c.posts])
           for c in parsed.records}
    assert got == {"lena.kocht": ("@lena.kocht", 12400, [("1", "Linsen-Bolognese", 320),
                                                        ("2", "Brot backen", None)]),
                   "sam": ("sam", 900, [("r5", "Markt", 3)])}  # no post id: its row's
    assert sorted((e.line, e.field, e.record_id or "") for e in parsed.errors) == [
        (4, "commentsCount", "tom.rad"), (6, "ownerUsername", "")]
    assert any("row per post" in e.reason for e in parsed.errors)
    assert parsed.ignored == {"posts.url": 4}
    [refused] = read_paths([path]).errors  # a column it does not know: the table refused whole
    assert (refused.line, refused.field) == (1, "url") and "unknown column" in refused.reason


def test_a_name_on_two_platforms_in_a_table_of_posts_is_two_accounts(tmp_path):
    """An export of posts from two platforms names its creators by username: the same name on
    Instagram and TikTok is two accounts. The second's rows were read as posts of the first
    (its followers and platform dropped without a word); they are now named at its first row
    and not read, and the first account keeps only its own posts."""
    path = tmp_path / "posts.csv"
    path.write_text(
        "username,followers,platform,caption,likes\n"
        "lena,12400,Instagram,Linsen-Bolognese,320\n"
        "lena,98000,tiktok,Brot in 60 Sekunden,5100\n"
        "lena,12400,instagram,Markttag,210\n"
        "lena,98000,TikTok,Pasta-Hack,4400\n", "utf-8")
    parsed = read_paths([path])
    [lena] = parsed.records
    assert (lena.platform, lena.followers) == ("instagram", 12400)
    assert [p.text for p in lena.posts] == ["Linsen-Bolognese", "Markttag"]
    [err] = parsed.errors
    assert (err.line, err.field, err.record_id) == (3, "platform", "lena")
    assert "two accounts" in err.reason and "creator_id" in err.reason
    assert "posts.csv:2" in err.reason
    path.write_text(
        "creator_id,username,followers,platform,caption,likes\n"
        "lena-ig,lena,12400,instagram,Linsen-Bolognese,320\n"
        "lena-tt,lena,98000,tiktok,Brot in 60 Sekunden,5100\n", "utf-8")
    parsed = read_paths([path])  # told apart by their ids
    assert not parsed.errors
    assert {c.id: c.platform for c in parsed.records} == {"lena-ig": "instagram",
                                                          "lena-tt": "tiktok"}
    path.write_text(
        "creator_id,followers,platform,caption,likes\n"
        "lena,12400,instagram,Linsen-Bolognese,320\n"
        "lena,98000,tiktok,Brot in 60 Sekunden,5100\n", "utf-8")
    [err] = read_paths([path]).errors  # one id for both: the id is what to change
    assert err.line == 3 and "give each account its own creator_id" in err.reason


def test_a_rate_under_a_header_in_percent_is_a_percentage(tmp_path):
    """An agency's sheet heads its rates "ER (%)" and writes 3.2: a percentage, as the header
    says (a bare 3.2 elsewhere is refused, naming 3.2%); 3,2 and 3.2% read the same way."""
    path = tmp_path / "agency.csv"
    path.write_text("id,platform,followers,bio,ER (%)\na,instagram,900,Vélo,3.2\n"
                    "b,instagram,900,Vélo,\"3,2\"\nc,instagram,900,Vélo,3.2%\n"
                    "d,instagram,900,Vélo,\n", "utf-8")
    parsed = read_paths([path])
    assert not parsed.errors
    assert {c.id: c.engagement_rate for c in parsed.records} == {
        "a": pytest.approx(0.032), "b": pytest.approx(0.032), "c": pytest.approx(0.032),
        "d": None}
    bare = tmp_path / "bare.csv"
    bare.write_text("id,platform,followers,bio,ER\na,instagram,900,Vélo,3.2\n", "utf-8")
    [err] = read_paths([bare]).errors
    assert err.field == "ER" and "did you mean 3.2%" in err.reason


def test_a_creators_list_with_a_date_is_no_table_of_posts(tmp_path):
    """A date (the day an agency added the creator) or a sponsored column alone does not make
    a creators list a table of posts: it stays an unknown column of the creators table."""
    path = tmp_path / "list.csv"
    path.write_text("username,platform,followers,bio,date\nlea,instagram,900,Vélo,2026-10-01\n",
                    "utf-8")
    [err] = read_paths([path]).errors
    assert (err.field, err.line) == ("date", 1) and "unknown column" in err.reason
    [lea] = read_paths([path], ignore_unknown=True).records
    assert lea.id == "lea" and lea.posts == []
