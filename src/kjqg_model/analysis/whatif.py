"""What would change the odds: the fiscal growth a target needs, and which assumption moves it most.
Both reuse one fit of the models and common random numbers, so differences are not noise."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..engine.projection import SHIFTS, GeoFit, NoHistory, Settings
from ..inputs import units
from ..inputs.context import Context
from ..inputs.errors import InputError
from ..inputs.scenarios import PARAMETERS, Scenario
from ..inputs.scenarios import SERIES as SCENARIO_SERIES
from ..inputs.targets import Target
from ..inputs.vocab import Vocabulary
from .evaluate import fit_geos, probabilities
from .outcomes import concrete_indicator
from .readiness import readiness


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


def solve_required_growth(
    ctx: Context, target: Target | str, probability: float, settings: Settings, bounds: tuple[float, float] | None
) -> RequiredGrowth:
    """The yearly growth of fiscal S&T spending that gives `probability` of meeting the target
    (`settings`: the scenario the rate is set on, origin, paths and seed), found by bisection on
    common random numbers (the probability is monotone in the rate) with one fit of the models
    reused at every rate. `bounds` default to the scenario range."""
    if isinstance(probability, bool) or not isinstance(probability, int | float) or not 0 < probability < 1:
        raise InputError.single("probability", repr(probability), "a probability between 0 and 1, e.g. 0.8")
    t = find_target(target, ctx)
    if not fiscal_driven(t.indicator, ctx.vocab):
        return RequiredGrowth(None, np.nan, f"{t.indicator or t.name} 不受财政科技投入驱动（模型中无此关系）")
    origin = settings.origin
    ready = readiness(t, ctx.history, ctx.vocab, origin)
    if not ready.modelled:
        return RequiredGrowth(None, np.nan, ready.message)
    ind = concrete_indicator(t, ctx.vocab)
    base = ctx.scenario(settings.scenario)
    fits = fit_geos([(t, ind)], ctx, origin)
    lo, hi = bounds or PARAMETERS["fiscal_st_growth"]

    def p_at(rate: float) -> float:
        sc = base.adjust({"fiscal_st_growth": rate}, f"fiscal {rate:+.3f}")
        got = probabilities([(t, ind)], fits, ctx.vocab, replace(settings, scenario=sc))[(t.id, ind)]
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
    ratio = route.model == "ratio"
    panel = fit.panels.get(fit.vocab.indicators[ind].inputs[0] if ratio else ind)
    if panel is None or fit.series.get(panel.indicator) is None:
        return "distance", f"目标需要年均增长约 {np.expm1(need):.1%}，远超可能。"
    beta, gamma = panel.coef
    gdp = fit.series.get(panel.drivers[1])
    g = (
        np.log1p(base.params["gdp_growth"])
        if base.params.get("gdp_growth") is not None
        else (gdp.fit.params["drift"] if gdp is not None else float(panel.year_growth[panel.drivers[1]].mean()))
    )
    trend = fit.series[panel.indicator].fit.params["drift"]
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


def sensitivity_table(ctx: Context, plan: str, settings: Settings) -> pd.DataFrame:
    """How each modelled target's probability moves when each key assumption moves by one standard
    deviation either way (common random numbers and one fit: the differences are not noise)."""
    settings = replace(settings, scenario=ctx.scenario(settings.scenario))
    origin = settings.origin
    jobs = [
        (t, concrete_indicator(t, ctx.vocab))
        for t in ctx.plan(plan).targets
        if readiness(t, ctx.history, ctx.vocab, origin).modelled
    ]
    fits = fit_geos(jobs, ctx, origin)
    base = probabilities(jobs, fits, ctx.vocab, settings)
    rows = []
    moved = {(a, k): probabilities(jobs, fits, ctx.vocab, settings, {a: k}) for a in SHIFTS for k in (-1, 1)}
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
