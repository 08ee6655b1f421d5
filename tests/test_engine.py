"""The forecast engine: known answers, invariants, and honesty on our own history."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kjqg_model.analysis.evaluate as ev
import kjqg_model.engine.projection as pj
from kjqg_model import evaluate_targets, forecast_series, project, required_growth
from kjqg_model.analysis.outcomes import outcome
from kjqg_model.engine.trend import fixed_pool
from kjqg_model.inputs.context import Context
from kjqg_model.inputs.errors import InputError
from kjqg_model.inputs.history import load_history
from kjqg_model.inputs.targets import Target

from .conftest import write_csv


def target(**kw) -> Target:
    base = dict(
        plan="test",
        id="t",
        name="t",
        geo="广西",
        indicator="rd_expenditure",
        kind="level",
        comparator=">=",
        threshold=100.0,
        unit="亿元",
        clause="",
        year=2023,
    )
    return Target(**{**base, **kw})


def lookup(table: dict):
    """A value_at over hand-made paths: {(geo, year): array}."""
    return lambda geo, year: np.asarray(table[(geo, year)], dtype=float)


VOCAB = Context.get().vocab


# --- known answers ----------------------------------------------------------------------------


def test_zero_noise_gives_probabilities_of_exactly_zero_or_one():
    exact = fixed_pool(drift=0.1, drift_sd=0.0, scale=0.0)
    paths = forecast_series([100.0], [2020], horizon=3, n_paths=1000, seed=1, pool=exact)
    assert np.allclose(paths, 100 * np.exp(0.1 * np.arange(1, 4)))
    end = 100 * np.exp(0.3)
    assert np.mean(paths[:, -1] >= end * 0.999) == 1.0 and np.mean(paths[:, -1] >= end * 1.001) == 0.0


@pytest.mark.parametrize("threshold", [110.0, 125.0, 150.0])
def test_lognormal_case_matches_its_closed_form(threshold):
    from scipy import stats  # imported here: only the worker that runs this test pays for it

    mu, sigma, h, n = 0.05, 0.1, 4, 200_000
    known = fixed_pool(drift=mu, drift_sd=0.0, scale=sigma)  # a random walk with known drift and scale
    paths = forecast_series([100.0], [2020], horizon=h, n_paths=n, seed=7, pool=known)
    p = np.mean(paths[:, -1] > threshold)
    exact = 1 - stats.norm.cdf((np.log(threshold / 100) - h * mu) / (sigma * np.sqrt(h)))
    assert abs(p - exact) < 3 * np.sqrt(exact * (1 - exact) / n)


def test_cumulative_increase_growth_and_each_year_on_hand_made_paths():
    paths = {
        ("广西", 2020): [10, 10, 10],
        ("广西", 2021): [11, 9, 12],
        ("广西", 2022): [12, 9, 15],
        ("广西", 2023): [13, 12, 20],
    }
    cum = target(kind="cumulative", period=(2021, 2023), threshold=33, comparator=">")
    assert list(outcome(cum, lookup(paths), VOCAB)) == [36, 30, 47]
    assert list(cum.met(outcome(cum, lookup(paths), VOCAB))) == [True, False, True]
    inc = target(kind="increase", period=(2020, 2023), threshold=3)
    assert list(outcome(inc, lookup(paths), VOCAB)) == [3, 2, 10]
    growth = target(kind="growth_rate", period=(2020, 2023), threshold=10.0, unit="%")
    assert outcome(growth, lookup(paths), VOCAB) == pytest.approx(100 * ((np.array([13, 12, 20]) / 10) ** (1 / 3) - 1))
    each = target(kind="increase", period=(2020, 2023), threshold=0, comparator=">", each_year=True)
    assert list(each.met(outcome(each, lookup(paths), VOCAB))) == [True, False, True]  # 2022: 9 -> 9


def test_a_level_that_must_hold_each_year_is_judged_on_its_worst_year():
    paths = {("广西", 2021): [120, 90, 130], ("广西", 2022): [110, 130, 95], ("广西", 2023): [105, 140, 150]}
    once = target(threshold=100.0)
    each = target(threshold=100.0, period=(2021, 2023), each_year=True)
    assert list(once.met(outcome(once, lookup(paths), VOCAB))) == [True, True, True]
    assert list(outcome(each, lookup(paths), VOCAB)) == [105, 90, 95]
    assert list(each.met(outcome(each, lookup(paths), VOCAB))) == [True, False, False]


def test_a_condition_for_each_year_is_decided_by_a_published_year_that_fails_it(tmp_path):
    from kjqg_model.analysis.outcomes import actual_outcome

    rows = "".join(f"百色,rd_expenditure,{y},{v},亿元,=,https://example.org,\n" for y, v in ((2021, 15), (2022, 9)))
    history = load_history([write_csv(tmp_path / "h", rows).parent])
    each = target(geo="百色", threshold=10.0, year=2025, period=(2021, 2025), each_year=True)
    assert actual_outcome(each, history, VOCAB, "rd_expenditure") == (9.0, "=")  # 2022 failed: missed already
    passing = target(geo="百色", threshold=8.0, year=2025, period=(2021, 2025), each_year=True)
    assert actual_outcome(passing, history, VOCAB, "rd_expenditure") is None  # 2023-2025 still to come


def test_relative_and_unit_conversion():
    paths = {("柳州", 2023): [2.0, 2.7], ("全国", 2023): [2.5, 2.5]}
    rel = target(geo="柳州", indicator="rd_intensity", kind="relative", relative_to="全国", threshold=1.0, unit="ratio")
    assert list(rel.met(outcome(rel, lookup(paths), VOCAB))) == [False, True]
    wan = target(unit="万元", threshold=1_000_000)  # 100 亿元 = 1,000,000 万元
    assert list(wan.met(outcome(wan, lookup({("广西", 2023): [99.9, 100.0]}), VOCAB))) == [False, True]


@pytest.mark.parametrize(
    ("comparator", "expected"), [(">", [False, False, True]), (">=", [False, True, True]), ("~", [True, True, True])]
)
def test_strict_and_inclusive_comparators_at_the_boundary(comparator, expected):
    t = target(comparator=comparator, threshold=1.3, indicator="rd_intensity", unit="%")
    assert list(t.met(np.array([1.25, 1.3, 1.31]))) == expected


def test_lower_bound_observations_are_respected(tmp_path):
    write_csv(
        tmp_path / "mine",
        "百色,hte_stock,2018,40,家,=,a,\n百色,hte_stock,2019,50,家,=,a,\n百色,hte_stock,2021,90,家,>,a,\n",
    )
    h = load_history([tmp_path / "mine"])
    proj = project("百色", "hte_stock", n_paths=5000, seed=3, end=2023, history=h)
    assert proj.years[0] == 2020
    assert np.all(proj.value_at(2021) > 90)  # "突破90家" holds on every path
    assert proj.value_at(2019)[0] == 50  # observed years come from the data


# --- the contract -----------------------------------------------------------------------------


def test_project_contract_shape_and_units():
    proj = project("guangxi", "tech_contract_turnover_inflow", origin=2020, end=2030, n_paths=500, seed=0)
    assert list(proj.years) == list(range(2021, 2031)) and proj.paths.shape == (500, 10)
    assert 100 < np.median(proj.paths[:, 0]) < 2000  # 亿元, not 万元 (2020: 474亿元)
    assert np.all(proj.paths > 0)


def test_shares_stay_between_0_and_100(tmp_path):
    write_csv(
        tmp_path / "mine",
        "".join(f"百色,rd_active_firm_share,{y},{v},%,=,a,\n" for y, v in [(2018, 60), (2019, 80), (2020, 95)]),
    )
    proj = project("百色", "rd_active_firm_share", end=2030, n_paths=2000, history=load_history([tmp_path / "mine"]))
    assert np.all((proj.paths > 0) & (proj.paths < 100))


def test_same_seed_same_numbers_and_chunking_does_not_change_them(monkeypatch):
    a = evaluate_targets("guangxi_2021_2023", "fiscal-7", 2020, n_paths=3000, seed=11)
    b = evaluate_targets("guangxi_2021_2023", "fiscal-7", 2020, n_paths=3000, seed=11)
    monkeypatch.setattr(ev, "CHUNK", 700)
    c = evaluate_targets("guangxi_2021_2023", "fiscal-7", 2020, n_paths=3000, seed=11)
    for x in (b, c):
        assert np.array_equal(a.probability.values, x.probability.values, equal_nan=True)
    d = evaluate_targets("guangxi_2021_2023", "fiscal-7", 2020, n_paths=3000, seed=12)
    assert not np.array_equal(a.probability.values, d.probability.values, equal_nan=True)


def test_data_after_the_origin_is_used_only_for_the_actual(tmp_path):
    write_csv(
        tmp_path / "mine",
        "广西,rd_intensity,2022,1.50,%,=,changed on purpose,\n广西,rd_intensity,2023,1.40,%,=,changed on purpose,\n",
    )
    changed = load_history([tmp_path / "mine"])
    a = evaluate_targets("guangxi_2021_2023", origin=2020, n_paths=2000, seed=5).set_index("target_id")
    b = evaluate_targets("guangxi_2021_2023", origin=2020, n_paths=2000, seed=5, history=changed).set_index("target_id")
    assert a.loc["rd_intensity_2023", "probability"] == b.loc["rd_intensity_2023", "probability"]
    assert b.loc["rd_intensity_2023", "actual"] == 1.40 and b.loc["rd_intensity_2023", "met"]


def test_contract_columns():
    df = evaluate_targets("baise_2021_2023", n_paths=100)
    for col in [
        "plan",
        "target_id",
        "geo",
        "indicator",
        "year",
        "threshold",
        "scenario",
        "origin",
        "probability",
        "mc_se",
        "actual",
        "met",
        "status",
    ]:
        assert col in df.columns
    assert len(df) == len(Context.get().plans["baise_2021_2023"].targets)
    assert df.probability.isna().all() and df.status.str.contains("no history for 百色|not modelled").all()


# --- honest on our own history ----------------------------------------------------------------


def test_guangxi_rd_intensity_target_seen_from_2020():
    df = evaluate_targets("guangxi_2021_2023", "baseline", origin=2020, n_paths=20_000, seed=0).set_index("target_id")
    rd = df.loc["rd_intensity_2023"]
    assert rd.probability < 0.05  # "突破1.3%" from 0.78 % in 2020 was never likely
    assert (rd.actual == 0.84 and rd.met is False) or rd.met == False  # noqa: E712 (numpy bool)
    assert rd.status == "modelled" and rd.mc_se > 0
    hte = df.loc["hte_stock_2023"]
    assert hte.actual == 4000 and hte.actual_qualifier == ">" and hte.met is None  # ">4000" vs 4200: unknown


def test_the_simulation_error_is_never_zero_where_every_path_agrees():
    df = evaluate_targets("guangxi_2021_2023", origin=2020, n_paths=1).dropna(subset=["probability"])
    assert len(df) and (df.mc_se > 0.4).all()  # one path says little, whatever it says
    many = evaluate_targets("guangxi_2021_2023", origin=2020, n_paths=4000).set_index("target_id")
    assert many.loc["rd_intensity_2023", "mc_se"] < 0.01  # a near-certain miss: small but not zero


# --- properties -------------------------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(
    threshold=st.floats(150, 600),
    year=st.integers(2022, 2028),
    g1=st.floats(-0.2, 0.4),
    dg=st.floats(0, 0.3),
    comparator=st.sampled_from([">=", ">"]),
)
def test_more_fiscal_growth_never_lowers_an_rd_probability(threshold, year, g1, dg, comparator):
    t = target(threshold=threshold, year=year, comparator=comparator)
    ctx = Context.get()
    jobs = [(t, "rd_expenditure")]
    fits = ev.fit_geos(jobs, ctx, 2020)

    def p(g):
        sc = ctx.scenario("baseline").adjust({"fiscal_st_growth": g}, "x")
        return ev.probabilities(jobs, fits, ctx.vocab, pj.Settings(sc, 2020, 400, 3))[
            (t.id, "rd_expenditure")
        ].probability

    lo, hi = p(g1), p(g1 + dg)
    assert 0.0 <= lo <= hi <= 1.0


@settings(max_examples=20, deadline=None)
@given(
    values=st.lists(st.one_of(st.floats(0.1, 1e6), st.just(float("nan"))), min_size=2, max_size=12),
    horizon=st.integers(1, 8),
    seed=st.integers(0, 2**31),
)
def test_forecast_series_paths_are_positive_finite_and_reproducible(values, horizon, seed):
    if not np.isfinite(values).any():
        values[0] = 1.0
    years = list(range(2000, 2000 + len(values)))
    a = forecast_series(values, years, horizon, 50, seed)
    assert a.shape == (50, horizon) and np.all(np.isfinite(a)) and np.all(a > 0)
    assert np.array_equal(a, forecast_series(values, years, horizon, 50, seed))


def test_forecast_series_rejects_bad_input_clearly():
    with pytest.raises(pj.InputError, match=r"forecast_series, field 'values'.*positive"):
        forecast_series([1.0, -2.0], [2020, 2021], 2, 10, 0)
    with pytest.raises(pj.InputError, match="field 'years'"):
        forecast_series([1.0, 2.0], [2021, 2020], 2, 10, 0)


def test_required_growth_brackets_the_probability():
    t = target(threshold=300.0, year=2027)  # 广西 R&D 228亿元 in 2023
    got = required_growth(t, probability=0.8, n_paths=4000, seed=2)
    assert got.rate is not None and got.probability >= 0.8
    ctx = Context.get()
    sc = ctx.scenario("baseline").adjust({"fiscal_st_growth": got.rate - 0.01}, "x")
    jobs = [(t, "rd_expenditure")]
    below = ev.probabilities(jobs, ev.fit_geos(jobs, ctx, None), ctx.vocab, pj.Settings(sc, None, 4000, 2))[
        (t.id, "rd_expenditure")
    ]
    assert below.probability < 0.8
    assert required_growth("guangxi_2021_2023/hte_stock_2023").rate is None  # not fiscal-driven: says so


def test_a_share_is_forecast_on_its_logit_and_stays_under_100():
    rising = [60, 65, 70, 75, 80, 85, 90, 93, 95]
    years = range(2010, 2019)
    assert forecast_series(rising, years, horizon=5, seed=1).max() > 100  # as an amount it may pass 100
    shares = forecast_series(rising, years, horizon=5, seed=1, share=True)
    assert shares.shape == (10_000, 5) and shares.min() > 0 and shares.max() < 100
    assert np.median(shares[:, -1]) > 95  # still rising towards 100
    with pytest.raises(InputError, match=r"field 'values': found a share of 101 %"):
        forecast_series([99, 101], [2020, 2021], horizon=2, share=True)


def test_a_series_indexed_by_year_is_read_by_its_years_and_booleans_are_no_values():
    s = pd.Series([110.0, 100.0, 121.0], index=[2021, 2020, 2022])  # out of order, but each value has its year
    same = forecast_series(s, [2020, 2021, 2022], horizon=2, n_paths=500, seed=3)
    assert np.array_equal(
        same, forecast_series([100.0, 110.0, 121.0], [2020, 2021, 2022], horizon=2, n_paths=500, seed=3)
    )
    plain = pd.Series([100.0, 110.0, 121.0])  # a default index says nothing of years: read in order
    assert np.array_equal(forecast_series(plain, [2020, 2021, 2022], horizon=2, n_paths=500, seed=3), same)
    with pytest.raises(InputError, match=r"field 'values': found booleans"):
        forecast_series([True, True, True], [2020, 2021, 2022], horizon=2)
