"""The daily level: log daily totals regressed on weekday and event effects, with AR(1) errors.

``z_t = x_t' beta + u_t``, ``u_t = phi u_{t-1} + e_t``, ``e_t ~ N(0, sigma^2)``, where ``t`` counts
the channel's open days and missing days (holidays, outages) are gaps: over a gap of ``g`` days
``u`` moves by ``phi^g`` with variance ``sigma^2 (1 + phi^2 + ... + phi^(2(g-1)))``. ``phi`` is
the exact Gaussian maximum likelihood (Prais-Winsten transform with the gaps, ``beta`` and
``sigma^2`` concentrated out; Beach & MacKinnon 1978, Econometrica 46: 51-58), found by a
bounded one-dimensional search. This is the daily component of Weinberg, Brown & Stroud (2007,
JASA 102: 1185-1198) and Shen & Huang (2008, Ann. Appl. Stat. 2: 601-623): weekday effects on
the log scale plus short-term dependence between consecutive days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

__all__ = ["DailyFit", "fit_daily", "calendar_columns", "CALENDAR_EFFECTS"]

_PHI_BOUNDS = (-0.5, 0.995)

#: Calendar effects on the daily level, in the order of :func:`calendar_columns`.
CALENDAR_EFFECTS = ("month_start", "after_closure")

#: A calendar effect is estimated only when at least this many observed days have it, and lack it.
MIN_CALENDAR_DAYS = 4


def calendar_columns(dates: np.ndarray, gap_before: np.ndarray) -> np.ndarray:
    """``(n, 2)`` calendar regressors of the daily level: start of month and first day after a closure.

    ``month_start`` is 1 on the first three days of a calendar month (billing and pay-day peaks);
    ``after_closure`` is 1 on an open day that follows an open weekday without contacts (a public
    holiday or an outage: the calls it did not get arrive the next day).

    Parameters
    ----------
    dates : numpy.ndarray
        ``(n,)`` local dates (``datetime64[D]``) of the channel's open weekdays.
    gap_before : numpy.ndarray
        ``(n,)`` bool: the previous open weekday had no contacts.

    Examples
    --------
    >>> dates = np.array(["2026-06-30", "2026-07-01", "2026-07-02", "2026-07-06"], dtype="M8[D]")
    >>> calendar_columns(dates, np.array([False, False, False, True])).tolist()
    [[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]
    """
    day_of_month = (np.asarray(dates, dtype="M8[D]") - np.asarray(dates, dtype="M8[M]").astype("M8[D]")).astype(int) + 1
    return np.column_stack([day_of_month <= 3, np.asarray(gap_before, dtype=bool)]).astype(float)


def _gap_variance(phi: float, gaps: np.ndarray) -> np.ndarray:
    """``1 + phi^2 + ... + phi^(2(g-1))`` for each gap ``g`` >= 1 (stable as phi -> 1)."""
    phi2 = phi * phi
    if abs(1.0 - phi2) < 1e-12:
        return gaps.astype(float)
    return (1.0 - phi2 ** gaps) / (1.0 - phi2)


def _transform(phi: float, z: np.ndarray, X: np.ndarray, position: np.ndarray):
    gaps = np.diff(position)
    scale = np.sqrt(_gap_variance(phi, gaps))
    decay = phi ** gaps
    first = np.sqrt(max(1.0 - phi * phi, 1e-6))
    zt = np.concatenate([[first * z[0]], (z[1:] - decay * z[:-1]) / scale])
    Xt = np.vstack([first * X[:1], (X[1:] - decay[:, None] * X[:-1]) / scale[:, None]])
    log_jacobian = np.log(first) - np.log(scale).sum()
    return zt, Xt, log_jacobian


def _profile_loglik(phi: float, z, X, position) -> tuple[float, np.ndarray, float, np.ndarray]:
    zt, Xt, log_jacobian = _transform(phi, z, X, position)
    beta, *_ = np.linalg.lstsq(Xt, zt, rcond=None)
    resid = zt - Xt @ beta
    sigma2 = max(float(resid @ resid) / len(z), 1e-12)
    loglik = -0.5 * len(z) * np.log(sigma2) + log_jacobian
    return loglik, beta, sigma2, Xt


@dataclass(frozen=True, eq=False)
class DailyFit:
    """A fitted daily-level model: coefficients, their covariance, ``phi``, ``sigma2`` and the last residual."""

    beta: np.ndarray
    cov_beta: np.ndarray
    phi: float
    sigma2: float
    last_position: int
    last_x: np.ndarray
    last_resid: float

    def predict(self, x: np.ndarray, position: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of ``z`` [log contacts per day] on future open days.

        Parameters
        ----------
        x : numpy.ndarray
            ``(h, k)`` regressors of the future days.
        position : numpy.ndarray
            ``(h,)`` open-day positions, after :attr:`last_position`.
        """
        gaps = np.asarray(position) - self.last_position
        decay = self.phi ** gaps
        mean = x @ self.beta + decay * self.last_resid
        contrast = x - decay[:, None] * self.last_x[None, :]
        parameter = np.einsum("ij,jk,ik->i", contrast, self.cov_beta, contrast)
        return mean, self.sigma2 * _gap_variance(self.phi, gaps) + parameter


def fit_daily(z: np.ndarray, X: np.ndarray, *, ar: bool = True) -> DailyFit:
    """Fit ``z = X beta + u`` with AR(1) errors ``u`` over open-day positions; NaN ``z`` are gaps.

    Parameters
    ----------
    z : numpy.ndarray
        ``(n,)`` log daily totals [log contacts], NaN where the day is unknown.
    X : numpy.ndarray
        ``(n, k)`` regressors (weekday indicators, event shares).
    ar : bool
        Estimate ``phi``; ``False`` fixes ``phi = 0`` (independent days).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> u = np.zeros(400)
    >>> for t in range(1, 400):
    ...     u[t] = 0.7 * u[t - 1] + rng.normal(0, 0.05)
    >>> fit = fit_daily(10 + u, np.ones((400, 1)))
    >>> round(fit.phi, 2), round(float(np.corrcoef(u[1:], u[:-1])[0, 1]), 2)  # the MLE tracks the sample
    (0.54, 0.54)
    """
    z = np.asarray(z, dtype=float)
    X = np.asarray(X, dtype=float)
    position = np.flatnonzero(np.isfinite(z))
    if position.size == 0:
        raise ValueError("no finite daily totals to fit")
    zo, Xo = z[position], X[position]
    phi = 0.0
    if ar and position.size >= X.shape[1] + 5:
        result = optimize.minimize_scalar(lambda p: -_profile_loglik(p, zo, Xo, position)[0],
                                          bounds=_PHI_BOUNDS, method="bounded", options={"xatol": 1e-3})
        phi = float(result.x)
    _, beta, sigma2, Xt = _profile_loglik(phi, zo, Xo, position)
    dof = max(position.size - np.linalg.matrix_rank(Xt), 1)
    sigma2 = sigma2 * position.size / dof
    cov = sigma2 * np.linalg.pinv(Xt.T @ Xt)
    last = position[-1]
    return DailyFit(beta=beta, cov_beta=cov, phi=phi, sigma2=sigma2, last_position=int(last),
                    last_x=X[last], last_resid=float(z[last] - X[last] @ beta))
