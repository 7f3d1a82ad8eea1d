"""Outbound campaigns: the agents a calling list needs, interval by interval, to finish by its deadline.

A campaign dials ``list_size`` records ``attempts_per_record`` times on average, so it makes
``list_size x attempts_per_record`` dials between its ``start`` and ``deadline`` days, only inside
the calling window in the customers' time zone. Dials are spread evenly over the open intervals
(level loading), so each interval needs ``dials / (dials_per_hour x interval hours)`` agents:
``dials_per_hour`` is what one agent dials in an hour in the campaign's dialler mode (talk and wrap
time included). A share ``rpc_rate`` of the dials reaches the right party (a number, or by local
hour of day); ``connect_rate`` of them (default: the RPC rate) is answered by a person.

* **preview / progressive**: the dialler dials only for an agent already free: no call is dropped.
* **predictive**: the dialler dials ahead of free agents, and a person who answers when no agent is
  free is dropped (an abandoned call). Regulators cap drops at 3% of live connects (UK Ofcom's
  persistent-misuse policy; US FTC Telemarketing Sales Rule, 16 CFR 310.4(b)(4)). With live
  connects arriving as a Poisson stream of ``connects x aht_s`` Erlangs, each needing an agent for
  ``aht_s`` (talk and wrap), the drop rate with N agents is Erlang B: the plan adds agents until
  ``B(N, load) <= max_drop_rate`` and reports the drop rate it delivers.

Worked example (by hand): 1,000 right-party contacts at a 35% RPC rate need 1,000 / 0.35 = 2,857
dials; at 25 dials an agent-hour that is 114.3 agent-hours, or 17.9 agents working 6.4 productive
hours a day (:func:`campaign_agents`).

References: A. K. Erlang (1917) for the loss formula; D. A. Samuelson (1999), "Predictive dialing
for outbound telephone call centers", Interfaces 29(5) (pacing against the abandonment limit).

Examples
--------
>>> round(campaign_agents(1000, rpc_rate=0.35, dials_per_hour=25, productive_hours=6.4), 1)
17.9
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from planner.errors import SpecError
from planner.schema import epoch_ns
from planner.staffing import erlang

__all__ = ["Outbound", "DIALLERS", "campaign_agents", "campaign_plan", "penetration"]

#: Dialler modes.
DIALLERS = ("preview", "progressive", "predictive")
_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def campaign_agents(right_party_contacts, *, rpc_rate, dials_per_hour, productive_hours):
    """Agents needed to reach a number of right parties: contacts / rate / dials an hour / hours.

    Parameters
    ----------
    right_party_contacts : float
        Right-party contacts wanted [contacts].
    rpc_rate : float
        Share of dials that reach the right party [-].
    dials_per_hour : float
        Dials one agent makes in an hour [1/h].
    productive_hours : float
        Hours an agent dials in the period (a day) [h].

    Examples
    --------
    >>> round(campaign_agents(1000, rpc_rate=0.35, dials_per_hour=25, productive_hours=6.4), 3)
    17.857
    """
    return right_party_contacts / rpc_rate / dials_per_hour / productive_hours


def _fail(field: str, message: str) -> SpecError:
    return SpecError(f"outbound.{field}: {message}")


def _minutes(text: str, field: str) -> int:
    try:
        hours, minutes = text.strip().split(":")
        value = int(hours) * 60 + int(minutes)
    except ValueError:
        raise _fail(field, f"cannot read the time {text!r}; write e.g. \"09:00\"") from None
    if not 0 <= value <= 1440:
        raise _fail(field, f"expected a time of day between 00:00 and 24:00, got {text!r}")
    return value


def _window(text: str) -> tuple[int, int]:
    first, sep, last = str(text).partition("-")
    if not sep:
        raise _fail("calling_window", f"cannot read {text!r}; write e.g. \"09:00-21:00\" (customers' local time)")
    start, end = _minutes(first, "calling_window"), _minutes(last, "calling_window")
    if start >= end:
        raise _fail("calling_window", f"expected the start before the end within a day, got {text!r}")
    return start, end


def _days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for part in str(text).replace(" ", "").lower().split(","):
        first, _, last = part.partition("-")
        if first[:3] not in _DAYS or (last and last[:3] not in _DAYS):
            raise _fail("calling_days", f"cannot read {text!r}; write e.g. \"Mon-Fri\" or \"Mon-Sat, Sun\"")
        a, b = _DAYS.index(first[:3]), _DAYS.index((last or first)[:3])
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return frozenset(days)


def _rate_table(value, field: str) -> tuple[tuple[int, float], ...]:
    """A rate as ((minute of day, rate), ...) steps; a number is one step from 00:00."""
    if isinstance(value, Mapping):
        if not value:
            raise _fail(field, "expected a rate, or a table of local times and rates such as { \"09:00\" = 0.3 }")
        steps = sorted((_minutes(k, field), v) for k, v in value.items())
    else:
        steps = [(0, value)]
    for _, rate in steps:
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate <= 1:
            raise _fail(field, f"expected a share in (0, 1], got {rate!r}")
    return tuple((m, float(r)) for m, r in steps)


def _rate_at(steps, minutes: np.ndarray) -> np.ndarray:
    """The step rate at each local minute of day (the first step also covers the hours before it)."""
    starts = np.array([m for m, _ in steps])
    rates = np.array([r for _, r in steps])
    return rates[np.maximum(np.searchsorted(starts, minutes, side="right") - 1, 0)]


@dataclass(frozen=True, kw_only=True)
class Outbound:
    """An outbound campaign: a calling list to finish by a deadline, inside a calling window.

    A frozen spec checked on construction (a bad value raises :class:`~planner.errors.SpecError`
    naming the field). Staffed by :func:`campaign_plan`; with ``blend`` set, the named inbound
    channel's agents work it between inbound calls (:mod:`planner.staffing.blend`).

    Parameters
    ----------
    list_size : int
        Records on the calling list.
    dials_per_hour : float
        Dials one agent makes in an hour in this dialler mode, talk and wrap included [1/h].
    aht_s : float
        Talk and wrap time of a live connect [s].
    rpc_rate : float or mapping
        Share of dials reaching the right party [-]; or ``{"09:00": 0.25, "17:00": 0.40}``: by
        customers' local time of day (each rate from its time on; the first also before it).
    deadline : datetime.date
        Last calling day (customers' local date, inclusive).
    attempts_per_record : float
        Dials per record on average [-]; the campaign makes ``list_size x attempts_per_record``.
    connect_rate : float or mapping, optional
        Share of dials answered by a person [-] (default: ``rpc_rate``); drops are a share of these.
    dialler : {"preview", "progressive", "predictive"}
        Dialler mode; only predictive diallers drop calls.
    calling_window : str
        Customers' local calling hours, e.g. ``"09:00-21:00"``.
    calling_days : str
        Customers' local calling days, e.g. ``"Mon-Sat"``.
    timezone : str, optional
        Customers' IANA time zone (default: the plan's).
    start : datetime.date, optional
        First calling day (default: calls begin with the first planned interval). Dials of days
        before the plan count as made.
    max_drop_rate : float
        Largest share of live connects a predictive dialler may drop [-] (0.03: UK and US rules).
    shrinkage : float
        Share of paid time not available for calls [-], in [0, 1).
    blend : str, optional
        The inbound channel whose agents work this campaign between inbound calls.

    Examples
    --------
    >>> renewals = Outbound(list_size=12000, dials_per_hour=25, aht_s=300, rpc_rate=0.35,
    ...                     deadline=dt.date(2026, 7, 31), dialler="predictive")
    >>> renewals.kind, renewals.dials
    ('outbound', 12000.0)
    """

    list_size: int
    dials_per_hour: float
    aht_s: float
    rpc_rate: float | Mapping[str, float]
    deadline: dt.date
    attempts_per_record: float = 1.0
    connect_rate: float | Mapping[str, float] | None = None
    dialler: str = "progressive"
    calling_window: str = "09:00-21:00"
    calling_days: str = "Mon-Sun"
    timezone: str | None = None
    start: dt.date | None = None
    max_drop_rate: float = 0.03
    shrinkage: float = 0.0
    blend: str | None = None

    kind = "outbound"

    def __post_init__(self) -> None:
        if isinstance(self.list_size, bool) or not isinstance(self.list_size, int) or self.list_size < 1:
            raise _fail("list_size", f"expected a whole number of records >= 1, got {self.list_size!r}")
        for name, low in (("dials_per_hour", 0.0), ("aht_s", 0.0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= low:
                raise _fail(name, f"expected a number > {low:g}, got {value!r}")
        value = self.attempts_per_record
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 1:
            raise _fail("attempts_per_record", f"expected a number >= 1, got {value!r}")
        _rate_table(self.rpc_rate, "rpc_rate")
        connects = _rate_table(self.rpc_rate if self.connect_rate is None else self.connect_rate, "connect_rate")
        if self.dialler not in DIALLERS:
            raise _fail("dialler", f"expected one of {', '.join(DIALLERS)}, got {self.dialler!r}")
        _window(self.calling_window)
        _days(self.calling_days)
        if self.timezone is not None:
            try:
                zoneinfo.ZoneInfo(self.timezone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
                raise _fail("timezone", f"unknown time zone {self.timezone!r}; use an IANA name such as "
                            "\"America/New_York\"") from None
        for name in ("deadline", "start"):
            value = getattr(self, name)
            if (value is not None or name == "deadline") and not (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
                raise _fail(name, f"expected a date such as 2026-07-31, got {value!r}")
        if self.start is not None and self.start > self.deadline:
            raise _fail("deadline", f"expected a day on or after start ({self.start}), got {self.deadline}")
        for name, value in (("max_drop_rate", self.max_drop_rate), ("shrinkage", self.shrinkage)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
                raise _fail(name, f"expected a share in [0, 1), got {value!r}")
        if self.dialler == "predictive" and self.max_drop_rate <= 0:
            raise _fail("max_drop_rate", "a predictive dialler always drops some calls; expected a share > 0")
        talk = max(rate for _, rate in connects) * self.aht_s
        if talk >= 3600.0 / self.dials_per_hour:
            raise _fail("dials_per_hour", f"{self.dials_per_hour:g} dials an hour leave {3600 / self.dials_per_hour:.0f} s "
                        f"a dial, less than the talk and wrap time a dial brings ({talk:.0f} s at the connect rate)")
        if self.blend is not None and self.dialler == "predictive":
            raise _fail("blend", "a predictive dialler dials ahead of free agents, which the idle-agent threshold "
                        "rule cannot do; blend a preview or progressive campaign")

    @property
    def dials(self) -> float:
        """Dials the campaign makes: ``list_size x attempts_per_record``."""
        return float(self.list_size * self.attempts_per_record)


def _midnight_ns(day: dt.date, tz: str) -> int:
    stamp = pd.Timestamp(day).tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    return int(stamp.as_unit("ns").value)


def _grid(anchor_ns: int, start_day: dt.date, last_day: dt.date, tz: str, interval_s: float) -> np.ndarray:
    """UTC ns of the intervals on the plan's grid (through ``anchor_ns``) from ``start_day`` to
    ``last_day`` (local days, inclusive)."""
    step = int(round(interval_s * 1e9))
    lo, hi = _midnight_ns(start_day, tz), _midnight_ns(last_day + dt.timedelta(days=1), tz)
    lo = anchor_ns + -(-(lo - anchor_ns) // step) * step
    return np.arange(lo, hi, step, dtype=np.int64) if hi > lo else np.zeros(0, dtype=np.int64)


def _local(ns: np.ndarray, tz: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(ns, unit="ns", utc=True)).tz_convert(tz)


def campaign_plan(spec: Outbound, intervals: pd.DatetimeIndex, *, interval_s: float) -> pd.DataFrame:
    """Dials, agents and what they deliver in each planned interval of an outbound campaign.

    Parameters
    ----------
    spec : Outbound
        The campaign.
    intervals : pandas.DatetimeIndex
        The planned intervals (tz-aware, on one grid; the plan's zone); the campaign's own calling
        intervals run from ``spec.start`` (default: the first planned day) to ``spec.deadline``,
        and rows are returned for the planned ones.
    interval_s : float
        Interval length [s].

    Returns
    -------
    pandas.DataFrame
        ``interval_start, offered`` (dials), ``aht_s``, ``load_erlangs`` (talk load of live
        connects), ``agents``, ``agents_fractional``, ``occupancy``, ``abandon_rate`` and
        ``drop_rate`` (dropped share of live connects), ``contacts`` (right-party contacts),
        ``contacts_per_hour``, ``backlog`` (dials still to make at the interval end),
        ``penetration`` (share of the campaign's dials made by the interval end), ``open``
        (inside the calling window), ``dials_per_hour``, ``rpc_rate`` and ``connect_rate`` (at
        the interval's local time).

    Examples
    --------
    >>> days = pd.date_range("2026-07-06", periods=2 * 96, freq="15min", tz="Europe/London")
    >>> spec = Outbound(list_size=1000, dials_per_hour=25, aht_s=300, rpc_rate=0.35,
    ...                 deadline=dt.date(2026, 7, 7), calling_window="09:00-17:00")
    >>> plan = campaign_plan(spec, days, interval_s=900)
    >>> float(plan["offered"].sum()), float(plan["agents_fractional"].max())
    (1000.0, 2.5)
    """
    intervals = pd.DatetimeIndex(intervals)
    tz = spec.timezone or str(intervals.tz)
    planned = epoch_ns(intervals)
    start_day = spec.start or intervals.min().tz_convert(tz).date()
    calling = _grid(int(planned.min()), start_day, spec.deadline, tz, interval_s)
    if spec.start is None:  # calls begin with the plan (its first local day may start earlier there)
        calling = calling[calling >= planned.min()]
    local = _local(calling, tz)
    minute = np.asarray(local.hour * 60 + local.minute)
    window = _window(spec.calling_window)
    is_open = np.asarray(local.day_of_week.isin(sorted(_days(spec.calling_days)))) & (minute >= window[0]) & (minute < window[1])
    if not is_open.any():
        raise _fail("deadline", f"no calling interval between {start_day} and {spec.deadline} inside "
                    f"{spec.calling_window} on {spec.calling_days} ({tz}); move the deadline or widen the window")
    dials = np.where(is_open, spec.dials / is_open.sum(), 0.0)
    made = np.cumsum(dials)
    # The planned intervals: those inside the campaign take its values; before it nothing is
    # made yet, after it everything is.
    where = np.searchsorted(calling, planned)
    inside = (where < calling.size) & (calling[np.minimum(where, calling.size - 1)] == planned)
    at = np.minimum(where, calling.size - 1)
    before = planned < calling[0]
    dial = np.where(inside, dials[at], 0.0)
    opened = np.where(inside, is_open[at], False)
    made_by = np.where(inside, made[at], np.where(before, 0.0, spec.dials))
    rows = {"backlog": spec.dials - made_by, "penetration": made_by / spec.dials, "open": opened}
    local_rows = _local(planned, tz)
    minute = np.asarray(local_rows.hour * 60 + local_rows.minute)
    hours = interval_s / 3600.0
    fluid = dial / (spec.dials_per_hour * hours)
    rpc = _rate_at(_rate_table(spec.rpc_rate, "rpc_rate"), minute)
    connect = _rate_at(_rate_table(spec.rpc_rate if spec.connect_rate is None else spec.connect_rate,
                                   "connect_rate"), minute)
    contacts, connects = dial * rpc, dial * connect
    talk = connects * spec.aht_s / interval_s  # Erlangs of live connects
    agents = np.ceil(fluid - 1e-9)
    fractional = fluid.copy()
    drop = np.zeros(dial.size)
    if spec.dialler == "predictive":
        busy = talk > 0
        needed = np.zeros(dial.size)
        if busy.any():
            needed[busy] = _loss_agents(talk[busy], spec.max_drop_rate)
        agents = np.maximum(agents, needed)
        fractional = np.maximum(fractional, needed)
        drop[busy] = erlang.erlang_b(agents[busy], talk[busy])
    with np.errstate(divide="ignore", invalid="ignore"):
        occupancy = np.where(agents > 0, np.minimum(talk * (1.0 - drop) / agents, 1.0), 0.0)
    return pd.DataFrame({
        "interval_start": intervals, "offered": dial, "aht_s": float(spec.aht_s),
        "load_erlangs": talk, "agents": agents.astype(np.int64), "agents_fractional": fractional,
        "occupancy": occupancy, "abandon_rate": drop, "drop_rate": drop, "contacts": contacts,
        "contacts_per_hour": contacts / hours, "backlog": rows["backlog"],
        "penetration": rows["penetration"], "open": rows["open"],
        "dials_per_hour": float(spec.dials_per_hour), "rpc_rate": rpc, "connect_rate": connect,
    })


def _loss_agents(load: np.ndarray, max_drop_rate: float) -> np.ndarray:
    """Least whole agents N with Erlang B ``B(N, load) <= max_drop_rate`` (B falls as N grows)."""
    n = np.maximum(np.floor(load * (1.0 - max_drop_rate)), 1.0)
    b = erlang.erlang_b(n, load)
    rows = np.flatnonzero(b > max_drop_rate)
    while rows.size:
        a, br = load[rows], b[rows]
        b[rows] = a * br / (n[rows] + 1.0 + a * br)  # the Erlang B recursion
        n[rows] += 1.0
        rows = rows[b[rows] > max_drop_rate]
    return n


def penetration(plan: pd.DataFrame, *, interval_s: float) -> pd.DataFrame:
    """List penetration by day of each outbound channel of a plan.

    Parameters
    ----------
    plan : pandas.DataFrame
        A plan with outbound rows (``kind == "outbound"``: ``offered`` dials, ``contacts``,
        ``penetration``).
    interval_s : float
        Interval length [s].

    Returns
    -------
    pandas.DataFrame
        ``day, channel, dials, contacts, penetration`` (share of the campaign's dials made by the
        end of the day) and ``agent_hours``; empty without outbound rows.

    Examples
    --------
    >>> days = pd.date_range("2026-07-06", periods=2 * 96, freq="15min", tz="Europe/London")
    >>> spec = Outbound(list_size=1000, dials_per_hour=25, aht_s=300, rpc_rate=0.35,
    ...                 deadline=dt.date(2026, 7, 7), calling_window="09:00-17:00")
    >>> rows = campaign_plan(spec, days, interval_s=900).assign(channel="renewals", kind="outbound")
    >>> penetration(rows, interval_s=900)[["day", "dials", "penetration"]].values.tolist()
    [[datetime.date(2026, 7, 6), 500.0, 0.5], [datetime.date(2026, 7, 7), 500.0, 1.0]]
    """
    rows = plan[plan["kind"] == "outbound"] if "kind" in plan else plan.iloc[:0]
    columns = ["day", "channel", "dials", "contacts", "penetration", "agent_hours"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    hours = interval_s / 3600.0
    frame = rows.assign(day=rows["interval_start"].dt.date, agent_hours=rows["agents_fractional"] * hours)
    out = frame.groupby(["day", "channel"], sort=True).agg(
        dials=("offered", "sum"), contacts=("contacts", "sum"), penetration=("penetration", "max"),
        agent_hours=("agent_hours", "sum")).reset_index()
    return out[columns]
