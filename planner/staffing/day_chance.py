"""Per day: the probability that the day's service level meets its target, days sharing their error.

The forecast's rate of an interval is the day's level times the interval's own share, both
uncertain (:mod:`planner.forecast.intervals`): the day's level error is shared by all the day's
intervals (the AR(1) daily model's lognormal error, ``day_log_var``), the share's error is each
interval's own. A daily statement, "P(the day's service level >= 80 %)", must therefore draw the
day factor and the interval factors jointly: with independent intervals the day's errors would
average out and the probability would be far too confident (``tests/test_uncertainty.py``).
See ``docs/design.md`` (staffing to the forecast's uncertainty).
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["day_probability"]


def day_probability(model, agents, shape, day_log_var, day, *, draws: int = 256, seed: int = 0):
    """``P(the day's service level >= target)`` per day, drawing the day factor and interval factors jointly.

    The rate of interval ``i`` on day ``d`` is the forecast times ``U_d V_i``: ``U_d`` lognormal with
    mean 1 and log variance ``day_log_var`` (shared by the day's intervals), ``V_i`` gamma with mean
    1 and the rest of the rate's spread, ``(1 + 1/k) / exp(day_log_var) - 1`` (the forecast's
    ``rate_shape`` ``k`` is their product matched to a gamma). The day's service level is the
    volume-weighted mean over its intervals. ``U`` is drawn stratified (one draw per ``1/draws``
    of probability), ``V`` at random.

    Parameters
    ----------
    model : adaptor
        The channel's model (:func:`planner.staffing.rules.erlang_c_model`, ...): its ``load``,
        ``target`` and ``sl(n, x, rows)``.
    agents : array_like
        Staff per interval [agents].
    shape, day_log_var : array_like
        The forecast's ``rate_shape`` [-] and ``day_log_var`` [log^2] per interval.
    day : array_like of int
        Day number of each interval (0, 1, ...), e.g. from the local date.
    draws : int
        Joint draws per day.
    seed : int
        Seed of the random draws.

    Returns
    -------
    numpy.ndarray
        One probability per day number (NaN where a day lacks ``day_log_var`` or ``rate_shape``).

    Examples
    --------
    A day of 40 equal intervals, all of the rate's spread in the day factor: the day meets the
    target as often as one interval does.

    >>> from planner.staffing.rules import erlang_c_model, outcomes
    >>> model = erlang_c_model(np.full(40, 30.0), 240.0, threshold_s=20.0, target=0.8)
    >>> shape, s2 = np.full(40, 1.0 / np.expm1(0.01)), np.full(40, 0.01)
    >>> day = day_probability(model, np.full(40, 37), shape, s2, np.zeros(40, int), draws=1000)
    >>> one = outcomes(model, np.full(40, 37), shape)[1][0]
    >>> bool(abs(day[0] - one) < 0.05)
    True
    """
    day = np.asarray(day, dtype=np.int64)
    n_days = int(day.max(initial=-1)) + 1
    out = np.full(n_days, np.nan)
    shape = np.asarray(shape, dtype=float)
    s2 = np.asarray(day_log_var, dtype=float)
    usable = np.isfinite(s2) & ~np.isnan(shape)
    missing = np.bincount(day[~usable], minlength=n_days) > 0
    rows = np.flatnonzero(usable & (model.load > 0))
    if not rows.size:
        return np.where(missing, np.nan, 1.0)
    rng = np.random.default_rng(seed)
    u = (np.arange(draws)[:, None] + rng.random((draws, n_days))) / draws
    for column in range(n_days):  # one permutation per day: the strata pair with the V draws at random
        u[:, column] = rng.permutation(u[:, column])
    sigma = np.sqrt(np.maximum(s2[rows], 0.0))
    z = special.ndtri(u[:, day[rows]])
    level = np.exp(sigma * z - 0.5 * sigma**2)
    with np.errstate(divide="ignore"):
        c_slot = np.maximum((1.0 + 1.0 / shape[rows]) / np.exp(s2[rows]) - 1.0, 0.0)
    spread = np.ones((draws, rows.size))
    noisy = c_slot > 1e-12
    spread[:, noisy] = rng.gamma(1.0 / c_slot[noisy], c_slot[noisy], size=(draws, int(noisy.sum())))
    x = level * spread
    n = np.broadcast_to(np.asarray(agents, dtype=float)[rows], x.shape).ravel()
    sl = model.sl(n, x.ravel(), np.tile(rows, draws)).reshape(x.shape)
    volume = model.load[rows] * x
    met = np.zeros(n_days)
    days = day[rows]
    for d in np.unique(days):  # one vectorised sum per day (a loop over days, not intervals)
        cols = days == d
        served = (volume[:, cols] * sl[:, cols]).sum(axis=1) / volume[:, cols].sum(axis=1)
        met[d] = np.mean(served >= model.target[rows][cols][0])
    out = np.where(np.bincount(days, minlength=n_days) > 0, met, 1.0)
    return np.where(missing, np.nan, out)
