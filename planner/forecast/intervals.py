"""Prediction intervals for contact counts: gamma-Poisson (negative binomial) and empirical.

Arrivals in an interval are Poisson given their rate, and the rate itself is uncertain: the day's
level is forecast with an error (lognormal), and the share of the day that falls in an interval
varies from day to day (overdispersion). With both factors mean-one and independent, the rate is
``m * U * V`` with ``Var U = c_day`` and ``Var V = c_slot``; matching a gamma to it gives a
negative binomial count with ``Var Y = m + c m^2``, ``c = (1 + c_day)(1 + c_slot) - 1``
(Jongbloed & Koole 2001, "Managing uncertainty in call centres using Poisson mixtures", Applied
Stochastic Models in Business and Industry 17: 307-318).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["combined_dispersion", "rate_shape", "negative_binomial_interval", "empirical_interval",
           "scaled_residual_quantiles"]

#: Below this squared coefficient of variation the count is taken as Poisson.
_POISSON_C = 1e-9


def combined_dispersion(day_log_var, slot_dispersion) -> np.ndarray:
    """Squared coefficient of variation ``c`` of the rate from a lognormal day factor and a slot factor.

    Parameters
    ----------
    day_log_var : array_like
        Variance of the log of the day's level [log^2]; the lognormal factor has
        ``Var U = exp(day_log_var) - 1``.
    slot_dispersion : array_like
        Squared coefficient of variation of the interval's share of the day, ``Var V``.

    Examples
    --------
    >>> round(float(combined_dispersion(0.0, 0.01)), 12), round(float(combined_dispersion(0.01, 0.0)), 6)
    (0.01, 0.01005)
    """
    c_day = np.expm1(np.asarray(day_log_var, dtype=float))
    return (1.0 + c_day) * (1.0 + np.asarray(slot_dispersion, dtype=float)) - 1.0


def rate_shape(dispersion) -> np.ndarray:
    """Gamma shape ``1 / c`` of the arrival rate whose squared coefficient of variation is ``c``.

    The negative binomial count of :func:`negative_binomial_interval` is Poisson given a rate that
    is gamma with mean ``mean`` and shape ``1 / c`` (Jongbloed & Koole 2001); below ``c = 1e-9``
    the rate is taken as known (``inf``), as the intervals take the count as Poisson.

    Parameters
    ----------
    dispersion : array_like
        Squared coefficient of variation of the rate, ``c`` >= 0 [-].

    Examples
    --------
    >>> rate_shape([0.01, 0.0]).tolist()
    [100.0, inf]
    """
    c = np.asarray(dispersion, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(c < _POISSON_C, np.inf, 1.0 / np.maximum(c, _POISSON_C))


def negative_binomial_interval(mean, dispersion, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Central ``level`` interval of a count with mean ``mean`` and variance ``mean + dispersion * mean^2``.

    Parameters
    ----------
    mean : array_like
        Expected contacts per interval [contacts], >= 0.
    dispersion : array_like
        Squared coefficient of variation of the rate (0 gives Poisson), broadcast against ``mean``.
    level : float
        Coverage [fraction], e.g. 0.8 for the 10% and 90% quantiles.

    Returns
    -------
    (lo, hi) : tuple of numpy.ndarray
        Integer-valued bounds [contacts] with ``P(lo <= Y <= hi) >= level``.

    Examples
    --------
    >>> lo, hi = negative_binomial_interval([100.0], 0.0, 0.95)
    >>> lo.tolist(), hi.tolist()
    ([81.0], [120.0])
    """
    mean = np.asarray(mean, dtype=float)
    c = np.broadcast_to(np.asarray(dispersion, dtype=float), mean.shape)
    tail = (1.0 - level) / 2.0
    lo, hi = np.zeros(mean.shape), np.zeros(mean.shape)
    positive = mean > 0
    poisson = positive & (c < _POISSON_C)
    mixed = positive & ~poisson
    if poisson.any():
        lo[poisson] = stats.poisson.ppf(tail, mean[poisson])
        hi[poisson] = stats.poisson.ppf(1.0 - tail, mean[poisson])
    if mixed.any():
        n = 1.0 / c[mixed]
        p = n / (n + mean[mixed])
        lo[mixed] = stats.nbinom.ppf(tail, n, p)
        hi[mixed] = stats.nbinom.ppf(1.0 - tail, n, p)
    return lo, hi


def scaled_residual_quantiles(actual, fitted, level: float) -> tuple[float, float]:
    """Quantiles of in-sample residuals scaled by ``sqrt(max(fitted, 1))`` (Poisson-like scaling).

    Returns the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles; (0, 0) without residuals.

    >>> scaled_residual_quantiles([1.0, 4.0], [1.0, 4.0], 0.8)
    (0.0, 0.0)
    """
    actual, fitted = np.asarray(actual, dtype=float).ravel(), np.asarray(fitted, dtype=float).ravel()
    keep = np.isfinite(actual) & np.isfinite(fitted)
    if not keep.any():
        return 0.0, 0.0
    scaled = (actual[keep] - fitted[keep]) / np.sqrt(np.maximum(fitted[keep], 1.0))
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(scaled, [tail, 1.0 - tail])
    return float(low), float(high)


def empirical_interval(mean, quantiles: tuple[float, float], steps) -> tuple[np.ndarray, np.ndarray]:
    """Interval from scaled residual quantiles, widened by ``sqrt(steps)`` for ``steps`` seasons ahead.

    Parameters
    ----------
    mean : array_like
        Point forecasts [contacts].
    quantiles : (float, float)
        Lower and upper quantiles of the scaled residuals (:func:`scaled_residual_quantiles`).
    steps : array_like
        Seasons (weeks) ahead, >= 1, broadcast against ``mean`` (a random walk's sqrt growth).

    >>> lo, hi = empirical_interval([100.0], (-1.0, 2.0), 4)
    >>> lo.tolist(), hi.tolist()
    ([80.0], [140.0])
    """
    mean = np.asarray(mean, dtype=float)
    scale = np.sqrt(np.maximum(mean, 1.0)) * np.sqrt(np.asarray(steps, dtype=float))
    return np.maximum(mean + quantiles[0] * scale, 0.0), np.maximum(mean + quantiles[1] * scale, 0.0)
