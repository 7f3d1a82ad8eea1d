"""The long-range forecast: weekly volume per channel with trend, annual season and holidays.

Per channel, log weekly volume is regressed (statsmodels OLS) on a linear trend, ``harmonics``
Fourier pairs of the day of the year (the annual season; Hyndman & Athanasopoulos, *Forecasting:
Principles and Practice*, 3rd ed., section 7.4 "Fourier series") and the number of public-holiday
weekdays in the week, so holidays move with their dates (Easter, bank holidays) instead of with the
week number. Prediction intervals are OLS's for a new observation on the log scale, exponentiated;
the point forecast is the mean, ``exp(mu + s^2 / 2)``.

:func:`weekly_backtest` is a rolling-origin backtest at week grain against two baselines: last
year's same ISO week (calendar aligned) and the seasonal naive on weeks (52 weeks earlier). MASE
scales the mean absolute error by the in-sample mean absolute 52-week difference of the training
weeks (docs/design.md section 5, at week grain).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import norm

from planner.errors import InputError

__all__ = ["weekly_totals", "fit_predict", "weekly_forecast", "weekly_backtest", "week_accuracy", "long_range_level"]

BASELINES = ("last_year_same_week", "seasonal_naive")


def weekly_totals(history: pd.DataFrame) -> pd.DataFrame:
    """Complete local weeks (Monday to Sunday) of a history: ``week_start, channel, offered, aht_s``.

    ``aht_s`` is handle time summed over the handled (or offered) contacts, per week.
    """
    local = history["interval_start"].dt.tz_localize(None)
    day = local.dt.normalize()
    week = (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).dt.date
    weight = history["handled"] if "handled" in history else history["offered"]
    frame = pd.DataFrame({"week_start": week, "channel": history["channel"].astype(str),
                          "offered": history["offered"].astype(float),
                          "work": (history["aht_s"] * weight).fillna(0.0) if "aht_s" in history else 0.0,
                          "weight": weight.where(history["aht_s"].notna(), 0.0) if "aht_s" in history else 0.0})
    out = frame.groupby(["week_start", "channel"]).agg(offered=("offered", "sum"), work=("work", "sum"), weight=("weight", "sum")).reset_index()
    first, last = day.min(), day.max()  # complete weeks of the span (a channel may close on Sundays)
    first_monday = (first + pd.Timedelta(days=(7 - first.weekday()) % 7)).date()
    out = out[(out["week_start"] >= first_monday) & (out["week_start"] <= (last - pd.Timedelta(days=6)).date())]
    out["aht_s"] = np.where(out["weight"] > 0, out["work"] / out["weight"].where(out["weight"] > 0, 1.0), np.nan)
    return out[["week_start", "channel", "offered", "aht_s"]].reset_index(drop=True)


def _design(weeks: pd.Series, origin: pd.Timestamp, harmonics: int, holiday_days: dict) -> np.ndarray:
    starts = pd.to_datetime(pd.Series(weeks))
    mid = starts + pd.Timedelta(days=3)
    t = ((starts - origin).dt.days / 365.25).to_numpy(float)
    angle = 2 * np.pi * mid.dt.day_of_year.to_numpy(float) / 365.25
    columns = [np.ones_like(t), t]
    for k in range(1, harmonics + 1):
        columns += [np.sin(k * angle), np.cos(k * angle)]
    columns.append(np.array([holiday_days.get(w.date(), 0) for w in starts], dtype=float))
    return np.column_stack(columns)


def holiday_weekdays(holiday_dates) -> dict:
    """Week start (Monday, a date) -> number of holidays falling Monday to Friday in that week."""
    counts: dict = {}
    for day in pd.to_datetime(pd.Series(list(holiday_dates), dtype=object)).dropna():
        if day.weekday() < 5:
            start = (day - pd.Timedelta(days=day.weekday())).date()
            counts[start] = counts.get(start, 0) + 1
    return counts


def fit_predict(weeks, offered, future_weeks, *, harmonics: int = 2, holiday_dates=(), level: float = 0.8):
    """Fit one channel's weekly model and predict ``future_weeks``: (mean, lo, hi, log_sd) arrays.

    >>> weeks = pd.date_range("2023-01-02", periods=156, freq="W-MON")
    >>> t = np.arange(156)
    >>> y = 1000 * np.exp(-0.001 * t + 0.1 * np.sin(2 * np.pi * (weeks.day_of_year + 3) / 365.25))
    >>> mean, lo, hi, sd = fit_predict(weeks[:104], y[:104], weeks[104:], harmonics=1)
    >>> bool(np.allclose(mean, y[104:], rtol=0.01)), bool(np.all(lo <= mean) and np.all(mean <= hi))
    (True, True)
    """
    weeks, future = pd.Series(pd.to_datetime(weeks)), pd.Series(pd.to_datetime(future_weeks))
    y = np.asarray(offered, dtype=float)
    keep = y > 0
    if keep.sum() < 2 * harmonics + 6:
        raise InputError(f"long-range forecast: {int(keep.sum())} weeks with volume; need at least "
                         f"{2 * harmonics + 6} (fewer harmonics, or a longer history)")
    origin = weeks.min()
    holidays = holiday_weekdays(holiday_dates)
    X = _design(weeks[keep], origin, harmonics, holidays)
    if not X[:, -1].any():  # no holiday in the training weeks: nothing to learn from
        X = X[:, :-1]
    Xf = _design(future, origin, harmonics, holidays)[:, : X.shape[1]]
    # the trend and the season each stay only if they earn their parameters (BIC): a flat channel
    # is not extrapolated along a trend fitted to noise
    season = list(range(2, 2 + 2 * harmonics))
    rest = list(range(2 + 2 * harmonics, X.shape[1]))
    candidates = [[0, 1, *season, *rest], [0, *season, *rest], [0, 1, *rest], [0, *rest]]
    fits = [(sm.OLS(np.log(y[keep]), X[:, c]).fit(), c) for c in candidates]
    fit, columns = min(fits, key=lambda pair: pair[0].bic)
    Xf = Xf[:, columns]
    frame = fit.get_prediction(Xf).summary_frame(alpha=1 - level)
    mu = frame["mean"].to_numpy()
    sd = np.sqrt(frame["mean_se"].to_numpy() ** 2 + fit.scale)
    z = norm.ppf(0.5 + level / 2)
    return np.exp(mu + sd**2 / 2), np.exp(mu - z * sd), np.exp(mu + z * sd), sd


def weekly_forecast(weekly: pd.DataFrame, future_weeks, *, harmonics: int = 2, holiday_dates=(),
                    level: float = 0.8) -> pd.DataFrame:
    """Long-range forecast of every channel of ``weekly`` (:func:`weekly_totals`) for ``future_weeks``.

    Returns ``week_start, channel, offered, offered_lo, offered_hi, log_sd, aht_s`` (AHT: the mean of
    the last 13 weeks, handle time is not seasonal enough at this grain to model).
    """
    frames = []
    for channel, part in weekly.groupby("channel", sort=True):
        mean, lo, hi, sd = fit_predict(part["week_start"], part["offered"], future_weeks, harmonics=harmonics,
                                       holiday_dates=holiday_dates, level=level)
        aht = part["aht_s"].dropna().tail(13).mean()
        frames.append(pd.DataFrame({"week_start": pd.to_datetime(pd.Series(future_weeks)).dt.date, "channel": channel,
                                    "offered": mean, "offered_lo": lo, "offered_hi": hi, "log_sd": sd, "aht_s": aht}))
    out = pd.concat(frames, ignore_index=True)
    out.attrs["level"] = level
    return out


def weekly_backtest(weekly: pd.DataFrame, *, horizon_weeks: int = 13, first_train_weeks: int = 60, step: int = 4,
                    harmonics: int = 2, holiday_dates=()) -> pd.DataFrame:
    """Rolling-origin backtest: ``cutoff, week_start, channel, model, forecast, actual`` plus ``scale``
    (the in-sample mean absolute 52-week difference, for MASE)."""
    rows = []
    for channel, part in weekly.groupby("channel", sort=True):
        part = part.sort_values("week_start").reset_index(drop=True)
        weeks = pd.to_datetime(part["week_start"])
        y = part["offered"].to_numpy(float)
        iso = weeks.dt.isocalendar()
        by_iso = {(int(a), int(b)): v for a, b, v in zip(iso["year"], iso["week"], y)}
        for cut in range(first_train_weeks, len(part) - 1, step):
            test = slice(cut, min(cut + horizon_weeks, len(part)))
            if cut < 53:
                raise InputError("backtest: the first training window needs at least 53 weeks for the baselines")
            mean, *_ = fit_predict(weeks[:cut], y[:cut], weeks[test], harmonics=harmonics, holiday_dates=holiday_dates)
            scale = np.mean(np.abs(y[52:cut] - y[: cut - 52]))
            index = np.arange(len(part))[test]
            last_year = [by_iso.get((int(a) - 1, int(b)), np.nan) for a, b in zip(iso["year"][test], iso["week"][test])]
            # the baselines may only use weeks before the cutoff
            naive = np.where(index - 52 < cut, y[index - 52], np.nan)
            last_year = np.where(index - 52 < cut, last_year, np.nan)
            for model, values in (("longrange", mean), ("last_year_same_week", last_year), ("seasonal_naive", naive)):
                rows.append(pd.DataFrame({"cutoff": weeks[cut].date(), "week_start": part["week_start"][test].to_numpy(),
                                          "channel": channel, "model": model, "forecast": values,
                                          "actual": y[test], "scale": scale}))
    columns = ["cutoff", "week_start", "channel", "model", "forecast", "actual", "scale"]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)


def week_accuracy(frame: pd.DataFrame) -> pd.DataFrame:
    """Per channel x model: MASE (mean over cutoffs of MAE / scale), WAPE and bias [%], weeks scored."""
    if frame.empty:  # too short a history for a backtest (it needs 53 weeks and more)
        return pd.DataFrame(columns=["channel", "model", "mase", "wape_percent", "bias_percent", "weeks"])
    f = frame.dropna(subset=["forecast"]).assign(error=lambda d: d["forecast"] - d["actual"])
    per_cut = f.groupby(["channel", "model", "cutoff"]).agg(mae=("error", lambda e: e.abs().mean()),
                                                            scale=("scale", "first")).reset_index()
    mase = per_cut.assign(r=per_cut["mae"] / per_cut["scale"]).groupby(["channel", "model"])["r"].mean()
    grouped = f.groupby(["channel", "model"])
    out = pd.DataFrame({"mase": mase,
                        "wape_percent": 100 * grouped["error"].apply(lambda e: e.abs().sum()) / grouped["actual"].sum(),
                        "bias_percent": 100 * grouped["error"].sum() / grouped["actual"].sum(),
                        "weeks": grouped.size()}).reset_index()
    return out


def long_range_level(forecast: pd.DataFrame, history: pd.DataFrame, *, holiday_dates=(), after_weeks: int = 13,
                     min_weeks: int = 60, harmonics: int = 2, blend_weeks: int = 8) -> pd.DataFrame:
    """An interval forecast whose far weeks take the long-range weekly level (``planner run``).

    Each whole local week (Monday to Sunday inside the forecast) that starts ``after_weeks`` or more
    after the history's last day is rescaled, per channel, so that its total is the long-range
    forecast's (:func:`fit_predict`), blended in linearly over ``blend_weeks``; the interval model's
    shape inside the week and each day is kept (``offered``, ``offered_lo`` and ``offered_hi`` take
    the same factor). Channels with fewer
    than ``min_weeks`` whole weeks of history (no annual season to learn) are left as they are.

    >>> weeks = pd.date_range("2024-01-01", periods=7 * 80, freq="D", tz="UTC")
    >>> trend = 100 * np.exp(-0.004 * np.arange(len(weeks)) / 7)
    >>> history = pd.DataFrame({"interval_start": weeks, "channel": "phone", "offered": trend})
    >>> future = pd.date_range(weeks[-1] + pd.Timedelta(days=1), periods=7 * 30, freq="D", tz="UTC")
    >>> forecast = pd.DataFrame({"interval_start": future, "channel": "phone", "offered": 100.0})
    >>> out = long_range_level(forecast, history)
    >>> bool((out["offered"][: 7 * 13] == 100).all()), bool(out["offered"].iloc[-1] < 75)
    (True, True)
    """
    local = forecast["interval_start"].dt.tz_localize(None).dt.normalize()
    week = (local - pd.to_timedelta(local.dt.day_of_week, unit="D")).dt.date
    first, last_day = local.min(), local.max()
    history_end = history["interval_start"].max().tz_localize(None).normalize()
    cutoff = (history_end + pd.Timedelta(days=1) + pd.Timedelta(weeks=after_weeks)).date()
    whole = (pd.to_datetime(week) >= first) & (pd.to_datetime(week) + pd.Timedelta(days=6) <= last_day)
    late = whole.to_numpy() & (week >= cutoff).to_numpy()
    if not late.any():
        return forecast
    out = forecast.copy()
    weekly = weekly_totals(history)
    for channel, part in weekly.groupby("channel", sort=True):
        rows = late & (forecast["channel"] == channel).to_numpy()
        if part["week_start"].nunique() < min_weeks or not rows.any():
            continue
        targets = sorted(set(week[rows]))
        mean, *_ = fit_predict(part["week_start"], part["offered"], targets, harmonics=harmonics,
                               holiday_dates=holiday_dates)
        totals = forecast.loc[rows, "offered"].groupby(week[rows].to_numpy()).sum()
        factor = pd.Series(mean, index=targets) / totals.reindex(targets).where(lambda v: v > 0)
        # blended in over ``blend_weeks`` so the level does not jump where the long-range model takes over
        ahead = ((pd.to_datetime(week[rows]) - pd.Timestamp(cutoff)).dt.days // 7).to_numpy()
        weight = np.clip((ahead + 1) / blend_weeks, 0.0, 1.0)
        scale = 1.0 + weight * (week[rows].map(factor.fillna(1.0)).to_numpy(float) - 1.0)
        for column in ("offered", "offered_lo", "offered_hi"):
            if column in out.columns:
                out.loc[rows, column] = out.loc[rows, column].to_numpy(float) * scale
    return out
