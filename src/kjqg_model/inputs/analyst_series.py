"""The series a plan's targets need that no statistical vocabulary entry measures.

A target with `indicator: null` (platforms, talents, 高新区产值, …) measures something only the
analysts' bureaus publish. Each such quantity becomes an analyst series with a stable id
`<plan>.<stem>` (the stem is the target id without its years), a label (the target's name), a
unit and a kind. Filling it in a history file (`kjqg template` writes the rows) makes the target
answerable with the same models as any other series.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from . import units
from .vocab import Indicator

if TYPE_CHECKING:  # targets.py calls this module while loading a plan
    from .targets import Target

POPULATION = "population_resident_year_end"  # 万人: the denominator of 每万人口…
_YEARS = re.compile(r"_(?:19|20)\d\d(?=_|$)")
_DECORATION = re.compile(r"^(?:annex\d+_)|_(?:headline|task|each_year)$")
# what a target does to its series, not what the series is: 新增… a stock's increase, …提高幅度 a
# share's, …年均增长/同比增速 an amount's growth (the series is the amount: a rate typed under 亿元 is wrong)
_CHANGE_WORDS = re.compile(r"^(?:新增|新建|建成|建立|建设|打造|组建)|提高幅度$|(?:年均|同比|年)?(?:增长率?|增速|增幅)$")
_MONEY_WORDS = re.compile(r"产值|收入|营收|金额|成交额|经费|支出|资金|投入|增加值|利润|税|规模")
_PER_10K = re.compile(r"^每万(?P<den>人口|人|家企业法人|户企业|家企业)中?(?P<num>.+)$")


def stem(target_id: str) -> str:
    """'annex2_national_high_level_talents_2021' -> 'national_high_level_talents'."""
    s = _YEARS.sub("", target_id)
    while (t := _DECORATION.sub("", s)) != s:
        s = t
    return s or target_id


def implied_series(plan: str, targets: tuple[Target, ...]) -> tuple[tuple[Target, ...], dict[str, Indicator]]:
    """The plan's targets with every null indicator replaced by its analyst series, and those series."""
    by_stem: dict[str, list[Target]] = {}
    for t in targets:
        if t.indicator is None:
            by_stem.setdefault(stem(t.id), []).append(t)
    groups: dict[str, list[Target]] = {}
    for key, members in by_stem.items():  # one series per quantity: targets in other units get their own
        classes = {_unit_class(t) for t in members} - {None}
        for t in members:
            cls = _unit_class(t) or min(classes, default=None)
            groups.setdefault(key if len(classes) <= 1 else f"{key}_{cls}", []).append(t)
    series: dict[str, Indicator] = {}
    chosen: dict[str, str] = {}
    for key, members in groups.items():
        name = f"{plan}.{key}"
        series.update(_indicators(name, members))
        chosen.update({t.id: name for t in members})
    out = tuple(replace(t, indicator=chosen[t.id], implied=True) if t.id in chosen else t for t in targets)
    return out, series


def _unit_class(t: Target) -> str | None:
    """What a target's unit says about its series (None: a growth rate or ratio, which says nothing)."""
    if t.kind in ("growth_rate", "relative"):
        return None
    dim = units.dimension(t.unit)
    return "share" if dim in ("share", "share_change") else dim


def _indicators(name: str, members: list[Target]) -> dict[str, Indicator]:
    first = members[0]
    note = f"分析员数据：{first.name}（计划 {first.plan}，目标 {', '.join(t.id for t in members)}）"
    if units.dimension(first.unit) == "per_10k":  # a unit such as 件/万人: the ratio of two series
        return _per_10k_series(name, first, _PER_10K.match(first.name), note)
    unit, kind = _unit_and_kind(members)
    return {name: Indicator(name, _label(first.name, kind), unit, kind, note=note, declared_in=first.plan)}


def _label(name: str, kind: str) -> str:
    """What the series measures: '新增…数' targets need the total, '…提高幅度' ones the share itself."""
    label = _CHANGE_WORDS.sub("", name) or name
    return f"{label}（年末累计总数）" if kind == "stock" and label != name else label


def _unit_and_kind(members: list[Target]) -> tuple[str, str]:
    """The series' unit and kind from what its targets say: % levels and 百分点 increases are
    shares; counts are stocks unless the targets only add them up (累计) or count each year's anew
    (每年引进…不少于50人); growth rates say nothing of the unit, so the name decides between an amount
    and a count."""
    dims = {units.dimension(t.unit): t.unit for t in members if t.kind not in ("growth_rate", "relative")}
    if "share" in dims or "share_change" in dims:
        return "%", "share"
    if "money" in dims:
        return dims["money"], "flow"
    if "count" in dims:
        only_sums = all(
            t.kind == "cumulative" or (t.kind == "level" and t.each_year)
            for t in members
            if units.dimension(t.unit) == "count"
        )
        return dims["count"], "flow" if only_sums else "stock"
    return ("亿元", "flow") if _MONEY_WORDS.search(members[0].name) else ("个", "stock")


def _per_10k_series(name: str, first: Target, match: re.Match | None, note: str) -> dict[str, Indicator]:
    """每万人口X / 每万家企业法人中X: the published ratio, or X over people (万人) or firms (万家)."""
    count_unit = first.unit.split("/")[0]
    per_people = first.unit.endswith("/万人")
    numerator = f"{name}_count"
    label = match.group("num") if match else first.name
    out = {numerator: Indicator(numerator, label, count_unit, "stock", note=note, declared_in=first.plan)}
    denominator = POPULATION
    if not per_people:
        denominator = f"{name}_firms"
        firms = f"{match.group('den').removeprefix('家')}数" if match else "企业数"
        out[denominator] = Indicator(denominator, firms, "万家", "stock", note=note, declared_in=first.plan)
    out[name] = Indicator(
        name,
        first.name,
        first.unit,
        "ratio",
        note=note,
        model="ratio",
        inputs=(numerator, denominator),
        scale=1.0,
        declared_in=first.plan,
    )
    return out
