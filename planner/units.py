"""The per-channel unit of work and the one map that runs it: serially, on a process pool or on Dask.

docs/design.md section 9: the unit of work is one channel (or queue) of one scenario. Forecasting
and staffing are independent per channel (:func:`planner.forecast.forecast` and
:func:`planner.staffing.staff` loop over channels), so a run is ``read once -> map the unit over the
channels -> combine``. The unit, :func:`run_unit`, is a pure module-level function of one picklable
:class:`UnitTask` (the scenario, that channel's history, the events, the learned settings, a seed):
no global state, no open handles. :func:`map_units` maps it

- in this process (``jobs=1``),
- over a local :class:`concurrent.futures.ProcessPoolExecutor` (``jobs=N``), or
- over Dask (``engine="dask"``: an existing scheduler ``tcp://host:8786`` or a local cluster),

always the same function on the same tasks, and returns the outcomes in task order, so outputs
never depend on the engine, the number of workers or the order units finish in. Dask was chosen
over Ray or Spark (through Fugue) because it maps plain Python functions over pandas frames with no
second data model, runs from one ``pip install 'planner[dask]'``, and its ``distributed`` scheduler
is what HPC and Kubernetes sites already deploy (dask-jobqueue, dask-kubernetes).

Channels that must be staffed together stay one unit: outbound campaigns (they are planned over
every channel's forecast intervals and blended with an inbound channel) and, when the horizon has no
start date, channels whose histories end at different times (the horizon starts after the last
one). Each unit gets its own seed, :func:`unit_seed`, derived from the scenario's seed and the
unit's name with :class:`numpy.random.SeedSequence`, never from a worker or a position in a queue.

The layer sits below ``scenario`` (docs/design.md section 2): a task carries a
:class:`planner.scenario.Scenario` and calls its ``forecast``, ``adjust`` and ``staff`` methods, so
the pipeline has one code path whether a run uses units or not.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from planner.errors import InputError

__all__ = ["UnitTask", "UnitResult", "Outcome", "unit_seed", "channel_units", "channel_tasks", "run_unit",
           "map_units", "combine", "run_channels", "split_timing", "default_jobs", "ENGINES"]

ENGINES = ("local", "dask")


def default_jobs() -> int:
    """The cores this process may use (``os.sched_getaffinity`` where it exists)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def unit_seed(seed: int, name: str) -> int:
    """The seed of one unit: a function of the scenario's seed and the unit's name only.

    >>> unit_seed(1, "phone") == unit_seed(1, "phone"), unit_seed(1, "phone") != unit_seed(1, "chat")
    (True, True)
    >>> unit_seed(1, "phone") != unit_seed(2, "phone")
    True
    """
    sequence = np.random.SeedSequence(entropy=int(seed), spawn_key=tuple(name.encode("utf-8")))
    return int(sequence.generate_state(1, dtype=np.uint32)[0])


@dataclass(frozen=True)
class UnitTask:
    """One unit: ``channels`` of ``scenario`` (a :class:`planner.scenario.Scenario`).

    ``history``: those channels' history (with its ``attrs``); ``forecast``: their forecast when it
    was made elsewhere (then it is only adjusted and staffed); ``calibration``: the settings learned
    from the contact log; ``seed``: :func:`unit_seed`; ``label``: the what-if it belongs to (sweeps).
    """

    name: str
    channels: tuple[str, ...]
    scenario: Any
    history: pd.DataFrame
    events: pd.DataFrame | None
    calibration: pd.DataFrame | None
    forecast: pd.DataFrame | None
    seed: int
    label: str = ""


@dataclass(frozen=True)
class UnitResult:
    """What one unit produced: its adjusted forecast, its plan, the seconds [s] each step took and the
    warnings it raised (``(category, message)``; a worker process cannot show them, so the run does)."""

    name: str
    forecast: pd.DataFrame
    plan: pd.DataFrame
    forecast_s: float
    staff_s: float
    warned: tuple[tuple[type[Warning], str], ...] = ()


@dataclass(frozen=True)
class Outcome:
    """A unit's result, or the error that stopped it (the other units still complete)."""

    name: str
    label: str
    result: UnitResult | None
    error: BaseException | None

    @property
    def ok(self) -> bool:
        return self.error is None


def run_unit(task: UnitTask) -> UnitResult:
    """Forecast (unless given), adjust and staff one unit: the pure function every engine maps."""
    scenario = task.scenario
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clock = time.perf_counter()
        forecast = scenario.forecast(task.history, task.events) if task.forecast is None else task.forecast
        forecast = scenario.adjust(forecast)
        middle = time.perf_counter()
        plan = scenario.staff(forecast, task.calibration, task.history)
    return UnitResult(task.name, forecast, plan, middle - clock, time.perf_counter() - middle,
                      tuple((w.category, str(w.message)) for w in caught))


def _guarded(function: Callable, task: UnitTask) -> Outcome:
    try:
        return Outcome(task.name, task.label, function(task), None)
    except Exception as error:  # reported with the unit's name; the other units complete
        return Outcome(task.name, task.label, None, error)


def channel_units(scenario, history: pd.DataFrame, forecast: pd.DataFrame | None = None) -> list[tuple[str, ...]]:
    """The scenario's channels grouped into units (one channel each unless they must meet), in order."""
    channels = sorted(set(scenario.config.channels) if forecast is None else set(forecast["channel"]))
    kinds = {name: settings["kind"] for name, settings in scenario.config.channels.items()}
    if any(kind == "outbound" for kind in kinds.values()):
        return [tuple(channels)]  # campaigns are planned over every channel's intervals
    if forecast is None and scenario.config.horizon.start is None and len(channels) > 1:
        lasts = history.groupby("channel")["interval_start"].max()
        if lasts.nunique() > 1:
            return [tuple(channels)]  # a horizon "after the history" starts after the last of them
    return [(name,) for name in channels]


def channel_tasks(scenario, history: pd.DataFrame, events: pd.DataFrame | None, calibration: pd.DataFrame | None,
                  forecast: pd.DataFrame | None = None, *, label: str = "") -> list[UnitTask]:
    """One task per unit of :func:`channel_units`, each with its slice of the history and forecast."""
    tasks = []
    for channels in channel_units(scenario, history, forecast):
        name = "+".join(channels)
        own = history[history["channel"].isin(channels)].reset_index(drop=True)
        own.attrs.update(history.attrs)
        given = None
        if forecast is not None:
            given = forecast[forecast["channel"].isin(channels)].reset_index(drop=True)
            given.attrs.update(forecast.attrs)
        tasks.append(UnitTask(name, channels, scenario, own, events, calibration, given,
                              unit_seed(scenario.config.seed, name), label))
    return tasks


def map_units(function: Callable, tasks: Sequence[UnitTask], *, jobs: int = 1, engine: str = "local",
              scheduler: str | None = None) -> list[Outcome]:
    """``function`` over ``tasks``, in order, with each unit's error caught in its :class:`Outcome`.

    ``jobs``: processes (local pool) or workers of a local Dask cluster; ``engine``: ``"local"`` or
    ``"dask"``; ``scheduler``: a Dask scheduler address (``tcp://host:8786``; none: a local cluster).
    """
    if engine not in ENGINES:
        raise InputError(f"--engine: expected one of {', '.join(ENGINES)}, got {engine!r}")
    if int(jobs) < 1:
        raise InputError(f"--jobs: expected a whole number >= 1, got {jobs!r}")
    guarded = partial(_guarded, function)
    if engine == "dask":
        return _dask_map(guarded, list(tasks), int(jobs), scheduler)
    if scheduler is not None:
        raise InputError("--scheduler: a scheduler address needs --engine dask")
    if int(jobs) == 1 or len(tasks) <= 1:
        return [guarded(task) for task in tasks]
    context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(max_workers=min(int(jobs), len(tasks)), mp_context=context) as pool:
        return list(pool.map(guarded, tasks))


def _dask_map(guarded: Callable, tasks: list[UnitTask], jobs: int, scheduler: str | None) -> list[Outcome]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--engine dask: Dask is not installed; pip install 'planner[dask]'") from None
    if scheduler is None:
        with LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster, set_as_default=False) as client:
            return client.gather(client.map(guarded, tasks, pure=False))
    try:
        client = Client(scheduler, timeout="5s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise InputError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({reason}); start one with "
                         "`dask scheduler` and workers with `dask worker ADDRESS`, or leave --scheduler out "
                         "for a local cluster") from None
    with client:
        return client.gather(client.map(guarded, tasks, pure=False))


def combine(results: Sequence[UnitResult]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The run's forecast and plan from its units' (in channel order), as one unsplit run makes them."""
    forecasts = [result.forecast for result in results]
    forecast = pd.concat(forecasts, ignore_index=True)
    forecast.attrs.update({k: v for k, v in forecasts[0].attrs.items() if k != "model_card"})
    if any("model_card" in frame.attrs for frame in forecasts):
        forecast.attrs["model_card"] = {k: v for frame in forecasts for k, v in frame.attrs.get("model_card", {}).items()}
    plan = pd.concat([result.plan for result in results], ignore_index=True)
    order = ["interval_start", "channel"] + (["priority"] if "priority" in plan else [])
    plan = plan.sort_values(order, ignore_index=True, kind="stable")
    plan.attrs.update(results[0].plan.attrs)
    return forecast, plan


def split_timing(wall_s: float, units: pd.DataFrame) -> dict[str, float]:
    """The wall time [s] of the mapped units shared between forecasting and staffing as the units spent
    it, plus ``unit work``: the units' seconds summed (more than the wall time when they ran in parallel).

    >>> split_timing(3.0, pd.DataFrame({"forecast_s": [2.0, 2.0], "staff_s": [1.0, 1.0]}))
    {'forecast': 2.0, 'staff': 1.0, 'unit work': 6.0}
    """
    forecast_s, staff_s = float(units["forecast_s"].sum()), float(units["staff_s"].sum())
    share = staff_s / (forecast_s + staff_s) if forecast_s + staff_s > 0 else 0.0
    return {"forecast": wall_s * (1.0 - share), "staff": wall_s * share, "unit work": forecast_s + staff_s}


def run_channels(scenario, history: pd.DataFrame, events: pd.DataFrame | None, calibration: pd.DataFrame | None,
                 forecast: pd.DataFrame | None = None, *, jobs: int = 1, engine: str = "local",
                 scheduler: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Forecast and staff every unit of a scenario; returns ``(forecast, plan, unit timings)``.

    The first failed unit's error is raised (a run's outputs are all channels or none); the unit
    timings frame has ``unit, forecast_s, staff_s`` [s] (the parallel part of a run).
    """
    tasks = channel_tasks(scenario, history, events, calibration, forecast)
    outcomes = map_units(run_unit, tasks, jobs=jobs, engine=engine, scheduler=scheduler)
    for outcome in outcomes:
        if not outcome.ok:
            raise outcome.error
    results = [outcome.result for outcome in outcomes]
    for category, message in dict.fromkeys(warned for result in results for warned in result.warned):
        warnings.warn(message, category, stacklevel=2)  # raised in the units, in order, each once
    combined, plan = combine(results)
    if forecast is not None:  # keep the given forecast's row order, as an unsplit run does
        combined = scenario.adjust(forecast)
    timings = pd.DataFrame({"unit": [r.name for r in results], "forecast_s": [r.forecast_s for r in results],
                            "staff_s": [r.staff_s for r in results]})
    return combined, plan, timings
