"""Filters (storage/filters.py over storage/columns.py): every filter honoured exactly, checked
against a plain re-implementation over random filters."""

import json
import random

import pytest
from conftest import ids_of

import index.faiss_backends as backends
from benchmarks import datagen
from recommender.embedding import HashEmbedder
from recommender.schema import Brief
from recommender.service import Recommender


def random_filters(rng: random.Random) -> dict:
    f = {}
    if rng.random() < 0.5:
        f["tiers"] = rng.sample(["nano", "micro", "macro"], rng.randint(1, 2))
    if rng.random() < 0.4:
        f["countries"] = rng.sample(["FR", "GB", "US", "CA", "BE"], rng.randint(1, 2))
    if rng.random() < 0.4:
        f["languages"] = [rng.choice(["en", "fr"])]
    if rng.random() < 0.4:
        f["platforms"] = rng.sample(["instagram", "tiktok", "youtube", "x"], 2)
    if rng.random() < 0.4:
        f["categories"] = [rng.choice(["beauty", "fashion", "gaming", "sustainability"])]
    if rng.random() < 0.3:
        f["min_followers"] = rng.choice([500, 5_000, 50_000])
    if rng.random() < 0.3:
        f["max_followers"] = rng.choice([2_000, 80_000, 1_000_000])
    if rng.random() < 0.3:
        f["min_engagement_rate"] = rng.choice([0.01, 0.03, 0.06])
    return f

def passes(rec_dict: dict, tier: str, er, f: dict) -> bool:
    r = rec_dict
    return all([
        tier in f.get("tiers", [tier]),
        r.get("country") in f.get("countries", [r.get("country")]),
        r.get("language") in f.get("languages", [r.get("language")]),
        r["platform"] in f.get("platforms", [r["platform"]]),
        not f.get("categories") or set(r["categories"]) & set(f["categories"]),
        r["followers"] >= f.get("min_followers", 0),
        r["followers"] <= f.get("max_followers", 10**12),
        "min_engagement_rate" not in f or (er is not None and er >= f["min_engagement_rate"]),
        r["id"] not in f.get("exclude_ids", []),
    ])

@pytest.mark.parametrize("flat_max", [backends.FLAT_MAX, 50])
def test_every_filter_honoured_exactly(tmp_path, monkeypatch, flat_max):
    """Random filter combinations on flat and IVF indexes: every returned creator passes, and
    when fewer creators pass than k, all of them come back."""
    monkeypatch.setattr(backends, "FLAT_MAX", flat_max)
    src = datagen.write_jsonl(tmp_path / "gen.jsonl", 240, seed=3)
    rec = Recommender(tmp_path / "idx", create=True, embedder=HashEmbedder())
    rec.ingest([src])
    assert rec.stats()["index_kind"] == ("ivf" if flat_max == 50 else "flat")
    records = {json.loads(line)["id"]: json.loads(line) for line in open(src)}
    info = {cid: rec.get(cid) for cid in records}
    rng = random.Random(5)
    for _ in range(40):
        f = random_filters(rng)
        f["exclude_ids"] = rng.sample(sorted(records), 3)
        k = rng.choice([5, 20, 300])
        ms = rec.match(Brief(brief=rng.choice(["zero waste beauty", "gaming stream", "travel"]),
                             objective=rng.choice([None, "ugc", "awareness"]), k=k, filters=f))
        allowed = {cid for cid, r in records.items()
                   if passes(r, info[cid]["tier"], info[cid]["signals"]["engagement_rate"], f)}
        got = ids_of(ms)
        assert set(got) <= allowed, f
        assert len(got) == min(k, len(allowed)), f
        assert len(set(got)) == len(got)


def test_a_value_first_seen_after_a_match_is_named_in_the_next():
    """The columns name each creator's tier and language from their codes, kept between
    matches; a language first written after a match is named in the next, not read as
    another's."""
    import numpy as np

    from recommender.storage.columns import FilterColumns

    cols = FilterColumns()
    cols.set(1, "micro", "FR", "fr", "instagram", 5_000, 0.03, ["beauty"], 0.5, 1.0)
    assert list(cols.features(np.array([1]))[4]) == ["fr"]
    cols.set(2, "nano", "GB", "en", "tiktok", 500, 0.05, ["food"], 0.5, 1.0)
    live, tiers, _, _, languages = cols.features(np.array([1, 2]))
    assert list(live) == [True, True]
    assert list(tiers) == ["micro", "nano"] and list(languages) == ["fr", "en"]


def test_a_language_without_its_region_takes_in_its_regional_variants(tmp_path):
    """Exports write a creator's language with its region ("fr-FR", "en_US" as locales write
    it): a filter on "fr" found none of them, and one on "en" was refused ("no creator in this
    index has language 'en'; it holds en-gb, ..."). A language asked without a region takes in
    its regional variants; one asked with a region is that region only; a language none holds
    is still named."""
    from conftest import creator

    from recommender.errors import InvalidInputError

    rec = Recommender(tmp_path / "idx", create=True, embedder=HashEmbedder())
    rec.upsert([creator("fr_plain"), creator("fr_fr", language="fr-FR"),
                creator("fr_ca", language="fr_CA"), creator("en_gb", language="en_GB"),
                creator("en_us", language="en-us")])
    assert rec.get("fr_ca")["record"]["language"] == "fr-ca"

    def langs(*asked):
        return sorted(ids_of(rec.match(Brief(brief="zero waste", k=10,
                                             filters={"languages": list(asked)}))))

    assert langs("fr") == ["fr_ca", "fr_fr", "fr_plain"]
    assert langs("French") == langs("fr")
    assert langs("fr-CA") == ["fr_ca"]
    assert langs("en") == ["en_gb", "en_us"]
    assert langs("en-gb", "fr-fr") == ["en_gb", "fr_fr"]
    with pytest.raises(InvalidInputError, match="language 'es'"):
        langs("es")
    with pytest.raises(InvalidInputError, match="language 'en-au'"):
        langs("en-AU")
