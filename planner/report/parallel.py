"""The report's independent pieces (plots, large CSV files, the workbook, the price of confidence) on
several processes.

Each piece is a pure function of picklable frames that writes its own file into the staging folder
(or returns PNG bytes or a table), so the pieces can run in any order and on any process
(docs/design.md section 9: one unit of work, a local process pool, no home-made scheduler). Figures
use matplotlib's object API with the Agg renderer, which holds no global state.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable

import pandas as pd

from planner.report.output import CSV_OPTIONS, figure_png
from planner.report.plots import forecast_figure, staffing_heatmap

__all__ = ["run_tasks", "default_workers", "channel_pngs", "figure_file", "timed_csv", "timed_workbook"]


def default_workers() -> int:
    """The processors this process may use (at most 4: the pieces are few and large)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


def run_tasks(tasks: list[tuple[Callable, tuple]], *, workers: int | None = None) -> list:
    """``[f(*args) for f, args in tasks]``, on ``workers`` processes (default :func:`default_workers`).

    Results come back in the order of ``tasks``; put the longest first. One worker (or one task) runs
    them here, in order. An error in a task is raised here (the output folder is then discarded).

    >>> run_tasks([(pow, (2, 3)), (pow, (3, 2))], workers=1)
    [8, 9]
    """
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(tasks) <= 1:
        return [function(*args) for function, args in tasks]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else methods[0])
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context) as pool:
        futures = [pool.submit(function, *args) for function, args in tasks]
        return [future.result() for future in futures]


def channel_pngs(channel: str, forecast: pd.DataFrame | None, history: pd.DataFrame | None,
                 plan: pd.DataFrame, paths: tuple[Path | None, Path]) -> tuple[bytes | None, bytes]:
    """One channel's forecast plot (None for a campaign) and agents heatmap, written to ``paths``."""
    pngs = []
    for path, make in zip(paths, (lambda: forecast_figure(forecast, history, channel=channel),
                                  lambda: staffing_heatmap(plan, channel=channel))):
        if path is None:
            pngs.append(None)
            continue
        data = figure_png(make())
        Path(path).write_bytes(data)
        pngs.append(data)
    return pngs[0], pngs[1]


def figure_file(make: Callable, arguments: tuple, options: dict, path: Path) -> bytes:
    """``make(*arguments, **options)`` (a figure) written as a PNG to ``path``; returns its bytes."""
    data = figure_png(make(*arguments, **options))
    Path(path).write_bytes(data)
    return data


def timed_csv(frame: pd.DataFrame, path: Path) -> float:
    """Write one CSV as every output is written; returns the seconds it took."""
    started = time.perf_counter()
    frame.to_csv(path, **CSV_OPTIONS)
    return time.perf_counter() - started


def timed_workbook(path: Path, tables: dict[str, pd.DataFrame]) -> float:
    """:func:`planner.report.workbook.write_workbook`; returns the seconds it took."""
    from planner.report.workbook import write_workbook

    started = time.perf_counter()
    write_workbook(path, tables)
    return time.perf_counter() - started
