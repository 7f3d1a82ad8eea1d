"""What confidence costs: each live channel staffed under every rule, side by side.

For a forecast that carries the rate's distribution (``rate_shape``), :func:`price_of_confidence`
staffs every live channel to the point forecast, to the expected service level, and to a chance
``q`` of meeting the target for q = 0.5, 0.8, 0.9 and 0.95 (:mod:`planner.staffing.rules`), and
reports per channel and rule the agent-hours (fractional requirements summed, as the roll-ups do)
and what they buy: the service level expected over the forecast's uncertainty (weighted by volume)
and the mean probability of meeting the target in an interval.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from planner.calendar import interval_s_of
from planner.staffing._expected import unique_rows
from planner.staffing.rules import live_model, outcomes, required
from planner.staffing.uncertainty import rule_label

__all__ = ["price_of_confidence", "CONFIDENCE_RULES"]

#: The rules compared: (rule, confidence).
CONFIDENCE_RULES = (("point", None), ("expected", None), ("chance", 0.5), ("chance", 0.8), ("chance", 0.9),
                    ("chance", 0.95))


def _expected(model, shape: np.ndarray, solved: list) -> list[np.ndarray]:
    """The expected service level of each rule's agents (:func:`outcomes`), each distinct interval and
    agent count computed once: the rules often agree on an interval (the same answers, half the work)."""
    size = shape.size
    agents = np.concatenate([a for a, _ in solved]) if solved else np.zeros(0, dtype=np.int64)
    where = np.tile(np.arange(size), len(solved))
    first, back = unique_rows(*model.keys(where), shape[where], agents)
    expected = outcomes(model.take(where[first]), agents[first], shape[where[first]], with_probability=False)[0]
    return np.split(expected[back], len(solved)) if solved else []


def price_of_confidence(plan: pd.DataFrame, channels: Mapping, *, interval_s: float | None = None,
                        rules=CONFIDENCE_RULES) -> pd.DataFrame:
    """Agent-hours and expected service level per live channel under each staffing rule.

    Parameters
    ----------
    plan : pandas.DataFrame
        A plan (:func:`planner.staffing.plan.staff`) of a forecast with ``rate_shape``: its
        ``load_erlangs`` [Erlang] (after MOL) and ``aht_s`` [s] are restaffed under each rule.
        Channels without the shape are left out.
    channels : mapping of str to Voice, Chat, Deferred or Outbound
        The channel specs; deferred channels, campaigns and the pools of segments or blends are
        left out (their rules are in :mod:`planner.staffing.pool_rules`).
    interval_s : float, optional
        Interval length [s] (default: the plan's most common spacing).
    rules : sequence of (rule, confidence)
        The rules compared (default :data:`CONFIDENCE_RULES`).

    Returns
    -------
    pandas.DataFrame
        ``channel, rule, used`` (the channel's own rule), ``agent_hours`` and ``agent_hours_gross``
        [h] (fractional requirements summed), ``change_%`` (against ``point``) and
        ``expected_service_level`` (over the rate, weighted by volume). Empty without ``rate_shape``.

    Examples
    --------
    >>> import pandas as pd
    >>> from planner.staffing.plan import Voice, staff
    >>> starts = pd.date_range("2026-07-06 09:00", periods=8, freq="15min", tz="Europe/London")
    >>> forecast = pd.DataFrame({"interval_start": starts, "channel": "phone", "offered": 60.0,
    ...                          "aht_s": 240.0, "rate_shape": 50.0})
    >>> channels = {"phone": Voice(target_service_level=0.8, threshold_s=20)}
    >>> table = price_of_confidence(staff(forecast, channels), channels)
    >>> table[["rule", "agent_hours", "expected_service_level"]].round(3).values.tolist()[:3]
    [['point', 39.635, 0.696], ['expected', 42.371, 0.856], ['chance 50%', 39.402, 0.696]]
    """
    columns = ["channel", "rule", "used", "agent_hours", "agent_hours_gross", "change_%", "expected_service_level"]
    if "rate_shape" not in plan.columns or plan.empty:
        return pd.DataFrame(columns=columns)
    hours = (interval_s_of(plan) if interval_s is None else float(interval_s)) / 3600.0
    parts = []
    blended = {getattr(spec, "blend", None) for spec in channels.values() if spec.kind == "outbound"}
    for name, part in plan.groupby("channel", sort=True):
        spec = channels[name]
        if spec.kind not in ("voice", "chat") or getattr(spec, "segments", ()) or name in blended:
            continue  # one queue each: not deferred work, campaigns, nor pools shared by segments or a blend
        shape = pd.to_numeric(part["rate_shape"], errors="coerce").to_numpy(float)
        if not (shape > 0).all():
            continue
        model = live_model(spec, part["load_erlangs"].to_numpy(float), part["aht_s"].to_numpy(float))
        weight = part["offered"].to_numpy(float)
        solved = [required(model, shape, rule, confidence) for rule, confidence in rules]
        for (rule, confidence), (agents, fractional), expected in zip(rules, solved, _expected(model, shape, solved)):
            parts.append({"channel": name, "rule": rule_label(rule, confidence),
                          "used": (rule, confidence) == (spec.staffing_rule, spec.confidence),
                          "agent_hours": float(fractional.sum() * hours),
                          "agent_hours_gross": float(fractional.sum() * hours / (1.0 - spec.shrinkage)),
                          "expected_service_level": float(np.sum(weight * expected) / np.sum(weight))
                          if np.sum(weight) > 0 else np.nan})
    if not parts:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(parts)
    base = table[table["rule"] == "point"].set_index("channel")["agent_hours"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["change_%"] = 100.0 * (table["agent_hours"] / table["channel"].map(base) - 1.0)
    return table[columns]
