"""``simulate(plan, rng=...)``: replications of every channel, summarised per interval and per channel."""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.simulate.channel import TALLIES
from planner.simulate.pool import run_units
from planner.simulate.frame import prepare
from planner.simulate.summary import METRICS, mean_ci, metrics

__all__ = ["HANDLES", "SimulationResult", "simulate"]

#: Handle-time distributions for voice and deferred work (chat is always exponential).
HANDLES = ("exponential", "lognormal")


@dataclass(frozen=True)
class SimulationResult:
    """Simulated performance of a plan, with confidence intervals over replications.

    Attributes
    ----------
    intervals : pandas.DataFrame
        One row per interval x channel of the plan: ``interval_start, channel, kind, agents`` and,
        for each metric, its mean over replications and confidence bounds (``service_level,
        service_level_lo, service_level_hi``, ...). Metrics: ``offered`` (simulated arrivals),
        ``handled`` (contacts completed in the interval), ``service_level``, ``abandon_rate`` and
        ``asa_s`` [s] (live channels, over the contacts arriving in the interval), ``occupancy``,
        ``concurrency`` (chat), ``within_deadline`` (of the items due by the end of the plan),
        ``not_yet_due`` [items whose deadline falls after it] and ``backlog`` [items at the interval
        end] (deferred). NaN where a metric does not apply or is undefined (no arrivals).
    channels : pandas.DataFrame
        One row per channel, the same metrics over the whole plan (pooled over the contacts of a
        replication, then averaged; ``backlog`` at the end of the channel's last interval;
        ``within_deadline`` counts the opening backlog too), and the plan's
        ``target_service_level`` when it has one.
    replications : int
        Number of independent replications.
    level : float
        Confidence level of the intervals (two-sided Student t over replications).

    Examples
    --------
    The repr is the per-channel :meth:`summary` (mean ±half-width of each metric):

    >>> starts = pd.date_range("2026-07-06 09:00", periods=2, freq="15min", tz="Europe/London")
    >>> plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice",
    ...                      "offered": 40.0, "aht_s": 180.0, "agents": 10, "threshold_s": 20.0})
    >>> result = simulate(plan, rng=np.random.default_rng(1), replications=3)
    >>> result  # doctest: +ELLIPSIS
    SimulationResult (intervals: 2 rows, channels: 1 row)
    3 replications, 99% confidence intervals (Student t over replications)
    channel  kind   offered ...
    phone    voice  ...
    >>> sl = result.channels.iloc[0]
    >>> bool(sl.service_level_lo <= sl.service_level <= sl.service_level_hi)
    True
    """

    intervals: pd.DataFrame
    channels: pd.DataFrame
    replications: int
    level: float

    def summary(self) -> str:
        """A plain-text table of ``channels``: each metric as ``mean ±half-width``.

        >>> print(_example().summary().splitlines()[0])  # doctest: +ELLIPSIS
        2 replications, 99% confidence intervals ...
        """
        def cell(row, name, fmt):
            if name not in row or (isinstance(row[name], float) and math.isnan(row[name])):
                return "-"
            if f"{name}_lo" not in row:
                return fmt(row[name])
            value, lo, hi = row[name], row[f"{name}_lo"], row[f"{name}_hi"]
            half = (hi - lo) / 2.0
            return f"{fmt(value)} ±{fmt(half)}" if not math.isnan(half) else fmt(value)

        pct = lambda v: f"{100 * v:.1f}%"  # noqa: E731
        num = lambda v: f"{v:,.1f}"  # noqa: E731
        columns = [("offered", "offered", num), ("service level", "service_level", pct),
                   ("abandoned", "abandon_rate", pct), ("ASA (s)", "asa_s", num),
                   ("occupancy", "occupancy", pct), ("concurrency", "concurrency", lambda v: f"{v:.2f}"),
                   ("within deadline", "within_deadline", pct), ("target", "target_service_level", pct),
                   ("not yet due", "not_yet_due", num), ("backlog at end", "backlog", num),
                   ("outbound agents", "outbound_agents", num)]
        header = ["channel", "kind", *[title for title, _, _ in columns]]
        def name(r):
            return f"{r['channel']}/{r['segment']}" if r.get("segment", "") else str(r["channel"])

        rows = [[name(r), str(r["kind"]), *[cell(r, name_, fmt) for _, name_, fmt in columns]]
                for _, r in self.channels.iterrows()]
        widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]
        lines = [f"{self.replications} replications, {self.level:.0%} confidence intervals "
                 "(Student t over replications)"]
        lines += ["  ".join(text.ljust(w) for text, w in zip(line, widths)).rstrip() for line in [header, *rows]]
        return "\n".join(lines)

    def __repr__(self) -> str:
        """The sizes of the two frames, then :meth:`summary` (not the frames themselves)."""
        n, m = len(self.intervals), len(self.channels)
        sizes = f"intervals: {n} row{'' if n == 1 else 's'}, channels: {m} row{'' if m == 1 else 's'}"
        return f"SimulationResult ({sizes})\n{self.summary()}"

    def write_csv(self, path) -> None:
        """Write ``intervals`` to a CSV file atomically (a temporary file, then a rename)."""
        path = Path(path)
        if not path.parent.is_dir():
            raise InputError(f"{path}: the folder {path.parent} does not exist; create it or choose another path")
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
        try:
            with os.fdopen(handle, "w", newline="") as stream:
                self.intervals.to_csv(stream, index=False, float_format="%.10g")
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _columns(rows: dict[str, np.ndarray], results: dict[str, np.ndarray], level: float) -> None:
    for name, (_, share) in METRICS.items():
        mean, lo, hi = mean_ci(results[name], level, share=share)
        rows[name], rows[f"{name}_lo"], rows[f"{name}_hi"] = mean, lo, hi


def simulate(
    plan: pd.DataFrame,
    *,
    rng,
    replications: int = 20,
    level: float = 0.99,
    interval_s: float | None = None,
    warmup_s: float = 0.0,
    handle: str = "exponential",
    cv: float = 1.0,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Simulate a staffing plan contact by contact and report what it delivers, with confidence intervals.

    Parameters
    ----------
    plan : pandas.DataFrame
        One row per interval x channel: ``interval_start`` (tz-aware), ``channel``, ``kind``
        (``voice``, ``chat`` or ``deferred``), ``offered`` [contacts per interval], ``aht_s`` [s],
        ``agents`` [-]; ``threshold_s`` [s] (voice, chat), ``patience_s`` [s] (mean exponential
        patience; ``inf`` or empty: never abandons), ``concurrency`` and ``aht_growth`` [-] (chat),
        ``deadline_s`` [s] and ``business_hours`` (deferred). See :mod:`planner.simulate`.
    rng : numpy.random.Generator or int
        Source of randomness; each replication uses an independent child (``rng.spawn``).
    replications : int, optional
        Independent runs of the whole plan (>= 2 for confidence intervals).
    level : float, optional
        Confidence level of the Student-t intervals over replications, in (0, 1).
    interval_s : float, optional
        Interval length [s]; by default the smallest spacing of ``interval_start`` (900 if none).
    warmup_s : float, optional
        Run each channel's first-interval conditions this long [s] before it and discard those
        contacts, so the plan starts near steady state instead of empty.
    handle : {"exponential", "lognormal"}, optional
        Handle-time distribution of voice and deferred work (mean ``aht_s``).
    cv : float, optional
        Coefficient of variation of lognormal handle times [-].
    progress : callable, optional
        Called as ``progress(done, replications)`` after each replication.

    Returns
    -------
    SimulationResult
        ``intervals`` and ``channels`` frames (means and ``_lo``/``_hi`` bounds per metric).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> starts = pd.date_range("2026-07-06 09:00", periods=2, freq="15min", tz="Europe/London")
    >>> plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice",
    ...                      "offered": 40.0, "aht_s": 180.0, "agents": 10, "threshold_s": 20.0})
    >>> result = simulate(plan, rng=np.random.default_rng(1), replications=3)
    >>> result.intervals.shape[0], result.channels.shape[0]
    (2, 1)
    >>> bool(0.0 <= result.channels["service_level"].iloc[0] <= 1.0)
    True
    """
    channels, interval_s, _ = prepare(plan, interval_s=interval_s)
    if isinstance(replications, bool) or not isinstance(replications, (int, np.integer)) or replications < 1:
        raise InputError(f"replications: expected a whole number >= 1, got {replications!r}")
    if not (isinstance(level, (int, float)) and 0.0 < level < 1.0):
        raise InputError(f"level: expected a confidence level between 0 and 1 (e.g. 0.99), got {level!r}")
    if not (isinstance(warmup_s, (int, float)) and math.isfinite(warmup_s) and warmup_s >= 0):
        raise InputError(f"warmup_s: expected a number of seconds >= 0, got {warmup_s!r}")
    if handle not in HANDLES:
        raise InputError(f"handle: unknown distribution {handle!r}; use one of {', '.join(HANDLES)}")
    if not (isinstance(cv, (int, float)) and math.isfinite(cv) and cv > 0):
        raise InputError(f"cv: expected a coefficient of variation > 0, got {cv!r}")
    if not isinstance(rng, np.random.Generator):
        if isinstance(rng, bool) or not isinstance(rng, (int, np.integer, np.random.SeedSequence)):
            raise InputError(f"rng: expected a numpy Generator (numpy.random.default_rng(seed)), got {rng!r}")
        rng = np.random.default_rng(rng)

    units, tallies = {}, {}  # output units: a channel, a segment of one, a campaign (or its blended part)
    for done, child in enumerate(_spawn(rng, replications), start=1):
        for ch, stream in zip(channels, _spawn(child, len(channels))):
            for unit, values in run_units(ch, stream, warmup_s=warmup_s, handle=handle, cv=cv):
                key = (unit.name, unit.segment, unit.blend)
                units.setdefault(key, unit)
                store = tallies.setdefault(key, {name: [] for name in TALLIES})
                for name, value in values.items():
                    store[name].append(value)
        if progress is not None:
            progress(done, replications)

    segmented = any(unit.segment for unit in units.values())
    interval_parts, channel_rows = [], []
    for key, unit in units.items():
        t = {name: np.vstack(values) for name, values in tallies[key].items()}
        label = {"channel": unit.name, **({"segment": unit.segment} if segmented else {}), "kind": unit.kind}
        part = {"interval_start": plan["interval_start"].iloc[unit.rows].reset_index(drop=True), **label,
                "agents": unit.agents}
        _columns(part, metrics(t, unit.kind, pooled=False), level)
        interval_parts.append(pd.DataFrame(part))
        row = dict(label)
        _columns(row, metrics(t, unit.kind, pooled=True), level)
        if "target_service_level" in plan.columns:  # a segment's own target (its rows)
            row["target_service_level"] = float(pd.to_numeric(plan["target_service_level"].iloc[unit.rows],
                                                              errors="coerce").max())
        channel_rows.append(pd.DataFrame({k: np.atleast_1d(v) for k, v in row.items()}))
    intervals = pd.concat(interval_parts, ignore_index=True)
    intervals = intervals.sort_values(["interval_start", "channel"], ignore_index=True, kind="stable")
    summary = pd.concat(channel_rows, ignore_index=True)
    for frame in (intervals, summary):
        frame.attrs.update(level=level, replications=replications, interval_s=interval_s)
    return SimulationResult(intervals=intervals, channels=summary, replications=replications, level=level)


def _spawn(rng: np.random.Generator, n: int) -> list[np.random.Generator]:
    """Independent child generators (``Generator.spawn``, or its equivalent before numpy 1.25)."""
    if hasattr(rng, "spawn"):
        return rng.spawn(n)
    seed = np.random.SeedSequence(rng.integers(0, 2**63, size=4, dtype=np.uint64).tolist())
    return [np.random.default_rng(child) for child in seed.spawn(n)]


def _example() -> SimulationResult:
    """A tiny result for doctests."""
    starts = pd.date_range("2026-07-06 09:00", periods=2, freq="15min", tz="UTC")
    plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice", "offered": 20.0,
                         "aht_s": 180.0, "agents": 6, "threshold_s": 20.0})
    return simulate(plan, rng=np.random.default_rng(0), replications=2)
