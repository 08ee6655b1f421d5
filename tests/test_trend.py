"""The pooled local linear trend: known answers, the hierarchy, robustness to a spike, reproducibility."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import kjqg_model.analysis.evaluate as ev
from kjqg_model import evaluate_targets, forecast_series, project
from kjqg_model.engine.streams import Streams
from kjqg_model.engine.trend import (
    Shape,
    fit_mixture,
    fit_pool,
    fit_trend,
    fixed_pool,
    generic_pool,
    kalman,
    log_evidence,
    scale_prior,
    trend_steps,
)
from kjqg_model.inputs.context import Context


def test_without_transient_or_drift_variation_the_filter_gives_the_mean_increment():
    y = np.log([100.0, 104.0, 109.0, 112.0, 120.0])
    f = kalman(y[:, None], Shape(0.0, 0.0))
    assert f.drift[0] == pytest.approx((y[-1] - y[0]) / 4, abs=1e-6)
    assert f.level[0] == pytest.approx(y[-1], abs=1e-6)
    assert f.p22[0] == pytest.approx(1 / 4, rel=1e-4)  # var of the mean of 4 increments, in units of s2


def _panel(drift_sd: float, n_series=40, years=14, scale=0.05, seed=0):
    rng = np.random.default_rng(seed)
    drifts = 0.08 + drift_sd * rng.standard_normal(n_series)
    steps = drifts + scale * rng.standard_normal((years - 1, n_series))
    return np.vstack([np.zeros(n_series), np.cumsum(steps, axis=0)])


@pytest.mark.parametrize("drift_sd", [0.0, 0.05])
def test_the_pool_recovers_the_spread_of_drifts_without_a_floor(drift_sd):
    pool = fit_pool(_panel(drift_sd), "synthetic")
    tau = float(pool.weight @ pool.tau)
    mu = float(pool.weight @ pool.mu0)
    assert mu == pytest.approx(0.08, abs=0.02)
    if drift_sd == 0:
        assert tau < 0.015  # mass near zero: no floor holds it up
    else:
        assert 0.03 < tau < 0.075


@pytest.mark.parametrize("nu0", [2.0, 8.0, 30.0])
def test_the_scale_prior_recovers_a_known_scaled_inverse_chi_square_from_short_series(nu0):
    # s2_i ~ scaled-inv-chi2(nu0, s0^2), each series seen through 3-8 squared errors: the prior's
    # scale and dof come back, though a short series' ssq/n is low in log and nu0 near 2 puts s0^2
    # well below the scales' geometric mean (which the prior used to be centred on)
    rng = np.random.default_rng(1)
    k, s0 = 4000, 0.05**2
    s2 = nu0 * s0 / rng.chisquare(nu0, k)
    n = rng.integers(3, 30, k).astype(float)  # lengths that differ: their biases differ too
    prior = scale_prior(s2 * rng.chisquare(n), n)
    assert prior.s2 == pytest.approx(s0, rel=0.1)
    assert prior.nu == pytest.approx(nu0, rel=0.2)


def _common_panel(q: float, years=40, n_series=31, shock=0.05, seed=0, ragged=False):
    """Series sharing a drift that moves by N(0, q) a year and common year shocks of sd `shock`
    that do not last (half to the level, half transient), each with its own noise; `ragged`: the
    series start in different years."""
    rng = np.random.default_rng(seed)
    common = 0.1 + np.cumsum(np.sqrt(q) * rng.standard_normal(years))
    level = np.cumsum(common + shock / np.sqrt(2) * rng.standard_normal(years))
    y = level[:, None] + shock / np.sqrt(2) * rng.standard_normal(years)[:, None]
    y = y + np.cumsum(0.2 * rng.standard_normal((years, n_series)), axis=0)
    if ragged:
        for j, start in enumerate(rng.integers(0, years // 2, n_series)):
            y[:start, j] = np.nan
    return y


def _q_estimates(q, **kw):
    return [fit_pool(_common_panel(q, seed=s, shock=0.03, **kw), "synthetic").common_drift_var for s in range(12)]


@pytest.mark.parametrize("ragged", [False, True])
def test_the_pool_measures_how_much_the_drift_its_series_share_varies(ragged):
    # year shocks that do not last are not a moving drift, nor are series that start late; a
    # moment estimate cut at 0 is noisy, so medians and means of 12 panels of 40 years are compared
    none, some = _q_estimates(0.0, ragged=ragged), _q_estimates(2e-3, ragged=ragged)
    assert np.median(none) < 2e-4 and np.mean(none) < 1e-3
    assert np.median(some) == pytest.approx(2e-3, rel=0.5) and np.mean(some) == pytest.approx(2e-3, rel=0.25)


def test_a_series_drift_varies_at_least_as_much_as_the_drift_of_its_pool():
    pool = fit_pool(_common_panel(2e-3), "synthetic")
    q = pool.common_drift_var
    smooth = np.log(100) + 0.08 * np.arange(12) + 0.01 * np.random.default_rng(3).standard_normal(12)
    fit = fit_trend(np.arange(2010, 2022), smooth, pool)
    # filtered and simulated with b >= q / s2 at the scale it ends with (the passes settle it)
    assert fit.shape.b * fit.s2 >= 0.98 * q > pool.shape.b * fit.s2
    # too few years to tell: a short panel takes its family's, a long one without q has none
    assert fit_pool(_common_panel(2e-3, years=5), "synthetic", family=pool).common_drift_var == q
    assert fit_pool(_common_panel(2e-3, years=4), "synthetic").common_drift_var == 0.0


def test_a_one_year_spike_is_not_the_new_level():
    years = np.arange(2010, 2021)
    values = 100 * 1.05 ** (years - 2010)
    values[-1] *= 1.45  # a one-year jump, as 广西's recognitions in 2021

    def next_year(transient_share):
        shape = Shape(transient_share, 0.01)
        pool = fixed_pool(drift=0.05, drift_sd=0.01, scale=0.05, nu=10, shape=shape)
        return np.median(forecast_series(values, years, 1, 4000, 0, pool=pool)[:, 0])

    assert next_year(0.0) > values[-1]  # a pure random walk keeps the spike and adds growth
    assert next_year(0.5) < 0.95 * values[-1]  # half the noise transient: the level falls back


def test_a_thin_series_takes_its_drift_from_the_pool():
    pool = fixed_pool(drift=0.10, drift_sd=0.02, scale=0.05, nu=10, shape=Shape(0.1, 0.01))
    fit = fit_trend([2020], [np.log(50.0)], pool)
    assert fit.params["drift"] == pytest.approx(0.10, abs=1e-6) and fit.n_obs == 1


def test_gdp_growth_lowers_rd_intensity():
    """R&D follows GDP with an elasticity below one, so faster GDP growth lowers R&D / GDP."""
    slow = project("广西", "rd_intensity", "gdp-4", end=2030, n_paths=4000, seed=1).paths[:, -1]
    fast = project("广西", "rd_intensity", "gdp-7", end=2030, n_paths=4000, seed=1).paths[:, -1]
    assert np.median(fast) < np.median(slow)
    assert np.mean(fast >= 1.0) < np.mean(slow >= 1.0)


@pytest.mark.parametrize("scenario", list(Context.get().scenarios))
def test_same_seed_same_numbers_at_any_chunk_size(scenario, monkeypatch):
    whole = evaluate_targets("guangxi_2021_2023", scenario, 2020, n_paths=2500, seed=4)
    monkeypatch.setattr(ev, "CHUNK", 777)
    chunked = evaluate_targets("guangxi_2021_2023", scenario, 2020, n_paths=2500, seed=4)
    assert whole.probability.equals(chunked.probability)


def test_a_borrowed_mixture_gives_the_same_numbers_at_any_chunk_size(monkeypatch):
    # 柳州柳南区's enterprises: no provincial panel, a mixture of the counts' trends
    whole = evaluate_targets("liuzhou_2021_2023", origin=2020, n_paths=2500, seed=4)
    assert whole.probability.notna().any()
    monkeypatch.setattr(ev, "CHUNK", 777)
    chunked = evaluate_targets("liuzhou_2021_2023", origin=2020, n_paths=2500, seed=4)
    assert whole.probability.equals(chunked.probability)


@pytest.mark.parametrize("lasting", [False, True])
def test_the_pool_learns_whether_spikes_last(lasting):
    y = _panel(0.01, n_series=40, years=14, scale=0.03, seed=3)
    jump = np.zeros_like(y)
    cols = np.arange(0, 40, 2)
    if lasting:
        jump[8:, cols] = 1.0  # a new level
    else:
        jump[8, cols] = 1.0  # a one-year spike
    pool = fit_pool(y + jump, "synthetic")
    assert pool.n_spikes >= 15
    assert (pool.persist > 0.8) if lasting else (pool.persist < 0.2)


def test_targets_already_published_are_answered_from_the_data():
    """The latest data reach past the 2023 targets: no year to simulate, the outcome decides."""
    df = evaluate_targets("guangxi_2021_2023", n_paths=500, seed=0).set_index("target_id")
    rd = df.loc["rd_intensity_2023"]
    assert np.isnan(rd.probability) and rd.met is False and rd.actual == pytest.approx(0.84)
    assert rd.status.startswith("outcome known")  # not a forecast dressed as a 0 % probability


def test_a_change_across_a_gap_is_spread_over_its_years():
    from kjqg_model.engine.projection import _observed_growth

    observed = pd.Series({2018: 100.0, 2019: 110.0, 2021: 133.1})
    growth = _observed_growth(observed, np.arange(2019, 2023))
    assert growth[:3].sum() == pytest.approx(np.log(1.331))  # 2018 -> 2021, not one year too many
    assert growth[1] == pytest.approx(np.log(1.21) / 2) and growth[3] == pytest.approx(np.log(1.331) / 3)


def test_a_target_relative_to_the_nation_is_simulated_where_national_gdp_is_not_published():
    df = evaluate_targets("liuzhou_2021_2023", origin=2022, n_paths=500, seed=0).set_index("target_id")
    assert 0.0 <= df.loc["rd_intensity_rel_national_2023", "probability"] < 0.1


def test_a_geo_fit_states_its_parameters_and_serves_every_scenario():
    from kjqg_model.engine.projection import GeoModel
    from kjqg_model.engine.streams import Streams

    ctx = Context.get()
    fit = GeoModel(ctx.history, "广西", 2020, ctx.vocab).fit(["rd_intensity", "hte_stock"])
    assert {"rd_expenditure", "gdp", "fiscal_st_expenditure", "hte_recognitions", "rd_panel"} <= set(fit.params)
    assert "fiscal elasticity" in fit.summary() and "hte_recognitions" in fit.summary()
    runs = [fit.simulate(["rd_intensity"], 2025, 1000, Streams(0), ctx.scenario(s)) for s in ("fiscal-0", "fiscal-15")]
    low, high = (r["rd_intensity"].paths[:, -1] for r in runs)
    assert np.all(high >= low - 1e-9)  # same random numbers, more fiscal growth: never lower


# --- a new indicator: a mixture over the family's indicators -------------------------------------


def _two_pools():
    smooth, volatile = fixed_pool(0.05, 0.01, 0.03, nu=8.0), fixed_pool(0.15, 0.05, 0.30, nu=8.0)
    return [replace(smooth, about="smooth"), replace(volatile, about="volatile")]


def test_the_evidence_of_one_change_is_the_scale_mixture_of_normals():
    from scipy import integrate, stats

    d = 0.2  # one yearly change: N(mu, tau^2 + s2) given s2, s2 scaled-inverse-chi-square

    def exact(pool) -> float:
        mu, tau, nu, s0 = float(pool.mu0[0]), float(pool.tau[0]), pool.scale.nu, pool.scale.s2
        prior = stats.invgamma(nu / 2, scale=nu * s0 / 2)
        density = integrate.quad(lambda v: stats.norm.pdf(d, mu, np.sqrt(tau**2 + v)) * prior.pdf(v), 0, 5, limit=200)
        return float(np.log(density[0]))

    exact = [exact(pool) for pool in _two_pools()]
    got = [log_evidence([2019, 2020], [0.0, d], pool) for pool in _two_pools()]
    assert got[1] - got[0] == pytest.approx(exact[1] - exact[0], abs=0.02)


def test_one_point_says_nothing_of_which_indicator_a_series_resembles_but_three_do():
    pools = _two_pools()
    assert fit_mixture([2020], [0.0], pools, "two").weight == pytest.approx([0.5, 0.5])
    jumpy = fit_mixture([2018, 2019, 2020], [0.0, 0.45, 0.2], pools, "two")
    calm = fit_mixture([2018, 2019, 2020], [0.0, 0.05, 0.10], pools, "two")
    assert jumpy.weight[1] > 0.95 and calm.weight[0] > 0.9


def test_one_sd_of_a_mixtures_drift_moves_it_by_the_mixtures_sd():
    from kjqg_model.engine.projection import _Series

    fit = fit_mixture([2020], [0.0], _two_pools(), "two")
    series = _Series("x", "log", fit, {}, pd.Series([1.0], index=[2020]))
    moved = series.shifted({"drift": 1.0}).params["drift"] - fit.params["drift"]
    assert moved == pytest.approx(fit.params["drift_sd"], rel=1e-9)  # the spread between the parts counts too
    assert fit.params["drift_sd"] > max(p.params["drift_sd"] for p in fit.parts)


def test_a_mixtures_paths_follow_its_parts_in_proportion_and_do_not_depend_on_the_chunk():
    fit = fit_mixture([2020], [0.0], _two_pools(), "two")
    whole = trend_steps(fit, Streams(3), "x", 40_000, 5)
    smooth, volatile = (trend_steps(part, Streams(3), "x", 40_000, 5) for part in fit.parts)
    follows = (whole == volatile).all(axis=1)
    assert (follows | (whole == smooth).all(axis=1)).all()  # each path is one part's path
    assert follows.mean() == pytest.approx(0.5, abs=0.01)
    first = trend_steps(fit, Streams(3), "x", 7_000, 5)
    assert np.array_equal(first, whole[:7_000])


def test_versions_of_one_figure_are_one_figure_and_distinct_figures_are_not():
    from kjqg_model.engine.fit import figures, same_figure

    ctx = Context.get()
    money = figures(ctx.history, ctx.vocab, "money", None)
    assert money["rd_expenditure_by_source_total"] == money["rd_expenditure"]  # the same R&D, two tables
    assert money["gdp_as_first_published"] == money["gdp"]
    assert money["rd_funds_enterprise"] != money["rd_expenditure"]  # 3/4 of R&D, but not R&D
    assert money["tech_contract_turnover_inflow"] != money["tech_contract_turnover_outflow"]
    assert set(same_figure(ctx.history, ctx.vocab, "rd_intensity", 2018)) == {"rd_intensity", "rd_intensity_revised"}


@pytest.mark.parametrize("pool", [fixed_pool(0.0, 0.01, 0.05, nu=4.0), replace(generic_pool(), scale_log_sd=0.5)])
def test_every_scale_prior_is_a_density_of_log_s(pool):
    from kjqg_model.engine.trend import SCALE_GRID, _log_scale_prior

    # normalised, so that the evidence of pools with different kinds of prior compares
    mass = np.exp(_log_scale_prior(pool)).sum() * (SCALE_GRID[1] - SCALE_GRID[0])
    assert mass == pytest.approx(1.0, abs=2e-3)


def test_a_figure_unlike_all_seen_is_one_more_a_priori_and_takes_a_series_wilder_than_them_all():
    from kjqg_model.engine.trend import unseen_figure

    parts = [replace(fixed_pool(0.05, 0.01, s, nu=8.0), about=f"scale {s}") for s in (0.02, 0.03, 0.05, 0.08)]
    labels = ["a", "a", "b", "c"]  # the first two are versions of one figure
    unseen = unseen_figure(parts[2], parts, labels)
    prior = [0.5, 0.5, 1.0, 1.0, 1.0]
    one = fit_mixture([2020], [0.0], [*parts, unseen], "x", prior)
    assert one.weight == pytest.approx([0.125, 0.125, 0.25, 0.25, 0.25])  # 3 figures seen: 1 in 4 it is none
    wild = fit_mixture([2017, 2018, 2019, 2020], [0.0, 0.6, -0.1, 0.5], [*parts, unseen], "x", prior)
    calm = fit_mixture([2017, 2018, 2019, 2020], [0.0, 0.05, 0.10, 0.14], [*parts, unseen], "x", prior)
    assert wild.weight[-1] > 0.95
    assert calm.parts[-1].params["scale"] < 0.05 < 0.2 < wild.parts[-1].params["scale"]  # its scale is the series'
    assert 0.02 < np.sqrt(unseen.scale.s2) < 0.08 and unseen.scale_log_sd > 0.5  # centred among them, wide


def test_forecast_series_follows_a_series_that_plainly_grows_and_more_years_do_not_undo_it():
    # 14-19 % a year for eight years: no-growth prior or not, the data say where it is going
    values = np.array([2.0, 2.4, 2.9, 3.5, 4.1, 4.8, 5.5, 6.3, 7.2])
    growth = []
    for k in (4, 6, 9):
        paths = forecast_series(values[-k:], np.arange(2024 - k, 2024), 5, 20_000, 0)
        growth.append((np.median(paths[:, -1]) / values[-1]) ** (1 / 5) - 1)
    assert min(growth) > 0.12, growth  # the normal N(0, 3 %) drift prior gave 1.9 / 3.7 / 3.3 %
    flat = forecast_series([100, 101, 99, 100.5, 100, 99.5, 100.2, 100.1], np.arange(2016, 2024), 5, 20_000, 0)
    assert abs(np.median(flat[:, -1]) / 100.1 - 1) < 0.02  # and a flat one stays flat
