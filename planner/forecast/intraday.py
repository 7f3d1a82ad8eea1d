"""Intraday updating: the rest of today's forecast conditioned on the intervals observed so far.

The pure maths of the intraday reforecast (docs/design.md section 5a; the scenario and CLI glue
live in :mod:`planner.microplan`). A day's residuals on the log scale,
``r = log((y + 1) / (f + 1))`` of the actual counts ``y`` against the model's own day-ahead
forecast ``f``, are taken as Gaussian across the day's intervals with a mean ``m`` and a
covariance ``S`` estimated from past days (rolling-origin day-ahead residuals, never future
data). Once the intervals ``o`` before the cut are observed, the rest ``u`` of the day moves by

    delta_u = S_uo S_oo^-1 (r_o - m_o),      S_u|o = S_uu - S_uo S_oo^-1 S_ou,

and the updated forecast is ``(f + 1) exp(delta) - 1`` with intervals from the conditional
covariance (which holds the count noise: the residuals are of counts). The gain depends only on
which intervals are observed, so it is computed once per cut (:func:`conditional_gain`) and the
update is a matrix-vector product. This is the Gaussian / random-effects update of Weinberg,
Brown & Stroud (2007, JASA 102: 1185-1198) and Ibrahim & L'Ecuyer (2013, M&SOM 15: 72-85); the
factor covariance is the low-rank model of Shen & Huang (2008, Ann. Appl. Stat. 2: 601-623,
section 4's intraday updating by penalised least squares on the factor scores, which is this
update with the scores' prior as the penalty).

Covariances (:func:`residual_covariance`): ``"kernel"`` (the default: a day effect, an AR(1)
process across the day's intervals and a per-interval nugget, correlation ``a + b rho^|i-j|`` off
the diagonal scaled by each slot's own sd, the covariance of the mixed model of Ibrahim & L'Ecuyer
2013, fitted to the lagged sample correlations, with the sample covariance shrunk toward it by
``1 - shrinkage``), ``"factor"`` (``k`` singular
vectors of the centred residual matrix plus a diagonal; Shen & Huang 2008), ``"shrink"`` (the sample
covariance shrunk toward its diagonal, with the Schafer & Strimmer 2005 closed-form intensity when
none is given, Stat. Appl. Genet. Mol. Biol. 4: 32), or ``"diagonal"``. On bank_calls the kernel,
with 20 % of the sample covariance, won on a validation month before the test month
(``tests/benchmarks/bench_intraday.py``).

The transparent alternatives (:func:`ratio_update`): ratio-to-date ``sum(y_o) / sum(f_o)`` and its
credibility-weighted form ``(k + sum(y_o)) / (k + sum(f_o))`` (the gamma-Poisson posterior of a
day factor of squared coefficient of variation ``1 / k``), applied over a capped horizon only.

Examples
--------
Residuals made of a day factor (sd 0.1) plus noise (sd 0.03): a morning 10 % hot (log 1.1 = 0.095)
moves the afternoon up by as much, and the conditional band is narrower than the prior one.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> R = 0.1 * rng.standard_normal((400, 1)) + 0.03 * rng.standard_normal((400, 8))
>>> model = residual_covariance(R, method="factor", factors=1)
>>> gain = conditional_gain(model, np.arange(8) < 4)
>>> delta, sd = gain.apply(np.full(4, np.log(1.1)))
>>> delta.round(2).tolist(), bool((sd < np.sqrt(np.diag(model.cov)[4:])).all())
([0.1, 0.1, 0.1, 0.1], True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, optimize, stats

from planner.errors import InputError

__all__ = ["ResidualModel", "Gain", "log_residuals", "residual_covariance", "conditional_gain", "band_scale",
           "gaussian_update", "ratio_update", "credibility_k"]


@dataclass(frozen=True, eq=False)
class ResidualModel:
    """Mean ``mean`` (P,) and covariance ``cov`` (P, P) of a day's log residuals over its P slots."""

    mean: np.ndarray
    cov: np.ndarray
    method: str = "kernel"
    days: int = 0
    band_scale: float | np.ndarray = 1.0  # sd multiplier (per number observed) from past days (:func:`band_scale`)


@dataclass(frozen=True, eq=False)
class Gain:
    """The update for one cut: observed mask, gain ``K`` (rest x observed), conditional covariance."""

    observed: np.ndarray
    gain: np.ndarray
    cond_cov: np.ndarray
    mean: np.ndarray
    scale: float = 1.0

    def apply(self, r_observed) -> tuple[np.ndarray, np.ndarray]:
        """``(delta, sd)`` of the rest: the shift of its log residuals and their conditional sd.

        ``r_observed`` is (n_obs,) or (n_obs, days) for many days at once.
        """
        r = np.asarray(r_observed, dtype=float)
        m_o = self.mean[self.observed]
        centred = r - (m_o if r.ndim == 1 else m_o[:, None])
        delta = self.gain @ centred
        return delta, self.scale * np.sqrt(np.clip(np.diag(self.cond_cov), 0.0, None))


def log_residuals(actual, forecast) -> np.ndarray:
    """``log((y + 1) / (f + 1))``: the residual scale of the update (defined at zero counts)."""
    return np.log1p(np.asarray(actual, dtype=float)) - np.log1p(np.asarray(forecast, dtype=float))


def _schafer_strimmer(X: np.ndarray) -> float:
    """Closed-form shrinkage intensity toward the diagonal (Schafer & Strimmer 2005, target D)."""
    n = X.shape[0]
    sd = X.std(axis=0, ddof=1)
    sd = np.where(sd > 0, sd, 1.0)
    Z = (X - X.mean(axis=0)) / sd
    W = Z[:, :, None] * Z[:, None, :]                       # (n, P, P)
    corr = W.mean(axis=0) * n / (n - 1)
    var_corr = W.var(axis=0, ddof=1) * n / (n - 1) ** 2
    off = ~np.eye(X.shape[1], dtype=bool)
    denom = float((corr[off] ** 2).sum())
    return float(np.clip(var_corr[off].sum() / denom, 0.0, 1.0)) if denom > 0 else 1.0


def _kernel(sample: np.ndarray) -> np.ndarray:
    """``a + b rho^|i-j|`` fitted to the mean sample covariance at each lag >= 1, plus the diagonal rest."""
    P = sample.shape[0]
    lags = np.arange(1, P)
    empirical = np.array([np.diag(sample, lag).mean() for lag in lags])
    weight = np.sqrt(P - lags)

    def misfit(p):
        return weight * (p[0] + p[1] * p[2] ** lags - empirical)

    total = max(float(np.diag(sample).mean()), 2e-6)  # neither part exceeds the variance (b is free as rho -> 0)
    start = np.clip([empirical[-1], empirical[0] - empirical[-1], 0.9], 1e-6, [total, total, 0.99])
    a, b, rho = optimize.least_squares(misfit, start, bounds=([0, 0, 0], [total, total, 0.9999])).x
    return a + b * rho ** np.abs(np.subtract.outer(np.arange(P), np.arange(P)))


def residual_covariance(R, *, method: str = "kernel", factors: int = 2, shrinkage: float | None = None,
                        halflife_days: float | None = None, floor: float = 1e-6) -> ResidualModel:
    """Mean and covariance of the log residuals from a (days, P) matrix of past days.

    Parameters
    ----------
    R : array_like
        (days, P) log residuals of past days (:func:`log_residuals`); NaN cells (a closed or
        excluded interval) are filled with their slot's mean.
    method : {"kernel", "factor", "shrink", "diagonal"}
        ``kernel``: ``s K + (1 - s) S`` with ``K_ij = sd_i sd_j (a + b rho^|i-j|)`` off the
        diagonal (a kernel fitted to the sample correlations) and each slot's own variance on it,
        ``s`` = ``shrinkage`` (default 0.8).
        ``factor``: ``L L' + D`` with ``L`` the first ``factors`` singular vectors of the centred
        matrix scaled by their singular values / sqrt(days), ``D`` the rest of the diagonal.
        ``shrink``: ``(1 - a) S + a diag(S)``, ``a`` = ``shrinkage`` or the closed form.
        ``diagonal``: no correlation (the update is then no update).
    halflife_days : float, optional
        Weight of a day halves every ``halflife_days`` rows back (the last row is the most recent
        day), so the covariance follows a drifting level of error; None: every day alike.
    floor : float
        Least variance of a slot [log^2], so that a constant slot keeps ``S_oo`` invertible.
    """
    R = np.asarray(R, dtype=float)
    if R.ndim != 2 or R.shape[0] < 3:
        raise InputError(f"intraday residuals: need a (days, intervals) matrix of at least 3 days, got shape {R.shape}")
    n = R.shape[0]
    w = np.ones(n) if halflife_days is None else 0.5 ** ((n - 1 - np.arange(n)) / float(halflife_days))
    seen = np.isfinite(R)
    with np.errstate(invalid="ignore"):
        mean = (np.where(seen, R, 0.0) * w[:, None]).sum(axis=0) / (seen * w[:, None]).sum(axis=0)
    mean = np.where(np.isfinite(mean), mean, 0.0)
    X = np.where(seen, R, mean) - mean
    w = w / w.sum()
    sample = (X * w[:, None]).T @ X / (1.0 - (w ** 2).sum())
    var = np.maximum(np.diag(sample), floor)
    if method == "diagonal":
        cov = np.diag(var)
    elif method == "shrink":
        a = _schafer_strimmer(X) if shrinkage is None else float(shrinkage)
        cov = (1.0 - a) * sample + a * np.diag(var)
        cov[np.diag_indices_from(cov)] = var
    elif method == "kernel":
        s = 0.8 if shrinkage is None else float(shrinkage)
        sd = np.sqrt(var)
        K = _kernel(sample / np.outer(sd, sd)) if X.shape[1] > 1 else np.ones((1, 1))
        np.fill_diagonal(K, 1.0)  # the rest of each slot's variance is its nugget
        cov = s * K * np.outer(sd, sd) + (1.0 - s) * sample
        cov[np.diag_indices_from(cov)] = np.maximum(np.diag(cov), floor)
    elif method == "factor":
        k = int(min(factors, min(X.shape) - 1))
        _, s, vt = np.linalg.svd(X * np.sqrt(w / (1.0 - (w ** 2).sum()))[:, None], full_matrices=False)
        L = vt[:k].T * s[:k]
        low = L @ L.T
        cov = low + np.diag(np.maximum(var - np.diag(low), floor))
    else:
        raise InputError(f"intraday method: expected 'kernel', 'factor', 'shrink' or 'diagonal', got {method!r}")
    return ResidualModel(mean=mean, cov=cov, method=method, days=n)


def conditional_gain(model: ResidualModel, observed) -> Gain:
    """The Gaussian update for a cut: ``K = S_uo S_oo^-1`` and ``S_u|o``, computed once per cut.

    ``observed`` is a boolean (P,) mask of the intervals known at the cut; the rest are updated.
    A singular ``S_oo`` (a rank-one day factor) is solved by least squares (the pseudo-inverse).
    """
    o = np.asarray(observed, dtype=bool)
    u = ~o
    S = model.cov
    if not o.any():
        return Gain(o, np.zeros((int(u.sum()), 0)), S[np.ix_(u, u)], model.mean, _scale(model, 0))
    S_oo, S_ou = S[np.ix_(o, o)], S[np.ix_(o, u)]
    try:
        factor = linalg.cho_factor(S_oo, lower=True, check_finite=False)
        K_t = linalg.cho_solve(factor, S_ou, check_finite=False)
        if not np.isfinite(K_t).all():
            raise linalg.LinAlgError
    except linalg.LinAlgError:
        K_t = np.linalg.pinv(S_oo, hermitian=True) @ S_ou
    K = K_t.T
    cond = S[np.ix_(u, u)] - K @ S_ou
    return Gain(o, K, (cond + cond.T) / 2.0, model.mean, _scale(model, int(o.sum())))


def _scale(model: ResidualModel, observed: int) -> float:
    scale = np.atleast_1d(np.asarray(model.band_scale, dtype=float))
    return float(scale[min(observed, scale.size - 1)])


def band_scale(R, *, days: int = 30, level: float = 0.8, step: int = 4, **covariance) -> np.ndarray:
    """Sd multipliers that make ``level`` bands cover ``level`` of the rest of past days, per cut.

    Walk-forward over the last ``days`` rows of ``R`` (each from a model of the rows before it),
    with a cut every ``step`` intervals: at each cut, the ``level`` quantile of ``|z|`` of the rest
    of the day, ``z = (r - m - delta) / sd``, over the normal quantile. Returns an array indexed by
    the number of observed intervals (0..P), interpolated between the cuts; ones with too few days.
    """
    R = np.asarray(R, dtype=float)
    n, P = R.shape
    cuts = np.arange(step, P - 1, step)
    first = max(n - days, 10)
    if first >= n or not cuts.size:
        return np.ones(P + 1)
    z = [[] for _ in cuts]
    for d in range(first, n):  # a walk over days (each its own fit), not over intervals
        model = residual_covariance(R[:d], **covariance)
        row = np.where(np.isfinite(R[d]), R[d], model.mean)
        for j, cut in enumerate(cuts):
            observed = np.arange(P) < cut
            delta, sd = conditional_gain(model, observed).apply(row[observed])
            z[j].append(np.abs(row[~observed] - model.mean[~observed] - delta) / np.maximum(sd, 1e-9))
    scale = np.array([np.quantile(np.concatenate(part), level) for part in z]) / stats.norm.ppf(0.5 + level / 2.0)
    return np.interp(np.arange(P + 1), cuts, scale)


def gaussian_update(forecast_rest, gain: Gain, r_observed, *, level: float = 0.8):
    """Updated rest-of-day ``(offered, lo, hi)``: ``(f + 1) exp(delta) - 1`` and its conditional band.

    The band is centred on the conditional median of the residual (``m_u + delta``), so it keeps
    the slot's past bias; its width is the conditional sd (count noise included).
    """
    f = np.asarray(forecast_rest, dtype=float)
    delta, sd = gain.apply(r_observed)
    if delta.ndim == 2:
        sd = sd[:, None]
        m_u = gain.mean[~gain.observed][:, None]
    else:
        m_u = gain.mean[~gain.observed]
    z = stats.norm.ppf(0.5 + level / 2.0)
    point = np.maximum((f + 1.0) * np.exp(delta) - 1.0, 0.0)
    lo = np.maximum((f + 1.0) * np.exp(m_u + delta - z * sd) - 1.0, 0.0)
    hi = (f + 1.0) * np.exp(m_u + delta + z * sd) - 1.0
    return point, lo, hi


def credibility_k(day_log_var: float) -> float:
    """``k = 1 / c`` of the credibility ratio from the day level's log variance (``c = exp(v) - 1``)."""
    c = float(np.expm1(day_log_var))
    return float("inf") if c <= 0 else 1.0 / c


def ratio_update(forecast_rest, actual_observed, forecast_observed, *, k: float = 0.0,
                 horizon: int | None = None) -> np.ndarray:
    """Ratio-to-date (``k = 0``) or credibility-weighted ratio applied to the next ``horizon`` intervals.

    Beyond ``horizon`` intervals the prior forecast is kept (the surprise decays through the day).
    Works on (n,) vectors or (n, days) matrices.

    >>> ratio_update([100.0, 100.0, 100.0], [55.0, 55.0], [50.0, 50.0], horizon=2).round(6).tolist()
    [110.0, 110.0, 100.0]
    >>> ratio_update([100.0], [55.0, 55.0], [50.0, 50.0], k=100.0).round(6).tolist()
    [105.0]
    """
    f = np.asarray(forecast_rest, dtype=float)
    y_sum = np.asarray(actual_observed, dtype=float).sum(axis=0)
    f_sum = np.asarray(forecast_observed, dtype=float).sum(axis=0)
    if np.isinf(k):
        ratio = np.ones_like(y_sum)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(k + f_sum > 0, (k + y_sum) / (k + f_sum), 1.0)
    scaled = f * ratio
    if horizon is not None:
        keep = np.arange(f.shape[0]) >= horizon
        scaled = np.where(keep if f.ndim == 1 else keep[:, None], f, scaled)
    return scaled
