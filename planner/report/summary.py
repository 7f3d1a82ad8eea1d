"""The summary a planner reads first: per channel and in total, FTE, peak, service against target, verdict.

One row per channel (and a ``Total`` row) over the horizon, or per week and channel:

- ``fte`` / ``fte_gross``: agent-hours over the paid hours of one FTE in the period (a week: paid hours
  a day x paid days a week; the horizon: that times its weeks), net and after shrinkage, as in
  :func:`planner.report.rollup.rollup` (summed before rounding);
- ``peak_agents`` and ``peak_at``: the largest whole-agent requirement of one interval and when it
  starts (local time); in the total row, the peak of all channels together;
- ``service_level`` (live channels) or ``within_deadline`` (deferred: the expected share answered
  within the deadline), volume-weighted, against ``target_service_level``; ``gap_pts`` = result
  minus target in percentage points (negative: below target);
- ``asa_s`` and ``abandon_rate``, volume-weighted (live channels);
- ``at_risk``: live channels, the intervals whose service level is under target; deferred channels,
  the days whose share within the deadline is under target (one interval's share is noisy); and
  ``verdict``, one line: ``meets target`` or ``at risk: N intervals below 80% (first Mon 06 Jul 09:00)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["planner_summary", "summary_of", "short_summary", "display_summary", "TOTAL"]

TOTAL = "Total"
#: A result this close under its target (0.05 percentage points) still meets it (numerical noise).
TOLERANCE = 5e-4


def _weighted(value: pd.Series, weight: pd.Series, keys) -> pd.Series:
    ok = value.notna() & np.isfinite(value.astype(float)) & weight.notna()
    top = (value.where(ok, 0.0) * weight.where(ok, 0.0)).groupby(keys, sort=False).sum()
    bottom = weight.where(ok, 0.0).groupby(keys, sort=False).sum()
    return top / bottom.where(bottom > 0)


def _when(stamp) -> str:
    return "" if pd.isna(stamp) else pd.Timestamp(stamp).strftime("%a %d %b %H:%M")


def _prepare(plan: pd.DataFrame) -> pd.DataFrame:
    frame = plan.drop_duplicates(["interval_start", "channel"]) if "segment" in plan else plan
    kind = frame["kind"].astype(str) if "kind" in frame else pd.Series("voice", index=frame.index)
    return frame.assign(_deferred=(kind == "deferred").to_numpy(), _kind=kind.to_numpy())


def _channel_rows(frame: pd.DataFrame, keys: list[str], *, hours: float, paid: pd.Series | float) -> pd.DataFrame:
    groups = [frame[k] for k in keys]
    grouped = frame.groupby(groups, sort=True)
    out = grouped.agg(kind=("_kind", "first"), offered=("offered", "sum"), peak_agents=("agents", "max"))
    net = (frame["agents_fractional"] * hours).groupby(groups, sort=True).sum()
    gross = (frame["agents_fractional"] * hours / (1.0 - frame["shrinkage"])).groupby(groups, sort=True).sum()
    out["fte"], out["fte_gross"] = net / paid, gross / paid
    peak_index = frame["agents"].fillna(-1).groupby(groups, sort=True).idxmax()
    out["peak_at"] = [_when(frame.at[i, "interval_start"]) for i in peak_index.reindex(out.index)]
    sl = _weighted(frame["service_level"], frame["offered"], groups).reindex(out.index)
    deferred = grouped["_deferred"].any()
    out["service_level"] = sl.where(~deferred)
    out["within_deadline"] = sl.where(deferred)
    target = frame["target_service_level"] if "target_service_level" in frame else pd.Series(np.nan, frame.index)
    out["target_service_level"] = _weighted(pd.to_numeric(target, errors="coerce"), frame["offered"], groups)
    out["gap_pts"] = 100.0 * (sl - out["target_service_level"])
    asa = frame["asa_s"] if "asa_s" in frame else pd.Series(np.nan, frame.index)
    out["asa_s"] = _weighted(asa.where(~frame["_deferred"]), frame["offered"], groups)
    out["abandon_rate"] = _weighted(frame["abandon_rate"].where(~frame["_deferred"]), frame["offered"], groups)
    return out


def _risk(frame: pd.DataFrame, keys: list[str], index: pd.Index) -> tuple[pd.Series, pd.Series]:
    """Count of intervals (live) or days (deferred) under target, and the first such one."""
    target = pd.to_numeric(frame.get("target_service_level", pd.Series(np.nan, frame.index)), errors="coerce")
    live = frame[~frame["_deferred"]]
    under = live["service_level"] < target[live.index] - TOLERANCE
    bad = live[under & (live["offered"] > 0)]
    counts = bad.groupby([bad[k] for k in keys], sort=True).size()
    first = bad.groupby([bad[k] for k in keys], sort=True)["interval_start"].min()
    deferred = frame[frame["_deferred"]]
    if len(deferred):
        day = deferred["interval_start"].dt.tz_localize(None).dt.normalize().rename("_day")
        daykeys = [deferred[k] for k in keys] + [day]
        share = _weighted(deferred["service_level"], deferred["offered"], daykeys)
        goal = _weighted(target[deferred.index], deferred["offered"], daykeys)
        low = share[share < goal - TOLERANCE].reset_index()
        if len(low):
            counts = pd.concat([counts, low.groupby(keys).size()])
            first = pd.concat([first, low.groupby(keys)["_day"].min()])
    return counts.reindex(index).fillna(0).astype(int), first.reindex(index)


def _verdict(row: pd.Series) -> str:
    if row["kind"] == "total":
        return row["verdict"]
    n = int(row["at_risk"])
    if n == 0:
        return "meets target" if pd.notna(row["target_service_level"]) else "no target"
    unit = "day" if row["kind"] == "deferred" else "interval"
    first = pd.Timestamp(row["_first"])
    when = first.strftime("%a %d %b") if unit == "day" else _when(first)
    return (f"at risk: {n} {unit}{'s' * (n != 1)} below {row['target_service_level']:.0%} "
            f"(first {when})")


def planner_summary(plan: pd.DataFrame, *, interval_s: float, paid_hours_per_day: float = 8.0,
                    paid_days_per_week: float = 5.0, by: str | None = None) -> pd.DataFrame:
    """The planner's summary per channel plus a ``Total`` row, over the horizon or (``by="week"``) per week.

    Columns: ``[week,] channel, kind, offered, fte, fte_gross, peak_agents, peak_at, service_level,
    within_deadline, target_service_level, gap_pts, asa_s, abandon_rate, at_risk, verdict``
    (see the module docstring; fractions, not percent).

    >>> starts = pd.date_range("2026-07-06 09:00", periods=4, freq="15min", tz="Europe/London")
    >>> plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice",
    ...     "offered": 100.0, "agents": [20, 24, 22, 21], "agents_fractional": 20.0, "shrinkage": 0.2,
    ...     "service_level": [0.85, 0.78, 0.82, 0.81], "target_service_level": 0.8, "asa_s": 10.0,
    ...     "abandon_rate": 0.02})
    >>> s = planner_summary(plan, interval_s=900, paid_hours_per_day=8, paid_days_per_week=5)
    >>> row = s.iloc[0]
    >>> float(row.fte), float(row.fte_gross), int(row.peak_agents), row.peak_at  # 20 h / (40 h x 1/7 week)
    (3.5, 4.375, 24, 'Mon 06 Jul 09:15')
    >>> round(float(row.service_level), 4), round(float(row.gap_pts), 2), row.verdict
    (0.815, 1.5, 'at risk: 1 interval below 80% (first Mon 06 Jul 09:15)')
    >>> list(s.channel)
    ['phone', 'Total']
    """
    frame = _prepare(plan)
    hours = interval_s / 3600.0
    week = paid_hours_per_day * paid_days_per_week
    local = frame["interval_start"].dt.tz_localize(None)
    if by == "week":
        frame = frame.assign(week=local.dt.to_period("W-SUN").dt.start_time.dt.date)
        days = local.dt.normalize().groupby(frame["week"]).nunique()
        keys = ["week", "channel"]
    elif by is None:
        days = pd.Series({0: local.dt.normalize().nunique()})
        frame = frame.assign(_all=0)
        keys = ["_all", "channel"]
    else:
        raise ValueError(f"by: expected None or 'week', got {by!r}")
    paid_of = week * days / 7.0
    paid = paid_of.reindex(frame.groupby([frame[k] for k in keys]).size().index.get_level_values(0)).to_numpy()
    rows = _channel_rows(frame, keys, hours=hours, paid=paid)
    rows["at_risk"], rows["_first"] = _risk(frame, keys, rows.index)
    rows["verdict"] = ""
    totals = _totals(frame, rows, keys[0], hours=hours, paid=paid_of)
    out = pd.concat([rows.reset_index().assign(_total=0), totals], ignore_index=True)
    out["verdict"] = out.apply(_verdict, axis=1)
    out = out.sort_values([keys[0], "_total"], kind="stable", ignore_index=True) if by else out
    columns = ["channel", "kind", "offered", "fte", "fte_gross", "peak_agents", "peak_at", "service_level",
               "within_deadline", "target_service_level", "gap_pts", "asa_s", "abandon_rate", "at_risk", "verdict"]
    return out[(["week"] if by else []) + columns]


def _totals(frame: pd.DataFrame, rows: pd.DataFrame, period: str, *, hours: float, paid: pd.Series) -> pd.DataFrame:
    rows = rows.reset_index()
    per_interval = frame.groupby([frame[period], frame["interval_start"]])["agents"].sum().reset_index()
    top = per_interval.loc[per_interval.groupby(period)["agents"].idxmax()].set_index(period)
    live, deferred = frame[~frame["_deferred"]], frame[frame["_deferred"]]
    grouped = rows.groupby(period, sort=True)
    total = pd.DataFrame({
        "channel": TOTAL, "kind": "total", "offered": grouped["offered"].sum(),
        "fte": grouped["fte"].sum(), "fte_gross": grouped["fte_gross"].sum(),
        "peak_agents": top["agents"], "peak_at": top["interval_start"].map(_when),
        "service_level": _weighted(live["service_level"], live["offered"], live[period]),
        "within_deadline": _weighted(deferred["service_level"], deferred["offered"], deferred[period]),
        "asa_s": _weighted(live.get("asa_s", pd.Series(np.nan, live.index)), live["offered"], live[period]),
        "abandon_rate": _weighted(live["abandon_rate"], live["offered"], live[period]),
        "at_risk": grouped["at_risk"].sum(),
    })
    risky = rows[rows["at_risk"] > 0].groupby(period)["channel"].agg(lambda c: [str(v) for v in c])
    count = grouped["channel"].size()
    total["verdict"] = [
        f"all {count[p]} channels meet target" if p not in risky.index
        else f"{len(risky[p])} of {count[p]} channels at risk: {', '.join(risky[p][:6])}"
             + (f" and {len(risky[p]) - 6} more" if len(risky[p]) > 6 else "") for p in total.index]
    return total.rename_axis(period).reset_index().assign(_total=1)


def display_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary as a planner reads it: percent with the target and gap, seconds, rounded FTE.

    >>> s = pd.DataFrame({"channel": ["phone"], "kind": ["voice"], "offered": [1000.0], "fte": [10.04],
    ...     "fte_gross": [14.3], "peak_agents": [24], "peak_at": ["Mon 06 Jul 09:15"], "service_level": [0.8621],
    ...     "within_deadline": [np.nan], "target_service_level": [0.8], "gap_pts": [6.21], "asa_s": [12.3],
    ...     "abandon_rate": [0.021], "at_risk": [0], "verdict": ["meets target"]})
    >>> display_summary(s).iloc[0]["service level (target, gap)"]
    '86.2% (80%, +6.2 pts)'
    """
    def result(row) -> str:
        value = row["service_level"] if pd.notna(row["service_level"]) else row["within_deadline"]
        if pd.isna(value):
            return ""
        if pd.isna(row.get("target_service_level", np.nan)) or pd.isna(row.get("gap_pts", np.nan)):
            return f"{value:.1%}"
        return f"{value:.1%} ({row['target_service_level']:.0%}, {row['gap_pts']:+.1f} pts)"

    def pct(v) -> str:
        return "" if pd.isna(v) else f"{v:.1%}"

    out = pd.DataFrame({"channel": summary["channel"]})
    if "week" in summary:
        out.insert(0, "week", summary["week"])
    live = summary["service_level"].notna() | (summary["kind"] == "total")
    deferred = summary["within_deadline"].notna()
    out["FTE net"] = summary["fte"].map(lambda v: f"{v:,.1f}")
    out["FTE gross"] = summary["fte_gross"].map(lambda v: f"{v:,.1f}")
    out["peak agents (when)"] = [f"{int(a)} ({w})" if pd.notna(a) else "" for a, w in
                                 zip(summary["peak_agents"], summary["peak_at"])]
    total = summary["kind"] == "total"
    out["service level (target, gap)"] = [pct(r["service_level"]) if t else result(r) if not d else ""
                                          for d, t, (_, r) in zip(deferred, total, summary.iterrows())]
    out["ASA"] = summary["asa_s"].map(lambda v: "" if pd.isna(v) else f"{v:.0f} s").where(live | total, "")
    out["abandoned"] = summary["abandon_rate"].map(pct)
    out["within deadline (target, gap)"] = [pct(r["within_deadline"]) if t else result(r) if d else ""
                                            for d, t, (_, r) in zip(deferred, total, summary.iterrows())]
    out["verdict"] = summary["verdict"]
    return out


def short_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """The few columns ``planner run`` prints at the end: FTE, peak, result against target, verdict."""
    shown = display_summary(summary)
    result = shown["service level (target, gap)"].where(shown["service level (target, gap)"] != "",
                                                        shown["within deadline (target, gap)"])
    return pd.DataFrame({**({"week": shown["week"]} if "week" in shown else {}), "channel": shown["channel"], "FTE net": shown["FTE net"], "FTE gross": shown["FTE gross"],
                         "peak agents (when)": shown["peak agents (when)"], "SL / in deadline (target, gap)": result,
                         "verdict": shown["verdict"]})


def summary_of(plan: pd.DataFrame, config, *, by: str | None = None) -> pd.DataFrame:
    """:func:`planner_summary` with a scenario's interval and paid hours (``config``: a ScenarioConfig)."""
    from planner.calendar import interval_s_of

    return planner_summary(plan, interval_s=config.interval_s or interval_s_of(plan), by=by,
                           paid_hours_per_day=config.paid_hours_per_day, paid_days_per_week=config.paid_days_per_week)
