"""Benchmark: the report and workbook stages of ``planner run`` for 1, 4 and 32 channels.

Goals (issue 18): the workbook (``plan.xlsx``) of the base scenario in under 3 s; the 32-channel
scenario end to end, report included, in under 15 s. The channels are copies of the sample ones
(:mod:`many_channels`). For each count it runs the scenario once, then writes its outputs without and
with ``--xlsx`` (best of ``--repeats``): ``report`` is the output stage without the workbook,
``workbook`` the extra time ``--xlsx`` takes, each as wall and CPU seconds (CPU: this process and the
report's worker processes). ``--end-to-end`` also times ``planner run --xlsx`` in a fresh process
(imports included). Run it on main and on a branch to compare before and after::

    python tests/benchmarks/bench_report.py [--channels 1 4 32] [--repeats 2] [--end-to-end]

Timings depend on the machine's load: print ``uptime`` beside them.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import planner  # noqa: E402,F401  (first: it sets one BLAS thread before numpy loads)

from many_channels import write_scenario  # noqa: E402

from planner.scenario import Scenario  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the report's process pool)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _write(scenario, result, folder: Path, xlsx: bool) -> tuple[float, float]:
    """(wall, CPU) seconds of writing the outputs."""
    started, cpu = time.perf_counter(), _cpu()
    scenario.write(result, folder, xlsx=xlsx, force=True)
    return time.perf_counter() - started, _cpu() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, nargs="+", default=[1, 4, 32])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--end-to-end", action="store_true", help="also time the whole command (fresh process)")
    parser.add_argument("--base", action="store_true", help="also the shipped scenarios/base.toml")
    args = parser.parse_args(argv)
    print(f"{'scenario':<16} {'rows':>8} {'run':>7} {'report wall/cpu':>16} {'workbook wall/cpu':>18} "
          f"{'command':>8}  (seconds)")
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
            book = (full[0] - report[0], full[1] - report[1])
            command = float("nan")
            if args.end_to_end:
                started = time.perf_counter()
                subprocess.run([sys.executable, "-m", "planner", "run", str(path), "--out", str(Path(tmp) / "cli"),
                                "--force", "--xlsx"], check=True, capture_output=True)
                command = time.perf_counter() - started
            name = path.name if path.parent.name == "scenarios" else f"{len(scenario.config.channels)} channels"
            print(f"{name:<16} {len(result.plan):>8,} {run_s:>7.1f} {report[0]:>8.2f}/{report[1]:<7.2f} "
                  f"{book[0]:>9.2f}/{book[1]:<8.2f} {command:>8.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
