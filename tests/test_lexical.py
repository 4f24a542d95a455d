"""The lexical index (lexical/fulltext.py): rare words found, filtered hits in rank order, BM25
from term vectors equal to FTS5's, document frequencies kept with every write."""


import numpy as np
from conftest import BEFORE_STEP_5, assert_bm25_equals_fts5, creator, ids_of, write_jsonl

from benchmarks import datagen
from recommender import lexical
from recommender.evaluation.systems import bm25
from recommender.ranking import Ranker, Weights
from recommender.schema import Brief
from recommender.service import Recommender
from recommender.storage import migrations


def test_exact_words_found_by_the_lexical_index(tmp_path, embedder):
    """A rare word (a product name) is found through BM25 even outside the dense pool, explained
    in matched_terms; removing the creator removes it from the lexical index too."""
    recs = [creator(f"c{i}", f"weekly thoughts about topic number {i}") for i in range(300)]
    recs.append(creator("kj", "my konjac sponge lasted three months"))
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", recs)])
    ms = rec.match(Brief(brief="konjac", k=5))
    assert ms[0].creator_id == "kj"
    assert ms[0].components["keywords"] == 1.0 and ms[0].matched_terms == ["konjac"]
    assert all(m.components["keywords"] == 0.0 for m in ms[1:])
    off = Recommender(tmp_path / "idx", create=True, embedder=embedder,
                      ranker=Ranker(weights=Weights(keywords=0.0)))
    m0 = off.match(Brief(brief="konjac", k=5))[0]
    assert m0.components["keywords"] is None and m0.matched_terms == []
    off.close()
    rec.remove(["kj"])
    assert "kj" not in ids_of(rec.match(Brief(brief="konjac", k=5)))
    terms, vids, _ = bm25(rec.catalog, "konjac", 10)
    assert terms == [] and len(vids) == 0

def test_filtered_lexical_hits_keep_rank_order_and_the_limit(tmp_path, embedder):
    """Creators using a rare word, best BM25 first, among those a filter allows: tested in
    batches against the sorted ids (a set of a large filter's ids cost more than the search),
    with the same answer for unsorted ids, an empty filter, and more matches than a batch."""
    recs = [creator(f"k{i:03d}", ("konjac " * (1 + i % 7) if i % 3 == 0 else "loofah ")
                    + f"sponge number {i}") for i in range(900)]  # konjac: 300 of 900
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", recs)])
    cat = rec.catalog
    q = cat.lexical.query("konjac")
    q.rare = ["konjac"]  # common in this small set; the look-up is what is tested
    ranked = cat.lexical.hits(q, 1000)
    assert len(ranked) == 300
    allowed = np.sort(ranked[::2])  # the 140th allowed hit is past the first batch of rows
    got = cat.lexical.hits(q, 140, allowed)
    want = [v for v in ranked.tolist() if v in set(allowed.tolist())][:140]
    assert got.tolist() == want and len(want) == 140
    assert cat.lexical.hits(q, 140, allowed[::-1]).tolist() == want  # unsorted
    assert cat.lexical.hits(q, 10, allowed[:0]).tolist() == []
    _, vids, scores = bm25(cat, "konjac", 140, allowed)
    assert vids.tolist() == want and list(scores) == sorted(scores, reverse=True)
    rec.close()


def test_python_bm25_equals_fts5(tmp_path, embedder):
    """lexical_scores (term vectors kept per creator, scored with numpy) gives FTS5's own
    bm25() to float precision, with the collection statistics read from FTS5's averages record;
    after an update and a removal too, and 0 for a creator without the words or without text."""
    recs = list(datagen.generate(120, seed=5))
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", recs)])
    assert rec.catalog.lexical.averages()[0] == 120
    texts = ("solid shampoo bar zero waste", "Trousse de voyage zéro déchet", "kettlebell")
    assert_bm25_equals_fts5(rec, texts)
    changed = dict(recs[0], bio="Kettlebell kettlebell swings, zéro déchet")
    rec.ingest([write_jsonl(tmp_path / "u.jsonl", [changed])])
    rec.remove([recs[1]["id"]])
    assert_bm25_equals_fts5(rec, texts)
    q = rec.catalog.lexical.query("kettlebell")
    without = next(r["id"] for r in recs[2:] if "kettlebell" not in lexical.body(r).lower())
    unknown = max(rec.catalog.vid_of(r["id"]) or 0 for r in recs) + 1
    assert rec.catalog.lexical.scores(q, [rec.catalog.vid_of(without), unknown]).tolist() == \
        [0.0, 0.0]

def _vocab_df(cat) -> dict[str, int]:
    return dict(cat.db.conn.execute("SELECT term, doc FROM creator_text_vocab").fetchall())

def test_term_frequencies_follow_every_write(tmp_path, embedder):
    """term_df (document frequencies kept with each write) always equals what FTS5's vocabulary
    counts: after ingest, an update that changes words, a removal, and for a catalog of
    lexical version 1 (before term_df), which is counted once on open."""
    import sqlite3

    recs = list(datagen.generate(60, seed=3))
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", recs)])
    df = dict(rec.catalog.db.conn.execute("SELECT term, df FROM term_df").fetchall())
    assert df == _vocab_df(rec.catalog) and len(df) > 100
    changed = dict(recs[0], bio="Kombucha brewer and Zéro-déchet fan")
    rec.ingest([write_jsonl(tmp_path / "u.jsonl", [changed])])
    rec.remove([recs[1]["id"], recs[2]["id"]])
    df = dict(rec.catalog.db.conn.execute("SELECT term, df FROM term_df").fetchall())
    assert df == _vocab_df(rec.catalog) and df["kombucha"] >= 1
    rec.close()
    db = sqlite3.connect(tmp_path / "idx" / "catalog.sqlite")
    # as a catalog of lexical version 1 recorded it, before numbered steps (term_df empty)
    db.executescript(BEFORE_STEP_5 + "DROP TABLE term_vectors; DROP TABLE term_df;"
                     " DELETE FROM meta WHERE key='migration';"
                     " INSERT INTO meta VALUES('schema_version', '1'), ('lexical_index', '1');")
    db.close()
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    assert dict(rec.catalog.db.conn.execute("SELECT term, df FROM term_df").fetchall()) == df
    assert rec.catalog.get_meta("migration") == str(len(migrations.STEPS))
    rec.close()


def test_stopwords_neither_score_nor_are_named_and_stems_match():
    """Before: "of", "d", "un", "en" were listed as the brief's words a creator used, and
    "recette" did not find "recettes"."""


    assert lexical.brief_words("Launch of a kit d'un an, en recettes") == [
        "launch", "kit", "recettes"]
    fr = set(lexical.analyse("Mes recettes du dimanche", "fr"))
    assert lexical.matched(["recette", "vegan"], fr) == ["recette"]
    en = set(lexical.analyse("three recipes of the week", "en"))
    assert lexical.matched(["recipe", "of"], en) == ["recipe"]
    assert "recet" in lexical.terms("recette") and lexical.terms("de la, un, of the") == []



def test_the_brief_words_used_are_named_as_the_brief_writes_them():
    """Before: the demo's French brief listed "recettes, vegetales, saison" as the words a
    creator used, folded as the index stores them."""
    assert lexical.brief_words("Kit de recettes végétales, Végétales et vegetales") == [
        "kit", "recettes", "végétales"]
    stems = set(lexical.analyse("Ma cuisine végétale de saison", "fr"))
    assert lexical.matched(["recettes", "végétales", "saison"], stems) == [
        "végétales", "saison"]
    assert lexical.terms("recettes végétales") == lexical.terms("recettes vegetales")

def test_words_that_name_a_topic_are_not_stopwords():
    """The stop-words package's English list holds "home", "free", "second" and "zero", and its
    French one "plein": "plastic-free" was looked up as "plastic", "second-hand" as "hand", and
    none of them was named in an explanation. Generic verbs and adjectives, which every
    niche's captions use, stay stopwords."""
    assert lexical.brief_words("Plastic-free home decor, second-hand and zero waste") == [
        "plastic", "free", "home", "decor", "second", "hand", "zero", "waste"]
    assert lexical.brief_words("Sorties en plein air, pièces de valeur") == [
        "sorties", "plein", "air", "pièces", "valeur"]
    assert lexical.brief_words("We want the best new creators, looking for results") == [
        "creators"]
    assert "run" in lexical.analyse("Morning run by the river", "en")
    assert lexical.analyse("Let's fix it and save money", "en") == ["fix", "save", "money"]

def test_each_text_is_stemmed_in_its_own_language():
    """A bilingual creator recorded as French: its English post gets English stems."""


    assert lexical.analyse("the best running shoes for the trails", "fr") == [
        "run", "shoe", "trail"]  # "best" is an English stopword
    assert "cours" in lexical.analyse("les meilleures chaussures pour la course en montagne", "en")


def test_a_french_brief_finds_the_plural_it_did_not_type(tmp_path, embedder):
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", [
        creator("fr1", "mes recettes végétales du dimanche", language="fr"),
        creator("fr2", "mon vélo cargo en ville", language="fr")])])
    [top] = rec.match(Brief(brief="recette végétale", k=1))
    assert top.creator_id == "fr1" and top.matched_terms == ["recette", "végétale"]
    rec.close()


def test_a_creator_writing_another_language_has_its_words_read_in_it():
    """Before: a German creator's captions were read as English or French: "und", "die",
    "für" were indexed and named, and "Rezepte" did not find "Rezept". A language both
    packages cover (a Snowball stemmer, a stopword list) is read beside English and French,
    each text by its stopwords: the German creator's English caption stays English."""
    german = "Meine liebsten Rezepte für die ganze Familie, und mit Liebe gekocht"
    assert lexical.analyse(german, "de") == ["lieb", "rezept", "ganz", "famili", "lieb", "gekocht"]
    assert {"und", "die", "fur"} <= set(lexical.analyse(german, "en"))  # as it was read
    assert lexical.analyse("the best vegan recipes for the whole family", "de") == lexical.analyse(
        "the best vegan recipes for the whole family", "en")
    assert lexical.analyse("Recetas veganas para toda la familia", "es-mx") == [
        "recet", "vegan", "famili"]
    # a region's tag names its language; an unknown code reads English and French as before
    assert lexical.analyse(german, "xx") == lexical.analyse(german, None)


def test_a_brief_in_another_language_loses_its_stopwords_when_the_index_holds_it():
    """The brief's language is read among English, French and the index's creators'
    languages: a German brief over German creators drops "für" and "die" and is stemmed in
    German too; over English and French creators alone nothing changes ("die" stays: it is a
    word in English), and the identifier is not asked."""
    brief = "Vegane Rezepte für die ganze Familie"
    assert lexical.brief_language(brief, ["en", "fr", "de"]) == "de"
    assert lexical.brief_language("vegan recipes for the whole family", ["en", "de"]) is None
    assert lexical.brief_language(brief, ["en", "fr", None]) is None
    assert lexical.brief_words(brief, "de") == ["vegane", "rezepte", "ganze", "familie"]
    assert lexical.brief_words(brief) == ["vegane", "rezepte", "für", "die", "ganze", "familie"]
    assert "rezept" in lexical.terms(brief, "de")
    stems = set(lexical.analyse("Drei schnelle Rezepte mit Linsen", "de"))
    assert lexical.matched(["rezepte", "linse"], stems, "de") == ["rezepte", "linse"]


def test_a_german_brief_over_german_creators_names_their_words_not_its_stopwords(
        tmp_path, embedder):
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", [
        creator("de1", "Unsere veganen Rezepte für die ganze Familie", language="de",
                country="DE"),
        creator("de2", "Mit dem Lastenrad durch die Stadt", language="de", country="DE"),
        creator("en1", "vegan recipes for the whole family", language="en", country="GB")])])
    [top] = rec.match(Brief(brief="Vegane Rezepte für die Familie", k=1,
                            filters={"languages": ["de"]}))
    assert top.creator_id == "de1"
    assert top.matched_terms == ["vegane", "rezepte", "familie"]
    rec.close()


def test_a_word_with_combining_marks_is_one_word(tmp_path, embedder):
    """Devanagari's and Thai's vowel signs are combining marks, not letters, to a regular
    expression: "पसंदीदा" was read as "पस", "द", "द" and named so among the brief's words. A
    word now runs through its marks, as FTS5 reads it (BM25 from the term vectors equals
    FTS5's own); an emoji's variation selector still ends a word."""
    assert lexical.words(lexical.fold("मेरी पसंदीदा रेसिपी")) == ["मेरी", "पसंदीदा", "रेसिपी"]
    assert lexical.words(lexical.fold("1️⃣ step one ❤️ love️")) == ["1", "step", "one", "love"]
    assert lexical.brief_words("पसंदीदा रेसिपी") == ["पसंदीदा", "रेसिपी"]
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", [
        creator("hi1", "पूरे परिवार के लिए मेरी पसंदीदा रेसिपी", language="hi", country="IN"),
        creator("th1", "สูตรอาหารที่ชอบ สำหรับครอบครัว", language="th", country="TH"),
        creator("en1", "my favourite family recipes", language="en", country="GB")])])
    [top] = rec.match(Brief(brief="पसंदीदा रेसिपी", k=1))
    assert top.creator_id == "hi1" and top.matched_terms == ["पसंदीदा", "रेसिपी"]
    assert_bm25_equals_fts5(rec, ("परिवार", "สูตรอาหารที่ชอบ", "family recipes"))
    rec.close()
