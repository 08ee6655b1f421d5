"""Fitting from the history: pools of related series (the priors), and the R&D panel model.

All growth is in latent units: log for positive amounts and counts, logit for shares. Every series
without a driver follows a local linear trend (trend.py) whose shape, scale distribution and
population of drifts come from a pool:
- the same indicator across the 31 provinces, where at least three provinces publish it;
- otherwise every provincial series of the same family (shares, counts, money amounts);
- otherwise a generic prior that assumes no growth.
R&D expenditure follows the same trend model once the effect of fiscal S&T spending and GDP
growth is taken out (elasticities from the provincial panel, with year-clustered errors).
Fits are kept in the History they were made from, keyed by what they depend on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..inputs.history import History
from ..inputs.vocab import EXACT, Vocabulary
from .trend import SHORT_PANEL, Pool, fit_mixture, fit_pool, fit_trend, generic_pool, unseen_figure

MIN_POOL_OBS = 3  # a series contributes to its pool's population of drifts with this many points
MIN_PROVINCES = 3  # provinces an indicator needs to enter a family pool or fit the R&D model
FAMILIES = {"share": "shares", "count": "counts", "money": "money amounts"}


def transform_of(indicator_kind: str) -> str:
    return "logit" if indicator_kind == "share" else "log"


def to_latent(values, transform: str):
    v = np.asarray(values, dtype=float)
    if transform == "logit":
        p = v / 100.0
        return np.log(p / (1 - p))
    return np.log(v)


def from_latent(x, transform: str):
    if transform == "logit":
        return 100.0 / (1 + np.exp(-x))
    return np.exp(x)


def family(vocab: Vocabulary, indicator: str) -> str:
    ind = vocab.indicators[indicator]
    return "share" if ind.kind == "share" else ind.dimension


def provinces(vocab: Vocabulary) -> tuple[str, ...]:
    return tuple(g for g, p in vocab.geos.items() if isinstance(p, dict) and p.get("level") == "province")


def exact_series(history: History, geo: str, indicator: str, upto: int | None) -> pd.Series:
    """Exactly published values, by year."""
    return history.exact(geo, indicator, upto)


def panel(history: History, indicator: str, upto: int | None, geos) -> pd.DataFrame:
    """Exact values, consecutive years x geos (NaN where not published), positive values only."""
    parts = {g: s for g in geos if len(s := history.series(g, indicator, upto))}
    if not parts:
        return pd.DataFrame()
    # History.exact's filter, run once over every geo's rows: 2x faster than 31 exact() calls
    rows = pd.concat(parts, names=["geo", "year"])
    values = rows["value"][rows.qualifier.isin(EXACT)].astype(float)
    wide = values[values > 0].unstack("geo")
    if wide.empty:
        return pd.DataFrame()
    wide = wide[[g for g in geos if g in wide.columns]].rename_axis(columns=None)
    return wide.reindex(range(int(wide.index.min()), int(wide.index.max()) + 1))


def latent_panel(history: History, vocab: Vocabulary, indicator: str, upto: int | None) -> pd.DataFrame:
    """The provinces' panel of an indicator on its latent scale (shares of 100 % or more dropped)."""
    wide = panel(history, indicator, upto, provinces(vocab))
    if wide.empty:
        return wide
    transform = transform_of(vocab.indicators[indicator].kind)
    wide = wide.where(wide < 100) if transform == "logit" else wide
    return pd.DataFrame(to_latent(wide.values, transform), index=wide.index, columns=wide.columns)


def _cached(history: History, key: tuple, make):
    if key not in history.fits:
        history.fits[key] = make()
    return history.fits[key]


def indicator_pool(
    history: History, vocab: Vocabulary, indicator: str, upto: int | None, held_out: tuple[str, ...] = ()
) -> Pool | None:
    """The pool of one indicator across the provinces that publish it (None if none does). A short
    panel takes its trend shape, year shocks and common drift variation from its family, without
    `held_out` (the backtest's "new" indicator and its versions, which must not lend their series
    to the pools it is judged by)."""

    def make():
        latent = latent_panel(history, vocab, indicator, upto)
        if (np.isfinite(latent.to_numpy()).sum(axis=0) >= MIN_POOL_OBS).sum() < 3:
            return None  # too few series for a pool (fit_pool's test, before fitting the family for it)
        about = f"{indicator}, provinces up to {upto or 'latest'}"
        fam = None
        if len(latent) < SHORT_PANEL and (
            fam := family_pool(history, vocab, family(vocab, indicator), upto, (indicator, *held_out))
        ):
            # the family's year shocks are those common to its indicators: a lower bound for one
            about += f" (trend shape, year shocks and common drift variation from {fam.about})"
        return fit_pool(latent.values, about, family=fam)

    return _cached(history, ("indicator", indicator, upto, held_out), make)


SAME_FIGURE_GAP = 0.1  # median latent gap under which two indicators are versions of one figure
MIN_SHARED = 10  # province-years two indicators must share to be compared


def figures(history: History, vocab: Vocabulary, fam: str, upto: int | None) -> dict[str, str]:
    """Each provincial indicator of the family -> the figure it is a version of (named by its first
    version). Two indicators whose values on the province-years both publish differ by a median of
    under SAME_FIGURE_GAP (10 % in log) measure one figure: R&D first release and R&D by source, GDP
    current and as first published (the next closest pair, R&D and its enterprise funds, is 27 %
    apart). A new indicator resembles a figure, not each of its versions."""

    def make():
        names = [n for n in vocab.indicators if family(vocab, n) == fam and not vocab.indicators[n].signed]
        latent = {n: p for n in names if (p := latent_panel(history, vocab, n, upto)).shape[1] >= MIN_PROVINCES}
        figure = {n: n for n in latent}
        for i, a in enumerate(latent):
            for b in list(latent)[i + 1 :]:
                x, y = latent[a].align(latent[b], join="inner")
                gap = np.abs(x.to_numpy() - y.to_numpy())
                gap = gap[np.isfinite(gap)]
                if gap.size >= MIN_SHARED and np.median(gap) < SAME_FIGURE_GAP:
                    old, new = figure[b], figure[a]  # b's figure joins a's
                    figure = {n: new if f == old else f for n, f in figure.items()}
        return figure

    return _cached(history, ("figures", fam, upto), make)


def same_figure(history: History, vocab: Vocabulary, indicator: str, upto: int | None) -> tuple[str, ...]:
    """The indicator and its versions (what a backtest holding it out must hold out)."""
    figure = figures(history, vocab, family(vocab, indicator), upto)
    if indicator not in figure:
        return (indicator,)
    return tuple(n for n, f in figure.items() if f == figure[indicator])


def family_pool(
    history: History, vocab: Vocabulary, fam: str, upto: int | None, exclude: tuple[str, ...] = ()
) -> Pool | None:
    """The pool of every provincial series of one family (shares, counts or money amounts). The
    drifts enter as they are, not centred per indicator: a new series of the family does not know
    which indicator's drift it shares, and the population's spread must say so (measured between
    figures, so that versions of one figure do not count as agreeing indicators)."""

    left_out = tuple(sorted(set(exclude) - {""}))  # one cache key whatever the order

    def make():
        blocks, groups = [], []
        figure = figures(history, vocab, fam, upto)
        for name in vocab.indicators:
            if name in left_out or family(vocab, name) != fam or vocab.indicators[name].signed:
                continue
            latent = latent_panel(history, vocab, name, upto)
            if latent.shape[1] >= MIN_PROVINCES:
                blocks.append(latent)
                groups += [figure.get(name, name)] * latent.shape[1]
        if not blocks:
            return None
        y = pd.concat(blocks, axis=1).sort_index()
        y = y.reindex(range(int(y.index.min()), int(y.index.max()) + 1))
        about = f"all provincial {FAMILIES.get(fam, fam)} up to {upto or 'latest'}"
        return fit_pool(y.values, about + (f" except {', '.join(left_out)}" if left_out else ""), groups=groups)

    return _cached(history, ("family", fam, upto, left_out), make)


def family_parts(
    history: History, vocab: Vocabulary, fam: str, upto: int | None, exclude: tuple[str, ...] = ()
) -> list[tuple[Pool, str]]:
    """The own pools of the family's indicators (but `exclude`), each with its figure: what a new
    indicator may resemble."""
    exclude = tuple(sorted(set(exclude) - {""}))

    def make():
        figure = figures(history, vocab, fam, upto)
        return [
            (pool, figure.get(name, name))
            for name, ind in vocab.indicators.items()
            if name not in exclude and family(vocab, name) == fam and not ind.signed
            if (pool := indicator_pool(history, vocab, name, upto, held_out=exclude)) is not None
        ]

    return _cached(history, ("parts", fam, upto, exclude), make)


def new_series_fit(
    history: History, vocab: Vocabulary, indicator: str, upto: int | None, latent: pd.Series, exclude=()
):
    """The trend of a series (`latent` values by year) whose indicator has no provincial pool (an
    analyst's series; or, in the backtest, one whose own pools are set aside by `exclude`): a
    mixture over the family's figures (each figure's versions share its part of the weight) and a
    figure unlike them all, as likely a priori as each seen one (with K figures seen, exchangeability
    gives a new one the chance 1 / (K + 1) of being like none of them); else the family's pool as
    one, else the generic prior."""
    years, latent = latent.index.to_numpy(dtype=int), latent.to_numpy(dtype=float)
    fam = family(vocab, indicator)
    pool = family_pool(history, vocab, fam, upto, tuple(exclude))
    if pool and (parts := family_parts(history, vocab, fam, upto, tuple(exclude))):
        pools = [replace(p, var0=p.var0 + pool.indicator_drift_var) for p, _ in parts]
        labels = [label for _, label in parts]
        size = {label: labels.count(label) for label in labels}
        prior = [1 / size[label] for label in labels] + [1.0]  # every figure and the unseen one alike
        pools.append(unseen_figure(pool, [p for p, _ in parts], labels))
        about = f"the {len(size)} provincial {FAMILIES.get(fam, fam)} figures and one unlike them"
        return fit_mixture(years, latent, pools, about, prior)
    return fit_trend(years, latent, pool.for_new_indicator() if pool else generic_pool())


def prior_pool(history: History, vocab: Vocabulary, indicator: str, upto: int | None) -> Pool:
    """The indicator's own pool, else its family's (as for a new indicator), else the generic
    no-growth prior."""
    if own := indicator_pool(history, vocab, indicator, upto):
        return own
    fam = family_pool(history, vocab, family(vocab, indicator), upto)
    return fam.for_new_indicator() if fam else generic_pool()


# --- R&D panel ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RDPanelFit:
    """d log R&D = trend + beta * d log fiscal S&T + gamma * d log GDP + noise, for the indicator
    and its two `drivers` (fiscal S&T, GDP) named in params/indicators.yaml.

    beta, gamma: shared by all provinces (within estimator, errors clustered by year, so common
    national cycles are in their uncertainty). The trend is a local linear trend per province
    pooled across provinces (`pool`), fitted on R&D with the drivers' effect as a known input."""

    indicator: str
    drivers: tuple[str, str]
    coef: np.ndarray  # [beta, gamma]
    cov: np.ndarray
    pool: Pool
    year_growth: pd.DataFrame  # cross-province mean driver growth by year (for geos without drivers)
    n_obs: int
    upto: int | None

    def summary(self) -> str:
        se = np.sqrt(np.diag(self.cov))
        return (
            f"R&D panel ({self.n_obs} province-years up to {self.upto or 'latest'}): fiscal elasticity "
            f"{self.coef[0]:.3f} (se {se[0]:.3f}, clustered by year), GDP elasticity {self.coef[1]:.3f} "
            f"(se {se[1]:.3f}); trend pool: {self.pool.summary()}"
        )

    def inputs(self, growth: pd.DataFrame) -> np.ndarray:
        return driver_inputs(growth, self.coef, self.year_growth)


def driver_inputs(growth: pd.DataFrame, coef: np.ndarray, year_growth: pd.DataFrame) -> np.ndarray:
    """beta * d log F + gamma * d log G by year (rows of `growth`, columns the drivers); a year's
    cross-province mean stands in for a driver not published that year."""
    names = list(growth.columns)
    g = growth.to_numpy()
    g = np.where(np.isnan(g), year_growth.reindex(growth.index)[names].to_numpy(), g)
    g = np.where(np.isnan(g), year_growth[names].mean().to_numpy(), g)
    return np.nan_to_num(g @ coef)


def driver_growth(history: History, geo: str, upto: int | None, years, drivers) -> pd.DataFrame:
    """Observed yearly log growth of each driver for `years` (NaN where not published)."""
    years = np.asarray(years)
    out = {}
    for name in drivers:
        s = exact_series(history, geo, name, upto)
        v, at = s.to_numpy(), s.index.to_numpy()
        v, at = v[v > 0], at[v > 0]
        growth = pd.Series(np.diff(np.log(v)), index=at[1:])  # after a gap: the change over the gap
        out[name] = growth.reindex(years).to_numpy()
    return pd.DataFrame(out, index=years)


def clustered_ols(y: np.ndarray, x: np.ndarray, clusters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS coefficients and their covariance with errors clustered by `clusters`: the sandwich
    (X'X)^-1 (sum over clusters of X_g'u_g u_g'X_g) (X'X)^-1 with the small-sample factor
    G/(G-1) (N-1)/(N-K) (statsmodels' cov_type="cluster", in numpy: the engine does not import
    statsmodels)."""
    n, k = x.shape
    bread = np.linalg.inv(x.T @ x)
    coef = bread @ (x.T @ y)
    labels, index = np.unique(clusters, return_inverse=True)
    scores = np.zeros((len(labels), k))
    np.add.at(scores, index, x * (y - x @ coef)[:, None])
    g = len(labels)
    return coef, bread @ (scores.T @ scores) @ bread * (g / (g - 1)) * ((n - 1) / (n - k))


def fit_rd_panel(history: History, vocab: Vocabulary, indicator: str, upto: int | None = None) -> RDPanelFit | None:
    """The R&D panel model of `indicator` (model rd_panel) on the provinces' data up to `upto`;
    None where fewer than MIN_PROVINCES provinces, or years of growth, publish it with its drivers
    (the errors are clustered by year), or where a driver does not vary within the provinces."""
    return _cached(history, ("rd_panel", indicator, upto), lambda: _fit_rd_panel(history, vocab, indicator, upto))


def _fit_rd_panel(history: History, vocab: Vocabulary, indicator: str, upto: int | None) -> RDPanelFit:
    geos, drivers = provinces(vocab), vocab.indicators[indicator].drivers
    logs = {k: np.log(panel(history, k, upto, geos)) for k in (indicator, *drivers)}
    growth = pd.concat({k: v.diff().stack() for k, v in logs.items()}, axis=1).dropna().reset_index()
    growth.columns = ["year", "geo", "rd", *drivers]
    if growth.geo.nunique() < MIN_PROVINCES or growth.year.nunique() < MIN_PROVINCES:
        return None
    x = list(drivers)
    demeaned = growth[["rd", *x]] - growth.groupby("geo")[["rd", *x]].transform("mean")
    if np.linalg.matrix_rank(demeaned[x].to_numpy()) < len(x):
        return None  # a driver that never moves apart from a province's mean has no elasticity
    coef, cov = clustered_ols(demeaned["rd"].to_numpy(), demeaned[x].to_numpy(), growth["year"].to_numpy())
    n, n_groups = len(growth), growth.geo.nunique()
    cov *= (n - len(x)) / (n - len(x) - n_groups)  # the within transform used a mean per geo
    year_growth = growth.groupby("year")[x].mean()
    rd = logs[indicator]
    years = rd.index
    inputs = np.column_stack(
        [driver_inputs(driver_growth(history, g, upto, years, drivers), coef, year_growth) for g in rd.columns]
    )
    pool = fit_pool(
        rd.values, f"{indicator} net of {' and '.join(drivers)}, provinces up to {upto or 'latest'}", inputs
    )
    return RDPanelFit(indicator, drivers, coef, cov, pool, year_growth, len(growth), upto)
