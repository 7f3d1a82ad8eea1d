"""Interval staffing plans: route each channel of a forecast to its model and gross up.

``staff(forecast, channels)`` takes the long forecast frame of DESIGN.md section 3 (one row per
interval x channel) and a mapping of channel name to a channel spec (:class:`Voice`,
:class:`Chat`, :class:`Deferred`), and returns the plan frame: the forecast columns plus
``load_erlangs, agents, agents_fractional, agents_gross, service_level, asa_s, occupancy,
abandon_rate, backlog``. The occupancy cap is applied before shrinkage, and
``agents_gross = agents / (1 - shrinkage)``.

The plan also carries each channel's parameters as columns (``kind, method, threshold_s,
target_service_level, patience_s, concurrency, aht_growth, aht_concurrency, deadline_s, business_hours,
shrinkage``), so a plan file is self-describing: the simulator can check it without the scenario.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Mapping

import numpy as np
import pandas as pd

from planner.calendar import interval_s_of
from planner.errors import InputError, SpecError
from planner.staffing import erlang, erlang_a
from planner.staffing.segments import Segment, normalise_segments
from planner.staffing.timevarying import modified_offered_load

__all__ = ["Voice", "Chat", "Deferred", "Segment", "staff", "METHODS"]

#: Staffing methods for live channels: stationary per interval, or modified offered load.
METHODS = ("auto", "sipp", "mol")
#: AHT above which ``method="auto"`` uses MOL for voice (long calls lag the arrivals).
MOL_AHT_S = 600.0


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
    service_quantile : float
        Probability [-], in (0, 1), that each item is on time under Poisson arrivals (safety
        capacity above the fluid lower bound).
    max_occupancy : float
        Share of an agent's time spent on items [-], in (0, 1].
    shrinkage : float
        Share of paid time not available for work [-], in [0, 1).

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
    service_quantile: float = 0.99
    max_occupancy: float = 1.0
    shrinkage: float = 0.0

    kind = "deferred"

    def __post_init__(self) -> None:
        _check(self, "deadline_s", self.deadline_s, low=0, low_open=True)
        _check(self, "service_quantile", self.service_quantile, low=0, low_open=True, high=1, high_open=True)
        _check(self, "max_occupancy", self.max_occupancy, low=0, low_open=True, high=1)
        _check(self, "shrinkage", self.shrinkage, low=0, high=1, high_open=True)
        if not isinstance(self.business_hours, bool):
            raise SpecError(f"deferred.business_hours: expected true or false, got {self.business_hours!r}")
        _open_days(self.open_days)
        _open_hours(self.open_hours)

    def is_open(self, interval_start: pd.Series) -> np.ndarray:
        """Whether agents work in each interval (its local start within the open days and hours)."""
        days = _open_days(self.open_days)
        first, last = _open_hours(self.open_hours)
        minute = interval_start.dt.hour * 60 + interval_start.dt.minute
        return (interval_start.dt.weekday.isin(days) & (minute >= first) & (minute < last)).to_numpy()


Channel = Voice | Chat | Deferred

FORECAST_COLUMNS = ("interval_start", "channel", "offered", "aht_s")
PLAN_COLUMNS = (
    "load_erlangs", "agents", "agents_fractional", "agents_gross", "service_level", "asa_s",
    "occupancy", "abandon_rate", "backlog",
)


def _load(rows: pd.DataFrame, spec, interval_s: float) -> tuple[np.ndarray, str]:
    """Offered load per interval [Erlang] of a live channel (its rows in time order) and the method used."""
    rate = rows["offered"].to_numpy(float) / interval_s
    aht = rows["aht_s"].to_numpy(float)
    method = spec.method
    if method == "auto":
        method = "mol" if spec.kind == "chat" or float(np.nanmax(aht, initial=0.0)) > MOL_AHT_S else "sipp"
    if method == "mol":
        starts = rows["interval_start"]
        gaps = (starts.shift(-1) - starts).dt.total_seconds().to_numpy() - interval_s
        gaps = np.where(np.isnan(gaps), 0.0, np.maximum(gaps, 0.0))
        return modified_offered_load(rate, aht, interval_s=interval_s, gap_s=gaps), method
    return rate * aht, method


def _live(rows: pd.DataFrame, spec, interval_s: float) -> dict[str, np.ndarray]:
    """Staff one live channel (its rows in time order)."""
    aht = rows["aht_s"].to_numpy(float)
    load, method = _load(rows, spec, interval_s)
    patience = math.inf if spec.patience_s is None else spec.patience_s
    targets = dict(target_service_level=spec.target_service_level, threshold_s=spec.threshold_s,
                   max_occupancy=spec.max_occupancy)
    if spec.kind == "chat":
        from planner.staffing import chat

        alone = aht / (1.0 + spec.aht_growth * (spec.aht_concurrency - 1.0))  # a chat held alone
        profile = chat.aht_profile(alone, spec.concurrency, spec.aht_growth)
        effective_rate = load / aht  # MOL: the stationary model at the modified load
        agents = np.asarray(chat.required_agents(
            effective_rate, profile, patience_s=patience, max_abandon_rate=spec.max_abandon_rate, **targets))
        r = chat.erlang_chat(agents, effective_rate, profile, patience, spec.threshold_s)
        perf = dict(service_level=r.service_level, asa_s=r.asa_s, occupancy=r.occupancy, abandon_rate=r.p_abandon)
        fractional = agents.astype(float)
    elif spec.patience_s is None:
        r = erlang.requirement(load, aht, **targets)
        agents = r["agents"]
        fractional = erlang.fractional_agents(load, aht, **targets)
        perf = dict(service_level=r["service_level"], asa_s=r["asa_s"], occupancy=r["occupancy"],
                    abandon_rate=np.zeros(load.size))
    else:
        agents = np.asarray(erlang_a.required_agents(
            load, aht, patience_s=patience, max_abandon_rate=spec.max_abandon_rate, **targets))
        r = erlang_a.erlang_a(agents, load, aht, patience, spec.threshold_s)
        perf = dict(service_level=r.service_level, asa_s=r.asa_s, occupancy=r.occupancy, abandon_rate=r.p_abandon)
        fractional = agents.astype(float)
    return dict(load_erlangs=load, agents=np.asarray(agents, dtype=np.int64), agents_fractional=fractional,
                backlog=np.zeros(load.size), method=np.full(load.size, method), open=np.ones(load.size, bool), **perf)


def _deferred(rows: pd.DataFrame, spec: Deferred, interval_s: float) -> dict[str, np.ndarray]:
    from planner.staffing import deferred

    result = deferred.deferred_requirement(
        rows["offered"].to_numpy(float),
        rows["aht_s"].to_numpy(float),
        interval_s=interval_s,
        deadline_s=spec.deadline_s,
        open=spec.is_open(rows["interval_start"]),
        interval_start=rows["interval_start"],
        business_hours=spec.business_hours,
        service_quantile=spec.service_quantile,
        max_occupancy=spec.max_occupancy,
    )
    load = rows["offered"].to_numpy(float) * rows["aht_s"].to_numpy(float) / interval_s
    agents = np.asarray(result["agents_int"], dtype=np.int64)
    fractional = np.asarray(result["agents"], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        occupancy = np.where(agents > 0, np.minimum(fractional * spec.max_occupancy / agents, 1.0), 0.0)
    return dict(load_erlangs=load, agents=agents, agents_fractional=fractional, open=spec.is_open(rows["interval_start"]),
                service_level=np.full(load.size, np.nan), asa_s=np.full(load.size, np.nan),
                occupancy=occupancy, abandon_rate=np.zeros(load.size),
                backlog=np.asarray(result["backlog"], dtype=float), method=np.full(load.size, "deferred"))


def staff(forecast: pd.DataFrame, channels: Mapping[str, Channel], *, interval_s: float | None = None) -> pd.DataFrame:
    """The interval staffing plan for a forecast: agents per interval and channel, and what they deliver.

    Parameters
    ----------
    forecast : pandas.DataFrame
        Long frame with ``interval_start`` (tz-aware), ``channel``, ``offered`` (contacts per
        interval) and ``aht_s`` [s]; more columns (``offered_lo``, ``offered_hi``) are kept.
    channels : mapping of str to Voice, Chat or Deferred
        The spec of every channel in the forecast.
    interval_s : float, optional
        Interval length [s]; when omitted, ``forecast.attrs["interval_s"]`` or the most common
        standard spacing of ``interval_start`` (:func:`planner.calendar.interval_s_of`).

    Returns
    -------
    pandas.DataFrame
        The forecast columns, ``kind``, ``method``, ``load_erlangs`` [Erlang], ``agents`` (net, whole),
        ``agents_fractional``, ``agents_gross`` (after shrinkage), ``service_level``, ``asa_s`` [s],
        ``occupancy``, ``abandon_rate``, ``backlog`` [items], and the channel parameters.

    References
    ----------
    R. B. Cooper (1981), *Introduction to Queueing Theory*, 2nd ed., ch. 3 (Erlang C);
    A. Mandelbaum and S. Zeltyn (2007), "Service engineering in action: the Palm/Erlang-A queue"
    (Erlang A); T. Tezcan and J. Zhang (2014), Operations Research 62(4) (chat with concurrency);
    Jennings, Mandelbaum, Massey & Whitt (1996), Management Science 42(10) (modified offered load);
    W. A. Horn (1974), Naval Res. Logist. Q. 21(1) (deferred work by deadline). The modules
    :mod:`planner.erlang`, :mod:`planner.erlang_a`, :mod:`planner.chat`, :mod:`planner.deferred`
    and :func:`planner.modified_offered_load` give the formulas.

    Examples
    --------
    >>> import pandas as pd
    >>> starts = pd.date_range("2026-07-06 09:00", periods=4, freq="15min", tz="Europe/London")
    >>> forecast = pd.DataFrame({"interval_start": starts, "channel": "phone",
    ...                          "offered": [50.0, 80, 120, 90], "aht_s": 180.0})
    >>> plan = staff(forecast, {"phone": Voice(target_service_level=0.8, threshold_s=20, shrinkage=0.3)})
    >>> plan["agents"].tolist()
    [14, 20, 29, 22]
    >>> plan["agents_gross"].round(2).tolist()
    [20.0, 28.57, 41.43, 31.43]
    """
    missing = [c for c in FORECAST_COLUMNS if c not in forecast.columns]
    if missing:
        raise InputError(f"forecast: missing column(s) {', '.join(missing)}; expected {', '.join(FORECAST_COLUMNS)}")
    unknown = sorted(set(forecast["channel"].unique()) - set(channels))
    if unknown:
        raise InputError(f"forecast: channel(s) {', '.join(map(str, unknown))} have no spec; "
                         f"add them to channels (known: {', '.join(sorted(channels)) or 'none'})")
    for column in ("offered", "aht_s"):
        values = forecast[column].to_numpy(float)
        bad = ~np.isfinite(values) | (values < 0) | ((values == 0) & (column == "aht_s"))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            rule = "> 0" if column == "aht_s" else ">= 0"
            raise InputError(f"forecast: row {row}, column {column}: expected a finite number {rule}, got {values[row]:g}")
    interval_s = interval_s_of(forecast) if interval_s is None else float(interval_s)

    from planner.staffing import pools, segments

    parts = {}
    for name, rows in forecast.sort_values(["channel", "interval_start"]).groupby("channel", sort=False):
        spec = channels[name]
        if spec.kind == "outbound":
            raise InputError(f"forecast: channel {name} is an outbound campaign: its dials come from its list "
                             "(list_size x attempts_per_record), not from a forecast; remove its rows")
        rows = rows.reset_index(drop=True)
        if getattr(spec, "segments", ()):
            parts[name] = segments.segmented(rows, spec, interval_s, *_load(rows, spec, interval_s))
            continue
        result = _deferred(rows, spec, interval_s) if spec.kind == "deferred" else _live(rows, spec, interval_s)
        parts[name] = rows.assign(kind=spec.kind, **result)
    parts = pools.campaigns(parts, forecast, channels, interval_s)
    for name, part in parts.items():
        spec = channels[name]
        part["agents_gross"] = part["agents"] / (1.0 - spec.shrinkage)
        for field in fields(spec):
            value = getattr(spec, field.name)
            if field.name in part or field.name == "segments" or isinstance(value, Mapping):
                continue  # e.g. method: the plan records the method actually used
            part[field.name] = np.nan if value is None else value
    plan = pd.concat(list(parts.values()), ignore_index=True)
    order = ["interval_start", "channel"] + (["priority"] if "priority" in plan else [])
    plan = plan.sort_values(order, ignore_index=True, kind="stable")
    if "segment" in plan:
        plan["segment"] = plan["segment"].fillna("").astype(str)
    lead = [c for c in forecast.columns] + ["kind", "method", *PLAN_COLUMNS]
    return plan[lead + [c for c in plan.columns if c not in lead]]
