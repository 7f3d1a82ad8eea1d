"""Shift scheduling: shifts with breaks that cover a staffing plan, and rosters checked against it.

- :mod:`planner.schedule.spec`: shift templates, breaks, tours, the objective (frozen specs).
- :mod:`planner.schedule.tables`: the scenario's ``[[shifts]]`` and ``[schedule]`` tables -> specs.
- :mod:`planner.schedule.model`: the implicit break model (Aykin 1996) on an absolute interval grid.
- :mod:`planner.schedule.solve`: the MILP with HiGHS (:func:`scipy.optimize.milp`), with its LP bound.
- :mod:`planner.schedule.service`: service level per head, for the ``service`` objective.
- :func:`design`: a plan -> :class:`Schedule` (``shifts``, ``coverage``, ``daily``, ``summary``).
- :mod:`planner.schedule.roster`: an existing roster's coverage and gap (``planner gap``).
- :mod:`planner.schedule.replay`: the schedule simulated next to the plan.

Example: two agents all morning, one more from 10:00, with 4-hour shifts and one 15-minute break
between 1.5 and 2.5 hours in:

>>> import pandas as pd
>>> import planner as pl
>>> starts = pd.date_range("2026-07-06 08:00", periods=24, freq="15min", tz="Europe/London")
>>> plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice",
...                      "agents_fractional": [2.0] * 8 + [3.0] * 16, "shrinkage": 0.0})
>>> four = pl.ShiftTemplate(name="four", channels=("phone",), length_s=4 * 3600, earliest_start_s=8 * 3600,
...     latest_start_s=10 * 3600, breaks=(pl.Break(length_s=900, paid=True, earliest_s=5400, latest_s=9000),))
>>> schedule = pl.schedule.design(plan, pl.ScheduleSpec(templates=(four,)), interval_s=900)
>>> bool((schedule.coverage["coverage"] >= schedule.coverage["requirement"]).all())
True
>>> schedule.summary[["paid_hours", "lp_bound"]].values.tolist()
[[20.0, 20.0]]
"""

from planner.schedule.design import Schedule, design
from planner.schedule.replay import design_and_simulate, scheduled_plan, simulate_schedule
from planner.schedule.roster import read_roster, roster_schedule
from planner.schedule.spec import Break, ScheduleSpec, ShiftTemplate, Tour
from planner.schedule.tables import read_schedule, schedule_spec

__all__ = ["design", "Schedule", "ScheduleSpec", "ShiftTemplate", "Break", "Tour", "read_schedule", "schedule_spec",
           "read_roster", "roster_schedule", "scheduled_plan", "simulate_schedule", "design_and_simulate"]
