"""The plan frame the simulator reads: checking it, reading it from CSV, one record per channel.

Every mistake raises :class:`~planner.errors.InputError` naming the column, the row and the rule
to meet: ``plan: row 3 (phone 2026-07-06 09:45:00+01:00), column offered: expected a finite
number >= 0, got -5`` for a frame; ``plan.csv:5:offered: ...`` (file, line, column, as
:mod:`planner.io` reports files) for a file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.schema import FALSE_TEXT, INTERVALS_S, TRUE_TEXT, check_timezone

__all__ = ["KINDS", "REQUIRED", "ChannelPlan", "prepare", "read_plan"]

#: Channel kinds the simulator knows.
KINDS = ("voice", "chat", "deferred", "outbound")
#: Columns every plan has.
REQUIRED = ("interval_start", "channel", "kind", "offered", "aht_s", "agents")
#: Columns some kinds need, and the kinds that need them.
NEEDED_BY = {"threshold_s": ("voice", "chat"), "concurrency": ("chat",), "deadline_s": ("deferred",),
             "dials_per_hour": ("outbound",)}
#: Default interval length [s] when a plan has a single interval per channel.
DEFAULT_INTERVAL_S = 900.0
_LIVE = ("voice", "chat")
#: A UTC offset after a time of day: ``09:00:00+01:00``, ``09:00Z``.
_OFFSET_GROUP = r"\d\d:\d\d(?::\d\d(?:\.\d*)?)?\s*(Z|[+-]\d\d(?::?\d\d)?)$"


@dataclass(frozen=True)
class ChannelPlan:
    """One channel of a checked plan: its intervals in time order, as arrays (internal record).

    ``start_s`` is the start of each interval [s] after the plan's first interval (``origin``);
    ``rows`` the positions of the channel's rows in the plan frame.
    """

    name: str
    kind: str
    rows: np.ndarray
    start_s: np.ndarray
    interval_s: float
    offered: np.ndarray
    aht_s: np.ndarray
    agents: np.ndarray
    threshold_s: np.ndarray
    patience_s: np.ndarray
    aht_growth: np.ndarray
    deadline_s: np.ndarray
    concurrency: int
    business_hours: bool
    open: np.ndarray  # whether agents work the interval (the business-hours clock runs); default all
    opening: np.ndarray  # deferred: items from before the plan falling due in the interval; default none
    end_s: float  # end of the plan's last interval (any channel): deadlines after it are not yet due
    # Shared pools (segments, blends) and campaigns; see planner.simulate.pool.
    segment: str = ""  # customer segment ("" for none)
    priority: int = 0  # the segment's rank (1 highest)
    blend: str = ""  # outbound rows: the inbound channel whose agents make the calls ("" on its own)
    dialler: str = ""  # outbound: preview, progressive or predictive
    idle_threshold: np.ndarray | None = None  # pool: agents kept idle before outbound calls start (inf: none)
    outbound_s: np.ndarray | None = None  # pool: mean outbound call length [s] per interval (nan: none)
    connect_rate: np.ndarray | None = None  # outbound: live connects per dial
    dial_s: np.ndarray | None = None  # outbound: agent time per dial [s] (3600 / dials_per_hour)
    classes: tuple = ()  # a segmented pool: its segments' records, highest priority first
    outbound: "ChannelPlan | None" = None  # a blended pool: the campaign's record


class _Locator:
    """Says where a row is: ``plan: row 3 (phone 2026-07-06 09:45:00+01:00), column offered: ...`` for
    a frame, ``plan.csv:5:offered: ...`` (file, line, column, as :mod:`planner.io`) for a file."""

    def __init__(self, frame: pd.DataFrame, source: str, first_line: int | None):
        self.frame, self.source, self.first_line = frame, source, first_line

    @property
    def header(self) -> str:
        return self.source if self.first_line is None else f"{self.source}:1"

    def where(self, position: int) -> str:
        if self.first_line is not None:
            return f"line {position + self.first_line}"
        channel = self.frame["channel"].iloc[position] if "channel" in self.frame else "?"
        start = self.frame["interval_start"].iloc[position] if "interval_start" in self.frame else "?"
        return f"row {position} ({channel} {start})"

    def fail(self, position: int, column: str, message: str) -> InputError:
        if self.first_line is not None:
            return InputError(f"{self.source}:{position + self.first_line}:{column}: {message}")
        return InputError(f"{self.source}: {self.where(position)}, column {column}: {message}")


def _numbers(frame: pd.DataFrame, column: str, at: _Locator) -> np.ndarray:
    values = frame[column]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=float)
    numeric = pd.to_numeric(values.astype(object), errors="coerce")
    bad = values.notna() & (numeric.isna() | pd.api.types.is_bool_dtype(values))
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise at.fail(position, column, f"expected a number, got {values.iloc[position]!r}")
    return numeric.to_numpy(dtype=float)


def _check(values, rows, at, column, *, low, low_open=False, whole=False, allow_inf=False, allow_nan=False):
    """Raise for the first row in ``rows`` (a mask) whose value breaks the rule."""
    bad = np.zeros(values.size, dtype=bool)
    finite = np.isfinite(values)
    bad |= np.isnan(values) & (not allow_nan)
    bad |= np.isinf(values) & (not allow_inf)
    with np.errstate(invalid="ignore"):
        bad |= (values <= low) if low_open else (values < low)
        if whole:
            bad |= finite & (values != np.round(values))
    bad &= rows
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        what = "a whole number" if whole else ("a number" if allow_inf else "a finite number")
        rule = f"{'>' if low_open else '>='} {low:g}"
        extra = " (or inf: never abandons)" if allow_inf else ""
        raise at.fail(position, column, f"expected {what} {rule}{extra}, got {values[position]:g}")


def _flags(frame: pd.DataFrame, column: str, at: _Locator) -> np.ndarray:
    """``business_hours`` as booleans: true/false, 1/0, yes/no; empty means false."""
    values = frame[column]
    if pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=bool)
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip().str.lower()  # pandas 3 keeps NaN
    true = text.isin(TRUE_TEXT).to_numpy()
    bad = ~true & ~text.isin([*FALSE_TEXT, "", "nan", "none"]).to_numpy()
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise at.fail(position, column, f"expected true or false, got {values.iloc[position]!r}")
    return true


def _show(value) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{value:g}"
    return repr(value.item() if isinstance(value, np.generic) else value)


def _same_per_channel(values, channel_codes, at, column, what):
    """Raise for the first row whose value differs from the first row of its channel."""
    _, first_row = np.unique(channel_codes, return_index=True)  # codes are 0..k-1 (factorize)
    reference = first_row[channel_codes]
    bad = values != values[reference]
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        other = int(reference[position])
        raise at.fail(position, column, f"{what} of a channel must not change: "
                      f"{_show(values[other])} in {at.where(other)} but {_show(values[position])} here")


def _infer_interval(steps: np.ndarray, source: str) -> float:
    """The most common step [s] between a channel's intervals that is a standard interval length."""
    standard = steps[np.isin(steps, INTERVALS_S)]
    if standard.size:
        values, counts = np.unique(standard, return_counts=True)
        return float(values[np.argmax(counts)])
    if steps.size == 0:
        return DEFAULT_INTERVAL_S  # one interval per channel
    raise InputError(f"{source}: cannot infer the interval length: no channel has two intervals 5, 15, 30 or "
                     "60 minutes apart; pass interval_s (e.g. 600 for 10 minutes)")


def prepare(plan: pd.DataFrame, *, interval_s: float | None = None, source: str = "plan",
            first_line: int | None = None) -> tuple[list[ChannelPlan], float, pd.Timestamp]:
    """Check a plan frame and split it by channel.

    Returns the channels (in order of first appearance), the interval length [s] (given, else
    ``plan.attrs["interval_s"]``, else the most common step between a channel's intervals among 5,
    15, 30 and 60 minutes, else 900 for one interval per channel) and the origin (first start).
    ``source`` and ``first_line`` shape the messages (``first_line``: file line of row 0).
    """
    if not isinstance(plan, pd.DataFrame):
        raise InputError(f"{source}: expected a pandas DataFrame, got {type(plan).__name__}")
    at = _Locator(plan, source, first_line)
    missing = [c for c in REQUIRED if c not in plan.columns]
    if missing:
        raise InputError(
            f"{at.header}: missing column(s) {', '.join(missing)}; a plan needs {', '.join(REQUIRED)}, plus "
            "threshold_s (voice, chat), concurrency (chat) and deadline_s (deferred)")
    if plan.empty:
        raise InputError(f"{source}: no rows; a plan has one row per interval and channel")
    starts = plan["interval_start"]
    if not isinstance(starts.dtype, pd.DatetimeTZDtype):
        hint = ("localize them, e.g. plan['interval_start'].dt.tz_localize('Europe/London')"
                if pd.api.types.is_datetime64_dtype(starts) else "convert them with pandas.to_datetime")
        raise InputError(f"{source}: column interval_start: expected time-zone aware timestamps, "
                         f"got {starts.dtype}; {hint}")
    kinds = plan["kind"].astype(str).to_numpy()
    unknown = ~np.isin(kinds, KINDS)
    if unknown.any():
        position = int(np.flatnonzero(unknown)[0])
        given = plan["kind"].iloc[position]
        shown = "empty" if given is None or (isinstance(given, float) and math.isnan(given)) else repr(given)
        raise at.fail(position, "kind", f"unknown kind {shown}; use one of {', '.join(KINDS)}")
    for column, users in NEEDED_BY.items():
        if column not in plan.columns and np.isin(kinds, users).any():
            position = int(np.flatnonzero(np.isin(kinds, users))[0])
            raise InputError(f"{at.header}: missing column {column}, needed by {' and '.join(users)} channels "
                             f"(first at {at.where(position)}); add it to the plan")
    live, chat, deferred = np.isin(kinds, _LIVE), kinds == "chat", kinds == "deferred"
    n = len(plan)
    everywhere = np.ones(n, dtype=bool)

    def column(name, default):
        return _numbers(plan, name, at) if name in plan.columns else np.full(n, default)

    offered, aht, agents = (_numbers(plan, c, at) for c in ("offered", "aht_s", "agents"))
    _check(offered, everywhere, at, "offered", low=0.0)
    _check(aht, everywhere, at, "aht_s", low=0.0, low_open=True)
    _check(agents, everywhere, at, "agents", low=0.0, whole=True)
    threshold = column("threshold_s", np.nan)
    _check(threshold, live, at, "threshold_s", low=0.0)
    patience = column("patience_s", np.inf)
    patience = np.where(np.isnan(patience), np.inf, patience)  # empty: never abandons
    _check(patience, live, at, "patience_s", low=0.0, low_open=True, allow_inf=True)
    growth = column("aht_growth", 0.0)
    growth = np.where(np.isnan(growth) & ~chat, 0.0, growth)
    _check(growth, chat, at, "aht_growth", low=0.0)
    measured_at = column("aht_concurrency", 1.0)  # chats per agent when aht_s was measured
    measured_at = np.where(np.isnan(measured_at) | ~chat, 1.0, measured_at)
    _check(measured_at, chat, at, "aht_concurrency", low=1.0)
    aht = np.where(chat, aht / (1.0 + growth * (measured_at - 1.0)), aht)  # the duration of a chat held alone
    concurrency = column("concurrency", 1.0)
    _check(concurrency, chat, at, "concurrency", low=1.0, whole=True)
    single = ~chat & ~np.isnan(concurrency) & (concurrency != 1)
    if single.any():
        position = int(np.flatnonzero(single)[0])
        raise at.fail(position, "concurrency", f"{kinds[position]} agents handle one contact at a time; "
                      f"set 1 or leave it empty, got {concurrency[position]:g}")
    deadline = column("deadline_s", np.nan)
    _check(deadline, deferred, at, "deadline_s", low=0.0, low_open=True)
    business = _flags(plan, "business_hours", at) if "business_hours" in plan.columns else np.zeros(n, bool)
    worked = _flags(plan, "open", at) if "open" in plan.columns else np.ones(n, bool)
    opening = column("opening_backlog", 0.0)
    opening = np.where(np.isnan(opening) | ~deferred, 0.0, opening)
    _check(opening, deferred, at, "opening_backlog", low=0.0)

    names = plan["channel"].astype(str).to_numpy()
    codes, uniques = pd.factorize(names)
    _same_per_channel(kinds, codes, at, "kind", "the kind")
    _same_per_channel(np.where(chat, concurrency, 1.0), codes, at, "concurrency", "the concurrency")
    _same_per_channel(np.where(deferred, business, False), codes, at, "business_hours", "business_hours")
    extra = _pool_columns(plan, at, kinds, agents, column)
    codes, units = pd.factorize(pd.Series(names + "\x1f" + extra["segment"] + "\x1f" + extra["blend"]))

    origin = starts.min()
    start_s = (starts - origin).dt.total_seconds().to_numpy()
    order = np.lexsort((start_s, codes))
    same = (codes[order][1:] == codes[order][:-1])
    steps = np.diff(start_s[order])[same]
    if (steps == 0).any():
        position = int(order[1:][same][np.flatnonzero(steps == 0)[0]])
        raise at.fail(position, "interval_start", "a second row for the same channel and interval; "
                      "keep one row per interval_start and channel")
    if interval_s is None:
        interval_s = plan.attrs.get("interval_s")
    if interval_s is None:
        interval_s = _infer_interval(steps, source)
    elif not (isinstance(interval_s, (int, float)) and math.isfinite(interval_s) and interval_s > 0):
        raise InputError(f"interval_s: expected a number of seconds > 0, got {interval_s!r}")
    short = steps < interval_s - 1e-6
    if short.any():
        position = int(order[1:][same][np.flatnonzero(short)[0]])
        raise at.fail(position, "interval_start", f"starts {steps[short][0]:g} s after the channel's previous "
                      f"interval, inside an interval of {interval_s:g} s; fix the times or interval_s")

    channels = []
    for code, key in enumerate(units):
        rows = order[codes[order] == code]
        first = rows[0]
        channels.append(ChannelPlan(
            name=str(names[first]), kind=str(kinds[first]), rows=rows, start_s=start_s[rows], interval_s=float(interval_s),
            offered=offered[rows], aht_s=aht[rows], agents=agents[rows].astype(np.int64),
            threshold_s=threshold[rows], patience_s=patience[rows], aht_growth=growth[rows],
            deadline_s=deadline[rows], concurrency=int(concurrency[first]) if kinds[first] == "chat" else 1,
            business_hours=bool(business[first]) if kinds[first] == "deferred" else False,
            open=worked[rows], opening=opening[rows], end_s=float(start_s.max()) + float(interval_s),
            segment=str(extra["segment"][first]), priority=int(extra["priority"][first]),
            blend=str(extra["blend"][first]), dialler=str(extra["dialler"][first]),
            idle_threshold=extra["idle_threshold"][rows], outbound_s=extra["outbound_s"][rows],
            connect_rate=extra["connect_rate"][rows], dial_s=extra["dial_s"][rows],
        ))
    return _pools(channels, at), float(interval_s), origin


def _texts(plan: pd.DataFrame, name: str) -> np.ndarray:
    """A text column with empty cells as "" (absent column: all "")."""
    if name not in plan.columns:
        return np.full(len(plan), "", dtype=object)
    values = plan[name].astype(object)
    return values.where(values.notna(), "").astype(str).str.strip().to_numpy(dtype=object)


def _pool_columns(plan, at, kinds, agents, column) -> dict[str, np.ndarray]:
    """Columns of segments, blends and campaigns, checked (see :mod:`planner.simulate.pool`)."""
    segment, blend, dialler = _texts(plan, "segment"), _texts(plan, "blend"), _texts(plan, "dialler")
    segmented = segment != ""
    wrong = segmented & ~np.isin(kinds, _LIVE)
    if wrong.any():
        position = int(np.flatnonzero(wrong)[0])
        raise at.fail(position, "segment", f"only voice and chat channels have segments, not {kinds[position]}")
    priority = column("priority", np.nan)
    if segmented.any() and "priority" not in plan.columns:
        raise InputError(f"{at.header}: missing column priority, needed by segment rows (1 = served first)")
    _check(priority, segmented, at, "priority", low=1.0, whole=True)
    outbound = kinds == "outbound"
    blend = np.where(outbound, blend, "")
    predictive = dialler == "predictive"
    threshold = column("idle_threshold", np.nan)
    _check(threshold, ~np.isnan(threshold), at, "idle_threshold", low=0.0, whole=True)
    over = threshold > agents
    if over.any():
        position = int(np.flatnonzero(over)[0])
        raise at.fail(position, "idle_threshold", f"expected at most the agents ({agents[position]:g}), got "
                      f"{threshold[position]:g}; at idle_threshold = agents no outbound call starts")
    dials = column("dials_per_hour", np.nan)
    _check(dials, outbound, at, "dials_per_hour", low=0.0, low_open=True)
    connect = column("connect_rate", np.nan)
    connect = np.where(np.isnan(connect), column("rpc_rate", 1.0), connect)
    _check(connect, outbound & predictive, at, "connect_rate", low=0.0)
    outbound_s = column("outbound_aht_s", np.nan)
    _check(outbound_s, outbound & (blend != ""), at, "outbound_aht_s", low=0.0, low_open=True)
    return {"segment": segment.astype(str), "priority": np.where(segmented, priority, 0).astype(int),
            "blend": blend.astype(str), "dialler": dialler, "idle_threshold": np.where(np.isnan(threshold), np.inf, threshold),
            "dial_s": 3600.0 / np.where(outbound, dials, 1.0), "connect_rate": connect, "outbound_s": outbound_s}


def _pools(units: list[ChannelPlan], at) -> list[ChannelPlan]:
    """Group the checked records into the simulator's units of work: one per pool of agents.

    A segmented channel becomes one record whose ``classes`` are its segments (same intervals and
    agents); a campaign blended with channel X joins X's record as ``outbound`` (allowed in X's
    intervals where the campaign has an open row); everything else stays as it is.
    """
    pools: dict[str, ChannelPlan] = {}
    for unit in units:
        if unit.segment:
            pools.setdefault(unit.name, unit)
    for name in list(pools):
        group = sorted((u for u in units if u.name == name and u.segment), key=lambda u: u.priority)
        if any(u.name == name and not u.segment for u in units):
            raise InputError(f"{at.source}: channel {name} has rows with and without a segment; give every row "
                             "of a segmented channel its segment")
        for other in group[1:]:
            if other.priority == group[0].priority:
                raise InputError(f"{at.source}: channel {name}: segments {group[0].segment} and {other.segment} have "
                                 "the same priority; give each its rank (1 = served first)")
            if other.start_s.size != group[0].start_s.size or np.any(other.start_s != group[0].start_s):
                raise InputError(f"{at.source}: channel {name}: segment {other.segment} has other intervals than "
                                 f"{group[0].segment}; give every segment a row in each interval of the channel")
            differs = np.flatnonzero(other.agents != group[0].agents)
            if differs.size:
                position = int(other.rows[differs[0]])
                raise at.fail(position, "agents", f"the segments of {name} share its agents: "
                              f"{group[0].agents[differs[0]]} for {group[0].segment} but {other.agents[differs[0]]} here")
        pools[name] = replace(group[0], classes=tuple(group))
    for unit in units:
        if unit.segment:
            continue
        if unit.kind != "outbound":
            pools.setdefault(unit.name, unit)
    for unit in units:
        if unit.kind != "outbound" or not unit.blend:
            continue
        host = pools.get(unit.blend)
        if host is None or host.kind != "voice":
            raise at.fail(int(unit.rows[0]), "blend", f"{unit.blend!r} is not a voice channel of the plan; a campaign "
                          "blends with the voice channel whose agents make its calls")
        where = np.searchsorted(host.start_s, unit.start_s)
        found = (where < host.start_s.size) & (host.start_s[np.minimum(where, host.start_s.size - 1)] == unit.start_s)
        if not found.all():
            position = int(unit.rows[np.flatnonzero(~found)[0]])
            raise at.fail(position, "blend", f"no {unit.blend} row in this interval to share agents with; leave "
                          "blend empty where the campaign is staffed on its own")
        allowed = np.full(host.start_s.size, np.nan)
        allowed[where] = np.where(unit.open & (unit.offered > 0), unit.outbound_s, np.nan)
        pools[unit.blend] = replace(host, outbound=replace(unit, outbound_s=allowed))
    ordered = []
    for unit in units:  # in order of first appearance
        if unit.kind == "outbound":
            if not unit.blend and (unit.offered.any() or unit.agents.any()):
                ordered.append(unit)  # a campaign on its own (a blended one's idle rows are dropped)
        elif unit.name in pools:
            ordered.append(pools.pop(unit.name))
    return ordered


def read_plan(path, *, tz: str | None = None) -> pd.DataFrame:
    """Read a plan CSV (one row per interval and channel) and check it.

    ``interval_start`` must carry a UTC offset (``2026-07-06 09:00:00+01:00``, as pandas writes
    tz-aware times), unless ``tz`` is given for times written without one.

    Parameters
    ----------
    path : str or path-like
        The CSV file.
    tz : str, optional
        IANA time zone (``"Europe/London"``): converts the times to it, or localizes naive times.

    Returns
    -------
    pandas.DataFrame
        The plan, ``interval_start`` tz-aware (one fixed offset, UTC when the file mixes offsets,
        or ``tz``). Errors name file, line and column as :mod:`planner.io` does:
        ``plan.csv:5:offered: expected a finite number >= 0, got -3``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "plan.csv"
    >>> _ = path.write_text("interval_start,channel,kind,offered,aht_s,agents,threshold_s\\n"
    ...                     "2026-07-06 09:00:00+01:00,phone,voice,50,180,12,20\\n")
    >>> plan = read_plan(path)
    >>> str(plan["interval_start"].dt.tz), int(plan["agents"].iloc[0])
    ('UTC+01:00', 12)
    """
    source = str(path)
    if tz is not None:
        check_timezone(tz)
    if not Path(path).is_file():
        raise InputError(f"{source}: file not found; give the path of a plan CSV (as written by planner run)")
    try:
        frame = pd.read_csv(path, dtype={"channel": str, "kind": str})
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InputError(f"{source}: cannot read it as CSV ({' '.join(str(error).split())})") from None
    if "interval_start" in frame.columns:
        text = frame["interval_start"].astype(str).str.strip()
        offset = text.str.extract(_OFFSET_GROUP, expand=False)
        has_offset = offset.notna()
        try:
            if has_offset.all():
                # One offset: keep it; several (a clock change): the same instants in UTC.
                parsed = pd.to_datetime(text, format="ISO8601", utc=offset.nunique() > 1)
                if tz is not None:
                    parsed = parsed.dt.tz_convert(tz)
            elif tz is not None and not has_offset.any():
                parsed = pd.to_datetime(text, format="ISO8601").dt.tz_localize(tz)
            else:
                position = int(np.flatnonzero(~has_offset.to_numpy())[0])
                raise InputError(f"{source}:{position + 2}:interval_start: {text.iloc[position]!r} has no UTC "
                                 "offset; write times like 2026-07-06 09:00:00+01:00 (or give the time zone)")
        except InputError:
            raise
        except (ValueError, TypeError) as error:
            raise InputError(f"{source}:interval_start: cannot read the times "
                             f"({' '.join(str(error).split())}); write them like 2026-07-06 09:00:00+01:00") from None
        frame["interval_start"] = parsed
    prepare(frame, source=source, first_line=2)
    return frame
