"""Peers for the forecast benchmark, set up as a competent analyst would set them up.

Every peer sees the same thing planner sees: the history before the origin (the end of the last
observed day before the test day) and forecasts through the test day. Seasonal models run on the
Monday-Friday calendar of the open hours (every day the same ``P`` intervals), where a missing
weekday (holiday, outage) is filled with the most recent observed same weekday (five rows back)
so that the five-day week keeps its phase; filled days are never scored.

- **MSTL** (statsforecast): ``MSTL(season_length=[P, 5 P])`` with an AutoARIMA or AutoETS
  (``"ZZN"``) trend, on the flattened Monday-Friday matrix; negative forecasts clipped at 0
  (Bandara, Hyndman & Bergmeir 2021, arXiv:2107.13462).
- **Prophet**: linear growth, multiplicative seasonality, daily Fourier order 12 and weekly 4,
  fitted on the observed intervals with their real time stamps (Taylor & Letham 2018, The
  American Statistician 72: 37-45).
- **Top-down**: the centred log daily total, a SARIMAX AR(1) with a constant and weekday
  dummies, times the intraday profile of the last 24 observed same weekdays (summed counts,
  normalised); lognormal mean for the total.
- **SVD-AR** (Shen & Huang 2008, Ann. Appl. Stat. 2: 601-623): the days x intervals matrix of
  ``sqrt(count + 1/4)``, an SVD keeping 8 components, each day-score series an AR(1) with weekday
  intercepts (least squares), forecast scores times the components, squared back with the variance
  correction.

The settings (24 weekdays, 8 components) were chosen on the 30 observed days before the test
window. The reference models give Gaussian intervals on their own scale (log total; square root).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

LEVELS = (0.8, 0.95)


@dataclass(frozen=True)
class Grid:
    """A channel's open-hours history on the Monday-Friday calendar."""

    y: np.ndarray          # (n_days, P) counts; NaN rows on missing weekdays
    dates: np.ndarray      # (n_days,) datetime64[D], Monday-Friday
    times: np.ndarray      # (P,) minutes after midnight of each bin
    observed: np.ndarray   # (n_days,) bool

    @property
    def weekday(self) -> np.ndarray:
        return ((self.dates.astype(np.int64) + 3) % 7).astype(int)


def weekday_grid(history: pd.DataFrame) -> Grid:
    """The Monday-Friday x open-bins matrix of a one-channel history frame (local wall clock)."""
    wall = history["interval_start"].dt.tz_localize(None)
    day = wall.dt.normalize()
    minute = wall.dt.hour * 60 + wall.dt.minute
    table = pd.pivot_table(pd.DataFrame({"day": day, "minute": minute, "y": history["offered"].to_numpy(float)}),
                           index="day", columns="minute", values="y", aggfunc="sum", fill_value=0.0)
    calendar = pd.bdate_range(table.index.min(), table.index.max())
    table = table.reindex(calendar)
    observed = table.notna().all(axis=1).to_numpy()
    return Grid(table.to_numpy(float), calendar.to_numpy().astype("M8[D]"), table.columns.to_numpy(int), observed)


def filled(y: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Missing weekdays filled with the most recent observed same weekday (five rows back)."""
    out = y.copy()
    for t in np.flatnonzero(~observed):
        back = t - 5
        while back >= 0 and not np.isfinite(out[back]).all():
            back -= 5
        out[t] = out[back] if back >= 0 else np.nanmean(y[observed], axis=0)
    return out


def _normal_bounds(center, sd, level):
    z = stats.norm.ppf(0.5 + level / 2.0)
    return center - z * sd, center + z * sd


def top_down(y: np.ndarray, observed: np.ndarray, weekday: np.ndarray, h: int, *, profile_days: int = 24):
    """Daily SARIMAX(1,0,0) with constant and weekday dummies on the log total x weekday profile.

    Returns ``(mean, lo, hi)``: ``(h, P)`` and dicts by level.
    """
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    z = np.where(observed, np.log(np.where(observed, np.nansum(y, axis=1), 1.0)), np.nan)
    center = np.nanmean(z)
    future_weekday = (weekday[-1] + 1 + np.arange(h)) % 5
    dummies = lambda w: (w[:, None] == np.arange(1, 5)[None, :]).astype(float)  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = SARIMAX(z - center, exog=dummies(weekday), order=(1, 0, 0), trend="c").fit(disp=False)
        forecast = fit.get_forecast(h, exog=dummies(future_weekday))
    mu, var = np.asarray(forecast.predicted_mean) + center, np.asarray(forecast.var_pred_mean)
    totals = np.exp(mu + var / 2.0)
    profiles = np.zeros((5, y.shape[1]))
    for w in range(5):
        rows = np.flatnonzero(observed & (weekday == w))[-profile_days:]
        summed = y[rows].sum(axis=0)
        profiles[w] = summed / summed.sum()
    shape = profiles[future_weekday]
    mean = totals[:, None] * shape
    lo, hi = {}, {}
    for level in LEVELS:
        low, high = _normal_bounds(mu, np.sqrt(var), level)
        # the day's total is lognormal; the counts within it Poisson around its share
        z_level = stats.norm.ppf(0.5 + level / 2.0)
        spread = np.sqrt(mean)
        lo[level] = np.maximum(np.exp(low)[:, None] * shape - z_level * spread, 0.0)
        hi[level] = np.exp(high)[:, None] * shape + z_level * spread
    return mean, lo, hi


def svd_ar(y: np.ndarray, observed: np.ndarray, weekday: np.ndarray, h: int, *, components: int = 8):
    """Shen & Huang (2008): SVD of sqrt(count + 1/4) days x bins, AR(1) with weekday intercepts on the scores.

    ``y`` must be regular (missing days filled). Returns ``(mean, lo, hi)``.
    """
    x = np.sqrt(y + 0.25)
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    k = min(components, len(s))
    scores, basis = u[:, :k] * s[:k], vt[:k]
    design = np.column_stack([(weekday[1:, None] == np.arange(5)[None, :]).astype(float), scores[:-1]])
    future_weekday = (weekday[-1] + 1 + np.arange(h)) % 5
    forecast = np.zeros((h, k))
    fitted = np.zeros((len(x) - 1, k))
    for j in range(k):
        X = np.column_stack([design[:, :5], scores[:-1, j]])
        coef, *_ = np.linalg.lstsq(X, scores[1:, j], rcond=None)
        fitted[:, j] = X @ coef
        last = scores[-1, j]
        for step in range(h):
            last = coef[future_weekday[step]] + coef[5] * last
            forecast[step, j] = last
    resid = x[1:] - fitted @ basis
    keep = observed[1:] & observed[:-1]
    var = resid[keep].var(axis=0)
    center = forecast @ basis
    mean = np.maximum(center ** 2 + var - 0.25, 0.0)
    lo, hi = {}, {}
    for level in LEVELS:
        low, high = _normal_bounds(center, np.sqrt(var)[None, :], level)
        lo[level] = np.maximum(np.maximum(low, 0.0) ** 2 - 0.25, 0.0)
        hi[level] = np.maximum(high, 0.0) ** 2 - 0.25
    return mean, lo, hi


def mstl(y: np.ndarray, h: int, trend: str):
    """statsforecast MSTL with season lengths [P, 5 P] on the flattened regular matrix."""
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL, AutoARIMA, AutoETS

    per_day = y.shape[1]
    forecaster = AutoARIMA() if trend == "arima" else AutoETS(model="ZZN")
    series = y.ravel()
    model = StatsForecast(models=[MSTL(season_length=[per_day, 5 * per_day], trend_forecaster=forecaster)], freq=1)
    sf = model.forecast(df=pd.DataFrame({"unique_id": "x", "ds": np.arange(len(series)), "y": series}),
                        h=h * per_day, level=[round(100 * v) for v in LEVELS])
    shape = (h, per_day)
    mean = np.maximum(sf["MSTL"].to_numpy(float).reshape(shape), 0.0)
    lo = {v: np.maximum(sf[f"MSTL-lo-{round(100 * v)}"].to_numpy(float).reshape(shape), 0.0) for v in LEVELS}
    hi = {v: np.maximum(sf[f"MSTL-hi-{round(100 * v)}"].to_numpy(float).reshape(shape), 0.0) for v in LEVELS}
    return mean, lo, hi


def prophet(history: pd.DataFrame, future: pd.Series):
    """Prophet, multiplicative, daily Fourier 12 and weekly 4, on the observed intervals."""
    from prophet import Prophet

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = Prophet(growth="linear", daily_seasonality=False, weekly_seasonality=False, yearly_seasonality=False,
                    seasonality_mode="multiplicative", interval_width=LEVELS[0], uncertainty_samples=1000)
        m.add_seasonality("daily", period=1, fourier_order=12)
        m.add_seasonality("weekly", period=7, fourier_order=4)
        m.fit(pd.DataFrame({"ds": history["interval_start"].dt.tz_localize(None), "y": history["offered"]}))
        frame = pd.DataFrame({"ds": future.dt.tz_localize(None)})
        fits = {}
        for level in LEVELS:
            m.interval_width = level  # the width only enters predict(): one fit serves both levels
            fits[level] = m.predict(frame)
    mean = np.maximum(fits[LEVELS[0]]["yhat"].to_numpy(float), 0.0)
    lo = {v: np.maximum(fits[v]["yhat_lower"].to_numpy(float), 0.0) for v in LEVELS}
    hi = {v: np.maximum(fits[v]["yhat_upper"].to_numpy(float), 0.0) for v in LEVELS}
    return mean, lo, hi


GRID_PEERS = ("SVD-AR (Shen & Huang)", "top-down SARIMAX x profile", "MSTL, AutoARIMA trend", "MSTL, AutoETS trend")
PROPHET = "Prophet (multiplicative)"
COMBINED = "mean of MSTL-ETS, top-down, SVD-AR"


def peer_forecasts(history: pd.DataFrame, cutoffs, *, skip: frozenset = frozenset()) -> pd.DataFrame:
    """Day-ahead forecasts of every peer at every cutoff, as backtest rows (with ``seconds`` per fit)."""
    grid = weekday_grid(history)
    columns = pd.Index(grid.times)
    rows = []
    for cutoff in cutoffs:
        test_day = np.datetime64(cutoff.tz_localize(None).normalize(), "D")
        t = int(np.searchsorted(grid.dates, test_day))
        if t >= len(grid.dates) or grid.dates[t] != test_day or not grid.observed[t]:
            continue
        last = np.flatnonzero(grid.observed[:t])[-1]
        h = int(t - last)
        train, seen, weekday = grid.y[:last + 1], grid.observed[:last + 1], grid.weekday[:last + 1]
        regular = filled(train, seen)
        test = history[(history["interval_start"].dt.tz_localize(None).dt.normalize() == pd.Timestamp(test_day))]
        minute = (test["interval_start"].dt.tz_localize(None).dt.hour * 60
                  + test["interval_start"].dt.tz_localize(None).dt.minute).to_numpy()
        where = columns.get_indexer(minute)
        results = {}
        jobs = {"SVD-AR (Shen & Huang)": lambda: svd_ar(regular, seen, weekday, h),
                "top-down SARIMAX x profile": lambda: top_down(train, seen, weekday, h),
                "MSTL, AutoARIMA trend": lambda: mstl(regular, h, "arima"),
                "MSTL, AutoETS trend": lambda: mstl(regular, h, "ets")}
        for name, job in jobs.items():
            if name in skip:
                continue
            start = time.perf_counter()
            mean, lo, hi = job()
            seconds = time.perf_counter() - start
            results[name] = (mean[-1][where], {v: lo[v][-1][where] for v in LEVELS},
                             {v: hi[v][-1][where] for v in LEVELS}, seconds)
        if PROPHET not in skip:
            start = time.perf_counter()
            train_rows = history[history["interval_start"] < cutoff]
            mean, lo, hi = prophet(train_rows, test["interval_start"])
            results[PROPHET] = (mean, lo, hi, time.perf_counter() - start)
        for name, (mean, lo, hi, seconds) in results.items():
            rows.append(backtest_rows(test, cutoff, name, mean, lo, hi, seconds))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def backtest_rows(test: pd.DataFrame, cutoff, name: str, mean, lo, hi, seconds: float) -> pd.DataFrame:
    """Rows shaped like :func:`planner.forecast.backtest` output for one model and cutoff."""
    return pd.DataFrame({"interval_start": test["interval_start"].to_numpy(), "channel": test["channel"].to_numpy(),
                         "offered": np.asarray(mean, float), "offered_lo": np.asarray(lo[0.8], float),
                         "offered_hi": np.asarray(hi[0.8], float), "offered_lo_95": np.asarray(lo[0.95], float),
                         "offered_hi_95": np.asarray(hi[0.95], float), "aht_s": np.nan, "cutoff": cutoff,
                         "actual": test["offered"].to_numpy(float), "model": name, "seconds": seconds})
