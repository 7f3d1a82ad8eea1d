"""Benchmark chat staffing with concurrency: a year of 15-minute intervals through the chain.

What it measures
----------------
One year of 15-minute chat intervals (365 * 96 = 35,040 rows). Offered chats follow a daily
curve (quiet nights, a late-morning and an afternoon peak), a weekly pattern and Poisson noise,
scaled so the busiest intervals need about 300 agents. Each agent holds up to 3 chats; a chat takes
480 s alone and 15% longer per extra concurrent chat (``aht_profile(480, 3, 0.15)``); patience
is 120 s; the target is 80% answered within 40 s.

1. ``chat.required_agents`` over all rows (best of 3 runs): rows, seconds, rows per second.
2. Sanity on a random subsample: the answer meets the targets and one agent fewer does not
   (``erlang_chat`` at N and N - 1).

The goal (from the issue): the full year in under 5 s on a 2-core machine. The script is a
report, not a test: it always exits 0, and pytest does not collect it.

How to run
----------
From the repository root, with planner installed::

    python tests/benchmarks/bench_chat.py [--rows 35040] [--runs 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from planner.staffing import chat

INTERVAL_S = 900.0
CONCURRENCY = 3
AHT_S = 480.0
AHT_GROWTH = 0.15
PATIENCE_S = 120.0
TARGET_SERVICE_LEVEL = 0.8
THRESHOLD_S = 40.0
PEAK_OFFERED = 1500.0  # chats per interval at the busiest time (about 300 agents)
GOAL_S = 5.0


def make_offered(rows: int, rng: np.random.Generator) -> np.ndarray:
    """Offered chats per interval: daily double peak x weekly pattern x Poisson noise."""
    slot = np.arange(rows)
    hour = (slot % 96) / 4.0
    daily = 0.04 + np.exp(-0.5 * ((hour - 11.0) / 2.2) ** 2) + 0.8 * np.exp(-0.5 * ((hour - 16.0) / 2.5) ** 2)
    weekly = np.array([1.0, 0.97, 0.95, 0.93, 0.9, 0.6, 0.45])[(slot // 96) % 7]
    seasonal = 1.0 + 0.15 * np.sin(2.0 * np.pi * slot / (96 * 365.0))
    mean = PEAK_OFFERED * daily / daily.max() * weekly * seasonal / 1.15
    return rng.poisson(mean).astype(float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=365 * 96)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    rate = make_offered(args.rows, rng) / INTERVAL_S
    profile = chat.aht_profile(AHT_S, CONCURRENCY, AHT_GROWTH)
    options = dict(patience_s=PATIENCE_S, target_service_level=TARGET_SERVICE_LEVEL, threshold_s=THRESHOLD_S)

    times, cpu = [], []
    for _ in range(args.runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        agents = chat.required_agents(rate, profile, **options)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    best = min(times)
    print(f"rows                 {args.rows:,}  (15-minute intervals, concurrency {CONCURRENCY}, "
          f"aht {AHT_S:g} s +{AHT_GROWTH:.0%} per extra chat, patience {PATIENCE_S:g} s, "
          f"target {TARGET_SERVICE_LEVEL:.0%}/{THRESHOLD_S:g} s)")
    print(f"agents               max {agents.max()}, mean {agents.mean():.1f}, "
          f"offered up to {rate.max() * INTERVAL_S:.0f} chats per interval")
    print(f"seconds              {best:.2f} (best of {args.runs}; all: "
          f"{', '.join(f'{t:.2f}' for t in times)})")
    print(f"cpu seconds          {min(cpu):.2f} (process time: what the run costs on an idle machine)")
    print(f"rows/s               {args.rows / best:,.0f}")
    print(f"goal                 < {GOAL_S:g} s: {'met' if best < GOAL_S else 'NOT met'}")

    rows = rng.choice(args.rows, size=min(args.sample, args.rows), replace=False)
    rows = rows[agents[rows] > 0]
    n = agents[rows].astype(float)
    here = chat.erlang_chat(n, rate[rows], profile, PATIENCE_S, THRESHOLD_S)
    below = chat.erlang_chat(n - 1, rate[rows], profile, PATIENCE_S, THRESHOLD_S)
    meets = here.service_level >= TARGET_SERVICE_LEVEL
    least = (n == 1) | (below.service_level < TARGET_SERVICE_LEVEL)
    print(f"sanity ({rows.size} rows)   meets the target at N: {meets.mean():.0%}; "
          f"fails at N - 1: {least.mean():.0%}")


if __name__ == "__main__":
    main()
