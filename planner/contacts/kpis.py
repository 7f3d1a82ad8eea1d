"""Channel-aware KPIs from a contacts frame: service level, abandonment, response times, repeats.

Every rate has the same denominator, ``base = offered - short_abandoned``: a caller who hangs up
within ``short_abandon_s`` (a misdial, an IVR drop) is not demand the agents could have met.
Repeat contacts follow a customer across channels: a contact is *followed* when the same customer's
next contact (any channel, in arrival order) arrives at most 24 h / 7 days later. Definitions of
every column are in :func:`kpis`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.calendar import local_midnights
from planner.contacts.history import day_grid, interval_of, local_floor_ns
from planner.contacts.read import channel_kinds
from planner.errors import InputError
from planner.schema import did_you_mean, epoch_ns, parse_duration_s, parse_target

__all__ = ["KpiReport", "kpis", "pivots", "BY", "period_start_ns", "next_contact", "open_seconds"]

#: Periods :func:`kpis` groups by.
BY = ("interval", "day", "week", "month", "total")
DAY_S, WEEK_S = 86400.0, 7 * 86400.0
TABLE_COLUMNS = (
    "period", "channel", "kind", "offered", "handled", "abandoned", "short_abandoned", "abandon_rate",
    "service_level", "target_service_level", "threshold_s", "not_yet_due", "asa_s", "aht_s", "first_response_median_s",
    "first_response_p90_s", "customer_latency_s", "fcr", "repeat_24h", "repeat_7d",
)


@dataclass(frozen=True)
class KpiReport:
    """KPIs of a contact log: ``table`` (one row per channel and period) and ``pivots`` (channel switches).

    See :func:`kpis` for every column (rates as fractions, times in seconds [s]). ``by`` is the
    period (``"day"``, ...); :meth:`figure` plots the table.

    Examples
    --------
    >>> t = pd.Timestamp("2026-10-05 09:00", tz="Europe/London")
    >>> log = pd.DataFrame({"contact_id": ["1", "2"], "customer_id": ["a", "a"], "channel": ["email", "phone"],
    ...     "kind": ["deferred", "voice"], "arrived_at": [t, t + pd.Timedelta(hours=3)],
    ...     "answered_at": [t + pd.Timedelta(hours=5), t + pd.Timedelta(hours=3, seconds=8)],
    ...     "abandoned": False, "wait_s": [18000.0, 8.0], "work_s": [400.0, 300.0]})
    >>> report = kpis(log, targets={"email": "4h", "phone": "80/20"})
    >>> report.table[["channel", "service_level", "repeat_24h"]].values.tolist()
    [['email', 0.0, 1.0], ['phone', 1.0, 0.0]]
    >>> int(report.pivots.loc["email", "phone"])
    1
    """

    table: pd.DataFrame
    pivots: pd.DataFrame
    by: str

    def __repr__(self) -> str:
        shown = self.table[["period", "channel", "offered", "abandon_rate", "service_level", "asa_s", "aht_s"]]
        periods = self.table["period"].nunique()
        head = f"KpiReport by {self.by}: {self.table['channel'].nunique()} channels x {periods} periods"
        with pd.option_context("display.max_rows", 12, "display.width", 120, "display.precision", 3):
            return f"{head}\n{shown!r}\n\nnext contact within 24 h (pivots):\n{self.pivots!r}"

    def _repr_html_(self) -> str:
        return f"<p><b>KpiReport by {self.by}</b></p>{self.table.to_html(max_rows=20)}" \
               f"<p>Next contact of the same customer within 24 h:</p>{self.pivots.to_html()}"

    def figure(self):
        """Service level, abandonment and first response per channel and period (a matplotlib Figure)."""
        from planner.contacts.plots import kpi_figure

        return kpi_figure(self.table, by=self.by)


def period_start_ns(arrived: pd.Series, by: str, *, interval_s: float = 900.0) -> np.ndarray:
    """Start [UTC ns] of the local period (interval, day, week from Monday, month) of each time."""
    index = pd.DatetimeIndex(arrived)
    if by == "interval":
        return local_floor_ns(index, interval_s)
    wall = index.tz_localize(None)
    if by == "total":
        day = pd.DatetimeIndex(np.full(len(wall), wall.min().normalize()))
    else:
        day = wall.normalize()
        if by == "week":
            day = day - pd.to_timedelta(day.day_of_week, unit="D")
        elif by == "month":
            day = day - pd.to_timedelta(day.day - 1, unit="D")
    codes, unique = pd.factorize(day)
    return local_midnights(pd.DatetimeIndex(unique), index.tz)[codes]


def next_contact(contacts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The same customer's next contact (any channel): seconds to it and its row position.

    The next contact is the next in (arrival time, file order); ties count as 0 s. ``inf`` and -1
    where there is none or the contact has no customer id.
    """
    n = len(contacts)
    customer = contacts["customer_id"] if "customer_id" in contacts else pd.Series([None] * n)
    codes = pd.factorize(customer)[0]  # -1: no customer id
    arrived = epoch_ns(contacts["arrived_at"])
    order = np.lexsort((np.arange(n), arrived, codes))
    c, t = codes[order], arrived[order]
    same = (c[1:] == c[:-1]) & (c[:-1] >= 0)
    gap, following = np.full(n, np.inf), np.full(n, -1)
    gap[order[:-1]] = np.where(same, (t[1:] - t[:-1]) / 1e9, np.inf)
    following[order[:-1]] = np.where(same, order[1:], -1)
    return gap, following


def open_seconds(start: pd.Series, end: pd.Series, spec) -> np.ndarray:
    """Open time [s] of a deferred channel (``spec.is_open``) between each start and end (NaN if NaT).

    A one-minute grid over the whole local days involved; the clock runs only in open minutes.
    """
    start_ns, end_ns = epoch_ns(start), epoch_ns(end)
    ok = ~(pd.isna(start).to_numpy() | pd.isna(end).to_numpy())
    out = np.full(len(start_ns), np.nan)
    if not ok.any():
        return out
    tz = pd.DatetimeIndex(start).tz
    ns = day_grid(start_ns[ok].min(), max(end_ns[ok].max(), start_ns[ok].max()), tz, 60.0)
    grid = pd.DatetimeIndex(ns.view("M8[ns]")).tz_localize("UTC").tz_convert(tz)
    is_open = spec.is_open(pd.Series(grid)).astype(float)
    cumulative = np.concatenate(([0.0], np.cumsum(is_open * 60.0)))

    def clock(t):
        k = np.clip(np.searchsorted(ns, t, side="right") - 1, 0, ns.size - 1)
        return cumulative[k] + is_open[k] * np.minimum((t - ns[k]) / 1e9, 60.0)

    out[ok] = clock(end_ns[ok]) - clock(start_ns[ok])
    return out


def _log_end(contacts: pd.DataFrame) -> pd.Timestamp:
    """The latest time in the log: of the arrivals, answers, ends and arrivals plus waits."""
    times = [pd.DatetimeIndex(contacts[c]).max() for c in ("arrived_at", "answered_at", "ended_at") if c in contacts]
    if "wait_s" in contacts:
        times.append((contacts["arrived_at"] + pd.to_timedelta(contacts["wait_s"], unit="s")).max())
    return max(t for t in times if not pd.isna(t))


def _targets(targets, channels) -> dict[str, tuple[float, float, object]]:
    """Channel -> (target_service_level, threshold_s, business-hours spec or None)."""
    out = {}
    for channel, value in (targets or {}).items():
        if channel not in channels:
            raise InputError(f"targets: channel {channel!r} is not in the contact log{did_you_mean(channel, channels)}; "
                             f"the log has {', '.join(channels)}")
        name = f"targets.{channel}"
        if getattr(value, "kind", None) == "deferred":  # its target: the share answered within the deadline
            out[channel] = (float(value.target_service_level), float(value.deadline_s),
                            value if value.business_hours else None)
        elif hasattr(value, "target_service_level"):
            out[channel] = (float(value.target_service_level), float(value.threshold_s), None)
        elif isinstance(value, tuple) and len(value) == 2:
            out[channel] = (float(value[0]), parse_duration_s(value[1], name=name), None)
        elif isinstance(value, str) and "/" in value:
            out[channel] = (*parse_target(value, name=name), None)
        else:
            out[channel] = (1.0, parse_duration_s(value, name=name), None)
    return out


def pivots(contacts: pd.DataFrame, *, within="24h") -> pd.DataFrame:
    """Channel switches: how often a contact on one channel is followed by the same customer on another.

    Parameters
    ----------
    contacts : pandas.DataFrame
        From :func:`~planner.contacts.read_contacts`; needs ``customer_id``.
    within : str or float, default ``"24h"``
        Window [s, or a duration text] after a contact's arrival in which the next contact counts.

    Returns
    -------
    pandas.DataFrame
        Index: channel of a contact; columns: channel of that customer's next contact within the
        window, and ``none``; integer counts whose row sums are the contacts of each channel.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.to_datetime(["2026-10-05 09:00", "2026-10-05 12:00", "2026-10-09 09:00"]).tz_localize("UTC")
    >>> log = pd.DataFrame({"customer_id": ["a", "a", "a"], "channel": ["email", "phone", "phone"],
    ...                     "arrived_at": t})
    >>> pivots(log).loc["email"].to_dict()
    {'email': 0, 'phone': 1, 'none': 0}
    """
    return _pivot_table(contacts["channel"].to_numpy(dtype=object), *next_contact(contacts),
                        parse_duration_s(within, name="within"))


def _pivot_table(channel: np.ndarray, gap: np.ndarray, following: np.ndarray, within_s: float) -> pd.DataFrame:
    next_channel = np.full(channel.size, "none", dtype=object)
    hit = gap <= within_s
    next_channel[hit] = channel[following[hit]]
    channels = sorted(pd.unique(channel))
    table = pd.crosstab(pd.Categorical(channel, channels), pd.Categorical(next_channel, [*channels, "none"]),
                        dropna=False)
    table.index.name, table.columns.name = "channel", "next"
    return table.astype(int)


def kpis(contacts: pd.DataFrame, *, targets=None, by: str = "day", short_abandon_s: float = 5.0,
         interval="15min", kinds=None, end=None) -> KpiReport:
    """Contact-center KPIs per channel and period from a contacts frame.

    Parameters
    ----------
    contacts : pandas.DataFrame
        From :func:`~planner.contacts.read_contacts`. A contact belongs to the period of its
        arrival (local time), even when it is answered or ends in the next one.
    targets : mapping, optional
        Channel -> target: ``"80/20"`` (live: 80% answered within 20 s), a deadline such as
        ``"4h"`` (async: every item answered within it), or a ``Voice``/``Chat``/``Deferred``
        spec (a ``Deferred`` targets its ``target_service_level`` within ``deadline_s``, counting
        only open time with ``business_hours``).
        Channels without a target get NaN service level.
    by : {"interval", "day", "week", "month", "total"}
        Period; weeks start on Monday.
    short_abandon_s : float, default 5
        Abandons sooner than this [s] are short: counted apart and left out of every rate.
    interval : str or float, default ``"15min"``
        Interval length for ``by="interval"``.
    kinds : mapping, optional
        Channel -> kind for the table's ``kind`` column, over the log's (targets that are specs
        count too). Agent work was settled when the log was read: pass ``kinds`` to
        :func:`~planner.contacts.read_contacts` to change it.
    end : timestamp, optional
        When the log ends; a contact whose threshold or deadline falls after it is *not yet due*
        (``not_yet_due``): neither in time nor late, left out of ``service_level``. Default: the
        latest time in the log (arrival, answer, end, or arrival plus wait).

    Returns
    -------
    KpiReport
        ``table``: ``period, channel, kind, offered, handled, abandoned, short_abandoned,
        abandon_rate, service_level, target_service_level, threshold_s, asa_s, aht_s,
        first_response_median_s, first_response_p90_s, customer_latency_s, fcr, repeat_24h,
        repeat_7d``, where with ``base = offered - short_abandoned``:

        * ``abandon_rate = abandoned / base`` (``abandoned`` excludes short abandons);
        * ``service_level`` = contacts answered (not abandoned) with ``wait_s <= threshold_s``
          / (base - not_yet_due) (abandons count as not answered; for async channels the threshold
          is the deadline and an unanswered item is late once its deadline has passed);
        * ``not_yet_due``: contacts whose threshold or deadline falls after ``end`` (with a
          business-hours ``Deferred`` target, counted in open time);
        * ``asa_s``, ``first_response_median_s``, ``first_response_p90_s``: mean, median and 90th
          percentile (linear) of ``wait_s`` of answered contacts [s];
        * ``aht_s``: mean agent work ``work_s`` of handled contacts [s] (customer latency excluded);
        * ``customer_latency_s``: mean customer latency of contacts with a message log [s];
        * ``repeat_24h``, ``repeat_7d``: share of contacts followed by the same customer's next
          contact, on any channel, within 24 h / 7 days;
        * ``fcr``: share of handled contacts neither followed within 7 days nor marked
          ``resolved = false`` (NaN without ``customer_id`` and ``resolved``).

        ``pivots``: :func:`pivots` within 24 h.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.to_datetime(["2026-10-05 09:00:00", "2026-10-05 09:01:00", "2026-10-05 09:02:00"])
    >>> t = t.tz_localize("Europe/London")
    >>> log = pd.DataFrame({"contact_id": ["1", "2", "3"], "customer_id": ["a", "b", "c"],
    ...     "channel": "phone", "kind": "voice", "arrived_at": t,
    ...     "answered_at": [t[0] + pd.Timedelta(seconds=10), t[1] + pd.Timedelta(seconds=40), pd.NaT],
    ...     "abandoned": [False, False, True], "wait_s": [10.0, 40.0, 60.0], "work_s": [300.0, 200.0, None]})
    >>> row = kpis(log, targets={"phone": "80/20"}).table.iloc[0]
    >>> [round(float(row[c]), 4) for c in ("service_level", "abandon_rate", "asa_s", "aht_s")]
    [0.3333, 0.3333, 25.0, 250.0]
    """
    if by not in BY:
        raise InputError(f"by: unknown period {by!r}{did_you_mean(by, BY)}; use one of {', '.join(BY)}")
    interval_s = interval_of(interval)
    if len(contacts) == 0:
        raise InputError("contacts: no contacts; the log has no rows")
    channel = contacts["channel"].to_numpy(dtype=object)
    channels = sorted(pd.unique(channel))
    goal = _targets(targets, channels)
    n = len(contacts)
    abandoned = contacts["abandoned"].to_numpy(bool)
    wait = contacts["wait_s"].to_numpy(float)
    answered = ~abandoned & contacts["answered_at"].notna().to_numpy()
    short = abandoned & (wait < short_abandon_s)
    work = contacts["work_s"].to_numpy(float) if "work_s" in contacts else np.full(n, np.nan)
    latency = contacts["customer_latency_s"].to_numpy(float) if "customer_latency_s" in contacts \
        else np.full(n, np.nan)
    level, threshold, elapsed = np.full(n, np.nan), np.full(n, np.nan), wait.copy()
    end = _log_end(contacts) if end is None else pd.Timestamp(end)
    if end.tz is None:  # a wall-clock time of the log's zone
        end = end.tz_localize(pd.DatetimeIndex(contacts["arrived_at"]).tz)
    left = np.array((end - contacts["arrived_at"]).dt.total_seconds(), dtype=float)  # from arrival to the end
    for name, (target, limit, spec) in goal.items():
        mine = channel == name
        level[mine], threshold[mine] = target, limit
        if spec is not None:
            sub = contacts.loc[mine]
            elapsed[mine] = open_seconds(sub["arrived_at"], sub["answered_at"], spec)
            left[mine] = open_seconds(sub["arrived_at"], (sub["arrived_at"] - sub["arrived_at"]) + end, spec)
    not_yet = ~np.isnan(threshold) & ~short & (left < threshold)  # due after the log ends
    in_target = np.where(np.isnan(threshold), np.nan, (answered & (elapsed <= threshold) & ~not_yet).astype(float))
    gap, following = next_contact(contacts)
    has_customer = "customer_id" in contacts and contacts["customer_id"].notna().any()
    has_resolved = "resolved" in contacts and contacts["resolved"].notna().any()
    not_failed = np.ones(n, bool) if not has_resolved else (contacts["resolved"].to_numpy(dtype=object) != False)
    fcr = np.where(answered, (~(gap <= WEEK_S) & not_failed).astype(float), np.nan)
    if not (has_customer or has_resolved):
        fcr[:] = np.nan
    repeat = {w: np.where(has_customer, (gap <= s).astype(float), np.nan) for w, s in (("24h", DAY_S), ("7d", WEEK_S))}
    frame = pd.DataFrame({
        "period": period_start_ns(contacts["arrived_at"], by, interval_s=interval_s), "channel": channel,
        "offered": 1.0, "handled": answered.astype(float), "abandoned": (abandoned & ~short).astype(float),
        "short_abandoned": short.astype(float), "in_target": in_target, "level": level, "threshold": threshold,
        "not_yet_due": np.where(np.isnan(threshold), np.nan, not_yet.astype(float)),
        "answered_wait": np.where(answered, wait, np.nan), "work": np.where(answered, work, np.nan),
        "latency": latency, "fcr": fcr, "repeat_24h": repeat["24h"], "repeat_7d": repeat["7d"]})
    groups = frame.groupby(["channel", "period"], sort=True)
    sums = groups[["offered", "handled", "abandoned", "short_abandoned", "in_target", "not_yet_due"]].sum(min_count=1)
    means = groups[["level", "threshold", "answered_wait", "work", "latency", "fcr", "repeat_24h", "repeat_7d"]].mean()
    quantiles = groups["answered_wait"].quantile([0.5, 0.9]).unstack()
    base = sums["offered"] - sums["short_abandoned"]
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame({
            "offered": sums["offered"], "handled": sums["handled"], "abandoned": sums["abandoned"],
            "short_abandoned": sums["short_abandoned"], "abandon_rate": sums["abandoned"] / base,
            "service_level": sums["in_target"] / (base - sums["not_yet_due"]), "target_service_level": means["level"],
            "threshold_s": means["threshold"], "not_yet_due": sums["not_yet_due"], "asa_s": means["answered_wait"],
            "aht_s": means["work"],
            "first_response_median_s": quantiles[0.5], "first_response_p90_s": quantiles[0.9],
            "customer_latency_s": means["latency"], "fcr": means["fcr"],
            "repeat_24h": means["repeat_24h"], "repeat_7d": means["repeat_7d"]}).reset_index()
    table["period"] = pd.DatetimeIndex(table["period"].to_numpy().astype("M8[ns]")).tz_localize("UTC").tz_convert(
        pd.DatetimeIndex(contacts["arrived_at"]).tz)
    kind_of = pd.Series(contacts["kind"].to_numpy(), index=channel).groupby(level=0).first().to_dict() \
        if "kind" in contacts else channel_kinds(channels)
    kind_of.update({c: t.kind for c, t in (targets or {}).items() if hasattr(t, "kind")})
    kind_of.update(channel_kinds(list(kinds or {}), kinds))
    table["kind"] = table["channel"].map(kind_of)
    table["channel"] = table["channel"].astype(object)
    table = table[list(TABLE_COLUMNS)]
    table.attrs.update(by=by, short_abandon_s=float(short_abandon_s))
    return KpiReport(table=table, pivots=_pivot_table(channel, gap, following, DAY_S), by=by)
