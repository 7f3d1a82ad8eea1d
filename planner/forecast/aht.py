"""Average handle time per interval: a smoothed weekday x time-of-day profile from recent weeks.

Handle time varies by time of day (night calls are longer, lunch peaks shorter) far more than from
week to week, so the forecast is the handled-weighted mean AHT of each weekday and slot with
exponentially decaying weights, shrunk towards the all-weekday profile and smoothed over
neighbouring slots (Ibrahim et al. 2016, section 2, on the stability of service-time profiles).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.errors import InputError
from planner.forecast.protocol import weekday_of

__all__ = ["AhtProfile"]


def _smooth(values: np.ndarray, weights: np.ndarray, half_width: int) -> tuple[np.ndarray, np.ndarray]:
    if half_width <= 0:
        return values, weights
    kernel = np.concatenate([np.arange(1, half_width + 2), np.arange(half_width, 0, -1)]).astype(float)
    total = np.convolve(np.nan_to_num(values) * weights, kernel, mode="same")
    weight = np.convolve(weights, kernel, mode="same")
    return np.divide(total, weight, out=np.full_like(total, np.nan), where=weight > 0), weight


@dataclass(frozen=True)
class AhtProfile:
    """Weekday x slot AHT forecast [s].

    Parameters
    ----------
    half_life_weeks : float
        Half-life of the weights [weeks], > 0.
    shrink_days : float
        Prior weight of the all-weekday profile [days of the weekday's own data], >= 0.
    smooth_minutes : float
        Half-width of the triangular smoothing over neighbouring slots [min], >= 0.

    Examples
    --------
    >>> dates = np.arange(np.datetime64("2026-07-06"), np.datetime64("2026-07-20"))
    >>> aht = np.tile([300.0, 200.0], (14, 1))
    >>> AhtProfile(smooth_minutes=0).fit(aht, np.ones((14, 2)), dates, 43200.0)[0].round(9).tolist()
    [300.0, 200.0]
    """

    half_life_weeks: float = 8.0
    shrink_days: float = 2.0
    smooth_minutes: float = 30.0

    def __post_init__(self):
        for name, low_open in (("half_life_weeks", True), ("shrink_days", False), ("smooth_minutes", False)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) \
                    or value < 0 or (low_open and value == 0):
                raise InputError(f"aht.{name}: expected a number {'>' if low_open else '>='} 0, got {value!r}")

    def fit(self, aht_s: np.ndarray, weights: np.ndarray, dates: np.ndarray, interval_s: float) -> np.ndarray:
        """Return the ``(7, n_slots)`` AHT forecast [s] per weekday (Monday first) and slot.

        Parameters
        ----------
        aht_s : numpy.ndarray
            ``(n_days, n_slots)`` observed AHT [s]; NaN where unknown.
        weights : numpy.ndarray
            ``(n_days, n_slots)`` contacts handled (or offered) behind each AHT [contacts].
        dates : numpy.ndarray
            ``(n_days,)`` local dates (``datetime64[D]``).
        interval_s : float
            Interval length [s].

        Returns all-NaN when no AHT was observed.
        """
        seen = np.isfinite(aht_s) & np.isfinite(weights) & (weights > 0)
        if not seen.any():
            return np.full((7, aht_s.shape[1]), np.nan)
        age = (dates.max() - dates).astype(np.int64)
        decay = 0.5 ** (age / (7.0 * self.half_life_weeks))
        w = np.where(seen, weights, 0.0) * decay[:, None]
        v = np.where(seen, aht_s, 0.0)
        weekday = weekday_of(dates)
        pooled_w = w.sum(axis=0)
        pooled = np.divide((w * v).sum(axis=0), pooled_w, out=np.full(aht_s.shape[1], np.nan), where=pooled_w > 0)
        overall = float((w * v).sum() / w.sum())
        per_day = pooled_w / max(float(decay[seen.any(axis=1)].sum()), 1e-300)
        half_width = int(self.smooth_minutes * 60 // interval_s)
        out = np.empty((7, aht_s.shape[1]))
        for day in range(7):
            rows = weekday == day
            sw, sv = w[rows].sum(axis=0), (w[rows] * v[rows]).sum(axis=0)
            prior = self.shrink_days * per_day
            value = np.divide(sv + prior * np.nan_to_num(pooled), sw + prior, out=np.full_like(sv, np.nan),
                              where=(sw + prior) > 0)
            value, _ = _smooth(value, sw + prior, half_width)
            out[day] = np.where(np.isfinite(value), value, overall)
        return out
