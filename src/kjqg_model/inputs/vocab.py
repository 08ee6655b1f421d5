"""The shared vocabulary: which places and indicators exist, and each indicator's canonical unit."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path

from . import units
from .errors import InputError, Problem
from .files import read_yaml
from .locations import params_dir

QUALIFIERS = {"=": "as published", ">": "a lower bound", "<": "an upper bound", "~": "approximate"}
EXACT = ("=", "~")  # the qualifiers of values modelled as they are (the others are bounds)

INDICATOR_KINDS = {"stock", "flow", "share", "ratio"}


# model -> number of input indicators. trend: local linear trend with a pooled prior; rd_panel: the
# trend net of fiscal S&T and GDP growth (engine/fit.py); ratio: scale x first / second input (scale 100
# for a share in %), anchored on the published ratio; stock_from_flows: c x the last three years of
# the input flow.
MODELS = {"trend": 0, "rd_panel": 0, "ratio": 2, "stock_from_flows": 1}
STOCK_YEARS = 3  # stock_from_flows: certificates last three years, so the stock is about 3 years of flows
# model -> number of drivers: the rd_panel model's are [fiscal S&T spending, GDP], in that order
# (its elasticities and the scenario levers that set them)
DRIVEN = {"rd_panel": 2}


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    unit: str
    kind: str
    bases: dict[str, str] = field(default_factory=dict)
    note: str = ""
    signed: bool = False  # may be negative (net changes)
    model: str = "trend"  # which model serves it: see MODELS
    inputs: tuple[str, ...] = ()  # the indicators a derived model is built from
    range: tuple[float, float] | None = None  # values outside it are typing slips, not data
    scale: float = 100.0  # a ratio model's factor: 100 x R&D / GDP is in %; 每万人口 counts use 1
    drivers: tuple[str, ...] = ()  # the indicators whose growth drives it (model rd_panel)
    declared_in: str = ""  # the analyst's file that declares it ('' for shipped indicators)

    @property
    def derived(self) -> bool:
        return self.model in ("ratio", "stock_from_flows")

    @property
    def dimension(self) -> str:
        return units.dimension(self.unit)


# the ending an official name adds to a short name, by level (a province's other official names,
# 北京市 or 广西壮族自治区, are the `full` names of params/geos.yaml); a county's may also carry its
# peoples (融水苗族自治县) and its city (柳州市柳南区)
_ENDINGS = {
    "province": re.compile(r"省$"),
    "city": re.compile(r"市$"),
    "county": re.compile(r"(?:[\u4e00-\u9fff]族)*(?:自治县|新区|区|县|市)$"),
}


def _core(name: str, level: str) -> str:
    core = _ENDINGS[level].sub("", name)
    return core.replace("市", "") if level == "county" else core


@dataclass(frozen=True)
class Vocabulary:
    indicators: dict[str, Indicator]
    geos: dict[str, dict]
    aliases: dict[str, str]  # English alias -> Chinese short name

    def with_indicators(self, extra: dict[str, Indicator]) -> Vocabulary:
        return Vocabulary({**self.indicators, **extra}, self.geos, self.aliases)

    def canonical(self, name) -> str | None:
        """The short name params/geos.yaml uses for a place given by it, by its English alias, or by
        its official name as statistics print it (广西壮族自治区, 河北省, 柳州市, 柳州市柳南区, 融水苗族自治县,
        or a district alone where one county has it); None for an unknown place (吉林市 is not 吉林)."""
        text = re.sub(r"\s+", "", str(name))
        if text in self.geos:
            return text
        if text.lower() in self.aliases:
            return self.aliases[text.lower()]
        full, cores, counties = self._official_names
        if text in full:
            return full[text]
        for level in _ENDINGS:  # 百色市 is 百色; 百色县 is no place
            core = _core(text, level)
            if core != text and (level, core) in cores:
                return cores[(level, core)]
        core = _core(text, "county")  # a district alone (柳南区): the one county whose name ends so
        ending = [g for g, c in counties.items() if len(core) >= 2 and c.endswith(core)]
        return ending[0] if len(ending) == 1 else None

    @cached_property
    def _official_names(self) -> tuple[dict[str, str], dict[tuple[str, str], str], dict[str, str]]:
        """The `full` names of params/geos.yaml; (level, core) -> short name, for the cores only one
        place of that level has; and each county's core."""
        levels = {g: p.get("level", "") for g, p in self.geos.items() if isinstance(p, dict)}
        full = {p["full"]: g for g, p in self.geos.items() if isinstance(p, dict) and p.get("full")}
        found: dict[tuple[str, str], list[str]] = {}
        for g, level in levels.items():
            if level in _ENDINGS:
                found.setdefault((level, _core(g, level)), []).append(g)
        cores = {key: names[0] for key, names in found.items() if len(names) == 1}
        return full, cores, {g: _core(g, "county") for g, level in levels.items() if level == "county"}

    def geo(self, name: str) -> str:
        """The canonical (Chinese) name of a geo given in Chinese, by its English alias or full name."""
        found = self.canonical(name)
        if found is not None:
            return found
        raise InputError(
            [
                Problem(
                    "",
                    "",
                    "geo",
                    repr(name),
                    "a known place: " + ", ".join(list(self.geos)[:8]) + ", … (params/geos.yaml)",
                )
            ]
        )


def _mapping(path: Path) -> dict:
    data = read_yaml(path)
    if not isinstance(data, dict) or not data:
        raise InputError([Problem(str(path), "", "", type(data).__name__, "a mapping of names to properties")])
    return data


DECLARED = "indicators.yaml"  # an analyst's own indicators, beside their history files
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def load_vocabulary(root: Path | None = None, history_dirs=()) -> Vocabulary:
    """The shipped vocabulary, plus the indicators analysts declare in `indicators.yaml` beside their
    history files (same fields and checks; a declared name may not shadow a shipped one)."""
    root = Path(root) if root else params_dir()
    vocab = _load(root.resolve())
    declared: dict[str, Indicator] = {}
    problems: list[Problem] = []
    for d in history_dirs:
        path = Path(d) / DECLARED
        if not path.is_file():
            continue
        found, errs = _parse_indicators(path, known={**vocab.indicators, **declared})
        for name in found:
            where = f"indicator {name}"
            if name in vocab.indicators or name in declared:
                errs.append(
                    Problem(str(path), where, "", "a name already defined", "a new name (shipped names are fixed)")
                )
            elif not _NAME.match(name):
                errs.append(Problem(str(path), where, "", repr(name), "ascii snake_case starting with a letter"))
        problems += errs
        declared.update({n: replace(i, declared_in=str(path)) for n, i in found.items()})
    if problems:
        raise InputError(problems)
    return vocab.with_indicators(declared) if declared else vocab


INDICATOR_FIELDS = {"label", "unit", "kind", "bases", "note", "signed", "model", "inputs", "range", "scale", "drivers"}


def _parse_indicators(path: Path, known: dict[str, Indicator]) -> tuple[dict[str, Indicator], list[Problem]]:
    """Indicators of one YAML file, checked; inputs and bases may name `known` indicators too."""
    problems: list[Problem] = []
    indicators: dict[str, Indicator] = {}
    for name, props in _mapping(path).items():
        name, where = str(name), f"indicator {name}"
        if not isinstance(props, dict):
            problems.append(Problem(str(path), where, "", repr(props), "a mapping with label, unit, kind"))
            continue
        unknown = sorted(map(str, set(props) - INDICATOR_FIELDS))
        if unknown:  # a misspelled `range` would otherwise silently switch its check off
            problems.append(
                Problem(str(path), where, unknown[0], ", ".join(unknown), ", ".join(sorted(INDICATOR_FIELDS)))
            )
        if not str(props.get("label") or "").strip():
            problems.append(
                Problem(str(path), where, "label", "nothing", "the indicator's name as the briefs print it")
            )
        unit, kind = str(props.get("unit", "")), props.get("kind")
        if units.dimension(unit) is None:
            problems.append(Problem(str(path), where, "unit", repr(unit), "a known unit: " + ", ".join(units.UNITS)))
        if kind not in INDICATOR_KINDS:
            problems.append(Problem(str(path), where, "kind", repr(kind), " | ".join(sorted(INDICATOR_KINDS))))
        elif units.dimension(unit) is not None and (kind == "share") != (units.dimension(unit) == "share"):
            # a share is modelled on the logit of its %, an amount or count on its log
            expected = "unit % for a share" if kind == "share" else f"kind share for a unit of {unit}"
            problems.append(Problem(str(path), where, "unit", f"{unit} with kind {kind}", expected))
        model, inputs = str(props.get("model", "trend")), tuple(props.get("inputs") or ())
        if model not in MODELS or len(inputs) != MODELS[model]:
            expected = "; ".join(f"{m} with {k} inputs" for m, k in MODELS.items())
            problems.append(Problem(str(path), where, "model", f"{model!r} with inputs {list(inputs)}", expected))
        drivers = tuple(props.get("drivers") or ())
        if len(drivers) != DRIVEN.get(model, 0):
            expected = "; ".join(f"{k} drivers with model {m}" for m, k in DRIVEN.items()) + "; none otherwise"
            problems.append(Problem(str(path), where, "drivers", f"{list(drivers)} with model {model!r}", expected))
        numbers = {}
        for key in ("range", "scale"):
            try:
                numbers[key] = _numbers(props.get(key), 2 if key == "range" else 1)
            except ValueError:
                expected = "[low, high], low < high" if key == "range" else "a positive number"
                problems.append(Problem(str(path), where, key, repr(props.get(key)), expected))
        indicators[name] = Indicator(
            name,
            str(props.get("label", name)),
            unit,
            str(kind),
            dict(props.get("bases") or {}),
            str(props.get("note", "")),
            bool(props.get("signed", False)),
            model,
            inputs,
            numbers.get("range"),
            (numbers.get("scale") or (100.0,))[0],
            drivers=drivers,
        )
    everything = {**known, **indicators}
    for ind in indicators.values():
        for field_name, names in (("inputs", ind.inputs), ("drivers", ind.drivers)):
            for i, source in enumerate(names):
                if source not in everything:
                    where = f"indicator {ind.name}"
                    problems.append(
                        Problem(str(path), where, f"{field_name}[{i}]", repr(source), "a defined indicator")
                    )
        for basis, target in ind.bases.items():
            if target not in everything:
                problems.append(
                    Problem(str(path), f"indicator {ind.name}", f"bases.{basis}", repr(target), "a defined indicator")
                )
    return indicators, problems


def _numbers(value, count: int) -> tuple[float, ...] | None:
    """None, or `count` finite numbers (a range ascending, a scale positive); ValueError otherwise."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    if len(items) != count or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in items):
        raise ValueError(value)
    out = tuple(float(x) for x in items)
    if not all(map(math.isfinite, out)) or (count == 2 and out[0] >= out[1]) or (count == 1 and out[0] <= 0):
        raise ValueError(value)
    return out


@cache
def _load(root: Path) -> Vocabulary:
    indicators, problems = _parse_indicators(root / "indicators.yaml", known={})
    geos = _mapping(root / "geos.yaml")
    aliases = {str(p["en"]).lower(): g for g, p in geos.items() if isinstance(p, dict) and p.get("en")}
    if problems:
        raise InputError(problems)
    return Vocabulary(indicators, geos, aliases)
