"""The long-range forecast: weekly volume per channel with trend, annual season and holidays.

Per channel, log weekly volume is regressed (statsmodels OLS) on a linear trend, ``harmonics``
Fourier pairs of the day of the year (the annual season; Hyndman & Athanasopoulos, *Forecasting:
Principles and Practice*, 3rd ed., section 7.4 "Fourier series") and the number of public-holiday
weekdays in the week, so holidays move with their dates (Easter, bank holidays) instead of with the
week number. Prediction intervals are OLS's for a new observation on the log scale, exponentiated;
the point forecast is the mean, ``exp(mu + s^2 / 2)``. The scenario's learned events (billing
days, campaigns, price changes; :func:`event_weeks`) enter as the number of their days in each
week, one regressor per kind; weeks after the events calendar's last event of a kind take the
kind's mean per week over the training weeks (an unlisted future is not an event-free one).

The forecast used (:func:`forecast_channel`) is chosen per channel by a rolling-origin backtest on
the training weeks only, between this regression (``trend_season``), the seasonal naive on weeks
and their mean (a forecast combination; Hyndman & Athanasopoulos, section 13.4): the candidate with
the least mean absolute error over the last year's origins is used.

:func:`weekly_backtest` is a rolling-origin backtest at week grain of the used forecast and the
regression against two baselines: last year's same ISO week (calendar aligned) and the seasonal
naive on weeks (52 weeks earlier). MASE scales the mean absolute error by the in-sample mean
absolute 52-week difference of the training weeks (docs/design.md section 5, at week grain).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import norm

from planner.errors import InputError

__all__ = ["weekly_totals", "fit_predict", "forecast_channel", "event_weeks", "weekly_forecast", "weekly_backtest",
           "week_accuracy", "long_range_level"]

BASELINES = ("last_year_same_week", "seasonal_naive")
#: The candidates :func:`forecast_channel` chooses between.
CANDIDATES = ("trend_season", "seasonal_naive", "mean")


def event_weeks(events, channel: str, week_starts, *, observed_until=None) -> np.ndarray | None:
    """Days of each learned event kind (not public holidays) per week for ``channel``: (weeks x kinds).

    ``events``: the scenario's events (``kind, start, end, channel, effect``; ``end`` exclusive,
    docs/design.md section 3). Weeks that start after the calendar's last event of a kind (any
    channel) and on or after ``observed_until`` (the history's end: its weeks are known to hold only
    the listed events) are ``nan`` there: :func:`fit_predict` fills them with the kind's training mean.
    None when the channel has no learned event.

    >>> ev = pd.DataFrame({"kind": ["billing", "billing"], "channel": "email", "effect": "learn",
    ...     "start": pd.to_datetime(["2026-01-02", "2026-02-02"]), "end": pd.to_datetime(["2026-01-04", "2026-02-04"])})
    >>> event_weeks(ev, "email", pd.to_datetime(["2025-12-29", "2026-01-05", "2026-02-02", "2026-03-02"]).date)[:, 0]
    array([ 2.,  0.,  2., nan])
    """
    if events is None or not len(events):
        return None
    learned = events[(events["effect"] == "learn") & (events["kind"] != "public_holiday")]
    mine = learned[learned["channel"] == channel]
    if mine.empty:
        return None
    weeks = pd.to_datetime(pd.Series(list(week_starts)))
    kinds = sorted(mine["kind"].unique())
    out = np.zeros((len(weeks), len(kinds)))
    position = {w: i for i, w in enumerate(weeks.dt.date)}

    def local(column):
        values = pd.to_datetime(column)
        return values.dt.tz_localize(None) if values.dt.tz is not None else values

    for j, kind in enumerate(kinds):
        rows = mine[mine["kind"] == kind]
        for start, end in zip(local(rows["start"]).dt.normalize(), local(rows["end"])):
            for day in pd.date_range(start, end - pd.Timedelta(seconds=1), freq="D"):
                i = position.get((day - pd.Timedelta(days=day.weekday())).date())
                if i is not None:
                    out[i, j] += 1
        last = local(learned.loc[learned["kind"] == kind, "end"]).max().normalize()
        if observed_until is not None:
            last = max(last, pd.Timestamp(observed_until))
        out[(weeks >= last).to_numpy(), j] = np.nan
    return out


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


def fit_predict(weeks, offered, future_weeks, *, harmonics: int = 2, holiday_dates=(), level: float = 0.8,
                extra=None, extra_future=None):
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
    if extra is not None:  # known regressors per week (event days), kept where the training weeks vary;
        # a week past the calendar (nan) takes the regressor's training mean
        extra = np.asarray(extra, float).reshape(len(y), -1)[keep]
        extra_future = np.asarray(extra_future, float).reshape(len(future), -1)
        seen = ~np.isnan(extra)
        mean = np.where(seen, extra, 0.0).sum(axis=0) / np.maximum(seen.sum(axis=0), 1)
        extra = np.where(seen, extra, mean)
        extra_future = np.where(np.isnan(extra_future), mean, extra_future)
        varies = extra.std(axis=0) > 0
        X, Xf = np.column_stack([X, extra[:, varies]]), np.column_stack([Xf, extra_future[:, varies]])
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


def seasonal_naive(weeks, offered, future_weeks) -> np.ndarray:
    """The seasonal naive on weeks: each future week takes the last observed week 52k weeks before it
    (k = 1, 2... as far ahead as needed); ``nan`` where that week is missing.

    >>> w = pd.date_range("2024-01-01", periods=60, freq="W-MON")
    >>> seasonal_naive(w, np.arange(60.0), pd.date_range("2025-02-24", periods=3, freq="52W-MON"))
    array([8., 8., 8.])
    """
    weeks = pd.to_datetime(pd.Series(list(weeks)))
    origin = weeks.min()
    position = ((weeks - origin).dt.days // 7).to_numpy()
    value = dict(zip(position, np.asarray(offered, float)))
    last = position.max()
    future = ((pd.to_datetime(pd.Series(list(future_weeks))) - origin).dt.days // 7).to_numpy()
    lag = 52 * np.maximum((future - last - 1) // 52 + 1, 1)
    return np.array([value.get(q, np.nan) for q in future - lag], dtype=float)


def _candidates(weeks, y, future, extra, extra_future, **options) -> dict:
    """Each candidate's mean forecast (and the regression's interval) for ``future``."""
    mean, lo, hi, sd = fit_predict(weeks, y, future, extra=extra, extra_future=extra_future, **options)
    naive = seasonal_naive(weeks, y, future)
    naive = np.where(np.isnan(naive), mean, naive)
    return {"trend_season": mean, "seasonal_naive": naive, "mean": (mean + naive) / 2}, (mean, lo, hi, sd)


def choose(weeks, offered, *, extra=None, horizon_weeks: int = 13, step: int = 4, origins_weeks: int = 52,
           **options) -> str:
    """The candidate (:data:`CANDIDATES`) with the least mean absolute error in a rolling-origin backtest
    on these weeks alone (origins every ``step`` weeks over the last ``origins_weeks``, each forecasting
    ``horizon_weeks``); ``trend_season`` when the history is too short for one origin (53 weeks + 1)."""
    weeks = pd.Series(pd.to_datetime(pd.Series(list(weeks)))).reset_index(drop=True)
    y = np.asarray(offered, float)
    n = len(y)
    errors = {c: [] for c in CANDIDATES}
    for cut in range(max(53, n - origins_weeks), n, step):
        test = slice(cut, min(cut + horizon_weeks, n))
        try:
            means, _ = _candidates(weeks[:cut], y[:cut], weeks[test], None if extra is None else extra[:cut],
                                   None if extra is None else extra[test], **options)
        except InputError:
            continue
        for c in CANDIDATES:
            errors[c].append(np.abs(means[c] - y[test]))
    if not errors["trend_season"]:
        return "trend_season"
    return min(CANDIDATES, key=lambda c: np.mean(np.concatenate(errors[c])))


def forecast_channel(weeks, offered, future_weeks, *, harmonics: int = 2, holiday_dates=(), level: float = 0.8,
                     extra=None, extra_future=None, select: bool = True):
    """One channel's used long-range forecast: (mean, lo, hi, log_sd, chosen candidate).

    The candidate is chosen by :func:`choose` on the training weeks; the regression's interval is
    carried over to the chosen mean in proportion (``lo`` and ``hi`` times mean / regression mean).
    """
    options = dict(harmonics=harmonics, holiday_dates=holiday_dates, level=level)
    chosen = choose(weeks, offered, extra=extra, **options) if select else "trend_season"
    means, (mean, lo, hi, sd) = _candidates(weeks, offered, future_weeks, extra, extra_future, **options)
    used = means[chosen]
    return used, lo * used / mean, hi * used / mean, sd, chosen


def weekly_forecast(weekly: pd.DataFrame, future_weeks, *, harmonics: int = 2, holiday_dates=(),
                    level: float = 0.8, events=None, select: bool = True) -> pd.DataFrame:
    """Long-range forecast of every channel of ``weekly`` (:func:`weekly_totals`) for ``future_weeks``.

    Returns ``week_start, channel, offered, offered_lo, offered_hi, log_sd, aht_s, model`` (AHT: the mean
    of the last 13 weeks, handle time is not seasonal enough at this grain to model; ``model``: the
    candidate :func:`forecast_channel` chose). ``events``: the scenario's events (:func:`event_weeks`).
    """
    frames = []
    for channel, part in weekly.groupby("channel", sort=True):
        part = part.sort_values("week_start")
        extra = event_weeks(events, channel, [*part["week_start"], *pd.to_datetime(pd.Series(list(future_weeks))).dt.date],
                            observed_until=pd.Timestamp(part["week_start"].max()) + pd.Timedelta(days=7))
        mean, lo, hi, sd, chosen = forecast_channel(
            part["week_start"], part["offered"], future_weeks, harmonics=harmonics, holiday_dates=holiday_dates,
            level=level, extra=None if extra is None else extra[: len(part)],
            extra_future=None if extra is None else extra[len(part):], select=select)
        aht = part["aht_s"].dropna().tail(13).mean()
        frames.append(pd.DataFrame({"week_start": pd.to_datetime(pd.Series(future_weeks)).dt.date, "channel": channel,
                                    "offered": mean, "offered_lo": lo, "offered_hi": hi, "log_sd": sd, "aht_s": aht,
                                    "model": chosen}))
    out = pd.concat(frames, ignore_index=True)
    out.attrs["level"] = level
    return out


def weekly_backtest(weekly: pd.DataFrame, *, horizon_weeks: int = 13, first_train_weeks: int = 60, step: int = 4,
                    harmonics: int = 2, holiday_dates=(), events=None, select: bool = True) -> pd.DataFrame:
    """Rolling-origin backtest: ``cutoff, week_start, channel, model, forecast, actual`` plus ``scale``
    (the in-sample mean absolute 52-week difference, for MASE) and ``chosen``.

    Models: ``longrange`` (the used forecast, :func:`forecast_channel`, its candidate chosen on the
    weeks before each cutoff alone; ``chosen`` names it), ``trend_season`` (the regression alone) and
    the baselines. Event days of the test weeks come from the events calendar (known in advance)."""
    rows = []
    for channel, part in weekly.groupby("channel", sort=True):
        part = part.sort_values("week_start").reset_index(drop=True)
        weeks = pd.to_datetime(part["week_start"])
        y = part["offered"].to_numpy(float)
        extra = event_weeks(events, channel, part["week_start"],
                            observed_until=pd.Timestamp(part["week_start"].max()) + pd.Timedelta(days=7))
        iso = weeks.dt.isocalendar()
        by_iso = {(int(a), int(b)): v for a, b, v in zip(iso["year"], iso["week"], y)}
        for cut in range(first_train_weeks, len(part) - 1, step):
            test = slice(cut, min(cut + horizon_weeks, len(part)))
            if cut < 53:
                raise InputError("backtest: the first training window needs at least 53 weeks for the baselines")
            used, _, _, _, chosen = forecast_channel(
                weeks[:cut], y[:cut], weeks[test], harmonics=harmonics, holiday_dates=holiday_dates,
                extra=None if extra is None else extra[:cut], extra_future=None if extra is None else extra[test],
                select=select)
            regression, *_ = fit_predict(weeks[:cut], y[:cut], weeks[test], harmonics=harmonics,
                                         holiday_dates=holiday_dates, extra=None if extra is None else extra[:cut],
                                         extra_future=None if extra is None else extra[test])
            scale = np.mean(np.abs(y[52:cut] - y[: cut - 52]))
            index = np.arange(len(part))[test]
            last_year = [by_iso.get((int(a) - 1, int(b)), np.nan) for a, b in zip(iso["year"][test], iso["week"][test])]
            # the baselines may only use weeks before the cutoff
            naive = np.where(index - 52 < cut, y[index - 52], np.nan)
            last_year = np.where(index - 52 < cut, last_year, np.nan)
            for model, values in (("longrange", used), ("trend_season", regression),
                                  ("last_year_same_week", last_year), ("seasonal_naive", naive)):
                rows.append(pd.DataFrame({"cutoff": weeks[cut].date(), "week_start": part["week_start"][test].to_numpy(),
                                          "channel": channel, "model": model, "forecast": values,
                                          "actual": y[test], "scale": scale,
                                          "chosen": chosen if model == "longrange" else ""}))
    columns = ["cutoff", "week_start", "channel", "model", "forecast", "actual", "scale", "chosen"]
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
    if "chosen" in f:  # which candidate the used forecast took, over the cutoffs
        picks = f[f["chosen"].astype(str) != ""].groupby(["channel", "model"])["chosen"].agg(
            lambda c: ", ".join(f"{k} {v}" for k, v in c.groupby(f.loc[c.index, "cutoff"]).first().value_counts().items()))
        out["chosen"] = out.set_index(["channel", "model"]).index.map(picks).fillna("")
    return out


def long_range_level(forecast: pd.DataFrame, history: pd.DataFrame, *, holiday_dates=(), after_weeks: int = 13,
                     min_weeks: int = 60, harmonics: int = 2, blend_weeks: int = 8, events=None,
                     select: bool = True) -> pd.DataFrame:
    """An interval forecast whose far weeks take the long-range weekly level (``planner run``).

    Each whole local week (Monday to Sunday inside the forecast) that starts ``after_weeks`` or more
    after the history's last day is rescaled, per channel, so that its total is the long-range
    forecast's (:func:`forecast_channel`, with the scenario's ``events``), blended in linearly over ``blend_weeks``; the interval model's
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
        part = part.sort_values("week_start")
        extra = event_weeks(events, channel, [*part["week_start"], *targets],
                            observed_until=pd.Timestamp(part["week_start"].max()) + pd.Timedelta(days=7))
        mean, *_ = forecast_channel(part["week_start"], part["offered"], targets, harmonics=harmonics,
                                    holiday_dates=holiday_dates, extra=None if extra is None else extra[: len(part)],
                                    extra_future=None if extra is None else extra[len(part):], select=select)
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
