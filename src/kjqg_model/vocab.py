"""The shared vocabulary: which places and indicators exist, and each indicator's canonical unit."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from . import units
from .errors import InputError, Problem
from .files import read_yaml
from .locations import params_dir

INDICATOR_KINDS = {"stock", "flow", "share", "ratio"}


# model -> number of input indicators. trend: local linear trend with a pooled prior; rd_panel: the
# trend net of fiscal S&T and GDP growth (models.py); ratio: 100 x first / second input, anchored on
# the published ratio; stock_from_flows: c x the last three years of the input flow.
MODELS = {"trend": 0, "rd_panel": 0, "ratio": 2, "stock_from_flows": 1}


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

    @property
    def derived(self) -> bool:
        return self.model in ("ratio", "stock_from_flows")

    @property
    def dimension(self) -> str:
        return units.dimension(self.unit)


@dataclass(frozen=True)
class Vocabulary:
    indicators: dict[str, Indicator]
    geos: dict[str, dict]
    aliases: dict[str, str]  # English alias -> Chinese short name

    def geo(self, name: str) -> str:
        """The canonical (Chinese) name of a geo given in Chinese or by its English alias."""
        if name in self.geos:
            return name
        key = str(name).strip().lower()
        if key in self.aliases:
            return self.aliases[key]
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


def load_vocabulary(root: Path | None = None) -> Vocabulary:
    root = Path(root) if root else params_dir()
    return _load(root.resolve())


@cache
def _load(root: Path) -> Vocabulary:
    ind_path, geo_path = root / "indicators.yaml", root / "geos.yaml"
    problems: list[Problem] = []
    indicators: dict[str, Indicator] = {}
    for name, props in _mapping(ind_path).items():
        where = f"indicator {name}"
        if not isinstance(props, dict):
            problems.append(Problem(str(ind_path), where, "", repr(props), "a mapping with label, unit, kind"))
            continue
        unit, kind = str(props.get("unit", "")), props.get("kind")
        if units.dimension(unit) is None:
            problems.append(
                Problem(str(ind_path), where, "unit", repr(unit), "a known unit: " + ", ".join(units.UNITS))
            )
        if kind not in INDICATOR_KINDS:
            problems.append(Problem(str(ind_path), where, "kind", repr(kind), " | ".join(sorted(INDICATOR_KINDS))))
        model, inputs = str(props.get("model", "trend")), tuple(props.get("inputs") or ())
        if model not in MODELS or len(inputs) != MODELS[model]:
            problems.append(
                Problem(
                    str(ind_path),
                    where,
                    "model",
                    f"{model!r} with inputs {list(inputs)}",
                    "; ".join(f"{m} with {k} inputs" for m, k in MODELS.items()),
                )
            )
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
            tuple(float(x) for x in props["range"]) if props.get("range") else None,
        )
    for ind in indicators.values():
        for i, source in enumerate(ind.inputs):
            if source not in indicators:
                problems.append(
                    Problem(str(ind_path), f"indicator {ind.name}", f"inputs[{i}]", repr(source), "a defined indicator")
                )
        for basis, target in ind.bases.items():
            if target not in indicators:
                problems.append(
                    Problem(
                        str(ind_path), f"indicator {ind.name}", f"bases.{basis}", repr(target), "a defined indicator"
                    )
                )
    geos = _mapping(geo_path)
    aliases = {str(p["en"]).lower(): g for g, p in geos.items() if isinstance(p, dict) and p.get("en")}
    if problems:
        raise InputError(problems)
    return Vocabulary(indicators, geos, aliases)
