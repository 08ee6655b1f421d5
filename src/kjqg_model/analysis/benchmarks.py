"""Standard benchmark forecasters, run the way a forecaster would run them on short annual series.

Both functions take the history as a Series indexed by whole years with positive values and return
`n` sample paths for the `horizon` years after the last year, shape (n, horizon), on the original
scale, or None when the series is too short for the method. Both model the log of the series
(relative changes, so the paths stay positive) and draw the predictive distribution by simulating
the fitted state-space model, so intervals widen as the model says they should.

Only the last run of consecutive years is used: the models are defined on an equally spaced series,
and the panel's gaps (e.g. technology contracts in 2000, 2005, 2010, then yearly from 2012) are too
wide to interpolate honestly. A non-positive or missing value counts as a gap.

ets()
    What R's ``forecast(ets(y, lambda = 0), h, simulate = TRUE)`` does on annual data
    (forecast::ets, Hyndman et al. 2002, 2008), restricted to additive errors on the log scale:

    * n >= 7: ETS(A,N,N), ETS(A,A,N) and ETS(A,Ad,N) are fitted by maximum likelihood with the
      initial states estimated (statsmodels ETSModel, whose default bounds are R's "usual" ones:
      alpha, beta/alpha in [1e-4, 0.9999], phi in [0.8, 0.98]) and the one with the smallest AICc is
      kept. As in R's etsmodel(), a model with np parameters (smoothing parameters + initial states)
      is skipped when np >= n - 1, and its AICc is infinite when n - np - 2 <= 0 (R divides by zero
      there). So ETS(A,A,N) competes from n = 7 and ETS(A,Ad,N) from n = 8. The likelihood is
      maximised from the best point of a grid over the smoothing parameters (initial states
      profiled out in closed form), not from ETSModel's fixed start: on 15-point random walks with
      drift the fixed start misses the global optimum of the trend models about one time in three.
    * 4 <= n <= 6: R does not optimise an ETS model here (n <= npars + 4 in ets()); it fits simple
      exponential smoothing and Holt's linear method with the "simple" initial states
      (level = y1, trend = y2 - y1), smoothing parameters by least squares (HoltWintersZZ), and keeps
      the one with the smaller in-sample mean squared error. Done the same way here, with ETSModel and
      initialization_method="known". (Like R, Holt's first one-step error is then y1 - y2. R bounds
      alpha and beta in [0, 1] there; ETSModel's usual bounds are kept, a negligible difference.)
    * n < 4: None. R would still fit a 3-point Holt model, but its variance would rest on one or two
      one-step errors; no forecaster would use those intervals.

    Variance: statsmodels' ``scale`` is the ML estimate SSE / n, which on 5-15 points makes the
    intervals visibly too narrow. R's ets() stores sigma2 = SSE / (n - np), np = number of smoothing
    parameters and initial states; that is used here for both regimes. In the small-sample regime
    the initial states are computed from the first one (SES) or two (Holt) observations, so they use
    up data just the same, and the residuals they fix are left out of the SSE: SES's first is 0 by
    construction, Holt's first two are not forecast errors (the first is y1 - y2, the second uses
    y2 through the initial trend). R keeps them and divides by n instead (mean of squares), which
    on a clean trend gives a spread of about |y2 - y1| / sqrt(n) to a series that has none. The
    divisor is kept >= 1 (Holt on 4 points). The errors are drawn N(0, sigma2) with ``default_rng(seed)`` and passed to
    ``ETSResults.simulate(..., random_errors=...)``, which runs them through the fitted model from
    the last state (anchor="end").

theta()
    The Theta method of Assimakopoulos & Nikolopoulos (2000), in the state-space form of Hyndman &
    Billah (2003): simple exponential smoothing with a fixed drift b equal to half the slope of the
    least-squares line through the (log) series,

        y_t = l_{t-1} + b + e_t,    l_t = l_{t-1} + b + alpha * e_t,    e_t ~ N(0, sigma2).

    SES with drift b on y is SES on y_t - b t, i.e. on the theta = 2 line, and the forecast
    l_n + h b is the average of the theta = 0 line and the SES forecast of the theta = 2 line: the
    classical method exactly. alpha in [1e-4, 0.9999] (R's SES bounds) and l_0 minimise the sum of
    squared one-step errors (l_0 in closed form for each alpha, alpha by a grid and Brent's method);
    sigma2 = SSE / (n - 3) for the three fitted quantities alpha, l_0 and b. Paths are simulated from
    the equations above. The forecast extrapolates half the fitted slope (that is the method: its
    trend is dampened by construction), so on a noise-free exponential it falls behind. None for
    n < 4 (fewer than one residual degree of freedom).

    R's thetaf() and statsmodels' ThetaModel estimate alpha differently: by SES without drift on y
    itself, then shift the forecast by b * (h - 1 + (1 - (1 - alpha)^n) / alpha), and take sigma2
    from that driftless SES, whose residuals still contain the trend, so their intervals are wider
    than this model's own. Same point forecasts when alpha is the same; here alpha, l_0 and sigma2
    all belong to the model that is simulated.

Guard: the simulated log paths are additive and the parameters bounded, so nothing can explode,
but if a path were ever non-finite or not positive after exp (over/underflow), the method returns
None for that case instead of clipping; it does not happen on the panel.

Warnings from statsmodels (non-convergence of the optimiser on a few points) are silenced only
inside these calls. Same inputs and seed give identical output: the fits are deterministic and
the only randomness is ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

MIN_POINTS = 4  # both methods: below this the residual variance has no degrees of freedom left
SMALL_SAMPLE_MAX = 6  # R's ets(): n <= npars + 4 with npars = 2 (alpha, l0) for model "ZZZ"
_BOUNDS = (1e-4, 0.9999)  # R's default lower/upper for alpha (ets and hence ses)

# (trend, damped, np = smoothing parameters + initial states), simplest first: ties keep the simpler
_CANDIDATES = ((False, False, 2), (True, False, 4), (True, True, 5))


def consecutive_tail(past: pd.Series) -> np.ndarray:
    """Log values of the last run of consecutive years with a finite positive value."""
    s = pd.Series(np.asarray(past.values, dtype=float), index=np.asarray(past.index, dtype=float))
    s = s[np.isfinite(s.values) & (s.values > 0) & np.isfinite(s.index.values)].sort_index()
    if s.empty:
        return np.empty(0)
    breaks = np.nonzero(np.diff(s.index.values) != 1)[0]
    start = breaks[-1] + 1 if breaks.size else 0
    return np.log(s.values[start:])


def _check(horizon: int, n: int) -> None:
    if int(horizon) < 1 or int(n) < 1:
        raise ValueError(f"horizon and n must be >= 1, got horizon={horizon}, n={n}")


def _to_paths(log_paths: np.ndarray) -> np.ndarray | None:
    """exp of (n, horizon) log paths, or None if any value is not finite and positive."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        paths = np.exp(log_paths)
    if not np.all(np.isfinite(paths) & (paths > 0)):
        return None
    return paths


# --------------------------------------------------------------------------------------------- ETS


def _aicc(llf: float, n: int, np_: int) -> float:
    """R's ets AICc with k = np + 1 (sigma counts); infinite where R divides by zero or llf is NaN."""
    k = np_ + 1
    if not np.isfinite(llf) and llf > 0:  # perfect fit
        return -np.inf
    if n - k - 1 <= 0 or not np.isfinite(llf):
        return np.inf
    return -2 * llf + 2 * k + 2 * k * (k + 1) / (n - k - 1)


_ALPHA_GRID = np.array([1e-4, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.85, 0.9999])
_BETA_STAR_GRID = np.array([1e-4, 0.02, 0.1, 0.3, 0.6, 0.9999])  # beta / alpha, as statsmodels bounds it
_PHI_GRID = np.array([0.8, 0.9, 0.98])


def _grid_start(y: np.ndarray, trend: bool, damped: bool, known: np.ndarray | None = None) -> np.ndarray:
    """Start values (alpha, [beta], [phi], [initial states]) for ETSModel.fit: the best point of a
    grid over the smoothing parameters, with the initial states at their least-squares values.

    For fixed smoothing parameters the one-step errors of an additive-error ETS model are affine in
    the initial states, e = u + E x0, so the sum of squares (hence the concentrated likelihood) is
    minimised over x0 in closed form. ETSModel's own start (alpha = 0.1, beta = 0.01) often sits in
    the basin of a deterministic trend (alpha -> 0) when a random walk with drift (alpha -> 1)
    fits better; starting from the grid optimum, L-BFGS-B then polishes the global optimum.
    With `known` initial states (R's small-sample branch) only the smoothing parameters are gridded.
    """
    if trend:
        a, bs, ph = np.meshgrid(_ALPHA_GRID, _BETA_STAR_GRID, _PHI_GRID if damped else np.ones(1), indexing="ij")
        a, b, ph = a.ravel(), (a * bs).ravel(), ph.ravel()
    else:
        a = _ALPHA_GRID.copy()
        b, ph = np.zeros_like(a), np.ones_like(a)
    k, p = a.size, 2 if trend else 1
    # columns: the data response (x0 = 0), then the response to each unit initial state (y = 0)
    level = np.zeros((k, 1 + p))
    slope = np.zeros((k, 1 + p))
    level[:, 1] = 1.0
    if trend:
        slope[:, 2] = 1.0
    err = np.empty((k, 1 + p, y.size))
    data = np.zeros(1 + p)
    for t in range(y.size):
        data[0] = y[t]
        e = data - level - ph[:, None] * slope
        err[:, :, t] = e
        level = level + ph[:, None] * slope + a[:, None] * e
        slope = ph[:, None] * slope + b[:, None] * e
    u, big_e = err[:, 0, :], np.transpose(err[:, 1:, :], (0, 2, 1))  # (k, n), (k, n, p)
    if known is None:
        gram = np.einsum("knp,knq->kpq", big_e, big_e) + 1e-12 * np.eye(p)
        x0 = -np.linalg.solve(gram, np.einsum("knp,kn->kp", big_e, u)[..., None])[..., 0]
    else:
        x0 = np.broadcast_to(np.asarray(known, dtype=float), (k, p))
    sse = np.sum((u + np.einsum("knp,kp->kn", big_e, x0)) ** 2, axis=1)
    i = int(np.nanargmin(sse))
    start = [a[i]] + ([b[i]] if trend else []) + ([ph[i]] if damped else [])
    return np.array(start + ([] if known is not None else list(x0[i])))


def _fit_candidate(y: np.ndarray, trend: bool, damped: bool, known: np.ndarray | None = None):
    """(ETSModel, ML parameters, log-likelihood); the results object is built for the winner only."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    kwargs = {"error": "add", "trend": "add" if trend else None, "damped_trend": damped}
    if known is not None:
        kwargs["initialization_method"] = "known"
        kwargs["initial_level"] = known[0]
        if trend:
            kwargs["initial_trend"] = known[1]
    model = ETSModel(y, **kwargs)
    params = model.fit(start_params=_grid_start(y, trend, damped, known), disp=False, return_params=True)
    return model, params, float(model.loglike(params))


def _fit_ets(y: np.ndarray):
    """(fitted results, np, skip) of the model R's ets() would pick, or None if nothing fits.

    np counts smoothing parameters and initial states; the first `skip` residuals are fixed by
    initial states computed from the data (small-sample branch) and are not forecast errors."""
    n = y.size
    best, best_crit = None, np.inf
    if n <= SMALL_SAMPLE_MAX:
        # R's small-sample branch: SES and Holt with simple initial states, least squares, the
        # smaller in-sample mean squared error wins (for a fixed n, the larger likelihood).
        for trend, np_ in ((False, 2), (True, 4)):
            known = np.array([y[0], y[1] - y[0]]) if trend else np.array([y[0]])
            try:
                model, params, llf = _fit_candidate(y, trend, False, known)
            except (ValueError, np.linalg.LinAlgError):
                continue
            crit = -llf if not np.isnan(llf) else np.inf
            if best is None or crit < best_crit:
                best, best_crit = (model, params, np_, 2 if trend else 1), crit  # skip one residual per state
    else:
        for trend, damped, np_ in _CANDIDATES:
            if np_ >= n - 1:  # R's etsmodel(): "Not enough data to continue"
                continue
            try:
                model, params, llf = _fit_candidate(y, trend, damped)
            except (ValueError, np.linalg.LinAlgError):
                continue
            crit = _aicc(llf, n, np_)
            if best is None or crit < best_crit:
                best, best_crit = (model, params, np_, 0), crit
    if best is None:
        return None
    model, params, np_, skip = best
    return model.smooth(params), np_, skip


def ets(past: pd.Series, horizon: int, n: int, seed: int) -> np.ndarray | None:
    """Sample paths (n, horizon) from the ETS model R's forecast::ets would select on log(past)."""
    _check(horizon, n)
    y = consecutive_tail(past)
    if y.size < MIN_POINTS:
        return None
    with warnings.catch_warnings():
        # statsmodels' first import puts its own 'always' filters in front: import, then ignore
        import statsmodels.tsa.exponential_smoothing.ets  # noqa: F401

        warnings.simplefilter("ignore")  # convergence and overflow chatter on a handful of points
        chosen = _fit_ets(y)
        if chosen is None:
            return None
        fit, np_, skip = chosen
        resid = np.asarray(fit.resid, dtype=float)[skip:]
        sigma2 = float(np.sum(resid**2)) / max(y.size - np_, 1)  # R's SSE / (n - np)
        errors = np.random.default_rng(seed).standard_normal((horizon, n)) * np.sqrt(sigma2)
        sims = fit.simulate(horizon, repetitions=n, anchor="end", random_errors=errors)
    return _to_paths(np.asarray(sims, dtype=float).reshape(horizon, n).T)


# ------------------------------------------------------------------------------------------- Theta


def _ses_drift_errors(y: np.ndarray, b: float, alphas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-step errors (len(alphas), n) and the last levels of SES with drift b, l_0 profiled out.

    With l_t = (1 - a) l_{t-1} + a y_t + (1 - a) b the errors are linear in l_0:
    e_t = u_t - (1 - a)^(t-1) l_0, where u_t are the errors when l_0 = 0.
    """
    a = alphas[:, None]
    n = y.size
    u = np.empty((alphas.size, n))
    level = np.zeros((alphas.size, 1))
    for t in range(n):
        u[:, t : t + 1] = y[t] - level - b
        level = level + b + a * u[:, t : t + 1]
    w = (1 - a) ** np.arange(n)  # d e_t / d l_0 = -w_t
    l0 = np.sum(u * w, axis=1, keepdims=True) / np.sum(w * w, axis=1, keepdims=True)
    errors = u - w * l0
    last_level = level + (1 - a) ** n * l0  # l_n is linear in l_0 with slope (1 - a)^n
    return errors, last_level[:, 0]


def _fit_theta(y: np.ndarray) -> tuple[float, float, float, float]:
    """(alpha, b, last level, sigma2) of the Theta method's SES-with-drift form on y."""
    from scipy.optimize import minimize_scalar  # loaded only when a benchmark runs

    t = np.arange(y.size, dtype=float)
    b = 0.5 * np.polyfit(t, y, 1)[0]

    def sse(alpha: float) -> float:
        e, _ = _ses_drift_errors(y, b, np.array([alpha]))
        return float(np.sum(e**2))

    grid = np.linspace(*_BOUNDS, 41)
    e, _ = _ses_drift_errors(y, b, grid)
    i = int(np.argmin(np.sum(e**2, axis=1)))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    res = minimize_scalar(sse, bounds=(lo, hi), method="bounded", options={"xatol": 1e-6})
    alpha = float(res.x) if res.fun <= np.sum(e[i] ** 2) else float(grid[i])
    e, last = _ses_drift_errors(y, b, np.array([alpha]))
    sigma2 = float(np.sum(e**2)) / max(y.size - 3, 1)  # alpha, l_0 and b were fitted
    return alpha, float(b), float(last[0]), sigma2


def theta(past: pd.Series, horizon: int, n: int, seed: int) -> np.ndarray | None:
    """Sample paths (n, horizon) of the Theta method (SES with half-slope drift) on log(past)."""
    _check(horizon, n)
    y = consecutive_tail(past)
    if y.size < MIN_POINTS:
        return None
    alpha, b, level, sigma2 = _fit_theta(y)
    e = np.random.default_rng(seed).standard_normal((n, horizon)) * np.sqrt(sigma2)
    # y_{n+h} = l_n + h b + e_{n+h} + alpha * (e_{n+1} + ... + e_{n+h-1})
    carried = alpha * np.concatenate([np.zeros((n, 1)), np.cumsum(e[:, :-1], axis=1)], axis=1)
    log_paths = level + b * np.arange(1, horizon + 1) + e + carried
    return _to_paths(log_paths)
