"""From simulated paths to the probability of meeting each target, beside what happened."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..engine.projection import GeoFit, GeoModel, NoHistory, Settings
from ..engine.streams import Streams
from ..inputs.context import Context
from ..inputs.targets import Plan, Target
from ..inputs.vocab import Vocabulary
from .outcomes import ValueAt, actual_outcome, concrete_indicator, met_from_actual, outcome, progress
from .readiness import Readiness, State, observations, readiness
from .results import COLUMNS, ResultRow

CHUNK = 200_000  # paths simulated at once: memory stays bounded whatever n_paths


@dataclass(frozen=True)
class Estimate:
    probability: float
    mc_se: float
    n_paths: int
    reason: str = ""  # why there is no probability (NaN), if so


def _needs(targets: list[tuple[Target, str]]) -> dict[str, dict[str, int]]:
    """geo -> indicator -> last year the targets need."""
    needs: dict[str, dict[str, int]] = {}
    for t, ind in targets:
        for geo in (t.geo, t.relative_to) if t.kind == "relative" else (t.geo,):
            needs.setdefault(geo, {})[ind] = max(needs.get(geo, {}).get(ind, 0), t.year)
    return needs


def fit_geos(targets: list[tuple[Target, str]], ctx: Context, origin: int | None) -> dict[str, GeoFit]:
    """One fit per geo the targets need, reused by every scenario and sensitivity shift."""
    return {g: GeoModel(ctx.history, g, origin, ctx.vocab).fit(sorted(inds)) for g, inds in _needs(targets).items()}


def probabilities(
    targets: list[tuple[Target, str]],
    fits: dict[str, GeoFit],
    vocab: Vocabulary,
    settings: Settings,
    shifts: dict | None = None,
) -> dict[tuple[str, str], Estimate]:
    """P(target met) for (target, concrete indicator) pairs under `settings` (its scenario a
    Scenario; its origin is the fits'), simulated jointly per geo in chunks (memory stays bounded
    whatever the number of paths). A pair that cannot be simulated gets NaN and the reason."""
    needs = _needs(targets)
    failed = {(g, i): fits[g].missing[i] for g, inds in needs.items() for i in inds if i in fits[g].missing}
    for g, i in failed:
        del needs[g][i]
    hits = {(t.id, ind): 0 for t, ind in targets}
    reasons: dict[tuple[str, str], str] = {}
    done, n_paths = 0, settings.n_paths
    while done < n_paths:  # one chunk of paths alive at a time: memory does not grow with n_paths
        m, streams = min(CHUNK, n_paths - done), Streams(settings.seed, start=done)
        sims = {
            g: fits[g].simulate(list(inds), max(inds.values()), m, streams, settings.scenario, shifts)
            for g, inds in needs.items()
            if inds
        }
        _count_hits(targets, sims, failed, vocab, hits, reasons)
        del sims
        done += m
    out: dict[tuple[str, str], Estimate] = {}
    for key, k in hits.items():
        if key in reasons:
            out[key] = Estimate(np.nan, np.nan, n_paths, reasons[key])
        else:
            # the se at a half-count shrunk share: never 0 where every path agrees (1 path: 0.43)
            shrunk = (k + 0.5) / (n_paths + 1)
            out[key] = Estimate(k / n_paths, float(np.sqrt(shrunk * (1 - shrunk) / n_paths)), n_paths)
    return out


def _count_hits(targets, sims: dict, failed: dict, vocab: Vocabulary, hits: dict, reasons: dict) -> None:
    """Add each target's number of paths meeting it in this chunk to `hits` (or its reason)."""
    for t, ind in targets:
        key = (t.id, ind)
        if key in reasons:
            continue
        try:
            hits[key] += int(np.count_nonzero(t.met(outcome(t, _path_lookup(sims, ind, failed), vocab))))
        except NoHistory as exc:
            reasons[key] = str(exc)


def _path_lookup(sims: dict, indicator: str, failed: dict) -> ValueAt:
    def value_at(geo: str, year: int) -> np.ndarray:
        if (geo, indicator) in failed:
            raise NoHistory(failed[(geo, indicator)])
        return sims[geo][indicator].value_at(year)

    return value_at


class _Entry(NamedTuple):
    """A target of a plan, its readiness, and the series it is evaluated on."""

    plan: Plan
    target: Target
    ready: Readiness
    indicators: list[str]


def evaluate_plans(ctx: Context, plan_ids: list[str], settings: Settings) -> pd.DataFrame:
    """One row per target of the plans (results.ResultRow): the probability of meeting it under
    `settings` on the inputs `ctx`, with the Monte Carlo standard error, the number of observations
    it rests on, the progress ratio and, where published, the actual outcome. A turnover target
    whose plan does not name the basis is evaluated on the buyer-region (inflow) basis where
    published, with the seller-region basis in `alt_basis_*`."""
    plans = [ctx.plan(p) for p in plan_ids]
    settings = replace(settings, scenario=ctx.scenario(settings.scenario))
    entries, jobs = [], []
    for p in plans:
        for t in p.targets:
            ready = readiness(t, ctx.history, ctx.vocab, settings.origin)
            inds = _evaluated_indicators(t, ctx, settings.origin) if ready.modelled else []
            jobs += [(t, i) for i in inds]
            entries.append(_Entry(p, t, ready, inds))
    est = probabilities(jobs, fit_geos(jobs, ctx, settings.origin), ctx.vocab, settings)
    records = [asdict(_row(e, est, ctx, settings)) for e in entries]
    return pd.DataFrame.from_records(records, columns=COLUMNS)


def _row(entry: _Entry, est: dict, ctx: Context, settings: Settings) -> ResultRow:
    """One target's row: its probability on its series (both bases for a turnover target whose plan
    names none), the published outcome, and the progress ratio."""
    p, t, ready, inds = entry
    origin = settings.origin
    row = ResultRow(
        **{
            k: getattr(t, k)
            for k in ("plan", "name", "geo", "indicator", "kind", "year", "comparator", "threshold", "unit")
        },
        target_id=t.id,
        basis=_basis_of(t, inds[0], ctx.vocab) if inds else (t.basis or ""),
        state=ready.state.value,
        status=ready.message,
        n_obs=ready.n_obs,
        scenario=settings.scenario.name,
        origin=origin,
        n_paths=settings.n_paths,
        seed=settings.seed,
    )
    # a published outcome is shown even where no probability can be given
    actual = actual_outcome(t, ctx.history, ctx.vocab, inds[0] if inds else concrete_indicator(t, ctx.vocab))
    if actual is not None:
        row.actual, row.actual_qualifier, row.met = actual[0], actual[1], met_from_actual(t, actual)
    if row.met is not None and (origin is None or t.year <= origin):  # the data used already decide it
        upto = f"up to {origin}" if origin is not None else "(all years)"
        row.state = State.OUTCOME_KNOWN.value
        row.status = f"outcome known: the data {upto} include {t.year}; no forecast needed"
        return row
    if not inds:
        return row
    first = est[(t.id, inds[0])]
    if first.reason:
        row.state, row.status = State.FAILED.value, f"not modelled: {first.reason}"
    row.probability, row.mc_se = first.probability, first.mc_se
    row.progress_ratio, row.progress = progress(t, ctx.history, ctx.vocab, inds[0], p.base_year, origin)
    if len(inds) > 1:
        row.alt_basis_probability = est[(t.id, inds[1])].probability
        alt_actual = actual_outcome(t, ctx.history, ctx.vocab, inds[1])
        row.alt_basis_actual = alt_actual[0] if alt_actual else np.nan
    return row


def _evaluated_indicators(t: Target, ctx: Context, origin: int | None) -> list[str]:
    """The concrete series a modelled target is evaluated on: its own, or for a turnover target whose
    plan names no basis, both bases (buyer-region first) of those with data."""
    if not ctx.vocab.indicators[t.indicator].bases or t.basis not in (None, "unspecified"):
        return [concrete_indicator(t, ctx.vocab)]
    both = [concrete_indicator(t, ctx.vocab, b) for b in ("inflow", "outflow")]
    return [i for i in both if observations(ctx.history, t.geo, i, origin, ctx.vocab).n_obs] or both[:1]


def _basis_of(t: Target, indicator: str, vocab: Vocabulary) -> str:
    bases = vocab.indicators[t.indicator].bases
    return next((b for b, name in bases.items() if name == indicator), t.basis or "")
