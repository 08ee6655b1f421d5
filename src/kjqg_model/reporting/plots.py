"""Figures: calibration (coverage, PIT, reliability) and fan charts. Chinese labels render with
the CJK font the project installs (fonts.py)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from ..analysis.scoring import reliability
from .fonts import cjk_figure

LEVEL_COLOURS = {50: "#1b9e77", 80: "#d95f02", 95: "#7570b3"}
COMPARATOR_ZH = {">": "＞", ">=": "≥", "<": "＜", "<=": "≤", "~": "约"}
DECILES = np.linspace(0.1, 0.9, 9)


@cjk_figure
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


@cjk_figure
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


@cjk_figure
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


@cjk_figure
def fan_chart(proj, history: pd.DataFrame, targets, vocab, scenario_label: str | None = None, ax=None):
    """Bank of England style fan: deciles of the simulated paths from the last observation, the
    history before it, values published after it, and level targets as stars. `scenario_label`
    names the scenario for readers (default: its name); `ax` draws into a panel of a larger figure."""
    from ..inputs import units

    fig, ax = plt.subplots(figsize=(6.4, 2.6)) if ax is None else (ax.figure, ax)
    q = np.quantile(proj.paths, DECILES, axis=0)
    start = proj.observed.index.max()
    x = np.r_[start, proj.years]
    last = float(proj.observed.iloc[-1])
    for i in range(4):
        ax.fill_between(x, np.r_[last, q[i]], np.r_[last, q[-1 - i]], color="#c0392b", alpha=0.18, linewidth=0)
    ax.plot(x, np.r_[last, q[4]], color="#c0392b", linewidth=1, label="中位数")
    known, later = history[history.index <= start], history[history.index > start]
    if known.empty:  # a ratio built from its inputs (R&D ÷ GDP) is not published as itself: its observed values
        known = proj.observed.rename("value").to_frame()
    ax.plot(known.index, known.value, color="k", marker=".", linewidth=1, label="历史")
    if not later.empty:  # published after the origin: what the fan is judged against
        ax.plot(later.index, later.value, color="#1f4e79", marker="o", linestyle="none", label="起点后实际值")
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
    scenario = scenario_label or proj.scenario
    ax.set_title(f"{proj.geo} {indicator.label}（{indicator.unit}）\n{scenario}情景，10–90% 分位", fontsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=6, loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _plain_number(value: float, _pos=None) -> str:
    """A log-axis tick as the value itself (1,000 not 10^3)."""
    return f"{value:,.0f}" if value >= 10 else f"{value:g}"


@cjk_figure
def cumulative_histogram(totals: dict[str, np.ndarray], target, goal: str):
    """The distribution of a cumulative target's simulated total, one histogram per basis, on a
    log axis whose ticks read in the target's unit (亿元), against the threshold."""
    fig, ax = plt.subplots(figsize=(6.4, 2.4))
    positive = {k: v[v > 0] for k, v in totals.items()}
    lo = min(target.threshold, *(np.quantile(v, 0.002) for v in positive.values()))  # not the far tails
    hi = max(target.threshold, *(np.quantile(v, 0.998) for v in positive.values()))
    bins = np.geomspace(lo * 0.95, hi * 1.05, 60)
    for (label, values), colour in zip(positive.items(), ("#7f8c8d", "#2e86c1"), strict=False):
        p = float(np.mean(target.met(totals[label])))
        ax.hist(values, bins=bins, color=colour, alpha=0.65, label=f"{label}：达成概率 {p:.0%}")
    ax.axvline(target.threshold, color="#c0392b", label=f"目标 {goal}")
    ax.set_xscale("log")
    ax.set_xlim(bins[0], bins[-1])
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(_plain_number))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(f"{target.period[0]}–{target.period[1]} 年累计（{target.unit}，对数刻度）")
    ax.set_yticks([])
    ax.set_title(target.name, fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


@cjk_figure
def tornado(panels):
    """One panel per target: each assumption's probability at -1 sd (orange) and +1 sd (blue)
    around the central one. `panels`: (title, frame with assumption, p_minus, p_base, p_plus, swing)."""
    fig, axes = plt.subplots(len(panels), 1, figsize=(6.4, 0.9 + 1.1 * len(panels)), squeeze=False)
    for ax, (title, g) in zip(axes[:, 0], panels, strict=True):
        g = g.sort_values("swing")
        base = g.p_base.iloc[0]
        for i, row in enumerate(g.itertuples()):
            ax.barh(i, row.p_plus - base, left=base, color="#2e86c1")
            ax.barh(i, row.p_minus - base, left=base, color="#e67e22")
        ax.set_yticks(range(len(g)), g.assumption, fontsize=7)
        ax.axvline(base, color="k", linewidth=0.8)
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0%}"))
        ax.tick_params(axis="x", labelsize=7)
        ax.set_title(f"{title}：中心概率 {base:.0%}", fontsize=8)
    fig.tight_layout()
    return fig
