"""Benchmark: the report and workbook stages of ``planner run`` for 1, 4 and 32 channels.

Goals (issue 18): the workbook (``plan.xlsx``) of the base scenario in under 3 s; the 32-channel
scenario end to end, report included, in under 15 s. The channels are copies of the sample ones
(:mod:`many_channels`). For each count it runs the scenario once, then writes its outputs without and
with ``--xlsx`` (best of ``--repeats``): ``report`` is the output stage without the workbook,
``workbook`` the extra time ``--xlsx`` takes. ``--end-to-end`` also times the whole command in a
fresh process (imports included). Run it on main and on a branch to compare before and after::

    python tests/benchmarks/bench_report.py [--channels 1 4 32] [--repeats 2] [--end-to-end]

Timings depend on the machine's load: print ``uptime`` beside them.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from many_channels import write_scenario  # noqa: E402

from planner.scenario import Scenario  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def _write(scenario, result, folder: Path, xlsx: bool) -> float:
    started = time.perf_counter()
    scenario.write(result, folder, xlsx=xlsx, force=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, nargs="+", default=[1, 4, 32])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--end-to-end", action="store_true", help="also time the whole command (fresh process)")
    parser.add_argument("--base", action="store_true", help="also the shipped scenarios/base.toml")
    args = parser.parse_args(argv)
    print(f"{'scenario':<22} {'rows':>9} {'run':>7} {'report':>7} {'workbook':>9} {'command':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        paths = [write_scenario(n, Path(tmp) / f"s{n}") for n in args.channels]
        if args.base:
            paths.insert(0, ROOT / "scenarios" / "base.toml")
        for path in paths:
            scenario = Scenario.load(path)
            started = time.perf_counter()
            result = scenario.run()
            run_s = time.perf_counter() - started
            report = min(_write(scenario, result, Path(tmp) / "out", False) for _ in range(args.repeats))
            full = min(_write(scenario, result, Path(tmp) / "out", True) for _ in range(args.repeats))
            command = float("nan")
            if args.end_to_end:
                started = time.perf_counter()
                subprocess.run([sys.executable, "-m", "planner", "run", str(path), "--out", str(Path(tmp) / "cli"),
                                "--force"], check=True, capture_output=True)
                command = time.perf_counter() - started
            name = f"{len(scenario.config.channels)} channels" if path.parent.name.startswith("s") else path.name
            print(f"{name:<22} {len(result.plan):>9,} {run_s:>6.1f}s {report:>6.2f}s {full - report:>8.2f}s "
                  f"{command:>7.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
