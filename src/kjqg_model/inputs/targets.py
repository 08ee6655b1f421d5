"""Plan targets as data: one YAML file per plan under params/targets/, validated on loading."""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import units
from .analyst_series import implied_series
from .errors import InputError, Problem, shorten
from .files import read_yaml
from .locations import params_dir
from .vocab import Indicator, Vocabulary, load_vocabulary

COMPARE = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
KINDS = ("level", "cumulative", "growth_rate", "increase", "relative")
COMPARATORS = (">", ">=", "<", "<=", "~")
BASES = ("inflow", "outflow", "unspecified")
FIELDS = {
    "id",
    "name",
    "section",
    "geo",
    "indicator",
    "kind",
    "year",
    "period",
    "comparator",
    "threshold",
    "threshold_high",
    "unit",
    "clause",
    "relative_to",
    "basis",
    "each_year",
    "aspiration",
    "lead",
    "note",
}
REQUIRED = ("id", "name", "geo", "kind", "comparator", "threshold", "unit", "clause")
PLAN_FIELDS = {"plan", "title", "document", "issued", "seed", "geo", "base_year", "targets", "not_targets"}
YEARS = (2000, 2100)
TOLERANCE = 1e-9  # relative: far below any published precision
_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")


@dataclass(frozen=True)
class Target:
    plan: str
    id: str
    name: str
    geo: str
    indicator: str | None
    kind: str
    comparator: str
    threshold: float
    unit: str
    clause: str
    year: int  # the year the target is judged (end of the period)
    period: tuple[int, int] | None = None
    threshold_high: float | None = None
    relative_to: str | None = None
    basis: str | None = None
    each_year: bool = False
    aspiration: bool = False
    implied: bool = False  # the plan names no indicator: `indicator` is the analyst series it needs
    section: str = ""
    lead: str = ""
    note: str = ""

    def met(self, value):
        """Whether outcome(s) in the target's unit meet it (elementwise on arrays). '~' (左右/约)
        counts as met from 95 % of the threshold up. '>=' and '<=' allow for floating-point rounding
        (a flat path's change is -3e-14, not 0: 只增不减 is met)."""
        if self.comparator == "~":
            return np.asarray(value) >= 0.95 * self.threshold
        slack = TOLERANCE * max(1.0, abs(self.threshold))
        shifted = {">=": self.threshold - slack, "<=": self.threshold + slack}.get(self.comparator, self.threshold)
        return COMPARE[self.comparator](np.asarray(value), shifted)


@dataclass(frozen=True)
class Plan:
    id: str
    title: str
    geo: str
    base_year: int
    document: str
    issued: str
    file: str
    targets: tuple[Target, ...]
    series: dict[str, Indicator] = field(default_factory=dict)  # the analyst series its targets need

    @property
    def option(self) -> str:
        """How a command names this plan: `--plan ID`, with `--plans FOLDER` for an analyst's plan
        (a command run without it would not find the plan)."""
        folder = Path(self.file).parent
        shipped = folder.resolve() == (params_dir() / "targets").resolve()
        return f"--plan {self.id}" + ("" if shipped else f" --plans {folder}")


def load_plans(directory: Path | None = None, vocabulary: Vocabulary | None = None, extra_dirs=()) -> dict[str, Plan]:
    """Every plan file in `directory` (default params/targets) and in the analysts' `extra_dirs`
    (`--plans`), keyed by plan id; an analyst's plan may not reuse a shipped plan's id."""
    vocab = vocabulary or load_vocabulary()
    directory = Path(directory) if directory else params_dir() / "targets"
    plans, problems = {}, []
    for folder in (directory, *map(Path, extra_dirs)):
        files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
        if not files:
            found = "no .yaml files" if folder.is_dir() else "no such folder"
            problems.append(Problem(str(folder), "", "", found, "a folder with one YAML file per plan"))
        for path in files:
            try:
                plan = load_plan(path, vocab)
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            if plan.id in plans:
                expected = f"a plan id not already used by {plans[plan.id].file}"
                problems.append(Problem(str(path), "", "plan", repr(plan.id), expected))
            plans[plan.id] = plan
    if problems:
        raise InputError(problems)
    return plans


def plan_vocabulary(vocab: Vocabulary, plans: dict[str, Plan]) -> Vocabulary:
    """The vocabulary plus the analyst series the plans' targets need."""
    return vocab.with_indicators({k: v for p in plans.values() for k, v in p.series.items()})


def load_plan(path: Path, vocabulary: Vocabulary | None = None) -> Plan:
    vocab = vocabulary or load_vocabulary()
    f = str(path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError(
            [Problem(f, "", "", type(data).__name__, "a mapping with plan, title, geo, base_year, targets")]
        )
    problems = [
        Problem(f, "", k, "an unknown field", "one of " + ", ".join(sorted(PLAN_FIELDS)))
        for k in data
        if k not in PLAN_FIELDS
    ]
    plan_id = data.get("plan")
    if plan_id != Path(path).stem:
        problems.append(Problem(f, "", "plan", shorten(plan_id), f"the file name's stem {Path(path).stem!r}"))
    geo = vocab.canonical(data.get("geo"))
    if geo is None:
        problems.append(Problem(f, "", "geo", shorten(data.get("geo")), "a place listed in params/geos.yaml"))
    base_year = data.get("base_year")
    if not isinstance(base_year, int) or not YEARS[0] <= base_year <= YEARS[1]:
        problems.append(Problem(f, "", "base_year", shorten(base_year), f"a year from {YEARS[0]} to {YEARS[1]}"))
    entries = data.get("targets")
    if not isinstance(entries, list) or not entries:
        problems.append(Problem(f, "", "targets", shorten(entries), "a non-empty list of targets"))
        entries = []
    targets, seen = [], set()
    for i, entry in enumerate(entries):
        target, errs = _parse_target(entry, i, str(plan_id), f, vocab)
        problems.extend(errs)
        if target is None:
            continue
        if target.id in seen:
            problems.append(Problem(f, f"target {i + 1}", "id", repr(target.id), "an id not used before in this file"))
        seen.add(target.id)
        targets.append(target)
    if problems:
        raise InputError(problems)
    targets, series = implied_series(plan_id, tuple(targets))
    return Plan(
        plan_id,
        str(data.get("title", "")),
        geo,
        base_year,
        str(data.get("document", "")),
        str(data.get("issued", "")),
        f,
        targets,
        series,
    )


def _year(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and YEARS[0] <= value <= YEARS[1]


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _parse_target(entry: object, i: int, plan: str, f: str, vocab: Vocabulary) -> tuple[Target | None, list[Problem]]:
    if not isinstance(entry, dict):
        return None, [Problem(f, f"target {i + 1}", "", shorten(entry), "a mapping of target fields")]
    where = f"target {entry.get('id') or i + 1}"
    problems: list[Problem] = []

    def bad(field: str, found: object, expected: str) -> None:
        problems.append(Problem(f, where, field, shorten(found), expected))

    for k in entry:
        if k not in FIELDS:
            bad(k, "an unknown field", "one of " + ", ".join(sorted(FIELDS)))
    for k in REQUIRED:
        if entry.get(k) in (None, ""):
            bad(k, "nothing", "a value (required)")
    if problems:
        return None, problems
    _check_values(entry, vocab, bad)
    year, period = _check_time(entry, bad, period_bad=lambda: "period" in {p.field for p in problems})
    indicator, basis = _check_indicator(entry, vocab, bad)
    if problems:
        return None, problems
    high = entry.get("threshold_high")
    return Target(
        plan=plan,
        id=str(entry["id"]),
        name=str(entry["name"]),
        geo=vocab.canonical(entry["geo"]),
        indicator=indicator,
        kind=entry["kind"],
        comparator=entry["comparator"],
        threshold=float(entry["threshold"]),
        unit=str(entry["unit"]),
        clause=str(entry["clause"]),
        year=int(year if year is not None else period[1]),
        period=period,
        threshold_high=float(high) if high is not None else None,
        relative_to=vocab.canonical(entry["relative_to"]) if entry.get("relative_to") else None,
        basis=basis,
        each_year=bool(entry.get("each_year", False)),
        aspiration=bool(entry.get("aspiration", False)),
        section=str(entry.get("section", "")),
        lead=str(entry.get("lead", "")),
        note=str(entry.get("note", "")),
    ), []


def _check_values(entry: dict, vocab: Vocabulary, bad) -> None:
    """id, kind, comparator, places, threshold(s) and unit."""
    if not _ID.match(str(entry["id"])):
        bad("id", entry["id"], "ascii snake_case (a-z, 0-9, _)")
    if entry["kind"] not in KINDS:
        bad("kind", entry["kind"], " | ".join(KINDS))
    if entry["comparator"] not in COMPARATORS:
        bad("comparator", entry["comparator"], " | ".join(COMPARATORS))
    for key in ("geo", "relative_to"):
        if entry.get(key) is not None and vocab.canonical(entry[key]) is None:
            bad(key, entry[key], "a place listed in params/geos.yaml")
    threshold, high = entry["threshold"], entry.get("threshold_high")
    if not _number(threshold):
        bad("threshold", threshold, "a number as written in the plan")
    if high is not None and not (_number(high) and _number(threshold) and high >= threshold):
        bad("threshold_high", high, "a number not below threshold (the upper end of a range)")
    if units.dimension(str(entry["unit"])) is None:
        bad("unit", entry["unit"], "a known unit: " + ", ".join(units.UNITS))
    ind = vocab.indicators.get(entry.get("indicator") or "")
    amount = entry["kind"] in ("level", "cumulative") and (ind is None or not ind.signed)
    if _number(threshold) and threshold < 0 and (amount or entry["kind"] == "relative"):
        # a positive quantity is above it on every path: a slip, not a goal (a table's 0 is the plan's own)
        bad("threshold", threshold, f"a number of at least 0 for a {entry['kind']} target")


def _check_time(entry: dict, bad, period_bad) -> tuple[int | None, tuple[int, int] | None]:
    """The year judged and the period, consistent with the kind."""
    kind, year, period = entry["kind"], entry.get("year"), entry.get("period")
    if period is not None:
        if not (isinstance(period, list) and len(period) == 2 and all(map(_year, period)) and period[0] < period[1]):
            bad("period", period, f"[start, end] with {YEARS[0]} <= start < end <= {YEARS[1]}")
            period = None
        else:
            period = (period[0], period[1])
    if year is not None and not _year(year):
        bad("year", year, f"a year from {YEARS[0]} to {YEARS[1]}")
    needs_period = kind in ("cumulative", "growth_rate", "increase") or entry.get("each_year")
    if needs_period and period is None and not period_bad():
        bad("period", None, f"[start, end] for a {kind} target")
    if kind in ("level", "relative") and year is None and period is None:
        bad("year", None, f"the year a {kind} target is judged")
    if kind == "relative" and not entry.get("relative_to"):
        bad("relative_to", None, "the geo compared with (e.g. 全国) for a relative target")
    if year is not None and period is not None and year != period[1]:
        bad("year", year, f"the end of the period ({period[1]})")
    return year, period


def _check_indicator(entry: dict, vocab: Vocabulary, bad) -> tuple[str | None, str | None]:
    """The indicator (or null), its basis, and a unit that fits the kind on that indicator."""
    indicator, basis, kind, unit = entry.get("indicator"), entry.get("basis"), entry["kind"], str(entry["unit"])
    ind = vocab.indicators.get(indicator) if indicator is not None else None
    if indicator is not None and ind is None:
        bad("indicator", indicator, "an indicator in params/indicators.yaml, or null")
    if basis is not None and (ind is None or not ind.bases or basis not in BASES):
        bad("basis", basis, "inflow | outflow | unspecified, on an indicator with two bases")
    if ind is not None and ind.bases and basis is None:
        basis = "unspecified"  # the plan does not say which basis: both are shown
    if ind is not None and units.dimension(unit) is not None and kind in KINDS:
        expected = expected_dimension(kind, ind.dimension)
        if units.dimension(unit) != expected:
            fits = [u for u, (d, _) in units.UNITS.items() if d == expected]
            bad("unit", unit, f"a unit for a {kind} target on {indicator}: {', '.join(fits)}")
    return indicator, basis


def expected_dimension(kind: str, indicator_dimension: str) -> str:
    if kind == "growth_rate":
        return "share"  # a yearly growth rate in %
    if kind == "relative":
        return "ratio"
    if kind == "increase" and indicator_dimension == "share":
        return "share_change"  # 提高 x 个百分点
    return indicator_dimension


def targets_frame(plans: dict[str, Plan]) -> pd.DataFrame:
    rows = [
        dict(
            plan=t.plan,
            target_id=t.id,
            name=t.name,
            geo=t.geo,
            indicator=t.indicator or "",
            basis=t.basis or "",
            kind=t.kind,
            year=t.year,
            period=f"{t.period[0]}–{t.period[1]}" if t.period else "",
            comparator=t.comparator,
            threshold=t.threshold,
            threshold_high=t.threshold_high,
            unit=t.unit,
            relative_to=t.relative_to,
            clause=t.clause,
        )
        for p in plans.values()
        for t in p.targets
    ]
    return pd.DataFrame(rows)
