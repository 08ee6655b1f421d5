"""The backtest's coverage record (params/calibration.csv, written by `kjqg backtest --record
params/calibration.csv`): per indicator and horizon band, how often kjqg's 80 % intervals held
the outcome, and how often it fell below or above them; from it a brief says which
probabilities lean which way."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import InputError
from .locations import params_dir

RECORD = "calibration.csv"
RECORD_COLUMNS = ["indicator", "horizons", "n", "cover80", "below", "above", "data_hash", "command"]


def band(horizon: int) -> str:
    """The record's horizon band of a forecast `horizon` years ahead."""
    return "1–3" if horizon <= 3 else "4–5"


def load_record(path: Path | None = None) -> pd.DataFrame | None:
    """The coverage record (the shipped one by default); None where there is none."""
    path = path or params_dir() / RECORD
    if not path.is_file():
        return None
    record = pd.read_csv(path, encoding="utf-8")
    missing = [c for c in RECORD_COLUMNS if c not in record.columns]
    if missing:
        raise InputError.single(f"{path} columns", ", ".join(missing), ", ".join(RECORD_COLUMNS))
    return record


def leaning(n: float, cover80: float, below: float, above: float) -> str:
    """What a record row says of the forecasts, judged by two binomial standard errors (10 % of
    outcomes belong below a calibrated 80 % interval, 10 % above it): "low" or "high" (outcomes fall
    above or below them more often than on the other side), "narrow" or "wide", or "" if none."""
    if abs(above - below) > 2 * (0.2 / n) ** 0.5:
        return "low" if above > below else "high"
    if abs(cover80 - 0.8) > 2 * (0.16 / n) ** 0.5:
        return "narrow" if cover80 < 0.8 else "wide"
    return ""
