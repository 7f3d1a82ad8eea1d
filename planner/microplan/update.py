"""``reforecast(forecast, actuals, at=..., history=...)``: the rest of today updated, re-staffed, and the call list.

The maths is :mod:`planner.forecast.intraday` (docs/design.md section 5a); this module lines a
channel's day up with its residual history (the model's own day-ahead backtest: ``offered`` the
forecast, ``actual`` the count), applies the update to the intervals from the cut on, re-staffs
them with the channel's rule (:func:`planner.staffing.plan.staff`: ``point`` / ``expected`` /
``chance`` over the conditional rate spread, which is smaller than the day-ahead one, so
confidence costs fewer agents) and lists the intervals whose requirement moves by at least
``threshold_agents`` (the planner's call list: add or release agents).

Methods: ``gaussian`` (default; the conditional update), ``ratio`` (ratio-to-date over the next
two hours only, the rest left at the prior) and ``credibility`` (the credibility-weighted ratio
``(k + actual) / (k + forecast)``, ``k`` from the day level's variance, also capped at two hours).
Intervals inside an ``exclude`` event stay out of the residual history and of the observed part.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.forecast.intraday import (
    ResidualModel,
    band_scale,
    conditional_gain,
    credibility_k,
    gaussian_update,
    log_residuals,
    ratio_update,
    residual_covariance,
)
from planner.forecast.intervals import rate_shape
from planner.staffing.plan import staff

__all__ = ["Reforecast", "reforecast", "residual_models", "cut_time", "METHODS"]

METHODS = ("gaussian", "ratio", "credibility")
CAPPED_S = 7200.0  # the ratio methods move the next two hours only (labelled in the output)


@dataclass(frozen=True)
class Reforecast:
    """The intraday update of one day.

    Attributes
    ----------
    forecast : pandas.DataFrame
        The remaining intervals (start >= ``at``): forecast columns updated, ``offered_prior`` the
        day-ahead value, ``method``.
    actuals : pandas.DataFrame
        The intervals before the cut: ``interval_start, channel, offered`` (actual) and ``offered_prior``.
    plan, prior_plan : pandas.DataFrame or None
        The remaining intervals staffed on the updated and on the day-ahead forecast (with channels).
    call_list : pandas.DataFrame or None
        ``interval_start, channel, agents_before, agents_after, change, action`` where
        ``|change| >= threshold_agents``.
    at : pandas.Timestamp
        The cut: intervals starting before it are observed.

    Examples
    --------
    >>> import pandas as pd
    >>> at = pd.Timestamp("2026-07-06 10:00", tz="Europe/London")
    >>> rest = pd.DataFrame({"interval_start": [at], "channel": ["phone"], "offered": [110.0]})
    >>> Reforecast(forecast=rest, actuals=rest.iloc[:0], at=at)
    Reforecast at 2026-07-06 10:00 (gaussian): 1 remaining intervals, 0 observed, no re-staffing
    """

    def __repr__(self) -> str:
        calls = "no re-staffing" if self.call_list is None else f"{len(self.call_list)} on the call list"
        return (f"Reforecast at {self.at.strftime('%Y-%m-%d %H:%M')} ({self.method}): {len(self.forecast)} remaining "
                f"intervals, {len(self.actuals)} observed, {calls}")

    forecast: pd.DataFrame
    actuals: pd.DataFrame
    at: pd.Timestamp
    method: str = "gaussian"
    plan: pd.DataFrame | None = None
    prior_plan: pd.DataFrame | None = None
    call_list: pd.DataFrame | None = None


def _minutes(times: pd.Series) -> np.ndarray:
    wall = times.dt.tz_localize(None)
    return (wall.dt.hour * 60 + wall.dt.minute).to_numpy()


def _excluded(times: pd.Series, channel: str, events: pd.DataFrame | None) -> np.ndarray:
    out = np.zeros(len(times), dtype=bool)
    if events is None or not len(events):
        return out
    rows = events[(events["effect"] == "exclude") & events["channel"].isin([channel, "*"])]
    for start, end in zip(rows["start"], rows["end"]):  # a loop over events, not intervals
        out |= ((times >= start) & (times < end)).to_numpy()
    return out


def residual_models(backtest: pd.DataFrame, *, before: pd.Timestamp | None = None, events: pd.DataFrame | None = None,
                    calibrate: bool = True, **covariance) -> dict[str, tuple[np.ndarray, ResidualModel]]:
    """Per channel: (slot minutes, residual model) from a day-ahead backtest frame (``offered``, ``actual``).

    Only days before ``before`` are used (never future data); ``exclude`` events are left out.
    ``calibrate``: scale the bands so that they covered their level on the last 30 days
    (:func:`planner.forecast.intraday.band_scale`).
    ``covariance`` goes to :func:`planner.forecast.intraday.residual_covariance`.
    """
    missing = [c for c in ("interval_start", "channel", "offered", "actual") if c not in backtest.columns]
    if missing:
        raise InputError(f"history: a day-ahead backtest frame needs column(s) {', '.join(missing)} "
                         "(planner.forecast.backtest(history, horizon='1D') makes one)")
    out = {}
    for channel, rows in backtest.groupby("channel", sort=True):
        if before is not None:
            rows = rows[rows["interval_start"] < before.normalize()]
        r = log_residuals(rows["actual"].to_numpy(float), rows["offered"].to_numpy(float))
        r[_excluded(rows["interval_start"], channel, events)] = np.nan
        table = pd.DataFrame({"day": rows["interval_start"].dt.tz_localize(None).dt.normalize(),
                              "minute": _minutes(rows["interval_start"]), "r": r})
        R = table.pivot_table(index="day", columns="minute", values="r", aggfunc="first", dropna=False)
        if len(R) >= 3:
            model = residual_covariance(R.to_numpy(float), **covariance)
            if calibrate:
                model = dataclasses.replace(model, band_scale=band_scale(R.to_numpy(float), **covariance))
            out[str(channel)] = (R.columns.to_numpy(int), model)
    return out


def cut_time(actuals: pd.DataFrame, interval_s: float, at=None) -> pd.Timestamp:
    """The cut: ``at`` (a time of day such as ``"10:00"`` or a timestamp) on the actuals' day, or the
    end of the last interval in the actuals."""
    last = actuals["interval_start"].max()
    if at is None:
        return last + pd.Timedelta(seconds=interval_s)
    stamp = at if isinstance(at, pd.Timestamp) else None
    if stamp is None:
        try:
            clock = pd.Timestamp(str(at))
        except ValueError:
            raise InputError(f"--at: expected a time of day such as 10:00, got {at!r}") from None
        day = last.tz_localize(None).normalize()
        stamp = day + pd.Timedelta(hours=clock.hour, minutes=clock.minute)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(last.tz, ambiguous=True, nonexistent="shift_forward")
    return stamp


def _update_channel(rows, observed_rows, models, channel, method, at, level, interval_s, events):
    """The rest of one channel's day: updated offered, band, rate shape and day variance."""
    rest = rows[rows["interval_start"] >= at].copy()
    f_rest = rest["offered"].to_numpy(float)
    y_obs = observed_rows["offered"].to_numpy(float)
    f_obs = observed_rows["offered_prior"].to_numpy(float)
    keep = ~_excluded(observed_rows["interval_start"], channel, events)
    y_obs, f_obs = y_obs[keep], f_obs[keep]
    rest["offered_prior"] = f_rest
    if method in ("ratio", "credibility"):
        v = float(np.nanmean(rest["day_log_var"])) if "day_log_var" in rest else np.nan
        k = credibility_k(v) if method == "credibility" and np.isfinite(v) else 0.0
        cap = int(round(CAPPED_S / interval_s))
        factor = ratio_update(np.ones_like(f_rest), y_obs, f_obs, k=k, horizon=cap)
        for column in ("offered", "offered_lo", "offered_hi"):
            if column in rest:
                rest[column] = rest[column].to_numpy(float) * factor
        rest["method"] = f"{method} (next 2 h only)"
        return rest
    rest["method"] = "gaussian"
    if channel not in models or len(rest) == 0:
        return rest.assign(method="none (no residual history)")
    minutes, model = models[channel]
    obs_min = _minutes(observed_rows["interval_start"])[keep]
    rest_min = _minutes(rest["interval_start"])
    known_obs, known_rest = np.isin(obs_min, minutes), np.isin(rest_min, minutes)  # minutes: sorted slot columns
    index = np.searchsorted(minutes, np.concatenate((obs_min[known_obs], rest_min[known_rest])))
    scale = np.atleast_1d(model.band_scale)[min(int(np.searchsorted(minutes, obs_min.max(initial=-1), side="right")),
                                                 np.atleast_1d(model.band_scale).size - 1)]
    sub = ResidualModel(mean=model.mean[index], cov=model.cov[np.ix_(index, index)], band_scale=float(scale))
    mask = np.arange(index.size) < known_obs.sum()
    gain = conditional_gain(sub, mask)
    r_obs = log_residuals(y_obs[known_obs], f_obs[known_obs])
    point, lo, hi = gaussian_update(f_rest[known_rest], gain, r_obs, level=level)
    for column, values in (("offered", point), ("offered_lo", lo), ("offered_hi", hi)):
        full = rest[column].to_numpy(float).copy() if column in rest else f_rest.copy()
        full[known_rest] = values
        rest[column] = full
    # the rate's spread: the conditional log variance less the count's own (Poisson) part
    var = np.diag(gain.cond_cov)
    c = np.maximum(np.expm1(var) - 1.0 / (point + 1.0), 1e-3)
    if "rate_shape" in rest:
        shape = rest["rate_shape"].to_numpy(float).copy()
        shape[known_rest] = rate_shape(c)
        rest["rate_shape"] = shape
        rest["day_log_var"] = float(gain.cond_cov.mean()) if var.size else 0.0
    return rest


def _call_list(prior: pd.DataFrame, updated: pd.DataFrame, threshold_agents: float) -> pd.DataFrame:
    key = ["interval_start", "channel"]
    before = prior.drop_duplicates(key)[key + ["agents"]].rename(columns={"agents": "agents_before"})
    after = updated.drop_duplicates(key)[key + ["agents"]].rename(columns={"agents": "agents_after"})
    table = before.merge(after, on=key, how="outer").fillna({"agents_before": 0, "agents_after": 0})
    table["change"] = (table["agents_after"] - table["agents_before"]).astype(int)
    table = table[table["change"].abs() >= threshold_agents].copy()
    table["action"] = np.where(table["change"] > 0, "add", "release")
    return table.sort_values(key).reset_index(drop=True)


def reforecast(forecast: pd.DataFrame, actuals: pd.DataFrame, *, at=None, history=None,
               channels: Mapping | None = None, method: str = "gaussian", level: float | None = None,
               threshold_agents: float = 1, events: pd.DataFrame | None = None,
               interval_s: float | None = None, covariance: Mapping | None = None, day_draws: int = 0,
               prior_plan: pd.DataFrame | None = None) -> Reforecast:
    """Update the rest of a day from the intervals observed so far, and re-staff it.

    Parameters
    ----------
    forecast : pandas.DataFrame
        The day-ahead forecast (docs/design.md section 3) covering the actuals' day.
    actuals : pandas.DataFrame
        ``interval_start, channel, offered`` of today so far [+ ``backlog`` of deferred channels,
        items waiting at the cut].
    at : str or pandas.Timestamp, optional
        The cut (``"10:00"``); default: the end of the last interval in ``actuals``.
    history : pandas.DataFrame or dict
        The model's own day-ahead backtest (``interval_start, channel, offered, actual``;
        :func:`planner.forecast.backtest` with ``horizon="1D"``), or the output of
        :func:`residual_models` (computed once, reused for every cut: the fast path).
    channels : mapping of str to Voice, Chat or Deferred, optional
        The channel specs: the remaining intervals are re-staffed with each channel's rule.
    method : {"gaussian", "ratio", "credibility"}
    threshold_agents : float
        Least change of the requirement that goes on the call list [agents].
    events : pandas.DataFrame, optional
        The events calendar; ``exclude`` intervals are left out of the residuals and the observed part.
    interval_s : float, optional
        Interval length [s]; default ``forecast.attrs["interval_s"]`` or the spacing of its rows.
    covariance : mapping, optional
        Options of :func:`planner.forecast.intraday.residual_covariance` (default: the kernel).
    prior_plan : pandas.DataFrame, optional
        The day-ahead plan of the day (``planner run``'s ``plan.csv`` rows): the call list compares
        against its remaining intervals; without it the day-ahead forecast's remaining intervals
        are staffed again (twice the staffing time).
    day_draws : int
        Draws for ``p_day_service_level_met`` of the re-staffed plan (0, the default: not computed;
        the rest of a day is not a day, and the draws cost a third of the time).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> days = pd.date_range("2026-06-01 09:00", periods=20, freq="D")
    >>> starts = (days.to_numpy()[:, None] + pd.to_timedelta(np.arange(8) * 15, "min").to_numpy()).ravel()
    >>> rng = np.random.default_rng(0)
    >>> level = np.repeat(np.exp(0.1 * rng.standard_normal(20)), 8)
    >>> bt = pd.DataFrame({"interval_start": pd.DatetimeIndex(starts).tz_localize("UTC"), "channel": "phone",
    ...                    "offered": 100.0, "actual": rng.poisson(100.0 * level).astype(float)})
    >>> today = pd.date_range("2026-06-21 09:00", periods=8, freq="15min", tz="UTC")
    >>> f = pd.DataFrame({"interval_start": today, "channel": "phone", "offered": 100.0,
    ...                   "offered_lo": 85.0, "offered_hi": 115.0, "aht_s": 180.0})
    >>> so_far = pd.DataFrame({"interval_start": today[:4], "channel": "phone", "offered": 120.0})
    >>> out = reforecast(f, so_far, history=bt)
    >>> str(out.at.time()), len(out.forecast), bool((out.forecast.offered > 110).all())
    ('10:00:00', 4, True)
    """
    if method not in METHODS:
        raise InputError(f"method: expected one of {', '.join(METHODS)}, got {method!r}")
    if interval_s is None:
        interval_s = forecast.attrs.get("interval_s") or float(
            np.median(np.diff(np.sort(forecast["interval_start"].unique()))) / np.timedelta64(1, "s"))
    at = cut_time(actuals, interval_s, at)
    day = at.tz_localize(None).normalize()
    today = forecast[forecast["interval_start"].dt.tz_localize(None).dt.normalize() == day]
    if not len(today):
        raise InputError(f"actuals: {day.date()} is outside the forecast ({forecast['interval_start'].min().date()} "
                         f"to {forecast['interval_start'].max().date()}); reforecast a day the forecast covers")
    unknown = sorted(set(actuals["channel"]) - set(today["channel"]))
    if unknown:
        raise InputError(f"actuals: channel(s) {', '.join(map(str, unknown))} are not in the forecast "
                         f"(it has: {', '.join(sorted(map(str, today['channel'].unique())))})")
    models = history if isinstance(history, dict) else \
        residual_models(history, before=at, events=events, **dict(covariance or {})) if history is not None else {}
    if method == "gaussian" and not models:
        raise InputError("history: the gaussian update needs the model's day-ahead backtest (history=...); "
                         "or use method='ratio'")
    observed = actuals[actuals["interval_start"] < at][["interval_start", "channel", "offered"]].merge(
        today[["interval_start", "channel", "offered"]].rename(columns={"offered": "offered_prior"}),
        on=["interval_start", "channel"], how="left")
    parts = []
    for channel, rows in today.groupby("channel", sort=True):  # a loop over channels, not intervals
        parts.append(_update_channel(rows, observed[observed["channel"] == channel], models, str(channel), method,
                                     at, level or forecast.attrs.get("level", 0.8), interval_s, events))
    rest = pd.concat(parts, ignore_index=True)
    rest.attrs.update(forecast.attrs)
    result = Reforecast(forecast=rest, actuals=observed, at=at, method=method)
    if channels is None:
        return result
    specs = dict(channels)
    if "backlog" in actuals.columns:  # deferred channels start from today's actual backlog
        last = actuals.sort_values("interval_start").groupby("channel")["backlog"].last()
        for name, value in last.items():
            if name in specs and hasattr(specs[name], "opening_backlog") and np.isfinite(value):
                specs[name] = dataclasses.replace(specs[name], opening_backlog=float(value))
    so_far = actuals[actuals["interval_start"] < at]
    prior_rows = today[today["interval_start"] >= at]
    timing = dict(interval_s=interval_s, history=so_far, day_draws=day_draws)
    plan = staff(rest.drop(columns=["offered_prior", "method"]), specs, **timing)
    if prior_plan is None:
        prior = staff(prior_rows, specs, **timing)
    else:
        prior = prior_plan[(prior_plan["interval_start"] >= at) & prior_plan["channel"].isin(today["channel"])]
    return dataclasses.replace(result, plan=plan, prior_plan=prior, call_list=_call_list(prior, plan, threshold_agents))
