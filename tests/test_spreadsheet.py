"""Creator lists as spreadsheets export them (spreadsheet.py, through ingest.py)."""

import json

from recommender import spreadsheet
from recommender.ingest import read_paths


def test_columns_delimiters_and_encodings():
    assert spreadsheet.column(" Follower Count ") == "followers"
    assert spreadsheet.column("Username") == "handle" and spreadsheet.column("bio") == "bio"
    assert [spreadsheet.column(h) for h in ("Subscribers", "subscriberCount", "fans",
                                            "Niche")] == [
        "followers", "followers", "followers", "categories"]
    # a French export's or agency's own names
    assert [spreadsheet.column(h) for h in ("Réseau social", "Pseudo", "Légende", "J'aime",
                                            "Commentaires", "Date de publication",
                                            "Sponsorisé", "Catégorie")] == [
        "platform", "handle", "text", "likes", "comments", "posted_at", "sponsored",
        "categories"]
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
    assert (error.line, error.field, error.record_id) == (4, "Follower Count", "yt_bad")


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
    assert (error.line, error.field, error.record_id) == (5, "Fee", "c4")
    assert "'€250' is not a price" in error.reason


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
