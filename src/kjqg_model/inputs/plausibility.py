"""Plausibility of loaded values. Each exact value is checked against its indicator's possible
range, against its own series' neighbours, against the whole it is part of, and a series' latest
value against the level targets the plans set on it; a ratio derived from two series is checked
against the ratio's range. So a typing slip (万元 under 亿元, a percent as a fraction, a misplaced
decimal point) is an error naming the likely slip, not a confident wrong answer. A genuine outlier
passes when its row gives the reason in an `accept` column."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import Problem
from .vocab import EXACT, STOCK_YEARS, Vocabulary

MARGIN = np.log(2.0)  # beyond twice the largest yearly move of any other series of the indicator
MIN_MOVES = 20  # yearly moves elsewhere needed to judge one series of an indicator
# without them: a value ×8 off its neighbours, both or (at an end, the forecast's origin being the
# worst place to miss a slip) its one (a ×10 slip, not a real move; a real one passes with a reason)
FALLBACK = np.log(8.0)
MAX_GAP = 2  # missing years between two values still compared as neighbours
# a level target this many times above or below its series' latest value: a unit slip. Shares and
# amounts only: a count may start from a handful (a new programme's 1 人 against a goal of 50)
TARGET_SPAN = {"%": 20.0, "money": 50.0}
SLIPS_DOWN = {1e4: "亿元 figures written under 万元"}  # the one slip whose name says a direction
ACCEPT = "if the figure is genuine, give the reason in an 'accept' column"
SLIPS = (
    (1e4, "万元 written under 亿元"),
    (1e2, "a percent written as a fraction, or a value ×100"),
    (10.0, "a misplaced decimal point"),
)


def implausible(table: pd.DataFrame, vocab: Vocabulary, targets=()) -> list[Problem]:
    """Every value outside its indicator's range, far from its neighbours in its series, larger than
    its whole, or (the latest of a share's or amount's series) far from a level target of `targets`;
    every ratio of two series outside the ratio's range."""
    rows = table[table.qualifier.isin(EXACT) & (table.accept.fillna("") == "")]
    ranges = {name: ind.range for name, ind in vocab.indicators.items() if ind.range is not None}
    lo = rows.indicator.map(lambda i: ranges.get(i, (-np.inf, np.inf))[0]).astype(float)
    hi = rows.indicator.map(lambda i: ranges.get(i, (-np.inf, np.inf))[1]).astype(float)
    outside = rows[rows.indicator.isin(ranges) & ~((rows.value >= lo) & (rows.value <= hi))]  # 0.2 s less per load
    problems = [_out_of_range(r, vocab) for r in outside.itertuples()]
    chosen = table[table.qualifier.isin(EXACT)].sort_values("priority", kind="stable")
    # one value per year as the model sees it (an analyst's row replaces the shipped one)
    chosen = chosen.drop_duplicates(["geo", "indicator", "year"]).sort_values(["geo", "indicator", "year"])
    keys = chosen.groupby(["geo", "indicator"])
    step = np.log(chosen.value.astype(float)) - np.log(keys.value.shift().astype(float))
    # the move from the year before; across a gap of up to two missing years too (a real series
    # seldom moves x8 in three years; a slip beside a missing year was passed over)
    back = step.where(chosen.year - keys.year.shift() <= 1 + MAX_GAP).abs()
    ahead = back.groupby([chosen.geo, chosen.indicator]).shift(-1)  # the move to the year after
    with_moves = chosen.assign(back=back)
    limit = _limits(with_moves)
    # too few moves elsewhere to judge by (an indicator only one place publishes): only a jump of
    # ×FALLBACK, there and back or at an end, is taken for a slip
    alone = limit.isna() & (back.notna() | ahead.notna())
    limit = limit.where(~alone, FALLBACK)
    far = (back.isna() | (back > limit)) & (ahead.isna() | (ahead > limit)) & (back.notna() | ahead.notna())
    # a value beside a slip moves as far, but only the slip is far from two neighbours: an end of the
    # series is not blamed for its one neighbour's slip
    slip = far & back.notna() & ahead.notna()
    series = [chosen.geo, chosen.indicator]
    beside = slip.groupby(series).shift(1, fill_value=False) | slip.groupby(series).shift(-1, fill_value=False)
    far &= ~(beside & (back.isna() | ahead.isna()))
    accepted = chosen.accept.fillna("") != ""
    for i in chosen.index[far & ~accepted & limit.notna()]:
        problems.append(_jump_problem(chosen, i, float(limit[i]), bool(alone[i])))
    problems += _above_parent(chosen, accepted, vocab) + _derived_out_of_range(chosen, accepted, vocab)
    problems += _stock_against_flows(chosen, accepted, vocab) + _ratio_against_inputs(chosen, accepted, vocab)
    named = {(p.file, p.where) for p in problems}  # a row already blamed needs no second reason
    return problems + [p for p in _far_from_targets(chosen, accepted, targets, vocab) if (p.file, p.where) not in named]


def _derived_out_of_range(chosen: pd.DataFrame, accepted: pd.Series, vocab: Vocabulary) -> list[Problem]:
    """A ratio indicator with a range (R&D intensity = 100 x R&D / GDP), computed where both its
    inputs are published the same year (whether or not the ratio is too): a whole series of R&D typed in
    万元 under 亿元 has no jump, and is smaller than its whole, but its intensity is 0.0002 %."""
    values = chosen[~accepted].set_index(["geo", "indicator", "year"]).value.astype(float)
    problems, present = [], set(values.index.get_level_values("indicator"))
    for ind in vocab.indicators.values():
        if ind.model != "ratio" or ind.range is None or not set(ind.inputs) <= present:
            continue
        num, den = (values.xs(i, level="indicator") for i in ind.inputs[:2])
        ratio = (ind.scale * num / den.reindex(num.index)).dropna()
        lo, hi = ind.range
        for (geo, year), v in ratio[(ratio < lo) | (ratio > hi)].items():
            r = chosen[(chosen.geo == geo) & (chosen.indicator == ind.inputs[0]) & (chosen.year == year)].iloc[0]
            problems.append(_slip_problem(
                r, f", which makes {ind.label} {_num(v)} {ind.unit} with {ind.inputs[1]} {_num(den[(geo, year)])}",
                v, lo, hi, f"{ind.label} between {lo:g} and {hi:g} {ind.unit}",
            ))  # fmt: skip
    return problems


RATIO_SPAN = 3.0  # a published ratio this far from its inputs' ratio, within MAX_GAP years: a slip
# (the shipped R&D intensities lie within ×1.6 of R&D ÷ GDP the same year, ×1.9 two years apart)


def _ratio_against_inputs(chosen: pd.DataFrame, accepted: pd.Series, vocab: Vocabulary) -> list[Problem]:
    """A ratio typed as published (R&D intensity 0.22 %) more than RATIO_SPAN times off the ratio
    of its inputs (R&D ÷ GDP = 1.84 %) in the nearest year within MAX_GAP: a whole series typed
    ×10 off has no jump and stays in range, but cannot disagree with its own inputs. Blamed on the
    ratio's row, or on the input's from a file that takes precedence."""
    values = chosen.set_index(["geo", "indicator", "year"], drop=False)
    present = set(values.index.get_level_values("indicator"))
    problems = []
    for name, ind in vocab.indicators.items():
        if ind.model != "ratio" or not {name, *ind.inputs} <= present:
            continue
        num, den = (values.xs(i, level="indicator") for i in ind.inputs[:2])
        derived = (ind.scale * num.value / den.value.reindex(num.index)).dropna()
        for i in chosen.index[(chosen.indicator == name) & ~accepted]:
            r = chosen.loc[i]
            near = [(r.geo, r.year + d) for d in sorted(range(-MAX_GAP, MAX_GAP + 1), key=abs)]
            key = next((k for k in near if k in derived.index), None)
            if key is None or 1 / RATIO_SPAN <= float(r.value) / derived[key] <= RATIO_SPAN:
                continue
            inputs = pd.DataFrame([num.loc[key], den.loc[key]])
            if (inputs.accept.fillna("") != "").any():
                continue
            blamed = _in_precedence(r, inputs)
            context = f", but {ind.inputs[0]} ÷ {ind.inputs[1]} makes {_num(derived[key])} {ind.unit} in {key[1]}" + (
                "" if blamed is r else f" (the {name} figure {r.value_published} {r.unit_published} disagrees)"
            )
            value = float(r.value) if blamed is r else float(derived[key])
            reference = float(derived[key]) if blamed is r else float(r.value)
            problems.append(_slip_problem(
                blamed, context, value, reference / RATIO_SPAN, reference * RATIO_SPAN,
                f"a {name} within ×{RATIO_SPAN:g} of the ratio of its inputs",
            ))  # fmt: skip
    return problems


def _far_from_targets(chosen: pd.DataFrame, accepted: pd.Series, targets, vocab: Vocabulary) -> list[Problem]:
    """A level target (or a cumulative one's yearly part) TARGET_SPAN times above or below the
    latest value of its series: no plan aims 20-fold off a share or 50-fold off an amount where it
    stands, so the series (or the target) is in another unit. A target on an umbrella indicator
    (turnover) is judged on the basis it names; one naming none, only where every basis is that far
    off (the two bases of one province differ up to ×1,800)."""
    latest = chosen.drop_duplicates(["geo", "indicator"], keep="last")
    latest = pd.Series(latest.index, index=pd.MultiIndex.from_arrays([latest.geo, latest.indicator]))
    problems, seen = [], set()
    for t in targets:
        ind = vocab.indicators.get(t.indicator) if t.indicator else None
        if ind is None or t.kind not in ("level", "cumulative"):
            continue
        names = [ind.bases[t.basis]] if t.basis in ind.bases else list(ind.bases.values()) or [t.indicator]
        found = [_off_target(t, chosen, latest, accepted, vocab, n) for n in names if (t.geo, n) not in seen]
        if True not in found:  # no basis near the target (a basis without data says nothing)
            problems += [f for f in found if f is not None]
            seen.update((t.geo, n) for n in names)
    return problems


def _off_target(t, chosen, latest, accepted, vocab: Vocabulary, name: str) -> Problem | bool | None:
    """The problem of one series far from target `t`, True where it is near, None where it cannot
    be judged (no data, an accepted figure, a count, a unit the target does not share)."""
    ind = vocab.indicators[name]
    span = TARGET_SPAN.get("%" if ind.unit == "%" else ind.dimension)
    # a cumulative target sums the period's years: its yearly part is what a year's figure is near
    years = t.period[1] - t.period[0] + 1 if t.kind == "cumulative" and t.period else 1
    per_year = t.threshold / years
    key = (t.geo, name)
    if span is None or t.unit != ind.unit or per_year <= 0 or key not in latest.index or accepted[latest[key]]:
        return None
    r = chosen.loc[latest[key]]
    if 1 / span < per_year / float(r.value) < span:
        return True
    goal = f"{t.comparator} {_num(t.threshold)} {t.unit}" + (f" over {years} years" if years > 1 else "")
    context = f", the latest of its series, against the plan's target {goal} for {t.year} ({t.plan}: {t.id})"
    expected = (
        f"a value within ×{span:g} of the plan's target{' a year' if years > 1 else ''} (if the figure is "
        f"right, the slip is in the threshold of target {t.id} of plan {t.plan})"
    )
    # a slip is named only where undoing it lands within ×5 of the target
    return _slip_problem(r, context, float(r.value), per_year / 5, per_year * 5, expected)


def _undoing(value: float, lo: float, hi: float) -> list[tuple[float, str]]:
    """The slips (SLIPS) whose undoing brings `value` into [lo, hi]."""
    up = value < lo
    return [(f, slip) for f, slip in SLIPS if lo <= (value * f if up else value / f) <= hi]


def _slip_problem(r, context: str, value: float, lo: float, hi: float, expected: str) -> Problem:
    """A value (or what it makes) outside [lo, hi], with the slip whose undoing brings it inside."""
    fits = _undoing(value, lo, hi)
    if value < lo:  # too small: the same slips the other way round
        fits = [(f, SLIPS_DOWN.get(f, slip)) for f, slip in fits]
    hint = f" — looks like {fits[0][1]}" if fits else ""
    return Problem(
        r.file,
        _where(r),
        "value",
        f"{r.value_published} {r.unit_published} for {r.geo} {r.indicator} {r.year}{context}{hint}",
        f"{expected}; {ACCEPT}",
    )


PART_SLACK = 1.02  # a part may show a little more than its whole where the two are rounded differently


def _above_parent(chosen: pd.DataFrame, accepted: pd.Series, vocab: Vocabulary) -> list[Problem]:
    """A place's amount or count larger than its parent's (a city's above its province's, a
    province's above the nation's) in the same year: a whole series typed in the wrong unit has
    no jump to give it away, but it cannot outgrow the whole it is part of. An accepted figure is
    not checked, but still counts as a whole."""
    additive = {
        name for name, ind in vocab.indicators.items()
        if ind.kind in ("flow", "stock") and not ind.signed and ind.dimension in ("money", "count")
    }  # fmt: skip
    parent = {g: p.get("parent") for g, p in vocab.geos.items() if isinstance(p, dict) and p.get("parent")}
    rows = chosen[chosen.indicator.isin(additive) & chosen.geo.isin(parent) & ~accepted]
    if rows.empty:
        return []
    wholes = chosen.set_index(["geo", "indicator", "year"]).value.astype(float)
    keys = pd.MultiIndex.from_arrays([rows.geo.map(parent), rows.indicator, rows.year])
    whole = pd.Series(wholes.reindex(keys).to_numpy(), index=rows.index)
    over = rows.index[rows.value.astype(float) > PART_SLACK * whole]
    return [_parent_problem(chosen.loc[i], parent[chosen.loc[i, "geo"]], float(whole[i])) for i in over]


STOCK_SPAN = 2.0  # a stock this many times off its last years' flows: one series holds the other's figures


def _stock_against_flows(chosen: pd.DataFrame, accepted: pd.Series, vocab: Vocabulary) -> list[Problem]:
    """A stock built from flows (高企 = about the last three years' recognitions, c = 1 ± 5 %) more
    than STOCK_SPAN times off their sum in a year both are published: the stock typed as the year's
    recognitions, or the reverse. Blamed on the stock's row, or on a flow's from a file that takes
    precedence (the analyst's, beside a published stock)."""
    values = chosen.set_index(["geo", "indicator", "year"], drop=False)
    problems = []
    for name, ind in vocab.indicators.items():
        if ind.model != "stock_from_flows":
            continue
        flow_name = ind.inputs[0]
        for i in chosen.index[(chosen.indicator == name) & ~accepted]:
            r = chosen.loc[i]
            keys = [(r.geo, flow_name, r.year - k) for k in range(STOCK_YEARS)]
            if not all(k in values.index for k in keys):
                continue
            flows = values.loc[keys]
            ratio = float(r.value) / float(flows.value.sum())
            if 1 / STOCK_SPAN <= ratio <= STOCK_SPAN or (flows.accept.fillna("") != "").any():
                continue
            problems.append(_stock_problem(r, flow_name, flows, ratio, _in_precedence(r, flows)))
    return problems


def _in_precedence(r, others: pd.DataFrame):
    """The row to blame for a disagreement between `r` and the rows it was checked against: `r`,
    unless one of those comes from a file that takes precedence (the analyst's, beside shipped
    figures, which the analyst cannot edit)."""
    return r if r.priority <= others.priority.min() else others.iloc[int(np.argmin(others.priority.to_numpy()))]


def _stock_problem(r, flow_name: str, flows: pd.DataFrame, ratio: float, blamed) -> Problem:
    years = f"{r.year - STOCK_YEARS + 1}–{r.year}"
    return Problem(
        str(blamed.file),
        _where(blamed),
        "value",
        f"{r.indicator} {r.geo} {r.year} = {r.value:.6g} {r.unit}, {ratio:.2f} × the sum of {flow_name} {years} "
        f"({flows.value.sum():.6g}): the stock is about the last {STOCK_YEARS} years' flows",
        f"a stock within ×{STOCK_SPAN:g} of that sum (is one series typed with the other's figures — the year-end "
        f"stock under {flow_name}, or a year's flow under {r.indicator}?); {ACCEPT}",
    )


def _parent_problem(r, whole_geo: str, whole: float) -> Problem:
    # the true part is at most the whole: the likeliest slip is the smallest factor that brings it there
    ratio = float(r.value) / whole
    fits = [(factor, slip) for factor, slip in SLIPS if factor * PART_SLACK >= ratio]
    hint = f" — looks like {min(fits)[1]}" if fits else ""
    return Problem(
        r.file,
        _where(r),
        "value",
        f"{r.value_published} {r.unit_published} for {r.geo} {r.indicator} {r.year}, more than {whole_geo}'s "
        f"{whole:.4g} {r.unit} that year{hint}",
        f"a part no larger than its whole ({whole_geo}); {ACCEPT}",
    )


def _limits(rows: pd.DataFrame) -> pd.Series:
    """Per row: the largest yearly move of any other geo's series of its indicator, plus MARGIN
    (NaN with fewer than MIN_MOVES moves elsewhere). All indicators at once (0.07 s less per load)."""
    per = rows.groupby(["indicator", "geo"]).back.agg(["max", "count"])
    order = per.sort_values("max", ascending=False, kind="stable").reset_index()
    ranked = order.groupby("indicator")
    top = ranked.nth(0).set_index("indicator")
    second = ranked.nth(1).set_index("indicator")["max"]
    total = per.groupby(level="indicator")["count"].sum()
    ind, geo = rows.indicator, rows.geo
    is_top = geo.to_numpy() == ind.map(top.geo).to_numpy()
    other_max = np.where(is_top, ind.map(second).to_numpy(dtype=float), ind.map(top["max"]).to_numpy(dtype=float))
    mine = per["count"].reindex(pd.MultiIndex.from_arrays([ind, geo])).to_numpy()
    enough = (ind.map(total).to_numpy() - mine) >= MIN_MOVES
    return pd.Series(np.where(enough, other_max + MARGIN, np.nan), index=rows.index)


def _out_of_range(r, vocab: Vocabulary) -> Problem:
    ind = vocab.indicators[r.indicator]
    lo, hi = ind.range
    # the slips whose undoing brings the value into range; a percent below its range was most
    # likely typed as a fraction (0.0084 for 0.84 %), even where ×10 would also land inside
    up = r.value < lo
    fits = _undoing(r.value, lo, hi)
    fits.sort(key=lambda fit: not (up and ind.unit == "%" and fit[0] == 1e2))
    hint = ""
    if fits:
        factor, slip = fits[0]
        shown = r.value * factor if up else r.value / factor
        hint = f" — looks like {slip}: {shown:.4g} {ind.unit} if {'×' if up else '÷'} {factor:g}"
    return Problem(
        r.file,
        _where(r),
        "value",
        f"{r.value_published} {r.unit_published} for {r.geo} {r.indicator} {r.year}{hint}",
        f"{ind.label} between {lo:g} and {hi:g} {ind.unit}; {ACCEPT}",
    )


def _jump_problem(chosen: pd.DataFrame, i, limit: float, alone: bool) -> Problem:
    r = chosen.loc[i]
    series = chosen[(chosen.geo == r.geo) & (chosen.indicator == r.indicator)]
    before, after = series[series.year < r.year].tail(1), series[series.year > r.year].head(1)
    near = pd.concat([before, after])
    near = near[(near.year - r.year).abs() <= 1 + MAX_GAP]
    ratio = r.value / float(np.exp(np.log(near.value.astype(float)).mean()))
    hint = ""
    for factor, slip in SLIPS:
        if abs(abs(np.log(ratio)) - np.log(factor)) < np.log(3.0):
            shown = r.value / factor if ratio > 1 else r.value * factor
            hint = f" — looks like {slip}: {r.value_published} ≈ {_num(shown)} {'×' if ratio > 1 else '÷'} {factor:g}"
            break
    beside = ", ".join(f"{y}: {_num(v)}" for y, v in zip(near.year, near.value, strict=True))
    return Problem(
        r.file,
        _where(r),
        "value",
        f"{r.value_published} {r.unit_published} for {r.geo} {r.indicator} {r.year}, beside {beside} {r.unit}{hint}",
        f"a value within ×{np.exp(limit):.1f} of its neighbouring years ("
        + (
            "no other place publishes it to compare moves with"
            if alone
            else "twice the largest yearly move of any other province's series"
        )
        + f"); {ACCEPT}",
    )


def _num(x: float) -> str:
    """A figure as a reader writes it: 4 significant digits, no exponent (125,000, not 1.25e+05)."""
    x = float(f"{x:.4g}")
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:g}"


def _where(r) -> str:
    return f"{'row' if str(r.file).lower().endswith('.xlsx') else 'line'} {r.line}"  # Excel numbers rows
