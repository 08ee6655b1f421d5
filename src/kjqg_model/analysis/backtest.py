"""Rolling-origin backtest: refit at each past origin on data up to it, forecast 1–5 years
ahead, and score the predictive distributions against what was later published.

Scores are on the log scale (relative errors), so provinces of every size count alike. Every
method is scored on the same cases: a (province, indicator, origin) with an exact observation
at the origin and at least MIN_OBS exact observations up to it.

The thin methods (kjqg_thin1/2/3, not run by default) score kjqg as if the province's own series
were only 1–3 points long: same cases, forecast from a view of the history (`thin_view`) in which
that series keeps its last k exact observations up to the origin; other provinces and the pooled
fits are unchanged. The new-indicator methods (kjqg_new1/2/3) hold each indicator and its versions
out of every pool; besides the cases of the scored indicators they are scored on one indicator of
every other figure of the same families (`other_figures`): which indicator an analyst brings
is not known, so the fair test holds out each figure in turn.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from ..engine.fit import (
    exact_series,
    family,
    figures,
    from_latent,
    new_series_fit,
    provinces,
    same_figure,
    to_latent,
    transform_of,
)
from ..engine.projection import Settings, forecast_series, simulate_indicator
from ..engine.streams import Streams, running_sum
from ..engine.trend import trend_steps
from ..inputs.context import Context
from ..inputs.errors import InputError, Problem, is_whole
from ..inputs.history import History
from . import benchmarks, scoring

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

Method = Callable[[Context, "Case", int, int], np.ndarray | None]  # (inputs, case, n paths, seed) -> paths


def _kjqg(ctx, case, n, seed):
    settings = Settings("baseline", case.origin, n, seed)
    return simulate_indicator(ctx, case.geo, case.indicator, settings, case.origin + case.horizon).paths


def _forecast_series(ctx, case, n, seed):
    return forecast_series(case.past.values, case.past.index.values, case.horizon, n, seed)


def _random_walk(drift: bool) -> Method:
    def method(ctx, case, n, seed):
        past, horizon = case.past, case.horizon
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


def _ets(ctx, case, n, seed):
    return benchmarks.ets(case.past, case.horizon, n, seed)


def _theta(ctx, case, n, seed):
    return benchmarks.theta(case.past, case.horizon, n, seed)


RD_PAIR = ("rd_intensity", "rd_expenditure")  # truncated together: intensity is modelled through R&D


def thin_view(history: History, geo: str, indicator: str, origin: int, k: int) -> History:
    """`history` in which `geo`'s own series of `indicator` keeps only its last `k` exact (positive)
    observations up to `origin` (for either R&D indicator both R&D series are cut, each to its own
    last k); its drivers (GDP, fiscal S&T), other geos and the pooled fits already made are whole."""
    keep = {}
    for ind in RD_PAIR if indicator in RD_PAIR else (indicator,):
        exact = exact_series(history, geo, ind, origin)
        exact = exact[exact > 0].sort_index()
        if len(exact):
            keep[(geo, ind)] = int(exact.index[-k:][0])
    return history.truncated(keep)


def _kjqg_thin(k: int) -> Method:
    def method(ctx, case, n, seed):
        # the pooled fits this case needs are made from the whole history first (as for kjqg), so
        # the view reuses them instead of refitting the pools on the cut series
        simulate_indicator(ctx, case.geo, case.indicator, Settings("baseline", case.origin, 1, seed), case.origin + 1)
        view = replace(ctx, history=thin_view(ctx.history, case.geo, case.indicator, case.origin, k))
        return _kjqg(view, case, n, seed)

    return method


def _kjqg_new(k: int) -> Method:
    """kjqg for a series of an indicator it has never seen (an analyst's series): the last `k`
    points of the province's series, with the indicator and its versions held out of every pool
    (new_series_fit: the mixture over its family's other figures, or the generic prior)."""

    def method(ctx, case, n, seed):
        vocab = ctx.vocab
        # its versions too, those the data up to the origin show and those later data show: being a
        # version is what a figure is, not what the data of the time could tell
        versions = {*same_figure(ctx.history, vocab, case.indicator, case.origin)}
        held_out = tuple(sorted(versions | {*same_figure(ctx.history, vocab, case.indicator, None)}))
        transform = transform_of(vocab.indicators[case.indicator].kind)
        last = case.past.iloc[-k:]
        latent = pd.Series(to_latent(last.values, transform), last.index)
        fit = new_series_fit(ctx.history, vocab, case.indicator, case.origin, latent, exclude=held_out)
        steps = trend_steps(fit, Streams(seed), f"{case.geo}/{case.indicator}", n, case.horizon)
        return from_latent(fit.anchor + running_sum(steps), transform)

    return method


METHODS: dict[str, Method] = {
    "kjqg": _kjqg,
    "forecast_series": _forecast_series,
    "random_walk": _random_walk(drift=False),
    "random_walk_drift": _random_walk(drift=True),
    "ets": _ets,
    "theta": _theta,
    "kjqg_thin1": _kjqg_thin(1),
    "kjqg_thin2": _kjqg_thin(2),
    "kjqg_thin3": _kjqg_thin(3),
    "kjqg_new1": _kjqg_new(1),
    "kjqg_new2": _kjqg_new(2),
    "kjqg_new3": _kjqg_new(3),
}

NEW_METHODS = ("kjqg_new1", "kjqg_new2", "kjqg_new3")
THIN_METHODS = ("kjqg_thin1", "kjqg_thin2", "kjqg_thin3", *NEW_METHODS)
DEFAULT_METHODS = tuple(m for m in METHODS if m not in THIN_METHODS)


@dataclass
class BacktestResult:
    cases: pd.DataFrame  # one row per method, case and horizon
    events: pd.DataFrame  # one row per method, case, horizon and threshold

    def scores(self, horizons=((1, 3), (4, 5))) -> pd.DataFrame:
        return summarize(self.cases, horizons)


@dataclass(frozen=True)
class Case:
    """One (province, indicator, origin) to forecast."""

    geo: str
    indicator: str
    origin: int
    past: pd.Series  # exact positive values up to the origin, the last one at the origin
    later: pd.Series  # every exact value, for the outcomes
    horizon: int  # the furthest horizon (<= 5) with a published outcome


def backtest_cases(history: History, geos, indicators, origins) -> list[Case]:
    """The cases every method is scored on, by indicator, origin and geo: an exact observation at
    the origin, at least MIN_OBS up to it, and an outcome within five years."""
    later = {(g, i): exact_series(history, g, i, None) for i in indicators for g in geos}
    out = []
    for indicator in indicators:
        for origin in origins:
            for geo in geos:
                every = later[(geo, indicator)]
                past = every[(every.index <= origin) & (every > 0)]
                if len(past) < MIN_OBS or past.index.max() != origin:
                    continue
                horizon = max((h for h in HORIZONS if origin + h in every.index), default=0)
                if horizon:
                    out.append(Case(geo, indicator, origin, past, every, horizon))
    return out


def other_figures(history: History, vocab, indicators) -> tuple[str, ...]:
    """One indicator (the first version) of every provincial figure of the families of
    `indicators` that has none of them among its versions."""
    leads = []
    for fam in dict.fromkeys(family(vocab, i) for i in indicators):
        figure = figures(history, vocab, fam, None)
        taken = {figure.get(i) for i in indicators}
        leads += [lead for lead in dict.fromkeys(figure.values()) if lead not in taken]
    return tuple(leads)


@dataclass(frozen=True)
class BacktestSpec:
    """What a backtest scores: the origins, indicators and geos (None = every province) of its
    cases, the methods, the paths per forecast and the seed; `jobs` processes score them."""

    origins: tuple[int, ...] = ORIGINS
    indicators: tuple[str, ...] = INDICATORS
    geos: tuple[str, ...] | None = None
    methods: tuple[str, ...] = DEFAULT_METHODS
    n_paths: int = 1000
    seed: int = 0
    jobs: int = 2


def score_backtest(ctx: Context, spec: BacktestSpec, progress: bool = False) -> BacktestResult:
    """Score the methods of `spec` on every case, on the inputs `ctx`. With `jobs` > 1 each
    origin's cases are one task for a pool of `jobs` processes, the latest origins (the longest
    series) first (the pooled fits are made per origin, so no fit is made twice); every case is
    forecast from the same seed, so the numbers do not depend on `jobs`."""
    _check(spec, ctx.vocab)
    geos = list(spec.geos or provinces(ctx.vocab))
    cases = backtest_cases(ctx.history, geos, spec.indicators, spec.origins)
    if set(spec.methods) & set(NEW_METHODS):
        cases += backtest_cases(ctx.history, geos, other_figures(ctx.history, ctx.vocab, spec.indicators), spec.origins)
    if not cases:
        raise InputError.single(
            "origins", repr(spec.origins), f"origins after which a series has {MIN_OBS}+ points and a published outcome"
        )
    by_origin = sorted({c.origin for c in cases}, reverse=True)
    parts = [[i for i, c in enumerate(cases) if c.origin == o] for o in by_origin]
    with _progress(len(cases), progress) as tick:
        if spec.jobs <= 1 or len(parts) <= 1:
            scored = _score_cases(ctx, cases, spec, tick)
        else:
            scored = _in_processes(ctx, [[cases[i] for i in p] for p in parts], spec, tick)
            order = np.argsort(np.concatenate(parts), kind="stable")  # back to the order of `cases`
            scored = [scored[i] for i in order]
    rows = [r for case_rows, _ in scored for r in case_rows]
    events = [e for _, case_events in scored for e in case_events]
    return BacktestResult(pd.DataFrame(rows), pd.DataFrame(events))


def _check(spec: BacktestSpec, vocab) -> None:
    """Every unknown method, indicator or place of `spec` named at once; its origins must be years,
    and its path count and seed are checked as Settings checks them."""
    Settings(n_paths=spec.n_paths, seed=spec.seed)
    problems = [
        ("methods", [m for m in spec.methods if m not in METHODS], "some of " + ", ".join(METHODS)),
        (
            "indicators",
            [i for i in spec.indicators if i not in vocab.indicators],
            "indicators in params/indicators.yaml",
        ),
        ("geos", [g for g in spec.geos or () if g not in vocab.geos], "places in params/geos.yaml"),
    ]
    if any(bad for _, bad, _ in problems):
        raise InputError([Problem("", "", f, ", ".join(map(str, bad)), e) for f, bad, e in problems if bad])
    if not spec.origins or not all(is_whole(o) for o in spec.origins):
        raise InputError.single("origins", repr(spec.origins), "one or more years, e.g. (2019, 2020)")


def _score_cases(ctx, cases, spec: BacktestSpec, tick) -> list[tuple[list, list]]:
    """Per case, the rows and events of every method that forecast it."""
    out = []
    for case in cases:
        rows, events = [], []
        for name in spec.methods:
            if case.indicator not in spec.indicators and name not in NEW_METHODS:
                continue  # another figure's case: for the new-indicator methods only
            paths = METHODS[name](ctx, case, spec.n_paths, spec.seed)
            if paths is not None:
                r, e = score_case(case, name, np.asarray(paths))
                rows += r
                events += e
        out.append((rows, events))
        tick(1)
    return out


def _in_processes(ctx, parts, spec: BacktestSpec, tick) -> list[tuple[list, list]]:
    """`_score_cases` on each part, in a pool of `spec.jobs` processes (the inputs are sent with
    each part); the parts' results concatenated in order; the first part's error is raised as soon
    as it is seen."""
    # one BLAS thread per process: two processes on two cores, not four spinning threads
    with mp.Manager() as manager, ProcessPoolExecutor(spec.jobs, initializer=threadpool_limits, initargs=(1,)) as pool:
        done = manager.Queue()
        futures = [pool.submit(_score_cases, ctx, p, spec, done.put) for p in parts]
        while not all(f.done() for f in futures):
            if failed := next((f for f in futures if f.done() and f.exception()), None):
                pool.shutdown(cancel_futures=True)  # the parts not started yet are dropped
                raise failed.exception()
            with suppress(queue.Empty):
                tick(done.get(timeout=0.2))
        while not done.empty():
            tick(done.get())
        return [row for f in futures for row in f.result()]


@contextmanager
def _progress(total: int, show: bool):
    """A callable that advances a progress bar (tqdm on stderr) by n cases; a no-op if not `show`."""
    if not show:
        yield lambda n: None
        return
    from tqdm import tqdm

    with tqdm(total=total, desc="backtest", unit="case", mininterval=1.0) as bar:
        yield bar.update


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


def score_case(case: Case, method: str, paths: np.ndarray) -> tuple[list[dict], list[dict]]:
    """One method's forecast of one case scored on the log scale at every horizon with an outcome:
    rows (CRPS, PIT, median, interval coverage) and threshold events (plan-like growth targets)."""
    hs = np.array([h for h in range(1, case.horizon + 1) if case.origin + h in case.later.index])
    actual = case.later.loc[case.origin + hs].to_numpy(float)
    logs, y = np.log(paths[:, hs - 1]), np.log(actual)
    crps, pit, median = scoring.crps_samples(logs, y), scoring.pit(logs, y), np.exp(np.median(logs, axis=0))
    covers = {
        f"cover{int(level * 100)}": (lo <= y) & (y <= hi)
        for level, (lo, hi) in scoring.central_intervals(logs, LEVELS).items()
    }
    key = dict(method=method, geo=case.geo, indicator=case.indicator, origin=case.origin)
    rows = [
        dict(key, horizon=int(h), actual=actual[j], median=median[j], crps=crps[j], pit=pit[j])
        | {c: bool(v[j]) for c, v in covers.items()}
        for j, h in enumerate(hs)
    ]
    thresholds = float(case.past.iloc[-1]) * (1 + np.array(GROWTH_THRESHOLDS))[None, :] ** hs[:, None]
    probs = (paths[:, hs - 1, None] >= thresholds).mean(axis=0)  # horizons x thresholds
    events = [
        dict(key, horizon=int(h), growth=g, prob=float(probs[j, k]), outcome=bool(actual[j] >= thresholds[j, k]))
        for j, h in enumerate(hs)
        for k, g in enumerate(GROWTH_THRESHOLDS)
    ]
    return rows, events


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


def exante(ctx: Context, origins=(2020, 2021), n_paths: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """The 2023 targets of the 2021–2023 plans seen from past origins, beside what happened."""
    from .evaluate import evaluate_plans

    frames = [evaluate_plans(ctx, list(EXANTE_PLANS), Settings("baseline", o, n_paths, seed)) for o in origins]
    df = pd.concat(frames, ignore_index=True)
    return df[df.probability.notna()]
