"""Benchmark the plan simulator on a contact-center day.

What it measures
----------------
One day, 08:00 to 20:00 in 15-minute intervals, four channels with a double-peaked intraday
profile, about 20,000 contacts in all:

* ``phone`` (voice, 9,000 contacts, AHT 240 s, patience 180 s, 80/20 target),
* ``sales`` (voice, 3,000 contacts, AHT 420 s, patience 300 s, 80/30 target),
* ``chat`` (5,000 chats, AHT 420 s at one chat, concurrency 3, +15% per extra chat, 80/60 target),
* ``email`` (deferred, 3,000 items until 18:00, AHT 300 s, 4-hour deadline in business hours).

Live channels are staffed with Erlang A per interval (chat on ``agents x concurrency`` slots at
the mean duration of a full agent); email at 85% occupancy of its load. The script then times

1. one replication of the whole day (best of 3), with contacts and microseconds per contact,
2. ``replications`` replications (default 20, as ``planner simulate``), once,

in wall-clock and CPU seconds (CPU time is the steadier figure on a busy machine),

and prints the per-channel summary of the second run. The goal (from the issue): a simulated
day of 20,000 contacts over 4 channels in under 10 s. The script is a report, not a test: it
always exits 0, and pytest does not collect it.

How to run
----------
From the repository root, with planner installed::

    python tests/benchmarks/bench_simulate.py [--replications 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from planner.simulate import simulate
from planner.staffing import erlang_a

INTERVAL_S = 900.0
GOAL_S = 10.0
CHANNELS = {
    # name: kind, contacts per day, aht_s, patience_s, threshold_s, concurrency, aht_growth, close hour
    "phone": ("voice", 9000, 240.0, 180.0, 20.0, 1, 0.0, 20),
    "sales": ("voice", 3000, 420.0, 300.0, 30.0, 1, 0.0, 20),
    "chat": ("chat", 5000, 420.0, 240.0, 60.0, 3, 0.15, 20),
    "email": ("deferred", 3000, 300.0, np.inf, np.nan, 1, 0.0, 18),
}


def profile(hours: np.ndarray) -> np.ndarray:
    """Intraday shape: a morning peak near 10:30 and a smaller afternoon one near 15:00."""
    shape = 1.0 * np.exp(-0.5 * ((hours - 10.5) / 1.5) ** 2) + 0.7 * np.exp(-0.5 * ((hours - 15.0) / 2.0) ** 2)
    return 0.15 + shape


def make_plan() -> pd.DataFrame:
    parts = []
    for name, (kind, total, aht, patience, threshold, k, growth, close) in CHANNELS.items():
        starts = pd.date_range("2026-07-06 08:00", f"2026-07-06 {close - 1}:45", freq="15min", tz="Europe/London")
        hours = starts.hour + starts.minute / 60.0 + 7.5 / 60.0
        weights = profile(np.asarray(hours))
        offered = total * weights / weights.sum()
        if kind == "deferred":
            agents = np.ceil(offered * aht / INTERVAL_S / 0.85).astype(int)
        else:
            full_aht = aht * (1.0 + growth * (k - 1))  # a full chat agent's mean duration
            load = offered * full_aht / INTERVAL_S
            slots = np.asarray(erlang_a.required_agents(load, full_aht, patience_s=patience,
                                                        target_service_level=0.8, threshold_s=threshold))
            agents = np.ceil(slots / k).astype(int)
        parts.append(pd.DataFrame({
            "interval_start": starts, "channel": name, "kind": kind, "offered": offered, "aht_s": aht,
            "agents": agents, "threshold_s": threshold, "patience_s": patience, "concurrency": k,
            "aht_growth": growth, "deadline_s": 4 * 3600.0 if kind == "deferred" else np.nan,
            "business_hours": kind == "deferred",
        }))
    return pd.concat(parts, ignore_index=True).sort_values(["interval_start", "channel"], ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=20, help="replications of the timed run (default: 20)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    args = parser.parse_args(argv)

    plan = make_plan()
    expected = plan["offered"].sum()
    print("Plan simulation benchmark")
    print(f"  {plan['channel'].nunique()} channels, {len(plan)} interval rows, {expected:,.0f} contacts expected "
          f"per day, {plan['agents'].sum() * INTERVAL_S / 3600:,.0f} agent-hours")
    for name, rows in plan.groupby("channel", sort=False):
        print(f"    {name:<6} {rows['kind'].iloc[0]:<9} {rows['offered'].sum():7,.0f} contacts, "
              f"{len(rows)} intervals, agents {rows['agents'].min()}-{rows['agents'].max()}")

    times, cpu = [], []
    for repeat in range(3):
        start, start_cpu = time.perf_counter(), time.process_time()
        one = simulate(plan, rng=np.random.default_rng(args.seed + repeat), replications=1)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    contacts = one.channels["offered"].sum()
    best = min(times)
    print()
    print("one replication (best of 3)")
    print(f"  contacts       {contacts:,.0f}")
    print(f"  seconds        {best:.3f} wall, {min(cpu):.3f} CPU")
    print(f"  per contact    {best / contacts * 1e6:.1f} us (event loop, arrivals, tallies, summary)")
    print(f"  goal           < {GOAL_S:.0f} s for the day: {'PASS' if best < GOAL_S else 'FAIL'}")

    start, start_cpu = time.perf_counter(), time.process_time()
    result = simulate(plan, rng=np.random.default_rng(args.seed), replications=args.replications)
    elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print()
    print(f"{args.replications} replications")
    print(f"  seconds        {elapsed:.3f} wall ({elapsed / args.replications:.3f} per replication), "
          f"{elapsed_cpu:.3f} CPU")
    print(f"  contacts       {result.channels['offered'].sum() * args.replications:,.0f} simulated")
    print(f"  goal           < {GOAL_S:.0f} s: {'PASS' if elapsed < GOAL_S else 'FAIL'}")
    print()
    print(result.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
