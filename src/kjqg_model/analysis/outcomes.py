"""A target's measure: on simulated paths, from published data, and its progress so far.

A target's outcome is computed on each joint path, mixing observed years (up to the origin) and
simulated ones, so cumulative, increase, growth-rate and relative targets are judged on paths
rather than on yearly marginals.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..engine.fit import exact_series
from ..engine.projection import NoHistory
from ..inputs import units
from ..inputs.history import History
from ..inputs.targets import Target
from ..inputs.vocab import Vocabulary

PROGRESS_CATEGORIES = ((0.95, "on track"), (0.60, "acceleration needed"), (0.0, "limited progress"))

ValueAt = Callable[[str, int], np.ndarray]  # (geo, year) -> values in the indicator's canonical unit


def outcome(target: Target, value_at: ValueAt, vocab: Vocabulary) -> np.ndarray:
    """The target's measure on every path, in the target's own unit: for a condition that must
    hold each year, that of its worst year."""
    return _worst(target, [step() for step in _steps(target, value_at, vocab)])


def judged_years(target: Target) -> list[int]:
    """The years the target's measure reads, sorted."""
    return sorted({y for step in _step_years(target) for y in step})


def _worst(target: Target, per_step: list[np.ndarray]) -> np.ndarray:
    worst = np.minimum if target.comparator in (">", ">=", "~") else np.maximum
    return per_step[0] if len(per_step) == 1 else worst.reduce(np.vstack(per_step), axis=0)


def _step_years(target: Target) -> list[tuple[int, ...]]:
    """The years each judged step reads: one step, unless the condition must hold each year."""
    each = target.each_year and target.period is not None
    if target.kind in ("relative", "level"):
        return [(y,) for y in range(target.period[0], target.period[1] + 1)] if each else [(target.year,)]
    start, end = target.period
    if target.kind == "cumulative":
        return [tuple(range(start, end + 1))]
    return [(y - 1, y) for y in range(start + 1, end + 1)] if each else [(start, end)]


def _steps(target: Target, value_at: ValueAt, vocab: Vocabulary) -> list[Callable[[], np.ndarray]]:
    """The measure of each year the condition is judged in (one, unless it must hold each year)."""
    ind = vocab.indicators[target.indicator]
    geo, kind = target.geo, target.kind
    # to the target's unit; a share's increase is in 百分点, the same number as its % difference
    unitless = kind in ("relative", "growth_rate") or (kind == "increase" and ind.dimension == "share")
    factor = 1.0 if unitless else units.factor(ind.unit, target.unit)

    def measure(years: tuple[int, ...]) -> np.ndarray:
        if kind == "relative":
            return value_at(geo, years[0]) / value_at(target.relative_to, years[0])
        if kind in ("level", "cumulative"):
            return sum(value_at(geo, y) for y in years) * factor
        (a, b), (va, vb) = years, (value_at(geo, y) for y in years)
        if kind == "growth_rate":
            return 100 * ((vb / va) ** (1 / (b - a)) - 1)
        return (vb - va) * factor  # increase

    return [lambda years=years: measure(years) for years in _step_years(target)]


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

    known = []  # the umbrella indicator and its bases share a unit, so the target converts either
    for step in _steps(target, value_at, vocab):
        try:
            known.append(step())
        except NoHistory:
            known.append(None)
    seen = [v for v in known if v is not None]
    if not seen:
        return None
    value = float(_worst(target, seen)[0])
    if len(seen) < len(known) and bool(target.met(value)):
        return None  # a year is still unknown, and no known year has failed the condition already
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
    the pace is that of the five years before the latest observation, and the label says so
    ("on track; pace 2017-2021")."""
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
    if not np.isfinite(required):
        return np.nan, "n/a"
    if required <= 0:
        return np.inf, "on track"
    ratio = observed / required
    pace = "" if t0 == base_year else f"; pace {t0}-{t_now}"  # not since the base year: say whose pace it is
    if ratio < 0:
        return float(ratio), "deterioration" + pace
    return float(ratio), next(label for floor, label in PROGRESS_CATEGORIES if ratio >= floor) + pace
