"""Exact reference values for the fluid lower bound of deferred work (email, back office).

This script is deliberately independent of the ``planner`` package: it uses only the Python
standard library, with exact rational arithmetic (``fractions.Fraction``), and writes
``deferred.csv`` next to itself, which ``tests/test_deferred.py`` compares against.

Rerun (from the repository root, takes a few seconds):

    python tests/reference/make_deferred_reference.py

Model and conventions (those documented in ``planner/staffing/deferred.py``)
--------------------------------------------------------------------------
* Interval ``j`` (length ``dt``, start ``t_j = j dt``) receives ``offered[j]`` items spread
  uniformly over it, each needing ``aht_s[j]`` seconds of work.
* The deadline counts whole intervals: ``D = floor(deadline_s / dt) dt``.
* Calendar time: an item arriving at ``s`` is due at ``d(s) = max(s + D, E)``, ``E`` the end of the
  first open interval at or after its arrival interval (for an item arriving while open, ``E`` is
  before ``s + D``; one arriving while closed is not due before the channel has been open for an
  interval, and may wait behind those that arrived before it). Agents only work in open
  intervals, so the work due while closed must be done before closing: the cumulative capacity at
  grid time ``t`` must cover the work due by the next opening at or after ``t``.
* Business hours: the clock ``b(s)`` counts open seconds only; an item is due when ``b`` reaches
  ``b(s) + D`` (an item arriving while closed starts its clock at the next opening).
* The as-late-as-possible plan ``C(t_i)`` is the least cumulative capacity meeting those
  requirements at every grid time; capacity per interval is ``C(t_{i+1}) - C(t_i)``.
* Drain: after the horizon the last open interval's capacity continues (the clock running) until the
  backlog is cleared; its capacity is raised to the least constant rate meeting every deadline then:
  ``max_j (R(T + j dt) - C(start of the last open interval)) / (j + 1)``, ``j = 0..k``.

Here the requirement ``R(T)`` is computed per grid time ``T`` and per arrival interval as the exact
fraction of that interval's items whose deadline is at or before ``T`` (a double loop), not by the
cumulative-sum and index shifts the package uses.

Columns of ``deferred.csv`` (one row per case and interval)
----------------------------------------------------------
``case, index, interval_s, deadline_s, business_hours, open, offered, aht_s`` (inputs, exact
binary values), ``workload_s``, ``due`` (items falling due in the interval), ``agents_alap`` and
``backlog_alap`` (as-late-as-possible plan, no drain), ``agents_alap_drain`` (with drain), and
``peak_level`` (per case, repeated): the least possible peak agents of any plan meeting the deadlines
with capacity between the due work and the arrived work, ``max over j < l`` of
``(L_l - U_j) / ((l - j) dt)`` on the open-time axis; the level (taut-string) plan attains it.
"""

from __future__ import annotations

import csv
from fractions import Fraction as F
from pathlib import Path

HERE = Path(__file__).resolve().parent


class Case:
    def __init__(self, name, offered, aht, dt, deadline, is_open, business):
        self.name, self.dt, self.deadline, self.business = name, F(dt), F(deadline), business
        self.offered = [F(v) for v in offered]
        self.aht = [F(v) for v in aht]
        self.open = list(is_open)
        self.n = len(self.offered)
        self.D = (self.deadline // self.dt) * self.dt
        self.work = [a * h for a, h in zip(self.offered, self.aht)]
        self._open_before = [F(0)]
        for o in self.open:
            self._open_before.append(self._open_before[-1] + (self.dt if o else 0))
        self._first_open = [None] * (self.n + 1)
        for i in range(self.n - 1, -1, -1):
            self._first_open[i] = i if self.open[i] else self._first_open[i + 1]

    # --- clocks -----------------------------------------------------------------------------------
    def t(self, i):
        return i * self.dt

    def first_open_from(self, i):
        """Index of the first open interval at or after interval i (None if none)."""
        return self._first_open[i]

    def business_before(self, i):
        """Open seconds before grid time t_i."""
        return self._open_before[i]

    # --- the requirement: work (or items) due by time T ----------------------------------------------
    def due_fraction_calendar(self, j, T):
        """Exact share of interval j's items whose (calendar) deadline is at or before T."""
        m = self.first_open_from(j)
        if m is None:
            return F(0)  # arrives after the last opening: never due in the horizon
        if self.t(m) + self.dt > T:  # not due before the end of the first open interval
            return F(0)
        return min(F(1), max(F(0), (T - self.D - self.t(j)) / self.dt))

    def due_fraction_business(self, j, b_T):
        """Exact share of interval j's items whose business-time deadline is at or before b_T."""
        b0 = self.business_before(j)
        if not self.open[j]:
            return F(1) if b0 + self.D <= b_T else F(0)
        return min(F(1), max(F(0), (b_T - self.D - b0) / self.dt))

    def required(self, when, weights):
        """Sum of weights[j] x share of interval j due by ``when`` (calendar time or business time)."""
        if self.business:
            return sum(w * self.due_fraction_business(j, when) for j, w in enumerate(weights))
        return sum(w * self.due_fraction_calendar(j, when) for j, w in enumerate(weights))

    def next_open_time(self, i):
        """Start of the first open interval at or after grid point i (horizon end if none)."""
        m = self.first_open_from(i) if i < self.n else None
        return self.t(self.n) if m is None else self.t(m)

    def clock(self, i):
        return self.business_before(i) if self.business else self.next_open_time(i)

    # --- plans ----------------------------------------------------------------------------------
    def alap(self):
        C = [self.required(self.clock(i), self.work) for i in range(self.n + 1)]
        return C, [C[i + 1] - C[i] for i in range(self.n)]

    def drain(self, C, capacity):
        last = max((j for j in range(self.n) if self.open[j]), default=None)
        if last is None or (not self.business and last != self.n - 1):
            return list(capacity)
        k = int(self.D / self.dt)
        base = self.business_before(last + 1) if self.business else self.t(self.n)
        need = max((self.required(base + j * self.dt, self.work) - C[last]) / (j + 1) for j in range(k + 1))
        out = list(capacity)
        out[last] = max(out[last], need)
        return out

    def due_items(self):
        R = [self.required(self.business_before(i) if self.business else self.t(i), self.offered)
             for i in range(self.n + 1)]
        return [R[i + 1] - R[i] for i in range(self.n)]

    def backlog(self, C):
        """Items waiting at each interval end when cumulative capacity C works them oldest first."""
        out, arrived_items, arrived_work = [], F(0), F(0)
        for i in range(self.n):
            arrived_items += self.offered[i]
            arrived_work += self.work[i]
            assert C[i + 1] <= arrived_work, "the plan works ahead of the arrivals"
            done, left = F(0), C[i + 1]
            for a, w in zip(self.offered, self.work):  # oldest first
                if left >= w:
                    done, left = done + a, left - w
                else:
                    done += a * left / w if w else 0
                    break
            out.append(arrived_items - done)
        return out

    def peak_level(self, C):
        """Least peak agents of a plan between the due curve and the arrivals (open-time axis)."""
        x = [0]
        for i in range(self.n):
            x.append(x[-1] + (1 if self.open[i] else 0))
        m = x[-1]
        lower = [F(0)] * (m + 1)
        upper = [None] * (m + 1)
        arrived = [sum(self.work[:i], F(0)) for i in range(self.n + 1)]
        for i in range(self.n + 1):  # the grid points of a closed stretch share one open-time point
            lower[x[i]] = max(lower[x[i]], C[i])
            upper[x[i]] = arrived[i] if upper[x[i]] is None else min(upper[x[i]], arrived[i])
        upper = [max(u, lo) for u, lo in zip(upper, lower)]
        upper[0], upper[m] = F(0), lower[m]
        return max((lower[l] - upper[j]) / ((l - j) * self.dt) for l in range(1, m + 1) for j in range(l))


def day_profile(days, per_day, open_from, open_to, seed):
    """A deterministic, rational volume pattern (no randomness): a busy midday, quiet nights."""
    offered, aht, is_open = [], [], []
    for d in range(days):
        for q in range(per_day):
            hour = F(q * 24, per_day)
            inside = open_from <= hour < open_to
            peak = 200 - 4 * abs(hour * 4 - 56) if inside else 0  # quarter-hour index 56 = 14:00
            noise = (q * 7 + d * 13 + seed) % 11
            offered.append(F(max(peak, 40 if inside else 0) + noise * 3, 2 if inside else 4))
            aht.append(300 + 30 * ((q + 3 * d + seed) % 11))
            is_open.append(inside)
    return offered, aht, is_open


def cases():
    yield Case("hand_calendar_open", [4, 2, 0, 6, 0, 0, 0, 0], [900] * 8, 3600, 7200, [True] * 8, False)
    yield Case("hand_calendar_closure", [0, 4, 2, 1, 3, 2, 0, 2, 0, 0],
               [900, 900, 1800, 600, 600, 600, 900, 900, 900, 900],
               3600, 7200, [True, True, True, False, False, False, True, True, True, True], False)
    hourly_open = [8 <= h % 24 < 20 for h in range(48)]
    offered = [0] * 48
    offered[2], offered[19], offered[30], offered[43] = 3, 1, 5, 2  # 02:00 (closed), 19:00, next day 06:00 and 19:00
    yield Case("hand_business", offered, [1200] * 48, 3600, 4 * 3600, hourly_open, True)
    yield Case("hand_nonmultiple", [2, 0, 3, 1, 0, 0, 0], [600, 300, 900, 1200, 600, 600, 600], 1800, 4500,
               [True] * 7, False)
    offered, aht, is_open = day_profile(3, 96, 8, 20, 1)
    yield Case("large_business_3_days", offered, aht, 900, 4 * 3600, is_open, True)
    offered, aht, _ = day_profile(2, 96, 0, 24, 2)
    yield Case("large_calendar_24_7", offered, aht, 900, 4 * 3600, [True] * 192, False)
    offered, aht, is_open = day_profile(2, 96, 8, 20, 3)
    offered = [a if o else F(1, 2) for a, o in zip(offered, is_open)]  # a trickle overnight
    yield Case("large_calendar_closed_nights", offered, aht, 900, 4 * 3600, is_open, False)


COLUMNS = ("case", "index", "interval_s", "deadline_s", "business_hours", "open", "offered", "aht_s", "workload_s",
           "due", "agents_alap", "backlog_alap", "agents_alap_drain", "peak_level")


def main() -> None:
    rows = []
    for case in cases():
        C, capacity = case.alap()
        drained = case.drain(C, capacity)
        due, backlog, peak = case.due_items(), case.backlog(C), case.peak_level(C)
        assert sum(capacity) == C[-1] and all(c >= 0 for c in capacity)
        for i in range(case.n):
            rows.append((case.name, i, float(case.dt), float(case.deadline), case.business, case.open[i],
                         float(case.offered[i]), float(case.aht[i]), float(case.work[i]), float(due[i]),
                         float(capacity[i] / case.dt), float(backlog[i]), float(drained[i] / case.dt), float(peak)))
    with open(HERE / "deferred.csv", "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([repr(v) if isinstance(v, float) else v for v in row])
    print(f"wrote {len(rows)} rows to {HERE / 'deferred.csv'}")


if __name__ == "__main__":
    main()
