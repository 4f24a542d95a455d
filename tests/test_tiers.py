import pytest

from recommender.tiers import INDUSTRY, MISSION, scheme


@pytest.mark.parametrize("followers,tier", [
    (0, "nano"), (999, "nano"), (1_000, "micro"), (100_000, "micro"), (100_001, "macro"),
    (50_000_000, "macro")])
def test_mission_bounds(followers, tier):
    assert MISSION.tier_of(followers).name == tier


@pytest.mark.parametrize("followers,tier", [
    (500, "nano"), (9_999, "nano"), (10_000, "micro"), (99_999, "micro"), (100_000, "mid"),
    (499_999, "mid"), (500_000, "macro"), (999_999, "macro"), (1_000_000, "mega")])
def test_industry_bounds(followers, tier):
    assert INDUSTRY.tier_of(followers).name == tier


def test_fit_by_objective():
    assert MISSION.fit("awareness", "macro") == 1.0
    assert MISSION.fit("awareness", "micro") == 0.5
    assert MISSION.fit("awareness", "nano") == 0.0
    assert MISSION.fit("engagement", "micro") == 1.0
    assert MISSION.fit("conversion", "nano") == 0.5
    assert MISSION.fit("ugc", "nano") == 1.0
    assert MISSION.fit("ugc", "macro") == 0.0
    assert MISSION.fit(None, "macro") is None
    assert INDUSTRY.fit("awareness", "mega") == 1.0
    assert INDUSTRY.fit("awareness", "mid") == 0.5


def test_custom_bounds_and_errors():
    s = scheme("mission:0,5000,250000")
    assert s.tier_of(4_999).name == "nano" and s.tier_of(5_000).name == "micro"
    assert s.tier_of(250_000).name == "macro"
    assert scheme("industry") is INDUSTRY
    with pytest.raises(ValueError, match="unknown tier scheme"):
        scheme("nope")
    with pytest.raises(ValueError, match="strictly increase"):
        scheme("mission:0,5000,5000")
    with pytest.raises(ValueError, match="needs 3"):
        scheme("mission:0,5000")
