"""Intraday profiles: the share of a day's contacts in each interval, per weekday, from recent weeks.

One pass over the days in order keeps exponentially weighted sums of each day's interval shares,
per weekday and pooled over weekdays. The profile of weekday ``w`` is its weighted mean share
shrunk towards the pooled profile (``shrink_days`` pseudo-days of prior weight), restricted to
the slots open on ``w`` and normalised to sum to one (Weinberg, Brown & Stroud 2007; Taylor 2008,
Management Science 54: 253-265, on exponentially weighted intraday profiles).

Because the pass forecasts each day's profile before it updates with that day, it also yields
out-of-sample residuals: the squared coefficient of variation of the interval counts beyond
Poisson, given the day's total (the overdispersion ``c_slot`` of :mod:`planner.forecast.intervals`),
and, for days with ``learn`` events, the ratio of the observed shape to the expected one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ProfilePass", "profile_pass", "smooth"]

#: A partly observed day counts when the observed slots hold at least this share of its profile.
_MIN_OBSERVED_SHARE = 0.5


@dataclass(frozen=True, eq=False)
class ProfilePass:
    """Result of :func:`profile_pass`.

    ``profiles`` ``(7, n_slots)`` [fraction per slot, rows sum to 1 on open weekdays];
    ``totals`` ``(n_days,)`` [contacts per day], NaN when unknown; ``dispersion`` (float, >= 0);
    ``event_shape`` ``(n_kinds, n_slots)`` multiplicative shape ratios of each event kind.
    """

    profiles: np.ndarray
    totals: np.ndarray
    dispersion: float
    event_shape: np.ndarray


def smooth(profile: np.ndarray, is_open: np.ndarray, half_width: int) -> np.ndarray:
    """Triangular moving average over neighbouring open slots, renormalised to sum to one.

    >>> smooth(np.array([0.0, 0.0, 1.0, 0.0, 0.0]), np.ones(5, bool), 1).round(3).tolist()
    [0.0, 0.25, 0.5, 0.25, 0.0]
    """
    if half_width <= 0 or not is_open.any():
        return profile
    kernel = np.concatenate([np.arange(1, half_width + 2), np.arange(half_width, 0, -1)]).astype(float)
    values = np.where(is_open, profile, 0.0)
    weight = np.convolve(is_open.astype(float), kernel, mode="same")
    out = np.where(is_open, np.convolve(values, kernel, mode="same") / np.maximum(weight, 1e-300), 0.0)
    total = out.sum()
    return out / total if total > 0 else out


def _profile(sums, weights, pooled_sums, pooled_weights, is_open, shrink_days) -> np.ndarray | None:
    if pooled_weights.max(initial=0.0) <= 0:
        return None
    pooled = np.divide(pooled_sums, pooled_weights, out=np.zeros_like(pooled_sums), where=pooled_weights > 0)
    shares = (sums + shrink_days * pooled) / np.maximum(weights + shrink_days, 1e-300)
    shares = np.where(is_open, shares, 0.0)
    total = shares.sum()
    return shares / total if total > 0 else None


def profile_pass(y: np.ndarray, dates: np.ndarray, weekday: np.ndarray, is_open: np.ndarray, *,
                 half_life_weeks: float, shrink_days: float, smooth_slots: int = 0,
                 events: np.ndarray | None = None, warmup_days: float = 2.0) -> ProfilePass:
    """Run the exponentially weighted profile recursion over a channel's days.

    Parameters
    ----------
    y : numpy.ndarray
        ``(n_days, n_slots)`` contacts per interval [contacts]; NaN where unknown.
    dates : numpy.ndarray
        ``(n_days,)`` local dates (``datetime64[D]``), increasing.
    weekday : numpy.ndarray
        ``(n_days,)`` weekday of each date (Monday = 0).
    is_open : numpy.ndarray
        ``(7, n_slots)`` bool, slots open per weekday.
    half_life_weeks : float
        Half-life of the weights [weeks]: a day this old counts half as much as today.
    shrink_days : float
        Prior weight of the pooled profile [days of the weekday's own data].
    smooth_slots : int
        Half-width of the triangular smoothing of the profiles [slots]; 0 for none.
    events : numpy.ndarray, optional
        ``(n_kinds, n_days)`` share of each day covered by ``learn`` events. Event days do not
        update the profiles; their shapes are averaged into ``event_shape``.
    warmup_days : float
        Weight a weekday's profile needs [days] before its residuals count towards the dispersion.

    Examples
    --------
    >>> dates = np.arange(np.datetime64("2026-07-06"), np.datetime64("2026-08-03"))
    >>> y = np.tile([10.0, 30.0], (28, 1))
    >>> result = profile_pass(y, dates, (np.arange(28) % 7), np.ones((7, 2), bool),
    ...                       half_life_weeks=4.0, shrink_days=1.0)
    >>> result.profiles[0].round(9).tolist(), result.totals[:2].tolist(), result.dispersion
    ([0.25, 0.75], [40.0, 40.0], 0.0)
    """
    n_days, n_slots = y.shape
    events = np.zeros((0, n_days)) if events is None else events
    decay_per_day = 0.5 ** (1.0 / (7.0 * half_life_weeks))
    sums, weights = np.zeros((7, n_slots)), np.zeros((7, n_slots))
    pooled_sums, pooled_weights = np.zeros(n_slots), np.zeros(n_slots)
    totals = np.full(n_days, np.nan)
    shape_sums = np.zeros((len(events), n_slots))
    shape_weights = np.zeros((len(events), n_slots))
    num = den = 0.0
    day_number = dates.astype(np.int64)
    for t in range(n_days):
        if t:
            decay = decay_per_day ** float(day_number[t] - day_number[t - 1])
            sums *= decay
            weights *= decay
            pooled_sums *= decay
            pooled_weights *= decay
        w = weekday[t]
        row = y[t]
        seen = is_open[w] & np.isfinite(row)
        if not seen.any():
            continue
        prior = _profile(sums[w], weights[w], pooled_sums, pooled_weights, is_open[w], shrink_days)
        if prior is not None:
            prior = smooth(prior, is_open[w], smooth_slots)
        if seen.sum() == is_open[w].sum():
            total = float(row[seen].sum())
        elif prior is not None and prior[seen].sum() >= _MIN_OBSERVED_SHARE:
            total = float(row[seen].sum() / prior[seen].sum())
        else:
            continue
        if not total > 0:
            continue
        totals[t] = total
        share = np.where(seen, row / total, 0.0)
        event_day = events[:, t] > 0
        if event_day.any():
            if prior is not None:
                ratio = np.divide(share, prior, out=np.ones(n_slots), where=seen & (prior > 0))
                shape_sums[event_day] += events[event_day, t, None] * np.where(seen, ratio, 0.0)
                shape_weights[event_day] += events[event_day, t, None] * seen
            continue
        if prior is not None and weights[w][is_open[w]].mean() >= warmup_days:
            rate = total * prior[seen]
            num += float(((row[seen] - rate) ** 2 - rate).sum())
            den += float((rate ** 2).sum())
        sums[w] += share
        weights[w] += seen
        pooled_sums += share
        pooled_weights += seen
    profiles = np.zeros((7, n_slots))
    for w in range(7):
        if is_open[w].any():
            estimate = _profile(sums[w], weights[w], pooled_sums, pooled_weights, is_open[w], shrink_days)
            if estimate is None:
                estimate = is_open[w] / is_open[w].sum()
            profiles[w] = smooth(estimate, is_open[w], smooth_slots)
    prior_weight = 0.25  # pseudo-days of 'no change' behind each event kind's shape
    event_shape = (shape_sums + prior_weight) / (shape_weights + prior_weight)
    dispersion = max(num / den, 0.0) if den > 0 else 0.0
    return ProfilePass(profiles=profiles, totals=totals, dispersion=dispersion, event_shape=event_shape)
