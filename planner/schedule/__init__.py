"""Shift scheduling: shifts with breaks that cover a staffing plan, and rosters checked against it.

- :mod:`planner.schedule.spec`: shift templates (``[[shifts]]``), breaks, tours, the objective.
- :mod:`planner.schedule.model`: the implicit break model (Aykin 1996) on an absolute interval grid.
- :mod:`planner.schedule.solve`: the MILP with HiGHS (:func:`scipy.optimize.milp`), with its LP bound.
- :mod:`planner.schedule.service`: service level per head, for the ``service`` objective.
- :func:`design`: a plan -> :class:`Schedule` (``shifts``, ``coverage``, ``daily``, ``summary``).
"""

from planner.schedule.design import Schedule, design
from planner.schedule.spec import Break, ScheduleSpec, ShiftTemplate, Tour, read_schedule

__all__ = ["design", "Schedule", "ScheduleSpec", "ShiftTemplate", "Break", "Tour", "read_schedule"]
