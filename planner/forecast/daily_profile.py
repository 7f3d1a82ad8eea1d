"""The default model: a forecast daily level spread over a weekday-specific intraday profile.

``offered[day, slot] = level[day] * profile[weekday, slot]``: the level is the daily total,
modelled on the log scale with weekday and event effects and AR(1) errors
(:mod:`planner.forecast.daily`); the profile is each weekday's exponentially weighted share of
the day in each interval, shrunk towards the all-weekday profile (:mod:`planner.forecast.profile`).
Learned events move both the level (a log-scale coefficient per kind) and the shape (a ratio per
slot). Counts are gamma-Poisson given the forecast (:mod:`planner.forecast.intervals`): the level's
lognormal forecast error times the day-to-day variation of the shares, on top of Poisson noise.

This is the structure the call-center literature converges on: Weinberg, Brown & Stroud (2007,
JASA 102: 1185-1198), Shen & Huang (2008, Ann. Appl. Stat. 2: 601-623), Taylor (2008, Management
Science 54: 253-265), Ibrahim, Ye, L'Ecuyer & Shen (2016, Int. J. Forecasting 32: 865-874).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.errors import InputError
from planner.forecast.daily import CALENDAR_EFFECTS, MIN_CALENDAR_DAYS, DailyFit, calendar_columns, fit_daily
from planner.forecast.intervals import combined_dispersion, negative_binomial_interval, rate_shape
from planner.forecast.profile import profile_pass
from planner.forecast.protocol import Panel, Prediction, check_levels, weekday_of

__all__ = ["DailyProfile", "FittedDailyProfile"]


def _number(name: str, value, *, low: float, low_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) \
            or value < low or (low_open and value == low):
        raise InputError(f"{name}: expected a number {'>' if low_open else '>='} {low:g}, got {value!r}")
    return float(value)


@dataclass(frozen=True, eq=False)
class FittedDailyProfile:
    """:class:`DailyProfile` fitted to one channel (plain arrays; picklable)."""

    last_date: np.datetime64
    n_days: int
    open: np.ndarray
    profiles: np.ndarray
    daily: DailyFit
    weekday_column: np.ndarray
    kinds: tuple[str, ...]
    kind_column: np.ndarray
    event_shape: np.ndarray
    dispersion: float
    calendar_column: np.ndarray
    last_seen: bool

    def _design(self, weekday: np.ndarray, events: np.ndarray, dates: np.ndarray) -> np.ndarray:
        n_weekdays = int(self.weekday_column.max(initial=-1)) + 1
        X = np.zeros((len(weekday), len(self.daily.beta)))
        known = self.weekday_column[weekday] >= 0
        X[np.flatnonzero(known), self.weekday_column[weekday[known]]] = 1.0
        X[~known, :n_weekdays] = 1.0 / max(n_weekdays, 1)  # a weekday never seen: the average weekday
        for k, column in enumerate(self.kind_column):
            if column >= 0:
                X[:, column] = events[k]
        gap_before = np.zeros(len(dates), bool)
        gap_before[0] = not self.last_seen
        effects = calendar_columns(dates, gap_before)
        for k, column in enumerate(self.calendar_column):
            if column >= 0:
                X[:, column] = effects[:, k]
        return X

    def level(self, h: int, events: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Future dates, and mean and variance of the log daily level [log contacts], of ``h`` open days."""
        events = np.zeros((len(self.kinds), h)) if events is None else events
        dates = Panel(np.zeros((1, self.open.shape[1])), np.array([self.last_date]), self.open, 1.0).future_dates(h)
        position = self.n_days + np.arange(h)
        z_mean, z_var = self.daily.predict(self._design(weekday_of(dates), events, dates), position)
        return dates, z_mean, z_var

    def predict(self, h: int, *, events: np.ndarray | None = None, level=0.8) -> Prediction:
        """Forecast the next ``h`` open days; ``events`` is ``(n_kinds, h)`` shares of each day.

        Returns a :class:`~planner.forecast.protocol.Prediction` of contacts per interval.
        """
        levels = check_levels(level)
        if isinstance(h, bool) or not isinstance(h, (int, np.integer)) or h < 1:
            raise InputError(f"h: expected a whole number of days >= 1, got {h!r}")
        events = np.zeros((len(self.kinds), h)) if events is None else np.asarray(events, dtype=float)
        if events.shape != (len(self.kinds), h):
            raise InputError(f"events: expected shape ({len(self.kinds)}, {h}) for kinds {self.kinds}, "
                             f"got {events.shape}")
        dates, z_mean, z_var = self.level(h, events)
        weekday = weekday_of(dates)
        level_mean = np.exp(z_mean + z_var / 2.0)
        shape = self.profiles[weekday].copy()
        for k in range(len(self.kinds)):
            shape *= 1.0 + events[k][:, None] * (self.event_shape[k][None, :] - 1.0)
        shape = np.where(self.open[weekday], shape, 0.0)
        shape /= np.maximum(shape.sum(axis=1, keepdims=True), 1e-300)
        mean = level_mean[:, None] * shape
        c = combined_dispersion(z_var, self.dispersion)[:, None]
        lo, hi = {}, {}
        for value in levels:
            lo[value], hi[value] = negative_binomial_interval(mean, c, value)
        return Prediction(dates=dates, mean=mean, lo=lo, hi=hi, rate_shape=np.broadcast_to(rate_shape(c), mean.shape),
                          day_log_var=z_var)


@dataclass(frozen=True)
class DailyProfile:
    """Daily level (log total, weekday and event effects, AR(1)) x weekday intraday profile.

    Parameters
    ----------
    profile_half_life_weeks : float
        Half-life of the intraday profile's exponential weights [weeks], > 0.
    profile_shrink_days : float
        Prior weight [days] of the all-weekday profile in each weekday's profile, >= 0.
    smooth_minutes : float
        Half-width of the triangular smoothing of the profiles across neighbouring slots [min];
        rounded down to whole slots (10 minutes smooths 5-minute data over 2 slots each side and
        leaves 15-minute data alone).
    ar : bool
        AR(1) errors in the daily level (short-term dependence); ``False`` for independent days.
    window_days : int
        Most recent calendar days of history used [days], >= 14.
    calendar : bool
        Learn the calendar effects of :func:`~planner.forecast.daily.calendar_columns` (start of
        month, first day after a closure) on the daily level, each once at least
        ``MIN_CALENDAR_DAYS`` observed days have it and lack it.

    Examples
    --------
    >>> dates = np.arange(np.datetime64("2026-07-06"), np.datetime64("2026-08-03"))
    >>> y = np.tile([10.0, 30.0], (28, 1)) * (1 + (np.arange(28) % 7 == 0))[:, None]
    >>> fitted = DailyProfile().fit(Panel(y, dates, np.ones((7, 2), bool), 43200.0))
    >>> fitted.predict(2).mean.round(6).tolist()
    [[20.0, 60.0], [10.0, 30.0]]
    """

    profile_half_life_weeks: float = 8.0
    profile_shrink_days: float = 1.0
    smooth_minutes: float = 10.0
    ar: bool = True
    window_days: int = 400
    calendar: bool = True

    #: Observed days the model needs [days]: seven, one of each weekday for its weekday effects
    #: (measured on the sample: with 7 to 14 days it still beats the week average; with fewer
    #: observed days :func:`planner.forecast.forecast` falls back to the week-average baseline).
    MIN_DAYS = 7

    def __post_init__(self):
        _number("profile_half_life_weeks", self.profile_half_life_weeks, low=0.0, low_open=True)
        _number("profile_shrink_days", self.profile_shrink_days, low=0.0)
        _number("smooth_minutes", self.smooth_minutes, low=0.0)
        for name in ("ar", "calendar"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(f"{name}: expected true or false, got {getattr(self, name)!r}")
        if isinstance(self.window_days, bool) or not isinstance(self.window_days, int) or self.window_days < 14:
            raise InputError(f"window_days: expected a whole number of days >= 14, got {self.window_days!r}")

    def fit(self, panel: Panel) -> FittedDailyProfile:
        """Fit to one channel's :class:`~planner.forecast.protocol.Panel`."""
        keep = panel.dates > panel.dates[-1] - self.window_days if len(panel.dates) else np.zeros(0, bool)
        y, dates, weekday, events = panel.y[keep], panel.dates[keep], panel.weekday[keep], panel.events[:, keep]
        result = profile_pass(y, dates, weekday, panel.open, half_life_weeks=self.profile_half_life_weeks,
                              shrink_days=self.profile_shrink_days, smooth_slots=int(self.smooth_minutes * 60 // panel.interval_s),
                              events=events)
        z = np.log(result.totals)
        seen = np.isfinite(z)
        if not seen.any():
            raise InputError("history: no day with contacts to fit; the channel needs at least one open day")
        weekday_column = np.full(7, -1)
        present = np.unique(weekday[seen])
        weekday_column[present] = np.arange(len(present))
        kind_column = np.full(len(panel.kinds), -1)
        occurs = np.flatnonzero((events[:, seen] > 0).any(axis=1))
        kind_column[occurs] = len(present) + np.arange(len(occurs))
        gap_before = np.concatenate([[False], ~seen[:-1]])
        effects = calendar_columns(dates, gap_before)
        have = (effects[seen] > 0).sum(axis=0)
        use = self.calendar & (have >= MIN_CALENDAR_DAYS) & (seen.sum() - have >= MIN_CALENDAR_DAYS)
        calendar_column = np.full(len(CALENDAR_EFFECTS), -1)
        calendar_column[use] = len(present) + len(occurs) + np.arange(use.sum())
        X = np.zeros((len(z), len(present) + len(occurs) + use.sum()))
        X[np.arange(len(z)), np.maximum(weekday_column[weekday], 0)] = weekday_column[weekday] >= 0
        X[:, len(present):len(present) + len(occurs)] = events[occurs].T
        X[:, len(present) + len(occurs):] = effects[:, use]
        daily = fit_daily(z, X, ar=self.ar)
        return FittedDailyProfile(last_date=dates[-1], n_days=len(dates), open=panel.open,
                                  profiles=result.profiles, daily=daily, weekday_column=weekday_column,
                                  kinds=panel.kinds, kind_column=kind_column, event_shape=result.event_shape,
                                  dispersion=result.dispersion, calendar_column=calendar_column,
                                  last_seen=bool(seen[-1]))
