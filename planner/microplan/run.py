"""``planner reforecast SCENARIO --actuals today.csv [--at 10:00]``: the scenario glue of the intraday update.

Reads today's actuals (checked row by row: ``file:row:column: what is wrong; fix``, like a history
file, docs/design.md section 7), forecasts today day-ahead from the history before it with the
scenario's model and adjustments, backtests that model day-ahead over the last ``days`` days (the
residual history, never today or later), updates the rest of the day (:func:`planner.microplan.reforecast`),
re-staffs it with the scenario's channel specs and writes ``forecast.csv`` (remaining intervals),
``actuals.csv``, ``plan.csv``, ``call_list.csv``, ``reforecast.png`` and ``manifest.json``
atomically into one folder.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.forecast import backtest
from planner.forecast import forecast as make_forecast
from planner.microplan.update import Reforecast, cut_time, reforecast, residual_models
from planner.scenario import _models_dir
from planner.schema import describe_interval
from planner.tables import localize, numbers, parse_times, read_table

__all__ = ["read_actuals", "reforecast_scenario", "write_reforecast"]

ACTUALS_REQUIRED = ("interval_start", "channel", "offered")
ACTUALS_OPTIONAL = ("backlog", "aht_s")


def read_actuals(path, *, tz: str, interval_s: float, channels, at=None) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Today's actuals so far and the cut, every row checked.

    Errors (``file:row:column``): a channel the scenario lacks, a second row for an interval, a
    row on another day than the first, an interval off the grid, and (with ``at``) an interval
    that ends after the cut.
    """
    table = read_table(path, required=ACTUALS_REQUIRED, optional=ACTUALS_OPTIONAL, what="channel and interval",
                       text_columns=("interval_start", "channel"), extra="ignore")
    frame = table.frame
    if len(frame) == 0:
        raise InputError(f"{table.shown}:2: no data rows; add one row per channel and interval so far today")
    channel = frame["channel"].astype(str).str.strip()
    known = sorted(map(str, channels))
    table.check(~channel.isin(known).to_numpy(), "channel",
                lambda i: f"channel {channel.iloc[i]!r} is not in the scenario (it has: {', '.join(known)})",
                "fix the name or add the channel to the scenario")
    codes, names = pd.factorize(channel, sort=True)
    naive, utc, offset, _ = parse_times(table, "interval_start", allow_mixed=False)
    times = utc.tz_convert(tz) if offset[0] else localize(table, "interval_start", naive, tz, codes)
    out = pd.DataFrame({"interval_start": pd.Series(times).reset_index(drop=True),
                        "channel": np.asarray(names, dtype=object)[codes]})
    for column in ("offered", *ACTUALS_OPTIONAL):
        if column in frame:
            values = numbers(table, column, required=column == "offered", what="a number", example="12")
            table.check(values < 0, column, lambda i, v=values: f"{v[i]:g} is not >= 0", f"{column} must be >= 0")
            out[column] = values
    wall = out["interval_start"].dt.tz_localize(None)
    step = np.int64(round(interval_s * 1e9))
    table.check((wall.astype("int64") % step != 0).to_numpy(), "interval_start",
                lambda i: f"{table.raw('interval_start', i)} is not on the {describe_interval(interval_s)} grid",
                f"interval starts are whole multiples of {interval_s / 60:g} minutes past the hour")
    day = wall.dt.normalize()
    table.check((day != day.iloc[0]).to_numpy(), "interval_start",
                lambda i: f"{table.raw('interval_start', i)} is on {day.iloc[i].date()}, the first row on {day.iloc[0].date()}",
                "give one day's actuals per run")
    key = out["channel"] + "|" + wall.astype(str)
    table.check(key.duplicated().to_numpy(), "interval_start",
                lambda i: f"a second row for {out['channel'].iloc[i]!r} at {table.raw('interval_start', i)}",
                "keep one row per channel and interval")
    cut = cut_time(out, interval_s, at)
    late = (out["interval_start"] + pd.Timedelta(seconds=interval_s) > cut).to_numpy()
    table.check(late, "interval_start",
                lambda i: f"{table.raw('interval_start', i)} ends after the cut at {cut.strftime('%H:%M')}",
                "drop the rows after the cut, or give a later --at")
    out.attrs["lines"] = table.lines
    out.attrs["shown"] = table.shown
    return out, cut


def _check_day(actuals: pd.DataFrame, horizon: tuple[pd.Timestamp, pd.Timestamp], history_end: pd.Timestamp) -> None:
    start, end = horizon
    first = actuals["interval_start"].min()
    if first < start or first >= end or first <= history_end:
        lines, shown = actuals.attrs.get("lines"), actuals.attrs.get("shown", "actuals")
        row = int(np.argmin(actuals["interval_start"].to_numpy()))
        where = f"{shown}:{lines[row]}:interval_start" if lines is not None else f"{shown}:interval_start"
        why = "is inside the history" if first <= history_end else \
            f"is outside the forecast ({start.date()} to {(end - pd.Timedelta(days=1)).date()})"
        raise InputError(f"{where}: the day {first.date()} {why}; give actuals for a day of the scenario's horizon")


def reforecast_scenario(scenario, actuals_path, *, at=None, days: int = 40, method: str = "gaussian",
                        threshold_agents: float = 1) -> tuple[Reforecast, pd.DataFrame]:
    """The intraday update of a scenario's day: (result, today's day-ahead forecast)."""
    interval_s = scenario.config.interval_s or 900.0
    actuals, cut = read_actuals(actuals_path, tz=scenario.config.timezone, interval_s=interval_s,
                                channels=scenario.config.channels, at=at)
    history = scenario.read_history()
    events = scenario.read_events(history)
    _check_day(actuals, scenario.horizon(history), history["interval_start"].max())
    day = cut.tz_localize(None).normalize()
    start = day.tz_localize(scenario.config.timezone, ambiguous=True, nonexistent="shift_forward")
    end = (day + pd.Timedelta(days=1)).tz_localize(scenario.config.timezone, ambiguous=True, nonexistent="shift_forward")
    models_dir = _models_dir(Path(scenario.config.path))
    today = scenario.adjust(make_forecast(history, horizon=(start, end), model=scenario.config.model, events=events,
                                          models_dir=models_dir))
    past = backtest(history, models=[scenario.config.model], horizon="1D", n_windows=days, events=events,
                    models_dir=models_dir)
    result = reforecast(today, actuals, at=cut, history=residual_models(past, before=cut, events=events),
                        channels=scenario.channel_specs(), method=method, threshold_agents=threshold_agents,
                        events=events, interval_s=interval_s)
    return result, today


def _figure(result: Reforecast, prior: pd.DataFrame):
    from matplotlib.figure import Figure

    channels = sorted(prior["channel"].unique())
    figure = Figure(figsize=(9, 2.6 * len(channels)))
    axes = figure.subplots(len(channels), 1, squeeze=False)[:, 0]
    for ax, channel in zip(axes, channels):
        day = prior[prior["channel"] == channel]
        rest = result.forecast[result.forecast["channel"] == channel]
        seen = result.actuals[result.actuals["channel"] == channel]
        ax.plot(day["interval_start"], day["offered"], color="0.6", label="day-ahead forecast")
        ax.fill_between(rest["interval_start"], rest["offered_lo"], rest["offered_hi"], alpha=0.25,
                        label=f"updated {int(100 * prior.attrs.get('level', 0.8))} % interval")
        ax.plot(rest["interval_start"], rest["offered"], color="C0", label=f"updated ({result.method})")
        ax.plot(seen["interval_start"], seen["offered"], "k.", label="actual so far")
        ax.axvline(result.at, color="C3", lw=0.8)
        ax.set_title(f"{channel}: reforecast at {result.at.strftime('%H:%M')}", fontsize=9)
        ax.set_ylabel("contacts / interval")
    axes[0].legend(fontsize=7, loc="upper right")
    figure.tight_layout()
    return figure


def write_reforecast(result: Reforecast, prior: pd.DataFrame, out, *, scenario, actuals_path, force: bool = False) -> Path:
    """Write the remaining intervals' forecast and plan, the actuals so far, the call list and a plot."""
    from planner.report import OutputFolder

    inputs = [*scenario.inputs(), Path(actuals_path)]
    with OutputFolder(out, protect=inputs, force=force) as folder:
        folder.write_csv("forecast.csv", result.forecast)
        folder.write_csv("actuals.csv", result.actuals)
        if result.plan is not None:
            folder.write_csv("plan.csv", result.plan)
            folder.write_csv("call_list.csv", result.call_list)
        folder.write_png("reforecast.png", _figure(result, prior))
        folder.write_json("manifest.json", {
            "scenario": scenario.name, "at": result.at.isoformat(), "method": result.method,
            "inputs": {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in inputs if p.is_file()},
            "rows": {"forecast": len(result.forecast), "actuals": len(result.actuals),
                     "call_list": 0 if result.call_list is None else len(result.call_list)}})
    return folder.path
