"""The catalog's schema as numbered steps, applied in order, each once, and recorded.

A new catalog runs every step; an older one runs the steps it lacks, once, when it is opened.
Each step is a function of the open write transaction; its number is its place in ``STEPS``.
Never edit a released step: add the next one.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable

from index.store import ReadOnlyIndexError

from ..lexical import body, term_vector
from .checksums import CREATOR_CONTENT, checksum
from .database import Database

log = logging.getLogger("creator_match")

META_KEY = "migration"  # how many steps this catalog has had


def m001_creators(conn: sqlite3.Connection) -> None:
    """Creators, their categories and texts, the text-embedding cache, the deletion journal."""
    for ddl in (
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE creators(
          vid INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, handle TEXT,
          platform TEXT NOT NULL, followers INTEGER NOT NULL, country TEXT, language TEXT,
          tier TEXT NOT NULL, engagement_rate REAL, engagement REAL NOT NULL,
          authenticity REAL NOT NULL, signals TEXT NOT NULL, record TEXT NOT NULL,
          record_hash TEXT NOT NULL, vector BLOB NOT NULL, gen INTEGER NOT NULL,
          updated_at TEXT NOT NULL)""",
        "CREATE INDEX creators_gen ON creators(gen)",
        "CREATE TABLE tombstones(vid INTEGER PRIMARY KEY, gen INTEGER NOT NULL)",
        "CREATE INDEX creators_tier ON creators(tier)",
        "CREATE INDEX creators_country ON creators(country)",
        "CREATE INDEX creators_language ON creators(language)",
        "CREATE INDEX creators_platform ON creators(platform)",
        "CREATE INDEX creators_followers ON creators(followers)",
        """CREATE TABLE categories(category TEXT NOT NULL, vid INTEGER NOT NULL,
          PRIMARY KEY(category, vid)) WITHOUT ROWID""",
        "CREATE INDEX categories_vid ON categories(vid)",
        """CREATE TABLE texts(vid INTEGER NOT NULL, position INTEGER NOT NULL, post_id TEXT,
          text_hash TEXT NOT NULL, PRIMARY KEY(vid, position)) WITHOUT ROWID""",
        "CREATE INDEX texts_hash ON texts(text_hash)",
        "CREATE TABLE text_vectors(hash TEXT PRIMARY KEY, vector BLOB NOT NULL) WITHOUT ROWID",
        "INSERT INTO meta(key, value) VALUES('generation', '0')",
    ):
        conn.execute(ddl)


def m002_full_text(conn: sqlite3.Connection) -> None:
    """The lexical index: one FTS5 document per creator (bio and posts), rowid = vid.
    unicode61 folds case and, with remove_diacritics 2, accents ("déchet" matches "dechet");
    '#' and '@' separate tokens, so "#fixitfriday" is found by "fixitfriday". Its token
    characters are letters, digits and combining marks (M*, beside its default L* N* Co), as
    lexical.words reads a word: a Devanagari or Thai word runs through its vowel signs. (An
    index created before step 16 tokenized without M*; step 16 creates it again where a
    creator writes a language other than English and French.)"""
    conn.execute('CREATE VIRTUAL TABLE creator_text USING fts5('
                 """body, tokenize = "unicode61 remove_diacritics 2 categories 'L* N* Co M*'")""")
    conn.execute("CREATE VIRTUAL TABLE creator_text_vocab USING fts5vocab(creator_text, row)")
    rows = conn.execute("SELECT vid, record, language FROM creators").fetchall()
    conn.executemany("INSERT INTO creator_text(rowid, body) VALUES(?, ?)",
                     [(vid, body(json.loads(rec), language)) for vid, rec, language in rows])


def m003_term_frequencies(conn: sqlite3.Connection) -> None:
    """Each term's document frequency, kept with every write: fts5vocab counts it by reading
    the term's whole posting list (9 ms for a common word at a million creators)."""
    conn.execute("CREATE TABLE term_df(term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID")
    conn.execute("INSERT INTO term_df(term, df) SELECT term, doc FROM creator_text_vocab")


def m004_term_vectors(conn: sqlite3.Connection) -> None:
    """Each creator's token count and term vector (lexical.term_vector), written with its
    document: BM25 of a candidate pool reads these instead of re-splitting the texts."""
    conn.execute("CREATE TABLE term_vectors(vid INTEGER PRIMARY KEY, length INTEGER NOT NULL,"
                 " terms BLOB NOT NULL)")
    docs = conn.execute("SELECT id, c0 FROM creator_text_content")
    while batch := docs.fetchmany(10_000):
        length_vec = [(vid, *term_vector(text)[::2]) for vid, text in batch]
        conn.executemany("INSERT INTO term_vectors(vid, length, terms) VALUES(?, ?, ?)",
                         length_vec)


def m005_row_checksums(conn: sqlite3.Connection) -> None:
    """A checksum of each creator row's content and of each cached vector (checksums.py):
    SQLite's integrity check sees the file's structure, not a flipped bit in a record."""
    conn.execute("ALTER TABLE creators ADD COLUMN checksum TEXT")
    conn.execute("ALTER TABLE text_vectors ADD COLUMN checksum TEXT")
    columns = ", ".join(CREATOR_CONTENT)
    rows = conn.execute(f"SELECT vid, {columns} FROM creators")
    while batch := rows.fetchmany(10_000):
        conn.executemany("UPDATE creators SET checksum=? WHERE vid=?",
                         [(checksum(content), vid) for vid, *content in batch])
    rows = conn.execute("SELECT hash, vector FROM text_vectors")
    while batch := rows.fetchmany(50_000):
        conn.executemany("UPDATE text_vectors SET checksum=? WHERE hash=?",
                         [(checksum((h, vec)), h) for h, vec in batch])


def m006_handle_index(conn: sqlite3.Connection) -> None:
    """Handles are accepted wherever an id is (similar @lea.zd): look them up by index."""
    conn.execute("CREATE INDEX creators_handle ON creators(handle)")


def m007_analysed_text(conn: sqlite3.Connection) -> None:
    """The lexical index again with language-aware analysis (lexical/tokens.py: stopwords out,
    Snowball stems): an index written by steps 2-4 before it held raw words, so "de" scored
    and "recette" missed "recettes". Rebuilt from the records, the source of truth."""
    for table in ("creator_text_vocab", "creator_text", "term_df", "term_vectors"):
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    for step in (m002_full_text, m003_term_frequencies, m004_term_vectors):
        step(conn)


def m008_bio_nearest_post(conn: sqlite3.Connection) -> None:
    """The bio_mismatch flag again, by the bio's nearest post instead of the posts' mean
    direction. Step 9 recomputes the same flag by a later rule from the same stored vectors,
    and every catalog that runs this step runs that one next: nothing is left to do here."""


def m009_bio_claims_and_disclosures(conn: sqlite3.Connection) -> None:
    """Three signals again, by rules that read the texts (signals.py), recomputed from the
    stored records and text vectors with the authenticity they cost:
    * bio_mismatch: a bio far from the posts is flagged only when it names at least 8 things
      and the posts use fewer than a fifth of them, so that a bio that says little ("📍 Paris |
      DM for collabs") is no longer taken for keyword stuffing;
    * sponsored posts: a caption that discloses a paid post (#ad, #sponsorisé, "paid
      partnership") makes it sponsored where the record left the field unset, which the
      sponsored_ratio and the sponsored_saturation flag count;
    * the language of a creator whose record gives none, detected in its texts (locales.py),
      which the language column (filters, results) takes."""
    import numpy as np

    from ..locales import detect_language
    from ..signals import authenticity_of, bio_coherence, bio_flag, discloses, saturation
    from .catalog import stored_language
    from .database import from_blob

    vids = [v for (v,) in conn.execute("SELECT vid FROM creators ORDER BY vid")]
    columns = ", ".join(CREATOR_CONTENT)
    redone = ("sponsored_saturation", "bio_mismatch")
    for start in range(0, len(vids), 5_000):
        chunk = vids[start:start + 5_000]
        marks = ",".join("?" * len(chunk))
        texts: dict[int, tuple[list[np.ndarray], list[np.ndarray]]] = {}
        for vid, post_id, blob in conn.execute(
                "SELECT t.vid, t.post_id, v.vector FROM texts t JOIN text_vectors v"
                f" ON v.hash = t.text_hash WHERE t.vid IN ({marks}) ORDER BY t.vid, t.position",
                chunk):
            bio, post_vectors = texts.setdefault(vid, ([], []))
            (bio if post_id is None else post_vectors).append(from_blob(blob))
        updates = []
        for vid, *content in conn.execute(
                f"SELECT vid, {columns} FROM creators WHERE vid IN ({marks})", chunk):
            row = dict(zip(CREATOR_CONTENT, content, strict=True))
            signals, record = json.loads(row["signals"]), json.loads(row["record"])
            items = record.get("posts") or []
            said = [bool(p.get("sponsored")) for p in items]
            shown = [not s and discloses(p.get("text")) for s, p in zip(said, items, strict=True)]
            sponsored = sum(said) + sum(shown)
            bio, vecs = texts.get(vid, ([], []))
            found = [saturation(sponsored, len(items)),
                     bio_flag(bio_coherence(bio[0], np.stack(vecs)) if bio and vecs else None,
                              record.get("bio"), [p["text"] for p in items if p.get("text")],
                              record.get("language"))]
            old = signals.get("flags", [])
            flags = ([{"name": f.name, "evidence": f.evidence, "penalty": f.penalty}
                      for f in found[:1] if f is not None]
                     + [f for f in old if f["name"] not in redone and f["penalty"] > 0]
                     + [{"name": f.name, "evidence": f.evidence, "penalty": f.penalty}
                        for f in found[1:] if f is not None]
                     + [f for f in old if f["name"] not in redone and f["penalty"] == 0])
            ratio = sponsored / len(items) if items else None
            detected = None if record.get("language") else detect_language(
                [record.get("bio") or "", *(p.get("text") or "" for p in items)])
            told = None if detected is None else {"code": detected[0], "probability": detected[1]}
            language = stored_language(record, {"detected_language": told})
            if (flags == old and signals.get("sponsored_ratio") == ratio
                    and signals.get("sponsored_disclosed", 0) == sum(shown)
                    and row["language"] == language):
                continue
            authenticity = authenticity_of(f["penalty"] for f in flags)
            signals.update(flags=flags, authenticity=authenticity, sponsored_ratio=ratio,
                           sponsored_disclosed=sum(shown), detected_language=told)
            row.update(signals=json.dumps(signals), authenticity=authenticity, language=language)
            updates.append((row["signals"], authenticity, language,
                            checksum([row[c] for c in CREATOR_CONTENT]), vid))
        conn.executemany("UPDATE creators SET signals=?, authenticity=?, language=?, checksum=?"
                         " WHERE vid=?", updates)


def m010_trap_penalties(conn: sqlite3.Connection) -> None:
    """The flags that make a creator a trap on their own evidence cost more than two tier
    steps (signals.py): sponsored_saturation 0.6 to 0.9 (was 0.3 to 0.7), bio_mismatch 0.75
    (was 0.5); each stored flag's penalty and the authenticity they add up to, again."""
    from ..signals import BIO_MISMATCH_PENALTY, authenticity_of, saturation_penalty

    columns = ", ".join(CREATOR_CONTENT)
    updates = []
    for vid, *content in conn.execute(
            f"SELECT vid, {columns} FROM creators WHERE signals LIKE '%sponsored_saturation%'"
            " OR signals LIKE '%bio_mismatch%'"):
        row = dict(zip(CREATOR_CONTENT, content, strict=True))
        signals = json.loads(row["signals"])
        for f in signals.get("flags", []):
            if f["name"] == "bio_mismatch":
                f["penalty"] = BIO_MISMATCH_PENALTY
            elif f["name"] == "sponsored_saturation":
                f["penalty"] = saturation_penalty(signals["sponsored_ratio"])
        authenticity = authenticity_of(f["penalty"] for f in signals.get("flags", []))
        signals["authenticity"] = authenticity
        row.update(signals=json.dumps(signals), authenticity=authenticity)
        updates.append((row["signals"], authenticity,
                        checksum([row[c] for c in CREATOR_CONTENT]), vid))
    conn.executemany("UPDATE creators SET signals=?, authenticity=?, checksum=? WHERE vid=?",
                     updates)


def m011_categories_in_text(conn: sqlite3.Connection) -> None:
    """The lexical index again with each creator's categories beside its bio and posts
    (lexical/tokens.py body): a brief that names a niche finds the creators filed under it.
    Rebuilt from the records, as step 7 does."""
    m007_analysed_text(conn)


def m012_each_text_once_in_content_vectors(conn: sqlite3.Connection) -> None:
    """Each creator's content vector again, each of its distinct text vectors once
    (textcache.content_vector), for the creators whose texts repeat one (a caption posted again):
    the content vector is what the ranker's content component reads, and one caption reposted
    three times is one piece of evidence. Computed from the cached text vectors (nothing is
    encoded); the rows changed take a new generation, so the vector index replays them when it
    opens, as it replays any write."""
    from .database import from_blob, to_blob
    from .textcache import content_vector

    vids = [v for (v,) in conn.execute(
        "SELECT t.vid FROM texts t JOIN text_vectors v ON v.hash = t.text_hash GROUP BY t.vid"
        " HAVING COUNT(*) > COUNT(DISTINCT v.vector) ORDER BY t.vid")]
    if not vids:
        return
    (gen,) = conn.execute("SELECT CAST(value AS INTEGER) + 1 FROM meta WHERE key='generation'"
                          ).fetchone()
    columns = ", ".join(CREATOR_CONTENT)
    for start in range(0, len(vids), 5_000):
        chunk = vids[start:start + 5_000]
        marks = ",".join("?" * len(chunk))
        texts: dict[int, list[bytes]] = {}
        for vid, blob in conn.execute(
                "SELECT t.vid, v.vector FROM texts t JOIN text_vectors v ON v.hash = t.text_hash"
                f" WHERE t.vid IN ({marks}) ORDER BY t.vid, t.position", chunk):
            texts.setdefault(vid, []).append(blob)
        updates = []
        for vid, *content in conn.execute(
                f"SELECT vid, {columns} FROM creators WHERE vid IN ({marks})", chunk):
            row = dict(zip(CREATOR_CONTENT, content, strict=True))
            row["vector"] = to_blob(content_vector([from_blob(b) for b in texts[vid]]))
            updates.append((row["vector"], gen, checksum([row[c] for c in CREATOR_CONTENT]),
                            vid))
        conn.executemany("UPDATE creators SET vector=?, gen=?, checksum=? WHERE vid=?", updates)
    conn.execute("UPDATE meta SET value=? WHERE key='generation'", (str(gen),))


def m013_topic_words_not_stopwords(conn: sqlite3.Connection) -> None:
    """The lexical index again, and the bio_mismatch flag that counts a bio's words, after the
    words that name a topic left the stopword lists (lexical/tokens.py): "home", "free",
    "second", "zero", "run", "plein" were dropped from every text, so "plastic-free" was
    indexed as "plastic" and a brief for home decor looked up "decor" alone. Rebuilt from the
    records as step 7 does; the flags as step 9 computes them."""
    m007_analysed_text(conn)
    m009_bio_claims_and_disclosures(conn)


def m014_engagement_norms_by_platform(conn: sqlite3.Connection) -> None:
    """Engagement compared with the median of the creator's platform and tier in the index once
    there are enough of them (recommender/norms.py), not with one figure per tier for every
    platform: the engagement component, the engagement_anomaly flag and the authenticity of
    the creators of every group whose median is known, again from their stored rates."""
    from ..tiers import scheme
    from .norms import groups_of, renorm

    row = conn.execute("SELECT value FROM meta WHERE key='tier_scheme'").fetchone()
    if row is None:
        return  # nothing written yet
    renorm(conn, groups_of(conn), scheme(row[0]), None)


def m015_unborne_hashtags_not_read(conn: sqlite3.Connection) -> None:
    """Hashtags that no caption bears out, when they are most of a creator's many, are not
    read as what it talks about (hashtags.py: hashtag stuffing). The lexical index again from
    the records, when some creator carries such hashtags. Their posts' vectors need the
    encoder, which a migration has not: their record hashes are cleared, so that ingesting
    their records again re-encodes them (a warning says how many)."""
    from ..hashtags import unborne

    stale = []
    for vid, record in conn.execute("SELECT vid, record FROM creators ORDER BY vid"):
        posts = json.loads(record).get("posts") or []
        if unborne([p.get("text") for p in posts]):
            stale.append(vid)
    if not stale:
        return
    m007_analysed_text(conn)
    columns = ", ".join(CREATOR_CONTENT)
    for start in range(0, len(stale), 5_000):
        chunk = stale[start:start + 5_000]
        marks = ",".join("?" * len(chunk))
        updates = []
        for vid, *content in conn.execute(
                f"SELECT vid, {columns} FROM creators WHERE vid IN ({marks})", chunk):
            row = dict(zip(CREATOR_CONTENT, content, strict=True))
            row["record_hash"] = ""
            updates.append((checksum([row[c] for c in CREATOR_CONTENT]), vid))
        conn.executemany("UPDATE creators SET record_hash='', checksum=? WHERE vid=?", updates)
    log.warning("%d creators carry hashtags that none of their captions bears out: their words "
                "are indexed without them now; ingest their records again to encode their "
                "posts without them", len(stale))


def m016_words_in_each_language(conn: sqlite3.Connection) -> None:
    """Each creator's words read in its own language when that is one of lexical.tokens.OTHER
    (German, Spanish, Italian, ...: their stopwords out, their Snowball stems), where they were
    read as English or French, and words of scripts with combining marks (Devanagari's and
    Thai's vowel signs) kept whole, where they were split at each mark. The lexical index
    again from the records, when some creator writes a language other than English and
    French; a catalogue of English and French creators is read as before."""
    from ..lexical.tokens import LANGUAGES, base_language

    held = [code for (code,) in conn.execute("SELECT DISTINCT language FROM creators")]
    if any(code and base_language(code) not in LANGUAGES for code in held):
        m007_analysed_text(conn)


def m017_stated_rates_not_norms(conn: sqlite3.Connection) -> None:
    """A rate a record states (an agency's list, signals.engagement_source "stated") is the
    export's figure, not measured: it no longer counts in its peers' engagement norm
    (norms.py), where an agency's rates, often measured another way, moved the median that
    measured creators are flagged against. Each row says whether its rate is stated
    (rate_stated, read into the filter columns), and the norms are measured again."""
    from ..tiers import scheme
    from .norms import groups_of, renorm

    if "rate_stated" not in {r[1] for r in conn.execute("PRAGMA table_info(creators)")}:
        conn.execute("ALTER TABLE creators ADD COLUMN rate_stated INTEGER NOT NULL DEFAULT 0")
    stated = conn.execute("UPDATE creators SET rate_stated=1 WHERE "
                          "json_extract(signals, '$.engagement_source')='stated'").rowcount
    row = conn.execute("SELECT value FROM meta WHERE key='tier_scheme'").fetchone()
    if stated and row is not None:
        renorm(conn, groups_of(conn), scheme(row[0]), None)


STEPS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    m001_creators, m002_full_text, m003_term_frequencies, m004_term_vectors,
    m005_row_checksums, m006_handle_index, m007_analysed_text, m008_bio_nearest_post,
    m009_bio_claims_and_disclosures, m010_trap_penalties, m011_categories_in_text,
    m012_each_text_once_in_content_vectors, m013_topic_words_not_stopwords,
    m014_engagement_norms_by_platform, m015_unborne_hashtags_not_read,
    m016_words_in_each_language, m017_stated_rates_not_norms)

# Catalogs written before numbered steps recorded 'schema_version' 1 and 'lexical_index':
# absent (no lexical index), "1" (FTS5 only), "2" (with term_df), "3" (with term vectors).
_LEGACY_LEXICAL = {None: 1, "1": 2, "2": 3, "3": 4}


def applied(conn: sqlite3.Connection) -> int:
    """How many steps this catalog has had (0: a new file)."""
    try:
        meta = dict(conn.execute(
            "SELECT key, value FROM meta WHERE key IN (?, 'schema_version', 'lexical_index')",
            (META_KEY,)).fetchall())
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):
            return 0
        raise
    if META_KEY in meta:
        return int(meta[META_KEY])
    if "schema_version" in meta:
        return _LEGACY_LEXICAL[meta.get("lexical_index")]
    return 0


def migrate(db: Database) -> list[str]:
    """Apply the steps this catalog lacks, in one write transaction (so that two processes
    opening a new catalog at once cannot both run them); returns the names of those run."""
    if applied(db.conn) == len(STEPS):
        return []  # the common case: readers never take the write lock
    if db.read_only:
        steps = ", ".join(step.__name__ for step in STEPS[applied(db.conn):])
        raise ReadOnlyIndexError(f"{db.path}: this catalog needs upgrading ({steps}), which "
                                 "writes: open it once with write access")
    with db.write():
        done = applied(db.conn)  # again, under the lock: another process may have run them
        todo = STEPS[done:]
        if todo and done:  # minutes at millions of creators: say why the open waits
            n = db.conn.execute("SELECT COUNT(*) FROM creators").fetchone()[0]
            log.warning("%s: upgrading the catalog of %d creators (%s), once", db.path, n,
                        ", ".join(step.__name__ for step in todo))
        for step in todo:
            step(db.conn)
        if todo:
            db.set_meta(META_KEY, str(len(STEPS)))
    return [step.__name__ for step in todo]
