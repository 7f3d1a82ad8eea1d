"""Shift templates and schedule settings: frozen specs, and reading them from a scenario's tables.

A :class:`ShiftTemplate` says when a shift may start (a local time window, a step, the weekdays),
how long it lasts, what it pays, and its breaks: each :class:`Break` has a length, paid or unpaid,
and a window of start offsets after the shift start. The windows of one shift never overlap (a
break ends before the next one's window opens), which keeps breaks in order and lets every break
be placed independently (the implicit model of :mod:`planner.schedule.model`). An optional
:class:`Tour` keeps the same start across a week of ``work_days`` days with the other days off.

:func:`planner.schedule.tables.read_schedule` reads them from a scenario's ``[[shifts]]`` and
``[schedule]`` tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from planner.errors import SpecError

__all__ = ["Break", "Tour", "ShiftTemplate", "ScheduleSpec", "OBJECTIVES", "parse_days", "parse_clock_range",
           "whole_intervals"]

#: What the schedule optimises (see :func:`planner.schedule.design`).
OBJECTIVES = ("cover", "soft", "service")
#: Which requirement a schedule covers: heads on shift after shrinkage ("gross") or net agents.
REQUIREMENTS = ("gross", "net")
SERVICE_PERIODS = ("day", "week")
_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def whole_intervals(value: float, step: float, where: str) -> int:
    steps = value / step
    if abs(steps - round(steps)) > 1e-9:
        raise SpecError(f"{where}: {value / 60:g} min is not a whole number of {step / 60:g}-minute intervals")
    return int(round(steps))


def parse_days(text: str, *, where: str = "days") -> frozenset[int]:
    """Weekdays (Monday = 0) from ``"Mon-Fri"``, ``"Mon-Fri, Sun"``, ``"Sat"`` or ``"Fri-Mon"``.

    >>> sorted(parse_days("Fri-Mon"))
    [0, 4, 5, 6]
    """
    days: set[int] = set()
    for part in str(text).replace(" ", "").lower().split(","):
        first, _, last = part.partition("-")
        if first[:3] not in _DAYS or (last and last[:3] not in _DAYS):
            raise SpecError(f"{where}: cannot read {text!r}; write e.g. \"Mon-Fri\" or \"Mon-Fri, Sun\"")
        a, b = _DAYS.index(first[:3]), _DAYS.index((last or first)[:3])
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return frozenset(days)


def parse_clock_range(text: str, *, where: str = "start") -> tuple[int, int]:
    """Earliest and latest local start [s after midnight] from ``"07:00-12:30"`` (``"09:00"``: one start).

    >>> parse_clock_range("07:00-12:30")
    (25200, 45000)
    """
    try:
        parts = [p.strip() for p in str(text).split("-")]
        if len(parts) not in (1, 2):
            raise ValueError
        seconds = []
        for part in parts:
            hours, minutes = part.split(":")
            if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
                raise ValueError
            seconds.append(int(hours) * 3600 + int(minutes) * 60)
    except ValueError:
        raise SpecError(f"{where}: cannot read {text!r}; write the earliest and latest start as \"07:00-12:30\"") from None
    first, last = seconds[0], seconds[-1]
    if last < first:
        raise SpecError(f"{where}: the latest start {parts[-1]} is before the earliest {parts[0]}; "
                        "write them in order within one day, e.g. \"07:00-12:30\"")
    return first, last


@dataclass(frozen=True, kw_only=True)
class Break:
    """One break of a shift: its length, paid or not, and the window of its start after the shift start.

    Parameters
    ----------
    length_s : float
        Length of the break [s].
    paid : bool
        Whether the break is paid time.
    earliest_s, latest_s : float
        Earliest and latest start of the break after the shift starts [s] (at interval steps).

    Examples
    --------
    >>> Break(length_s=900, paid=True, earliest_s=5400, latest_s=9000).positions(900)
    [6, 7, 8, 9, 10]
    """

    length_s: float
    paid: bool
    earliest_s: float
    latest_s: float

    def __post_init__(self) -> None:
        if not (isinstance(self.length_s, (int, float)) and self.length_s > 0):
            raise SpecError(f"length: expected a duration > 0, got {self.length_s!r}")
        if not isinstance(self.paid, bool):
            raise SpecError(f"paid: expected true or false, got {self.paid!r}")
        if not (0 <= self.earliest_s <= self.latest_s):
            raise SpecError(f"window: expected [earliest, latest] start after the shift start with "
                            f"0 <= earliest <= latest, got [{self.earliest_s:g} s, {self.latest_s:g} s]")

    def positions(self, interval_s: float) -> list[int]:
        """Start offsets [intervals] a break may take."""
        first = whole_intervals(self.earliest_s, interval_s, "window")
        last = whole_intervals(self.latest_s, interval_s, "window")
        return list(range(first, last + 1))


@dataclass(frozen=True, kw_only=True)
class Tour:
    """A weekly tour: the same start on ``work_days`` days of each week (Monday to Sunday), the
    other days off (consecutively, cyclically, with ``consecutive_days_off``).

    >>> len(Tour(work_days=5).patterns(frozenset(range(7))))  # 5 on, 2 consecutive off
    7
    """

    work_days: int
    consecutive_days_off: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.work_days, bool) or not isinstance(self.work_days, int) or not 1 <= self.work_days <= 7:
            raise SpecError(f"work_days: expected a whole number from 1 to 7, got {self.work_days!r}")
        if not isinstance(self.consecutive_days_off, bool):
            raise SpecError(f"consecutive_days_off: expected true or false, got {self.consecutive_days_off!r}")

    def patterns(self, days: frozenset[int]) -> list[tuple[int, ...]]:
        """Every week pattern (the weekdays worked) within ``days``."""
        from itertools import combinations

        out = []
        for worked in combinations(sorted(days), self.work_days):
            off = sorted(set(range(7)) - set(worked))
            if self.consecutive_days_off and off:
                # off days form one run on the weekly circle: exactly one off day follows a worked day
                starts = [d for d in off if (d - 1) % 7 not in off]
                if len(starts) > 1:
                    continue
            out.append(worked)
        return out


@dataclass(frozen=True, kw_only=True)
class ShiftTemplate:
    """A kind of shift: when it may start, how long it lasts, what it pays, and its breaks.

    Parameters
    ----------
    name : str
        Unique name (``"full"``, ``"part-time"``).
    channels : tuple of str
        The channels its agents work; templates with the same channels cover their summed requirement.
    length_s : float
        Time from the start to the end of the shift [s], breaks included.
    paid_s : float, optional
        Paid time [s]; default: ``length_s`` minus the unpaid breaks.
    earliest_start_s, latest_start_s : float
        Local start window, seconds after midnight [s]; a shift may also run past midnight.
    step_s : float, optional
        Spacing of the starts [s]; default: the interval.
    days : frozenset of int
        Weekdays it may start on (Monday = 0).
    breaks : tuple of Break
        In order; each break ends before the next one's window opens.
    min_per_day, max_per_day : int, optional
        Bounds on the shifts of this template starting on one day.
    cost : float
        Weight of one paid hour of this template in the objective [-].
    tour : Tour, optional
        Weekly tours with days off instead of independent days.

    Examples
    --------
    >>> full = ShiftTemplate(name="full", channels=("phone",), length_s=8.5 * 3600, earliest_start_s=7 * 3600,
    ...     latest_start_s=12.5 * 3600, breaks=(Break(length_s=1800, paid=False, earliest_s=3.5 * 3600,
    ...     latest_s=5 * 3600),))
    >>> full.paid_hours
    8.0
    """

    name: str
    channels: tuple[str, ...]
    length_s: float
    earliest_start_s: float
    latest_start_s: float
    paid_s: float | None = None
    step_s: float | None = None
    days: frozenset[int] = frozenset(range(7))
    breaks: tuple[Break, ...] = ()
    min_per_day: int = 0
    max_per_day: int | None = None
    cost: float = 1.0
    tour: Tour | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise SpecError(f"name: expected text, got {self.name!r}")
        if not self.channels or not all(isinstance(c, str) and c for c in self.channels):
            raise SpecError(f"channels: expected a list of channel names, got {self.channels!r}")
        if not (isinstance(self.length_s, (int, float)) and 0 < self.length_s <= 86400):
            raise SpecError(f"length: expected a duration > 0 and at most 24h, got {self.length_s!r}")
        for k, brk in enumerate(self.breaks, start=1):
            if brk.latest_s + brk.length_s > self.length_s:
                raise SpecError(f"breaks[{k}].window: a break starting {brk.latest_s / 3600:g}h after the start "
                                f"ends after the shift ({self.length_s / 3600:g}h long); end the window earlier")
            if k > 1:
                before = self.breaks[k - 2]
                if before.latest_s + before.length_s > brk.earliest_s:
                    raise SpecError(f"breaks[{k}].window: overlaps break {k - 1}, which may run until "
                                    f"{(before.latest_s + before.length_s) / 3600:g}h after the start; start this "
                                    "window after that, or list the breaks in order")
        unpaid = sum(b.length_s for b in self.breaks if not b.paid)
        if self.paid_s is not None and not 0 < self.paid_s <= self.length_s:
            raise SpecError(f"paid: expected a duration > 0 and at most the length, got {self.paid_s!r}")
        if self.paid_s is None and unpaid >= self.length_s:
            raise SpecError("breaks: the unpaid breaks take the whole shift")
        if self.step_s is not None and not self.step_s > 0:
            raise SpecError(f"step: expected a duration > 0, got {self.step_s!r}")
        if not self.days or not set(self.days) <= set(range(7)):
            raise SpecError(f"days: expected weekdays, got {self.days!r}")
        for name in ("min_per_day", "max_per_day"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise SpecError(f"{name}: expected a whole number >= 0, got {value!r}")
        if self.max_per_day is not None and self.max_per_day < self.min_per_day:
            raise SpecError(f"max_per_day: {self.max_per_day} is below min_per_day {self.min_per_day}")
        if isinstance(self.cost, bool) or not isinstance(self.cost, (int, float)) or not math.isfinite(self.cost) \
                or self.cost <= 0:
            raise SpecError(f"cost: expected a number > 0, got {self.cost!r}")
        if self.tour is not None and not self.tour.patterns(self.days):
            raise SpecError(f"tour: no week of {self.tour.work_days} working days fits days {_show_days(self.days)}")

    @property
    def paid_hours(self) -> float:
        """Paid hours of one shift [h]."""
        paid = self.paid_s if self.paid_s is not None else self.length_s - sum(
            b.length_s for b in self.breaks if not b.paid)
        return paid / 3600.0

    @property
    def group(self) -> str:
        """The name of the channels it works: ``"phone"`` or ``"chat+email"``."""
        return "+".join(self.channels)


def _show_days(days) -> str:
    return ",".join(_DAYS[d].title() for d in sorted(days))


@dataclass(frozen=True, kw_only=True)
class ScheduleSpec:
    """How to design the schedule (the ``[schedule]`` table) and the shift templates (``[[shifts]]``).

    Parameters
    ----------
    templates : tuple of ShiftTemplate
    objective : {"cover", "soft", "service"}
        ``cover``: least paid hours covering every interval; ``soft``: paid hours plus penalties for
        agent-hours short and over (never infeasible); ``service``: least paid hours meeting the
        volume-weighted service level per ``service_period``.
    requirement : {"gross", "net"}
        ``gross``: heads on shift, ``agents_fractional / (1 - shrinkage)`` (the channel's shrinkage
        then excludes the breaks planned here); ``net``: ``agents_fractional``.
    time_limit_s : float
        Solver time limit per group of channels [s] (shared by its independent days or weeks).
    mip_rel_gap : float
        Relative gap at which the solver stops [-].
    short_penalty, over_penalty : float
        ``soft``: paid hours charged per agent-hour short and over [-].
    service_period : {"day", "week"}
        ``service``: period over which the service level is weighted by volume.
    target_service_level : float, optional
        ``service``: the target over each period; default: each channel's target.
    replications : int
        Simulation replications of the schedule (0: no simulation).
    source : str
        The scenario file that holds the templates, named by errors found at design time.

    Examples
    --------
    >>> ScheduleSpec(templates=()).objective
    'cover'
    """

    templates: tuple[ShiftTemplate, ...]
    objective: str = "cover"
    requirement: str = "gross"
    time_limit_s: float = 30.0
    mip_rel_gap: float = 0.001
    short_penalty: float = 20.0
    over_penalty: float = 0.0
    service_period: str = "week"
    target_service_level: float | None = None
    replications: int = 5
    source: str = field(default="", repr=False, compare=False)  # the file of [[shifts]], named in errors

    def __post_init__(self) -> None:
        for name, options in (("objective", OBJECTIVES), ("requirement", REQUIREMENTS),
                              ("service_period", SERVICE_PERIODS)):
            if getattr(self, name) not in options:
                raise SpecError(f"{name}: expected one of {', '.join(options)}, got {getattr(self, name)!r}")
        for name, low_open in (("time_limit_s", True), ("mip_rel_gap", False), ("short_penalty", False),
                               ("over_penalty", False)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or value < 0 or (low_open and value == 0):
                raise SpecError(f"{name}: expected a number {'>' if low_open else '>='} 0, got {value!r}")
        level = self.target_service_level
        if level is not None and (isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1):
            raise SpecError(f"target_service_level: expected a fraction in (0, 1), got {level!r}")
        if isinstance(self.replications, bool) or not isinstance(self.replications, int) or self.replications < 0 \
                or self.replications == 1:
            raise SpecError(f"replications: expected 0 (no simulation) or a whole number >= 2, got {self.replications!r}")
        names = [t.name for t in self.templates]
        for name in names:
            if names.count(name) > 1:
                raise SpecError(f"shifts.{name}: two templates share this name; name each one differently")
        owner: dict[str, str] = {}
        for t in self.templates:
            for channel in t.channels:
                if owner.setdefault(channel, t.group) != t.group:
                    raise SpecError(f"shifts.{t.name}.channels: {channel} is also worked by templates for "
                                    f"{owner[channel]}; every template of a channel must name the same channels")

    @property
    def groups(self) -> dict[str, tuple[ShiftTemplate, ...]]:
        """Templates by the channels they work (each group is one covering problem)."""
        out: dict[str, list] = {}
        for t in self.templates:
            out.setdefault(t.group, []).append(t)
        return {k: tuple(v) for k, v in out.items()}
