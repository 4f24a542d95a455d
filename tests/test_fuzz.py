"""Bounded fuzzing of the two parsers that face user input: ingest records and briefs."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from recommender.ingest import read_files, read_jsonl
from recommender.records import Parsed, validate_record
from recommender.schema import Brief

FUZZ = settings(max_examples=200, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**15, 10**15),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12)
FIELDS = ["id", "handle", "platform", "followers", "country", "language", "categories", "bio",
          "posts"]
POST_FIELDS = ["id", "text", "likes", "comments", "shares", "views", "sponsored", "posted_at"]
posts = st.lists(st.dictionaries(st.sampled_from(POST_FIELDS), values, max_size=8), max_size=3)
records = st.dictionaries(st.sampled_from(FIELDS), st.one_of(values, posts), max_size=9)


def check(parsed: Parsed) -> None:
    for e in parsed.errors:
        assert e.line >= 1 and e.field and e.reason and str(e)


@FUZZ
@given(st.binary(max_size=400))
def test_jsonl_bytes_never_crash(data):
    parsed = Parsed()
    read_jsonl(data, "fuzz.jsonl", parsed)
    check(parsed)


@FUZZ
@given(records)
def test_record_objects_never_crash(obj):
    parsed = Parsed()
    validate_record(obj, "fuzz", 1, parsed)
    check(parsed)
    assert len(parsed.records) + bool(parsed.errors) == 1
    try:
        line = json.dumps(obj, allow_nan=True).encode()
    except (ValueError, TypeError):
        return
    again = Parsed()
    read_jsonl(line, "fuzz.jsonl", again)
    check(again)


@FUZZ
@given(st.text(max_size=300), st.text(max_size=300))
def test_csv_never_crashes(creators_body, posts_body):
    parsed = Parsed()
    read_files([("c.csv", ("id,platform,followers,bio\n" + creators_body).encode()),
                    ("p.csv", ("creator_id,id,text,likes,comments\n" + posts_body).encode())],
                   parsed)
    check(parsed)


BRIEF_FIELDS = ["brief", "values", "objective", "k", "filters"]
FILTER_FIELDS = ["tiers", "countries", "languages", "platforms", "min_followers",
                 "max_followers", "min_engagement_rate", "categories", "exclude_ids"]
briefs = st.dictionaries(st.sampled_from(BRIEF_FIELDS), st.one_of(
    values, st.dictionaries(st.sampled_from(FILTER_FIELDS), values, max_size=5)), max_size=5)


@FUZZ
@given(briefs)
def test_brief_parser_never_crashes(obj):
    try:
        b = Brief.model_validate(obj)
    except ValidationError as e:
        assert e.errors()
        return
    assert b.brief and 1 <= b.k <= 1000


@FUZZ
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
       | st.text(alphabet=" -_#@'.,!0123456789abcXYZéœ’ß", max_size=60))
def test_fast_word_split_equals_the_word_pattern(text):
    """lexical.words (bytes.translate for ASCII) splits exactly as the [^\\W_]+ pattern that
    mirrors FTS5's unicode61 tokenizer."""
    from recommender.lexical import tokens as lexical

    folded = lexical.fold(text)
    assert lexical.words(folded) == lexical._WORD.findall(folded)
