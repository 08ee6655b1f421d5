"""Scenarios: named diffs on a baseline of model assumptions (params/scenarios.yaml)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, Problem, shorten
from .files import read_yaml
from .locations import params_dir

META = {"description", "source"}


@dataclass(frozen=True)
class Parameter:
    title: str
    unit: str
    low: float
    high: float
    series: str  # the series whose yearly growth it sets after the origin


def load_parameters(path: Path | None = None) -> dict[str, Parameter]:
    """What a scenario may set (the `parameters` section of params/scenarios.yaml), checked."""
    path = Path(path) if path else params_dir() / "scenarios.yaml"
    data = read_yaml(path)
    entries = data.get("parameters") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise InputError.single(
            "parameters", shorten(entries), "a mapping of parameter to title, unit, range, series", file=str(path)
        )
    out, problems = {}, []
    for name, p in entries.items():
        try:
            low, high = (float(x) for x in p["range"])
            if not low < high:
                raise ValueError
            out[str(name)] = Parameter(str(p["title"]), str(p["unit"]), low, high, str(p["series"]))
        except (TypeError, KeyError, ValueError):
            problems.append(
                Problem(str(path), f"parameter {name}", "", shorten(p), "{title, unit, range: [low, high], series}")
            )
    if problems:
        raise InputError(problems)
    return out


_PARAMETERS = load_parameters()
PARAMETERS = {k: (p.low, p.high) for k, p in _PARAMETERS.items()}  # allowed yearly rates
TITLES = {k: p.title for k, p in _PARAMETERS.items()}
SERIES = {k: p.series for k, p in _PARAMETERS.items()}


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    params: dict[str, float | None] = field(default_factory=dict)

    def adjust(self, diff: dict[str, float | None], name: str | None = None) -> Scenario:
        """This scenario with `diff` applied, checked like a scenario in the YAML (the only way an
        analyst's or a what-if scenario is built)."""
        problems: list[Problem] = []
        checked = _check(diff, name or self.name, "scenario", problems)
        if problems:
            raise InputError(problems)
        label = name or f"{self.name} " + ", ".join(f"{k}={v}" for k, v in checked.items())
        return Scenario(label, self.description, {**self.params, **checked})


def load_scenarios(path: Path | None = None) -> dict[str, Scenario]:
    """All scenarios, `baseline` first; each is the baseline with its own diff applied."""
    path = Path(path) if path else params_dir() / "scenarios.yaml"
    f = str(path)
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("baseline"), dict):
        raise InputError(
            [Problem(f, "", "baseline", "no baseline mapping", "a 'baseline' mapping and a 'scenarios' mapping")]
        )
    problems: list[Problem] = []
    problems += [
        Problem(f, "", k, "an unknown top-level key", "parameters | baseline | scenarios")
        for k in data
        if k not in ("parameters", "baseline", "scenarios")
    ]
    base = _check(data["baseline"], "baseline", f, problems)
    missing = [p for p in PARAMETERS if p not in data["baseline"]]
    if missing:
        problems.append(
            Problem(
                f,
                "scenario baseline",
                ", ".join(missing),
                "nothing",
                "every parameter set in the baseline (null = trend)",
            )
        )
    out = {"baseline": Scenario("baseline", str(data["baseline"].get("description", "")), base)}
    diffs = data.get("scenarios") or {}
    if not isinstance(diffs, dict):
        problems.append(Problem(f, "", "scenarios", shorten(diffs), "a mapping of scenario name to its diff"))
        diffs = {}
    for name, diff in diffs.items():
        if not isinstance(diff, dict):
            problems.append(Problem(f, f"scenario {name}", "", shorten(diff), "a mapping of parameter to value"))
            continue
        out[str(name)] = Scenario(
            str(name), str(diff.get("description", "")), {**base, **_check(diff, name, f, problems)}
        )
    if problems:
        raise InputError(problems)
    return out


def _check(entry: dict, name: str, f: str, problems: list[Problem]) -> dict[str, float | None]:
    params = {}
    for key, value in entry.items():
        if key in META:
            continue
        if key not in PARAMETERS:
            problems.append(
                Problem(f, f"scenario {name}", key, "an unknown parameter", "one of " + ", ".join(PARAMETERS))
            )
            continue
        lo, hi = PARAMETERS[key]
        ok = value is None or (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
            and lo <= value <= hi
        )
        if not ok:
            problems.append(
                Problem(
                    f,
                    f"scenario {name}",
                    key,
                    shorten(value),
                    f"a yearly rate from {lo} to {hi} as a fraction (0.07 = 7 %), or null for the trend",
                )
            )
            continue
        params[key] = None if value is None else float(value)
    return params
