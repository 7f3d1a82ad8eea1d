"""The model protocol: a channel's history as a days x slots panel in, a prediction out.

Every forecast model is a frozen dataclass of hyperparameters (checked when it is built) with one
method, ``fit(panel) -> fitted``; the fitted object has ``predict(h, *, events=None, level=0.8)``
returning a :class:`Prediction`. The same spec fits any number of channels; the fitted objects are
plain picklable data (docs/design.md section 9).

Inside, a channel is a contiguous ``(n_days, n_slots)`` numpy matrix (statsforecast-style): one row
per local calendar day on which the channel is open, one column per interval of the local day
(``slot`` 0 at midnight, as :func:`planner.calendar.opening_hours` numbers them). Cells are
contacts offered [contacts per interval]; NaN means unknown (a missing or excluded day or
interval, or an interval that does not exist on a DST day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from planner.errors import InputError

__all__ = ["Panel", "Prediction", "ForecastModel", "FittedModel", "check_levels", "weekday_of"]


def weekday_of(dates: np.ndarray) -> np.ndarray:
    """Weekday (Monday = 0) of ``datetime64[D]`` dates.

    >>> weekday_of(np.array(["2026-07-06", "2026-07-12"], dtype="M8[D]")).tolist()
    [0, 6]
    """
    return ((np.asarray(dates, dtype="M8[D]").astype(np.int64) + 3) % 7).astype(np.int64)


@dataclass(frozen=True, eq=False)
class Panel:
    """One channel's history as a days x slots matrix.

    Parameters
    ----------
    y : numpy.ndarray
        ``(n_days, n_slots)`` contacts offered per interval [contacts]; NaN where unknown.
    dates : numpy.ndarray
        ``(n_days,)`` local dates (``datetime64[D]``), increasing: every calendar day from the first
        to the last of the history whose weekday has an open slot.
    open : numpy.ndarray
        ``(7, n_slots)`` bool, Monday first: the slots the channel is open on each weekday.
    interval_s : float
        Interval length [s].
    events : numpy.ndarray, optional
        ``(n_kinds, n_days)`` share of each day [fraction] covered by a ``learn`` event of each kind.
    kinds : tuple of str
        The event kinds, in the order of ``events``.

    Examples
    --------
    >>> panel = Panel(np.ones((3, 4)), np.array(["2026-07-06", "2026-07-07", "2026-07-08"], "M8[D]"),
    ...               np.ones((7, 4), bool), 21600.0)
    >>> panel.future_dates(2).astype(str).tolist()
    ['2026-07-09', '2026-07-10']
    """

    y: np.ndarray
    dates: np.ndarray
    open: np.ndarray
    interval_s: float
    events: np.ndarray | None = None
    kinds: tuple[str, ...] = ()
    weekday: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        y = np.asarray(self.y, dtype=float)
        dates = np.asarray(self.dates, dtype="M8[D]")
        is_open = np.asarray(self.open, dtype=bool)
        if y.ndim != 2 or y.shape[0] != dates.shape[0]:
            raise InputError(f"panel.y: expected (n_days, n_slots) with n_days = len(dates) = {len(dates)}, "
                             f"got shape {y.shape}")
        if is_open.shape != (7, y.shape[1]):
            raise InputError(f"panel.open: expected shape (7, {y.shape[1]}), got {is_open.shape}")
        if len(dates) > 1 and np.any(np.diff(dates.astype(np.int64)) <= 0):
            raise InputError("panel.dates: expected increasing dates")
        events = np.zeros((0, len(dates))) if self.events is None else np.asarray(self.events, dtype=float)
        if events.shape != (len(self.kinds), len(dates)):
            raise InputError(f"panel.events: expected shape ({len(self.kinds)}, {len(dates)}), got {events.shape}")
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "dates", dates)
        object.__setattr__(self, "open", is_open)
        object.__setattr__(self, "events", events)
        object.__setattr__(self, "kinds", tuple(self.kinds))
        object.__setattr__(self, "weekday", weekday_of(dates))

    @property
    def n_slots(self) -> int:
        """Intervals per local day (96 for 15 minutes)."""
        return self.y.shape[1]

    def future_dates(self, h: int) -> np.ndarray:
        """The ``h`` open days after the last day of the panel (``datetime64[D]``)."""
        days_open = self.open.any(axis=1)
        if not days_open.any():
            raise InputError("panel.open: the channel is never open; there is nothing to forecast")
        last = self.dates[-1] if len(self.dates) else np.datetime64("1970-01-01")
        candidates = last + np.arange(1, 7 * h + 8)
        return candidates[days_open[weekday_of(candidates)]][:h]

    def day_mask(self) -> np.ndarray:
        """``(n_days, n_slots)`` bool: the slot is open on that day's weekday."""
        return self.open[self.weekday]


@dataclass(frozen=True, eq=False)
class Prediction:
    """Point forecasts and central prediction intervals for ``h`` future open days.

    ``mean``, and each ``lo[level]``/``hi[level]``, are ``(h, n_slots)`` arrays of contacts per
    interval [contacts]; closed slots hold 0. ``dates`` are the local days (``datetime64[D]``).

    Models whose counts are a gamma mixture of Poisson rates also give the distribution of the
    rate (for staffing to the uncertainty, :mod:`planner.staffing.uncertainty`): ``rate_shape``
    ``(h, n_slots)``, the gamma shape of each interval's arrival rate (mean ``mean``; ``inf``: the
    rate is known), and ``day_log_var`` ``(h,)``, the variance of the log of each day's level
    factor, shared by the intervals of the day [log^2]. Models without them leave them ``None``.
    """

    dates: np.ndarray
    mean: np.ndarray
    lo: dict[float, np.ndarray]
    hi: dict[float, np.ndarray]
    rate_shape: np.ndarray | None = None
    day_log_var: np.ndarray | None = None


def check_levels(level) -> tuple[float, ...]:
    """Return prediction-interval levels as a tuple of fractions in (0, 1).

    >>> check_levels(0.8), check_levels([0.8, 0.95])
    ((0.8,), (0.8, 0.95))
    """
    levels = (level,) if np.ndim(level) == 0 else tuple(level)
    out = []
    for value in levels:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not 0 < value < 1:
            raise InputError(f"level: expected a coverage fraction in (0, 1) such as 0.8, got {value!r}")
        out.append(float(value))
    if not out:
        raise InputError("level: expected at least one coverage fraction such as 0.8")
    return tuple(out)


@runtime_checkable
class FittedModel(Protocol):
    """A model fitted to one channel: forecasts the next ``h`` open days."""

    def predict(self, h: int, *, events: np.ndarray | None = None,
                level: float | Sequence[float] = 0.8) -> Prediction:
        """Forecast ``h`` open days; ``events`` is ``(n_kinds, h)`` like :attr:`Panel.events`."""
        ...


@runtime_checkable
class ForecastModel(Protocol):
    """Hyperparameters in the constructor, data in :meth:`fit`."""

    def fit(self, panel: Panel) -> FittedModel:
        """Fit to one channel's panel and return the fitted model."""
        ...
