"""Whether a target's history suffices to model it, and which series it would use."""

from __future__ import annotations

from dataclasses import dataclass

from .data import History
from .targets import Target
from .vocab import Vocabulary

THIN = 3  # fewer observations than this: the series borrows its dynamics from the pool


@dataclass(frozen=True)
class Need:
    geo: str
    indicator: str  # a concrete series name (bases resolved)
    n_obs: int
    years: str
    via: str = ""  # how it is obtained if not published directly


def series_for(target: Target, vocab: Vocabulary) -> list[tuple[str, str]]:
    """The (geo, concrete indicator) pairs a target's evaluation needs, one list per basis shown."""
    ind = vocab.indicators[target.indicator]
    names = (
        [ind.bases[target.basis]]
        if ind.bases and target.basis in ind.bases
        else (list(ind.bases.values()) if ind.bases else [ind.name])
    )
    geos = [target.geo] + ([target.relative_to] if target.kind == "relative" else [])
    return [(g, n) for n in names for g in geos]


def observations(history: History, geo: str, indicator: str, origin: int | None, vocab: Vocabulary) -> Need:
    """How many observations serve the indicator: its own, or those of the inputs it is built from
    (params/indicators.yaml): each flow year counts towards a stock; a ratio needs both inputs in a year."""
    s = history.series(geo, indicator, upto=origin)
    ind = vocab.indicators[indicator]
    if len(s) or not ind.derived:
        return Need(geo, indicator, len(s), _years(s.index))
    parts = [history.series(geo, p, upto=origin) for p in ind.inputs]
    years = sorted(set(parts[0].index).intersection(*[p.index for p in parts[1:]]))
    return Need(geo, indicator, len(years), _years(years), via=" + ".join(ind.inputs) if years else "")


def _years(index) -> str:
    ys = list(index)
    return f"{ys[0]}–{ys[-1]}" if ys else ""


def status(target: Target, history: History, vocab: Vocabulary, origin: int | None = None) -> str:
    """'modelled', 'modelled (thin …)', or which series are missing and how to supply them."""
    needs = [observations(history, g, n, origin, vocab) for g, n in series_for(target, vocab)]
    missing = [f"{n.geo} {_named(n.indicator, vocab)}" for n in needs if n.n_obs == 0]
    if (missing and len(missing) == len(needs)) or (target.kind == "relative" and missing):
        upto = f" up to {origin}" if origin else ""
        return f"no history{upto} for {', '.join(missing)}; supply it: kjqg template --plan {target.plan}"
    thin = [f"{n.geo} {_named(n.indicator, vocab)}: {n.n_obs} obs" for n in needs if 0 < n.n_obs < THIN]
    if thin:
        return f"modelled (thin: {'; '.join(thin)}; dynamics borrowed from the provincial pool)"
    return "modelled"


def n_obs(target: Target, history: History, vocab: Vocabulary, origin: int | None = None) -> int:
    """The fewest observations among the series that the target's probability rests on."""
    counts = [observations(history, g, n, origin, vocab).n_obs for g, n in series_for(target, vocab)]
    return min((c for c in counts if c), default=0)


def _named(indicator: str, vocab: Vocabulary) -> str:
    """Shipped indicators by name; an analyst series by its label and id (the id goes in the file)."""
    ind = vocab.indicators[indicator]
    return f"{ind.label} ({indicator})" if ind.declared_in else indicator
