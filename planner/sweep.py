"""Sweeps: a grid of what-ifs (volume x AHT x target x shrinkage, or many scenario files) in one run.

``planner sweep SCENARIO --grid grid.toml`` builds every what-if first (so a bad grid key stops
before any work), forecasts each channel once per distinct history (what-ifs that only change
``adjust``, ``channels`` settings or paid hours share the forecast: the forecast does not depend on
them), then staffs every what-if x channel unit. Both steps map the per-channel unit of
:mod:`planner.units` (docs/design.md section 9) over the same engine as ``planner run`` (a process
pool or Dask). A unit that fails is reported in ``failures`` and the rest completes.

A grid file::

    cost_per_hour = 24.0                     # optional: cost of one paid (gross) agent hour
    [grid]                                   # every combination of these values is one what-if
    "adjust.offered.*" = [0.9, 1.0, 1.1]     # volume factor of every channel
    "adjust.aht.*" = [1.0, 1.05]             # handle-time factor
    "channels.phone.target_service_level" = [0.8, 0.9]
    "channels.*.shrinkage" = [0.30, 0.35]    # * = every channel of the scenario

or ``scenarios = ["site-a.toml", "site-b.toml"]`` (paths relative to the grid file), one what-if each.
Keys are the scenario file's keys (docs/design.md section 6), dotted.
"""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.config import TOP_KEYS
from planner.errors import InputError, PlannerError
from planner.report import rollup
from planner.scenario import Scenario
from planner.schema import did_you_mean
from planner.units import UnitTask, channel_tasks, combine, map_units, run_unit

__all__ = ["Sweep", "SweepResult", "load_grid", "RESULT_COLUMNS"]

#: The long results table: one row per what-if, channel and week.
RESULT_COLUMNS = ("scenario", "channel", "week", "offered", "fte", "fte_gross", "service_level",
                  "agent_hours_gross", "cost")
#: What-ifs changing only these keys share the base scenario's forecast.
SAME_FORECAST = {"name", "description", "adjust", "channels", "staffing_rule", "paid_hours_per_day",
                 "paid_days_per_week", "blend", "shifts", "schedule"}


@dataclass(frozen=True)
class SweepResult:
    """``results``: :data:`RESULT_COLUMNS` (cost NaN without ``cost_per_hour``); ``failures``:
    ``scenario, unit, error`` of the units that failed; ``weekly``: what-if -> its weekly roll-up."""

    results: pd.DataFrame
    failures: pd.DataFrame
    weekly: dict

    def __repr__(self) -> str:
        shown = self.results.groupby("scenario", sort=False)[["fte_gross", "cost"]].mean()
        return (f"SweepResult: {len(self.weekly)} what-ifs, {len(self.results):,} rows, {len(self.failures)} failed "
                f"units\n\nmean weekly gross FTE per channel:\n{shown.round(1)!r}")


def _flatten(table: dict, prefix: str = "") -> dict[str, list]:
    out = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def _nest(key: str, value) -> dict:
    out = value
    for part in reversed(key.split(".")):
        out = {part: out}
    return out


@dataclass(frozen=True)
class Sweep:
    """What-ifs of a base scenario: ``variants`` (label -> Scenario), in grid order."""

    base: Scenario
    variants: dict
    cost_per_hour: float | None = None

    def run(self, *, jobs: int = 1, engine: str = "local", scheduler: str | None = None) -> SweepResult:
        """Forecast once per distinct history, staff every what-if x channel; failures are kept apart."""
        sources: dict[int, tuple] = {}  # id of the scenario whose forecast a variant uses -> its inputs
        use = {}
        for label, scenario in self.variants.items():
            keys = set(scenario.config.raw) ^ set(self.base.config.raw) | {
                k for k in scenario.config.raw if scenario.config.raw.get(k) != self.base.config.raw.get(k)}
            same = keys <= SAME_FORECAST and set(scenario.config.channels) == set(self.base.config.channels)
            source = self.base if same else scenario
            use[label] = source
            if id(source) not in sources:
                sources[id(source)] = _read(source)
        forecast_tasks = [task for source in {id(s): s for s in use.values()}.values()
                          for task in channel_tasks(source, *sources[id(source)], label=f"forecast {source.name}")]
        outcomes = map_units(_forecast_only, forecast_tasks, jobs=jobs, engine=engine, scheduler=scheduler)
        failures = [(o.label, o.name, _message(o.error)) for o in outcomes if not o.ok]
        raw = {}
        for source_id in sources:
            mine = [o.result for o, t in zip(outcomes, forecast_tasks) if o.ok and t.scenario is _by_id(use, source_id)]
            raw[source_id] = combine_forecasts(mine)
        tasks: list[UnitTask] = []
        for label, scenario in self.variants.items():
            history, events, _ = sources[id(use[label])]
            forecast = raw[id(use[label])]
            if forecast is None:
                continue
            calibration = sources[id(use[label])][2] if scenario._calibrated() else None
            tasks += channel_tasks(scenario, history, events, calibration, forecast, label=label)
        staffed = map_units(run_unit, tasks, jobs=jobs, engine=engine, scheduler=scheduler)
        failures += [(o.label, o.name, _message(o.error)) for o in staffed if not o.ok]
        weekly, rows = {}, []
        for label, scenario in self.variants.items():
            done = [o.result for o in staffed if o.label == label and o.ok]
            if not done:
                continue
            _, plan = combine(done)
            week = rollup(plan, by="week", interval_s=scenario._interval_s(plan),
                          paid_hours_per_day=scenario.config.paid_hours_per_day,
                          paid_days_per_week=scenario.config.paid_days_per_week)
            weekly[label] = week
            cost = week["agent_hours_gross"] * (self.cost_per_hour if self.cost_per_hour is not None else float("nan"))
            rows.append(pd.DataFrame({"scenario": label, "channel": week["channel"], "week": week["period"],
                                      "offered": week["offered"], "fte": week["fte"], "fte_gross": week["fte_gross"],
                                      "service_level": week["service_level"],
                                      "agent_hours_gross": week["agent_hours_gross"], "cost": cost}))
        results = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=list(RESULT_COLUMNS))
        return SweepResult(results=results[list(RESULT_COLUMNS)],
                           failures=pd.DataFrame(failures, columns=["scenario", "unit", "error"]), weekly=weekly)


def _by_id(use: dict, source_id: int) -> Scenario:
    return next(s for s in use.values() if id(s) == source_id)


def _message(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text if isinstance(error, PlannerError) else f"{type(error).__name__}: {text}"


def _read(scenario: Scenario) -> tuple:
    """History, events and learned settings of a scenario (the serial read of a run)."""
    needs_log = bool(scenario._calibrated()) or scenario.config.history is None
    contacts = scenario.read_contacts() if needs_log else None
    calibration = scenario.calibrate(contacts) if scenario._calibrated() else None
    history = scenario.read_history(contacts)
    events = scenario.read_events(history)
    scenario.horizon(history)
    return history, events, calibration


def _forecast_only(task: UnitTask):
    """The forecast step of a unit (before adjustments): what-ifs of one history share it."""
    return task.scenario.forecast(task.history, task.events)


def combine_forecasts(frames: list) -> pd.DataFrame | None:
    """The forecast of several units, one frame (``None`` when every unit failed)."""
    if not frames:
        return None
    forecast = pd.concat(frames, ignore_index=True)
    forecast.attrs.update({k: v for k, v in frames[0].attrs.items() if k != "model_card"})
    forecast.attrs["model_card"] = {k: v for f in frames for k, v in f.attrs.get("model_card", {}).items()}
    return forecast


def load_grid(scenario_path: str | Path, grid_path: str | Path) -> Sweep:
    """Read a grid file and build every what-if of the scenario (checked now, before any work)."""
    grid_path = Path(grid_path)
    try:
        data = tomllib.loads(grid_path.read_text())
    except FileNotFoundError:
        raise InputError(f"{grid_path}: no such file; give the grid of what-ifs with --grid FILE") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{grid_path}: not valid TOML ({error})") from None
    unknown = sorted(set(data) - {"grid", "scenarios", "cost_per_hour"})
    if unknown:
        raise InputError(f"{grid_path}: {unknown[0]}: unknown key{did_you_mean(unknown[0], ['grid', 'scenarios', 'cost_per_hour'])}; "
                         "a grid file has [grid], scenarios = [...] and cost_per_hour")
    cost = data.get("cost_per_hour")
    if cost is not None and (isinstance(cost, bool) or not isinstance(cost, (int, float)) or cost < 0):
        raise InputError(f"{grid_path}: cost_per_hour: expected a number >= 0, got {cost!r}")
    base = Scenario.load(scenario_path)
    variants = {}
    for path in data.get("scenarios", []):
        scenario = Scenario.load(grid_path.parent / path)
        variants[scenario.name if scenario.name not in variants else str(path)] = scenario
    grid = _flatten(data.get("grid", {}))
    for key, values in grid.items():
        _check_key(grid_path, base, key, values)
    if grid or not variants:
        names = list(grid)
        for combination in itertools.product(*(grid[k] for k in names)):
            label = ", ".join(f"{k}={v}" for k, v in zip(names, combination)) or base.name
            changes: dict = {}
            for key, value in zip(names, combination):
                for expanded in _expand(base, key):
                    changes = _merge(changes, _nest(expanded, value))
            try:
                variants[label] = base.replace(**changes) if changes else base
            except PlannerError as error:
                raise InputError(f"{grid_path}: grid {label}: {' '.join(str(error).split())}") from None
    return Sweep(base=base, variants=variants, cost_per_hour=None if cost is None else float(cost))


def _check_key(grid_path: Path, base: Scenario, key: str, values) -> None:
    parts = key.split(".")
    if parts[0] not in TOP_KEYS:
        raise InputError(f"{grid_path}: grid.{key}: {parts[0]!r} is no scenario key{did_you_mean(parts[0], sorted(TOP_KEYS))}; "
                         f"grid keys are dotted scenario keys such as adjust.offered.* or channels.phone.shrinkage")
    if parts[0] == "channels" and (len(parts) < 3 or (parts[1] != "*" and parts[1] not in base.config.channels)):
        raise InputError(f"{grid_path}: grid.{key}: expected channels.NAME.setting with NAME one of "
                         f"{', '.join(base.config.channels)} or *")
    if not isinstance(values, list) or not values:
        raise InputError(f"{grid_path}: grid.{key}: expected a list of values, e.g. [0.9, 1.0, 1.1]")


def _expand(base: Scenario, key: str) -> list[str]:
    parts = key.split(".")
    if parts[0] == "channels" and parts[1] == "*":
        return [".".join(["channels", name, *parts[2:]]) for name in base.config.channels]
    return [key]


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for key, value in b.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out
