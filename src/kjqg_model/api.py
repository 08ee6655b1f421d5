"""The public functions, the stable contract (README: Python), imported from `kjqg_model`. Each
builds the inputs (a Context) from its arguments and hands them, with its settings, to the engine
or analysis function that does the work; no engine or analysis function reads a global or builds
a context (tests/test_layers.py). Reporting's notebook-facing objects (Brief, Explorer, the batch)
build theirs as these do."""

from __future__ import annotations

import pandas as pd

from .analysis.backtest import DEFAULT_METHODS, INDICATORS, ORIGINS, BacktestResult, BacktestSpec, score_backtest
from .analysis.evaluate import evaluate_plans
from .analysis.whatif import RequiredGrowth, sensitivity_table, solve_required_growth
from .engine.projection import Projection, Settings, forecast_series, simulate_indicator
from .inputs.context import Context
from .inputs.history import History
from .inputs.targets import Target

__all__ = ["evaluate_targets", "forecast_series", "project", "required_growth", "run_backtest", "sensitivity"]


def project(
    geo: str,
    indicator: str,
    scenario: str = "baseline",
    origin: int | None = None,
    end: int = 2030,
    n_paths: int = 10_000,
    seed: int = 0,
    history: History | None = None,
    *,
    history_dirs=(),
) -> Projection:
    """Simulated futures of one indicator of one geo to `end`, seen from `origin` (the last data
    year used; None = all data), on the shipped history, `history`, or with the analyst's folders
    `history_dirs` (`--history`)."""
    ctx = Context.get(history, history_dirs)
    return simulate_indicator(ctx, geo, indicator, Settings(scenario, origin, n_paths, seed), end)


def evaluate_targets(
    plan: str | list[str] | None = None,
    scenario: str = "baseline",
    origin: int | None = None,
    n_paths: int = 20_000,
    seed: int = 0,
    history: History | None = None,
    *,
    history_dirs=(),
    plans_dirs=(),
    context: Context | None = None,
) -> pd.DataFrame:
    """One row per target of `plan` (one id, a list, or None for every plan): the probability of
    meeting it under `scenario` seen from `origin`, beside the published outcome (see
    analysis.evaluate.evaluate_plans). `history_dirs` and `plans_dirs` are the analyst's folders
    (`--history`, `--plans`); `context`, inputs already loaded."""
    ctx = context or Context.get(history, history_dirs, plans_dirs)
    plan_ids = list(ctx.plans) if plan is None else [plan] if isinstance(plan, str) else list(plan)
    return evaluate_plans(ctx, plan_ids, Settings(scenario, origin, n_paths, seed))


def required_growth(
    target: Target | str,
    probability: float = 0.8,
    origin: int | None = None,
    n_paths: int = 5_000,
    seed: int = 0,
    history: History | None = None,
    bounds: tuple[float, float] | None = None,
    context: Context | None = None,
    *,
    history_dirs=(),
    plans_dirs=(),
) -> RequiredGrowth:
    """The yearly fiscal S&T growth that gives `probability` of meeting the target under the
    baseline, or why no rate in `bounds` (default: the scenario range) does."""
    ctx = context or Context.get(history, history_dirs, plans_dirs)
    return solve_required_growth(ctx, target, probability, Settings("baseline", origin, n_paths, seed), bounds)


def sensitivity(
    plan: str,
    scenario: str = "baseline",
    origin: int | None = None,
    n_paths: int = 5_000,
    seed: int = 0,
    history: History | None = None,
    context: Context | None = None,
    *,
    history_dirs=(),
    plans_dirs=(),
) -> pd.DataFrame:
    """How each modelled target's probability moves when each key assumption moves by one standard
    deviation either way."""
    ctx = context or Context.get(history, history_dirs, plans_dirs)
    return sensitivity_table(ctx, plan, Settings(scenario, origin, n_paths, seed))


def run_backtest(
    origins=ORIGINS,
    indicators=INDICATORS,
    geos=None,
    methods=None,
    n_paths: int = 1000,
    seed: int = 0,
    history: History | None = None,
    progress: bool = False,
    jobs: int = 2,
) -> BacktestResult:
    """The rolling-origin backtest of `methods` (a name or several; default: kjqg and the
    benchmarks) on `indicators` (a name or several) of `geos` (default: every province), on the
    shipped history or `history`."""

    def names(x) -> tuple:
        return (x,) if isinstance(x, str) else tuple(x)

    methods = names(methods) if methods else DEFAULT_METHODS
    origins = (origins,) if isinstance(origins, int) else tuple(origins)
    spec = BacktestSpec(origins, names(indicators), None if geos is None else names(geos), methods, n_paths, seed, jobs)
    return score_backtest(Context.get(history), spec, progress)
