"""Joint simulated futures of the indicators of one geo (`simulate_indicator`, behind the public
`kjqg_model.project`).

Models, by indicator:
- rd_expenditure, rd_intensity (any geo but 全国): R&D follows a local linear trend pooled across
  provinces, plus fiscal elasticity x fiscal S&T growth + GDP elasticity x GDP growth (engine/fit.py);
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

from ..inputs.context import Context
from ..inputs.errors import InputError, Problem, is_whole
from ..inputs.history import History
from ..inputs.scenarios import SERIES as SCENARIO_SERIES
from ..inputs.scenarios import Scenario
from ..inputs.vocab import EXACT, STOCK_YEARS, Vocabulary
from .fit import (
    RDPanelFit,
    driver_growth,
    exact_series,
    fit_rd_panel,
    from_latent,
    indicator_pool,
    new_series_fit,
    prior_pool,
    to_latent,
    transform_of,
)
from .streams import MAX_PATHS, Streams, run_chunks, running_sum, truncated_normal_above
from .trend import MixtureFit, Pool, TrendFit, fit_shape, fit_trend, generic_pool, on_years, trend_steps

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
    fit: TrendFit | MixtureFit
    bounds: dict  # year -> latent lower bound, for lower-bound observations after the anchor
    observed: pd.Series

    @property
    def anchor_year(self) -> int:
        return self.fit.anchor_year

    def shifted(self, shifts: dict) -> TrendFit | MixtureFit:
        """The fit with its drift moved by shifts['drift'] sd, its noise scale by shifts['noise'] sd.
        A mixture's parts all move by the mixture's drift sd (which includes the spread between
        them), so one sd means the same for a borrowed series as for any other."""
        if not shifts.get("drift") and not shifts.get("noise"):
            return self.fit
        if isinstance(self.fit, MixtureFit):
            sd = self.fit.params["drift_sd"]
            return replace(self.fit, parts=tuple(_shifted(f, shifts, sd) for f in self.fit.parts))
        return _shifted(self.fit, shifts, self.fit.params["drift_sd"])

    def steps(
        self, streams: Streams, key: str, n: int, years: np.ndarray, override=None, shifts: dict | None = None
    ) -> np.ndarray:
        """Latent yearly changes for `years` (consecutive, from the year after the anchor), float32.
        `override[j]`, where not NaN, fixes year j's change (an observed or a scenario growth)."""
        lower = np.array([self.bounds.get(int(y), np.nan) for y in years])
        if override is not None:
            lower[np.isfinite(override)] = np.nan
        steps = trend_steps(self.shifted(shifts or {}), streams, key, n, len(years), lower)
        if override is not None:
            fixed = np.isfinite(override)
            steps[:, fixed] = override[fixed]
        return steps


def _shifted(fit: TrendFit, shifts: dict, drift_sd: float) -> TrendFit:
    mean = fit.mean.copy()
    mean[:, 1] += shifts.get("drift", 0.0) * drift_sd
    s2 = fit.s2 * max(1 + shifts.get("noise", 0.0) * np.sqrt(2 / fit.nu), 0.05)
    return replace(fit, mean=mean, s2=s2)


def _observed_growth(observed: pd.Series, years: np.ndarray, transform: str = "log") -> np.ndarray:
    """Published yearly latent growth for `years`: a change across a gap is spread evenly over its
    years; years outside the published span get the mean yearly growth."""
    latent = pd.Series(to_latent(observed.values, transform), index=observed.index.astype(int)).sort_index()
    if len(latent) < 2:
        return np.zeros(len(years))
    span = np.arange(int(latent.index.min()), int(latent.index.max()) + 1)
    growth = latent.reindex(span).interpolate().diff()
    mean = float(latent.iloc[-1] - latent.iloc[0]) / (span[-1] - span[0])
    return growth.reindex(years).fillna(mean).values


# shifts a sensitivity analysis may ask for: assumption -> what moves by one standard deviation
SHIFTS = {
    "fiscal_st_expenditure_growth": "fiscal S&T growth (trend drift or scenario rate) ±1 sd",
    "gdp_growth": "GDP growth (trend drift or scenario rate) ±1 sd",
    "fiscal_elasticity": "elasticity of R&D to fiscal S&T spending ±1 se",
    "gdp_elasticity": "elasticity of R&D to GDP ±1 se",
    "drift": "the indicator's own drift ±1 sd",
    "noise": "yearly noise scale ±1 sd of its estimate",
}
DRIVER_SHIFT = {"fiscal_st_expenditure": "fiscal_st_expenditure_growth", "gdp": "gdp_growth"}


@dataclass(frozen=True)
class Route:
    """How one indicator of a geo is simulated: its model, anchor year and exact history."""

    model: str  # trend | rd_panel | ratio | stock_from_flows
    anchor: int
    observed: pd.Series
    about: str


class GeoModel:
    """The models of one geo's indicators, with data up to `origin`: `fit(indicators)` -> GeoFit.
    Which model serves which indicator is read from params/indicators.yaml (`model`, `inputs`); a
    derived indicator whose inputs are not published falls back to its own trend."""

    def __init__(self, history: History, geo: str, origin: int | None, vocab: Vocabulary):
        self.history, self.geo, self.origin, self.vocab = history, geo, origin, vocab
        self._series: dict[str, _Series | None] = {}

    def fit(self, indicators) -> GeoFit:
        routes, missing = {}, {}
        for ind in indicators:
            try:
                routes[ind] = self._route(ind)
            except NoHistory as exc:
                missing[ind] = str(exc)
        panels = {
            n: fit_rd_panel(self.history, self.vocab, n, self.origin)
            for n, s in self._series.items()
            if s is not None and self._uses_panel(n)
        }
        ratios = {i: self._stock_ratio_prior(i) for i, r in routes.items() if r.model == "stock_from_flows"}
        stand_ins = {
            name: prior_pool(self.history, self.vocab, name, self.origin)
            for name, s in self._series.items()
            if s is None and any(name in p.drivers for p in panels.values())
        }
        return GeoFit(
            self.geo,
            self.origin,
            self.vocab,
            dict(self._series),
            routes,
            missing,
            panels,
            ratios,
            stand_ins,
            self._scenario_start(),
        )

    def _uses_panel(self, indicator: str) -> bool:
        return (
            self.vocab.indicators[indicator].model == "rd_panel"
            and self.geo not in NO_DRIVER_GEOS
            and fit_rd_panel(self.history, self.vocab, indicator, self.origin) is not None
        )

    def series(self, indicator: str) -> _Series | None:
        if indicator not in self._series:
            self._series[indicator] = self._fit_series(indicator)
        return self._series[indicator]

    def _fit_series(self, indicator: str) -> _Series | None:
        transform = transform_of(self.vocab.indicators[indicator].kind)
        exact = exact_series(self.history, self.geo, indicator, self.origin)
        v = exact.to_numpy()
        exact = exact[(v > 0) & ((v < 100) if transform == "logit" else True)]
        if exact.empty:
            return None
        latent = to_latent(exact.values, transform)
        if self._uses_panel(indicator):
            panel = fit_rd_panel(self.history, self.vocab, indicator, self.origin)
            years = np.arange(int(exact.index.min()), int(exact.index.max()) + 1)
            inputs = panel.inputs(driver_growth(self.history, self.geo, self.origin, years, panel.drivers))
            fit = fit_trend(exact.index.values, latent, panel.pool, inputs)
        elif own := indicator_pool(self.history, self.vocab, indicator, self.origin):
            fit = fit_trend(exact.index.values, latent, own)
        else:
            fit = new_series_fit(self.history, self.vocab, indicator, self.origin, pd.Series(latent, exact.index))
        allrows = self.history.series(self.geo, indicator, upto=self.origin)
        lb = (allrows.qualifier.to_numpy() == ">") & (allrows.index.to_numpy() > fit.anchor_year)
        bounds = {int(y): float(to_latent([v], transform)[0]) for y, v in allrows["value"][lb].items()}
        return _Series(indicator, transform, fit, bounds, exact)

    def _route(self, indicator: str) -> Route:
        ind = self.vocab.indicators[indicator]
        num, den = (*ind.inputs, None, None)[:2]
        if (
            ind.model == "ratio"
            and self.series(num) is not None
            and (
                self.series(den) is not None or self._uses_panel(num)  # the R&D model's drivers have stand-ins
            )
        ):
            observed = self._ratio_observed(indicator)
            if not observed.empty:
                self._prepare(ind.inputs[0])
                self._prepare(ind.inputs[1])
                return Route(
                    "ratio",
                    int(observed.index.max()),
                    observed,
                    f"{ind.inputs[0]} / {ind.inputs[1]}, anchored on the published ratio",
                )
        if ind.model == "stock_from_flows" and (flow := self.series(ind.inputs[0])) is not None:
            stock = three_year_sums(flow.observed)
            return Route("stock_from_flows", flow.anchor_year, stock, f"3-year {ind.inputs[0]} x ratio")
        own = self.series(indicator)
        if own is None:
            upto = f" up to {self.origin}" if self.origin else ""
            rows = self.history.series(self.geo, indicator, self.origin)
            if len(rows):  # 突破4000 says where the series is not, not where it is
                raise NoHistory(
                    f"only bounds ({', '.join(sorted(set(rows.qualifier)))}) for {self.geo} {indicator}{upto}, "
                    f"{len(rows)} rows: a forecast needs at least one exact figure"
                )
            raise NoHistory(f"no history{upto} for {self.geo} {indicator}")
        self._prepare(indicator)
        panel = self._uses_panel(indicator)
        about = "R&D panel model (fiscal and GDP driven)" if panel else "local linear trend, pooled prior"
        return Route("rd_panel" if panel else "trend", own.anchor_year, own.observed, about)

    def _prepare(self, indicator: str) -> None:
        """Fit a series and, for the R&D model, its drivers."""
        self.series(indicator)
        if self._uses_panel(indicator):
            for driver in self.vocab.indicators[indicator].drivers:
                self.series(driver)

    def _ratio_observed(self, indicator: str) -> pd.Series:
        own = exact_series(self.history, self.geo, indicator, self.origin)
        if not own.empty:
            return own
        ind = self.vocab.indicators[indicator]
        num, den = (exact_series(self.history, self.geo, i, self.origin) for i in ind.inputs)
        both = num.index.intersection(den.index)
        return (ind.scale * num[both] / den[both]).rename(indicator)

    def _stock_ratio_prior(self, indicator: str) -> tuple[float, float, float]:
        """Published stock / 3-year flows: prior 1 (sd 5 %), updated by exact pairs; the largest
        published lower bound truncates it. Returns (mean, sd, lower z) on the log scale."""
        flow = self.series(self.vocab.indicators[indicator].inputs[0])
        sums = three_year_sums(flow.observed)
        published = self.history.series(self.geo, indicator, upto=self.origin)
        both = published.index.intersection(sums.index)
        logs = np.log(published.loc[both, "value"] / sums[both])
        exact = logs[published.loc[both, "qualifier"].isin(EXACT)]
        prec = (1 + len(exact)) / STOCK_RATIO_SD**2
        mean = exact.sum() / STOCK_RATIO_SD**2 / prec
        sd = np.sqrt(1 / prec)
        lower = logs[published.loc[both, "qualifier"] == ">"]
        return float(mean), float(sd), float((lower.max() - mean) / sd) if len(lower) else -np.inf

    def _scenario_start(self) -> int:
        """First year a scenario's rates apply: after the origin, or after the last fiscal/GDP/R&D
        observation when no origin is given."""
        if self.origin is not None:
            return self.origin + 1
        last = [
            int(s.index.max())
            for name, ind in self.vocab.indicators.items()
            if ind.model == "rd_panel"
            for i in (name, *ind.drivers)
            if len(s := exact_series(self.history, self.geo, i, None))
        ]
        return max(last) + 1 if last else 10_000


def three_year_sums(flow: pd.Series) -> pd.Series:
    """Certificates last three years: the stock is about the sum of the last three years' flows."""
    years = [y for y in flow.index if set(range(y - STOCK_YEARS + 1, y)) <= set(flow.index)]
    return pd.Series({y: sum(flow[y - k] for k in range(STOCK_YEARS)) for y in years}, dtype=float)


@dataclass(frozen=True)
class GeoFit:
    """A geo's fitted models at one origin. `simulate` takes the scenario (and any sensitivity
    shifts) at simulation time, so one fit serves every scenario."""

    geo: str
    origin: int | None
    vocab: Vocabulary
    series: dict  # indicator -> _Series (None where not published)
    routes: dict  # requested indicator -> Route
    missing: dict  # requested indicator -> why it cannot be simulated
    panels: dict  # indicator -> its RDPanelFit, for each indicator the R&D panel model serves here
    stock_ratios: dict  # stock indicator -> (mean, sd, lower z) of log(stock / 3-year flows)
    stand_ins: dict  # driver not published here -> the pool that stands in for it
    scenario_start: int

    @property
    def params(self) -> dict:
        out = {name: s.fit.params for name, s in self.series.items() if s is not None}
        if self.panels:  # per indicator the R&D model serves: its elasticities
            names = ("fiscal_elasticity", "gdp_elasticity")
            out["rd_panel"] = {i: dict(zip(names, p.coef, strict=True)) for i, p in self.panels.items()}
        return out

    def summary(self) -> str:
        lines = [f"{self.geo}, data up to {self.origin or 'latest'}:"]
        lines += [f"  {name}: {s.fit.summary()}" for name, s in self.series.items() if s is not None]
        lines += ["  " + panel.summary() for panel in self.panels.values()]
        lines += [f"  {name}: {why}" for name, why in self.missing.items()]
        return "\n".join(lines)

    def anchor(self, indicator: str) -> Route:
        if indicator in self.missing:
            raise NoHistory(self.missing[indicator])
        return self.routes[indicator]

    def simulate(
        self, indicators, end: int, n: int, streams: Streams, scenario: Scenario, shifts: dict | None = None
    ) -> dict[str, Projection]:
        """Joint paths to `end` for `indicators` under `scenario`. Raises NoHistory."""
        shifts = dict(shifts or {})
        unknown = set(shifts) - set(SHIFTS)
        if unknown:
            raise ValueError(f"unknown sensitivity shifts {sorted(unknown)}; expected some of {list(SHIFTS)}")
        routes = {i: self.anchor(i) for i in indicators}
        # from the earliest anchor of any series in play, so every series' simulated years are on the grid
        anchors = [r.anchor for r in routes.values()] + [x.anchor_year for x in self.series.values() if x is not None]
        grid = np.arange(min(anchors) + 1, end + 1)
        params = {} if self.geo in NO_DRIVER_GEOS else scenario.params
        # in Fortran order, as the steps they are summed from: each chunk writes years' columns, and
        # readers take a year's column (value_at, quantiles) from contiguous memory
        paths = {ind: np.empty((n, int(np.sum(grid > r.anchor))), order="F") for ind, r in routes.items()}
        shared: dict = {}  # what every chunk of paths uses alike (fits, published growth), made once

        def run(chunk: tuple[int, int, Streams]) -> None:
            lo, hi, sub = chunk
            _Run(self, grid, hi - lo, sub, params, shifts, shared).fill(routes, {i: p[lo:hi] for i, p in paths.items()})

        # chunks of one generator block: their arrays stay in cache, and the cores share them
        run_chunks(run, streams.chunks(n))
        return {
            ind: Projection(
                self.geo, ind, scenario.name, self.origin, grid[grid > r.anchor], paths[ind], r.observed, r.about
            )
            for ind, r in routes.items()
        }


class _Run:
    """One simulation of a GeoFit for one chunk of paths: latent yearly growth of each base series
    on the grid, made once and shared by every indicator built from it (so GDP in R&D intensity is
    the GDP projected). `shared` keeps what does not depend on the paths across chunks."""

    def __init__(self, fit: GeoFit, grid, n, streams, params, shifts, shared: dict):
        self.fit, self.grid, self.n, self.streams, self.params, self.shifts = fit, grid, n, streams, params, shifts
        self.shared = shared
        self._growth: dict[str, np.ndarray] = {}

    def _once(self, key, make):
        """A value every chunk uses alike, made by the first chunk that asks (a race only makes it twice)."""
        if key not in self.shared:
            self.shared[key] = make()
        return self.shared[key]

    def fill(self, routes: dict, out: dict) -> None:
        """Write each indicator's paths for this chunk into `out[indicator]` (rows x simulated years)."""
        for ind, route in routes.items():
            dest = out[ind]
            if not dest.shape[1]:  # every year asked for is published: the paths are the data
                continue
            cols = slice(len(self.grid) - dest.shape[1], None)  # the years after the anchor
            if route.model == "ratio":
                num, den = self.fit.vocab.indicators[ind].inputs
                running_sum(np.subtract(self.increments(num)[:, cols], self.increments(den)[:, cols]), out=dest)
                np.exp(dest, out=dest)
                dest *= float(route.observed.iloc[-1])
            elif route.model == "stock_from_flows":
                dest[...] = self.stock(ind)
            else:
                dest[...] = self.level(ind, cols)

    def level(self, indicator: str, cols) -> np.ndarray:
        s = self.fit.series[indicator]
        latent = running_sum(self.increments(indicator)[:, cols])
        latent += s.fit.anchor
        return from_latent(latent, s.transform)

    def increments(self, indicator: str) -> np.ndarray:
        if indicator not in self._growth:
            self._growth[indicator] = self._make(indicator)
        return self._growth[indicator]

    def _make(self, indicator: str) -> np.ndarray:
        """Latent yearly growth on the grid (float32, one row per path): published up to the
        series' anchor; after it the scenario's rate, the R&D model or the series' trend."""
        fit, grid, n = self.fit, self.grid, self.n
        s, published = self._once(("series", indicator), lambda: self._series(indicator))
        past = len(published)  # the grid's first years, up to the series' anchor
        if past:
            out = np.empty((n, len(grid)), np.float32, order="F")  # as the trend's steps: years' columns contiguous
            out[:, :past] = published
            if past == len(grid):
                return out
        years = grid[past:]  # the grid starts by every series' anchor, so these are all its later years
        key = f"{fit.geo}/{indicator}"
        shift = {
            "drift": self.shifts.get(DRIVER_SHIFT.get(indicator, "drift"), 0.0),
            "noise": self.shifts.get("noise", 0.0),
        }
        rate = self.params.get(next((p for p, name in SCENARIO_SERIES.items() if name == indicator), ""))
        override = None
        if rate is not None:
            override = np.full(len(years), np.nan)
            override[years >= fit.scenario_start] = np.log1p(rate) + shift["drift"] * np.sqrt(s.fit.s2)
        if indicator in fit.panels:
            steps = self._rd_growth(s, past, key)
        else:
            steps = s.steps(self.streams, key, n, years, override, shift)
        if not past:
            return steps
        out[:, past:] = steps
        return out

    def _series(self, indicator: str) -> tuple[_Series, np.ndarray]:
        """The series (for a driver not published here, the pool's drifts and noise from a notional
        level) and its published latent growth in the grid's years up to its anchor."""
        s = self.fit.series.get(indicator)
        if s is None:
            pool = self.fit.stand_ins[indicator]
            s = _Series(indicator, "log", fit_trend([int(self.grid[0]) - 1], [0.0], pool), {}, pd.Series(dtype=float))
        years = self.grid[self.grid <= s.anchor_year]
        return s, _observed_growth(s.observed, years, s.transform) if len(years) else np.empty(0)

    def _rd_growth(self, s: _Series, past: int, key: str) -> np.ndarray:
        """R&D: its trend (net of drivers) + fiscal elasticity x fiscal growth + GDP elasticity x
        GDP growth, elasticities drawn per path; the years after the grid's first `past`."""
        panel, n = self.fit.panels[s.indicator], self.n
        fiscal, gdp = panel.drivers
        f, g = self.increments(fiscal)[:, past:], self.increments(gdp)[:, past:]
        centre, chol, mean_growth = self._once(("rd_panel", s.indicator), lambda: self._panel_constants(panel))
        coef = centre[:, None] + chol @ np.vstack(
            [  # float32 normals, as every per-path draw: made 2.5x faster (Streams.normal)
                self.streams.normal(f"{key}/beta", n, dtype=np.float32),
                self.streams.normal(f"{key}/gamma", n, dtype=np.float32),
            ]
        )
        beta, gamma = np.maximum(coef[0], 0.0), coef[1]  # fiscal S&T spending does not lower R&D
        # the trend was fitted net of the drivers at the estimated elasticities: other elasticities
        # move its drift by the drivers' mean past growth
        correction = -(beta - panel.coef[0]) * mean_growth[0] - (gamma - panel.coef[1]) * mean_growth[1]
        own = {k: self.shifts.get(k, 0.0) for k in ("drift", "noise")}
        steps = s.steps(self.streams, key, n, self.grid[past:], shifts=own)
        steps += correction.astype(np.float32)[:, None]
        f = f * beta.astype(np.float32)[:, None]  # a new array: the fiscal growth itself is shared
        steps += f
        np.multiply(g, gamma.astype(np.float32)[:, None], out=f)
        steps += f
        return steps

    def _panel_constants(self, panel: RDPanelFit) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The elasticities' centre (moved by any shifts), their covariance's Cholesky factor, and
        the drivers' mean past growth."""
        se = np.sqrt(np.diag(panel.cov))
        centre = panel.coef + se * np.array(
            [self.shifts.get("fiscal_elasticity", 0.0), self.shifts.get("gdp_elasticity", 0.0)]
        )
        return centre, np.linalg.cholesky(panel.cov), panel.year_growth.mean().values

    def stock(self, indicator: str) -> np.ndarray:
        fit, n = self.fit, self.n
        flow_name = fit.vocab.indicators[indicator].inputs[0]
        flow = fit.series[flow_name]
        cols = self.grid > flow.anchor_year
        sim = self.level(flow_name, cols)
        past = [flow.observed.get(y, np.nan) for y in (flow.anchor_year - 1, flow.anchor_year)]
        flows = np.hstack([np.tile(past, (n, 1)), sim])
        three = flows[:, 2:] + flows[:, 1:-1] + flows[:, :-2]
        mean, sd, z_lo = fit.stock_ratios[indicator]
        z = truncated_normal_above(np.full(n, z_lo), self.streams.uniform(f"{fit.geo}/{indicator}/ratio", n))
        return np.exp(mean + sd * z)[:, None] * three


@dataclass(frozen=True)
class Settings:
    """What a simulation is run with: the scenario (a name in params/scenarios.yaml or a Scenario),
    the last data year used (None = all data), the number of paths and the seed."""

    scenario: str | Scenario = "baseline"
    origin: int | None = None
    n_paths: int = 10_000
    seed: int = 0

    def __post_init__(self):  # every public function builds one: bad numbers are named here, once
        problems = []
        if not is_whole(self.n_paths) or not 1 <= self.n_paths <= MAX_PATHS:
            problems.append(("n_paths", repr(self.n_paths), f"a whole number of paths from 1 to {MAX_PATHS:,}"))
        if not is_whole(self.seed) or self.seed < 0:
            problems.append(("seed", repr(self.seed), "a whole number from 0"))
        if self.origin is not None and not is_whole(self.origin):
            problems.append(("origin", repr(self.origin), "a year (a whole number), or None for all data"))
        if problems:
            raise InputError([Problem("", "", field, found, expected) for field, found, expected in problems])


def simulate_indicator(ctx: Context, geo: str, indicator: str, settings: Settings, end: int) -> Projection:
    """Simulated futures of one indicator of one geo to `end` (see the module docstring for the
    models), on the inputs `ctx`."""
    geo = ctx.vocab.geo(geo)
    if indicator not in ctx.vocab.indicators:
        raise InputError.single("indicator", repr(indicator), "an indicator in params/indicators.yaml")
    if not is_whole(end) or (settings.origin is not None and end <= settings.origin):
        raise InputError.single("end", repr(end), "the last year to simulate, a whole number after the origin")
    fit = GeoModel(ctx.history, geo, settings.origin, ctx.vocab).fit([indicator])
    scenario = ctx.scenario(settings.scenario)
    try:
        return fit.simulate([indicator], end, settings.n_paths, Streams(settings.seed), scenario)[indicator]
    except NoHistory as exc:
        raise InputError.single("history", str(exc), "at least one exact observation up to the origin") from None


def _is_number(x) -> bool:
    try:
        float(x)
    except (TypeError, ValueError):
        return False
    return True


def forecast_series(
    values, years, horizon: int, n_paths: int = 10_000, seed: int = 0, pool: Pool | None = None, share: bool = False
) -> np.ndarray:
    """Predictive sample paths (n_paths, horizon) for the `horizon` years after the last year of a
    positive annual series; gaps as NaN. The local linear trend the library uses for an indicator
    with no driver, on the log of the values (`share=True`: a share in %, on its logit, so that no
    path leaves 0–100 %). Without a `pool` nothing about growth is assumed: the drift's prior is
    centred on zero, half-Cauchy in its spread (scale 1.5 %/yr), the noise scale's prior is the
    spread of scales of many kinds of annual series (trend.generic_pool), so a few points already
    set the series' own scale, and a series of eight or more points sets the trend's shape itself."""
    problems = []
    numeric_index = isinstance(values, pd.Series) and values.index.dtype.kind in "iuf"
    if numeric_index and np.asarray(years).dtype.kind in "iuf" and sorted(values.index) == sorted(np.ravel(years)):
        values = values.reindex(np.ravel(years).tolist())  # indexed by the same years: each value keeps its year
    if np.asarray(values).dtype.kind == "b":
        raise InputError([Problem("forecast_series", "", "values", "booleans", "numbers (NaN for gaps)")])
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        bad = next((x for x in np.ravel(np.asarray(values, dtype=object)) if not _is_number(x)), values)
        raise InputError([Problem("forecast_series", "", "values", repr(bad), "numbers (NaN for gaps)")]) from None
    y = np.asarray(years)
    if y.dtype.kind in "OSU":  # years as text ("2020"): say so, not that they do not increase
        problems.append(("years", f"text or objects such as {np.ravel(y)[:1].tolist()}", "whole years as numbers"))
    elif v.ndim != 1 or y.shape != v.shape:
        problems.append(("values", f"shape {v.shape} with years of shape {y.shape}", "two 1-d arrays of equal length"))
    elif np.any(v[np.isfinite(v)] <= 0) or np.any(np.isinf(v)):
        problems.append(("values", "zero, negative or infinite values", "positive numbers (NaN for gaps)"))
    elif share and np.any(v[np.isfinite(v)] >= 100):
        problems.append(("values", f"a share of {np.nanmax(v):g} %", "shares in %, under 100 (share=True)"))
    elif not np.isfinite(v).any():
        problems.append(("values", "no finite value", "at least one observation"))
    elif y.dtype.kind not in "iuf" or not np.all(np.diff(y) > 0) or not np.all(np.equal(np.mod(y, 1), 0)):
        problems.append(("years", "years not whole and strictly increasing", "strictly increasing whole years"))
    if not (is_whole(horizon) and horizon >= 1):
        problems.append(("horizon", repr(horizon), "a positive whole number of years"))
    if not (is_whole(n_paths) and n_paths >= 1):
        problems.append(("n_paths", repr(n_paths), "a positive whole number"))
    if not (is_whole(seed) and seed >= 0):  # as Settings has it: 1.5 would quietly be seed 1
        problems.append(("seed", repr(seed), "a whole number from 0"))
    if problems:
        raise InputError([Problem("forecast_series", "", f, found, exp) for f, found, exp in problems])
    ok = np.isfinite(v)
    transform = "logit" if share else "log"
    yrs, latent = y[ok].astype(int), to_latent(v[ok], transform)
    shape = None
    if pool is None:
        pool = generic_pool()
        if ok.sum() >= 8:
            shape = fit_shape(on_years(yrs, latent)[2][:, None])
    fit = fit_trend(yrs, latent, pool, shape=shape)
    series = _Series("series", transform, fit, {}, pd.Series(v[ok], index=yrs))
    future = np.arange(int(yrs[-1]) + 1, int(y[-1]) + horizon + 1)  # trailing NaNs: simulated, then dropped
    steps = series.steps(Streams(seed), "series", int(n_paths), future)
    return from_latent(fit.anchor + running_sum(steps)[:, len(future) - horizon :], transform)
