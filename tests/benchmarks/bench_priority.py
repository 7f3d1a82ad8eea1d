"""Benchmark priority segments: staffing speed over a year, and the exact formulas against millions of customers.

What it measures
----------------
1. Speed: segment-aware ``planner.priority.required_agents`` over a year of 15-minute intervals
   (35,040 rows, two segments: VIP 25% at 95/10, standard 75% at 80/20), with offered contacts
   uniform in 1..2,000 per interval and AHT uniform in 120..900 s (up to 4,000 Erlangs). Best of 3;
   prints seconds, rows per second, and the ratio to FCFS ``planner.erlang.required_agents`` on the
   same rows. Goal (the issue): under 5 s. Also ``fractional_agents`` (what a plan adds).
2. Accuracy: the issue's two-segment example (lambda1 = 160 and lambda2 = 440 per 30 minutes, AHT
   240 s, 80 Erlangs) at 86 and 90 agents, played by the simulator's pool loop
   (``planner.simulate.engine.pool_queue``) for ``--customers`` customers (default 10 million) in
   one stationary run after a warm-up of 2% of them (discarded). Standard errors by batch means
   (50 batches, each far longer than the queue's relaxation time). For each of VIP ASA, standard
   ASA and P(W2 > 10 / 20 / 60 s): exact value (planner.priority), simulated value, its standard
   error, and whether they agree within 2 standard errors. The exact values themselves match the
   50-digit mpmath reference (tests/reference/priority.csv) to 1e-9 (tests/test_priority.py).

The script is a report, not a test: it always exits 0, and pytest does not collect it.

How to run
----------
From the repository root, with planner installed (about a minute for 10 million customers)::

    python tests/benchmarks/bench_priority.py [--customers 4000000] [--seed 1] [--skip-simulation]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from planner.simulate.engine import pool_queue
from planner.staffing import erlang, priority

ROWS = 365 * 96
GOAL_S = 5.0
BATCHES = 50
LAMBDA1, LAMBDA2, AHT = 160 / 1800, 440 / 1800, 240.0


def best_of(fn, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return min(times), value


def speed(seed: int) -> None:
    rng = np.random.default_rng(seed)
    offered = rng.uniform(1, 2000, ROWS)
    aht = rng.uniform(120, 900, ROWS)
    load = offered * aht / 900.0
    loads = np.vstack([0.25 * load, 0.75 * load])
    goals = dict(target_service_level=[0.95, 0.8], threshold_s=[10.0, 20.0])
    seconds, agents = best_of(lambda: priority.required_agents(loads, aht, **goals))
    fcfs_s, fcfs = best_of(lambda: erlang.required_agents(load, aht, target_service_level=0.8, threshold_s=20.0))
    frac_s, _ = best_of(lambda: priority.fractional_agents(loads, aht, **goals), repeats=1)
    print(f"required_agents, 2 segments: {ROWS:,} rows in {seconds:.2f} s ({ROWS / seconds:,.0f} rows/s); "
          f"goal < {GOAL_S:.0f} s: {'met' if seconds < GOAL_S else 'MISSED'}")
    print(f"  FCFS erlang.required_agents on the same rows: {fcfs_s:.3f} s (segments cost {seconds / fcfs_s:.0f}x)")
    print(f"  fractional_agents (for roll-ups): {frac_s:.2f} s")
    print(f"  agents above one FCFS queue at 80/20: mean {np.mean(agents - fcfs):.2f}, max {np.max(agents - fcfs)}")


def simulate_pool(agents: int, customers: int, rng: np.random.Generator):
    lam = LAMBDA1 + LAMBDA2
    arrival = np.cumsum(rng.standard_exponential(customers) / lam)
    cls = (rng.random(customers) < LAMBDA2 / lam).astype(int)
    handle = AHT * rng.standard_exponential(customers)
    start, _, _, _, _, _ = pool_queue(arrival.tolist(), cls.tolist(), [math.inf] * customers, handle.tolist(), 2,
                                      [0.0], [agents], [math.inf], [0.0], lambda: 1.0)
    return np.asarray(start) - arrival, cls


def batch_stat(values: np.ndarray, batch: np.ndarray) -> tuple[float, float]:
    means = np.array([values[batch == b].mean() for b in range(BATCHES)])
    return float(values.mean()), float(means.std(ddof=1) / math.sqrt(BATCHES))


def accuracy(customers: int, seed: int) -> None:
    loads = [LAMBDA1 * AHT, LAMBDA2 * AHT]
    print(f"\nTwo segments, 80 Erlangs, {customers:,} customers per staffing level (2% warm-up discarded), "
          f"{BATCHES} batches for the standard errors")
    print(f"{'agents':>6}  {'quantity':<16} {'exact':>12} {'simulated':>12} {'std err':>10} {'|z|':>6}  within 2 SE")
    rng = np.random.default_rng(seed)
    for agents in (86, 90):
        started = time.perf_counter()
        wait, cls = simulate_pool(agents, customers, rng)
        keep = slice(customers // 50, None)
        wait, cls = wait[keep], cls[keep]
        batch = np.minimum((np.arange(wait.size) * BATCHES) // wait.size, BATCHES - 1)
        exact = priority.segment_metrics(agents, loads, AHT, [10.0, 20.0])
        rows = [("VIP ASA (s)", wait[cls == 0], batch[cls == 0], exact.asa_s[0]),
                ("standard ASA (s)", wait[cls == 1], batch[cls == 1], exact.asa_s[1])]
        for t in (10.0, 20.0, 60.0):
            tail = float(priority.wait_tail(t, agents, loads, AHT)[1])
            rows.append((f"P(W2 > {t:g} s)", (wait[cls == 1] > t).astype(float), batch[cls == 1], tail))
        for name, values, b, value in rows:
            mean, se = batch_stat(values, b)
            z = abs(mean - value) / se
            print(f"{agents:>6}  {name:<16} {value:>12.6f} {mean:>12.6f} {se:>10.6f} {z:>6.2f}  {'yes' if z <= 2 else 'NO'}")
        print(f"        ({time.perf_counter() - started:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-simulation", action="store_true")
    args = parser.parse_args()
    speed(args.seed)
    if not args.skip_simulation:
        accuracy(args.customers, args.seed)


if __name__ == "__main__":
    main()
