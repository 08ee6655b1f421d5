"""Local linear trend on a latent scale (log for amounts and counts, logit for shares): the model of
every series that has no driver, and of R&D once its drivers are taken out.

    y_t = l_t + e_t                       e ~ N(0, w s2)      transient: a spike is not the new level
    l_t = l_{t-1} + m_{t-1} + u_t + h_t   h ~ N(0, (1-w) s2)  u_t: known input (driver effects), or 0
    m_t = m_{t-1} + z_t                   z ~ N(0, b s2)      the drift itself drifts

The Kalman filter runs on many series at once (years x series arrays, NaN = not observed), in units
of each series' own scale s2 (so s2 is concentrated out of the likelihood). The first level and
drift are diffuse: the data decide them, and the first two innovations of each series are left out
of the likelihood.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, replace

import numpy as np
from scipy import special

from .streams import Streams, draw_scale, one_blas_thread, truncated_normal_above

DIFFUSE = 1e6  # prior variance of the first level and drift, in units of s2
MIN_SCALE = 1e-3  # 0.1 %/yr: the smoothest noise scale a series is taken to have


@dataclass(frozen=True)
class Shape:
    """Variance ratios of the trend model: w = transient share of the yearly noise, b = variance of
    the drift's yearly change relative to s2. (fit_shape filters under many shapes at once with
    arrays for w and b, one entry per column.)"""

    w: float
    b: float

    def step_chol(self, horizon: int) -> np.ndarray:
        """Cholesky factor (float32, read-only) of the yearly changes of that noise (first change
        from 0)."""
        return _step_chol(self, horizon)

    def noise_cov(self, horizon: int) -> np.ndarray:
        """Covariance (in units of s2) of y_{A+1..A+H} - (l_A + h m_A): the future noise of a path."""
        h = np.arange(1, horizon + 1)
        hk = np.minimum.outer(h, h)
        r = np.arange(1, horizon)  # drift shocks z_r move y_{A+h} by (h - r) for r < h
        weights = np.clip(h[:, None] - r[None, :], 0, None).astype(float)
        return (1 - self.w) * hk + self.b * weights @ weights.T + self.w * np.eye(horizon)


@functools.lru_cache(maxsize=256)  # a simulation asks once per chunk of paths and series
def _step_chol(shape: Shape, horizon: int) -> np.ndarray:
    diff = np.eye(horizon) - np.eye(horizon, k=-1)
    cov = diff @ shape.noise_cov(horizon) @ diff.T
    chol = np.linalg.cholesky(cov + 1e-12 * np.eye(horizon)).astype(np.float32)
    chol.flags.writeable = False  # shared by every caller
    return chol


@dataclass(frozen=True)
class Filtered:
    """Filter output per series, in units of its scale s2: the state (level, drift) after the last
    row with its covariance, and the likelihood pieces."""

    level: np.ndarray
    drift: np.ndarray
    p11: np.ndarray
    p12: np.ndarray
    p22: np.ndarray
    ssq: np.ndarray  # sum of v^2 / F over the counted innovations
    logdet: np.ndarray  # sum of log F over the same
    n: np.ndarray  # number of counted innovations (observations beyond the first two)
    n_obs: np.ndarray
    innov: np.ndarray  # (rows, series): each counted innovation v, NaN elsewhere
    var: np.ndarray  # (rows, series): its model variance F (before any robust inflation), in units of s2
    flagged: np.ndarray  # (rows, series): the robust filter treated the observation as a spike

    @property
    def squares(self) -> np.ndarray:
        return self.innov**2 / self.var


def kalman(
    y: np.ndarray,
    shape: Shape,
    inputs: np.ndarray | None = None,
    scale: np.ndarray | None = None,
    drift_prior: tuple[float, float] | None = None,
) -> Filtered:
    """Filter the columns of `y` (rows = consecutive years) to the last row. Given each series'
    `scale` (s2), the filter is robust: an observation more than ROBUST_Z standard deviations from
    its one-step forecast gets just enough extra transient variance to sit at ROBUST_Z (Huber), so
    a one-year jump moves the level by a bounded amount; later years confirm or undo it. Given a
    `drift_prior` (mean, variance in units of s2), the drift is not diffuse, so every observation
    after the first is a real forecast error and counts in the likelihood and the scale."""
    y = np.atleast_2d(np.asarray(y, dtype=float))
    rows, cols = y.shape
    seen = np.isfinite(y)
    first = np.where(seen.any(axis=0), seen.argmax(axis=0), rows)
    start = np.nan_to_num(y[np.minimum(first, rows - 1), np.arange(cols)])
    level = start.copy()
    drift = np.full(cols, 0.0 if drift_prior is None else drift_prior[0])
    p11, p12 = np.full(cols, DIFFUSE), np.zeros(cols)
    p22 = np.full(cols, DIFFUSE if drift_prior is None else drift_prior[1])
    known = 2 if drift_prior is None else 1  # observations that only set the diffuse state
    ssq, logdet, n, count = np.zeros(cols), np.zeros(cols), np.zeros(cols), np.zeros(cols)
    innov, var = np.full((rows, cols), np.nan), np.full((rows, cols), np.nan)
    flagged = np.zeros((rows, cols), bool)
    qh, qz, qe = 1 - shape.w, shape.b, shape.w
    for t in range(rows):
        go = t > first  # predict only once a series has begun
        u = 0.0 if inputs is None else np.nan_to_num(inputs[t])
        level = np.where(go, level + drift + u, level)
        p11, p12, p22 = (
            np.where(go, p11 + 2 * p12 + p22 + qh, p11),
            np.where(go, p12 + p22, p12),
            np.where(go, p22 + qz, p22),
        )
        obs = seen[t]
        if not obs.any():
            continue
        v = np.where(obs, y[t] - level, 0.0)
        counted = obs & (count >= known)
        model_f = f = p11 + qe
        if scale is not None:
            spike = counted & (scale > 0) & (v * v > ROBUST_Z**2 * scale * f)
            flagged[t] = spike
            f = np.where(spike, v * v / (ROBUST_Z**2 * np.where(spike, scale, 1.0)), f)
        k1, k2 = np.where(obs, p11 / f, 0.0), np.where(obs, p12 / f, 0.0)
        level, drift = level + k1 * v, drift + k2 * v
        p11, p12, p22 = p11 - k1 * p11, p12 - k1 * p12, p22 - k2 * p12
        innov[t], var[t] = np.where(counted, v, np.nan), np.where(counted, model_f, np.nan)
        ssq += np.where(counted, v * v / f, 0.0)
        logdet += np.where(counted, np.log(f), 0.0)
        n += counted
        count += obs
    return Filtered(level, drift, p11, p12, p22, ssq, logdet, n, count, innov, var, flagged)


ROBUST_Z = 3.0  # an observation this many sd from its forecast may be a spike rather than a new level
CHI2_1_MEDIAN = float(special.chdtri(1, 0.5))  # scipy.stats (0.7 s to import) is not needed


def robust_filter(y, shape: Shape, inputs, prior: ScalePrior, plain: Filtered) -> Filtered:
    """The robust filter's state. A spike would inflate a plain scale estimate and so hide
    itself: spikes are judged against a robust scale, the median squared standardized innovation
    (÷ 0.455, the median of chi2_1) combined with the pool's prior. `plain`: the plain filter's run."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # series with no counted innovation
        median = np.nan_to_num(np.nanmedian(plain.squares, axis=0) / CHI2_1_MEDIAN)
    robust, _ = prior.posterior(plain.n * median, plain.n)
    return kalman(y, shape, inputs, robust)


def spike_persistence(plain: Filtered, robust: Filtered, s2: np.ndarray) -> tuple[float, int]:
    """How often a spike turned out to be a new level: the mixture weight of the plain filter
    (spike kept) against the robust one (spike discounted) that best predicts the observation
    after each spike in the pool (posterior mean under a uniform prior). 0.5 without spikes."""
    t, i = np.nonzero(robust.flagged[:-1])
    nxt = np.isfinite(plain.innov[t + 1, i]) & np.isfinite(robust.innov[t + 1, i])
    t, i = t[nxt], i[nxt]
    if not t.size:
        return 0.5, 0
    lp = _normal_logpdf(plain.innov[t + 1, i], plain.var[t + 1, i] * s2[i])
    lr = _normal_logpdf(robust.innov[t + 1, i], robust.var[t + 1, i] * s2[i])
    pi = np.linspace(0.005, 0.995, 199)
    loglik = np.logaddexp(np.log(pi)[:, None] + lp, np.log1p(-pi)[:, None] + lr).sum(axis=1)
    post = np.exp(loglik - loglik.max())
    return float(pi @ post / post.sum()), int(t.size)


def _normal_logpdf(x: np.ndarray, var: np.ndarray) -> np.ndarray:
    return -0.5 * (np.log(2 * np.pi * var) + x * x / var)


# weak priors keep the shape off the boundaries of short panels (MAP, not ML)
W_PRIOR = (special.logit(0.15), 1.5)
B_PRIOR = (np.log(0.02), 2.0)


B_MAX = 1.0  # the largest drift variation fit_shape returns (in units of s2)
SHAPE_GRID = 9  # points per axis in each round of fit_shape's grid search
SHAPE_ROUNDS = 6  # each round narrows the grid fourfold: the last step is ~0.002 in logit w and log b


def fit_shape(y: np.ndarray, inputs: np.ndarray | None = None) -> Shape:
    """Maximum a posteriori (w, b) for series that share them, each with its own scale s2.

    A grid search on (logit w, log b) over +-4 prior sd, refined around the best point: every
    round filters all its grid points at once (the columns of y repeated, one shape per copy),
    so a single series costs a few filter runs instead of an optimiser's fifty."""
    y = np.atleast_2d(np.asarray(y, dtype=float))
    prior = np.array([W_PRIOR, B_PRIOR])  # rows: (mean, sd) of logit w and of log b
    centre, half = prior[:, 0].copy(), 4 * prior[:, 1]
    tiled_inputs = None if inputs is None else np.tile(inputs, SHAPE_GRID**2)
    for _ in range(SHAPE_ROUNDS):
        axes = [np.linspace(c - h, c + h, SHAPE_GRID) for c, h in zip(centre, half, strict=True)]
        theta = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 2)
        grid = Shape(np.repeat(special.expit(theta[:, 0]), y.shape[1]), np.repeat(np.exp(theta[:, 1]), y.shape[1]))
        f = kalman(np.tile(y, len(theta)), grid, tiled_inputs)
        ok = f.n > 0
        terms = np.where(ok, f.logdet + f.n * np.log(np.where(ok, f.ssq / np.maximum(f.n, 1), 1.0) + 1e-300), 0.0)
        penalty = (((theta - prior[:, 0]) / prior[:, 1]) ** 2).sum(axis=1)
        loss = 0.5 * terms.reshape(len(theta), -1).sum(axis=1) + 0.5 * penalty
        centre, half = theta[np.argmin(loss)], half / 4
    w, b = float(special.expit(centre[0])), float(np.exp(centre[1]))
    return Shape(min(max(w, 1e-4), 0.95), min(max(b, 1e-6), B_MAX))


@dataclass(frozen=True)
class ScalePrior:
    """Scaled inverse chi-square prior of a series' scale s2, from the spread of scales in a pool."""

    s2: float
    nu: float

    def posterior(self, ssq, n):
        """(s2, degrees of freedom) given the sum of squared standardized errors and their count;
        elementwise for arrays of series."""
        nu = self.nu + n
        return (self.nu * self.s2 + ssq) / nu, nu


def scale_prior(ssq: np.ndarray, n: np.ndarray) -> ScalePrior:
    """Method of moments on log scales. Series i's estimate log(ssq_i / n_i) has mean
    E log s_i^2 + psi(n_i/2) - log(n_i/2) and variance var(log s_i^2) + psi1(n_i/2); under the
    prior s^2 ~ scaled-inv-chi2(nu0, s0^2), log s^2 has mean log(nu0 s0^2 / 2) - psi(nu0/2) and
    variance psi1(nu0/2). Both moments are matched."""
    ok = n >= 3
    if ok.sum() < 3:
        s2 = max(float(np.median(ssq[n > 0] / n[n > 0])), MIN_SCALE**2) if (n > 0).any() else 0.01
        return ScalePrior(s2, 2.0)
    # a series that fits exactly (interpolated figures) counts as 0.1 %/yr smooth, as on SCALE_GRID
    half = n[ok] / 2
    # each estimate net of its small-sample bias (a short series' ssq/n is low in log), before
    # both moments: with series of different lengths the biases would otherwise add to the spread
    logs = np.log(np.maximum(ssq[ok] / n[ok], MIN_SCALE**2)) - (special.digamma(half) - np.log(half))
    excess = np.var(logs, ddof=1) - np.mean(special.polygamma(1, half))
    nu = float(min(max(100.0 if excess <= special.polygamma(1, 50.0) else _solve_nu(excess), 1.0), 100.0))
    # the prior's own log-mean offset: with nu0 near 2 its s0^2 sits well below the typical scale,
    # which is where the geometric mean of the scales would have put it
    return ScalePrior(float(np.exp(np.mean(logs) - np.log(nu / 2) + special.digamma(nu / 2))), nu)


def _solve_nu(excess: float) -> float:
    if excess >= special.polygamma(1, 0.5):
        return 1.0
    from scipy.optimize import brentq  # here: a pool with a wide spread of scales is the only user

    return float(brentq(lambda nu: special.polygamma(1, nu / 2) - excess, 1.0, 100.0))


# --- the population of drifts: a hierarchical prior for one series' drift -----------------------

GRID_TABLE = 4096
TAU_GRID = 0.5 * np.linspace(0.0, 1.0, 41) ** 2  # between-series sd of drifts (log or logit per year)
TAU_PRIOR_SCALE = 0.1  # half-Cauchy: weakly informative, no floor


@dataclass(frozen=True)
class Pool:
    """What a pool of related series says about one more: the trend shape, the distribution of
    scales, the drifts' population N(mu0, tau^2) with tau integrated over a grid (its posterior
    weights) and mu0's uncertainty including common year shocks, and how much the drift the series
    share moves from year to year (q: each series' drift variation is raised to at least q / s2,
    at its posterior scale s2; a path drawing a smaller scale moves its drift less)."""

    about: str
    shape: Shape
    scale: ScalePrior
    tau: np.ndarray
    weight: np.ndarray
    mu0: np.ndarray
    var0: np.ndarray
    n_series: int
    persist: float = 1.0  # probability that a spike is a new level (else transient), from the pool
    n_spikes: int = 0
    year_shock: float = 0.0  # variance of the common year effects in the pool's yearly changes
    scale_log_sd: float = 0.0  # > 0: the scale prior is log-normal around sqrt(scale.s2) (generic, unseen figure)
    indicator_drift_var: float = 0.0  # variance between the mean drifts of the pool's indicators
    common_drift_var: float = 0.0  # q: variance of the yearly change of the drift the series share

    def for_new_indicator(self) -> Pool:
        """This pool as the prior of a series of an indicator that is not among its own (an
        analyst's series): its mean drift is as uncertain as the indicators' mean drifts differ."""
        return replace(self, var0=self.var0 + self.indicator_drift_var, about=self.about + ", for a new indicator")

    def drift_moments(self) -> tuple[float, float]:
        """Mean and variance of one more series' drift, tau and mu0 integrated out."""
        mean = float(self.weight @ self.mu0)
        return mean, float(self.weight @ (self.tau**2 + self.var0 + (self.mu0 - mean) ** 2))

    def summary(self) -> str:
        tau = float(np.sum(self.weight * self.tau))
        mu = float(np.sum(self.weight * self.mu0))
        return (
            f"{self.about}: {self.n_series} series; drift {mu:+.4f} (between-series sd {tau:.4f}), "
            f"scale {np.sqrt(self.scale.s2):.4f} (nu {self.scale.nu:.1f}), transient share {self.shape.w:.2f}, "
            f"drift variation {self.shape.b:.4f}, common drift moving {np.sqrt(self.common_drift_var):.4f} "
            f"a year; {self.n_spikes} spikes, {self.persist:.0%} of them lasting"
        )


SHORT_PANEL = 8  # a pool spanning fewer years takes its trend shape, year shocks and q from its family
FIXED_POINT_PASSES = 3  # filter passes to settle a scale and the drift variation raised by it (< 1 % apart)


def fit_pool(
    y: np.ndarray,
    about: str,
    inputs: np.ndarray | None = None,
    min_obs: int = 3,
    family: Pool | None = None,
    groups=None,
) -> Pool | None:
    """A pool from the columns of `y` (years x series, latent, NaN = missing); None with fewer
    than three series of `min_obs` observations. `family`, the pool of a longer panel, lends what a
    panel of under SHORT_PANEL years cannot tell: its trend shape, year shocks and common drift
    variation. Each series is filtered with the drift variation its paths will have (`raised`), the
    scale prior and the series' scales refitted with it. `groups`, one label per column (its
    indicator), measures how much the indicators' mean drifts differ."""
    y = np.asarray(y, dtype=float)
    if y.ndim != 2 or (np.isfinite(y).sum(axis=0) >= min_obs).sum() < 3:
        return None
    short = family is not None and len(y) < SHORT_PANEL
    shape = family.shape if short else fit_shape(y, inputs)
    year_shock = family.year_shock if short else _year_shock_variance(y, inputs)
    common = family.common_drift_var if short else _common_drift_variance(y, inputs)
    each, f = shape, kalman(y, shape, inputs)
    scale = scale_prior(f.ssq, f.n)
    s2, _ = scale.posterior(f.ssq, f.n)
    for _ in range(FIXED_POINT_PASSES if common > 0 else 0):
        each = Shape(np.full(y.shape[1], shape.w), raised(shape.b, common, s2))
        f = kalman(y, each, inputs)
        scale = scale_prior(f.ssq, f.n)
        s2, _ = scale.posterior(f.ssq, f.n)
    persist, n_spikes = spike_persistence(f, robust_filter(y, each, inputs, scale, f), s2)
    use = f.n_obs >= min_obs
    m, v = f.drift[use], f.p22[use] * s2[use]
    weight, mu0, var_mu = _tau_posterior(m, v)
    share = float(np.median(v / (s2[use] * (1 + shape.w))))  # sum of squared weights on past years
    var0 = var_mu + year_shock * share
    pool = Pool(
        about, shape, scale, TAU_GRID, weight, mu0, var0, int(use.sum()), persist, n_spikes, year_shock,
        common_drift_var=common,
    )  # fmt: skip
    if groups is None:
        return pool
    return replace(pool, indicator_drift_var=_between_indicator_variance(f.drift, np.asarray(groups), use))


def _between_indicator_variance(drift: np.ndarray, groups: np.ndarray, use: np.ndarray) -> float:
    """(1 + 1/k) x the variance of the k indicators' mean drifts: how far a new indicator's mean
    drift may lie from the pool's (GENERIC_DRIFT_SD^2 with fewer than three indicators)."""
    means = [drift[use & (groups == label)].mean() for label in np.unique(groups[use])]
    if len(means) < 3:
        return GENERIC_DRIFT_SD**2
    return (1 + 1 / len(means)) * float(np.var(means, ddof=1))


def _tau_posterior(m: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drift estimates m with variances v: posterior weights of the TAU_GRID (half-Cauchy prior,
    mu0 integrated out), and mu0's mean and variance at each grid point (BDA 5.4)."""
    t2 = TAU_GRID[:, None] ** 2
    prec = 1 / (t2 + v[None, :])
    var_mu = 1 / prec.sum(axis=1)
    mu0 = (prec * m).sum(axis=1) * var_mu
    loglik = 0.5 * (np.log(var_mu) + np.log(prec).sum(axis=1) - (prec * (m - mu0[:, None]) ** 2).sum(axis=1))
    logprior = -np.log1p((TAU_GRID / TAU_PRIOR_SCALE) ** 2)
    width = np.gradient(TAU_GRID)
    logw = loglik + logprior + np.log(width)
    weight = np.exp(logw - logw.max())
    return weight / weight.sum(), mu0, var_mu


def _year_shock_variance(y: np.ndarray, inputs: np.ndarray | None) -> float:
    """Variance of the common year effects in the yearly changes (beyond what within-series noise
    explains): they move every series' drift estimate together, so they widen mu0's uncertainty."""
    d = np.diff(y, axis=0) - (0.0 if inputs is None else np.nan_to_num(inputs[1:]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a series with one observation has no change
        resid = d - np.nanmean(d, axis=0)
    counts = np.isfinite(resid).sum(axis=1)
    rows = counts >= 3
    if rows.sum() < 3:
        return 0.0
    effect = np.nanmean(resid[rows], axis=1)
    long = np.isfinite(resid).sum(axis=0) >= 3
    within = np.nanmean(np.nanvar(resid[:, long], axis=0, ddof=1)) / counts[rows].mean()
    return max(float(np.var(effect, ddof=1) - within), 0.0)


MIN_COMMON_YEARS = 5  # years of changes of the yearly change needed to tell a moving common drift from noise


def _common_drift_variance(y: np.ndarray, inputs: np.ndarray | None) -> float:
    """q, the variance of the yearly change of the drift the series share. Each series' change of
    its yearly change (free of its own mean, so series that start late add nothing), averaged over
    the series seen, is f_t = c_t (the common drift's change, variance q) + the first difference of
    level noise + the second difference of transient noise, whose autocovariances stop at lag 2:
    so E f_t (f_t-2 + f_t-1 + f_t + f_t+1 + f_t+2) = q, averaged over the years with all four
    neighbours (the ends, missing some, would count noise as drift). Centred: the changes have
    mean 0. On the latest unbroken run of years with three or more series; 0 if negative or with
    fewer than MIN_COMMON_YEARS years. From ten years or so it is a rough figure."""
    d = np.diff(y, axis=0) - (0.0 if inputs is None else np.nan_to_num(inputs[1:]))
    dd = np.diff(d, axis=0)
    seen = np.isfinite(dd).sum(axis=1) >= 3
    if not seen.any():
        return 0.0
    end = len(seen) - 1 - int(np.argmax(seen[::-1]))
    run = int(np.argmin(np.append(seen[: end + 1][::-1], False)))  # years in the unbroken run ending there
    if run < MIN_COMMON_YEARS:
        return 0.0
    f = np.nanmean(dd[end + 1 - run : end + 1], axis=1)
    f = f - f.mean()
    window = sum(f[2 + k : len(f) - 2 + k] for k in (-2, -1, 0, 1, 2))
    return max(float(np.mean(f[2:-2] * window)), 0.0)


def raised(b, q: float, s2):
    """A series' drift variation (in units of its scale s2): at least q / s2, since a series' drift
    varies at least as much as the drift it shares with its pool; one noisy series cannot show an
    acceleration that the average of 31 shows plainly."""
    return np.maximum(b, q / np.maximum(s2, 1e-12))


# The prior of a series about which nothing is known (forecast_series without a pool). Its noise
# scale s is log-normal, log s ~ N(log GENERIC_SCALE, GENERIC_LOG_SD^2): the spread of the sd of
# the yearly log changes of 56 annual series from outside Chinese statistics, population counts
# (0.2 %/yr) to share prices (50 %/yr), as `python bench/holdout_series.py --generic-prior` prints
# it (the model's own scale is a little smaller, the transient noise aside). Unlike a conjugate
# prior, which counts as a pseudo-observation of its own size, it does not drown a smooth series'
# own errors: with a few points the series' scale is its own. Drift N(0, tau^2), tau half-Cauchy
# with scale GENERIC_TAU_SCALE: no growth assumed, a few %/yr either way, but heavy-tailed, so that
# a series which plainly grows 17 %/yr is forecast to grow near that, not pulled to 2 % by a prior
# it contradicts (the normal prior of sd 3 % before it did that). 1.5 % was chosen on the
# development panel of bench/holdout_series.py, between 3 % (1-point intervals too wide, CRPS from
# 3 points as poor as no change's) and the old prior's under-coverage.
GENERIC_SCALE, GENERIC_LOG_SD, GENERIC_TAU_SCALE = 0.074, 1.45, 0.015
GENERIC_TAU = np.geomspace(0.002, 0.6, 15)  # the drift sd's grid (log or logit per year)
GENERIC_DRIFT_SD = 0.03  # how far a new indicator's mean drift may lie, where too few indicators show it
# log s where the scale posterior is evaluated. The floor, MIN_SCALE, is below the smoothest series
# of the panel (0.2 %/yr): a series that fits exactly (rounded or interpolated figures) is taken to
# be that smooth, not infinitely so. Steps of 0.03 in log s resolve the posterior of a long series.
SCALE_GRID = np.linspace(np.log(MIN_SCALE), np.log(3.0), 271)


def generic_pool(about: str = "generic: no growth assumed") -> Pool:
    """For a series with no pool: the generic prior above."""
    cells = np.gradient(GENERIC_TAU)  # the half-Cauchy's mass at each grid point
    weight = cells / (1 + (GENERIC_TAU / GENERIC_TAU_SCALE) ** 2)
    return Pool(
        about,
        Shape(0.15, 0.02),
        ScalePrior(GENERIC_SCALE**2, 0.0),
        GENERIC_TAU,
        weight / weight.sum(),
        np.zeros(len(GENERIC_TAU)),
        np.zeros(len(GENERIC_TAU)),
        0,
        persist=1.0,  # no pool to learn from whether spikes last: keep them (the plain filter)
        scale_log_sd=GENERIC_LOG_SD,
    )


def fixed_pool(drift: float, drift_sd: float, scale: float, nu: float = 1e12, shape: Shape = Shape(0.0, 0.0)) -> Pool:
    """A prior stated outright (known drift distribution, scale and shape), e.g. for tests with
    closed-form answers or an analyst's own judgement."""
    return Pool(
        "stated", shape, ScalePrior(scale**2, nu), np.array([drift_sd]), np.ones(1), np.array([drift]), np.zeros(1), 0
    )


@dataclass(frozen=True)
class TrendFit:
    """One series' fitted trend at its anchor (last exact observation): per grid point (of the
    pool's tau, or of scale x tau), the mean and Cholesky factor of (level, drift) and its weight;
    the series' scale posterior."""

    anchor_year: int
    anchor: float  # observed latent value at the anchor
    shape: Shape
    s2: float
    nu: float
    mean: np.ndarray  # (G, 2)
    chol: np.ndarray  # (G, 3): L11, L21, L22
    weight: np.ndarray  # (G,)
    n_obs: int
    pool: str
    scale_ratio: np.ndarray | None = None  # (G,): s2 of each grid point / s2, where the scale is on a grid

    @property
    def scale_on_grid(self) -> bool:
        return self.scale_ratio is not None

    @property
    def params(self) -> dict:
        drift = float(self.weight @ self.mean[:, 1])
        return dict(
            drift=drift,
            drift_sd=float(
                np.sqrt(self.weight @ (self.chol[:, 1] ** 2 + self.chol[:, 2] ** 2 + (self.mean[:, 1] - drift) ** 2))
            ),
            scale=float(np.sqrt(self.s2)),
            nu=self.nu,
            transient_share=self.shape.w,
            drift_variation=self.shape.b,
            n_obs=self.n_obs,
        )

    def summary(self) -> str:
        p = self.params
        return (
            f"local linear trend from {self.n_obs} observations to {self.anchor_year}: drift {p['drift']:+.4f} "
            f"(sd {p['drift_sd']:.4f}), scale {p['scale']:.4f} on {p['nu']:.1f} dof, transient share "
            f"{p['transient_share']:.2f}; prior: {self.pool}"
        )

    @functools.cached_property
    def _state_table(self) -> np.ndarray:
        """(GRID_TABLE, 6): mean level, mean drift, L11, L21, L22 and scale ratio of the grid point
        at each step of a 4,096-step table of the grid's posterior quantiles (made once per fit)."""
        cum = np.cumsum(self.weight)
        table = np.minimum(np.searchsorted(cum / cum[-1], (np.arange(GRID_TABLE) + 0.5) / GRID_TABLE), len(cum) - 1)
        ratio = np.ones(len(self.weight)) if self.scale_ratio is None else self.scale_ratio
        return np.column_stack([self.mean, self.chol, ratio])[table]

    def draw_state(self, streams: Streams, key: str, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per path: level and drift at the anchor, and the noise scale. The grid point is drawn
        from a 4,096-step table of its posterior quantiles (O(n), error < 1/4096)."""
        step = (streams.uniform(f"{key}/grid", n, dtype=np.float32) * GRID_TABLE).astype(np.intp)
        p = np.take(self._state_table, step, axis=0)  # each path's grid point: 4x faster than [step]
        z = streams.normal(f"{key}/state", n, 2, np.float32)
        level = p[:, 2] * z[:, 0]
        level += p[:, 0]
        drift = p[:, 3] * z[:, 0]
        drift += p[:, 1]
        drift += p[:, 4] * z[:, 1]
        if self.scale_on_grid:  # the grid point fixes the scale
            sigma = np.sqrt(self.s2 * p[:, 5])
        else:
            sigma = draw_scale(self.s2, self.nu, streams.normal(f"{key}/sigma", n, dtype=np.float32))
        return level, drift, sigma


def on_years(years, latent) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A series' observations sorted by year, and the series on consecutive years (NaN in gaps)."""
    years = np.asarray(years, dtype=int)
    order = np.argsort(years)
    years, latent = years[order], np.asarray(latent, dtype=float)[order]
    y = np.full(int(years[-1] - years[0]) + 1, np.nan)
    y[years - years[0]] = latent
    return years, latent, y


def fit_trend(years, latent, pool: Pool, inputs: np.ndarray | None = None, shape: Shape | None = None) -> TrendFit:
    """Filter one series (whole years, gaps allowed) and combine its drift with the pool's
    population of drifts, grid point by grid point. Where the series has a spike, its state is a
    mixture: the spike kept as a new level (weight `pool.persist`) or discounted (robust filter)."""
    years, latent, y = on_years(years, latent)
    shape = shape or pool.shape
    inputs = None if inputs is None else np.asarray(inputs, float)[:, None]
    if pool.scale_log_sd:
        return _fit_on_scale_grid(y, years, latent, shape, inputs, pool)
    plain = kalman(y[:, None], shape, inputs)
    if pool.n_series:  # a pool's scale prior speaks for a short series; spikes widen the scale
        s2, nu = pool.scale.posterior(float(plain.ssq[0]), float(plain.n[0]))
        base = shape.b
        for _ in range(FIXED_POINT_PASSES if pool.common_drift_var > base * s2 else 0):
            shape = replace(shape, b=float(raised(base, pool.common_drift_var, s2)))  # the paths' drift variation
            plain = kalman(y[:, None], shape, inputs)
            s2, nu = pool.scale.posterior(float(plain.ssq[0]), float(plain.n[0]))
    else:  # no pool: every forecast error the series offers must count
        s2, nu = _scale(y[:, None], shape, inputs, pool)
    states = [(plain, pool.persist)]
    robust = robust_filter(y[:, None], shape, inputs, pool.scale, plain)
    if robust.flagged.any() and pool.persist < 1:
        states = [(plain, pool.persist), (robust, 1 - pool.persist)]
    means, chols, weights = [], [], []
    for f, share in states:
        mean, chol = _with_population(f, s2, pool)
        means.append(mean)
        chols.append(chol)
        weights.append(share * pool.weight)
    return TrendFit(
        int(years[-1]),
        float(latent[-1]),
        shape,
        float(s2),
        float(nu),
        np.vstack(means),
        np.vstack(chols),
        np.concatenate(weights) / sum(w for _, w in states),
        int(np.isfinite(latent).sum()),
        pool.about + (f"; a spike, kept as a level with probability {pool.persist:.0%}" if len(states) > 1 else ""),
    )


def _fit_on_scale_grid(y, years, latent, shape: Shape, inputs, pool: Pool) -> TrendFit:
    """A log-normal scale prior: the joint posterior of the scale on SCALE_GRID and of the pool's
    tau (every observation after the first counts against the drift prior), and the state at each
    scale x tau grid point. No spike mixture here: the pools that take this path (generic_pool,
    unseen_figure) keep spikes (persist = 1).
    `y`: the series on consecutive years (NaN in gaps); `years`, `latent`: its observations, sorted."""
    plain = kalman(y[:, None], shape, inputs)
    s2 = np.exp(2 * SCALE_GRID)
    k, g = len(s2), len(pool.tau)
    logpost = _scale_tau_logpost(y, shape, inputs, pool)
    joint = np.exp(logpost - logpost.max())
    joint /= joint.sum()
    weight = joint.reshape(k, g).sum(axis=1)  # of the scale
    mean_s2 = float(weight @ s2)
    mean, chol = _with_population(plain, s2, pool)  # rows scale by scale, tau points within
    log_var = float(weight @ (np.log(s2) - weight @ np.log(s2)) ** 2)
    return TrendFit(
        int(years[-1]),
        float(latent[-1]),
        shape,
        mean_s2,
        2 / max(log_var, 1e-6),  # the degrees of freedom a scaled inverse chi-square of that spread has
        mean,
        chol,
        joint,
        int(np.isfinite(latent).sum()),
        pool.about,
        scale_ratio=np.repeat(s2 / mean_s2, g),
    )


def _scale_tau_logpost(y, shape: Shape, inputs, pool: Pool) -> np.ndarray:
    """log p(observations after the first, scale, tau) on SCALE_GRID x the pool's tau grid (rows
    scale by scale, tau within), the scale's prior a density of log s: each column one pair with
    its own drift prior, so a series far from the drifts a small tau allows moves the weight to a
    larger tau instead of inflating its scale. For the pools with a log-normal scale prior."""
    s2 = np.exp(2 * SCALE_GRID)
    k, g = len(s2), len(pool.tau)
    f = kalman(
        np.repeat(np.reshape(y, (len(y), 1)), k * g, axis=1),
        shape,
        None if inputs is None else np.repeat(inputs, k * g, axis=1),
        drift_prior=(np.tile(pool.mu0, k), ((pool.tau**2 + pool.var0)[None, :] / s2[:, None]).ravel()),
    )
    grid_s2 = np.repeat(s2, g)
    logpost = -0.5 * (f.n * np.log(grid_s2) + f.logdet + f.ssq / grid_s2)
    return logpost + np.tile(np.log(np.maximum(pool.weight, 1e-300)), k) + np.repeat(_log_scale_prior(pool), g)


@dataclass(frozen=True)
class MixtureFit:
    """A series of an indicator the library has not seen (an analyst's): it may behave like any
    indicator of its family, so its trend is a mixture of one fit per indicator's pool, each
    weighted by its prior weight and then by how well it predicted the series' own observations (one
    point says nothing of which it resembles; two or three say much about its volatility)."""

    parts: tuple[TrendFit, ...]
    weight: np.ndarray  # (K,) posterior weight of each part
    about: str

    @property
    def anchor_year(self) -> int:
        return self.parts[0].anchor_year

    @property
    def anchor(self) -> float:
        return self.parts[0].anchor

    @property
    def n_obs(self) -> int:
        return self.parts[0].n_obs

    @property
    def s2(self) -> float:
        return float(self.weight @ [f.s2 for f in self.parts])

    @property
    def params(self) -> dict:
        each = [f.params for f in self.parts]
        drift = float(self.weight @ [p["drift"] for p in each])
        spread = [p["drift_sd"] ** 2 + (p["drift"] - drift) ** 2 for p in each]
        return dict(
            drift=drift,
            drift_sd=float(np.sqrt(self.weight @ spread)),
            scale=float(np.sqrt(self.s2)),
            n_obs=self.n_obs,
            parts=len(self.parts),
        )

    def summary(self) -> str:
        p = self.params
        top = np.argsort(self.weight)[::-1][:3]
        lead = ", ".join(f"{self.parts[i].pool.split(',')[0]} {self.weight[i]:.0%}" for i in top)
        return (
            f"mixture of {p['parts']} trends from {p['n_obs']} observations to {self.anchor_year}: "
            f"drift {p['drift']:+.4f} (sd {p['drift_sd']:.4f}); most weight: {lead}; prior: {self.about}"
        )


def fit_mixture(years, latent, pools: list[Pool], about: str, prior=None) -> MixtureFit:
    """One fit_trend per pool, weighted by its `prior` weight (equal by default) times the pool's
    marginal likelihood of the observations."""
    parts = tuple(fit_trend(years, latent, pool) for pool in pools)
    evidence = np.array([log_evidence(years, latent, pool) for pool in pools])
    weight = np.exp(evidence - evidence.max()) * (1.0 if prior is None else np.asarray(prior, dtype=float))
    return MixtureFit(parts, weight / weight.sum(), about)


def unseen_figure(family: Pool, parts: list[Pool], figure_of_part: list[str]) -> Pool:
    """The prior of a series unlike every figure its family has shown so far (a figure: one
    indicator and its versions). Its drift is the family pool's, for a new indicator; its scale is
    log-normal, spread as much as a new figure's may be: log s2 ~ N(mean, (1 + 1/K) x the variance
    between the K figures' mean log s2 + each part's own spread of log s2), with fewer than three
    figures GENERIC_LOG_SD in place of the spread between them. Its trend shape is the figures'
    median, over the figures whose drift variation is not at fit_shape's clamp (the family pool's
    own, fitted on series of scales 20 x apart, is not a shape of one; it is the fallback).
    Spikes are kept as levels, and no common drift variation is added: the scale-grid fit's terms."""
    # under a scaled inverse chi-square (nu, s0^2), log s2 has mean log(nu s0^2 / 2) - psi(nu/2), variance psi1(nu/2)
    nu = np.array([p.scale.nu for p in parts])
    mean = np.log(0.5 * nu * np.array([p.scale.s2 for p in parts])) - special.digamma(0.5 * nu)
    within = float(np.mean(special.polygamma(1, 0.5 * nu)))
    labels = np.asarray(figure_of_part)
    figures = [float(mean[labels == label].mean()) for label in dict.fromkeys(figure_of_part)]
    k = len(figures)
    between = (1 + 1 / k) * float(np.var(figures, ddof=1)) if k >= 3 else (2 * GENERIC_LOG_SD) ** 2
    shape = np.array([
        np.median([[p.shape.w, p.shape.b] for p, f in zip(parts, labels, strict=True) if f == label], axis=0)
        for label in dict.fromkeys(figure_of_part)
    ])  # fmt: skip
    free = shape[shape[:, 1] < B_MAX]  # a shape at the clamp (or borrowed from the family there) says little
    return replace(
        family.for_new_indicator(),
        shape=Shape(*map(float, np.median(free, axis=0))) if len(free) else family.shape,
        about=f"{family.about}, a figure unlike its {k}",
        scale=ScalePrior(float(np.exp(np.mean(figures))), 0.0),
        scale_log_sd=max(0.5 * float(np.sqrt(between + within)), 1e-3),  # log s = log s2 / 2; 0 would mean conjugate
        persist=1.0,
        common_drift_var=0.0,
    )


def log_evidence(years, latent, pool: Pool) -> float:
    """log p(observations after the first | pool), up to a constant shared by all pools: the drift
    from the pool's population, the scale integrated over SCALE_GRID under the pool's prior."""
    if len(years) < 2:
        return 0.0
    y = on_years(years, latent)[2]
    if pool.scale_log_sd:  # as its fit weighs them: scale and tau jointly
        both = _scale_tau_logpost(y, pool.shape, None, pool)
    else:
        s2 = np.exp(2 * SCALE_GRID)
        mean, var = pool.drift_moments()
        shape = Shape(pool.shape.w, raised(pool.shape.b, pool.common_drift_var, s2))  # as fit_trend's, per scale
        f = kalman(np.repeat(y[:, None], len(s2), axis=1), shape, drift_prior=(mean, var / s2))
        both = -0.5 * (f.n * np.log(s2) + f.logdet + f.ssq / s2) + _log_scale_prior(pool)
    top = both.max()
    return float(top + np.log(np.exp(both - top).sum() * (SCALE_GRID[1] - SCALE_GRID[0])))


def _log_scale_prior(pool: Pool) -> np.ndarray:
    """The pool's prior of the scale as a density of log s on SCALE_GRID (normalised, so that pools
    with different priors compare): log-normal, or scaled inverse chi-square in s2 (d s2 = 2 s2 d log s)."""
    if pool.scale_log_sd:
        sd = pool.scale_log_sd
        return -0.5 * ((SCALE_GRID - 0.5 * np.log(pool.scale.s2)) / sd) ** 2 - np.log(sd * np.sqrt(2 * np.pi))
    s2, nu, s0 = np.exp(2 * SCALE_GRID), pool.scale.nu, pool.scale.s2
    return (
        0.5 * nu * np.log(0.5 * nu * s0) - special.gammaln(0.5 * nu) - (0.5 * nu + 1) * np.log(s2)
        - 0.5 * nu * s0 / s2 + np.log(2 * s2)
    )  # fmt: skip


def _scale(y, shape: Shape, inputs, pool: Pool) -> tuple[float, float]:
    """Posterior of the series' scale s2 (and its degrees of freedom), counting every observation
    after the first against the pool's drift prior: a 2-point series has one honest forecast error.
    The prior's variance is in units of s2, so the scale is found in two passes."""
    mean, var = pool.drift_moments()
    s2 = pool.scale.s2
    for _ in range(2):
        f = kalman(y, shape, inputs, drift_prior=(mean, var / max(s2, 1e-12)))
        s2, nu = pool.scale.posterior(float(f.ssq[0]), float(f.n[0]))
    return s2, nu


def _with_population(f: Filtered, s2, pool: Pool) -> tuple[np.ndarray, np.ndarray]:
    """The filtered (level, drift) updated by the pool's population of drifts, taken as a
    pseudo-observation of the drift at each tau grid point: means (G, 2), Cholesky factors (G, 3).
    For an array of scales s2 (K,), the rows run scale by scale: (K G, 2) and (K G, 3)."""
    m = np.array([f.level[0], f.drift[0]])
    unit = np.maximum(np.asarray(s2, dtype=float), 1e-12)[..., None]  # a zero scale would zero the diffuse prior
    p11, p12, p22 = f.p11[0] * unit, f.p12[0] * unit, f.p22[0] * unit
    r = pool.tau**2 + pool.var0
    gain = p22 + r
    k1, k2 = p12 / gain, p22 / gain
    resid = pool.mu0 - m[1]
    mean = np.stack(np.broadcast_arrays(m[0] + k1 * resid, m[1] + k2 * resid), axis=-1).reshape(-1, 2)
    q11, q12, q22 = p11 - k1 * p12, p12 - k1 * p22, p22 - k2 * p22
    l11 = np.sqrt(np.maximum(q11, 0))
    l21 = np.where(l11 > 0, q12 / np.where(l11 > 0, l11, 1), 0)
    l22 = np.sqrt(np.maximum(q22 - l21**2, 0))
    return mean, np.stack(np.broadcast_arrays(l11, l21, l22), axis=-1).reshape(-1, 3)


def _one_thread_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b with one BLAS thread when a or b is large: on a skinny (paths x years) product extra
    threads only contend (5 ms instead of 215 ms for 1M x 7 on a loaded 2-core machine)."""
    if max(a.size, b.size) < 1_000_000:
        return a @ b
    with one_blas_thread():
        return a @ b


class _SameDraws:
    """Streams for the paths `rows` of `n`: every draw is made once for all n paths and kept in
    `seen` (shared by the parts of a mixture, so a path's numbers do not depend on which part it
    follows), then read at `rows`."""

    def __init__(self, streams: Streams, n: int, rows: np.ndarray, seen: dict):
        self._streams, self._n, self._rows, self._seen = streams, n, rows, seen

    def _get(self, kind: str, name: str, _n: int, *args, **kwargs) -> np.ndarray:
        key = (kind, name, args, tuple(sorted(kwargs.items())))
        if key not in self._seen:
            self._seen[key] = getattr(self._streams, kind)(name, self._n, *args, **kwargs)
        return self._seen[key][self._rows]  # a copy: a caller may work in place

    def normal(self, name: str, n: int, *args, **kwargs) -> np.ndarray:
        return self._get("normal", name, n, *args, **kwargs)

    def uniform(self, name: str, n: int, *args, **kwargs) -> np.ndarray:
        return self._get("uniform", name, n, *args, **kwargs)


def trend_steps(
    fit: TrendFit | MixtureFit, streams: Streams, key: str, n: int, horizon: int, lower: np.ndarray | None = None
) -> np.ndarray:
    """Latent yearly changes over the `horizon` years after the anchor, from the observed anchor
    value, one row per path (float32). Where `lower[j]` is finite, year j's value is conditioned
    on exceeding it (a published "> x"): the noise is then built year by year from its Cholesky
    factor, so that year's draw is truncated given the years before it. A MixtureFit's paths each
    follow one part, drawn by its weight."""
    if isinstance(fit, MixtureFit):
        u = streams.uniform(f"{key}/part", n)
        part = np.minimum(np.searchsorted(np.cumsum(fit.weight), u, side="right"), len(fit.parts) - 1)
        out, seen = np.empty((n, horizon), np.float32), {}
        for k in np.unique(part):  # each part simulates only its own paths
            rows = np.flatnonzero(part == k)
            out[rows] = trend_steps(fit.parts[k], _SameDraws(streams, n, rows, seen), key, len(rows), horizon, lower)
        return out
    level, drift, sigma = fit.draw_state(streams, key, n)
    z = streams.normal(f"{key}/shock", n, horizon, np.float32)
    if lower is None or not np.isfinite(lower).any():
        # y_{A+h} - y_{A+h-1} = [h = 1] (l_A - y_A) + m_A + (noise_h - noise_{h-1}), drawn directly
        # (L @ z.T).T: the same numbers as z @ L.T, in Fortran order, so that the per-path
        # operations here and after run along contiguous years' columns (5x faster than along rows)
        steps = _one_thread_matmul(fit.shape.step_chol(horizon), z.T).T
        steps *= sigma.astype(np.float32)[:, None]
        steps += drift.astype(np.float32)[:, None]
        steps[:, 0] += (level - fit.anchor).astype(np.float32)
        return steps
    chol = np.linalg.cholesky(fit.shape.noise_cov(horizon))
    uniforms = streams.uniform(f"{key}/bound", n, horizon)
    z = z.astype(np.float64)
    out = np.empty((n, horizon))
    years = np.arange(1, horizon + 1)
    for j in range(horizon):
        base = level + drift * years[j] + sigma * (z[:, :j] @ chol[j, :j])
        if np.isfinite(lower[j]):
            z[:, j] = truncated_normal_above((lower[j] - base) / (sigma * chol[j, j]), uniforms[:, j])
        out[:, j] = base + sigma * chol[j, j] * z[:, j]
    return np.diff(out, axis=1, prepend=fit.anchor).astype(np.float32)
