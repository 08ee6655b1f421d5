"""bench/holdout_series.py: the hold-out panel is sound and the scorer gives known answers."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "holdout_series.py"


def _load_bench():
    name = "holdout_series_bench"
    if name not in sys.modules:  # bench/ is not a package: load the script by path
        spec = importlib.util.spec_from_file_location(name, BENCH)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


hs = _load_bench()


def _truth(years):
    years = np.asarray(years, dtype=float)
    return np.exp(0.05 * (years - 2000) + 0.3 * np.sin(years))


def _toy_panel(n=10):
    years = np.arange(2000, 2000 + n)
    return [("toy", pd.Series(_truth(years), index=years))]


def _exact(values, years, horizon, n_paths, seed):
    return np.tile(_truth(years[-1] + np.arange(1, horizon + 1)), (n_paths, 1))


def _far(values, years, horizon, n_paths, seed):
    return 1000.0 * _exact(values, years, horizon, n_paths, seed)


@pytest.fixture(scope="module", params=list(hs.PANELS))
def panel(request):
    return hs.load_holdout(request.param)


def test_panel_is_positive_annual_and_long_enough(panel):
    assert len(panel) >= 8
    assert len(hs.SOURCES) == len(panel)
    assert len({name for name, _ in panel}) == len(panel)
    for name, s in panel:
        years, v = s.index.to_numpy(), s.to_numpy()
        assert len(s) >= 12, name
        assert np.isfinite(v).all() and (v > 0).all(), name
        assert np.issubdtype(years.dtype, np.integer), name
        assert (np.diff(years) > 0).all(), name
    for src in hs.SOURCES:  # provenance recorded for every series
        assert src.package and src.dataset and src.column and src.aggregation


def test_exact_forecaster_covers_everything_with_zero_crps():
    res = hs.score(_exact, origins_per_series=None, horizons=5, n_paths=50, panel=_toy_panel())
    assert (res["cover80"] == 1).all() and (res["cover95"] == 1).all()
    np.testing.assert_allclose(res["crps"], 0.0, atol=1e-12)
    summary = hs.summarise(res)
    assert (summary["cover80"] == 100).all() and (summary["crps"].abs() < 1e-12).all()


def test_far_point_forecaster_covers_nothing():
    res = hs.score(_far, origins_per_series=None, horizons=5, n_paths=50, panel=_toy_panel())
    assert (res["cover80"] == 0).all() and (res["cover95"] == 0).all()
    np.testing.assert_allclose(res["crps"], np.log(1000.0))


def test_origins_groups_and_horizons_are_counted_right():
    n, h = 10, 5
    res = hs.score(_exact, origins_per_series=None, horizons=h, n_paths=5, panel=_toy_panel(n))
    counts = res.groupby("group").size()
    for group in hs.GROUPS:
        k_min = 4 if group == "full" else int(group[-1])  # full: only histories longer than 3 points
        expected = sum(min(h, n - 1 - i) for i in range(k_min - 1, n - 1))
        assert counts[group] == expected, group
    assert (res.loc[res["group"] == "thin2", "n_hist"] == 2).all()
    full = res[res["group"] == "full"]
    assert (full["n_hist"] == full["origin"] - 2000 + 1).all()
    pos = hs.origin_positions(100, 15)
    assert len(pos) == 15 and pos[0] == 0 and pos[-1] == 98


def test_no_change_is_a_point_forecast_on_one_point_and_a_random_walk_after():
    res = hs.score(hs.no_change, origins_per_series=None, horizons=3, n_paths=20, panel=_toy_panel())
    thin1 = res[res["group"] == "thin1"]
    assert thin1["cover80"].isna().all() and thin1["cover95"].isna().all()
    t = _truth(np.arange(2000, 2010))
    expected = np.abs(np.log(t[thin1["origin"] - 2000 + thin1["h"]]) - np.log(t[thin1["origin"] - 2000]))
    np.testing.assert_allclose(thin1["crps"], expected)
    assert res.loc[res["group"] != "thin1", "cover80"].notna().all()
    paths = hs.no_change(np.exp([0.0, 0.1]), np.array([2000, 2001]), 4, 200_000, 0)
    sd = np.log(paths).std(axis=0)
    np.testing.assert_allclose(sd, 0.1 * np.sqrt([1, 2, 3, 4]), rtol=0.02)
    np.testing.assert_allclose(np.median(np.log(paths), axis=0), 0.1, atol=0.005)


def test_wrong_shape_is_reported():
    with pytest.raises(ValueError, match="shape"):
        hs.score(lambda v, y, h, n, s: np.ones((n, h + 1)), horizons=2, n_paths=3, panel=_toy_panel())


def test_the_generic_prior_is_what_the_development_panel_says():
    from kjqg_model.engine.trend import GENERIC_LOG_SD, GENERIC_SCALE

    centre, spread = hs.generic_prior(hs.load_holdout("development"))
    assert centre == pytest.approx(GENERIC_SCALE, abs=0.0005)
    assert spread == pytest.approx(GENERIC_LOG_SD, abs=0.005)


@pytest.mark.slow
def test_forecast_series_is_calibrated_on_series_it_was_never_tuned_on():
    """The validation panel (R datasets): the bands of the issue "Honest probabilities" for
    histories of 3 points and more, and a CRPS no worse than the no-change forecast's."""
    from kjqg_model import forecast_series

    panel = hs.load_holdout("validation")
    ours = hs.score(forecast_series, 8, 5, 1000, 0, panel)
    naive = hs.score(hs.no_change, 8, 5, 1000, 0, panel)
    table = hs.summarise(ours)
    for group in ("thin3", "full"):
        rows = table.loc[group]
        assert rows.cover80.between(76, 84).all(), rows
        assert rows.cover95.between(91, 98).all(), rows
    assert ours.crps.mean() < naive.crps.mean()
    for group in hs.GROUPS:
        m = ours.group == group
        assert ours.crps[m].mean() <= 1.0 * naive.crps[m].mean(), group
