"""Whether a target's history suffices to model it, and which series it would use."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..inputs.history import History
from ..inputs.locations import params_dir
from ..inputs.targets import Target
from ..inputs.vocab import Vocabulary
from .outcomes import judged_years

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


def needed_series(targets, vocab: Vocabulary) -> set[tuple[str, str]]:
    """Every (geo, indicator) the targets' evaluation may read: their series, the inputs those are
    built from and the drivers that move them, all the way down."""
    todo = [pair for t in targets if t.indicator for pair in series_for(t, vocab)]
    seen: set[tuple[str, str]] = set()
    while todo:
        geo, name = todo.pop()
        if (geo, name) in seen or name not in vocab.indicators:
            continue
        seen.add((geo, name))
        ind = vocab.indicators[name]
        todo += [(geo, i) for i in (*ind.inputs, *ind.drivers, *ind.bases.values())]
    return seen


def unread_rows(history: History, targets, vocab: Vocabulary, n_analyst_files: int) -> pd.DataFrame:
    """The series of the analysts' files (the first `n_analyst_files` of the history's, which take
    precedence) that no target reads, with their row counts and files: a 柳州 series in a 桂林
    folder, a valid but wrong indicator name."""
    rows = history.table[history.table.priority < n_analyst_files]
    need = needed_series(targets, vocab)
    unread = rows[np.array([(g, i) not in need for g, i in zip(rows.geo, rows.indicator, strict=True)], dtype=bool)]
    return unread.groupby(["geo", "indicator"]).agg(rows=("year", "size"), file=("file", "first")).reset_index()


def analyst_files(history: History) -> int:
    """How many of the history's files are the analysts' (they come first, before the shipped ones)."""
    shipped = (params_dir() / "history").resolve()
    return sum(Path(f).resolve().parent != shipped for f in history.files)


def overridden_rows(history: History, needed: set[tuple[str, str]] | None = None) -> pd.DataFrame:
    """The published figures the analysts' files replace with a different figure (geo, indicator,
    year, value_shipped, the analyst's value, file), of the `needed` series if given: a correction
    is welcome, but it should be a known one."""
    n_analyst_files = analyst_files(history)
    keys = ["geo", "indicator", "year"]
    t = history.table.sort_values([*keys, "priority"], kind="stable")
    mine = t[t.priority < n_analyst_files].drop_duplicates(keys)
    published = t[t.priority >= n_analyst_files].drop_duplicates(keys)
    both = mine.merge(published, on=keys, suffixes=("", "_shipped"))
    if needed is not None:
        both = both[np.array([(g, i) in needed for g, i in zip(both.geo, both.indicator, strict=True)], dtype=bool)]
    differs = ~np.isclose(both.value, both.value_shipped, rtol=1e-9, atol=0) | (
        both.qualifier != both.qualifier_shipped
    )
    return both.loc[differs, [*keys, "value_shipped", "value", "unit", "file"]].reset_index(drop=True)


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


class State(enum.Enum):
    """Where a target stands; the message says why in words, the state is what code branches on."""

    MODELLED = "modelled"
    THIN = "thin"  # modelled on fewer than THIN observations: dynamics borrowed from the pool
    NO_DATA = "no_data"  # a series it needs has no observation: `kjqg template` lists what to supply
    OUTCOME_KNOWN = "outcome_known"  # the data used already include the target year
    FAILED = "failed"  # modelled, but the simulation could not give its measure (the message says why)


@dataclass(frozen=True)
class Readiness:
    state: State
    message: str
    n_obs: int  # the fewest observations among the series the probability rests on

    @property
    def modelled(self) -> bool:
        return self.state in (State.MODELLED, State.THIN)


def readiness(target: Target, history: History, vocab: Vocabulary, origin: int | None = None) -> Readiness:
    """Whether the target can be modelled from the data up to `origin`, and on how many observations."""
    needs = [observations(history, g, n, origin, vocab) for g, n in series_for(target, vocab)]
    n_obs = min((n.n_obs for n in needs if n.n_obs), default=0)
    missing = [f"{n.geo} {_named(n.indicator, vocab)}" for n in needs if n.n_obs == 0]
    if (missing and len(missing) == len(needs)) or (target.kind == "relative" and missing):
        upto = f" up to {origin}" if origin else ""
        message = f"no history{upto} for {', '.join(missing)}; supply it: kjqg template --plan {target.plan}"
        return Readiness(State.NO_DATA, message, 0)
    early = _years_before_data(target, needs, history, vocab, origin)
    if early:
        message = f"{'; '.join(early)}; supply them: kjqg template --plan {target.plan}"
        return Readiness(State.NO_DATA, message, n_obs)
    thin = [f"{n.geo} {_named(n.indicator, vocab)}: {n.n_obs} obs" for n in needs if 0 < n.n_obs < THIN]
    if thin:
        message = f"modelled (thin: {'; '.join(thin)}; dynamics borrowed from the provincial pool)"
        return Readiness(State.THIN, message, n_obs)
    return Readiness(State.MODELLED, "modelled", n_obs)


def _years_before_data(target: Target, needs: list[Need], history: History, vocab: Vocabulary, origin) -> list[str]:
    """The years the target is judged on that come before its series' first figure (a change from
    2020 on a series starting in 2022): no forecast runs backwards, so they must be supplied. A series
    built from others where they are published (a stock from its flows, a ratio) is left to them."""
    years = judged_years(target)
    out = []
    for n in needs:
        rows, inputs = history.series(n.geo, n.indicator, upto=origin), vocab.indicators[n.indicator].inputs
        if not n.n_obs or n.via or rows.empty or any(len(history.series(n.geo, i, upto=origin)) for i in inputs):
            continue
        first = int(rows.index.min())
        if before := [y for y in years if y < first]:
            need = str(before[0]) if len(before) == 1 else _years(before)
            out.append(f"{n.geo} {_named(n.indicator, vocab)} starts in {first}, but the target needs {need}")
    return out


def _named(indicator: str, vocab: Vocabulary) -> str:
    """Shipped indicators by name; an analyst series by its label and id (the id goes in the file)."""
    ind = vocab.indicators[indicator]
    return f"{ind.label} ({indicator})" if ind.declared_in else indicator
