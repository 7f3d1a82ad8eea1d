"""Benchmark: ``planner run scenarios/base.toml`` end to end, split by stage.

Goal (issue 6): under 20 s on a 2-core machine. Prints each stage (read, forecast, staff,
roll-up, report) for the best of ``--repeats`` runs and the whole command's wall time measured as
a user runs it (a fresh process: imports included).

Run from the repository root::

    python tests/benchmarks/bench_run.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from planner.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "base.toml"))
    args = parser.parse_args(argv)

    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.repeats):
            scenario = Scenario.load(args.scenario)
            result = scenario.run()
            scenario.write(result, Path(folder) / "out")
            for stage, seconds in result.timings.items():
                best[stage] = min(best.get(stage, float("inf")), seconds)
        rows = len(result.plan)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "planner", "run", args.scenario, "--out", str(Path(folder) / "cli")],
                       check=True, capture_output=True)
        command = time.perf_counter() - started

    print(f"planner run {Path(args.scenario).name}: {rows:,} interval rows planned (best of {args.repeats})")
    for stage, seconds in best.items():
        print(f"  {stage:<10} {seconds:7.2f} s")
    print(f"  {'total':<10} {sum(best.values()):7.2f} s (stages)")
    print(f"  command    {command:7.2f} s (fresh process, imports included)")
    verdict = "PASS" if command < 20.0 else "FAIL"
    print(f"goal: the command under 20 s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
