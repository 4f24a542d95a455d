"""Values as exports and people write them (cells.py): counts, prices, rates, yes and no,
dates, categories, platform and objective names."""

import pytest

from recommender import cells


@pytest.mark.parametrize("raw, want", [
    ("12,400", "12400"), ("12 400", "12400"), ("12\u202f400", "12400"), ("12.400", "12400"),
    ("1,234,567", "1234567"), ("12.4k", "12400"), ("1,2M", "1200000"), ("350", "350"),
    ("12,40", "12,40"), ("many", "many"),
    # a float column, as pandas writes one with an empty cell; a real fraction stays refused
    ("12400.0", "12400"), ("350,00", "350"), ("-1.0", "-1"), ("12400.5", "12400.5")])
def test_counts_as_people_write_them(raw, want):
    assert cells.count(raw) == want



@pytest.mark.parametrize("raw, want", [
    ("", None), (" ", None), (None, None), ("hidden", None), ("N/A", None), (-1, None),
    ("-1", None), ("12,4k", 12400), (320.0, 320), (0, 0)])
def test_a_count_the_platform_hides_is_unknown_not_zero(raw, want):
    got = cells.hidden_or_count(raw)
    assert (int(got) if isinstance(got, str) else got) == want


@pytest.mark.parametrize("raw", ["lots", "12400.5", True, float("nan")])
def test_what_is_no_count_is_refused(raw):
    with pytest.raises(ValueError):
        cells.hidden_or_count(raw)


def test_a_refused_count_says_how_to_write_one():
    with pytest.raises(ValueError, match=r"'lots' is not a count.*leave it out or write null"):
        cells.hidden_or_count("lots")


@pytest.mark.parametrize("raw, want", [
    ("3.2%", 0.032), ("3,2 %", 0.032), ("0.032", 0.032), (0.032, 0.032), ("5%", 0.05)])
def test_engagement_rates_as_written(raw, want):
    assert cells.engagement_share(raw) == pytest.approx(want)


def test_a_bare_percentage_is_refused_naming_it():
    with pytest.raises(ValueError, match=r"did you mean 3\.2% \(= 0\.032\)"):
        cells.engagement_share("3.2")
    with pytest.raises(ValueError, match="not a rate"):
        cells.engagement_share("high")
    with pytest.raises(ValueError, match="not a boolean"):
        cells.engagement_share(True)


@pytest.mark.parametrize("raw, want", [
    ("1,250", 1250.0), ("1 250", 1250.0), ("1.2k", 1200.0), ("250,50", 250.5), ("", None),
    (99.5, 99.5)])
def test_prices_as_spreadsheets_write_them(raw, want):
    assert cells.price(raw) == want


def test_a_price_with_its_currency_sign_is_refused():
    with pytest.raises(ValueError, match="without its sign"):
        cells.price("€250")


def test_yes_no_dates_and_categories():
    assert [cells.yes_no(v) for v in ("oui", "NON", "vrai", "faux", "", None, True)] == \
        [True, False, True, False, False, False, True]
    assert cells.date("") is None and cells.date("2026-10-01") == "2026-10-01"
    with pytest.raises(ValueError, match="2026-10-01 \\(ISO 8601"):
        cells.date("01/10/2026")
    assert cells.categories("beauty; travel|") == ["beauty", " travel"]
    assert cells.categories(None) == [] and cells.categories(["a"]) == ["a"]


def test_platform_and_objective_names_as_people_write_them():
    assert cells.platform_name(" IG ") == "instagram"
    assert cells.platform_name("YouTube  Shorts") == "youtube"
    with pytest.raises(ValueError, match="'myspace' is not a platform this reads; use one"):
        cells.platform_name("myspace")
    with pytest.raises(ValueError, match="'tiktk' is not a platform this reads; did you mean "
                                         "tiktok\\?"):
        cells.platform_name("tiktk")


def test_a_mistyped_platform_is_named_with_the_one_meant_in_a_brief_and_a_record():
    """A brief's platform filter "tiktk" was answered with pydantic's list of the eleven
    platforms ("Input should be 'instagram', 'tiktok', ..."); it, and a record's, now say which
    one was most likely meant."""
    from pydantic import ValidationError

    from recommender.schema import Brief, Creator

    with pytest.raises(ValidationError, match="did you mean tiktok\\?"):
        Brief.model_validate({"brief": "x", "filters": {"platforms": ["Instagram", "tiktk"]}})
    assert Brief.model_validate({"brief": "x", "filters": {"platforms": ["IG"]}}
                                ).filters.platforms == ["instagram"]
    with pytest.raises(ValidationError, match="did you mean youtube\\?"):
        Creator.model_validate({"id": "a", "platform": "youtub", "followers": 10})
    assert cells.objective_name("ROI") == "conversion"
    assert cells.objective_name("Notoriété") == "awareness"
    assert cells.objective_name("something") == "something"  # left for validation to name
