"""The ETS and Theta benchmarks: shapes, short series, determinism, calibration on a random walk
with drift, exact trends, and the pieces that make them the methods a forecaster would run."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from kjqg_model.analysis.benchmarks import _fit_ets, _fit_theta, consecutive_tail, ets, theta

METHODS = {"ets": ets, "theta": theta}


def series(values, start: int = 2008) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=range(start, start + len(values)))


def log_walk(n: int, seed: int, mu: float = 0.05, sigma: float = 0.1) -> np.ndarray:
    return np.log(100.0) + np.cumsum(mu + sigma * np.random.default_rng(seed).standard_normal(n))


@pytest.mark.parametrize("name", METHODS)
@pytest.mark.parametrize("length", [4, 5, 6, 7, 8, 15])
def test_shape_and_positive(name, length):
    paths = METHODS[name](series(np.exp(log_walk(length, length))), 5, 300, 1)
    assert paths.shape == (300, 5)
    assert np.all(np.isfinite(paths)) and np.all(paths > 0)


@pytest.mark.parametrize("name", METHODS)
def test_too_short_is_none(name):
    f = METHODS[name]
    assert f(series([1.0, 1.1, 1.2]), 3, 50, 0) is None
    # eight years, but the last consecutive run (after the gap) has three
    gappy = pd.Series([1.0, 1.1, 1.2, 1.3, 1.4, 1.6, 1.7, 1.8], index=[2005, 2006, 2007, 2008, 2009, 2015, 2016, 2017])
    assert f(gappy, 3, 50, 0) is None
    # a non-positive value is a break too
    assert f(series([1.0, 1.1, 1.2, 0.0, 1.5, 1.6, 1.7]), 3, 50, 0) is None
    assert f(pd.Series(dtype=float), 3, 50, 0) is None


@pytest.mark.parametrize("name", METHODS)
def test_only_last_consecutive_run_counts(name):
    f = METHODS[name]
    tail = series(np.exp(log_walk(7, 3)), start=2012)
    gappy = pd.concat([pd.Series([5.0, 9.0, 2.0], index=[2000, 2005, 2010]), tail])
    assert np.array_equal(f(gappy, 4, 200, 9), f(tail, 4, 200, 9))
    assert np.allclose(consecutive_tail(gappy), np.log(tail.values))


@pytest.mark.parametrize("name", METHODS)
@pytest.mark.parametrize("length", [5, 12])
def test_deterministic(name, length):
    f, s = METHODS[name], series(np.exp(log_walk(length, 11)))
    a, b, c = f(s, 5, 400, 7), f(s, 5, 400, 7), f(s, 5, 400, 8)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_warnings_stay_local():
    """statsmodels' convergence chatter is silenced inside the call only, and no filter leaks."""
    before = list(warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for values in ([1.0, 1.0, 1.0, 1.0, 1.0], [1.0, 50.0, 2.0, 80.0, 3.0, 90.0, 1.0, 70.0], np.exp(log_walk(9, 2))):
            for f in METHODS.values():
                f(series(values), 5, 100, 0)
    assert caught == []
    assert warnings.filters == before


@pytest.mark.parametrize("name", METHODS)
def test_explosive_case_is_none(name):
    """Values spanning 600 orders of magnitude overflow exp(); the method declines instead of
    returning inf or 0."""
    assert METHODS[name](series([1e-300, 1e300] * 4), 5, 200, 0) is None


# Calibration on the process the benchmarks should handle: a log random walk with drift, 15 points.
# Long-run h=1 coverage of the 80 % interval (2000 series): ETS 0.69, Theta 0.76. ETS falls short of
# 0.80 as R's does: the normal predictive ignores parameter uncertainty, and on about a third of
# these series AICc keeps ETS(A,A,N) or ETS(A,Ad,N) with alpha at its lower bound (a deterministic
# trend), whose intervals are too narrow. With these seeds: ETS 0.68, Theta 0.78; the damped ETS
# with statsmodels' ML variance that this replaces: 0.51.
COVERAGE_BANDS = {"ets": (0.64, 0.90), "theta": (0.70, 0.90)}  # ETS with the ML variance: 0.63
N_SERIES = 300


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n == "ets" else n for n in METHODS])
def test_coverage_on_random_walk_with_drift(name):
    hits = []
    for i in range(N_SERIES):
        x = log_walk(16, 1000 + i)
        paths = METHODS[name](series(np.exp(x[:15])), 1, 400, i)
        lo, hi = np.quantile(np.log(paths[:, 0]), [0.1, 0.9])
        hits.append(lo <= x[15] <= hi)
    lo_band, hi_band = COVERAGE_BANDS[name]
    assert lo_band <= np.mean(hits) <= hi_band


@pytest.mark.parametrize("length", [4, 5, 6, 10, 15])
def test_ets_continues_exact_exponential(length):
    """Small samples take R's Holt with simple initial states, larger ones ETS(A,A,N): either way an
    exact 10 % growth path is continued, with no spread."""
    y = np.log(100.0) + 0.1 * np.arange(length)
    paths = ets(series(np.exp(y)), 5, 500, 0)
    expected = y[-1] + 0.1 * np.arange(1, 6)
    assert np.allclose(np.log(np.median(paths, axis=0)), expected, atol=1e-3)
    assert np.log(paths).std(axis=0).max() < 1e-3


@pytest.mark.parametrize("length", [5, 10, 15])
def test_theta_extrapolates_half_the_slope(length):
    """The Theta method is SES with drift = half the fitted slope: on an exact exponential, alpha
    goes to 1 and the median grows at half the rate from the last value."""
    y = np.log(100.0) + 0.1 * np.arange(length)
    paths = theta(series(np.exp(y)), 5, 4000, 0)
    expected = y[-1] + 0.05 * np.arange(1, 6)
    assert np.allclose(np.log(np.median(paths, axis=0)), expected, atol=0.01)


def test_theta_is_ses_on_the_theta_line():
    """Independent check of the fit: SES with drift b on y is SES on y - b t (the theta = 2 line up
    to an affine map), whose least-squares fit statsmodels' ETS(A,N,N) also finds."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    y = log_walk(12, 5)
    alpha, b, level, sigma2 = _fit_theta(y)
    t = np.arange(y.size)
    assert b == pytest.approx(0.5 * np.polyfit(t, y, 1)[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ETSModel(y - b * t, error="add").fit(start_params=[alpha, y[0] - b], disp=False)
    sse = float(np.sum(ref.resid**2))
    assert sigma2 * (y.size - 3) == pytest.approx(sse, rel=1e-4)
    # forecast of y at h = 1: SES level of the theta line + b * n
    assert level + b == pytest.approx(float(np.asarray(ref.forecast(1))[0]) + b * y.size, abs=1e-4)


def test_ets_variance_is_dof_corrected():
    """The h = 1 spread is sqrt(SSE / (n - np)), R's sigma2, not statsmodels' SSE / n."""
    y = log_walk(8, 21)
    fit, np_, skip = _fit_ets(y)
    assert skip == 0
    sse = float(np.sum(np.asarray(fit.resid) ** 2))
    sd = np.log(ets(series(np.exp(y)), 1, 40_000, 0)[:, 0]).std()
    assert sd == pytest.approx(np.sqrt(sse / (y.size - np_)), rel=0.02)
    assert sd > 1.1 * np.sqrt(fit.scale)  # the ML scale would be visibly narrower


def test_ets_model_space_follows_r():
    # n <= 6: R's small-sample branch, SES or Holt with the simple initial states
    y = log_walk(5, 3)
    fit, np_, skip = _fit_ets(y)
    assert fit.model.initialization_method == "known"
    assert fit.initial_level == pytest.approx(y[0])
    if fit.has_trend:
        assert (np_, skip) == (4, 2)
        assert fit.initial_trend == pytest.approx(y[1] - y[0])
    else:
        assert (np_, skip) == (2, 1)
    # n = 7: AICc of the damped trend is infinite (n - np - 2 = 0), so a near-exact trend, which
    # ETS(A,Ad,N) would fit about as well as ETS(A,A,N), goes to the undamped trend
    trend7 = np.log(100.0) + 0.1 * np.arange(7) + 1e-4 * np.array([1, -1, 1, -1, 1, -1, 1])
    fit7, _, _ = _fit_ets(trend7)
    assert fit7.model.initialization_method == "estimated"
    assert fit7.has_trend and not fit7.damped_trend
    # a clear trend on 15 points is found as a trend
    fit15, np15, _ = _fit_ets(np.log(100.0) + 0.1 * np.arange(15) + 0.01 * np.sin(np.arange(15)))
    assert fit15.has_trend and np15 >= 4


def test_bad_arguments():
    with pytest.raises(ValueError):
        ets(series([1.0, 2.0, 3.0, 4.0]), 0, 10, 0)
    with pytest.raises(ValueError):
        theta(series([1.0, 2.0, 3.0, 4.0]), 3, 0, 0)
