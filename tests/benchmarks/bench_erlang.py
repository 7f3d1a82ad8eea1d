"""Benchmark planner's vectorised Erlang C staffing against pyworkforce.

What it measures
----------------
One year of 15-minute intervals for 5 channels (365 * 96 * 5 = 175,200 rows), with offered
contacts drawn uniformly between 1 and 2,000 per interval and AHT uniformly between 120 and
900 s, staffed to an 80/20 target (80 % of contacts answered within 20 s):

1. planner: ``erlang.requirement`` over all rows: the required agents and the service level, ASA
   and occupancy they deliver, in one pass (what a plan calls). Best of 3 runs; prints rows,
   seconds and rows per second. For reference it also times ``required_agents`` followed by
   the separate ``service_level``, ``asa`` and ``occupancy`` calls.
2. pyworkforce: ``ErlangC(...).required_positions`` one row at a time on a random subsample of
   the same rows (it is a pure-Python loop, far too slow for the full year). The speed ratio is
   pyworkforce seconds per row divided by planner seconds per row (full run).
3. Agreement: the agent counts of both on the subsample. Where they differ, or where either
   disagrees with the exact answer, the service level at each answer is recomputed
   independently with mpmath (Erlang B recursion at 30 significant digits) and a verdict is
   printed.

The goals (from the issue): the full 175,200 rows in under 0.5 s, at least 1,000 times faster
than pyworkforce per row, and identical agent counts on the subsample. The script is a report,
not a test: it always exits 0, and pytest does not collect it.

How to run
----------
From the repository root, with planner installed and the ``bench`` extra for pyworkforce
(mpmath, used for the exact verdicts, comes with the ``test`` extra)::

    pip install -e .[bench,test]
    python tests/benchmarks/bench_erlang.py [--rows 175200] [--sample 300] [--seed 1]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np

from planner.staffing import erlang

INTERVAL_S = 900.0  # 15-minute intervals
CHANNELS = 5
YEAR_ROWS = 365 * 96 * CHANNELS  # 175,200
TARGET_SERVICE_LEVEL = 0.8
THRESHOLD_S = 20.0
MAX_OCCUPANCY = 1.0

GOAL_FULL_RUN_S = 0.5
GOAL_SPEED_RATIO = 1000.0
EXACT_DIGITS = 30


@dataclass
class Workload:
    """Inputs for every row: offered contacts per interval, AHT in seconds and the load."""

    offered: np.ndarray
    aht_s: np.ndarray

    @property
    def load_erlangs(self) -> np.ndarray:
        return self.offered * self.aht_s / INTERVAL_S

    def __len__(self) -> int:
        return len(self.offered)


def make_workload(rows: int, rng: np.random.Generator) -> Workload:
    """Offered uniform on the integers 1..2,000 and AHT uniform on [120, 900] s, per row."""
    offered = rng.integers(1, 2000, size=rows, endpoint=True).astype(float)
    aht_s = rng.uniform(120.0, 900.0, size=rows)
    return Workload(offered=offered, aht_s=aht_s)


# --------------------------------------------------------------------------------------------
# planner


def run_planner(work: Workload) -> dict[str, np.ndarray]:
    """Required agents for every row with the metrics at that staffing, in one pass."""
    return erlang.requirement(
        work.load_erlangs,
        work.aht_s,
        target_service_level=TARGET_SERVICE_LEVEL,
        threshold_s=THRESHOLD_S,
        max_occupancy=MAX_OCCUPANCY,
    )


def run_planner_separate(work: Workload) -> dict[str, np.ndarray]:
    """Required agents, then each metric by its own function (three more Erlang evaluations)."""
    load = work.load_erlangs
    agents = erlang.required_agents(
        load,
        work.aht_s,
        target_service_level=TARGET_SERVICE_LEVEL,
        threshold_s=THRESHOLD_S,
        max_occupancy=MAX_OCCUPANCY,
    )
    return {
        "agents": agents,
        "service_level": erlang.service_level(agents, load, work.aht_s, THRESHOLD_S),
        "asa_s": erlang.asa(agents, load, work.aht_s),
        "occupancy": erlang.occupancy(agents, load),
    }


def best_of(repeats: int, func, *args):
    """Return (best wall-clock seconds, result of the last call)."""
    best = float("inf")
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


# --------------------------------------------------------------------------------------------
# pyworkforce


def run_pyworkforce(work: Workload) -> np.ndarray:
    """Net agents (``raw_positions``: no shrinkage) per row, from pyworkforce's ErlangC.

    pyworkforce works in minutes: ``transactions`` per ``interval`` minutes, ``aht`` in minutes
    and ``asa`` is the service-level threshold in minutes. ``positions`` is ``raw_positions``
    grossed up for shrinkage; with shrinkage 0 they are equal, and ``raw_positions`` is the net
    requirement comparable with planner's.
    """
    from pyworkforce.queuing import ErlangC

    agents = np.empty(len(work), dtype=np.int64)
    for i, (offered, aht_s) in enumerate(zip(work.offered, work.aht_s)):
        model = ErlangC(
            transactions=float(offered),
            aht=float(aht_s) / 60.0,
            asa=THRESHOLD_S / 60.0,
            interval=INTERVAL_S / 60.0,
            shrinkage=0.0,
        )
        result = model.required_positions(
            service_level=TARGET_SERVICE_LEVEL, max_occupancy=MAX_OCCUPANCY
        )
        agents[i] = result["raw_positions"]
    return agents


# --------------------------------------------------------------------------------------------
# exact reference (mpmath)


class ExactErlang:
    """Erlang C service level and minimum agents in mpmath arithmetic, for one row.

    Erlang B by the stable recursion B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1)); then
    C(n) = n B / (n - A (1 - B)) and SL(n) = 1 - C(n) exp(-(n - A) t / AHT), with SL = 0 when
    n <= A (the queue is unstable).
    """

    def __init__(self, mp, offered: float, aht_s: float):
        self.mp = mp
        self.aht = mp.mpf(aht_s)
        self.load = mp.mpf(offered) * self.aht / mp.mpf(INTERVAL_S)
        self.threshold = mp.mpf(THRESHOLD_S)
        self.target = mp.mpf(str(TARGET_SERVICE_LEVEL))
        self._erlang_b = [mp.mpf(1)]  # B(0), B(1), ... computed on demand

    def erlang_b(self, n: int):
        while len(self._erlang_b) <= n:
            k = len(self._erlang_b)
            prev = self._erlang_b[-1]
            self._erlang_b.append(self.load * prev / (k + self.load * prev))
        return self._erlang_b[n]

    def service_level(self, n: int):
        mp, a = self.mp, self.load
        if n <= a:
            return mp.mpf(0)
        b = self.erlang_b(n)
        wait_probability = n * b / (n - a * (1 - b))
        return 1 - wait_probability * mp.exp(-(n - a) * self.threshold / self.aht)

    def required_agents(self) -> int:
        n = int(self.mp.floor(self.load)) + 1
        while self.service_level(n) < self.target:
            n += 1
        return n


def load_mpmath():
    try:
        import mpmath
    except ImportError:
        return None
    mpmath.mp.dps = EXACT_DIGITS
    return mpmath.mp


# --------------------------------------------------------------------------------------------
# report


def verdict(planner_n: int, other_n: int | None, exact_n: int) -> str:
    right = [name for name, n in (("planner", planner_n), ("pyworkforce", other_n)) if n == exact_n]
    if len(right) == 2:
        return "both right"
    if right:
        return f"{right[0]} right"
    return "neither right"


def pass_fail(ok: bool | None) -> str:
    return "SKIP" if ok is None else ("PASS" if ok else "FAIL")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=YEAR_ROWS, help="rows for planner (default: %(default)s)")
    parser.add_argument("--sample", type=int, default=300, help="rows for pyworkforce (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    work = make_workload(args.rows, rng)
    sample_idx = np.sort(rng.choice(args.rows, size=min(args.sample, args.rows), replace=False))
    sample = Workload(offered=work.offered[sample_idx], aht_s=work.aht_s[sample_idx])

    print("Erlang C staffing benchmark")
    print(
        f"  rows {args.rows:,} (offered 1-2,000 per {INTERVAL_S / 60:.0f} min, AHT 120-900 s), "
        f"target {TARGET_SERVICE_LEVEL:.0%} in {THRESHOLD_S:.0f} s, seed {args.seed}"
    )
    load = work.load_erlangs
    print(f"  load {load.min():.2f} to {load.max():.1f} Erlangs (mean {load.mean():.1f})")

    # planner, full run -------------------------------------------------------------------
    planner_s, result = best_of(3, run_planner, work)
    planner_per_row = planner_s / args.rows
    agents = np.asarray(result["agents"])
    print()
    print("planner: erlang.requirement = required agents + service level, ASA, occupancy (best of 3)")
    print(f"  rows         {args.rows:,}")
    print(f"  seconds      {planner_s:.4f}")
    print(f"  rows/second  {args.rows / planner_s:,.0f}")
    print(f"  agents       {agents.sum():,} in total, {agents.min()} to {agents.max()} per row ({agents.dtype})")
    print(f"  service lvl  min {np.min(result['service_level']):.4f}, mean {np.mean(result['service_level']):.4f}")
    print(f"  asa          mean {np.mean(result['asa_s']):.2f} s, max {np.max(result['asa_s']):.2f} s")
    print(f"  occupancy    mean {np.mean(result['occupancy']):.4f}, max {np.max(result['occupancy']):.4f}")
    below = int(np.sum(np.asarray(result["service_level"]) < TARGET_SERVICE_LEVEL))
    if below:
        print(f"  WARNING: {below:,} rows below the {TARGET_SERVICE_LEVEL:.0%} target at the returned agents")

    separate_s, separate = best_of(3, run_planner_separate, work)
    same = bool(np.array_equal(separate["agents"], agents))
    print(f"  (required_agents + separate service_level/asa/occupancy calls: {separate_s:.4f} s, "
          f"same agents: {same})")

    planner_agents = agents[sample_idx]
    sub_s, _ = best_of(3, run_planner, sample)
    print(f"  (on the {len(sample)}-row subsample alone: {sub_s * 1e3:.3f} ms, "
          f"{sub_s / len(sample) * 1e6:.3f} us/row, call overhead included)")

    # pyworkforce, subsample --------------------------------------------------------------
    print()
    ratio = None
    pyw_agents = None
    try:
        import pyworkforce
    except ImportError:
        print("pyworkforce: not installed, skipped (pip install -e .[bench])")
    else:
        pyw_s, pyw_agents = best_of(3, run_pyworkforce, sample)
        pyw_per_row = pyw_s / len(sample)
        ratio = pyw_per_row / planner_per_row
        print(f"pyworkforce {pyworkforce.__version__}: ErlangC(...).required_positions, "
              f"{len(sample)}-row subsample (best of 3)")
        print(f"  seconds      {pyw_s:.3f}")
        print(f"  rows/second  {len(sample) / pyw_s:,.1f}")
        print(f"  per row      pyworkforce {pyw_per_row * 1e6:,.1f} us, planner {planner_per_row * 1e6:.3f} us")
        print(f"  speed ratio  {ratio:,.0f}x (pyworkforce per-row time / planner per-row time)")

    # agreement on the subsample ----------------------------------------------------------
    mp = load_mpmath()
    exact_agents = None
    if mp is None:
        print("\nmpmath: not installed, exact verdicts skipped (pip install -e .[test])")
    else:
        exact = [ExactErlang(mp, o, a) for o, a in zip(sample.offered, sample.aht_s)]
        exact_agents = np.array([e.required_agents() for e in exact])
        sl_error = max(
            abs(float(e.service_level(int(n))) - float(sl))
            for e, n, sl in zip(exact, planner_agents, result["service_level"][sample_idx])
        )
        print()
        print(f"exact (mpmath, {EXACT_DIGITS} digits) on the subsample:")
        print(f"  planner      {np.sum(planner_agents == exact_agents)}/{len(sample)} agent counts exact, "
              f"service level max abs error {sl_error:.2e}")
        if pyw_agents is not None:
            print(f"  pyworkforce  {np.sum(pyw_agents == exact_agents)}/{len(sample)} agent counts exact")

    identical = None
    if pyw_agents is not None:
        same = planner_agents == pyw_agents
        identical = bool(same.all())
        print()
        print(f"agreement: {int(same.sum())}/{len(sample)} agent counts identical")
    # Rows worth listing: planner and pyworkforce differ, or either is not the exact answer.
    suspect = np.zeros(len(sample), dtype=bool)
    if pyw_agents is not None:
        suspect |= planner_agents != pyw_agents
    if exact_agents is not None:
        suspect |= planner_agents != exact_agents
        if pyw_agents is not None:
            suspect |= pyw_agents != exact_agents
    if suspect.any():
        print("  rows where planner and pyworkforce differ, or either differs from the exact answer:")
        header = f"  {'row':>7} {'offered':>7} {'aht_s':>8} {'load':>9} {'planner':>7} {'pywf':>5}"
        if exact_agents is not None:
            header += f" {'exact':>5} {'SL@planner':>11} {'SL@pywf':>9}  verdict"
        print(header)
        for j in np.flatnonzero(suspect):
            p = int(planner_agents[j])
            w = None if pyw_agents is None else int(pyw_agents[j])
            line = (f"  {sample_idx[j]:>7} {sample.offered[j]:>7.0f} {sample.aht_s[j]:>8.3f} "
                    f"{sample.load_erlangs[j]:>9.4f} {p:>7} {'-' if w is None else w:>5}")
            if exact_agents is not None:
                e = exact[j]
                sl_w = "-" if w is None else f"{float(e.service_level(w)):.6f}"
                line += (f" {exact_agents[j]:>5} {float(e.service_level(p)):>11.6f} {sl_w:>9}  "
                         f"{verdict(p, w, int(exact_agents[j]))}")
            print(line)

    # summary -----------------------------------------------------------------------------
    print()
    print("summary")
    full_note = "" if args.rows == YEAR_ROWS else f"; the goal is stated for {YEAR_ROWS:,} rows"
    print(f"  {f'full run < {GOAL_FULL_RUN_S} s:':<31} {pass_fail(planner_s < GOAL_FULL_RUN_S)}"
          f" ({planner_s:.4f} s for {args.rows:,} rows{full_note})")
    ratio_ok = None if ratio is None else ratio >= GOAL_SPEED_RATIO
    ratio_note = "" if ratio is None else f" ({ratio:,.0f}x)"
    print(f"  {f'speed ratio >= {GOAL_SPEED_RATIO:,.0f}x:':<31} {pass_fail(ratio_ok)}{ratio_note}")
    detail = ""
    if pyw_agents is not None:
        detail = f" ({int((planner_agents == pyw_agents).sum())}/{len(sample)} rows"
        if exact_agents is not None:
            detail += f"; planner exact on {int((planner_agents == exact_agents).sum())}/{len(sample)}"
        detail += ")"
    print(f"  {'identical agents on subsample:':<31} {pass_fail(identical)}{detail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
