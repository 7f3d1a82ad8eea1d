"""A scenario's ``[[shifts]]`` and ``[schedule]`` tables -> :class:`~planner.schedule.spec.ScheduleSpec`.

Each mistake is reported through ``fail(where, message)``, where ``where`` reads like
``shifts.full.breaks[2].window`` (the template's name, breaks counted from 1);
:func:`schedule_spec` adds the file that set the table: ``base.toml: shifts.full.breaks[2].window: ...``.

```toml
[schedule]
objective = "cover"                  # cover | soft | service
[[shifts]]
name = "full"
channels = ["phone"]
length = "8.5h"                      # paid: 8 h (the unpaid lunch is not paid)
start = "07:00-12:30"                # earliest-latest local start
step = "15min"
days = "Mon-Fri"
breaks = [{ length = "15min", paid = true, window = ["1.5h", "2.5h"] },
          { length = "30min", paid = false, window = ["3.5h", "5h"] }]
```
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from planner.config import ScenarioConfig
from planner.errors import InputError, SpecError
from planner.schedule.spec import (Break, ScheduleSpec, ShiftTemplate, Tour, parse_clock_range, parse_days,
                                   whole_intervals)
from planner.schema import did_you_mean, parse_duration_s

__all__ = ["read_schedule", "schedule_spec", "SHIFT_KEYS", "BREAK_KEYS", "TOUR_KEYS", "SCHEDULE_KEYS"]

SHIFT_KEYS = {"name", "channels", "length", "paid", "start", "step", "days", "breaks", "min_per_day",
              "max_per_day", "cost", "tour"}
BREAK_KEYS = {"length", "paid", "window"}
TOUR_KEYS = {"work_days", "consecutive_days_off"}
SCHEDULE_KEYS = {"objective", "requirement", "time_limit_s", "mip_rel_gap", "short_penalty", "over_penalty",
                 "service_period", "target_service_level", "replications"}

Fail = Callable[[str, str], Exception]


def _seconds(value, where: str, fail: Fail) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise fail(where, f"expected a duration such as \"30min\" or \"8.5h\", got {value!r}")
    try:
        return parse_duration_s(value, name=where)
    except InputError as error:
        raise fail(where, str(error).split(": ", 1)[-1]) from None


def _keys(table, allowed: set, where: str, fail: Fail, example: str) -> dict:
    if not isinstance(table, dict):
        raise fail(where, f"expected a table such as {example}")
    for key in table:
        if key not in allowed:
            raise fail(f"{where}.{key}", f"unknown key{did_you_mean(key, allowed)}")
    return table


def _spec(make, where: str, fail: Fail, **kwargs):
    """Build a spec; its SpecError ``key: message`` becomes ``fail(where.key, message)``."""
    try:
        return make(**kwargs)
    except SpecError as error:
        key, _, message = str(error).partition(": ")
        raise fail(f"{where}.{key}", message) from None


def _break(table, where: str, fail: Fail) -> Break:
    table = _keys(table, BREAK_KEYS, where, fail, '{ length = "15min", paid = true, window = ["1.5h", "2.5h"] }')
    for key in ("length", "window"):
        if key not in table:
            raise fail(f"{where}.{key}", "missing; e.g. length = \"15min\", window = [\"1.5h\", \"2.5h\"]")
    window = table["window"]
    if not isinstance(window, list) or len(window) != 2:
        raise fail(f"{where}.window", f"expected [earliest, latest] start after the shift start, e.g. "
                   f"[\"1.5h\", \"2.5h\"], got {window!r}")
    earliest, latest = (_seconds(v, f"{where}.window", fail) for v in window)
    return _spec(Break, where, fail, length_s=_seconds(table["length"], f"{where}.length", fail),
                 paid=table.get("paid", True), earliest_s=earliest, latest_s=latest)


def _template(table, index: int, channels: list[str], interval_s: float, fail: Fail) -> ShiftTemplate:
    name = table.get("name") if isinstance(table, dict) else None
    where = f"shifts.{name}" if isinstance(name, str) and name.strip() else f"shifts[{index}]"
    table = _keys(table, SHIFT_KEYS, where, fail, '{ name = "full", length = "8.5h", start = "07:00-12:30" }')
    for key in ("name", "length", "start"):
        if key not in table:
            raise fail(f"{where}.{key}", "missing; e.g. name = \"full\", length = \"8.5h\", start = \"07:00-12:30\"")
    worked = table.get("channels")
    if worked is None:
        if len(channels) != 1:
            raise fail(f"{where}.channels", f"missing; name the channels this shift works, e.g. channels = "
                       f"[\"{channels[0]}\"] (the scenario has {', '.join(channels)})")
        worked = channels
    if isinstance(worked, str):
        worked = [worked]
    if not isinstance(worked, list) or not worked:
        raise fail(f"{where}.channels", f"expected a list of channel names, got {worked!r}")
    for channel in worked:
        if channel not in channels:
            raise fail(f"{where}.channels", f"unknown channel {channel!r}{did_you_mean(str(channel), channels)}")
    breaks = table.get("breaks", [])
    if not isinstance(breaks, list):
        raise fail(f"{where}.breaks", "expected a list of tables, e.g. [{ length = \"15min\", window = [\"1h\", \"2h\"] }]")
    tour = table.get("tour")
    if tour is not None:
        tour = _keys(tour, TOUR_KEYS, f"{where}.tour", fail, "{ work_days = 5, consecutive_days_off = true }")
        tour = _spec(Tour, f"{where}.tour", fail, **tour)
    try:
        first, last = parse_clock_range(table["start"], where="start")
        days = parse_days(table.get("days", "Mon-Sun"), where="days")
    except SpecError as error:
        key, _, message = str(error).partition(": ")
        raise fail(f"{where}.{key}", message) from None
    options = {}
    for key in ("min_per_day", "max_per_day", "cost"):
        if key in table:
            options[key] = table[key]
    template = _spec(
        ShiftTemplate, where, fail, name=str(table["name"]), channels=tuple(worked),
        length_s=_seconds(table["length"], f"{where}.length", fail),
        paid_s=_seconds(table["paid"], f"{where}.paid", fail) if "paid" in table else None,
        step_s=_seconds(table["step"], f"{where}.step", fail) if "step" in table else None,
        earliest_start_s=first, latest_start_s=last, days=days, tour=tour,
        breaks=tuple(_break(b, f"{where}.breaks[{k}]", fail) for k, b in enumerate(breaks, start=1)), **options)
    check_grid(template, interval_s, where, fail)
    return template


def check_grid(template: ShiftTemplate, interval_s: float, where: str, fail: Fail) -> None:
    """Every length, start and break window of ``template`` falls on the interval grid."""
    checks = [("length", template.length_s), ("start", template.earliest_start_s), ("start", template.latest_start_s),
              ("step", template.step_s or interval_s)]
    for k, brk in enumerate(template.breaks, start=1):
        checks += [(f"breaks[{k}].length", brk.length_s), (f"breaks[{k}].window", brk.earliest_s),
                   (f"breaks[{k}].window", brk.latest_s)]
    for key, value in checks:
        try:
            whole_intervals(value, interval_s, key)
        except SpecError as error:
            raise fail(f"{where}.{key}", str(error).partition(": ")[2] + " (the scenario's interval)") from None


def read_schedule(shifts, settings, *, channels: list[str], interval_s: float, fail: Fail) -> ScheduleSpec | None:
    """The :class:`ScheduleSpec` of a scenario's ``[[shifts]]`` and ``[schedule]`` tables (None without shifts).

    Parameters
    ----------
    shifts, settings : list of dict, dict
        The ``[[shifts]]`` tables and the ``[schedule]`` table as TOML reads them.
    channels : list of str
        The scenario's channels.
    interval_s : float
        The scenario's interval [s]: every length, start and window must fall on it.
    fail : callable
        ``fail(where, message)`` returns the exception to raise (it adds the file name).

    Examples
    --------

    >>> spec = read_schedule([{"name": "day", "length": "8h", "start": "08:00-10:00"}], {"objective": "soft"},
    ...                      channels=["phone"], interval_s=900, fail=lambda where, msg: ValueError(f"{where}: {msg}"))
    >>> spec.objective, spec.templates[0].channels, spec.templates[0].paid_hours
    ('soft', ('phone',), 8.0)
    """
    settings = settings or {}
    if not shifts:
        if settings:
            raise fail("schedule", "needs shift templates: add [[shifts]] tables (see README, Shift schedules)")
        return None
    if not isinstance(shifts, (list, tuple)) or not all(isinstance(t, dict) for t in shifts):
        raise fail("shifts", "expected [[shifts]] tables, one per shift template")
    settings = _keys(settings, SCHEDULE_KEYS, "schedule", fail, '{ objective = "cover" }')
    options = dict(settings)
    if "time_limit_s" in options:
        options["time_limit_s"] = _seconds(options["time_limit_s"], "schedule.time_limit_s", fail)
    templates = tuple(_template(t, i, channels, interval_s, fail) for i, t in enumerate(shifts, start=1))
    try:
        return ScheduleSpec(templates=templates, **options)
    except SpecError as error:
        key, _, message = str(error).partition(": ")
        raise fail(key if key.startswith("shifts") else f"schedule.{key}", message) from None


def schedule_spec(config: ScenarioConfig, *, interval_s: float | None = None) -> ScheduleSpec | None:
    """The scenario's schedule spec (None without ``[[shifts]]``); errors name the file and key.

    Parameters
    ----------
    config : ScenarioConfig
        The scenario (its ``[[shifts]]`` and ``[schedule]`` tables as written).
    interval_s : float, optional
        The plan's interval length [s], when the scenario leaves ``interval`` to the history
        (before the history is read, templates are checked on a 15-minute grid).

    Examples
    --------
    >>> from planner.config import load_scenario
    >>> spec = schedule_spec(load_scenario("scenarios/shifts.toml"))
    >>> [t.name for t in spec.templates], spec.objective
    (['phone-full', 'phone-part', 'chat-full', 'chat-part'], 'cover')
    """
    def fail(where: str, message: str) -> SpecError:
        source = config.origin.get(("schedule",) if where.startswith("schedule") else ("shifts",), config.path)
        return SpecError(f"{source}: {where}: {message}")

    spec = read_schedule(config.shifts, config.schedule, channels=list(config.channels),
                         interval_s=interval_s or config.interval_s or 900.0, fail=fail)
    return None if spec is None else replace(spec, source=str(config.origin.get(("shifts",), config.path)))
