"""engine/fit.py: provincial panels, the pool cascade behind every prior, and the R&D panel's
elasticities recovered from a panel built with known ones."""

from __future__ import annotations

import numpy as np
import pytest

from kjqg_model.engine.fit import clustered_ols, fit_rd_panel, panel, prior_pool, provinces
from kjqg_model.inputs.vocab import load_vocabulary
from tests.conftest import history_of

VOCAB = load_vocabulary()
PROVINCES = provinces(VOCAB)


def test_panel_is_consecutive_years_of_exact_positive_values_in_the_geos_order():
    a, b = PROVINCES[:2]
    h = history_of(
        [(b, "gdp", 2010, 5.0), (b, "gdp", 2013, 6.0), (a, "gdp", 2011, 1.0), (a, "gdp", 2012, 2.0, ">"),
         (a, "gdp", 2013, -3.0), (b, "gdp", 2014, 7.0)]
    )  # fmt: skip
    wide = panel(h, "gdp", None, [a, b])
    assert list(wide.columns) == [a, b] and list(wide.index) == [2010, 2011, 2012, 2013, 2014]
    assert wide[a].dropna().to_dict() == {2011: 1.0}  # the bound and the negative value are not exact levels
    assert wide[b].dropna().to_dict() == {2010: 5.0, 2013: 6.0, 2014: 7.0}
    assert list(panel(h, "gdp", 2012, [a, b]).index) == [2010, 2011]  # years after `upto` gone, trimmed
    assert panel(h, "rd_expenditure", None, [a, b]).empty


def test_the_pool_cascade_own_indicator_then_family_then_generic():
    years = range(2010, 2020)
    rows = [(g, "gdp", y, 100 * 1.08 ** (y - 2010) * (1 + 0.1 * i)) for i, g in enumerate(PROVINCES[:5]) for y in years]
    rows += [(PROVINCES[0], "rd_expenditure", y, 10.0 + y - 2010) for y in years]  # one province only
    h = history_of(rows)
    assert "gdp" in prior_pool(h, VOCAB, "gdp", None).about  # published by five provinces: its own pool
    family = prior_pool(h, VOCAB, "rd_expenditure", None)
    assert "all provincial money amounts" in family.about  # too few provinces: the money amounts' pool
    assert family.indicator_drift_var > 0  # a new member does not know which indicator's drift it shares
    assert "generic" in prior_pool(h, VOCAB, "hte_recognitions", None).about  # no provincial counts at all


def test_rd_panel_recovers_known_elasticities_with_year_shocks_in_their_uncertainty():
    rng = np.random.default_rng(3)
    years, beta, gamma = np.arange(2005, 2023), 0.4, 0.7
    shock = rng.normal(0, 0.02, len(years))  # a national cycle common to every province
    rows = []
    for g in PROVINCES:
        f = np.cumsum(rng.normal(0.10, 0.06, len(years)))
        gdp = np.cumsum(rng.normal(0.08, 0.03, len(years)))
        rd = np.cumsum(rng.normal(0.03, 0.01) + beta * np.diff(f, prepend=0) + gamma * np.diff(gdp, prepend=0)
                       + shock + rng.normal(0, 0.01, len(years)))  # fmt: skip
        for y, a, b, c in zip(years, np.exp(f), np.exp(gdp), np.exp(rd), strict=True):
            rows += [
                (g, "fiscal_st_expenditure", int(y), 10 * a),
                (g, "gdp", int(y), 1000 * b),
                (g, "rd_expenditure", int(y), 20 * c),
            ]
    fit = fit_rd_panel(history_of(rows), VOCAB, "rd_expenditure")
    se = np.sqrt(np.diag(fit.cov))
    assert fit.n_obs == len(PROVINCES) * (len(years) - 1)
    assert abs(fit.coef[0] - beta) < 4 * se[0] and abs(fit.coef[1] - gamma) < 4 * se[1]
    assert 0 < se[0] < 0.1 and 0 < se[1] < 0.2
    assert fit_rd_panel(history_of(rows), VOCAB, "rd_expenditure", upto=2015).n_obs == len(PROVINCES) * (2015 - 2005)


@pytest.mark.parametrize("upto", [None, 2016])
def test_rd_panel_fits_figures_that_fit_exactly_and_keeps_the_fit_in_itshistory_of(upto):
    # R&D = fiscal^0.4 x GDP^0.7 exactly (interpolated-looking figures): zero residual noise
    rows = []
    for i, g in enumerate(PROVINCES[:6]):
        for y in range(2008, 2020):
            t = y - 2000
            f, gdp = 1.0 + t + i, np.exp(0.05 * t + 0.002 * t * t)
            rows += [
                (g, "fiscal_st_expenditure", y, f),
                (g, "gdp", y, gdp),
                (g, "rd_expenditure", y, f**0.4 * gdp**0.7),
            ]
    h = history_of(rows)
    fit = fit_rd_panel(h, VOCAB, "rd_expenditure", upto)
    np.testing.assert_allclose(fit.coef, [0.4, 0.7], atol=1e-6)
    assert fit_rd_panel(h, VOCAB, "rd_expenditure", upto) is fit  # one fit per history and origin


def test_a_pool_with_a_constant_series_has_a_positive_scale():
    # one province publishes the same count every year (exactly zero noise): the pool still fits
    rng = np.random.default_rng(0)
    rows = [
        (g, "gdp", y, 100.0 * np.exp(0.08 * (y - 2010) + rng.normal(0, 0.02)))
        for g in PROVINCES[1:6]
        for y in range(2010, 2020)
    ]
    rows += [(PROVINCES[0], "gdp", y, 50.0) for y in range(2010, 2020)]
    pool = prior_pool(history_of(rows), VOCAB, "gdp", None)
    assert np.isfinite(pool.scale.s2) and pool.scale.s2 > 0 and 1 <= pool.scale.nu <= 100


def test_clustered_ols_is_statsmodels_cluster_covariance():
    import statsmodels.api as sm  # the reference: the engine itself does not import statsmodels

    rng = np.random.default_rng(3)
    for n, k, g in ((300, 2, 12), (40, 3, 4)):
        x, groups = rng.normal(size=(n, k)), rng.integers(0, g, n)
        y = x @ np.arange(1.0, k + 1) + rng.normal(size=n) + rng.normal(size=g)[groups]  # a shock per cluster
        ref = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups})
        coef, cov = clustered_ols(y, x, groups)
        np.testing.assert_allclose(coef, ref.params, rtol=1e-12)
        np.testing.assert_allclose(cov, ref.cov_params(), rtol=1e-12)


def test_rd_panel_is_not_fitted_where_a_driver_never_moves_apart_from_its_provinces_trend():
    # fiscal S&T grows at a constant rate in each province: no within variation, no elasticity
    rng = np.random.default_rng(5)
    rows = []
    for i, g in enumerate(PROVINCES[:8]):
        gdp = np.cumsum(rng.normal(0.08, 0.03, 10))
        for j, y in enumerate(range(2010, 2020)):
            rows += [
                (g, "fiscal_st_expenditure", y, 10 * np.exp((0.05 + 0.01 * i) * j)),
                (g, "gdp", y, 1000 * np.exp(gdp[j])),
                (g, "rd_expenditure", y, 20 * np.exp(0.6 * gdp[j] + rng.normal(0, 0.01))),
            ]
    assert fit_rd_panel(history_of(rows), VOCAB, "rd_expenditure") is None
