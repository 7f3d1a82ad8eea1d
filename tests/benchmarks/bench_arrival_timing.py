"""Deferred score against the simulator at steady staffing, where arrival timing inside an interval matters.

Prints, for one- and two-agent plans on a 12-hour day of 15-minute intervals (calendar hours,
Poisson arrivals, exponential handling), the share in time that
:func:`planner.staffing.deferred_safety.share_in_time` predicts (2,048 paths) beside
:mod:`planner.simulate` (``--replications``, 99% interval). The score treats an interval's
arrivals as available from its start, so it is optimistic here (issue 13, open gap on 1-hour
deadlines for 50-500 items a day); run it before and after changing the score.

    nice -n 5 python tests/benchmarks/bench_arrival_timing.py --replications 2000
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from planner.simulate import simulate
from planner.staffing._deferred_fluid import build_axis
from planner.staffing.deferred_safety import sample_paths, share_in_time

CASES = [  # name, items a day, agents pattern, deadline_s, aht_s
    ("1 agent, 100 items, 30 min", 100, (1,), 1800, 300.0),
    ("1 agent, 60 items, 1 h", 60, (1,), 3600, 300.0),
    ("2 agents, 250 items, 30 min", 250, (2,), 1800, 300.0),
    ("1/2 alternating, 150 items, 30 min", 150, (1, 2), 1800, 300.0),
    ("1 agent, 80 items, 1 h, AHT 600 s", 80, (1,), 3600, 600.0),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=1000)
    args = parser.parse_args()
    n = 64
    for name, items, pattern, deadline_s, aht_s in CASES:
        offered = np.r_[np.full(48, items / 48), np.zeros(16)]
        agents = np.resize(np.array(pattern, dtype=float), n)
        axis = build_axis(offered, np.full(n, aht_s), np.ones(n, bool), k=int(deadline_s // 900), interval_s=900.0,
                          business_hours=False, drain=True, cv=1.0)
        cpu = time.process_time()
        model = share_in_time(axis, sample_paths(axis, cv=1.0, paths=2048), agents)[0]
        cpu = time.process_time() - cpu
        starts = pd.date_range("2026-07-07 08:00", periods=n, freq="15min", tz="Europe/London")
        frame = pd.DataFrame({"interval_start": starts, "channel": "email", "kind": "deferred", "offered": offered,
                              "aht_s": aht_s, "agents": agents.astype(np.int64), "deadline_s": float(deadline_s),
                              "business_hours": False, "open": np.ones(n, bool)})
        row = simulate(frame, rng=3, replications=args.replications, interval_s=900).channels.iloc[0]
        print(f"{name:36s} model {model:.2%} ({cpu:.2f} s CPU)  simulated {row.within_deadline:.2%} "
              f"[{row.within_deadline_lo:.2%}, {row.within_deadline_hi:.2%}]", flush=True)


if __name__ == "__main__":
    main()
