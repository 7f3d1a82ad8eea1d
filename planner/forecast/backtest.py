"""Rolling-origin backtests and their accuracy table (Tashman 2000, Int. J. Forecasting 16: 437-450).

:func:`backtest` refits every model at every cutoff on the history before it and returns the long
frame (forecast columns + ``cutoff, actual, model``): data, not a report. :func:`accuracy` turns it
into one row per channel x model: MASE (scaled by the in-sample weekly seasonal naive; Hyndman &
Koehler 2006, Int. J. Forecasting 22: 679-688), WAPE, bias, the error of daily totals and the
coverage of each prediction interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.calendar import event_intervals, opening_hours
from planner.errors import InputError
from planner.forecast.api import FORECAST_COLUMNS, _check_history, forecast
from planner.forecast.frames import interval_s_of, slot_matrix
from planner.forecast.protocol import check_levels, weekday_of
from planner.forecast.spec import resolve_spec

__all__ = ["backtest", "accuracy", "default_cutoffs", "model_cards"]

BASELINES = ("seasonal_naive", "week_average")
_DAY_NS = 86_400 * 10**9


def _duration(value, name: str) -> pd.Timedelta:
    try:
        duration = pd.Timedelta(days=value) if isinstance(value, (int, np.integer)) else pd.Timedelta(value)
    except (TypeError, ValueError):
        raise InputError(f"{name}: expected a duration such as '1D' or '28D', got {value!r}") from None
    if duration <= pd.Timedelta(0):
        raise InputError(f"{name}: expected a positive duration, got {value!r}")
    if duration < pd.Timedelta(days=1):  # cutoffs are local midnights; a bare 7 would be 7 nanoseconds
        raise InputError(f"{name}: {value!r} is shorter than a day; plans cover whole days: write a duration with "
                         "its unit, such as '7D' (7 days) or '6W'")
    return duration


def default_cutoffs(history: pd.DataFrame, *, horizon, n_windows: int, step=None) -> list[pd.Timestamp]:
    """The last ``n_windows`` local midnights of days with history, ``step`` apart, whose window fits.

    The latest cutoff is the last day with data whose ``[cutoff, cutoff + horizon)`` ends by the end
    of the history; each earlier one is the latest day with data at least ``step`` (default:
    ``horizon``) before it. Day-ahead (``horizon="1D"``) cutoffs are thus consecutive days with
    data, skipping weekends and holidays when the channel is closed.
    """
    span, stride = _duration(horizon, "horizon"), _duration(step if step is not None else horizon, "step")
    if isinstance(n_windows, bool) or not isinstance(n_windows, (int, np.integer)) or n_windows < 1:
        raise InputError(f"n_windows: expected a whole number >= 1, got {n_windows!r}")
    times = history["interval_start"]
    tz = str(times.dt.tz)
    end = times.max() + pd.Timedelta(seconds=interval_s_of(history))
    days = pd.DatetimeIndex(np.unique(times.dt.tz_localize(None).dt.normalize().to_numpy()))
    cutoffs: list[pd.Timestamp] = []
    for day in days[::-1]:
        start = day.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
        if (start.tz_localize(None) + span).tz_localize(tz, ambiguous=True, nonexistent="shift_forward") > end:
            continue
        if cutoffs and day > cutoffs[-1].tz_localize(None) - stride:
            continue
        cutoffs.append(start)
        if len(cutoffs) == n_windows:
            break
    if not cutoffs:
        raise InputError(f"horizon: {horizon!r} is longer than the history; shorten it or add history")
    return cutoffs[::-1]


def _actuals(history: pd.DataFrame, out: pd.DataFrame, events) -> np.ndarray:
    """Actual offered per forecast row: 0 when absent on a day with data, NaN on days without data."""
    key = ["interval_start", "channel"]
    actual = out[key].merge(history[key + ["offered"]], on=key, how="left")["offered"].to_numpy(float)
    day = out["interval_start"].dt.tz_localize(None).dt.normalize()
    seen_days = set(zip(history["channel"], history["interval_start"].dt.tz_localize(None).dt.normalize()))
    has_day = np.array([(c, d) in seen_days for c, d in zip(out["channel"], day)], dtype=bool)
    actual = np.where(np.isnan(actual) & has_day, 0.0, actual)
    if events is not None and len(events) and len(out):
        effects = event_intervals(events, out)
        actual[(effects["exclude"] | effects["closed"]).to_numpy()] = np.nan
    return actual


def backtest(history: pd.DataFrame, *, models=("default", *BASELINES), horizon="1D", n_windows: int = 4,
             step=None, cutoffs=None, events: pd.DataFrame | None = None, level=0.8,
             models_dir=None, progress=None) -> pd.DataFrame:
    """Rolling-origin evaluation: refit each model at each cutoff, forecast ``horizon``, join actuals.

    Parameters
    ----------
    history : pandas.DataFrame
        The history frame.
    models : sequence of str or ModelSpec
        Specs to compare (names in ``models/``, method names, paths or :class:`ModelSpec`); the
        baselines are included by default. Names must be unique.
    horizon : str or Timedelta
        Window forecast from each cutoff, e.g. ``"1D"`` (day-ahead) or ``"28D"``.
    n_windows : int
        Number of cutoffs (see :func:`default_cutoffs`); ignored when ``cutoffs`` is given.
    step : str or Timedelta, optional
        Least distance between cutoffs (default: ``horizon``).
    cutoffs : sequence of date-like, optional
        Explicit cutoffs (local midnights or times); each forecasts ``[cutoff, cutoff + horizon)``.
    events : pandas.DataFrame, optional
        The events frame; ``exclude`` and ``closed`` intervals are not scored.
    level : float or sequence of float
        Interval coverage(s) [fraction]; the first gives ``offered_lo``/``offered_hi``, the others
        ``offered_lo_95`` style columns.
    models_dir : path, optional
        Where named specs live.
    progress : callable, optional
        ``progress(done, total)`` after each cutoff (the command line's progress bar).

    Returns
    -------
    pandas.DataFrame
        Forecast columns + ``cutoff`` (time-zone aware), ``actual`` [contacts], ``model``;
        rows without an actual (days without data, excluded intervals) are dropped.
        ``attrs["model_cards"]``: one dict per cutoff, channel and choosing model (``cutoff,
        channel, model, chosen, holdout_mae, reason``; see :func:`model_cards`).

    Examples
    --------
    >>> times = pd.date_range("2026-06-01", "2026-07-06", freq="h", tz="Europe/London", inclusive="left")
    >>> history = pd.DataFrame({"interval_start": times, "channel": "phone", "offered": 5.0 + (times.hour == 9)})
    >>> bt = backtest(history, models=["seasonal_naive"], horizon="1D", n_windows=2)
    >>> bt.groupby("cutoff").size().tolist(), float((bt.offered - bt.actual).abs().max())
    ([24, 24], 0.0)
    """
    _check_history(history)
    levels = check_levels(level)
    specs = [resolve_spec(m, models_dir=models_dir) for m in models]
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise InputError(f"models: names must be unique, got {names}; copy a spec to a new file name to compare it")
    tz = str(history["interval_start"].dt.tz)
    span = _duration(horizon, "horizon")
    if cutoffs is None:
        cutoffs = default_cutoffs(history, horizon=horizon, n_windows=n_windows, step=step)
    else:
        cutoffs = [pd.Timestamp(c).tz_localize(tz) if pd.Timestamp(c).tzinfo is None else pd.Timestamp(c).tz_convert(tz)
                   for c in cutoffs]
    if events is not None:
        events = events.assign(start=events["start"].dt.tz_convert(tz), end=events["end"].dt.tz_convert(tz))
    frames, cards = [], []
    for done, cutoff in enumerate(cutoffs, start=1):
        train = history[history["interval_start"] < cutoff]
        if not len(train):
            raise InputError(f"cutoffs: {cutoff} is before the history starts; drop it")
        train.attrs.update(history.attrs)
        end = (cutoff.tz_localize(None) + span).tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
        for spec in specs:
            out = forecast(train, horizon=(cutoff, end), model=spec, events=events, level=levels)
            out["cutoff"] = cutoff
            out["actual"] = _actuals(history, out, events)
            out["model"] = spec.name
            cards += [{"cutoff": cutoff, "channel": channel, "model": spec.name, **card}
                      for channel, card in out.attrs.get("model_card", {}).items()]
            frames.append(out[out["actual"].notna()])
        if progress is not None:
            progress(done, len(cutoffs))
    result = pd.concat(frames, ignore_index=True)
    extra = [c for c in result.columns if c not in (*FORECAST_COLUMNS, "cutoff", "actual", "model")]
    result = result[[*FORECAST_COLUMNS, *extra, "cutoff", "actual", "model"]]
    result.attrs.update(level=levels[0], levels=levels, interval_s=interval_s_of(history), model_cards=cards)
    return result


def _naive_scale(history: pd.DataFrame, channel: str, cutoffs, interval_s: float, is_open) -> dict:
    """In-sample MAE of the weekly seasonal naive on the history before each cutoff [contacts]."""
    rows = history[history["channel"] == channel]
    wall = rows["interval_start"].dt.tz_localize(None).to_numpy("M8[ns]").astype(np.int64)
    first, last = (np.array([wall.min(), wall.max()]) // _DAY_NS).astype("M8[D]")
    dates = np.arange(first, last + 1)
    y = slot_matrix(rows["interval_start"], rows["offered"].to_numpy(float), dates, interval_s)
    err = np.abs(y[7:] - y[:-7])
    use = np.isfinite(err) & is_open[weekday_of(dates[7:])]
    total, count = np.cumsum(np.where(use, err, 0.0).sum(axis=1)), np.cumsum(use.sum(axis=1))
    scale = {}
    for cutoff in cutoffs:
        k = int(np.searchsorted(dates[7:], np.datetime64(cutoff.tz_localize(None).normalize(), "D")))
        scale[cutoff] = total[k - 1] / count[k - 1] if k > 0 and count[k - 1] > 0 else np.nan
    return scale


def _mean_ratio(mae: pd.Series, scale: dict) -> float:
    ratios = [mae[c] / scale[c] for c in mae.index if scale[c] > 0]  # NaN scale compares False
    return float(np.mean(ratios)) if ratios else float("nan")


def accuracy(backtest_frame: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """Accuracy per channel x model: ``mase, wape, bias, daily_mape, coverage_<pct>, windows``.

    Parameters
    ----------
    backtest_frame : pandas.DataFrame
        :func:`backtest` output (forecast columns + ``cutoff, actual, model``).
    history : pandas.DataFrame
        The history the backtest ran on (for the scale of MASE).

    Returns
    -------
    pandas.DataFrame
        One row per channel and model, fractions rather than percentages:

        - ``mase``: mean over cutoffs of the window's MAE over the in-sample MAE of the weekly
          seasonal naive before that cutoff [-] (below 1: better than the naive; NaN when that MAE
          is 0, an exactly periodic history);
        - ``wape`` = sum|error| / sum(actual) [-];
        - ``bias`` = sum(error) / sum(actual) [-] (positive: over-forecast);
        - ``daily_mape``: mean absolute percentage error of daily totals [-];
        - ``coverage_80``: share of actuals inside the 80% interval [-] (one column per level);
        - ``windows``: number of cutoffs scored.

    References
    ----------
    R. J. Hyndman and A. B. Koehler (2006), "Another look at measures of forecast accuracy",
    Int. J. Forecasting 22: 679-688 (MASE); L. J. Tashman (2000), "Out-of-sample tests of
    forecasting accuracy", Int. J. Forecasting 16: 437-450 (rolling origin).

    Examples
    --------
    Nine weeks of hourly Poisson noise around 20 contacts: the four-week average beats the
    weekly seasonal naive (MASE below 1), whose MASE is about 1 by construction.

    >>> times = pd.date_range("2026-05-04", "2026-07-06", freq="h", tz="Europe/London", inclusive="left")
    >>> rng = np.random.default_rng(0)
    >>> history = pd.DataFrame({"interval_start": times, "channel": "phone",
    ...                         "offered": rng.poisson(20.0, len(times)).astype(float)})
    >>> bt = backtest(history, models=["seasonal_naive", "week_average"], horizon="1D", n_windows=4)
    >>> accuracy(bt, history).round(2)
      channel           model  mase  wape  bias  daily_mape  coverage_80  windows
    0   phone  seasonal_naive  1.01  0.25 -0.03        0.07         0.76        4
    1   phone    week_average  0.75  0.19 -0.02        0.05         0.89        4
    """
    bt = backtest_frame
    interval_s = interval_s_of(history)
    if history.attrs.get("interval_s") != interval_s:
        history = history.copy()
        history.attrs["interval_s"] = interval_s
    hours = opening_hours(history)
    levels = bt.attrs.get("levels", (bt.attrs.get("level", 0.8),))
    rows = []
    for (channel, model), part in bt.groupby(["channel", "model"], sort=True):
        table = hours[hours["channel"] == channel]
        is_open = np.zeros((7, int(86_400 // interval_s)), bool)
        is_open[table["weekday"].to_numpy(int), table["slot"].to_numpy(int)] = table["open"].to_numpy(bool)
        scale = _naive_scale(history, channel, part["cutoff"].unique(), interval_s, is_open)
        error = part["offered"] - part["actual"]
        mae = error.abs().groupby(part["cutoff"]).mean()
        day = part["interval_start"].dt.tz_localize(None).dt.normalize()
        daily = part.groupby([part["cutoff"], day])[["offered", "actual"]].sum()
        daily = daily[daily["actual"] > 0]
        row = {"channel": channel, "model": model,
               "mase": _mean_ratio(mae, scale),
               "wape": float(error.abs().sum() / part["actual"].sum()),
               "bias": float(error.sum() / part["actual"].sum()),
               "daily_mape": float((daily["offered"] - daily["actual"]).abs().div(daily["actual"]).mean())}
        for i, level in enumerate(levels):
            suffix = "" if i == 0 else f"_{round(level * 100):d}"
            inside = (part["actual"] >= part[f"offered_lo{suffix}"]) & (part["actual"] <= part[f"offered_hi{suffix}"])
            row[f"coverage_{round(level * 100):d}"] = float(inside.mean())
        row["windows"] = int(part["cutoff"].nunique())
        rows.append(row)
    return pd.DataFrame(rows)


def model_cards(backtest_frame: pd.DataFrame) -> pd.DataFrame:
    """What a choosing model (the default) chose per channel over a backtest, and why.

    Parameters
    ----------
    backtest_frame : pandas.DataFrame
        :func:`backtest` output; its ``attrs["model_cards"]`` hold one card per cutoff and channel.

    Returns
    -------
    pandas.DataFrame
        One row per channel and model: ``chosen`` at the last cutoff, ``times_chosen`` (each
        choice and the number of cutoffs it served), the last cutoff's holdout MAE of the mean and
        of each member [contacts per interval] (``holdout_mae_<name>``), and the ``reason``.
        Empty when no model chose.

    Examples
    --------
    >>> times = pd.date_range("2026-04-06", "2026-07-06", freq="h", tz="Europe/London", inclusive="left")
    >>> rng = np.random.default_rng(1)
    >>> history = pd.DataFrame({"interval_start": times, "channel": "phone",
    ...                         "offered": rng.poisson(20.0, len(times)).astype(float)})
    >>> cards = model_cards(backtest(history, models=["default"], n_windows=2))
    >>> cards[["channel", "model", "chosen"]].values.tolist()
    [['phone', 'default', 'mean']]
    """
    cards = backtest_frame.attrs.get("model_cards", [])
    if not cards:
        return pd.DataFrame(columns=["channel", "model", "chosen", "times_chosen", "reason"])
    frame = pd.DataFrame(cards).sort_values("cutoff", kind="stable")
    rows = []
    for (channel, model), part in frame.groupby(["channel", "model"], sort=True):
        last = part.iloc[-1]
        counts = part["chosen"].value_counts()
        row = {"channel": channel, "model": model, "chosen": last["chosen"],
               "times_chosen": ", ".join(f"{name} {count}/{len(part)}" for name, count in counts.items())}
        for name, value in (last["holdout_mae"] or {}).items():
            row[f"holdout_mae_{name}"] = value
        row["reason"] = last["reason"]
        rows.append(row)
    return pd.DataFrame(rows)
