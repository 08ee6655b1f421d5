"""Figures: calibration (coverage, PIT, reliability) and fan charts. Chinese labels render with
the CJK font the project installs (fonts.py)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from .scoring import reliability

LEVEL_COLOURS = {50: "#1b9e77", 80: "#d95f02", 95: "#7570b3"}
COMPARATOR_ZH = {">": "＞", ">=": "≥", "<": "＜", "<=": "≤", "~": "约"}
DECILES = np.linspace(0.1, 0.9, 9)


def coverage_by_horizon(cases: pd.DataFrame, method: str = "kjqg"):
    """Empirical coverage of the 50/80/95 % intervals by horizon, with ±2 binomial standard errors."""
    data = cases[cases.method == method]
    indicators = sorted(data.indicator.unique())
    fig, axes = plt.subplots(1, len(indicators), figsize=(3.2 * len(indicators), 3.2), sharey=True, squeeze=False)
    for ax, ind in zip(axes[0], indicators, strict=True):
        sub = data[data.indicator == ind]
        for level, colour in LEVEL_COLOURS.items():
            g = sub.groupby("horizon")[f"cover{level}"]
            p, n = g.mean(), g.size()
            se = np.sqrt(p * (1 - p) / n)
            ax.errorbar(p.index, p.values, yerr=2 * se.values, marker="o", color=colour, capsize=3, label=f"{level}%")
            ax.axhline(level / 100, color=colour, linestyle=":", linewidth=1)
        ax.set_title(ind, fontsize=9)
        ax.set_xlabel("horizon (years)")
        ax.set_ylim(0, 1.02)
    axes[0][0].set_ylabel(f"coverage ({method})")
    axes[0][-1].legend(title="nominal", fontsize=8)
    fig.tight_layout()
    return fig


def pit_histograms(cases: pd.DataFrame, method: str = "kjqg", bins: int = 10):
    """PIT histograms per indicator (flat = calibrated; U = too narrow; hump = too wide)."""
    data = cases[cases.method == method]
    indicators = sorted(data.indicator.unique())
    fig, axes = plt.subplots(1, len(indicators), figsize=(3.2 * len(indicators), 2.8), sharey=True, squeeze=False)
    for ax, ind in zip(axes[0], indicators, strict=True):
        pits = data[data.indicator == ind].pit
        ax.hist(pits, bins=bins, range=(0, 1), density=True, color="#4c72b0", edgecolor="white")
        ax.axhline(1.0, color="k", linestyle=":")
        ax.set_title(f"{ind} (n={len(pits)})", fontsize=9)
        ax.set_xlabel("PIT")
    fig.tight_layout()
    return fig


def reliability_diagram(events: pd.DataFrame, methods=("kjqg", "random_walk_drift", "forecast_series")):
    """Observed frequency of 'value >= threshold' events against the forecast probability."""
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], color="k", linestyle=":")
    for method in methods:
        sub = events[events.method == method]
        if sub.empty:
            continue
        rel = reliability(sub.prob.values, sub.outcome.values)
        ax.plot(rel.mean_forecast, rel.observed, marker="o", label=method)
    ax.set_xlabel("forecast probability")
    ax.set_ylabel("observed frequency")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def fan_chart(proj, history: pd.DataFrame, targets, vocab):
    """Bank of England style fan: deciles of the simulated paths from the last observation, the
    history before it, values published after it, and level targets as stars."""
    from . import units

    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    q = np.quantile(proj.paths, DECILES, axis=0)
    start = proj.observed.index.max()
    x = np.r_[start, proj.years]
    last = float(proj.observed.iloc[-1])
    for i in range(4):
        ax.fill_between(x, np.r_[last, q[i]], np.r_[last, q[-1 - i]], color="#c0392b", alpha=0.18, linewidth=0)
    ax.plot(x, np.r_[last, q[4]], color="#c0392b", linewidth=1, label="中位数 median")
    known, later = history[history.index <= start], history[history.index > start]
    ax.plot(known.index, known.value, color="k", marker=".", linewidth=1, label="历史 history")
    if not later.empty:  # published after the origin: what the fan is judged against
        ax.plot(later.index, later.value, color="#1f4e79", marker="o", linestyle="none", label="实际 actual")
    indicator = vocab.indicators[proj.indicator]
    for t in targets:
        if t.kind == "level":
            value = t.threshold / units.factor(indicator.unit, t.unit)
            ax.scatter([t.year], [value], marker="*", s=90, color="#1f4e79", zorder=5)
            ax.annotate(
                f"目标 {COMPARATOR_ZH[t.comparator]}{t.threshold:g}{t.unit}",
                (t.year, value),
                textcoords="offset points",
                xytext=(-8, -4),
                ha="right",
                va="top",
                fontsize=7,
                color="#1f4e79",
            )
    ax.set_title(f"{proj.geo} {indicator.label}（{indicator.unit}）— {proj.scenario}，10–90% 分位", fontsize=9)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
