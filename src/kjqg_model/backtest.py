"""Rolling-origin backtest: refit at each past origin on data up to it, forecast 1–5 years
ahead, and score the predictive distributions against what was later published.

Scores are on the log scale (relative errors), so provinces of every size count alike. Every
method is scored on the same cases: a (province, indicator, origin) with an exact observation
at the origin and at least MIN_OBS exact observations up to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import benchmarks, scoring
from .context import Context
from .data import History
from .errors import InputError
from .models import exact_series, provinces
from .projection import forecast_series, project

INDICATORS = (
    "rd_intensity",
    "rd_expenditure",
    "tech_contract_turnover_inflow",
    "tech_contract_turnover_outflow",
    "hte_recognitions",
)
ORIGINS = tuple(range(2014, 2023))
HORIZONS = (1, 2, 3, 4, 5)
LEVELS = (0.5, 0.8, 0.95)
GROWTH_THRESHOLDS = (0.0, 0.05, 0.10, 0.15, 0.20)  # plan-like events: value >= origin value x (1+g)^h
MIN_OBS = 3

Method = Callable[[History, str, str, int, pd.Series, int, int, int], np.ndarray | None]


def _kjqg(history, geo, indicator, origin, past, horizon, n, seed):
    proj = project(geo, indicator, "baseline", origin, origin + horizon, n, seed, history)
    return proj.paths


def _forecast_series(history, geo, indicator, origin, past, horizon, n, seed):
    return forecast_series(past.values, past.index.values, horizon, n, seed)


def _random_walk(drift: bool) -> Method:
    def method(history, geo, indicator, origin, past, horizon, n, seed):
        logs = np.log(past)
        d, k = logs.diff().dropna().values, np.diff(past.index.values).astype(float)
        mu = d.sum() / k.sum() if drift else 0.0
        resid = d - k * mu
        s2 = np.sum(resid**2 / k) / max(len(d) - (1 if drift else 0), 1)
        h = np.arange(1, horizon + 1)
        var = s2 * (h + (h**2 / k.sum() if drift else 0))  # drift uncertainty grows with h^2
        z = np.random.default_rng(seed).standard_normal((n, horizon))
        return np.exp(np.log(past.iloc[-1]) + h * mu + np.sqrt(var) * z)

    return method


def _ets(history, geo, indicator, origin, past, horizon, n, seed):
    return benchmarks.ets(past, horizon, n, seed)


def _theta(history, geo, indicator, origin, past, horizon, n, seed):
    return benchmarks.theta(past, horizon, n, seed)


METHODS: dict[str, Method] = {
    "kjqg": _kjqg,
    "forecast_series": _forecast_series,
    "random_walk": _random_walk(drift=False),
    "random_walk_drift": _random_walk(drift=True),
    "ets": _ets,
    "theta": _theta,
}


DEFAULT_METHODS = tuple(METHODS)


@dataclass
class BacktestResult:
    cases: pd.DataFrame  # one row per method, case and horizon
    events: pd.DataFrame  # one row per method, case, horizon and threshold

    def scores(self, horizons=((1, 3), (4, 5))) -> pd.DataFrame:
        return summarize(self.cases, horizons)


def run_backtest(
    origins=ORIGINS,
    indicators=INDICATORS,
    geos=None,
    methods=None,
    n_paths: int = 1000,
    seed: int = 0,
    history: History | None = None,
    progress: bool = False,
) -> BacktestResult:
    ctx = Context.get(history)
    geos = list(geos or provinces())
    methods = methods or list(METHODS)
    jobs = [(g, i, o) for i in indicators for o in origins for g in geos]
    rows, events = [], []
    if progress:
        from tqdm import tqdm

        jobs = tqdm(jobs, desc="backtest", unit="case", mininterval=1.0)
    for geo, indicator, origin in jobs:
        past = exact_series(ctx.history, geo, indicator, origin)
        past = past[past > 0]
        later = exact_series(ctx.history, geo, indicator, None)
        if len(past) < MIN_OBS or past.index.max() != origin:
            continue
        horizon = max((h for h in HORIZONS if origin + h in later.index), default=0)
        if not horizon:
            continue
        for name in methods:
            paths = METHODS[name](ctx.history, geo, indicator, origin, past, horizon, n_paths, seed)
            if paths is None:
                continue
            _score_case(rows, events, name, geo, indicator, origin, past, later, np.asarray(paths), horizon)
    return BacktestResult(pd.DataFrame(rows), pd.DataFrame(events))


def year_range(text: str) -> tuple[int, ...]:
    """'2014-2022' or '2021' as a tuple of years; anything else is a clear error."""
    try:
        lo, _, hi = str(text).partition("-")
        years = tuple(range(int(lo), int(hi or lo) + 1))
    except ValueError:
        years = ()
    if not years:
        raise InputError.single("origins", repr(text), "a year or a range such as 2014-2022")
    return years


def _score_case(rows, events, method, geo, indicator, origin, past, later, paths, horizon) -> None:
    base = float(past.iloc[-1])
    for h in range(1, horizon + 1):
        if origin + h not in later.index:
            continue
        actual = float(later[origin + h])
        logs = np.log(paths[:, h - 1])
        y = np.log(actual)
        rec = dict(
            method=method,
            geo=geo,
            indicator=indicator,
            origin=origin,
            horizon=h,
            actual=actual,
            median=float(np.exp(np.median(logs))),
            crps=scoring.crps_samples(logs, y),
            pit=scoring.pit(logs, y),
        )
        for level in LEVELS:
            lo, hi = scoring.central_interval(logs, level)
            rec[f"cover{int(level * 100)}"] = bool(lo <= y <= hi)
        rows.append(rec)
        for g in GROWTH_THRESHOLDS:
            threshold = base * (1 + g) ** h
            events.append(
                dict(
                    method=method,
                    geo=geo,
                    indicator=indicator,
                    origin=origin,
                    horizon=h,
                    growth=g,
                    prob=float(np.mean(paths[:, h - 1] >= threshold)),
                    outcome=actual >= threshold,
                )
            )


def summarize(cases: pd.DataFrame, horizons=((1, 3), (4, 5)), by=("indicator",)) -> pd.DataFrame:
    """Coverage (with binomial standard errors), mean CRPS and counts per method and horizon band,
    per indicator and pooled over indicators ('all')."""
    out = []
    for lo, hi in horizons:
        band = cases[(cases.horizon >= lo) & (cases.horizon <= hi)]
        groups = [*band.groupby(["method", *by]), *(((m, "all"), g) for m, g in band.groupby("method"))]
        for (method, ind), grp in groups:
            rec = dict(method=method, indicator=ind, horizons=f"{lo}–{hi}", n=len(grp), crps=grp.crps.mean())
            for level in LEVELS:
                col = f"cover{int(level * 100)}"
                p, se, _ = scoring.coverage_table(grp[col])
                rec[col], rec[f"{col}_se"] = p, se
            out.append(rec)
    return pd.DataFrame(out).sort_values(["horizons", "indicator", "crps"], ignore_index=True)


def event_scores(events: pd.DataFrame) -> pd.DataFrame:
    return (
        events.groupby("method")
        .apply(lambda g: pd.Series(dict(brier=scoring.brier(g.prob, g.outcome), n=len(g))), include_groups=False)
        .reset_index()
        .sort_values("brier", ignore_index=True)
    )


EXANTE_PLANS = ("guangxi_2021_2023", "liuzhou_2021_2023", "baise_2021_2023")


def exante(origins=(2020, 2021), n_paths: int = 20_000, seed: int = 0, history: History | None = None) -> pd.DataFrame:
    """The 2023 targets of the 2021–2023 plans seen from past origins, beside what happened."""
    from .evaluate import evaluate_targets

    frames = [evaluate_targets(list(EXANTE_PLANS), "baseline", o, n_paths, seed, history) for o in origins]
    df = pd.concat(frames, ignore_index=True)
    return df[df.probability.notna()]


def write_report(
    out: Path,
    origins=ORIGINS,
    indicators=INDICATORS,
    n_paths: int = 1000,
    seed: int = 0,
    history: History | None = None,
    progress: bool = True,
    methods=DEFAULT_METHODS,
) -> pd.DataFrame:
    """Run the backtest and write cases.csv, events.csv, scores.csv, event_scores.csv, exante.csv and
    the PNG figures under `out` (each file atomically). Returns the scores."""
    from . import plots
    from .outputs import save_figure, write_csv

    result = run_backtest(
        origins, indicators, methods=list(methods), n_paths=n_paths, seed=seed, history=history, progress=progress
    )
    scores = result.scores()
    write_csv(result.cases, out / "cases.csv")
    write_csv(result.events, out / "events.csv")
    write_csv(scores, out / "scores.csv")
    write_csv(event_scores(result.events), out / "event_scores.csv")
    write_csv(exante(history=history, seed=seed), out / "exante.csv")
    for name, fig in (
        ("coverage.png", plots.coverage_by_horizon(result.cases)),
        ("pit.png", plots.pit_histograms(result.cases)),
        ("reliability.png", plots.reliability_diagram(result.events)),
    ):
        save_figure(fig, out / name, dpi=110)
        plots.plt.close(fig)
    return scores
