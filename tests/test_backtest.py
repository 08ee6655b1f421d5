"""Scoring functions against known values, calibration on a known process, and a small backtest."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import numpy as np
import pandas as pd
import pytest

from kjqg_model import forecast_series, scoring
from kjqg_model.backtest import run_backtest, summarize
from kjqg_model.cli import main
from kjqg_model.trend import Shape, fixed_pool


@pytest.mark.parametrize(("mu", "sigma", "y"), [(0.0, 1.0, 0.0), (1.0, 2.0, -1.5), (0.2, 0.1, 0.5)])
def test_crps_of_samples_matches_the_normal_closed_form(mu, sigma, y):
    samples = np.random.default_rng(0).normal(mu, sigma, 200_000)
    assert scoring.crps_samples(samples, y) == pytest.approx(scoring.crps_normal(mu, sigma, y), rel=0.01)


def test_crps_known_values():
    assert scoring.crps_normal(0.0, 1.0, 0.0) == pytest.approx((np.sqrt(2) - 1) / np.sqrt(np.pi))
    assert scoring.crps_samples(np.array([3.0]), 1.0) == 2.0  # a point forecast: CRPS = absolute error
    assert scoring.crps_samples(np.array([0.0, 1.0]), 0.5) == pytest.approx(0.25)


def test_pit_interval_and_reliability_basics():
    s = np.arange(100.0)
    assert scoring.pit(s, 49.5) == 0.5 and scoring.central_interval(s, 0.8) == pytest.approx((9.9, 89.1))
    rel = scoring.reliability(np.array([0.05, 0.05, 0.95, 0.95]), np.array([0, 0, 1, 1]))
    assert list(rel.observed) == [0.0, 1.0] and list(rel.n) == [2, 2]
    assert scoring.brier(np.array([1.0, 0.0]), np.array([1, 1])) == 0.5


def test_forecast_series_is_calibrated_on_data_from_its_own_prior():
    """Series drawn from the prior the model assumes: its intervals must cover at nominal rates."""
    mu0, tau, s0, nu0 = 0.08, 0.04, 0.1, 8
    prior = fixed_pool(drift=mu0, drift_sd=tau, scale=s0, nu=nu0, shape=Shape(1e-6, 1e-8))
    rng = np.random.default_rng(42)
    hits = {0.5: [], 0.8: [], 0.95: []}
    n_series, length, horizon = 400, 10, 3
    for i in range(n_series):
        mu = rng.normal(mu0, tau)
        sigma = s0 * np.sqrt(nu0 / rng.chisquare(nu0))
        logs = np.cumsum(np.r_[np.log(100), rng.normal(mu, sigma, length + horizon - 1)])
        paths = forecast_series(np.exp(logs[:length]), np.arange(length), horizon, 2000, i, pool=prior)
        for level in hits:
            lo, hi = scoring.central_interval(np.log(paths[:, -1]), level)
            hits[level].append(lo <= logs[-1] <= hi)
    for level, h in hits.items():
        p, se, n = scoring.coverage_table(pd.Series(h))
        assert abs(p - level) < 3 * max(se, np.sqrt(level * (1 - level) / n)), (level, p)


def test_small_backtest_scores_every_method_on_the_same_cases():
    result = run_backtest(
        origins=(2018,), indicators=("rd_intensity",), geos=["广西", "广东", "北京", "贵州"], n_paths=300
    )
    c = result.cases
    assert set(c.method) == {"kjqg", "forecast_series", "random_walk", "random_walk_drift", "ets", "theta"}
    per_method = c.groupby("method").size()
    assert per_method.nunique() == 1 and per_method.iloc[0] == 4 * 5  # 4 provinces x horizons 1–5
    assert c.crps.ge(0).all() and c.pit.between(0, 1).all()
    s = summarize(c)
    assert {"cover80", "cover80_se", "crps", "n"} <= set(s.columns)
    assert set(result.events.growth) == {0.0, 0.05, 0.10, 0.15, 0.20}


def test_backtest_command_writes_its_files(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(
            [
                "backtest",
                "--origins",
                "2021",
                "--indicator",
                "hte_recognitions",
                "--paths",
                "200",
                "--out",
                str(tmp_path),
            ]
        )
    assert code == 0, err.getvalue()
    names = {p.name for p in tmp_path.iterdir()}
    assert {
        "cases.csv",
        "scores.csv",
        "events.csv",
        "event_scores.csv",
        "exante.csv",
        "coverage.png",
        "pit.png",
        "reliability.png",
    } <= names
    exante = pd.read_csv(tmp_path / "exante.csv")
    rd = exante[(exante.target_id == "rd_intensity_2023") & (exante.origin == 2020)].iloc[0]
    assert rd.probability < 0.05 and rd.actual == 0.84 and not rd.met
