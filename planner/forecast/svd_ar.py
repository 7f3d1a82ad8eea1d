"""SVD-AR: the days x intervals matrix reduced to a few day scores, each forecast by a regression.

Shen & Huang (2008) write a day's square-root counts as a sum of a few intraday shapes (the
leading right singular vectors of the days x intervals matrix of ``sqrt(count + 1/4)``) weighted
by day scores, and forecast each score series. Here each score follows the daily model of
:mod:`planner.forecast.daily`: weekday, event and calendar effects with AR(1) errors over the
open-day positions (missing days are gaps, not filled), so a future event moves its own day only.
The forecast is squared back with the variance correction ``E[Y] = m^2 + s^2 - 1/4`` (for Poisson
counts the square root has variance about 1/4; Brown et al. 2005, JASA 100: 36-50).

References
----------
H. Shen and J. Z. Huang (2008), "Forecasting time series of inhomogeneous Poisson processes with
application to call center workforce management", Ann. Appl. Stat. 2: 601-623.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.errors import InputError
from planner.forecast.daily import MIN_CALENDAR_DAYS, calendar_columns, fit_daily
from planner.forecast.protocol import Panel, weekday_of

__all__ = ["SvdAr", "FittedSvdAr"]


@dataclass(frozen=True, eq=False)
class FittedSvdAr:
    """:class:`SvdAr` fitted to one channel: components, score models and the design's layout."""

    last_date: np.datetime64
    n_days: int
    open: np.ndarray
    slots: np.ndarray
    basis: np.ndarray
    fits: tuple
    weekday_column: np.ndarray
    kind_column: np.ndarray
    calendar_column: np.ndarray
    last_seen: bool
    width: int
    noise_var: np.ndarray

    def _design(self, dates: np.ndarray, events: np.ndarray) -> np.ndarray:
        weekday = weekday_of(dates)
        X = np.zeros((len(dates), self.width))
        known = self.weekday_column[weekday] >= 0
        X[np.flatnonzero(known), self.weekday_column[weekday[known]]] = 1.0
        n_weekdays = int(self.weekday_column.max(initial=-1)) + 1
        X[~known, :n_weekdays] = 1.0 / max(n_weekdays, 1)
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

    def mean(self, h: int, events: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Future dates and ``(h, n_slots)`` expected contacts per interval [contacts]."""
        events = np.zeros((len(self.kind_column), h)) if events is None else events
        dates = Panel(np.zeros((1, self.open.shape[1])), np.array([self.last_date]), self.open, 1.0).future_dates(h)
        X = self._design(dates, events)
        position = self.n_days + np.arange(h)
        root = np.zeros((h, len(self.slots)))
        variance = np.zeros((h, len(self.slots)))
        for fit, component in zip(self.fits, self.basis):
            score, score_var = fit.predict(X, position)
            root += score[:, None] * component[None, :]
            variance += score_var[:, None] * component[None, :] ** 2
        out = np.zeros((h, self.open.shape[1]))
        # E[Y] = E[R^2] - 1/4, Var R = the scores' forecast variance + the residual noise (~1/4, Poisson)
        out[:, self.slots] = np.maximum(np.maximum(root, 0.0) ** 2 + variance + self.noise_var - 0.25, 0.0)
        return dates, np.where(self.open[weekday_of(dates)], out, 0.0)


@dataclass(frozen=True)
class SvdAr:
    """Shen & Huang (2008) SVD-AR: leading intraday components, AR(1) regressions on the day scores.

    Parameters
    ----------
    components : int
        Singular vectors kept, >= 1 (fewer when the history has fewer days).
    window_days : int
        Most recent calendar days of history used [days], >= 14.

    Examples
    --------
    >>> dates = np.arange(np.datetime64("2026-06-01"), np.datetime64("2026-07-13"))
    >>> y = np.tile([10.0, 30.0], (42, 1)) * (1 + (np.arange(42) % 7 == 0))[:, None]
    >>> fitted = SvdAr().fit(Panel(y, dates, np.ones((7, 2), bool), 43200.0))
    >>> fitted.mean(2)[1].round(6).tolist()  # an exactly weekly-periodic series, forecast exactly
    [[20.0, 60.0], [10.0, 30.0]]
    """

    components: int = 8
    window_days: int = 400

    #: Fully observed days the model needs: below this it cannot be fitted (use another model).
    MIN_DAYS = 15

    def __post_init__(self):
        if isinstance(self.components, bool) or not isinstance(self.components, int) or self.components < 1:
            raise InputError(f"components: expected a whole number >= 1, got {self.components!r}")
        if isinstance(self.window_days, bool) or not isinstance(self.window_days, int) or self.window_days < 14:
            raise InputError(f"window_days: expected a whole number of days >= 14, got {self.window_days!r}")

    def fit(self, panel: Panel) -> FittedSvdAr:
        """Fit to one channel's :class:`~planner.forecast.protocol.Panel`."""
        keep = panel.dates > panel.dates[-1] - self.window_days if len(panel.dates) else np.zeros(0, bool)
        y, dates, weekday, events = panel.y[keep], panel.dates[keep], panel.weekday[keep], panel.events[:, keep]
        slots = np.flatnonzero(panel.open.any(axis=0))
        cells = np.where(panel.open[weekday][:, slots], y[:, slots], 0.0)
        seen = np.isfinite(cells).all(axis=1) & (np.nansum(cells, axis=1) > 0)
        if seen.sum() < self.MIN_DAYS:
            raise InputError(f"history: the SVD-AR model needs {self.MIN_DAYS} fully observed days, "
                             f"got {int(seen.sum())}")
        root = np.sqrt(cells[seen] + 0.25)
        u, s, vt = np.linalg.svd(root, full_matrices=False)
        k = min(self.components, int((s > s[0] * 1e-10).sum()))
        scores = np.full((len(dates), k), np.nan)
        scores[seen] = u[:, :k] * s[:k]
        weekday_column = np.full(7, -1)
        present = np.unique(weekday[seen])
        weekday_column[present] = np.arange(len(present))
        occurs = np.flatnonzero((events[:, seen] > 0).sum(axis=1) >= 1)
        kind_column = np.full(len(panel.kinds), -1)
        kind_column[occurs] = len(present) + np.arange(len(occurs))
        effects = calendar_columns(dates, np.concatenate([[False], ~seen[:-1]]))
        have = (effects[seen] > 0).sum(axis=0)
        use = (have >= MIN_CALENDAR_DAYS) & (seen.sum() - have >= MIN_CALENDAR_DAYS)
        calendar_column = np.full(effects.shape[1], -1)
        calendar_column[use] = len(present) + len(occurs) + np.arange(use.sum())
        width = len(present) + len(occurs) + int(use.sum())
        X = np.zeros((len(dates), width))
        X[np.arange(len(dates)), np.maximum(weekday_column[weekday], 0)] = weekday_column[weekday] >= 0
        X[:, len(present):len(present) + len(occurs)] = events[occurs].T
        X[:, len(present) + len(occurs):] = effects[:, use]
        fits = tuple(fit_daily(scores[:, j], X, ar=True) for j in range(k))
        noise_var = np.mean((root - scores[seen] @ vt[:k]) ** 2, axis=0)
        return FittedSvdAr(last_date=dates[-1], n_days=len(dates), open=panel.open, slots=slots,
                           basis=vt[:k], fits=fits, weekday_column=weekday_column, kind_column=kind_column,
                           calendar_column=calendar_column, last_seen=bool(seen[-1]), width=width,
                           noise_var=noise_var)
