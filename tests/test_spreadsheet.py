"""Creator lists as spreadsheets export them (spreadsheet.py, through ingest.py)."""

import json

from recommender import spreadsheet
from recommender.ingest import read_paths


def test_columns_delimiters_and_encodings():
    assert spreadsheet.column(" Follower Count ") == "followers"
    assert spreadsheet.column("Username") == "handle" and spreadsheet.column("bio") == "bio"
    assert spreadsheet.delimiter("id;platform;followers") == ";"
    assert spreadsheet.delimiter("id\tplatform") == "\t" and spreadsheet.delimiter("id") == ","
    assert spreadsheet.decode("café".encode("cp1252")) == ("café", "cp1252")
    assert spreadsheet.decode(b"\xef\xbb\xbfid") == ("id", "utf-8")


def test_an_excel_export_is_ingested_as_it_comes(tmp_path):
    """Before: 'record: not valid UTF-8', 'missing column(s)' and 'unable to parse string as
    an integer' for this file."""
    creators = tmp_path / "creators.csv"
    creators.write_bytes(
        "id;Username;Platform;Follower Count;Country;Lang;Category;Biography\r\n"
        "ig_lea;@léa.zéro;Instagram;12,400;FR;fr;beauty|sustainability;Salle de bain zéro\r\n"
        "tt_max;@max;TikTok;1.2k;BE;fr;food;Cuisine anti-gaspi\r\n"
        "yt_bad;@bad;youtube;lots;FR;fr;food;Recettes\r\n".encode("cp1252"))
    posts = tmp_path / "posts.csv"
    posts.write_bytes("Creator;Post ID;Caption;Like Count;Comment Count\r\n"
                      "ig_lea;p1;Mon shampoing préféré;1 320;41\r\n".encode("cp1252"))
    parsed = read_paths([creators, posts])
    by_id = {c.id: c for c in parsed.records}
    assert set(by_id) == {"ig_lea", "tt_max"}
    lea = by_id["ig_lea"]
    assert (lea.handle, lea.followers, lea.categories) == ("@léa.zéro", 12400,
                                                            ["beauty", "sustainability"])
    assert lea.posts[0].likes == 1320 and lea.posts[0].text == "Mon shampoing préféré"
    assert by_id["tt_max"].followers == 1200
    [error] = parsed.errors  # what is still wrong keeps its line number and field
    assert (error.line, error.field, error.record_id) == (4, "followers", "yt_bad")


def test_a_creator_whose_posts_rows_are_wrong_is_one_rejected_record(tmp_path):
    """A table's creator is its row and its posts' rows: two bad posts rows of one creator,
    and its own bad row, reject one record (each error still named with its file and line);
    a JSONL line that is no JSON at all is a record of its own. A posts table needs only
    creator_id and id: an export without a comments column (or a likes one) is read, its
    counts unknown."""
    from recommender.ingest import rejected_records

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


def test_a_creators_table_carries_the_agencys_price(tmp_path):
    """The `rate` a plan uses before the card's estimate comes from a spreadsheet too, under
    the names agency sheets give it ("Fee", "price", "tarif"), written as they write prices;
    a currency sign is refused, naming the cell: the rate is in the rate card's currency."""
    table = tmp_path / "creators.csv"
    table.write_text('id,platform,followers,bio,Fee\nc1,instagram,900,soupes,"1,250"\n'
                     "c2,instagram,900,soupes,\nc3,instagram,900,soupes,250.5\n"
                     "c4,instagram,900,soupes,€250\n"
                     'c5,instagram,900,soupes,"1 250,50"\n', "utf-8")
    parsed = read_paths([table])
    assert [(c.id, c.rate) for c in parsed.records] == [("c1", 1250.0), ("c2", None),
                                                         ("c3", 250.5), ("c5", 1250.5)]
    (error,) = parsed.errors
    assert (error.line, error.field, error.record_id) == (5, "rate", "c4")
    assert "'€250' is not a price" in error.reason


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
    assert [(e.line, e.field) for e in parsed.errors] == [(4, "handle"), (5, "creator_id")]
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


def test_a_json_file_may_hold_an_array(tmp_path):
    f = tmp_path / "creators.json"
    f.write_text(json.dumps([
        {"id": "a", "platform": "x", "followers": 10, "bio": "hello"},
        {"id": "b", "platform": "x", "followers": -1, "bio": "bad"}]))
    parsed = read_paths([f])
    assert [c.id for c in parsed.records] == ["a"]
    assert (parsed.errors[0].line, parsed.errors[0].field) == (2, "followers")
    f.write_text('[{"id": "a",')
    assert "malformed JSON" in read_paths([f]).errors[0].reason


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
    assert (f"{path}#Creators", 5, "platform") in where  # Excel's own row number
    assert (f"{path}#Posts", 5, "likes") in where  # a post's error names the posts' row
    assert any(e.file == f"{path}#Notes" and "missing column" in e.reason for e in parsed.errors)


def test_a_file_that_is_no_workbook_is_named(tmp_path):
    path = tmp_path / "creators.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    parsed = read_paths([path])
    assert parsed.records == []
    [e] = parsed.errors
    assert e.file == str(path) and e.field == "file" and "Excel workbook" in e.reason
