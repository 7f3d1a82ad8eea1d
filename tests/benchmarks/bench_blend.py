"""Benchmark blended inbound/outbound agents: solve time per interval, and the chain against the simulator.

What it measures
----------------
The issue's example: 30 agents, 300 inbound calls an hour of 240 s (20 Erlangs), 80% within 20 s.

1. Speed per interval at s = 30 (best of 5):
   * ``planner.blend.blend_metrics`` for one (agents, threshold), the closed forms of the chain's
     total (what plans use);
   * ``planner.blend.requirement`` for one interval (least pool and threshold for 5 outbound agents);
   * the full two-dimensional chain (inbound in system, outbound in service; truncated at 200
     waiting) solved with ``scipy.sparse.linalg.spsolve``, the sparse stationary solve the issue
     names, for one threshold.
   Goal (the issue): under 1 s per interval at s = 30.
2. Accuracy, tau in {2, 3, 5, 8}: the chain's inbound service level and outbound calls per hour
   against the simulator's pool loop (``planner.simulate.engine.pool_queue``) over ``--calls``
   inbound calls (default 2 million) in one stationary run after a 2% warm-up. Goal: within 0.005
   service level and 1% outbound throughput; the standard errors (batch means, 50 batches) are
   printed so the agreement can be read against the noise.

The script is a report, not a test: it always exits 0, and pytest does not collect it.

How to run
----------
From the repository root, with planner installed (about 2 minutes)::

    python tests/benchmarks/bench_blend.py [--calls 2000000] [--seed 1]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import spsolve

from planner.simulate.engine import pool_queue
from planner.staffing import blend

AGENTS, PER_HOUR, AHT, T = 30, 300.0, 240.0, 20.0
LOAD = PER_HOUR * AHT / 3600.0
TAUS = (2, 3, 5, 8)
BATCHES = 50


def best_of(fn, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def sparse_chain(agents, tau, lam, mu, cap=200):
    """Stationary law of the (inbound in system, outbound in service) chain by a sparse solve."""
    states = [(i, o) for i in range(agents + cap + 1) for o in range(agents - tau + 1) if i + o >= agents - tau]
    index = {s: k for k, s in enumerate(states)}
    rows, cols, vals = [], [], []
    for (i, o) in states:
        k = index[(i, o)]
        queue = max(0, i + o - agents)
        served = min(i, agents - o)
        moves = []
        if i < agents + cap:
            moves.append(((i + 1, o), lam))
        if served:
            target = (i - 1, o + 1) if not queue and agents - (i - 1) - o > tau else (i - 1, o)
            moves.append((target, mu * served))
        if o and (queue or agents - i - (o - 1) <= tau):
            moves.append(((i, o - 1), mu * o))
        for target, rate in moves:
            rows.append(k), cols.append(index[target]), vals.append(rate)
    n = len(states)
    q = sparse.csr_matrix((vals, (rows, cols)), shape=(n, n))
    q = q - sparse.diags(np.asarray(q.sum(axis=1)).ravel())
    a = q.T.tolil()
    a[0, :] = 1.0
    b = np.zeros(n)
    b[0] = 1.0
    return states, spsolve(a.tocsr(), b)


def speed() -> None:
    lam, mu = PER_HOUR / 3600.0, 1.0 / AHT
    metrics_s = best_of(lambda: blend.blend_metrics(AGENTS, LOAD, AHT, T, 3))
    requirement_s = best_of(lambda: blend.requirement(LOAD, AHT, 5.0, target_service_level=0.8, threshold_s=T))
    chain_s = best_of(lambda: sparse_chain(AGENTS, 3, lam, mu), repeats=3)
    states, pi = sparse_chain(AGENTS, 3, lam, mu)
    outbound = sum(p * o for (i, o), p in zip(states, pi))
    closed = float(blend.blend_metrics(AGENTS, LOAD, AHT, T, 3).outbound_agents)
    print(f"per interval at s = {AGENTS} (goal < 1 s):")
    print(f"  blend_metrics (closed forms of the chain's total):  {metrics_s * 1e3:8.3f} ms")
    print(f"  requirement (least pool and threshold):              {requirement_s * 1e3:8.3f} ms")
    print(f"  full 2-D chain, sparse stationary solve ({len(states):,} states): {chain_s * 1e3:8.1f} ms; "
          f"outbound agents {outbound:.12f} vs closed form {closed:.12f}")


def batches(values, n):
    means = np.array([v.mean() for v in np.array_split(values, n)])
    return float(means.std(ddof=1) / math.sqrt(n))


def accuracy(calls: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    lam = PER_HOUR / 3600.0
    print(f"\nchain vs simulator, {calls:,} inbound calls per threshold (2% warm-up discarded)")
    print(f"{'tau':>3}  {'SL chain':>9} {'SL sim':>9} {'SE':>7} {'|diff|':>7}  {'out/h chain':>11} {'out/h sim':>10} "
          f"{'SE':>6} {'rel diff':>8}  within 0.005 and 1%")
    for tau in TAUS:
        arrival = np.cumsum(rng.standard_exponential(calls) / lam)
        handle = AHT * rng.standard_exponential(calls)
        end = float(arrival[-1])
        draws = iter(rng.standard_exponential(4 * calls).tolist())
        start, _, out_start, out_end, _, _ = pool_queue(
            arrival.tolist(), [0] * calls, [math.inf] * calls, handle.tolist(), 1, [0.0, end], [AGENTS, AGENTS],
            [float(tau), math.inf], [AHT, 0.0], lambda: next(draws))
        wait = np.asarray(start) - arrival
        skip = calls // 50
        t0 = float(arrival[skip])
        inside = (wait[skip:] <= T).astype(float)
        sl, sl_se = float(inside.mean()), batches(inside, BATCHES)
        ended = np.sort(np.asarray(out_end))
        edges = np.linspace(t0, end, BATCHES + 1)
        per_batch = np.diff(np.searchsorted(ended, edges)) / np.diff(edges) * 3600.0
        out, out_se = float(per_batch.mean()), float(per_batch.std(ddof=1) / math.sqrt(BATCHES))
        exact = blend.blend_metrics(AGENTS, LOAD, AHT, T, tau)
        d_sl = abs(sl - float(exact.service_level))
        d_out = abs(out - float(exact.outbound_per_hour)) / float(exact.outbound_per_hour)
        ok = d_sl <= 0.005 and d_out <= 0.01
        print(f"{tau:>3}  {float(exact.service_level):9.4f} {sl:9.4f} {sl_se:7.4f} {d_sl:7.4f}  "
              f"{float(exact.outbound_per_hour):11.2f} {out:10.2f} {out_se:6.2f} {d_out:8.4f}  {'yes' if ok else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    speed()
    accuracy(args.calls, args.seed)


if __name__ == "__main__":
    main()
