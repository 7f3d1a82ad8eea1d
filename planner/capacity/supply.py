"""The supply side of a long-range capacity plan: headcount, attrition by tenure, classes and ramp.

One agent group is described by a frozen :class:`Supply`: the starting headcount, weekly attrition
rates by tenure band (in training, the first 90 days on the floor, tenured), hiring classes (size
cap, start calendar, recruiting lead time, trainees per week the trainers can take), paid and
unproductive training weeks, a ramp curve of proficiency (exponential, S-curve or a table), known
transfers and leavers, and the overtime and undertime caps.

Every quantity is the *expected* value under independent attrition, so the planned FTE of week w
is linear in the class sizes (docs/design.md section 2, ``capacity/``):

    productive_fte(w) = existing(w) + sum_c size_c * survival(w - start_c) * ramp(w - start_c - training)

which is what lets :mod:`planner.capacity.hiring` solve a MILP with only the class sizes integer.
With no ramp (full proficiency at graduation) and a constant attrition rate this reduces to the
weekly recursion of NICE ESP's long-range planning, :func:`esp_recursion`:
FTE(w) = max(0, FTE(w-1) - attrition(w-1)) + new-hire FTE(w - training).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from planner.errors import SpecError

__all__ = ["Ramp", "Supply", "esp_recursion", "survival", "class_matrices", "existing_fte"]

RAMP_KINDS = ("exponential", "s-curve", "table", "none")
WEEKS_IN_90_DAYS = 13


def _fail(key: str, message: str):
    raise SpecError(f"{key}: {message}")


def _fraction(value, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        _fail(key, f"expected a number, got {value!r}")
    if value < 0:
        _fail(key, f"expected a weekly rate >= 0 (a fraction, 0.01 is 1% a week), got {value!r}")
    if value > 1:
        _fail(key, f"expected a fraction <= 1, got {value!r}")
    return float(value)


@dataclass(frozen=True, kw_only=True)
class Ramp:
    """Proficiency of a new hire by week after training: 1 is a tenured agent's output.

    ``kind = "exponential"``: p(t) = 1 - (1 - start) exp(-3 t / weeks) (95% of the way at
    ``weeks``), then 1; ``"s-curve"``: a logistic from ``start`` to 1 centred at ``weeks / 2``,
    then 1; ``"table"``: ``table[t]`` for each week, 1 after it; ``"none"``: 1 from graduation.

    >>> Ramp(kind="table", table=(0.5, 0.8)).proficiency(np.arange(4)).tolist()
    [0.5, 0.8, 1.0, 1.0]
    >>> round(float(Ramp(kind="exponential", start=0.4, weeks=6).proficiency(np.array([3]))[0]), 4)
    0.8661
    >>> Ramp(kind="table", table=(0.5, 1.2))
    Traceback (most recent call last):
    planner.errors.SpecError: ramp.table: proficiency above 1 (1.2 in week 2); a tenured agent's output is 1
    """

    kind: str = "none"
    start: float = 0.5
    weeks: int = 8
    table: tuple[float, ...] = ()

    def __post_init__(self):
        if self.kind not in RAMP_KINDS:
            _fail("ramp.kind", f"expected one of {', '.join(RAMP_KINDS)}, got {self.kind!r}")
        if not 0 <= self.start <= 1:
            _fail("ramp.start", f"expected a proficiency in [0, 1], got {self.start!r}")
        if isinstance(self.weeks, bool) or not isinstance(self.weeks, int) or self.weeks < 1:
            _fail("ramp.weeks", f"expected a whole number of weeks >= 1, got {self.weeks!r}")
        for week, value in enumerate(self.table, start=1):
            if not isinstance(value, (int, float)) or value < 0:
                _fail("ramp.table", f"expected proficiencies in [0, 1], got {value!r} in week {week}")
            if value > 1:
                _fail("ramp.table", f"proficiency above 1 ({value:g} in week {week}); a tenured agent's output is 1")
        if self.kind == "table" and not self.table:
            _fail("ramp.table", "expected a list of weekly proficiencies such as [0.5, 0.7, 0.9]")

    @property
    def length(self) -> int:
        """Weeks after graduation until full proficiency (the ramp-complete date)."""
        return {"none": 0, "table": len(self.table)}.get(self.kind, self.weeks)

    def proficiency(self, weeks_on_floor: np.ndarray) -> np.ndarray:
        t = np.asarray(weeks_on_floor, dtype=float)
        if self.kind == "none":
            p = np.ones_like(t)
        elif self.kind == "table":
            table = np.asarray(self.table, dtype=float)
            p = np.where(t < len(table), table[np.clip(t.astype(int), 0, len(table) - 1)], 1.0)
        elif self.kind == "exponential":
            p = np.where(t < self.weeks, 1.0 - (1.0 - self.start) * np.exp(-3.0 * t / self.weeks), 1.0)
        else:  # logistic of steepness 8 / weeks centred at weeks / 2, rescaled to run from start to 1
            raw = 1.0 / (1.0 + np.exp(-8.0 / self.weeks * (t - self.weeks / 2.0)))
            low = 1.0 / (1.0 + np.exp(4.0))
            p = np.where(t < self.weeks, self.start + (1 - self.start) * (raw - low) / (1 - 2 * low), 1.0)
        return np.where(t < 0, 0.0, p)


@dataclass(frozen=True, kw_only=True)
class Supply:
    """One agent group's supply side; weeks are counted from the plan's first week (week 0).

    ``attrition_per_week`` maps ``training``, ``first_90_days`` and ``tenured`` to weekly leaving
    rates; ``class_weeks`` are the weeks a class may start (the start calendar), none before
    ``lead_time_weeks`` (recruiting takes that long); ``trainee_capacity`` caps the trainees in
    training in any week (trainers x trainees each); ``transfers`` and ``known_leavers`` are heads
    in (+) and out per week (length = weeks, or empty). Costs are per head per week [currency].
    """

    headcount: float
    attrition_per_week: dict = field(default_factory=lambda: {"training": 0.0, "first_90_days": 0.0, "tenured": 0.0})
    training_weeks: int = 0
    ramp: Ramp = Ramp()
    class_cap: int = 20
    class_weeks: tuple[int, ...] = ()
    lead_time_weeks: int = 0
    trainee_capacity: float = np.inf
    transfers: tuple[float, ...] = ()
    known_leavers: tuple[float, ...] = ()
    max_overtime: float = 0.0  # share of planned productive FTE
    max_undertime: float = 0.0
    cost_per_fte_week: float = 1000.0
    hire_cost: float = 3000.0
    overtime_premium: float = 0.5  # overtime hour costs (1 + premium) x an hour
    shortfall_penalty: float = 5000.0  # per FTE-week short

    def __post_init__(self):
        if not np.isfinite(self.headcount) or self.headcount < 0:
            _fail("headcount", f"expected heads >= 0, got {self.headcount!r}")
        for band in ("training", "first_90_days", "tenured"):
            _fraction(self.attrition_per_week.get(band, 0.0), f"attrition_per_week.{band}")
        extra = set(self.attrition_per_week) - {"training", "first_90_days", "tenured"}
        if extra:
            _fail(f"attrition_per_week.{sorted(extra)[0]}", "unknown band; use training, first_90_days, tenured")
        for name in ("training_weeks", "class_cap", "lead_time_weeks"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                _fail(name, f"expected a whole number >= 0, got {value!r}")
        early = [w for w in self.class_weeks if w < self.lead_time_weeks]
        if early:
            _fail("class_weeks", f"a class starts in week {early[0]}, before the recruiting lead time of "
                  f"{self.lead_time_weeks} weeks; start classes at week {self.lead_time_weeks} or later")
        for name in ("max_overtime", "max_undertime"):
            _fraction(getattr(self, name), name)
        for name in ("cost_per_fte_week", "hire_cost", "overtime_premium", "shortfall_penalty", "trainee_capacity"):
            if getattr(self, name) < 0:
                _fail(name, f"expected a number >= 0, got {getattr(self, name)!r}")

    def rates(self, tenure_weeks: np.ndarray) -> np.ndarray:
        """Weekly attrition rate by tenure (weeks since the class started)."""
        a = self.attrition_per_week
        t = np.asarray(tenure_weeks)
        return np.where(t < self.training_weeks, a.get("training", 0.0),
                        np.where(t < self.training_weeks + WEEKS_IN_90_DAYS, a.get("first_90_days", 0.0),
                                 a.get("tenured", 0.0)))


def survival(supply: Supply, n_weeks: int) -> np.ndarray:
    """Expected share of a class still employed at tenure 0..n_weeks-1 (all present in week 0).

    >>> s = Supply(headcount=0, attrition_per_week={"training": 0.1, "first_90_days": 0.0, "tenured": 0.0},
    ...            training_weeks=2)
    >>> survival(s, 4).round(3).tolist()
    [1.0, 0.9, 0.81, 0.81]
    """
    rates = supply.rates(np.arange(n_weeks))
    return np.concatenate([[1.0], np.cumprod(1.0 - rates[:-1])])[:n_weeks]


def class_matrices(supply: Supply, n_weeks: int, starts) -> tuple[np.ndarray, np.ndarray]:
    """(productive, paid): n_weeks x classes, expected FTE per hire of a class starting at each week.

    Trainees are paid and unproductive; after graduation a hire produces survival x proficiency.
    """
    starts = np.asarray(starts, dtype=int)
    tenure = np.arange(n_weeks)[:, None] - starts[None, :]
    surv = survival(supply, n_weeks)
    on = tenure >= 0
    paid = np.where(on, surv[np.clip(tenure, 0, n_weeks - 1)], 0.0)
    floor = tenure - supply.training_weeks
    productive = paid * np.where(floor >= 0, supply.ramp.proficiency(np.maximum(floor, 0)), 0.0)
    return productive, paid


def existing_fte(supply: Supply, n_weeks: int) -> np.ndarray:
    """Expected heads of the starting staff (tenured) with transfers in and known leavers out.

    Transfers and leavers in week v change the heads from week v + 1 on; heads never go below 0.
    The loop runs over weeks (a recursion), not intervals.
    """
    keep = 1.0 - supply.attrition_per_week.get("tenured", 0.0)
    moves = np.zeros(n_weeks)
    for values, sign in ((supply.transfers, 1.0), (supply.known_leavers, -1.0)):
        v = np.asarray(values, dtype=float)[:n_weeks]
        moves[: len(v)] += sign * v
    heads = np.empty(n_weeks)
    heads[0] = supply.headcount
    for w in range(1, n_weeks):
        heads[w] = max(0.0, heads[w - 1] * keep + moves[w - 1])
    return heads


def esp_recursion(start_fte: float, attrition, new_hire_fte, training_weeks: int) -> np.ndarray:
    """NICE ESP's weekly recursion: FTE(w) = max(0, FTE(w-1) - attrition(w-1)) + hires(w - training).

    ``attrition[w]`` is FTE lost in week w, ``new_hire_fte[w]`` the FTE of the class that starts in
    week w (productive ``training_weeks`` later). Week 0 is ``start_fte`` plus any hires due then.

    >>> esp_recursion(100, [2, 2, 2, 2, 2], [10, 0, 0, 0, 0], 2).tolist()
    [100.0, 98.0, 106.0, 104.0, 102.0]
    """
    attrition = np.asarray(attrition, dtype=float)
    hires = np.asarray(new_hire_fte, dtype=float)
    out = np.empty(len(attrition))
    for w in range(len(out)):
        previous = start_fte if w == 0 else max(0.0, out[w - 1] - attrition[w - 1])
        out[w] = previous + (hires[w - training_weeks] if w >= training_weeks and w > 0 else 0.0)
    return out
