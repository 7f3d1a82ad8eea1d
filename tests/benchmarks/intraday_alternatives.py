"""Alternatives to the default intraday update, and oracle bounds, measured by ``bench_intraday.py``.

Issue 19's MAE goals were not met by the default update (:mod:`planner.forecast.intraday`); these are
the further attempts, each selected on the validation days only, and the bounds that say what any
update could reach on the data. Matrices are (days, P) of the day-ahead forecast ``F``, the actual
counts ``Y`` and the log residuals ``R = log((Y + 1) / (F + 1))``; ``obs`` is the (P,) mask of the
intervals before the cut; every method returns the point forecast of the rest of the day.

- **Point forecast** (:func:`gaussian_point`): the default ``(f + 1) exp(delta) - 1`` is the
  conditional median of the count when the past residual mean ``m`` is taken as zero; adding
  ``m_u`` (its mean, or the slot's median residual) gives the conditional median under the model.
- **Measurement error** (:func:`latent_update`): the observed residual is a latent log rate plus
  Poisson noise of variance ``lam / (lam + 1)^2`` (the delta method for ``log(Y + 1)``), taken
  from that day's own forecast; the latent covariance is the residual covariance less the mean noise
  on its diagonal (kernel-shrunk as the default), and the gain is
  ``K_uo (K_oo + N_o(day))^-1``. With ``hour`` the same on hourly sums (less Poisson noise per
  observation, 14 x 14 covariance), the hour's shift applied to its four slots.
- **State space** (:func:`state_space_update`): a latent day effect plus an AR(1) across the day
  plus a nugget, observed with that day's Poisson noise, the parameters by Gaussian maximum
  likelihood over the past days (the local-level model of Weinberg, Brown & Stroud 2007 with the
  random walk replaced by the AR(1) that won on validation; a random walk lost).
- **Shape by direct regression** (:func:`direct_update`): each remaining slot's residual regressed
  (ridge, walk-forward) on the log ratio of the whole morning and of its last ``last`` slots, so
  every slot has its own response to the morning's level and to its latest hour (a shape update
  with 2 to 5 coefficients a slot instead of a covariance).
- **Oracles** (:func:`oracle_points`, :func:`poisson_mae`): they use the test day's own future counts,
  so they are bounds, not methods.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import linalg, optimize, stats

from planner.forecast.intraday import _kernel


def noise_var(forecast) -> np.ndarray:
    """Variance of ``log(Y + 1)`` for ``Y ~ Poisson(lam)``, ``lam`` the forecast: ``lam / (lam + 1)^2`` [log^2]."""
    lam = np.asarray(forecast, dtype=float)
    return lam / (lam + 1.0) ** 2


def poisson_mae(lam) -> np.ndarray:
    """``E|Y - median(Y)|`` for ``Y ~ Poisson(lam)``: the least MAE of any forecast that knows the rate.

    Exact summation over the support. For large ``lam`` it tends to ``sqrt(2 lam / pi)``:

    >>> float(poisson_mae(np.array([10000.0]))[0] / np.sqrt(2e4 / np.pi)).__round__(3)
    1.0
    >>> float(poisson_mae(np.array([1.0]))[0]).__round__(6)  # median 1: E|Y-1| = 2 e^-1
    0.735759
    """
    lam = np.asarray(lam, dtype=float)
    flat = lam.ravel()
    k = np.arange(0, int(flat.max() + 12 * np.sqrt(flat.max()) + 20))
    med = stats.poisson.median(flat)
    pmf = stats.poisson.pmf(k[None, :], flat[:, None])
    return (pmf * np.abs(k[None, :] - med[:, None])).sum(axis=1).reshape(lam.shape)


def hourly(A, hour) -> np.ndarray:
    """Sums of the last axis of ``A`` over the slots of each hour (``hour`` = 0.. per slot)."""
    return np.stack([A[..., hour == h].sum(axis=-1) for h in range(hour.max() + 1)], axis=-1)


def gaussian_point(F, R, d, obs, model, *, bias: str | None = None) -> np.ndarray:
    """The default update's point with the past residual bias ``m_u`` added (``"mean"`` or ``"median"``)."""
    from planner.forecast.intraday import conditional_gain

    delta, _ = conditional_gain(model, obs).apply(R[d, obs])
    m = 0.0 if bias is None else (model.mean if bias == "mean" else np.median(R[:d], axis=0))[~obs]
    return np.maximum((F[d, ~obs] + 1.0) * np.exp(m + delta) - 1.0, 0.0)


def latent_covariance(R, F, *, shrinkage: float = 0.8):
    """Mean and latent covariance of past days' residuals: the sample covariance less the mean Poisson
    noise on its diagonal, shrunk toward the fitted day + AR(1) correlation kernel by ``shrinkage``."""
    m = R.mean(axis=0)
    X = R - m
    S = X.T @ X / (len(X) - 1)
    var = np.maximum(np.diag(S) - noise_var(F).mean(axis=0), 1e-6)
    C = S.copy()
    np.fill_diagonal(C, var)
    sd = np.sqrt(var)
    K = _kernel(C / np.outer(sd, sd))
    np.fill_diagonal(K, 1.0)
    K = shrinkage * K * np.outer(sd, sd) + (1.0 - shrinkage) * C
    np.fill_diagonal(K, var)
    return m, K


def latent_update(F, R, d, obs, latent, *, hour=None, FH=None, RH=None) -> np.ndarray:
    """Rest-of-day point from the measurement-error model (slot level, or hourly with ``hour``)."""
    m, K = latent
    u = ~obs
    if hour is None:
        o_, u_, r, f = obs, u, R[d], F[d]
    else:
        o_ = np.array([obs[hour == h].all() for h in range(hour.max() + 1)])
        u_, r, f = ~o_, RH[d], FH[d]
    gain = linalg.solve(K[np.ix_(o_, o_)] + np.diag(noise_var(f[o_])), K[np.ix_(o_, u_)], assume_a="pos").T
    delta = np.zeros(len(o_))
    delta[u_] = gain @ (r[o_] - m[o_])
    shift = delta[u_] if hour is None else delta[hour[u]]
    return np.maximum((F[d, u] + 1.0) * np.exp(shift) - 1.0, 0.0)


def ar_covariance(theta, P: int) -> np.ndarray:
    """Latent covariance ``a + b rho^|i-j| + nugget I`` from ``theta = log(a, b, 1/rho - 1, nugget)``."""
    a, b, odds, nugget = np.exp(theta)
    lag = np.abs(np.subtract.outer(np.arange(P), np.arange(P)))
    return a + b * (1.0 / (1.0 + odds)) ** lag + nugget * np.eye(P)


def fit_state_space(R, F, start=None) -> np.ndarray:
    """Maximum-likelihood ``theta`` of :func:`ar_covariance` with each day's own Poisson noise added."""
    X = R - R.mean(axis=0)
    N = noise_var(F)
    P = R.shape[1]

    def nll(theta):
        K = ar_covariance(theta, P)
        total = 0.0
        for x, noise in zip(X, N):  # a sum over days, each its own noise (Nelder-Mead's objective)
            c = linalg.cho_factor(K + np.diag(noise), lower=True, check_finite=False)
            total += 2.0 * np.log(np.diag(c[0])).sum() + x @ linalg.cho_solve(c, x, check_finite=False)
        return total

    start = np.log([1e-3, 1e-3, 0.1, 1e-3]) if start is None else start
    return optimize.minimize(nll, start, method="Nelder-Mead", options=dict(maxiter=600, xatol=1e-3, fatol=1e-3)).x


def state_space_update(F, R, d, obs, theta) -> np.ndarray:
    """Rest-of-day point from the fitted state-space model (the Kalman smoother's mean, in closed form)."""
    K = ar_covariance(theta, F.shape[1])
    m = R[:d].mean(axis=0)
    o, u = obs, ~obs
    gain = linalg.solve(K[np.ix_(o, o)] + np.diag(noise_var(F[d, o])), K[np.ix_(o, u)], assume_a="pos").T
    return np.maximum((F[d, u] + 1.0) * np.exp(gain @ (R[d, o] - m[o])) - 1.0, 0.0)


def direct_update(F, Y, R, d, obs, *, last=(4, 2), ridge: float = 1.0) -> np.ndarray:
    """Rest-of-day point from per-slot ridge regressions on the morning's log ratios, fitted on the days before ``d``.

    The penalty is ``ridge / 10`` times the mean feature variance (features centred, intercept free).
    """
    idx = np.flatnonzero(obs)
    spans = [idx[-k:] if k else idx for k in (0, *last)]  # the whole morning, then its last k slots
    X = np.column_stack([np.log1p(Y[:, j].sum(axis=1)) - np.log1p(F[:, j].sum(axis=1)) for j in spans])
    Xt, Tt = X[:d], R[:d][:, ~obs]
    mx, mt = Xt.mean(axis=0), Tt.mean(axis=0)
    Xc = Xt - mx
    gram = Xc.T @ Xc
    A = gram + (ridge * np.trace(gram) / X.shape[1] / 10.0 + 1e-9) * np.eye(X.shape[1])
    coef = np.linalg.solve(A, Xc.T @ (Tt - mt))
    return np.maximum((F[d, ~obs] + 1.0) * np.exp((X[d] - mx) @ coef) - 1.0, 0.0)


def oracle_points(F, Y, hour, d, obs, next_slots: int, level_fit=None) -> dict:
    """Oracle forecasts of the rest (each a (rest, next-two-hours) pair of points): they see the future.

    ``level_day``: the forecast scaled by the day's realised total. ``level_horizon``: scaled by the
    realised total of the horizon being scored. ``level_fit``: the rest's level from the regression
    of the rest's log ratio on the observed log ratio fitted on every day, the test days included
    (the best level-only update from the morning, linear). ``hour_loo``: each slot scaled by the
    realised ratio of its four neighbours within two slots (the latent rate to one hour's resolution,
    its own count excluded). ``hour_block``: scaled by its clock hour's realised ratio (own count
    included: beyond any rate knowledge).
    """
    u = ~obs
    f, y = F[d, u], Y[d, u]
    nxt = np.arange(u.sum()) < next_slots
    P = F.shape[1]
    idx = np.arange(P)
    near = (np.abs(idx[:, None] - idx[None, :]) <= 2) & (idx[:, None] != idx[None, :])
    loo = F[d] * (near @ Y[d]) / (near @ F[d])
    block = F[d] * (hourly(Y[d], hour) / hourly(F[d], hour))[hour]
    out = {
        "level_day": (f * Y[d].sum() / F[d].sum(),) * 2,
        "level_horizon": (f * y.sum() / f.sum(), f * y[nxt].sum() / f[nxt].sum()),
        "hour_loo": (loo[u],) * 2,
        "hour_block": (block[u],) * 2,
    }
    if level_fit is not None:
        out["level_fit"] = (f * np.exp(level_fit[d]),) * 2
    return out


def level_regression(F, Y, obs) -> np.ndarray:
    """Per day, the rest's log level predicted from the observed log level by least squares over all days."""
    x = np.log(Y[:, obs].sum(axis=1) / F[:, obs].sum(axis=1))
    z = np.log(Y[:, ~obs].sum(axis=1) / F[:, ~obs].sum(axis=1))
    A = np.column_stack([np.ones_like(x), x])
    coef, *_ = np.linalg.lstsq(A, z, rcond=None)
    return A @ coef


def reductions(rows: list, columns=("cut", "method", "rest_mae", "next2h_mae")) -> pd.DataFrame:
    """Table of MAE per cut and method with the percent reduction against ``none``."""
    table = pd.DataFrame(rows, columns=list(columns))
    base = table[table["method"] == "none"].set_index("cut")
    for horizon in ("rest", "next2h"):
        none = table["cut"].map(base[f"{horizon}_mae"])
        table[f"{horizon}_reduction_pct"] = 100 * (1 - table[f"{horizon}_mae"] / none)
    return table
