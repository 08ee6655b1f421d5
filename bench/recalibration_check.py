"""Would empirical recalibration of kjqg's predictive distributions fix their coverage?

    .venv/bin/python bench/recalibration_check.py outputs/backtest/cases.csv

Reads the cases.csv of `kjqg backtest` and recalibrates each kjqg case by horizon, nested so that
no scored year leaks: for a case at origin o and horizon h, the map G is the empirical CDF of the
PITs of earlier kjqg cases of the same indicator and horizon whose outcome year o' + h <= o (known
at the origin); with fewer than MIN_PITS of them the case is left as it is. The recalibrated PIT
is G(PIT). A central interval of level L covers when the PIT lies in [(1 - L)/2, (1 + L)/2], so
coverage before and after is read from the PITs (before: within a few cases of cover80/cover95,
which use interpolated sample quantiles as the interval ends). CRPS cannot be recomputed: cases.csv keeps no samples.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

MIN_PITS = 30
LEVELS = (0.8, 0.95)


def recalibrate(cases: pd.DataFrame) -> pd.DataFrame:
    """kjqg cases with `pit_recal` (NaN where fewer than MIN_PITS earlier PITs) and `n_train`."""
    k = cases[cases.method == "kjqg"].copy()
    recal, n_train = np.full(len(k), np.nan), np.zeros(len(k), int)
    for (_, h), grp in k.groupby(["indicator", "horizon"]):
        outcome_year = grp.origin.values + h
        for pos, origin, p in zip(grp.index, grp.origin.values, grp.pit.values, strict=True):
            train = np.sort(grp.pit.values[outcome_year <= origin])
            i = k.index.get_loc(pos)
            n_train[i] = train.size
            if train.size >= MIN_PITS:
                recal[i] = np.searchsorted(train, p, side="right") / train.size  # ECDF at p
    k["pit_recal"], k["n_train"] = recal, n_train
    return k


def covers(pit: pd.Series, level: float) -> pd.Series:
    return pit.between((1 - level) / 2, (1 + level) / 2)


def table(k: pd.DataFrame) -> pd.DataFrame:
    """Coverage before -> after by horizon: over all cases (those not recalibrated count unchanged)
    and over the recalibrated cases only."""
    done = k.pit_recal.notna()
    after = k.pit_recal.where(done, k.pit)

    def change(idx, before, post, level) -> str:
        if not len(idx):
            return "–"
        return f"{100 * covers(before[idx], level).mean():.1f} -> {100 * covers(post[idx], level).mean():.1f}"

    rows = []
    for h, idx in [*k.groupby("horizon").groups.items(), ("all", k.index)]:
        sub = idx[done[idx].values]
        rec = {"horizon": h, "n": len(idx), "recalibrated": f"{len(sub) / len(idx):.0%}"}
        for level in LEVELS:
            rec[f"{level:.0%} all cases"] = change(idx, k.pit, after, level)
            rec[f"{level:.0%} recalibrated"] = change(sub, k.pit, k.pit_recal, level)
        rows.append(rec)
    return pd.DataFrame(rows).set_index("horizon")


def main(path: str) -> None:
    k = recalibrate(pd.read_csv(path))
    if k.empty:
        sys.exit(f"{path}: no kjqg cases")
    print(f"kjqg cases of {path}: coverage (%) of the central intervals, before -> after recalibration")
    print(f"(G = ECDF of >= {MIN_PITS} earlier PITs of the same indicator and horizon, outcome year <= origin;")
    print(" 'all cases' counts the cases left unrecalibrated as they are, 'recalibrated' only the others)\n")
    print(table(k).to_string())
    print("\nCRPS before/after: not computable from cases.csv (it keeps PITs, not the samples).")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    main(sys.argv[1])
