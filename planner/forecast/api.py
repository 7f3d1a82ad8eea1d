"""``forecast(history, horizon=...)``: the forecast frame from the history frame, channel by channel.

Each channel is an independent unit of work (:func:`forecast_channel`, a pure function of its
inputs), so a scenario can map it over a process pool (docs/design.md section 9).
"""

from __future__ import annotations

import warnings
from calendar import day_name

import numpy as np
import pandas as pd

from planner.calendar import opening_hours
from planner.errors import InputError, PlannerWarning
from planner.forecast.frames import channel_panel, future_grid, interval_s_of, slot_matrix
from planner.forecast.protocol import check_levels
from planner.forecast.spec import ModelSpec, resolve_spec
from planner.schema import HISTORY_REQUIRED

__all__ = ["forecast", "forecast_channel", "horizon_bounds", "ShortHistoryWarning", "ScaleWarning"]

FORECAST_COLUMNS = ("interval_start", "channel", "offered", "offered_lo", "offered_hi", "aht_s")
#: The distribution of the arrival rate, for staffing to the uncertainty (NaN: the model gives none).
RATE_COLUMNS = ("rate_shape", "day_log_var")


def _local(value, tz: str, name: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise InputError(f"horizon.{name}: expected a date or time such as 2026-07-06, got {value!r}") from None
    if stamp.tzinfo is None:
        return stamp.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    return stamp.tz_convert(tz)


def _plus(start: pd.Timestamp, duration: pd.Timedelta, tz: str) -> pd.Timestamp:
    """``start`` plus ``duration`` on the wall clock (28 days after a midnight is a midnight)."""
    return (start.tz_localize(None) + duration).tz_localize(tz, ambiguous=True, nonexistent="shift_forward")


def horizon_bounds(horizon, *, last: pd.Timestamp, interval_s: float, tz: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The ``[start, end)`` instants to forecast.

    ``horizon`` is a duration after the last history interval (``"28D"``, ``"6W"``, a number of
    days, a ``Timedelta``), a ``(start, end)`` pair (dates or local times; ``end`` exclusive), or a
    mapping / object with ``start`` and ``days`` or ``end`` (a scenario's ``Horizon``; no start
    means right after the history).

    >>> last = pd.Timestamp("2026-07-05 23:45", tz="Europe/London")
    >>> [str(t) for t in horizon_bounds("2D", last=last, interval_s=900.0, tz="Europe/London")]
    ['2026-07-06 00:00:00+01:00', '2026-07-08 00:00:00+01:00']
    """
    after = last + pd.Timedelta(seconds=interval_s)
    if isinstance(horizon, dict) or hasattr(horizon, "days") and hasattr(horizon, "start"):
        get = horizon.get if isinstance(horizon, dict) else lambda key, default=None: getattr(horizon, key, default)
        start = get("start")
        start = after if start is None else _local(start, tz, "start")
        if get("end") is not None:
            end = _local(get("end"), tz, "end")
        else:
            days = get("days")
            if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or days < 1:
                raise InputError(f"horizon.days: expected a whole number of days >= 1, got {days!r}")
            end = _plus(start, pd.Timedelta(days=int(days)), tz)
    elif isinstance(horizon, (tuple, list)):
        if len(horizon) != 2:
            raise InputError(f"horizon: expected (start, end), got {horizon!r}")
        start, end = _local(horizon[0], tz, "start"), _local(horizon[1], tz, "end")
    else:
        if isinstance(horizon, bool):
            raise InputError(f"horizon: expected a duration such as '28D', got {horizon!r}")
        try:
            duration = pd.Timedelta(days=horizon) if isinstance(horizon, (int, np.integer)) \
                else pd.Timedelta(horizon)
        except (TypeError, ValueError):
            raise InputError(f"horizon: expected a duration such as '28D' or '6W', or (start, end), "
                             f"got {horizon!r}") from None
        if duration < pd.Timedelta(days=1):
            raise InputError(f"horizon: {horizon!r} is shorter than a day; plans cover whole days: write a "
                             "duration with its unit, such as '7D' (7 days) or '6W'")
        start, end = after, _plus(after, duration, tz)
    if end <= start:
        raise InputError(f"horizon: the end ({end}) must be after the start ({start})")
    if start < after:
        first_day = after.normalize() if after == after.normalize() else after.normalize() + pd.Timedelta(days=1)
        raise InputError(f"horizon.start: {start:%Y-%m-%d %H:%M} is before the end of the history (its last interval "
                         f"starts {last:%Y-%m-%d %H:%M}); a plan starts after the history: start on or after "
                         f"{first_day:%Y-%m-%d}, or check the history file's dates and the year")
    return start, end


def _check_history(history: pd.DataFrame) -> None:
    if not isinstance(history, pd.DataFrame):
        raise InputError(f"history: expected a history frame (pandas.DataFrame), got {type(history).__name__}")
    for column in HISTORY_REQUIRED:
        if column not in history:
            raise InputError(f"history: missing column {column!r}; a history frame has {', '.join(HISTORY_REQUIRED)}")
    if not isinstance(history["interval_start"].dtype, pd.DatetimeTZDtype):
        raise InputError("history.interval_start: expected time-zone aware times; localise them, e.g. "
                         "history.interval_start.dt.tz_localize('Europe/London')")
    if len(history) == 0:
        raise InputError("history: no rows; a forecast needs at least a week of history")


def _aht(spec: ModelSpec, history: pd.DataFrame, panel, interval_s: float, grid) -> np.ndarray:
    if "aht_s" not in history or not history["aht_s"].notna().any():
        return np.full(len(grid.intervals), np.nan)
    weight_column = "handled" if "handled" in history and history["handled"].notna().any() else "offered"
    times = history["interval_start"]
    aht = slot_matrix(times, history["aht_s"].to_numpy(float), panel.dates, interval_s)
    weights = slot_matrix(times, history[weight_column].fillna(0.0).to_numpy(float), panel.dates, interval_s)
    table = spec.build_aht().fit(aht, weights, panel.dates, interval_s)
    weekday = grid.intervals["interval_start"].dt.day_of_week.to_numpy()
    return table[weekday, grid.slot]


def forecast_channel(history: pd.DataFrame, hours: pd.DataFrame, *, channel: str, spec: ModelSpec,
                     start: pd.Timestamp, end: pd.Timestamp, interval_s: float, tz: str,
                     events: pd.DataFrame | None, levels: tuple[float, ...]) -> pd.DataFrame:
    """Forecast one channel over ``[start, end)``: the unit of work (pure; picklable inputs).

    Returns the channel's rows of the forecast frame, with ``offered_lo_<pct>``/``offered_hi_<pct>``
    columns for every level after the first.
    """
    table = hours[hours["channel"] == channel]
    is_open = np.zeros((7, int(86_400 // interval_s)), bool)
    is_open[table["weekday"].to_numpy(int), table["slot"].to_numpy(int)] = table["open"].to_numpy(bool)
    panel = channel_panel(history, is_open, interval_s=interval_s, tz=tz, events=events, channel=channel)
    grid = future_grid(hours, panel, start=start, end=end, tz=tz, channel=channel, events=events)
    out = grid.intervals.assign(offered=0.0, offered_lo=0.0, offered_hi=0.0, rate_shape=np.nan, day_log_var=np.nan)
    if grid.h:
        if not np.isfinite(panel.y).any():
            raise InputError(f"history: channel {channel!r} has no usable interval before {start}")
        model = spec.build()
        observed = int((np.nansum(panel.y, axis=1) > 0).sum())
        if observed < getattr(model, "MIN_DAYS", 1):
            warnings.warn(f"{channel}: {observed} observed days of history; model {spec.name!r} needs "
                          f"{model.MIN_DAYS}, so the {FALLBACK!r} baseline forecasts it", ShortHistoryWarning, stacklevel=3)
            model = resolve_spec(FALLBACK).build()
        fitted = model.fit(panel)
        if getattr(fitted, "unseen", ()):
            names = ", ".join(day_name[day] for day in fitted.unseen)
            warnings.warn(f"{channel}: the history has no observed {names} (days left out or missing), so they are "
                          "forecast as the average observed day; add history that covers them", ShortHistoryWarning,
                          stacklevel=3)
        prediction = fitted.predict(grid.h, events=grid.events, level=levels)
        _check_scale(prediction.mean, panel.y, grid, channel)
        if getattr(fitted, "card", None):
            out.attrs["model_card"] = dict(fitted.card)
        cell = (grid.day, grid.slot)
        out["offered"] = prediction.mean[cell] * grid.multiply
        for i, level in enumerate(levels):
            suffix = "" if i == 0 else f"_{round(level * 100):d}"
            out[f"offered_lo{suffix}"] = prediction.lo[level][cell] * grid.multiply
            out[f"offered_hi{suffix}"] = prediction.hi[level][cell] * grid.multiply
        if getattr(prediction, "rate_shape", None) is not None:  # a multiply event scales the mean, not the shape
            out["rate_shape"] = np.asarray(prediction.rate_shape, dtype=float)[cell]
            out["day_log_var"] = np.asarray(prediction.day_log_var, dtype=float)[grid.day]
    out["aht_s"] = _aht(spec, history, panel, interval_s, grid)
    return out


#: The baseline that forecasts a channel whose history is shorter than its model needs.
FALLBACK = "week_average"
#: A forecast day more than this multiple of the busiest day of the history is reported [-].
MAX_DAY_RATIO = 2.0
#: Calendar days of history a channel needs: a full week, so every weekday's hours are known [days].
MIN_SPAN_DAYS = 7


class ShortHistoryWarning(PlannerWarning):
    """The history is shorter than the model needs, or the horizon lies far beyond it."""


class ScaleWarning(PlannerWarning):
    """A forecast day far above anything the history has seen."""


def _check_span(history: pd.DataFrame, channel: str) -> None:
    """A channel's history must span a full week: without it, unseen weekdays would silently be closed."""
    local = history["interval_start"].dt.tz_localize(None)
    first, last = local.min().normalize(), local.max().normalize()
    days = (last - first).days + 1
    if days < MIN_SPAN_DAYS:
        raise InputError(f"history: channel {channel!r} covers {days} day{'s' * (days != 1)} ({first:%Y-%m-%d} to "
                         f"{last:%Y-%m-%d}); a forecast needs at least {MIN_SPAN_DAYS} days, a full week, so that "
                         "every weekday's volume and opening hours are known; add more history")


def _check_scale(mean: np.ndarray, y: np.ndarray, grid, channel: str) -> None:
    """Warn when a forecast day (before known multipliers) exceeds :data:`MAX_DAY_RATIO` x the busiest history day."""
    busiest = np.nanmax(np.nansum(y, axis=1)) if np.isfinite(y).any() else 0.0
    days = mean.sum(axis=1)
    if busiest > 0 and days.size and days.max() > MAX_DAY_RATIO * busiest:
        worst = int(np.argmax(days))
        when = pd.Timestamp(grid.intervals["interval_start"].iloc[int(np.flatnonzero(grid.day == worst)[0])]) \
            if (grid.day == worst).any() else None
        date = f" for {when:%a %Y-%m-%d}" if when is not None else ""
        warnings.warn(f"{channel}: the forecast{date} ({days.max():,.0f} contacts) is {days.max() / busiest:.1f}x the "
                      f"busiest day of the history ({busiest:,.0f}); check the history and the events",
                      ScaleWarning, stacklevel=4)


def forecast(history: pd.DataFrame, *, horizon, model="default", events: pd.DataFrame | None = None,
             level=0.8, models_dir=None) -> pd.DataFrame:
    """Forecast offered contacts (with prediction intervals) and AHT per open interval and channel.

    Parameters
    ----------
    history : pandas.DataFrame
        The history frame (``interval_start`` time-zone aware, ``channel``, ``offered`` and
        optionally ``handled``, ``aht_s``), e.g. from :func:`planner.io.read_history`.
    horizon : str, int, Timedelta, (start, end) or mapping
        ``"28D"``: 28 days after the last history interval; ``(start, end)``: local dates or times,
        ``end`` exclusive; ``{"start": date, "days": 28}``. See :func:`horizon_bounds`.
    model : str, path or ModelSpec
        A spec in ``models/`` (``"default"``), a ``.toml`` path, or a method name.
    events : pandas.DataFrame, optional
        The events frame (:func:`planner.io.read_events`, :func:`planner.calendar.holiday_events`).
    level : float or sequence of float
        Coverage of the prediction interval [fraction]; extra levels add ``offered_lo_95`` style columns.
    models_dir : path, optional
        Where named specs live (default: the project's ``models/``).

    Returns
    -------
    pandas.DataFrame
        ``interval_start, channel, offered, offered_lo, offered_hi, aht_s`` [contacts per interval,
        s], then ``rate_shape`` (the gamma shape of the interval's arrival rate, whose mean is
        ``offered``; ``inf``: known rate) and ``day_log_var`` (variance of the log of the day's
        level factor, shared by the day's intervals [log^2]), NaN for models without them
        (the baselines); only open intervals (learned from the history: slots never open for a channel and weekday
        are absent); ``attrs["level"]``, ``attrs["interval_s"]``, ``attrs["model"]``, and
        ``attrs["model_card"]``: per channel, what a model that chooses (the default) chose and its
        holdout errors (``{}`` for models that do not choose).

    References
    ----------
    The default model (:class:`~planner.forecast.Combination`: the mean of
    :class:`~planner.forecast.DailyProfile`, a log daily level with weekday, event and calendar
    effects and AR(1) errors times a weekday intraday profile, and an SVD-AR of the days x
    intervals matrix; gamma-Poisson intervals) follows J. Weinberg, L. D. Brown and J. R. Stroud (2007), "Bayesian forecasting of an
    inhomogeneous Poisson process with applications to call center data", JASA 102: 1185-1198,
    and H. Shen and J. Z. Huang (2008), "Forecasting time series of inhomogeneous Poisson processes
    with application to call center workforce management", Ann. Appl. Stat. 2: 601-623; the AR(1)
    fit is C. M. Beach and J. G. MacKinnon (1978), "A maximum likelihood procedure for regression
    with autocorrelated errors", Econometrica 46: 51-58.

    Examples
    --------
    >>> times = pd.date_range("2026-06-01", "2026-07-06", freq="h", tz="Europe/London", inclusive="left")
    >>> history = pd.DataFrame({"interval_start": times, "channel": "phone",
    ...                         "offered": np.where((times.hour >= 8) & (times.hour < 18), 20.0, 0.0)})
    >>> f = forecast(history, horizon="1D", model="seasonal_naive")
    >>> len(f), float(f.offered.iloc[0]), str(f.interval_start.iloc[0]), f.attrs["level"]
    (10, 20.0, '2026-07-06 08:00:00+01:00', 0.8)
    """
    _check_history(history)
    levels = check_levels(level)
    spec = resolve_spec(model, models_dir=models_dir)
    interval_s = interval_s_of(history)
    tz = str(history["interval_start"].dt.tz)
    if history.attrs.get("interval_s") != interval_s:
        history = history.copy()
        history.attrs["interval_s"] = interval_s
    last = history["interval_start"].max()
    start, end = horizon_bounds(horizon, last=last, interval_s=interval_s, tz=tz)
    if events is not None:
        events = events.assign(start=events["start"].dt.tz_convert(tz), end=events["end"].dt.tz_convert(tz))
    hours = opening_hours(history)
    gap_days = (start - (last + pd.Timedelta(seconds=interval_s))).total_seconds() / 86_400.0
    if gap_days > spec.max_gap_days:
        warnings.warn(f"horizon: starts {gap_days:.0f} days after the end of the history ({last:%Y-%m-%d %H:%M}); "
                      f"model {spec.name!r} bridges at most {spec.max_gap_days} days honestly (max_gap_days in its "
                      "spec): it has no trend or annual season, so beyond that it repeats the recent level; "
                      "update the history", ShortHistoryWarning, stacklevel=2)
    for channel, rows in history.groupby("channel", sort=True):
        _check_span(rows, channel)
    frames = [forecast_channel(rows, hours, channel=channel, spec=spec, start=start, end=end,
                               interval_s=interval_s, tz=tz, events=events, levels=levels)
              for channel, rows in history.groupby("channel", sort=True)]
    cards = {frame["channel"].iloc[0]: frame.attrs["model_card"] for frame in frames
             if len(frame) and "model_card" in frame.attrs}
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FORECAST_COLUMNS)
    extra = [c for c in out.columns if c not in (*FORECAST_COLUMNS, *RATE_COLUMNS)]
    out = out[[*FORECAST_COLUMNS, *RATE_COLUMNS, *extra]]
    out.attrs.update(level=levels[0], levels=levels, interval_s=interval_s, model=spec.name)
    out.attrs["model_card"] = cards
    return out
