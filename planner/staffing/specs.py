"""Channel specs: what each channel of a plan must deliver (:class:`Voice`, :class:`Chat`, :class:`Deferred`).

Small frozen keyword-only dataclasses, checked on construction: a bad value raises
:class:`~planner.errors.SpecError` naming the field (``voice.threshold_s: expected >= 0, got -5``).
:func:`planner.staffing.plan.staff` takes a mapping of channel name to spec; outbound campaigns
have their own spec, :class:`planner.staffing.outbound.Outbound`, and customer segments
:class:`planner.staffing.segments.Segment`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from planner.errors import SpecError
from planner.staffing.segments import normalise_segments
from planner.staffing.uncertainty import check_rule

__all__ = ["Voice", "Chat", "Deferred", "Channel", "METHODS"]


#: Staffing methods for live channels: stationary per interval, or modified offered load.
METHODS = ("auto", "sipp", "mol")


def _check(spec, name: str, value, *, low=None, low_open=False, high=None, high_open=False, optional=False):
    if value is None and optional:
        return
    where = f"{type(spec).__name__.lower()}.{name}"
    if value is None:
        raise SpecError(f"{where}: missing; give the channel's target (or segments with their own)")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise SpecError(f"{where}: expected a number, got {value!r}")
    if low is not None and (value < low or (low_open and value == low)):
        raise SpecError(f"{where}: expected {'>' if low_open else '>='} {low:g}, got {value!r}")
    if high is not None and (value > high or (high_open and value == high)):
        raise SpecError(f"{where}: expected {'<' if high_open else '<='} {high:g}, got {value!r}")


def _check_live(spec) -> None:
    normalise_segments(spec)
    optional = bool(spec.segments)  # each segment carries its own target (or inherits the channel's)
    _check(spec, "target_service_level", spec.target_service_level, low=0, low_open=True, high=1, high_open=True,
           optional=optional)
    _check(spec, "threshold_s", spec.threshold_s, low=0, optional=optional)
    _check(spec, "patience_s", spec.patience_s, low=0, low_open=True, optional=True)
    _check(spec, "max_occupancy", spec.max_occupancy, low=0, low_open=True, high=1)
    _check(spec, "max_abandon_rate", spec.max_abandon_rate, low=0, low_open=True, high=1, optional=True)
    _check(spec, "shrinkage", spec.shrinkage, low=0, high=1, high_open=True)
    if spec.method not in METHODS:
        raise SpecError(f"{type(spec).__name__.lower()}.method: expected one of {', '.join(METHODS)}, got {spec.method!r}")
    check_rule(spec.staffing_rule, spec.confidence, f"{type(spec).__name__.lower()}.staffing_rule")


@dataclass(frozen=True, kw_only=True)
class Voice:
    """A live synchronous channel (phone, video): Erlang C, or Erlang A when ``patience_s`` is set.

    A frozen spec, checked on construction (a bad value raises :class:`~planner.errors.SpecError`
    naming the field); pass it to :func:`staff` under the channel's name.

    Parameters
    ----------
    target_service_level : float
        Required share of offered contacts answered within ``threshold_s`` [-], in (0, 1).
    threshold_s : float
        Service-level threshold [s] (the "20" of "80/20").
    patience_s : float, optional
        Mean customer patience [s] (exponential): Erlang A; None: Erlang C.
    max_occupancy : float
        Occupancy cap [-], in (0, 1]; applied before shrinkage.
    max_abandon_rate : float, optional
        Largest acceptable share of offered contacts that abandon [-] (with ``patience_s``).
    shrinkage : float
        Share of paid time not available for contacts [-], in [0, 1).
    method : {"auto", "sipp", "mol"}
        Load per interval: stationary (SIPP), modified offered load (MOL, for long calls or steep
        ramps), or ``"auto"``: MOL when AHT exceeds 10 minutes.
    staffing_rule : {"point", "expected", "chance"}
        Staff to the point forecast, to the service level expected over the forecast's rate
        distribution, or to its ``confidence`` quantile (:mod:`planner.staffing.rules`); the
        forecast then needs ``rate_shape``.
    confidence : float, optional
        Probability ``q`` in (0, 1) of the ``"chance"`` rule: P(SL >= target) >= q per interval.
    segments : mapping of str to Segment or dict, optional
        Customer segments sharing the agents, highest priority first (:class:`Segment`); the
        channel's targets are then optional and serve as the segments' defaults.

    Examples
    --------
    >>> phone = Voice(target_service_level=0.8, threshold_s=20, patience_s=120, shrinkage=0.3)
    >>> phone.kind, phone.patience_s
    ('voice', 120)
    """

    target_service_level: float | None = None
    threshold_s: float | None = None
    patience_s: float | None = None
    max_occupancy: float = 1.0
    max_abandon_rate: float | None = None
    shrinkage: float = 0.0
    method: str = "auto"
    staffing_rule: str = "point"
    confidence: float | None = None
    segments: Mapping | tuple = ()

    kind = "voice"

    def __post_init__(self) -> None:
        _check_live(self)


@dataclass(frozen=True, kw_only=True)
class Chat:
    """A live concurrent channel: each agent holds up to ``concurrency`` chats.

    Every extra concurrent chat lengthens every chat by ``aht_growth`` (a fraction), so the mean
    duration with j chats is ``aht_1 * (1 + aht_growth * (j - 1))``. The forecast's ``aht_s`` was
    measured while agents held ``aht_concurrency`` chats on average, so
    ``aht_1 = aht_s / (1 + aht_growth * (aht_concurrency - 1))`` (1, the default: ``aht_s`` is the
    duration of a chat held alone). Staffed by :mod:`planner.chat`.

    Parameters
    ----------
    target_service_level : float
        Required share of offered chats answered within ``threshold_s`` [-], in (0, 1).
    threshold_s : float
        Service-level threshold [s].
    concurrency : int
        Most chats an agent holds at once, k >= 1.
    aht_growth : float
        Fraction by which each extra concurrent chat lengthens every chat [-], >= 0.
    aht_concurrency : float
        Mean chats per agent when the forecast's ``aht_s`` was measured [-], >= 1 (history's AHT
        of chats handled three at a time: 3).
    patience_s : float, optional
        Mean patience of a waiting chat [s] (exponential); None: chats never abandon.
    max_occupancy : float
        Cap on the busy share of the chat slots [-], in (0, 1].
    max_abandon_rate : float, optional
        Largest acceptable share of offered chats that abandon [-].
    shrinkage : float
        Share of paid time not available for contacts [-], in [0, 1).
    method : {"auto", "sipp", "mol"}
        Load per interval as for :class:`Voice`; ``"auto"`` is MOL.
    staffing_rule : {"point", "expected", "chance"}
        Staff to the point forecast, to the service level expected over the forecast's rate
        distribution, or to its ``confidence`` quantile (:mod:`planner.staffing.rules`); the
        forecast then needs ``rate_shape``.
    confidence : float, optional
        Probability ``q`` in (0, 1) of the ``"chance"`` rule: P(SL >= target) >= q per interval.
    segments : mapping of str to Segment or dict, optional
        Customer segments sharing the agents, as for :class:`Voice`.

    Examples
    --------
    >>> chat = Chat(target_service_level=0.8, threshold_s=40, concurrency=3, aht_growth=0.15)
    >>> chat.kind, chat.concurrency
    ('chat', 3)
    """

    target_service_level: float | None = None
    threshold_s: float | None = None
    concurrency: int = 1
    aht_growth: float = 0.0
    aht_concurrency: float = 1.0
    patience_s: float | None = None
    max_occupancy: float = 1.0
    max_abandon_rate: float | None = None
    shrinkage: float = 0.0
    method: str = "auto"
    staffing_rule: str = "point"
    confidence: float | None = None
    segments: Mapping | tuple = ()

    kind = "chat"

    def __post_init__(self) -> None:
        _check_live(self)
        if isinstance(self.concurrency, bool) or not isinstance(self.concurrency, int) or self.concurrency < 1:
            raise SpecError(f"chat.concurrency: expected a whole number >= 1, got {self.concurrency!r}")
        _check(self, "aht_growth", self.aht_growth, low=0)
        _check(self, "aht_concurrency", self.aht_concurrency, low=1)


_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _open_days(text: str) -> frozenset[int]:
    """Weekdays (Monday = 0) from ``"Mon-Fri"``, ``"Mon-Fri, Sun"`` or ``"Sat"``."""
    days: set[int] = set()
    for part in text.replace(" ", "").lower().split(","):
        first, _, last = part.partition("-")
        if first[:3] not in _DAYS or (last and last[:3] not in _DAYS):
            raise SpecError(f"deferred.open_days: cannot read {text!r}; write e.g. \"Mon-Fri\" or \"Mon-Sat, Sun\"")
        a, b = _DAYS.index(first[:3]), _DAYS.index((last or first)[:3])
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return frozenset(days)


def _open_hours(text: str) -> tuple[int, int]:
    """Minutes after midnight ``(open, close)`` from ``"08:00-20:00"`` (``"00:00-24:00"`` all day)."""
    try:
        first, last = text.replace(" ", "").split("-")
        minutes = [int(t.split(":")[0]) * 60 + int(t.split(":")[1]) for t in (first, last)]
    except (ValueError, IndexError):
        raise SpecError(f"deferred.open_hours: cannot read {text!r}; write e.g. \"08:00-20:00\"") from None
    if not 0 <= minutes[0] < minutes[1] <= 1440:
        raise SpecError(f"deferred.open_hours: expected opening before closing within a day, got {text!r}")
    return minutes[0], minutes[1]


@dataclass(frozen=True, kw_only=True)
class Deferred:
    """Deferred work (email, SMS, social, back office): every item answered within ``deadline_s``.

    Agents work on ``open_days`` between ``open_hours`` (local time; default: always). With
    ``business_hours`` the deadline clock runs only while the channel is worked, so an email
    arriving at night is due 4 working hours after the morning opening. Staffed by
    :mod:`planner.deferred`.

    Parameters
    ----------
    deadline_s : float
        Every item is answered within this time of its arrival [s] (at least one interval).
    business_hours : bool
        The deadline clock runs only while the channel is worked (else in calendar time).
    open_days : str
        Weekdays worked, e.g. ``"Mon-Fri"`` or ``"Mon-Sat, Sun"``.
    open_hours : str
        Local hours worked, e.g. ``"08:00-20:00"`` (``"00:00-24:00"``: all day).
    target_service_level : float
        Share of items answered within ``deadline_s`` [-], in (0, 1): the safety above the fluid
        lower bound is sized so that a Poisson simulation of the plan reaches it.
    opening_backlog : float, optional
        Items waiting when the horizon starts [items]; default: estimated from the history when
        :func:`staff` is given it (see :mod:`planner.staffing.deferred_backlog`), else none.
    max_occupancy : float
        Share of an agent's time spent on items [-], in (0, 1].
    shrinkage : float
        Share of paid time not available for work [-], in [0, 1).
    staffing_rule : {"point", "chance"}
        ``"chance"`` plans each day for the ``confidence`` quantile of its volume (the forecast's
        day factor, ``day_log_var``) instead of the point forecast.
    confidence : float, optional
        Probability ``q`` in (0, 1) of the ``"chance"`` rule.

    Examples
    --------
    >>> email = Deferred(deadline_s=4 * 3600, business_hours=True, open_days="Mon-Fri", open_hours="08:00-18:00")
    >>> starts = pd.Series(pd.to_datetime(["2026-07-06 07:45", "2026-07-06 08:00", "2026-07-11 09:00"]))
    >>> email.is_open(starts).tolist()  # Monday before opening, Monday at opening, Saturday
    [False, True, False]
    """

    deadline_s: float
    business_hours: bool = False
    open_days: str = "Mon-Sun"
    open_hours: str = "00:00-24:00"
    target_service_level: float = 0.99
    opening_backlog: float | None = None
    max_occupancy: float = 1.0
    shrinkage: float = 0.0
    staffing_rule: str = "point"
    confidence: float | None = None

    kind = "deferred"

    def __post_init__(self) -> None:
        _check(self, "deadline_s", self.deadline_s, low=0, low_open=True)
        _check(self, "target_service_level", self.target_service_level, low=0, low_open=True, high=1, high_open=True)
        _check(self, "opening_backlog", self.opening_backlog, low=0, optional=True)
        _check(self, "max_occupancy", self.max_occupancy, low=0, low_open=True, high=1)
        _check(self, "shrinkage", self.shrinkage, low=0, high=1, high_open=True)
        if not isinstance(self.business_hours, bool):
            raise SpecError(f"deferred.business_hours: expected true or false, got {self.business_hours!r}")
        _open_days(self.open_days)
        _open_hours(self.open_hours)
        check_rule(self.staffing_rule, self.confidence, "deferred.staffing_rule")
        if self.staffing_rule == "expected":
            raise SpecError("deferred.staffing_rule: \"expected\" is for live channels (a service level within an "
                            "interval); plan deferred work for a quantile of the day's volume with { rule = "
                            "\"chance\", confidence = 0.9 }, or \"point\"")

    def is_open(self, interval_start: pd.Series) -> np.ndarray:
        """Whether agents work in each interval (its local start within the open days and hours)."""
        days = _open_days(self.open_days)
        first, last = _open_hours(self.open_hours)
        minute = interval_start.dt.hour * 60 + interval_start.dt.minute
        return (interval_start.dt.day_of_week.isin(days) & (minute >= first) & (minute < last)).to_numpy()


Channel = Voice | Chat | Deferred
