"""Campaign plans (rates.py, forecast.py, plan.py): prices from the rate card, the plan within
budget and mix, equal to brute force on small instances, and bad input named."""

import itertools
import json

import numpy as np
import pytest
from conftest import creator, write_jsonl

from recommender.errors import InvalidInputError
from recommender.forecast import Forecast
from recommender.plan import OVERLAP, Option, optimise, parse_mix
from recommender.rates import RateCard
from recommender.schema import Match
from recommender.service import Recommender

TIERS = ["nano", "micro", "macro"]


def option(i: int, tier: str, cost: float, reach: int, fit: float, vec=None) -> Option:
    m = Match(creator_id=f"c{i}", handle=None, platform="instagram", tier=tier,
              followers=reach * 5, engagement_rate=0.03, score=fit, components={},
              evidence=[], flags=[])
    f = Forecast(cost=cost, reach=reach, engagements=reach // 10, ugc=int(tier != "macro"),
                 fit=fit, cost_source="card", reach_source="followers")
    v = np.zeros(8) if vec is None else np.asarray(vec, float)
    if vec is None:
        v[i % 8] = 1.0
        v[(i + 3) % 8] = 0.5 + 0.01 * i
    return Option(m, f, v)


def brute_force(options, budget, mix, max_creators, kpi="reach"):
    vecs = np.stack([o.vector / np.linalg.norm(o.vector) for o in options])
    twins = {(i, j) for i in range(len(options)) for j in range(i + 1, len(options))
             if vecs[i] @ vecs[j] >= OVERLAP}
    best, best_value = [], -1.0
    value = np.array([getattr(o.forecast, kpi) for o in options], float)
    top = max(value.max(), 1e-12)
    for r in range(len(options) + 1):
        for pick in itertools.combinations(range(len(options)), r):
            if r > max_creators or sum(options[i].forecast.cost for i in pick) > budget:
                continue
            if any(a in pick and b in pick for a, b in twins):
                continue
            ok = True
            for tier, share in mix.items():
                member = [i for i, o in enumerate(options) if o.match.tier == tier]
                if not member:
                    continue
                costs = [options[i].forecast.cost for i in member]
                spend = sum(options[i].forecast.cost for i in pick if i in member)
                if spend > share * budget + max(costs):
                    ok = False
                if (sorted(costs, reverse=True)[:max_creators] and
                        sum(sorted(costs, reverse=True)[:max_creators])
                        >= share * budget - max(costs)
                        and spend < share * budget - float(np.median(costs))):
                    ok = False
            if not ok:
                continue
            v = sum(options[i].forecast.fit * (value[i] / top + 1e-3) for i in pick)
            if v > best_value + 1e-9:
                best, best_value = list(pick), v
    return best, best_value


@pytest.mark.parametrize("seed", range(6))
def test_the_plan_equals_brute_force_on_small_instances(seed):
    rng = np.random.default_rng(seed)
    options = [option(i, TIERS[int(rng.integers(0, 3))], float(rng.uniform(10, 400)),
                      int(rng.integers(100, 50_000)), float(rng.uniform(0.2, 1.0)))
               for i in range(9)]
    mix = {"nano": 0.2, "micro": 0.5, "macro": 0.3}
    budget = float(rng.uniform(300, 1200))
    plan = optimise(options, budget, mix, "reach", max_creators=5)
    expected, best_value = brute_force(options, budget, mix, 5)
    value = np.array([o.forecast.reach for o in options], float)
    got = sum(options[i].forecast.fit * (value[i] / value.max() + 1e-3) for i in plan.picks)
    if not any("dropped" in n for n in plan.notes):
        assert got == pytest.approx(best_value, rel=1e-6), (plan.picks, expected)
    assert sum(options[i].forecast.cost for i in plan.picks) <= budget + 1e-6
    assert len(plan.picks) <= 5 and plan.optimal


def test_tier_shares_hold_within_one_creators_cost_and_duplicates_are_one_audience():
    options = [option(i, t, c, 10_000, 0.9) for i, (t, c) in enumerate(
        [("macro", 900), ("macro", 800), ("micro", 200), ("micro", 150), ("micro", 120),
         ("nano", 20), ("nano", 15), ("nano", 10)])]
    twin = option(8, "macro", 850, 10_000, 0.95, vec=options[0].vector)  # same content
    plan = optimise([*options, twin], 2000, {"macro": 0.5, "micro": 0.3, "nano": 0.2}, "reach",
                    max_creators=10)
    spend = {t: sum(o.forecast.cost for i, o in enumerate([*options, twin])
                    if i in plan.picks and o.match.tier == t) for t in TIERS}
    assert spend["macro"] <= 0.5 * 2000 + 900 and spend["micro"] <= 0.3 * 2000 + 200
    assert not {0, 8} <= set(plan.picks)  # cosine >= OVERLAP: one audience, one pick
    assert float(options[0].vector @ twin.vector) / float(
        np.linalg.norm(options[0].vector) ** 2) >= OVERLAP
    assert any("near-duplicate" in n for n in plan.notes)


@pytest.mark.parametrize("spec, says", [
    ("nano=0.5,micro=0.6", "sum to 1.1, not 1"), ("mid=1", "unknown tier 'mid'"),
    ("nano", "use TIER=SHARE"), ("nano=x", "bad share"), ("nano=1.5,micro=-0.5", "between 0")])
def test_a_bad_mix_is_named(spec, says):
    with pytest.raises(InvalidInputError, match=says):
        parse_mix(spec, TIERS)


def test_rate_card_prices_overrides_and_currencies(tmp_path):
    card = RateCard()
    low = card.price("instagram", 1_000, 0.5)
    assert low == 10.0 and card.price("instagram", 9_999, 0.5) == pytest.approx(100, rel=0.01)
    assert card.price("instagram", 200, 0.5) == 5.0  # under 1k: half the nano floor at most
    assert card.price("tiktok", 20_000, 0.5) < card.price("instagram", 20_000, 0.5)
    assert card.price("instagram", 20_000, 1.0) == pytest.approx(
        1.2 * card.price("instagram", 20_000, 0.5), rel=0.01)
    assert card.price("twitch", 20_000, 0.5) == card.price("instagram", 20_000, 0.5)
    assert card.conversion("EUR") == pytest.approx(0.92)
    with pytest.raises(InvalidInputError, match="no exchange rate from USD to JPY"):
        card.conversion("JPY")
    toml = tmp_path / "card.toml"
    toml.write_text('currency = "EUR"\n[fx]\nEUR = 1.0\nUSD = 1.09\n[reach]\nnano = 0.3\n')
    eur = RateCard.load(toml)
    assert eur.currency == "EUR" and eur.reach["nano"] == 0.3
    assert eur.conversion("USD") == pytest.approx(1.09)
    bad = tmp_path / "bad.json"
    for text, says in (('{"platforms": {"instagram": [[1, 2]]}}', "give 5 \\[low, high\\]"),
                       ('{"speed": 1}', "unknown key"), ("{nope", "not valid JSON"),
                       ('{"reach": {"nano": 2}}', "at most 1.0")):
        bad.write_text(text)
        with pytest.raises(InvalidInputError, match=says):
            RateCard.load(bad)


WORDS = ["lisbon", "oslo", "quito", "hanoi", "dakar", "lima", "perth", "porto", "accra",
         "tunis", "riga", "sofia", "malmo", "cusco"]


@pytest.fixture
def small_index(tmp_path, embedder):
    """Creators of one topic, each with words of its own (no two are near-duplicates)."""
    recs = [creator(f"n{i}", f"zero waste shampoo bar review {WORDS[i]} {WORDS[i + 4]}",
                    followers=400 + i) for i in range(4)]
    recs += [creator(f"m{i}", f"zero waste shampoo bar tips {WORDS[i + 1]} {WORDS[i + 8]}",
                     followers=20_000 + i) for i in range(4)]
    recs += [creator(f"M{i}", f"zero waste shampoo bar launch {WORDS[i + 2]} {WORDS[i + 11]}",
                     followers=300_000 + i) for i in range(3)]
    recs += [creator("priced", "zero waste shampoo bar honest riga", followers=5_000,
                     rate=42.0),
             creator("bought", "zero waste shampoo bar", followers=200_000,
                     posts=[{"id": f"p{i}", "text": "zero waste shampoo bar", "likes": 2,
                             "comments": 0} for i in range(4)])]
    rec = Recommender(tmp_path / "idx", create=True, embedder=embedder)
    rec.ingest([write_jsonl(tmp_path / "c.jsonl", recs)])
    yield rec
    rec.close()


def test_a_plan_stays_within_budget_takes_an_agencys_rate_and_leaves_flagged_out(small_index):
    p = small_index.plan({"brief": "zero waste shampoo bar", "objective": "awareness"}, 5000,
                         mix="macro=0.6,micro=0.3,nano=0.1", max_creators=8)
    ids = [x["creator_id"] for x in p["picks"]]
    assert p["totals"]["cost"] <= 5000 and 0 < len(ids) <= 8 and p["optimal"]
    assert "bought" not in ids  # engagement_anomaly: left out unless asked
    assert {x["tier"] for x in p["picks"]} >= {"macro", "micro"}
    priced = small_index.plan({"brief": "zero waste shampoo bar honest"}, 5000,
                              mix="micro=1", max_creators=20)
    own = [x for x in priced["picks"] if x["creator_id"] == "priced"]
    assert own and own[0]["cost"] == 42.0 and own[0]["cost_source"] == "rate"
    assert set(p["alternatives"]) == {"best-fitting macro creators", "top of the match list",
                                      "the plan"}
    assert p["assumptions"]["formulas"]["reach"] and "estimates" in p["assumptions"]
    with_flagged = small_index.plan({"brief": "zero waste shampoo bar", "objective":
                                     "awareness"}, 50_000, allow_flagged=True, max_creators=20)
    assert with_flagged["assumptions"]["flagged_left_out"] is False


@pytest.mark.parametrize("budget, kw, says", [
    (-5, {}, "budget: must be a positive amount"), (0.5, {}, "below the cheapest candidate"),
    (1000, {"mix": "nano=0.5"}, "sum to 0.5"), (1000, {"currency": "XYZ"}, "no exchange rate"),
    (1000, {"max_creators": 0}, "max_creators")])
def test_bad_plan_input_names_the_field(small_index, budget, kw, says):
    with pytest.raises(InvalidInputError, match=says):
        small_index.plan({"brief": "zero waste shampoo bar"}, budget, **kw)


def test_plan_command_prints_writes_csv_and_refuses_bad_input(cli, tmp_path):
    idx = tmp_path / "cli-idx"
    recs = [creator(f"c{i}", "zero waste shampoo bar", followers=f) for i, f in
            enumerate((300, 600, 5_000, 40_000, 250_000, 400_000))]
    assert cli("ingest", write_jsonl(tmp_path / "c.jsonl", recs), "--index", idx)[0] == 0
    out_csv = tmp_path / "plan.csv"
    code, out, err = cli("plan", "--index", idx, "--brief", "zero waste shampoo bar",
                         "--objective", "ugc", "--budget", "3000", "--currency", "EUR",
                         "--csv", out_csv)
    assert code == 0, err
    assert "plan for 3,000.00 EUR, objective ugc" in out and "estimates, not quotes" in out
    assert "alt: top of the match list" in out
    assert out_csv.read_text(encoding="utf-8-sig").startswith("creator_id,handle,platform")
    code, out, _ = cli("plan", "--index", idx, "--brief", "zero waste shampoo bar", "--budget",
                       "3000", "--json")
    plan = json.loads(out)
    assert set(plan) >= {"budget", "currency", "objective", "mix", "optimal", "picks",
                         "totals", "by_tier", "alternatives", "assumptions"}
    code, _, err = cli("plan", "--index", idx, "--brief", "x", "--budget", "-1")
    assert code == 2 and "budget: must be a positive amount" in err


def test_a_brief_listing_several_countries_gets_one_creator_in_each():
    options = [option(i, "micro", 100, 10_000 if i < 5 else 100, 0.9) for i in range(7)]
    for i, o in enumerate(options):
        o.match.country = "FR" if i < 5 else "BE"
    spread = {"countries": ["FR", "BE"]}
    plan = optimise(options, 300, {"micro": 1.0}, "reach", max_creators=3, spread=spread)
    assert {options[i].match.country for i in plan.picks} == {"FR", "BE"}
    alone = optimise(options, 300, {"micro": 1.0}, "reach", max_creators=3)
    assert {options[i].match.country for i in alone.picks} == {"FR"}  # reach alone: FR only


def test_near_duplicates_found_block_by_block_as_all_at_once():
    from recommender.plan import near_duplicates

    rng = np.random.default_rng(5)
    base = rng.normal(size=(40, 16))
    vecs = np.concatenate([base, base[:10] + rng.normal(size=(10, 16)) * 0.01])
    unit = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
    expected = {tuple(p) for p in np.argwhere(np.triu(unit @ unit.T >= OVERLAP, k=1))}
    got = {tuple(p) for p in near_duplicates(vecs, block=7)}
    assert got == expected and len(got) >= 10
