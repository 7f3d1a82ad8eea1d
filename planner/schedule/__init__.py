"""Shift scheduling: shifts with breaks that cover a staffing plan, and rosters checked against it.

- :mod:`planner.schedule.spec`: shift templates, breaks, tours, the objective (frozen specs).
- :mod:`planner.schedule.tables`: the scenario's ``[[shifts]]`` and ``[schedule]`` tables -> specs.
- :mod:`planner.schedule.model`: the implicit break model (Aykin 1996) on an absolute interval grid.
- :mod:`planner.schedule.solve`: the MILP with HiGHS (:func:`scipy.optimize.milp`), with its LP bound.
- :mod:`planner.schedule.service`: service level per head, for the ``service`` objective.
- :func:`design`: a plan -> :class:`Schedule` (``shifts``, ``coverage``, ``daily``, ``summary``).
- :mod:`planner.schedule.roster`: an existing roster's coverage and gap (``planner gap``).
- :mod:`planner.schedule.replay`: the schedule simulated next to the plan.
"""

from planner.schedule.design import Schedule, design
from planner.schedule.replay import design_and_simulate, scheduled_plan, simulate_schedule
from planner.schedule.roster import read_roster, roster_schedule
from planner.schedule.spec import Break, ScheduleSpec, ShiftTemplate, Tour
from planner.schedule.tables import read_schedule, schedule_spec

__all__ = ["design", "Schedule", "ScheduleSpec", "ShiftTemplate", "Break", "Tour", "read_schedule", "schedule_spec",
           "read_roster", "roster_schedule", "scheduled_plan", "simulate_schedule", "design_and_simulate"]
