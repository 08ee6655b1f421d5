"""Scores for probabilistic forecasts given as samples: CRPS, interval coverage, PIT, Brier."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special


def crps_samples(samples: np.ndarray, y):
    """CRPS of the empirical distribution of `samples` at outcome y: E|X - y| - E|X - X'| / 2,
    the second term from the sorted sample in O(n log n). Samples (n,) and a number give a
    number; samples (n, k) and outcomes (k,) give the k columns' scores."""
    x = np.sort(np.asarray(samples, dtype=float), axis=0)
    n = x.shape[0]
    weights = 2 * np.arange(1, n + 1) - n - 1
    out = np.mean(np.abs(x - y), axis=0) - weights @ x / n**2
    return float(out) if x.ndim == 1 else out


def crps_normal(mu, sigma, y):
    """Closed-form CRPS of N(mu, sigma^2) at y (Gneiting et al. 2005)."""
    z = (np.asarray(y) - mu) / sigma
    pdf = np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)
    return sigma * (z * (2 * special.ndtr(z) - 1) + 2 * pdf - 1 / np.sqrt(np.pi))


def central_interval(samples: np.ndarray, level: float):
    """The central `level` interval (lo, hi) of `samples` (n,), or of each column of (n, k)."""
    return central_intervals(samples, (level,))[level]


def central_intervals(samples: np.ndarray, levels) -> dict:
    """{level: (lo, hi)} for several levels from one pass over the sample."""
    q = np.quantile(samples, [p for lv in levels for p in ((1 - lv) / 2, (1 + lv) / 2)], axis=0)
    one = np.ndim(q[0]) == 0
    return {
        lv: (float(q[2 * i]), float(q[2 * i + 1])) if one else (q[2 * i], q[2 * i + 1]) for i, lv in enumerate(levels)
    }


def pit(samples: np.ndarray, y):
    """Probability integral transform: share of the forecast below the outcome (ties split);
    per column for samples (n, k) and outcomes (k,)."""
    s = np.asarray(samples)
    out = (np.count_nonzero(s < y, axis=0) + 0.5 * np.count_nonzero(s == y, axis=0)) / s.shape[0]
    return float(out) if s.ndim == 1 else out


def coverage_table(hits: pd.Series) -> tuple[float, float, int]:
    """Share of intervals that covered the outcome, its binomial standard error, and the count."""
    n = int(hits.size)
    p = float(hits.mean()) if n else np.nan
    return p, float(np.sqrt(p * (1 - p) / n)) if n else np.nan, n


def brier(prob: np.ndarray, outcome: np.ndarray) -> float:
    return float(np.mean((np.asarray(prob, float) - np.asarray(outcome, float)) ** 2))


def reliability(prob: np.ndarray, outcome: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Forecast probability bins with their mean forecast, observed frequency and count."""
    prob, outcome = np.asarray(prob, float), np.asarray(outcome, float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(prob, edges[1:-1]), 0, bins - 1)
    rows = [
        dict(
            bin_low=edges[b],
            bin_high=edges[b + 1],
            mean_forecast=prob[which == b].mean(),
            observed=outcome[which == b].mean(),
            n=int((which == b).sum()),
        )
        for b in range(bins)
        if (which == b).any()
    ]
    return pd.DataFrame(rows)
