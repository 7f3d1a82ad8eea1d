"""Independent references for shift scheduling, sharing no code with ``planner.schedule``.

- :func:`check_shifts`: re-derives coverage from a ``shifts.csv`` written by planner and checks every
  hard rule (lengths, start windows and steps, weekdays, break lengths, windows and order, paid hours,
  opening hours) with plain ``datetime`` arithmetic.
- :func:`explicit_columns` / :func:`explicit_optimum`: the explicit model, one column per shift start
  and combination of break positions (Dantzig's set covering), solved as its own MILP.
- :func:`brute_force`: exhaustive branch-and-bound over the explicit columns, no solver at all.

An *instance* is a plain dict: ``requirement`` (one value per 15-minute interval of one day from
``first`` local time), ``templates``: ``name, length`` (intervals), ``starts`` (allowed start
intervals), ``breaks``: ``(length, earliest offset, latest offset, paid)`` in intervals, ``paid`` (hours).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import zoneinfo

import numpy as np
import pandas as pd

STEP = dt.timedelta(minutes=15)


def explicit_columns(instance: dict) -> list[tuple[float, frozenset[int], str]]:
    """Every (paid hours, covered intervals, label) of every start and combination of break positions."""
    columns = []
    for t in instance["templates"]:
        for start in t["starts"]:
            choices = [range(first, last + 1) for (_, first, last, _) in t["breaks"]]
            for combo in itertools.product(*choices):
                away = set()
                for (length, _, _, _), offset in zip(t["breaks"], combo):
                    away |= set(range(start + offset, start + offset + length))
                covered = frozenset(set(range(start, start + t["length"])) - away)
                columns.append((t["paid"], covered, f"{t['name']}@{start}{combo}"))
    return columns


def explicit_optimum(instance: dict) -> float:
    """Least paid hours covering ceil(requirement) with the explicit columns (scipy milp, HiGHS)."""
    from scipy.optimize import LinearConstraint, milp

    columns = explicit_columns(instance)
    need = np.ceil(np.asarray(instance["requirement"], float) - 1e-9)
    a = np.zeros((need.size, len(columns)))
    for j, (_, covered, _) in enumerate(columns):
        a[sorted(covered), j] = 1.0
    cost = np.array([paid for paid, _, _ in columns])
    result = milp(cost, integrality=np.ones(len(columns)), constraints=LinearConstraint(a, need, np.inf))
    assert result.status == 0, result.message
    return float(result.fun)


def brute_force(instance: dict) -> float:
    """Least paid hours covering ceil(requirement), by exhaustive depth-first search over the explicit
    columns: the first interval still short must be covered by one more column covering it."""
    columns = explicit_columns(instance)
    need = [math.ceil(v - 1e-9) for v in instance["requirement"]]
    best = [math.inf]
    cheapest = min(paid for paid, _, _ in columns)
    seen: set[tuple[int, ...]] = set()

    def search(counts: tuple[int, ...], cover: list[int], cost: float) -> None:
        if counts in seen or cost >= best[0] - 1e-9:
            return
        seen.add(counts)
        short = [i for i, (c, n) in enumerate(zip(cover, need)) if c < n]
        if not short:
            best[0] = cost
            return
        if cost + cheapest > best[0] - 1e-9:
            return
        t = short[0]
        for j, (paid, covered, _) in enumerate(columns):
            if t in covered:
                grown = list(counts)
                grown[j] += 1
                search(tuple(grown), [c + (i in covered) for i, c in enumerate(cover)], cost + paid)

    search(tuple([0] * len(columns)), [0] * len(need), 0.0)
    return best[0]


def _clock(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def _first_after(start: dt.datetime, clock: dt.time, tz) -> dt.datetime:
    """The first local wall time ``clock`` at or after ``start``."""
    day = start.astimezone(tz).date()
    for shift in (0, 1):
        candidate = dt.datetime.combine(day + dt.timedelta(days=shift), clock, tzinfo=tz)
        if candidate >= start:
            return candidate
    raise AssertionError("no such time")


def check_shifts(shifts: pd.DataFrame, templates: dict, *, tz: str, open_intervals: set | None = None
                 ) -> tuple[dict[dt.datetime, int], float]:
    """Check every hard rule of a shifts table (as read from ``shifts.csv``) and return
    (coverage per interval start in UTC, paid hours).

    ``templates`` maps a template name to ``length_min, paid_h, first_start, last_start`` (``"HH:MM"``),
    ``step_min``, ``weekdays`` (Monday = 0) and ``breaks``: ``(length_min, earliest_min, latest_min, paid)``.
    ``open_intervals``: UTC interval starts where the shift's channels are open (None: no check).
    """
    zone = zoneinfo.ZoneInfo(tz)
    coverage: dict[dt.datetime, int] = {}
    paid_total = 0.0
    for row in shifts.itertuples():
        spec = templates[row.template]
        start = dt.datetime.fromisoformat(str(row.start))
        end = dt.datetime.fromisoformat(str(row.end))
        assert start.utcoffset() is not None and end.utcoffset() is not None, "times must carry their offset"
        assert end - start == dt.timedelta(minutes=spec["length_min"]), f"{row}: wrong length"
        local = start.astimezone(zone)
        assert local.weekday() in spec["weekdays"], f"{row}: not on one of its weekdays"
        assert str(local.date()) == str(row.day), f"{row}: day is not the local start date"
        first, last = _clock(spec["first_start"]), _clock(spec["last_start"])
        minute = local.hour * 60 + local.minute
        assert first.hour * 60 + first.minute <= minute <= last.hour * 60 + last.minute, f"{row}: starts outside its window"
        assert (minute - first.hour * 60 - first.minute) % spec["step_min"] == 0, f"{row}: off its start step"
        texts = [] if not isinstance(row.breaks, str) or not row.breaks.strip() else row.breaks.split("; ")
        assert len(texts) == len(spec["breaks"]), f"{row}: expected {len(spec['breaks'])} breaks"
        away: set[dt.datetime] = set()
        previous_end = start
        unpaid_min = 0
        for text, (length, earliest, latest, paid) in zip(texts, spec["breaks"]):
            span, kind = text.split(" ")
            b0, b1 = (_clock(v) for v in span.split("-"))
            b_start = _first_after(start, b0, zone).astimezone(dt.timezone.utc)
            b_end = _first_after(b_start, b1, zone).astimezone(dt.timezone.utc)
            assert kind == ("paid" if paid else "unpaid"), f"{row}: break {text} paid/unpaid"
            assert b_end - b_start == dt.timedelta(minutes=length), f"{row}: break {text} has the wrong length"
            offset = (b_start - start) / dt.timedelta(minutes=1)
            assert earliest <= offset <= latest, f"{row}: break {text} outside its window"
            assert b_start >= previous_end and b_end <= end, f"{row}: break {text} overlaps or leaves the shift"
            previous_end = b_end
            unpaid_min += 0 if paid else length
            t = b_start
            while t < b_end:
                away.add(t.astimezone(dt.timezone.utc))
                t += STEP
        t = start
        while t < end:
            utc = t.astimezone(dt.timezone.utc)
            if open_intervals is not None:
                assert utc in open_intervals, f"{row}: works while closed at {t}"
            if utc not in away:
                coverage[utc] = coverage.get(utc, 0) + int(row.count)
            t += STEP
        paid_h = spec["paid_h"] if spec.get("paid_h") is not None else (spec["length_min"] - unpaid_min) / 60
        assert abs(float(row.paid_hours) - paid_h) < 1e-9, f"{row}: paid hours {row.paid_hours} != {paid_h}"
        paid_total += paid_h * int(row.count)
    return coverage, paid_total
