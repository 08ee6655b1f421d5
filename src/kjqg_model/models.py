"""Fitting: drift models for single series with a pooled prior, and the panel model that links
R&D growth to fiscal S&T spending and GDP growth.

All growth is in transformed units: log for positive amounts and counts, logit for shares.
A series' yearly increments are d_t ~ N(mu, sigma^2); a gap of k years contributes
d ~ N(k mu, k sigma^2). Priors come from the same indicator across the 31 provinces (partial
pooling): a short series is pulled towards the pool, a long one keeps its own drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import statsmodels.api as sm

from .data import History
from .vocab import load_vocabulary

NU0 = 4.0  # prior degrees of freedom for a series' noise scale: worth about four years of data
MIN_POOL_OBS = 4  # a province contributes to a pool when it has this many exact observations
TAU_FLOOR = 0.01  # drifts of different provinces are never assumed identical


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


@dataclass(frozen=True)
class DriftPrior:
    mu0: float  # pooled mean yearly drift
    tau: float  # spread of drifts across the pool
    s0: float  # typical yearly noise scale
    nu0: float = NU0
    about: str = ""


@dataclass(frozen=True)
class DriftPosterior:
    """Approximate posterior of (mu, sigma^2): sigma^2 ~ nu s2 / chi2_nu; mu ~ N(mu_mean, mu_sd^2)."""

    mu_mean: float
    mu_sd: float
    s2: float
    nu: float
    n_increments: int
    prior: DriftPrior

    def summary(self) -> str:
        return (
            f"drift {self.mu_mean:+.4f} (sd {self.mu_sd:.4f}), noise scale {np.sqrt(self.s2):.4f} "
            f"on {self.nu:.0f} dof, {self.n_increments} increments; prior: {self.prior.about}"
        )


def increments(years, latent) -> tuple[np.ndarray, np.ndarray]:
    """Increments d and their spans k (years) between consecutive observations."""
    y = np.asarray(years, dtype=float)
    x = np.asarray(latent, dtype=float)
    order = np.argsort(y)
    return np.diff(x[order]), np.diff(y[order])


def fit_drift(years, latent, prior: DriftPrior) -> DriftPosterior:
    d, k = increments(years, latent)
    m = len(d)
    if m == 0:
        return DriftPosterior(prior.mu0, float(np.hypot(prior.tau, 0)), prior.s0**2, prior.nu0, 0, prior)
    mu_hat = d.sum() / k.sum()
    rss = float(np.sum((d - k * mu_hat) ** 2 / k))
    nu = prior.nu0 + max(m - 1, 0)
    s2 = (prior.nu0 * prior.s0**2 + rss) / nu
    precision = 1 / prior.tau**2 + k.sum() / s2
    mu_mean = (prior.mu0 / prior.tau**2 + d.sum() / s2) / precision
    return DriftPosterior(float(mu_mean), float(np.sqrt(1 / precision)), float(s2), float(nu), m, prior)


@cache
def provinces() -> tuple[str, ...]:
    return tuple(g for g, p in load_vocabulary().geos.items() if isinstance(p, dict) and p.get("level") == "province")


def exact_series(history: History, geo: str, indicator: str, upto: int | None) -> pd.Series:
    """Exactly published values (qualifier '=' or '~'), by year."""
    s = history.series(geo, indicator, upto=upto)
    s = s[s.qualifier.isin(["=", "~"])]
    return s["value"].astype(float)


@cache
def pooled_prior(history: History, indicator: str, upto: int | None, transform: str) -> DriftPrior | None:
    """Empirical-Bayes prior from every province's own drift estimate for `indicator` (cached per
    loaded history, which is hashed by identity)."""
    est = []
    for geo in provinces():
        s = exact_series(history, geo, indicator, upto)
        s = s[s > 0]
        if len(s) < MIN_POOL_OBS:
            continue
        d, k = increments(s.index, to_latent(s.values, transform))
        mu = d.sum() / k.sum()
        s2 = np.sum((d - k * mu) ** 2 / k) / max(len(d) - 1, 1)
        est.append((mu, s2, s2 / k.sum()))
    if len(est) < 5:
        return None
    mu, s2, sampling = map(np.array, zip(*est, strict=True))
    tau = np.sqrt(max(np.var(mu, ddof=1) - sampling.mean(), TAU_FLOOR**2))
    return DriftPrior(
        float(mu.mean()),
        float(tau),
        float(np.sqrt(np.median(s2))),
        NU0,
        f"{indicator} of {len(est)} provinces up to {upto or 'latest'}",
    )


GENERIC_INDICATORS = (
    "rd_expenditure",
    "fiscal_st_expenditure",
    "gdp",
    "tech_contract_turnover_inflow",
    "tech_contract_turnover_outflow",
    "hte_recognitions",
    "hightech_manufacturing_firms",
)


@cache
def generic_prior(history: History, upto: int | None = None) -> DriftPrior:
    """A prior for a series with no pool of its own: the pools of the main panel indicators
    combined (mean drift, between-indicator spread of drifts, and the largest typical noise)."""
    pools = [p for i in GENERIC_INDICATORS if (p := pooled_prior(history, i, upto, "log"))]
    mu = np.array([p.mu0 for p in pools])
    tau = float(np.sqrt(np.mean([p.tau**2 for p in pools]) + np.var(mu)))
    s0 = float(np.median([p.s0 for p in pools]))
    return DriftPrior(float(mu.mean()), tau, s0, NU0, f"generic: pools of {len(pools)} panel indicators")


@dataclass(frozen=True)
class RDPanelFit:
    """d log R&D = a_geo + beta * d log fiscal S&T + gamma * d log GDP + e, e ~ N(0, sigma^2).

    beta, gamma: shared by all provinces (within estimator); a_geo shrunk toward the pool mean."""

    coef: np.ndarray  # [beta, gamma]
    cov: np.ndarray
    sigma2: float
    dof: float
    a0: float
    tau2: float
    a_hat: dict  # geo -> (mean residual drift, n increments)
    n_obs: int
    upto: int | None

    def intercept(self, geo: str) -> tuple[float, float]:
        """Posterior mean and sd of a geo's own drift: its estimate shrunk toward the pool."""
        a, n = self.a_hat.get(geo, (self.a0, 0))
        precision = 1 / self.tau2 + n / self.sigma2
        return float((self.a0 / self.tau2 + n * a / self.sigma2) / precision), float(np.sqrt(1 / precision))

    def summary(self) -> str:
        se = np.sqrt(np.diag(self.cov))
        return (
            f"R&D panel ({self.n_obs} province-years up to {self.upto or 'latest'}): fiscal elasticity "
            f"{self.coef[0]:.3f} (se {se[0]:.3f}), GDP elasticity {self.coef[1]:.3f} (se {se[1]:.3f}), "
            f"noise {np.sqrt(self.sigma2):.3f}, pool drift {self.a0:.3f} (between-province sd "
            f"{np.sqrt(self.tau2):.3f})"
        )


def panel_growth(history: History, indicator: str, upto: int | None) -> pd.DataFrame:
    """Yearly log growth of one indicator, years x provinces (only consecutive-year pairs)."""
    t = history.table
    rows = t[(t.indicator == indicator) & t.geo.isin(provinces()) & t.qualifier.isin(["=", "~"])]
    if upto is not None:
        rows = rows[rows.year <= upto]
    wide = (
        rows.sort_values("priority").drop_duplicates(["geo", "year"]).pivot(index="year", columns="geo", values="value")
    )
    return np.log(wide.reindex(range(int(wide.index.min()), int(wide.index.max()) + 1))).diff()


def fit_rd_panel(history: History, upto: int | None = None) -> RDPanelFit:
    return _fit_rd_panel(history, upto)


@cache
def _fit_rd_panel(history: History, upto: int | None) -> RDPanelFit:
    names = {"rd": "rd_expenditure", "f": "fiscal_st_expenditure", "g": "gdp"}
    df = pd.concat({k: panel_growth(history, v, upto).stack() for k, v in names.items()}, axis=1).dropna().reset_index()
    df.columns = ["year", "geo", "rd", "f", "g"]
    demeaned = df[["rd", "f", "g"]] - df.groupby("geo")[["rd", "f", "g"]].transform("mean")
    fit = sm.OLS(demeaned["rd"], demeaned[["f", "g"]]).fit()
    n_groups = df.geo.nunique()
    dof = len(df) - 2 - n_groups
    sigma2 = float(np.sum(fit.resid**2) / dof)
    cov = np.asarray(fit.cov_params()) * (len(df) - 2) / dof  # OLS on demeaned data undercounts lost dof
    resid_drift = df.rd - fit.params["f"] * df.f - fit.params["g"] * df.g
    a = resid_drift.groupby(df.geo).agg(["mean", "size"])
    tau2 = max(float(np.var(a["mean"], ddof=1) - np.mean(sigma2 / a["size"])), TAU_FLOOR**2)
    return RDPanelFit(
        np.asarray(fit.params[["f", "g"]]),
        cov,
        sigma2,
        float(dof),
        float(a["mean"].mean()),
        tau2,
        {g: (float(r["mean"]), int(r["size"])) for g, r in a.iterrows()},
        len(df),
        upto,
    )
