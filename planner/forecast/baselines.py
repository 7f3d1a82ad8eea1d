"""Baselines every accuracy table shows: the weekly seasonal naive and the N-week same-interval average.

Both forecast each interval from the same weekday and time of day in earlier weeks (Hyndman &
Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., section 5.2). Their prediction
intervals come from the quantiles of their own in-sample one-week-ahead errors, scaled by the
square root of the forecast (Poisson-like) and widened by the square root of the weeks ahead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.forecast.intervals import empirical_interval, scaled_residual_quantiles
from planner.forecast.protocol import Panel, Prediction, check_levels, weekday_of

__all__ = ["SeasonalNaive", "WeekAverage", "FittedBaseline"]


def _weekday_rows(panel: Panel):
    for weekday in range(7):
        rows = np.flatnonzero(panel.weekday == weekday)
        if rows.size:
            yield weekday, rows


@dataclass(frozen=True, eq=False)
class FittedBaseline:
    """A baseline fitted to one channel: the forecast row per weekday and its residual scale."""

    last_date: np.datetime64
    open: np.ndarray
    rows: np.ndarray
    actual: np.ndarray
    fitted: np.ndarray
    kinds: tuple[str, ...] = ()
    #: Open weekdays (Monday 0) with no observed day: forecast as the mean of the observed weekdays.
    unseen: tuple[int, ...] = ()

    def predict(self, h: int, *, events=None, level=0.8) -> Prediction:
        """Forecast the next ``h`` open days (``events`` are ignored: baselines know no events)."""
        levels = check_levels(level)
        panel_like = Panel(np.zeros((1, self.open.shape[1])), np.array([self.last_date]), self.open, 1.0)
        dates = panel_like.future_dates(h)
        weekday = weekday_of(dates)
        mean = np.where(self.open[weekday], self.rows[weekday], 0.0)
        steps = np.ceil((dates - self.last_date).astype(np.int64) / 7.0)[:, None]
        lo, hi = {}, {}
        for value in levels:
            q = scaled_residual_quantiles(self.actual, self.fitted, value)
            low, high = empirical_interval(mean, q, steps)
            lo[value], hi[value] = np.minimum(low, mean), np.maximum(high, mean)
        return Prediction(dates=dates, mean=mean, lo=lo, hi=hi)


def _fit(panel: Panel, method) -> FittedBaseline:
    if len(panel.dates) == 0:
        raise InputError("history: no days to fit; the channel needs at least one day of history")
    rows = np.zeros((7, panel.n_slots))
    seen = np.zeros(7, bool)
    fitted = np.full(panel.y.shape, np.nan)
    for weekday, index in _weekday_rows(panel):
        frame = pd.DataFrame(panel.y[index])
        estimate = method(frame)
        fitted[index[1:]] = estimate.to_numpy()[:-1]
        seen[weekday] = np.isfinite(estimate.to_numpy()[-1][panel.open[weekday]]).any()
        rows[weekday] = np.nan_to_num(estimate.to_numpy()[-1])
    unseen = panel.open.any(axis=1) & ~seen
    if unseen.any() and seen.any():  # an open weekday never observed (left out as an outage) is not closed
        rows[unseen] = rows[seen].mean(axis=0)
    return FittedBaseline(last_date=panel.dates[-1], open=panel.open, rows=rows,
                          actual=panel.y[panel.day_mask()], fitted=fitted[panel.day_mask()], kinds=panel.kinds,
                          unseen=tuple(int(day) for day in np.flatnonzero(unseen)))


@dataclass(frozen=True)
class SeasonalNaive:
    """Weekly seasonal naive: each interval is forecast by the same interval one week earlier.

    A missing week (holiday, outage) falls back to the latest earlier week with data.

    Examples
    --------
    >>> dates = np.arange(np.datetime64("2026-07-06"), np.datetime64("2026-07-20"))
    >>> y = np.tile([[1.0, 3.0]], (14, 1)) * (1 + np.arange(14) % 7)[:, None]
    >>> panel = Panel(y, dates, np.ones((7, 2), bool), 43200.0)
    >>> SeasonalNaive().fit(panel).predict(2).mean.tolist()
    [[1.0, 3.0], [2.0, 6.0]]
    """

    def fit(self, panel: Panel) -> FittedBaseline:
        """Fit to one channel's :class:`~planner.forecast.protocol.Panel`."""
        return _fit(panel, lambda frame: frame.ffill())


@dataclass(frozen=True)
class WeekAverage:
    """The mean of the same interval over the last ``weeks`` weeks with data (missing days are skipped).

    Parameters
    ----------
    weeks : int
        Weeks averaged [weeks], >= 1.

    Examples
    --------
    >>> dates = np.arange(np.datetime64("2026-07-06"), np.datetime64("2026-07-20"))
    >>> y = np.tile([[1.0, 3.0]], (14, 1)) * np.repeat([1.0, 3.0], 7)[:, None]
    >>> panel = Panel(y, dates, np.ones((7, 2), bool), 43200.0)
    >>> WeekAverage(weeks=2).fit(panel).predict(1).mean.tolist()
    [[2.0, 6.0]]
    """

    weeks: int = 4

    def __post_init__(self):
        if isinstance(self.weeks, bool) or not isinstance(self.weeks, int) or self.weeks < 1:
            raise InputError(f"weeks: expected a whole number of weeks >= 1, got {self.weeks!r}")

    def fit(self, panel: Panel) -> FittedBaseline:
        """Fit to one channel's :class:`~planner.forecast.protocol.Panel`."""
        def average(frame: pd.DataFrame) -> pd.DataFrame:
            seen = frame.dropna(how="all")
            return seen.rolling(self.weeks, min_periods=1).mean().reindex(frame.index).ffill()

        return _fit(panel, average)
