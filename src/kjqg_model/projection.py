"""Joint simulated futures of the indicators of one geo, and `project()` (the stable contract).

Models, by indicator:
- rd_expenditure, rd_intensity (any geo but 全国): the R&D panel model. Yearly R&D log growth =
  own drift (shrunk to the pool) + fiscal elasticity x fiscal S&T growth + GDP elasticity x GDP
  growth + noise; intensity = R&D / GDP, anchored on the published first-release intensity.
  Fiscal and GDP growth follow their own drift models, or the scenario's rates after the origin.
- hte_stock, where recognitions are published: certificates last three years, so the stock is
  c x (recognitions of the last three years); recognitions follow a drift model, c ~ 1 (sd 5 %)
  updated by published stocks.
- everything else: a drift model on log (amounts, counts) or logit (shares) with a pooled prior.
Parameters are drawn per path (not plugged in), so their uncertainty is in every path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .context import Context
from .data import History
from .errors import InputError, Problem
from .models import (
    DriftPosterior,
    DriftPrior,
    exact_series,
    fit_drift,
    fit_rd_panel,
    from_latent,
    generic_prior,
    pooled_prior,
    to_latent,
    transform_of,
)
from .scenarios import Scenario
from .simulate import Streams, cumulate, draw_scale, truncated_normal_above
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

    def quantiles(self, qs=(0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)) -> pd.DataFrame:
        return pd.DataFrame(np.quantile(self.paths, qs, axis=0).T, index=self.years, columns=list(qs))


@dataclass
class _Drift:
    """A series following a drift model from its last exact observation (the anchor)."""

    indicator: str
    transform: str
    anchor_year: int
    anchor: float  # latent value at the anchor
    post: DriftPosterior
    bounds: dict  # year -> latent lower bound, for lower-bound observations after the anchor
    observed: pd.Series

    def increments(
        self,
        streams: Streams,
        key: str,
        n: int,
        years: np.ndarray,
        override: np.ndarray | None = None,
        shifts: dict | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Yearly latent increments (float32, one row per path) for `years`, and the per-path drift
        and noise scale. `override[j]`, where not NaN, fixes year j's increment (an observed or a
        scenario growth). `shifts` moves the drift ("drift") or the noise scale ("noise") by that
        many standard deviations of its estimate."""
        shifts = shifts or {}
        post = self.post
        mu = post.mu_mean + shifts.get("drift", 0.0) * post.mu_sd + post.mu_sd * streams.normal(f"{key}/mu", n)
        s2 = post.s2 * max(1 + shifts.get("noise", 0.0) * np.sqrt(2 / post.nu), 0.05)
        sigma = draw_scale(s2, post.nu, streams.normal(f"{key}/sigma", n))
        free = np.ones(len(years), bool) if override is None else np.isnan(override)
        shocks = streams.normal(f"{key}/shock", n, int(free.sum()), np.float32)  # fixed years draw none
        shocks *= sigma.astype(np.float32)[:, None]
        shocks += mu.astype(np.float32)[:, None]
        if free.all():
            return shocks, mu, sigma
        steps = np.empty((n, len(years)), np.float32)
        steps[:, free] = shocks
        steps[:, ~free] = override[~free]
        return steps, mu, sigma

    def simulate(
        self,
        streams: Streams,
        key: str,
        n: int,
        years: np.ndarray,
        override: np.ndarray | None = None,
        shifts: dict | None = None,
    ) -> np.ndarray:
        """Latent levels for `years` (all after the anchor); a published lower bound "> x" in a
        year conditions that year's shock on exceeding it."""
        steps, mu, sigma = self.increments(streams, key, n, years, override, shifts)
        if not self.bounds:
            return self.anchor + cumulate(steps).astype(np.float64)
        uniforms = streams.uniform(f"{key}/bound", n, len(years))
        out = np.empty((n, len(years)))
        level = np.full(n, self.anchor)
        for j, year in enumerate(years):
            if year in self.bounds and (override is None or np.isnan(override[j])):
                z = truncated_normal_above((self.bounds[year] - level - mu) / sigma, uniforms[:, j])
                level = level + mu + sigma * z
            else:
                level = level + steps[:, j]
            out[:, j] = level
        return out


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
        self._drifts: dict[str, _Drift | None] = {}

    # --- components ------------------------------------------------------------------------------
    def drift(self, indicator: str) -> _Drift | None:
        if indicator not in self._drifts:
            self._drifts[indicator] = self._fit_drift(indicator)
        return self._drifts[indicator]

    def _fit_drift(self, indicator: str) -> _Drift | None:
        transform = transform_of(self.vocab.indicators[indicator].kind)
        exact = exact_series(self.history, self.geo, indicator, self.origin)
        exact = exact[(exact > 0) & ((exact < 100) if transform == "logit" else True)]
        if exact.empty:
            return None
        prior = pooled_prior(self.history, indicator, self.origin, transform) or generic_prior(
            self.history, self.origin
        )
        latent = to_latent(exact.values, transform)
        post = fit_drift(exact.index.values, latent, prior)
        anchor_year = int(exact.index.max())
        allrows = self.history.series(self.geo, indicator, upto=self.origin)
        lb = allrows[(allrows.qualifier == ">") & (allrows.index > anchor_year)]
        bounds = {int(y): float(to_latent([v], transform)[0]) for y, v in lb["value"].items()}
        return _Drift(indicator, transform, anchor_year, float(latent[-1]), post, bounds, exact)

    def uses_rd_panel(self) -> bool:
        return self.geo not in NO_DRIVER_GEOS and self.drift("rd_expenditure") is not None

    def scenario_start(self) -> int:
        """First year the scenario's rates apply: after the origin, or after the last fiscal/GDP/R&D
        observation when no origin is given."""
        if self.origin is not None:
            return self.origin + 1
        years = [d.anchor_year for i in ("fiscal_st_expenditure", "gdp", "rd_expenditure") if (d := self.drift(i))]
        return max(years) + 1 if years else 10_000

    def _driver_growth(self, indicator: str, rate: float | None, years: np.ndarray, streams: Streams, n: int):
        """Yearly log growth of a driver (fiscal S&T or GDP) for `years`, one row per path: observed
        where published, the scenario's rate after the origin, its drift model otherwise."""
        d = self.drift(indicator)
        if d is None:  # no series at all: the pool's drift and noise
            post = fit_drift([], [], pooled_prior(self.history, indicator, self.origin, "log"))
            d = _Drift(indicator, "log", 0, 0.0, post, {}, pd.Series(dtype=float))
        shift = self.shifts.get(f"{indicator}_growth", 0.0)
        override = np.full(len(years), np.nan)
        if rate is not None and self.geo not in NO_DRIVER_GEOS:  # moves by one sd of yearly growth
            override[years >= self.scenario_start()] = np.log1p(rate) + shift * np.sqrt(d.post.s2)
        logs = np.log(d.observed)
        for j, year in enumerate(years):
            if year in logs.index and year - 1 in logs.index:
                override[j] = logs[year] - logs[year - 1]
        key = f"{self.geo}/{indicator}"
        return d.increments(streams, key, n, years, override, {"drift": shift})[0]

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
        return d.anchor_year, d.observed, "drift model, pooled prior"

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
                latent = self._stock_paths(grid, streams, n, cache)
            else:
                d = self.drift(ind)
                override = self._override(ind, grid[cols])
                latent = from_latent(
                    d.simulate(streams, f"{self.geo}/{ind}", n, grid[cols], override, self.shifts), d.transform
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

    def _rd_paths(self, ind, anchor, observed, grid, streams, n, cache) -> np.ndarray:
        if "rd" not in cache:
            fit = fit_rd_panel(self.history, self.origin)
            f = self._driver_growth(
                "fiscal_st_expenditure", self.scenario.params.get("fiscal_st_growth"), grid, streams, n
            )
            g = self._driver_growth("gdp", self.scenario.params.get("gdp_growth"), grid, streams, n)
            se = np.sqrt(np.diag(fit.cov))
            centre = fit.coef + se * np.array(
                [self.shifts.get("fiscal_elasticity", 0.0), self.shifts.get("gdp_elasticity", 0.0)]
            )
            chol = np.linalg.cholesky(fit.cov)
            coef = centre[:, None] + chol @ np.vstack(
                [streams.normal(f"{self.geo}/rd/beta", n), streams.normal(f"{self.geo}/rd/gamma", n)]
            )
            beta = np.maximum(coef[0], 0.0)  # fiscal S&T spending does not lower R&D
            a_mean, a_sd = fit.intercept(self.geo)
            a = a_mean + self.shifts.get("drift", 0.0) * a_sd + a_sd * streams.normal(f"{self.geo}/rd/a", n)
            s2 = fit.sigma2 * max(1 + self.shifts.get("noise", 0.0) * np.sqrt(2 / fit.dof), 0.05)
            sigma = draw_scale(s2, fit.dof, streams.normal(f"{self.geo}/rd/sigma", n))
            d_rd = streams.normal(f"{self.geo}/rd/shock", n, len(grid), np.float32)  # in place, float32:
            d_rd *= sigma.astype(np.float32)[:, None]  # the hot loop of a million-path run
            d_rd += a.astype(np.float32)[:, None]
            f *= beta.astype(np.float32)[:, None]
            d_rd += f
            d_rd += coef[1].astype(np.float32)[:, None] * g
            cache["rd"] = (d_rd, g)
        d_rd, g = cache["rd"]
        cols = slice(None) if anchor < grid[0] else grid > anchor  # a slice keeps views, not copies
        step = d_rd[:, cols].copy() if ind == "rd_expenditure" else d_rd[:, cols] - g[:, cols]
        level = np.exp(cumulate(step)).astype(np.float64)
        level *= float(observed.iloc[-1])
        return level

    def _stock_paths(self, grid, streams, n, cache) -> np.ndarray:
        rec = self.drift("hte_recognitions")
        years = grid[grid > rec.anchor_year]
        sim = np.exp(rec.simulate(streams, f"{self.geo}/hte_recognitions", n, years, shifts=self.shifts))
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
    values, years, horizon: int, n_paths: int = 10_000, seed: int = 0, prior: DriftPrior | None = None
) -> np.ndarray:
    """Predictive sample paths (n_paths, horizon) for the `horizon` years after the last year of a
    positive annual series; gaps as NaN. The drift model the library uses for an indicator with no
    driver; the prior defaults to the pooled panel prior (see models.generic_prior)."""
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
    prior = prior or generic_prior(Context.get().history)
    post = fit_drift(y[ok], np.log(v[ok]), prior)
    last = int(y[ok][-1])
    d = _Drift("series", "log", last, float(np.log(v[ok][-1])), post, {}, pd.Series(v[ok], index=y[ok]))
    future = np.arange(int(y[-1]) + 1, int(y[-1]) + horizon + 1)
    gap = np.arange(last + 1, int(y[-1]) + 1)  # trailing NaNs: simulated too, then dropped
    return np.exp(d.simulate(Streams(seed), "series", int(n_paths), np.concatenate([gap, future])))[:, len(gap) :]
