"""Joint simulated futures of the indicators of one geo, and `project()` (the stable contract).

Models, by indicator:
- rd_expenditure, rd_intensity (any geo but 全国): R&D follows a local linear trend pooled across
  provinces, plus fiscal elasticity x fiscal S&T growth + GDP elasticity x GDP growth (models.py);
  intensity = R&D / GDP, anchored on the published first-release intensity. Fiscal and GDP growth
  follow their own trend models, or the scenario's rates after the origin.
- hte_stock, where recognitions are published: certificates last three years, so the stock is
  c x (recognitions of the last three years); recognitions follow a trend model, c ~ 1 (sd 5 %)
  updated by published stocks.
- everything else: a local linear trend on log (amounts, counts) or logit (shares) with a pooled
  prior (models.prior_pool).
Parameters are drawn per path (not plugged in), so their uncertainty is in every path.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .context import Context
from .data import History
from .errors import InputError, Problem
from .models import (
    driver_growth,
    exact_series,
    fit_rd_panel,
    from_latent,
    prior_pool,
    to_latent,
    transform_of,
)
from .scenarios import Scenario
from .simulate import Streams, truncated_normal_above
from .trend import Pool, TrendFit, fit_shape, fit_trend, generic_pool, trend_paths
from .vocab import Vocabulary

NO_DRIVER_GEOS = {"全国", "中央", "地方", "地方合计"}  # references: never driven by a plan's scenario
STOCK_RATIO_SD = 0.05  # prior sd (log) of published stock / 3-year recognitions


class NoHistory(LookupError):
    """The series a projection needs has no usable observation up to the origin."""


@dataclass
class Projection:
    """Simulated futures of one indicator: `paths[i, j]` is path i's value in `years[j]`, in the
    indicator's canonical unit. `observed` holds the exact history used (years <= anchor)."""

    geo: str
    indicator: str
    scenario: str
    origin: int | None
    years: np.ndarray
    paths: np.ndarray
    observed: pd.Series
    model: str

    def value_at(self, year: int) -> np.ndarray:
        """Every path's value in `year`: simulated after the anchor, the observation before."""
        hit = np.nonzero(self.years == year)[0]
        if hit.size:
            return self.paths[:, hit[0]]
        if year in self.observed.index:
            return np.full(self.paths.shape[0], float(self.observed[year]))
        raise NoHistory(f"{self.geo} {self.indicator}: no observation or simulation for {year}")


@dataclass
class _Series:
    """A series following its trend fit from its anchor (last exact observation)."""

    indicator: str
    transform: str
    fit: TrendFit
    bounds: dict  # year -> latent lower bound, for lower-bound observations after the anchor
    observed: pd.Series

    @property
    def anchor_year(self) -> int:
        return self.fit.anchor_year

    def shifted(self, shifts: dict) -> TrendFit:
        """The fit with its drift moved by shifts['drift'] sd, its noise scale by shifts['noise'] sd."""
        fit = self.fit
        if not shifts.get("drift") and not shifts.get("noise"):
            return fit
        mean = fit.mean.copy()
        mean[:, 1] += shifts.get("drift", 0.0) * fit.params["drift_sd"]
        s2 = fit.s2 * max(1 + shifts.get("noise", 0.0) * np.sqrt(2 / fit.nu), 0.05)
        return replace(fit, mean=mean, s2=s2)

    def latent(
        self, streams: Streams, key: str, n: int, years: np.ndarray, override=None, shifts: dict | None = None
    ) -> np.ndarray:
        """Latent values for `years` (consecutive, from the year after the anchor). `override[j]`,
        where not NaN, fixes year j's increment (an observed or a scenario growth)."""
        lower = np.array([self.bounds.get(int(y), np.nan) for y in years])
        if override is not None:
            lower[np.isfinite(override)] = np.nan
        paths = trend_paths(self.shifted(shifts or {}), streams, key, n, len(years), lower)
        if override is None or np.isnan(override).all():
            return paths
        steps = np.diff(paths, axis=1, prepend=self.fit.anchor)
        fixed = np.isfinite(override)
        steps[:, fixed] = override[fixed]
        return self.fit.anchor + np.cumsum(steps, axis=1)


def _observed_growth(observed: pd.Series, years: np.ndarray) -> np.ndarray:
    """Published yearly log growth for `years`; the mean published growth across a gap."""
    growth = np.log(observed).diff()
    mean = float(growth.mean()) if growth.notna().any() else 0.0
    return growth.reindex(years).fillna(mean).values


class GeoModel:
    """Everything needed to simulate one geo's indicators jointly under one scenario."""

    def __init__(
        self,
        history: History,
        geo: str,
        scenario: Scenario,
        origin: int | None,
        vocab: Vocabulary,
        shifts: dict | None = None,
    ):
        self.history, self.geo, self.scenario, self.origin, self.vocab = history, geo, scenario, origin, vocab
        self.shifts = shifts or {}  # assumption -> standard deviations to move it (sensitivity analysis)
        self._series: dict[str, _Series | None] = {}

    # --- components ------------------------------------------------------------------------------
    def drift(self, indicator: str) -> _Series | None:
        if indicator not in self._series:
            self._series[indicator] = self._fit_series(indicator)
        return self._series[indicator]

    def _exact(self, indicator: str, transform: str) -> pd.Series:
        exact = exact_series(self.history, self.geo, indicator, self.origin)
        return exact[(exact > 0) & ((exact < 100) if transform == "logit" else True)]

    def _fit_series(self, indicator: str) -> _Series | None:
        transform = transform_of(self.vocab.indicators[indicator].kind)
        exact = self._exact(indicator, transform)
        if exact.empty:
            return None
        latent = to_latent(exact.values, transform)
        if indicator == "rd_expenditure" and self.geo not in NO_DRIVER_GEOS:
            panel = fit_rd_panel(self.history, self.vocab, self.origin)
            years = np.arange(int(exact.index.min()), int(exact.index.max()) + 1)
            inputs = panel.inputs(driver_growth(self.history, self.geo, self.origin, years))
            fit = fit_trend(exact.index.values, latent, panel.pool, inputs)
        else:
            fit = fit_trend(exact.index.values, latent, prior_pool(self.history, self.vocab, indicator, self.origin))
        allrows = self.history.series(self.geo, indicator, upto=self.origin)
        lb = allrows[(allrows.qualifier == ">") & (allrows.index > fit.anchor_year)]
        bounds = {int(y): float(to_latent([v], transform)[0]) for y, v in lb["value"].items()}
        return _Series(indicator, transform, fit, bounds, exact)

    def uses_rd_panel(self) -> bool:
        return self.geo not in NO_DRIVER_GEOS and self.drift("rd_expenditure") is not None

    def scenario_start(self) -> int:
        """First year the scenario's rates apply: after the origin, or after the last fiscal/GDP/R&D
        observation when no origin is given."""
        if self.origin is not None:
            return self.origin + 1
        years = [d.anchor_year for i in ("fiscal_st_expenditure", "gdp", "rd_expenditure") if (d := self.drift(i))]
        return max(years) + 1 if years else 10_000

    def _driver_growth(self, indicator: str, rate: float | None, grid: np.ndarray, streams: Streams, n: int):
        """Yearly log growth of a driver (fiscal S&T or GDP) for `grid`, one row per path (float32):
        observed where published, the scenario's rate after the origin, its trend model otherwise."""
        d = self.drift(indicator)
        if d is None:  # no series at all: the pool's drifts and noise, from a notional level
            pool = prior_pool(self.history, self.vocab, indicator, self.origin)
            start = min(int(grid[0]) - 1, self.scenario_start() - 1)
            fit = fit_trend([start], [0.0], pool)
            d = _Series(indicator, "log", fit, {}, pd.Series(dtype=float))
        shift = self.shifts.get(f"{indicator}_growth", 0.0)
        out = np.empty((n, len(grid)), np.float32)
        past = grid <= d.anchor_year
        out[:, past] = _observed_growth(d.observed, grid[past])
        future = grid[~past]
        if future.size:
            years = np.arange(d.anchor_year + 1, int(future[-1]) + 1)
            override = np.full(len(years), np.nan)
            if rate is not None and self.geo not in NO_DRIVER_GEOS:  # moves by one sd of yearly growth
                override[years >= self.scenario_start()] = np.log1p(rate) + shift * np.sqrt(d.fit.s2)
            latent = d.latent(streams, f"{self.geo}/{indicator}", n, years, override, {"drift": shift})
            steps = np.diff(latent, axis=1, prepend=d.fit.anchor)
            out[:, ~past] = steps[:, np.isin(years, future)]
        return out

    # --- simulation ------------------------------------------------------------------------------
    def anchors(self, indicator: str) -> tuple[int, pd.Series, str]:
        """(anchor year, exact observations, model description) of an indicator for this geo."""
        if indicator in ("rd_expenditure", "rd_intensity") and self.uses_rd_panel():
            rd = self.drift("rd_expenditure")
            if indicator == "rd_expenditure":
                return rd.anchor_year, rd.observed, "R&D panel model (fiscal and GDP driven)"
            intensity = self._intensity_observed()
            if intensity.empty:
                raise NoHistory(f"{self.geo} rd_intensity: no R&D intensity, nor R&D and GDP in the same year")
            return int(intensity.index.max()), intensity, "R&D panel model; intensity = R&D / GDP"
        if indicator == "hte_stock" and self.drift("hte_recognitions") is not None:
            rec = self.drift("hte_recognitions")
            return rec.anchor_year, self._stock_from_recognitions(rec.observed), "3-year recognitions x ratio"
        d = self.drift(indicator)
        if d is None:
            raise NoHistory(
                f"no history{' up to ' + str(self.origin) if self.origin else ''} for {self.geo} {indicator}"
            )
        return d.anchor_year, d.observed, "local linear trend, pooled prior"

    def _intensity_observed(self) -> pd.Series:
        own = exact_series(self.history, self.geo, "rd_intensity", self.origin)
        if not own.empty:
            return own
        rd = exact_series(self.history, self.geo, "rd_expenditure", self.origin)
        gdp = exact_series(self.history, self.geo, "gdp", self.origin)
        both = rd.index.intersection(gdp.index)
        return (100 * rd[both] / gdp[both]).rename("rd_intensity")

    def _stock_from_recognitions(self, rec: pd.Series) -> pd.Series:
        years = [y for y in rec.index if {y - 1, y - 2} <= set(rec.index)]
        return pd.Series({y: rec[y] + rec[y - 1] + rec[y - 2] for y in years}, dtype=float)

    def _stock_ratio(self, streams: Streams, n: int) -> np.ndarray:
        """Published stock / 3-year recognitions: prior 1 (sd 5 %), updated by exact pairs; published
        lower bounds truncate it from below."""
        sums = self._stock_from_recognitions(self.drift("hte_recognitions").observed)
        published = self.history.series(self.geo, "hte_stock", upto=self.origin)
        both = published.index.intersection(sums.index)
        logs = np.log(published.loc[both, "value"] / sums[both])
        exact = logs[published.loc[both, "qualifier"].isin(["=", "~"])]
        prec = 1 / STOCK_RATIO_SD**2 + len(exact) / STOCK_RATIO_SD**2
        mean = exact.sum() / STOCK_RATIO_SD**2 / prec
        sd = np.sqrt(1 / prec)
        lower = logs[published.loc[both, "qualifier"] == ">"]
        z_lo = (lower.max() - mean) / sd if len(lower) else -np.inf
        z = truncated_normal_above(np.full(n, z_lo), streams.uniform(f"{self.geo}/hte_ratio", n))
        return np.exp(mean + sd * z)

    def simulate(self, indicators: list[str], end: int, n: int, streams: Streams) -> dict[str, Projection]:
        """Joint paths to `end` for `indicators` (names without bases). Raises NoHistory."""
        info = {i: self.anchors(i) for i in indicators}
        grid_start = min(a for a, _, _ in info.values()) + 1
        grid = np.arange(grid_start, end + 1)
        out, cache = {}, {}
        for ind in indicators:
            anchor, observed, model = info[ind]
            cols = grid > anchor
            if ind in ("rd_expenditure", "rd_intensity") and self.uses_rd_panel():
                latent = self._rd_paths(ind, anchor, observed, grid, streams, n, cache)
            elif ind == "hte_stock" and self.drift("hte_recognitions") is not None:
                latent = self._stock_paths(grid, streams, n)
            else:
                d = self.drift(ind)
                override = self._override(ind, grid[cols])
                latent = from_latent(
                    d.latent(streams, f"{self.geo}/{ind}", n, grid[cols], override, self.shifts), d.transform
                )
            out[ind] = Projection(self.geo, ind, self.scenario.name, self.origin, grid[cols], latent, observed, model)
        return out

    def _override(self, indicator: str, years: np.ndarray) -> np.ndarray | None:
        rate = {
            "fiscal_st_expenditure": self.scenario.params.get("fiscal_st_growth"),
            "gdp": self.scenario.params.get("gdp_growth"),
        }.get(indicator)
        if rate is None or self.geo in NO_DRIVER_GEOS:
            return None
        return np.where(years >= self.scenario_start(), np.log1p(rate), np.nan)

    def _rd_increments(self, grid: np.ndarray, streams: Streams, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Yearly log growth of R&D and of GDP on `grid` (observed up to each anchor)."""
        panel = fit_rd_panel(self.history, self.vocab, self.origin)
        params = self.scenario.params
        f = self._driver_growth("fiscal_st_expenditure", params.get("fiscal_st_growth"), grid, streams, n)
        g = self._driver_growth("gdp", params.get("gdp_growth"), grid, streams, n)
        rd = self.drift("rd_expenditure")
        d_rd = np.empty((n, len(grid)), np.float32)
        past = grid <= rd.anchor_year
        d_rd[:, past] = _observed_growth(rd.observed, grid[past])
        future = ~past
        if not future.any():
            return d_rd, g
        years = grid[future]
        se = np.sqrt(np.diag(panel.cov))
        centre = panel.coef + se * np.array(
            [self.shifts.get("fiscal_elasticity", 0.0), self.shifts.get("gdp_elasticity", 0.0)]
        )
        chol = np.linalg.cholesky(panel.cov)
        coef = centre[:, None] + chol @ np.vstack(
            [streams.normal(f"{self.geo}/rd/beta", n), streams.normal(f"{self.geo}/rd/gamma", n)]
        )
        beta = np.maximum(coef[0], 0.0)  # fiscal S&T spending does not lower R&D
        # the trend was fitted net of the drivers at the estimated elasticities: another draw of the
        # elasticities moves the trend's drift by the drivers' mean past growth
        mean_growth = panel.year_growth.mean().values
        correction = -(beta - panel.coef[0]) * mean_growth[0] - (coef[1] - panel.coef[1]) * mean_growth[1]
        trend = rd.latent(streams, f"{self.geo}/rd", n, years, shifts=self.shifts)
        steps = np.diff(trend, axis=1, prepend=rd.fit.anchor) + correction[:, None]
        d_rd[:, future] = steps + beta[:, None] * f[:, future] + coef[1][:, None] * g[:, future]
        return d_rd, g

    def _rd_paths(self, ind, anchor, observed, grid, streams, n, cache) -> np.ndarray:
        if "rd" not in cache:
            cache["rd"] = self._rd_increments(grid, streams, n)
        d_rd, g = cache["rd"]
        cols = grid > anchor
        step = d_rd[:, cols] if ind == "rd_expenditure" else d_rd[:, cols] - g[:, cols]
        return float(observed.iloc[-1]) * np.exp(np.cumsum(step, axis=1, dtype=np.float64))

    def _stock_paths(self, grid, streams, n) -> np.ndarray:
        rec = self.drift("hte_recognitions")
        years = grid[grid > rec.anchor_year]
        sim = np.exp(rec.latent(streams, f"{self.geo}/hte_recognitions", n, years, shifts=self.shifts))
        past = [rec.observed.get(y, np.nan) for y in (rec.anchor_year - 1, rec.anchor_year)]
        flows = np.hstack([np.tile(past, (n, 1)), sim])
        three = flows[:, 2:] + flows[:, 1:-1] + flows[:, :-2]
        return self._stock_ratio(streams, n)[:, None] * three


def project(
    geo: str,
    indicator: str,
    scenario: str = "baseline",
    origin: int | None = None,
    end: int = 2030,
    n_paths: int = 10_000,
    seed: int = 0,
    history: History | None = None,
) -> Projection:
    """Simulated futures of one indicator of one geo (see the module docstring for the models)."""
    ctx = Context.get(history)
    geo = ctx.vocab.geo(geo)
    if indicator not in ctx.vocab.indicators:
        raise InputError.single("indicator", repr(indicator), "an indicator in params/indicators.yaml")
    model = GeoModel(ctx.history, geo, ctx.scenario(scenario), origin, ctx.vocab)
    try:
        return model.simulate([indicator], end, n_paths, Streams(seed))[indicator]
    except NoHistory as exc:
        raise InputError.single("history", str(exc), "at least one exact observation up to the origin") from None


def forecast_series(
    values, years, horizon: int, n_paths: int = 10_000, seed: int = 0, pool: Pool | None = None
) -> np.ndarray:
    """Predictive sample paths (n_paths, horizon) for the `horizon` years after the last year of a
    positive annual series; gaps as NaN. The local linear trend the library uses for an indicator
    with no driver. Without a `pool` nothing about growth is assumed: the drift's prior is centred
    on zero (sd 10 %/yr), the noise scale's prior is weak, and a series of eight or more points
    sets the trend's shape itself."""
    v = np.asarray(values, dtype=float)
    y = np.asarray(years)
    problems = []
    if v.ndim != 1 or y.shape != v.shape:
        problems.append(("values", f"shape {v.shape} with years of shape {y.shape}", "two 1-d arrays of equal length"))
    elif np.any(v[np.isfinite(v)] <= 0) or np.any(np.isinf(v)):
        problems.append(("values", "zero, negative or infinite values", "positive numbers (NaN for gaps)"))
    elif not np.isfinite(v).any():
        problems.append(("values", "no finite value", "at least one observation"))
    elif not np.all(np.diff(y) > 0) or not np.all(np.equal(np.mod(y, 1), 0)):
        problems.append(("years", "years not whole and strictly increasing", "strictly increasing whole years"))
    if not (isinstance(horizon, int | np.integer) and horizon >= 1):
        problems.append(("horizon", repr(horizon), "a positive whole number of years"))
    if not (isinstance(n_paths, int | np.integer) and n_paths >= 1):
        problems.append(("n_paths", repr(n_paths), "a positive whole number"))
    if problems:
        raise InputError([Problem("forecast_series", "", f, found, exp) for f, found, exp in problems])
    ok = np.isfinite(v)
    yrs, latent = y[ok].astype(int), np.log(v[ok])
    shape = None
    if pool is None:
        pool = generic_pool()
        if ok.sum() >= 8:
            grid = np.full(int(yrs[-1] - yrs[0]) + 1, np.nan)
            grid[yrs - yrs[0]] = latent
            shape = fit_shape(grid[:, None])
    fit = fit_trend(yrs, latent, pool, shape=shape)
    series = _Series("series", "log", fit, {}, pd.Series(v[ok], index=yrs))
    future = np.arange(int(yrs[-1]) + 1, int(y[-1]) + horizon + 1)  # trailing NaNs: simulated, then dropped
    paths = series.latent(Streams(seed), "series", int(n_paths), future)
    return np.exp(paths[:, len(future) - horizon :])
