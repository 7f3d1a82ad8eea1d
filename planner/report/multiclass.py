"""Tables for plans with customer segments and outbound campaigns, for the output folder and the report.

``segments.csv``: per channel and segment over the plan, the volume-weighted service level, ASA
and **priority tax** (the segment's FCFS service level at the same staff minus its service level:
positive for the segments that wait for those above them) against the segment's target.
``campaigns.csv``: per outbound channel and day, dials, right-party contacts, list penetration
(share of the campaign's dials made by the day's end), agent-hours, the drop rate of live
connects (predictive diallers; at most the campaign's ``max_drop_rate``) and, for blended
campaigns, the inbound channel whose agents make the calls.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.staffing.outbound import penetration

__all__ = ["segment_summary", "campaign_summary", "extra_tables"]


def _weighted(frame: pd.DataFrame, column: str, weight: str) -> pd.Series:
    ok = frame[column].notna() & np.isfinite(frame[column].astype(float))
    top = (frame[column].where(ok, 0.0) * frame[weight].where(ok, 0.0)).groupby([frame["channel"], frame["segment"]]).sum()
    bottom = frame[weight].where(ok, 0.0).groupby([frame["channel"], frame["segment"]]).sum()
    return (top / bottom.where(bottom > 0)).rename(column)


def segment_summary(plan: pd.DataFrame) -> pd.DataFrame:
    """Per channel and segment: offered, target, service level, ASA [s] and priority tax (volume-weighted).

    >>> starts = pd.date_range("2026-07-06 09:00", periods=2, freq="15min", tz="UTC")
    >>> plan = pd.DataFrame({"interval_start": starts.repeat(2), "channel": "phone",
    ...     "segment": ["vip", "standard"] * 2, "priority": [1, 2] * 2, "offered": [10.0, 30.0] * 2,
    ...     "service_level": [0.97, 0.82] * 2, "asa_s": [1.5, 9.0] * 2, "priority_tax": [-0.1, 0.03] * 2,
    ...     "target_service_level": [0.95, 0.8] * 2, "threshold_s": [10.0, 20.0] * 2})
    >>> segment_summary(plan)[["segment", "service_level", "priority_tax"]].round(4).values.tolist()
    [['vip', 0.97, -0.1], ['standard', 0.82, 0.03]]
    """
    rows = plan[plan["segment"].astype(str) != ""]
    if rows.empty:
        return pd.DataFrame()
    keys = [rows["channel"], rows["segment"]]
    out = rows.groupby(keys, sort=False).agg(
        priority=("priority", "first"), offered=("offered", "sum"),
        target_service_level=("target_service_level", "first"), threshold_s=("threshold_s", "first"))
    for column in ("service_level", "asa_s", "priority_tax"):
        out[column] = _weighted(rows, column, "offered")
    below = (rows["service_level"] < rows["target_service_level"] - 1e-12).groupby(keys, sort=False).sum()
    out["intervals_below_target"] = below.astype(int)
    return out.reset_index().sort_values(["channel", "priority"], ignore_index=True, kind="stable")


def campaign_summary(plan: pd.DataFrame, interval_s: float) -> pd.DataFrame:
    """Per outbound channel and day: dials, contacts, penetration, agent-hours, drop rate, blend."""
    table = penetration(plan, interval_s=interval_s)
    if table.empty:
        return table
    rows = plan[plan["kind"] == "outbound"]
    day = rows["interval_start"].dt.date
    connects = rows["offered"] * rows.get("connect_rate", rows.get("rpc_rate", 1.0))
    dropped = (connects * rows["drop_rate"]).groupby([day, rows["channel"]]).sum()
    live = connects.groupby([day, rows["channel"]]).sum()
    drop = (dropped / live.where(live > 0)).rename("drop_rate").reset_index()
    drop.columns = ["day", "channel", "drop_rate"]
    table = table.merge(drop, on=["day", "channel"], how="left")
    if "blend" in rows:
        blended = rows["blend"].fillna("").astype(str).groupby([day, rows["channel"]]).max().reset_index()
        blended.columns = ["day", "channel", "blended_with"]
        outbound_hours = (rows["outbound_agents"].fillna(0.0) * interval_s / 3600.0).groupby(
            [day, rows["channel"]]).sum().reset_index()
        outbound_hours.columns = ["day", "channel", "blended_agent_hours"]
        table = table.merge(blended, on=["day", "channel"]).merge(outbound_hours, on=["day", "channel"])
    return table


def extra_tables(plan: pd.DataFrame, interval_s: float) -> list[tuple[str, str, pd.DataFrame]]:
    """``(file name, report title, table)`` for the segments and campaigns a plan has (none: empty)."""
    tables = []
    if "segment" in plan and (plan["segment"].astype(str) != "").any():
        tables.append(("segments.csv", "Segments: service level, ASA and priority tax", segment_summary(plan)))
    if "kind" in plan and (plan["kind"] == "outbound").any():
        tables.append(("campaigns.csv", "Outbound campaigns by day: dials, contacts, list penetration",
                       campaign_summary(plan, interval_s)))
    return tables
