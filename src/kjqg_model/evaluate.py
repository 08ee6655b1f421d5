"""From simulated paths to the probability of meeting each target, beside what happened.

A target's outcome is computed on each joint path, mixing observed years (up to the origin) and
simulated ones, so cumulative, increase, growth-rate and relative targets are judged on paths
rather than on yearly marginals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from . import units
from .context import Context
from .data import History
from .errors import InputError
from .models import exact_series
from .projection import SHIFTS, GeoFit, GeoModel, NoHistory
from .readiness import Readiness, State, observations, readiness
from .results import COLUMNS, ResultRow
from .scenarios import PARAMETERS, Scenario
from .scenarios import SERIES as SCENARIO_SERIES
from .simulate import Streams
from .targets import Plan, Target
from .vocab import Vocabulary

PROGRESS_CATEGORIES = ((0.95, "on track"), (0.60, "acceleration needed"), (0.0, "limited progress"))
CHUNK = 200_000  # paths simulated at once: memory stays bounded whatever n_paths

ValueAt = Callable[[str, int], np.ndarray]  # (geo, year) -> values in the indicator's canonical unit


def outcome(target: Target, value_at: ValueAt, vocab: Vocabulary) -> np.ndarray:
    """The target's measure on every path, in the target's own unit."""
    ind = vocab.indicators[target.indicator]
    geo, kind = target.geo, target.kind
    if kind == "relative":
        return value_at(geo, target.year) / value_at(target.relative_to, target.year)
    if kind == "level":
        return value_at(geo, target.year) * units.factor(ind.unit, target.unit)
    start, end = target.period
    if kind == "cumulative":
        return sum(value_at(geo, y) for y in range(start, end + 1)) * units.factor(ind.unit, target.unit)
    steps = [(start, end)] if not target.each_year else [(y - 1, y) for y in range(start + 1, end + 1)]
    per_step = []
    for a, b in steps:
        va, vb = value_at(geo, a), value_at(geo, b)
        if kind == "growth_rate":
            per_step.append(100 * ((vb / va) ** (1 / (b - a)) - 1))
        else:  # increase; a share's increase is in 百分点, the same number as its % difference
            per_step.append((vb - va) * (1.0 if ind.dimension == "share" else units.factor(ind.unit, target.unit)))
    worst = np.minimum if target.comparator in (">", ">=", "~") else np.maximum
    return per_step[0] if len(per_step) == 1 else worst.reduce(np.vstack(per_step), axis=0)


def concrete_indicator(target: Target, vocab: Vocabulary, basis: str | None = None) -> str:
    ind = vocab.indicators[target.indicator]
    if not ind.bases:
        return ind.name
    return ind.bases[basis or ("inflow" if target.basis in (None, "unspecified") else target.basis)]


# --- observed outcome -------------------------------------------------------------------------


def observed_value(
    history: History, vocab: Vocabulary, geo: str, indicator: str, year: int
) -> tuple[float, str] | None:
    s = history.series(geo, indicator)
    if year in s.index:
        return float(s.loc[year, "value"]), str(s.loc[year, "qualifier"])
    ind = vocab.indicators[indicator]
    if ind.model == "ratio":  # cities publish R&D and GDP, not always the ratio
        num, den = (exact_series(history, geo, i, None) for i in ind.inputs)
        if year in num.index and year in den.index:
            return ind.scale * num[year] / den[year], "="
    return None


def actual_outcome(target: Target, history: History, vocab: Vocabulary, indicator: str) -> tuple[float, str] | None:
    """The outcome from published data (value, '=' or '>' for a lower bound), or None if unknown."""
    qualifiers: list[str] = []

    def value_at(geo: str, year: int) -> np.ndarray:
        got = observed_value(history, vocab, geo, indicator, year)
        if got is None:
            raise NoHistory(f"{geo} {indicator} {year} not published")
        qualifiers.append(got[1])
        return np.array([got[0]])

    try:  # the umbrella indicator and its bases share a unit, so the target converts either
        value = float(outcome(target, value_at, vocab)[0])
    except NoHistory:
        return None
    if any(q == ">" for q in qualifiers):
        # a lower bound stays one only where the outcome grows with every bounded input
        monotone = target.kind in ("level", "cumulative") and "<" not in qualifiers
        return (value, ">") if monotone else None
    return value, "="


def met_from_actual(target: Target, actual: tuple[float, str] | None) -> bool | None:
    if actual is None:
        return None
    value, qualifier = actual
    if qualifier == "=":
        return bool(target.met(value))
    # '> value': met for sure if the bound itself meets a '>'/'>=' target, otherwise unknown
    return True if target.comparator in (">", ">=") and bool(target.met(value)) else None


# --- progress ratio (Open SDG) ----------------------------------------------------------------


def progress(
    target: Target, history: History, vocab: Vocabulary, indicator: str, base_year: int, origin: int | None
) -> tuple[float, str]:
    """Open SDG progress ratio: observed yearly growth since the plan's base year ÷ the yearly growth
    needed from the base year to hit the target on time. While no year after the base is known,
    the pace is that of the five years before the latest observation."""
    if target.kind in ("cumulative", "relative") or target.each_year:
        return np.nan, "n/a"
    s = exact_series(history, target.geo, indicator, origin)
    if len(s) < 2:
        return np.nan, "n/a"
    if base_year not in s.index and base_year in history.series(target.geo, indicator, upto=origin).index:
        return np.nan, "n/a (base-year value only a bound)"  # no pace can be measured from a bound
    t_now = int(s.index.max())
    t0 = base_year if base_year in s.index and t_now > base_year else min(s.index, key=lambda y: abs(y - (t_now - 5)))
    ref_year = base_year if base_year in s.index else t_now
    if t0 >= t_now or target.year <= ref_year:
        return np.nan, "n/a"
    observed = (s[t_now] / s[t0]) ** (1 / (t_now - t0)) - 1
    ind = vocab.indicators[indicator]
    # a growth rate is in % a year whatever the indicator's unit; a share's 百分点 are its % points
    to_canonical = (
        1.0 if ind.dimension == "share" or target.kind == "growth_rate" else 1 / units.factor(ind.unit, target.unit)
    )
    if target.kind == "growth_rate":
        required = target.threshold / 100
    elif target.kind == "level":
        required = (target.threshold * to_canonical / s[ref_year]) ** (1 / (target.year - ref_year)) - 1
    elif base_year in s.index:  # increase over the base year
        goal = s[base_year] + target.threshold * to_canonical
        required = (goal / s[ref_year]) ** (1 / (target.year - ref_year)) - 1
    else:
        return np.nan, "n/a"
    if required <= 0:
        return np.inf, "on track"
    ratio = observed / required
    if ratio < 0:
        return float(ratio), "deterioration"
    return float(ratio), next(label for floor, label in PROGRESS_CATEGORIES if ratio >= floor)


# --- probabilities ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    probability: float
    mc_se: float
    n_paths: int
    reason: str = ""  # why there is no probability (NaN), if so


def _needs(targets: list[tuple[Target, str]]) -> dict[str, dict[str, int]]:
    """geo -> indicator -> last year the targets need."""
    needs: dict[str, dict[str, int]] = {}
    for t, ind in targets:
        for geo in (t.geo, t.relative_to) if t.kind == "relative" else (t.geo,):
            needs.setdefault(geo, {})[ind] = max(needs.get(geo, {}).get(ind, 0), t.year)
    return needs


def fit_geos(targets: list[tuple[Target, str]], ctx: Context, origin: int | None) -> dict[str, GeoFit]:
    """One fit per geo the targets need, reused by every scenario and sensitivity shift."""
    return {g: GeoModel(ctx.history, g, origin, ctx.vocab).fit(sorted(inds)) for g, inds in _needs(targets).items()}


def probabilities(
    targets: list[tuple[Target, str]],
    fits: dict[str, GeoFit],
    vocab: Vocabulary,
    scenario: Scenario,
    n_paths: int,
    seed: int,
    shifts: dict | None = None,
) -> dict[tuple[str, str], Estimate]:
    """P(target met) for (target, concrete indicator) pairs, simulated jointly per geo in chunks
    (memory stays bounded whatever n_paths). A pair that cannot be simulated gets NaN and the reason."""
    needs = _needs(targets)
    failed = {(g, i): fits[g].missing[i] for g, inds in needs.items() for i in inds if i in fits[g].missing}
    for g, i in failed:
        del needs[g][i]
    hits = {(t.id, ind): 0 for t, ind in targets}
    reasons: dict[tuple[str, str], str] = {}
    done = 0
    while done < n_paths:  # one chunk of paths alive at a time: memory does not grow with n_paths
        m, streams = min(CHUNK, n_paths - done), Streams(seed, start=done)
        sims = {
            g: fits[g].simulate(list(inds), max(inds.values()), m, streams, scenario, shifts)
            for g, inds in needs.items()
            if inds
        }
        _count_hits(targets, sims, failed, vocab, hits, reasons)
        del sims
        done += m
    out: dict[tuple[str, str], Estimate] = {}
    for key, k in hits.items():
        if key in reasons:
            out[key] = Estimate(np.nan, np.nan, n_paths, reasons[key])
        else:
            p = k / n_paths
            out[key] = Estimate(p, float(np.sqrt(p * (1 - p) / n_paths)), n_paths)
    return out


def _count_hits(targets, sims: dict, failed: dict, vocab: Vocabulary, hits: dict, reasons: dict) -> None:
    """Add each target's number of paths meeting it in this chunk to `hits` (or its reason)."""
    for t, ind in targets:
        key = (t.id, ind)
        if key in reasons:
            continue
        try:
            hits[key] += int(np.count_nonzero(t.met(outcome(t, _path_lookup(sims, ind, failed), vocab))))
        except NoHistory as exc:
            reasons[key] = str(exc)


def _path_lookup(sims: dict, indicator: str, failed: dict) -> ValueAt:
    def value_at(geo: str, year: int) -> np.ndarray:
        if (geo, indicator) in failed:
            raise NoHistory(failed[(geo, indicator)])
        return sims[geo][indicator].value_at(year)

    return value_at


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
    """One row per target: probability of meeting it under `scenario`, seen from `origin` (the last
    data year used; None = all data), with the Monte Carlo standard error, the number of observations
    it rests on, the progress ratio and, where published, the actual outcome. A turnover target whose
    plan does not name the basis is evaluated on the buyer-region (inflow) basis where published,
    with the seller-region basis in `alt_basis_*`. `history_dirs` and `plans_dirs` are the analyst's
    folders (`--history`, `--plans`)."""
    if n_paths < 1:
        raise InputError.single("n_paths", repr(n_paths), "a positive number of paths")
    ctx = context or Context.get(history, history_dirs, plans_dirs)
    plan_ids = list(ctx.plans) if plan is None else [plan] if isinstance(plan, str) else list(plan)
    plans = [ctx.plan(p) for p in plan_ids]
    sc = ctx.scenario(scenario)
    rows, jobs = [], []
    for p in plans:
        for t in p.targets:
            ready = readiness(t, ctx.history, ctx.vocab, origin)
            inds = _evaluated_indicators(t, ctx, origin) if ready.modelled else []
            jobs += [(t, i) for i in inds]
            rows.append((p, t, ready, inds))
    est = probabilities(jobs, fit_geos(jobs, ctx, origin), ctx.vocab, sc, n_paths, seed)
    run = dict(scenario=sc.name, origin=origin, n_paths=n_paths, seed=seed)
    records = [asdict(_row(p, t, ready, inds, est, ctx, run)) for p, t, ready, inds in rows]
    return pd.DataFrame.from_records(records, columns=COLUMNS)


def _row(p: Plan, t: Target, ready: Readiness, inds: list[str], est: dict, ctx: Context, run: dict) -> ResultRow:
    """One target's row: its probability on the series `inds` (both bases for a turnover target whose
    plan names none), the published outcome, and the progress ratio."""
    origin = run["origin"]
    row = ResultRow(
        **{
            k: getattr(t, k)
            for k in ("plan", "name", "geo", "indicator", "kind", "year", "comparator", "threshold", "unit")
        },
        target_id=t.id,
        basis=_basis_of(t, inds[0], ctx.vocab) if inds else (t.basis or ""),
        state=ready.state.value,
        status=ready.message,
        n_obs=ready.n_obs,
        **run,
    )
    # a published outcome is shown even where no probability can be given
    actual = actual_outcome(t, ctx.history, ctx.vocab, inds[0] if inds else concrete_indicator(t, ctx.vocab))
    if actual is not None:
        row.actual, row.actual_qualifier, row.met = actual[0], actual[1], met_from_actual(t, actual)
    if row.met is not None and (origin is None or t.year <= origin):  # the data used already decide it
        upto = f"up to {origin}" if origin is not None else "(all years)"
        row.state = State.OUTCOME_KNOWN.value
        row.status = f"outcome known: the data {upto} include {t.year}; no forecast needed"
        return row
    if not inds:
        return row
    first = est[(t.id, inds[0])]
    if first.reason:
        row.state, row.status = State.FAILED.value, f"not modelled: {first.reason}"
    row.probability, row.mc_se = first.probability, first.mc_se
    row.progress_ratio, row.progress = progress(t, ctx.history, ctx.vocab, inds[0], p.base_year, origin)
    if len(inds) > 1:
        row.alt_basis_probability = est[(t.id, inds[1])].probability
        alt_actual = actual_outcome(t, ctx.history, ctx.vocab, inds[1])
        row.alt_basis_actual = alt_actual[0] if alt_actual else np.nan
    return row


def _evaluated_indicators(t: Target, ctx: Context, origin: int | None) -> list[str]:
    """The concrete series a modelled target is evaluated on: its own, or for a turnover target whose
    plan names no basis, both bases (buyer-region first) of those with data."""
    if not ctx.vocab.indicators[t.indicator].bases or t.basis not in (None, "unspecified"):
        return [concrete_indicator(t, ctx.vocab)]
    both = [concrete_indicator(t, ctx.vocab, b) for b in ("inflow", "outflow")]
    return [i for i in both if observations(ctx.history, t.geo, i, origin, ctx.vocab).n_obs] or both[:1]


def _basis_of(t: Target, indicator: str, vocab: Vocabulary) -> str:
    bases = vocab.indicators[t.indicator].bases
    return next((b for b, name in bases.items() if name == indicator), t.basis or "")


# --- what would change the odds ---------------------------------------------------------------


def find_target(target: Target | str, ctx: Context) -> Target:
    """A Target, 'plan/target_id', or a target_id unique across the plans."""
    if isinstance(target, Target):
        return target
    plan_id, _, tid = str(target).rpartition("/")
    found = [t for p in ctx.plans.values() if not plan_id or p.id == plan_id for t in p.targets if t.id == tid]
    if len(found) != 1:
        raise InputError.single("target", repr(target), "'plan/target_id' naming one target (see kjqg targets)")
    return found[0]


def fiscal_driven(indicator: str | None, vocab: Vocabulary) -> bool:
    """Whether fiscal S&T growth moves the indicator in the model (from params/indicators.yaml)."""
    if indicator is None:
        return False
    ind = vocab.indicators[indicator]
    return (
        indicator == SCENARIO_SERIES["fiscal_st_growth"]
        or ind.model == "rd_panel"
        or (ind.model == "ratio" and fiscal_driven(ind.inputs[0], vocab))
    )


@dataclass(frozen=True)
class RequiredGrowth:
    rate: float | None  # yearly fiscal S&T growth (fraction) giving the asked probability
    probability: float  # the probability reached at `rate` (or at the search bound)
    message: str
    reason: str = ""  # when out of reach: distance | elasticity cap | gdp | uncertainty


def required_growth(
    target: Target | str,
    probability: float = 0.8,
    origin: int | None = None,
    n_paths: int = 5_000,
    seed: int = 0,
    history: History | None = None,
    bounds: tuple[float, float] | None = None,
    context: Context | None = None,
) -> RequiredGrowth:
    """The yearly growth of fiscal S&T spending that gives `probability` of meeting the target,
    found by bisection on common random numbers (the probability is monotone in the rate) with
    one fit of the models reused at every rate. `bounds` default to the scenario range. `context`
    carries analysts' folders (plans added with --plans)."""
    ctx = context or Context.get(history)
    t = find_target(target, ctx)
    if not fiscal_driven(t.indicator, ctx.vocab):
        return RequiredGrowth(None, np.nan, f"{t.indicator or t.name} 不受财政科技投入驱动（模型中无此关系）")
    ready = readiness(t, ctx.history, ctx.vocab, origin)
    if not ready.modelled:
        return RequiredGrowth(None, np.nan, ready.message)
    ind = concrete_indicator(t, ctx.vocab)
    base = ctx.scenario("baseline")
    fits = fit_geos([(t, ind)], ctx, origin)
    lo, hi = bounds or PARAMETERS["fiscal_st_growth"]

    def p_at(rate: float) -> float:
        sc = base.adjust({"fiscal_st_growth": rate}, f"fiscal {rate:+.3f}")
        got = probabilities([(t, ind)], fits, ctx.vocab, sc, n_paths, seed)[(t.id, ind)]
        if got.reason:
            raise NoHistory(got.reason)
        return got.probability

    try:
        p_lo, p_hi = p_at(lo), p_at(hi)
    except NoHistory as exc:
        return RequiredGrowth(None, np.nan, f"not modelled: {exc}")
    if p_lo == p_hi and 0 < p_hi < 1:
        return RequiredGrowth(None, p_hi, f"不受财政增速影响（概率 {p_hi:.0%}；结果已公布或路径不经过财政）")
    if p_hi < probability:
        reason, why = _out_of_reach(t, ind, fits[t.geo], base, hi)
        return RequiredGrowth(
            None, p_hi, f"无法达到：即使财政科技支出每年增长 {hi:.0%}，达成概率也只有 {p_hi:.1%}。{why}", reason
        )
    if p_lo >= probability:
        return RequiredGrowth(lo, p_lo, f"即使财政科技支出每年 {lo:.0%}，达成概率也有 {p_lo:.0%}")
    for _ in range(14):  # to within about 0.01 percentage point of growth
        mid = (lo + hi) / 2
        p_mid = p_at(mid)
        lo, hi, p_hi = (mid, hi, p_hi) if p_mid < probability else (lo, mid, p_mid)
    return RequiredGrowth(hi, p_hi, f"财政科技支出每年增长 {hi:.1%} 时达成概率 {p_hi:.1%}")


def _out_of_reach(t: Target, ind: str, fit: GeoFit, base: Scenario, cap: float) -> tuple[str, str]:
    """Why a fiscal-driven target stays out of reach at the highest fiscal growth, from the fitted
    medians in yearly log growth: what the target needs against what the trend, the fiscal
    elasticity at the cap and GDP give. Returns (reason, one plain Chinese sentence)."""
    route = fit.routes[ind]
    if t.kind != "level":
        return "distance", "目标距现状太远。"
    years = max(t.year - route.anchor, 1)
    need = np.log(t.threshold * units.factor(t.unit, fit.vocab.indicators[ind].unit) / route.observed.iloc[-1]) / years
    if fit.rd_panel is None or fit.series.get("rd_expenditure") is None:
        return "distance", f"目标需要年均增长约 {np.expm1(need):.1%}，远超可能。"
    beta, gamma = fit.rd_panel.coef
    gdp = fit.series.get("gdp")
    g = (
        np.log1p(base.params["gdp_growth"])
        if base.params.get("gdp_growth") is not None
        else (gdp.fit.params["drift"] if gdp is not None else float(fit.rd_panel.year_growth["gdp"].mean()))
    )
    trend = fit.series["rd_expenditure"].fit.params["drift"]
    ratio = route.model == "ratio"
    boost = beta * np.log1p(cap)
    available = trend + gamma * g + boost - (g if ratio else 0.0)
    short = need - available
    facts = (
        f"目标需要年均增长约 {np.expm1(need):.1%}；R&D 自身趋势约 {np.expm1(trend):.1%}/年，"
        f"财政科技支出每增长 1% 只带动 R&D 约 {beta:.2f}%（增长 {cap:.0%} 也只多出约 {np.expm1(boost):.1%}/年）"
        + (f"，而 GDP（分母）年均约增长 {np.expm1(g):.1%}" if ratio else "")
        + "。"
    )
    if short <= 0:
        return "uncertainty", facts + "中位路径可达，但波动使概率达不到要求。"
    if ratio and g > 0 and short <= (1 - gamma) * g:
        return "gdp", facts + "主要原因是 GDP 增长抵消了 R&D 增长。"
    if short <= (1 - beta) * np.log1p(cap):
        return "elasticity cap", facts + "主要原因是财政投入对 R&D 的带动弹性低。"
    return "distance", facts + "主要原因是目标距现状太远。"


def sensitivity(
    plan: str,
    scenario: str = "baseline",
    origin: int | None = None,
    n_paths: int = 5_000,
    seed: int = 0,
    history: History | None = None,
    context: Context | None = None,
) -> pd.DataFrame:
    """How each modelled target's probability moves when each key assumption moves by one standard
    deviation either way (common random numbers and one fit: the differences are not noise).
    `context` carries analysts' folders (plans added with --plans)."""
    ctx = context or Context.get(history)
    sc = ctx.scenario(scenario)
    jobs = [
        (t, concrete_indicator(t, ctx.vocab))
        for t in ctx.plan(plan).targets
        if readiness(t, ctx.history, ctx.vocab, origin).modelled
    ]
    fits = fit_geos(jobs, ctx, origin)
    base = probabilities(jobs, fits, ctx.vocab, sc, n_paths, seed)
    rows = []
    moved = {(a, k): probabilities(jobs, fits, ctx.vocab, sc, n_paths, seed, {a: k}) for a in SHIFTS for k in (-1, 1)}
    for t, ind in jobs:
        if base[(t.id, ind)].reason:
            continue
        for a, label in SHIFTS.items():
            lo, hi = moved[(a, -1)][(t.id, ind)], moved[(a, 1)][(t.id, ind)]
            rows.append(
                dict(
                    target_id=t.id,
                    name=t.name,
                    assumption=a,
                    about=label,
                    p_minus=lo.probability,
                    p_base=base[(t.id, ind)].probability,
                    p_plus=hi.probability,
                    swing=abs(hi.probability - lo.probability),
                )
            )
    columns = ["target_id", "name", "assumption", "about", "p_minus", "p_base", "p_plus", "swing"]
    return pd.DataFrame(rows, columns=columns).sort_values(
        ["target_id", "swing"], ascending=[True, False], ignore_index=True
    )
