"""Scenarios: named diffs on a baseline of model assumptions (params/scenarios.yaml)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, Problem, shorten
from .files import read_yaml
from .locations import params_dir

# parameter -> (lowest, highest) allowed yearly rate; None means "continue the fitted trend"
PARAMETERS = {"fiscal_st_growth": (-0.5, 1.0), "gdp_growth": (-0.3, 0.5)}
# parameter -> the series whose yearly growth it sets after the origin
SERIES = {"fiscal_st_growth": "fiscal_st_expenditure", "gdp_growth": "gdp"}
META = {"description", "source"}


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    params: dict[str, float | None] = field(default_factory=dict)


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
        Problem(f, "", k, "an unknown top-level key", "baseline | scenarios")
        for k in data
        if k not in ("baseline", "scenarios")
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
