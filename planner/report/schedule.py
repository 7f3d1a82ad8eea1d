"""A schedule's outputs: shifts.csv, coverage.csv, daily and summary tables, plots, and report sections."""

from __future__ import annotations

import pandas as pd  # noqa: F401  (the doctest uses it)

from planner.report.output import OutputFolder
from planner.schedule import Schedule
from planner.schedule.plots import coverage_figure

__all__ = ["write_schedule"]

NOTE = ("Coverage counts heads on shift and not on break; the requirement is agents_fractional / (1 - shrinkage) "
        "per interval (the channel's shrinkage should then leave out the breaks planned here). The LP bound is the "
        "least cost any schedule with these templates can have: the gap is how far this schedule can be from the best.")


def write_schedule(folder: OutputFolder, schedule: Schedule, *, title: str = "Schedule") -> list[tuple[str, list]]:
    """Write ``shifts.csv``, ``coverage.csv``, ``schedule_daily.csv``, ``schedule_summary.csv``,
    ``schedule_simulated.csv`` (when simulated) and ``coverage_<group>.png``; return report sections.

    >>> import tempfile, pathlib
    >>> starts = pd.date_range("2026-07-06 08:00", periods=4, freq="15min", tz="Europe/London")
    >>> coverage = pd.DataFrame({"interval_start": starts, "group": "phone", "requirement": 1.0, "scheduled": 1,
    ...                          "coverage": 1, "short": False})
    >>> s = Schedule(shifts=pd.DataFrame({"count": [1]}), coverage=coverage, daily=pd.DataFrame(),
    ...              summary=pd.DataFrame({"group": ["phone"]}))
    >>> with OutputFolder(pathlib.Path(tempfile.mkdtemp()) / "out", protect=[]) as out:
    ...     sections = write_schedule(out, s)
    >>> sorted(out.files)[:2], [heading for heading, _ in sections]
    (['coverage.csv', 'coverage_phone.png'], ['Schedule', 'Coverage against requirement per day'])
    """
    folder.write_csv("shifts.csv", schedule.shifts)
    folder.write_csv("coverage.csv", schedule.coverage)
    folder.write_csv("schedule_daily.csv", schedule.daily)
    folder.write_csv("schedule_summary.csv", schedule.summary)
    images = []
    for group in dict.fromkeys(schedule.coverage["group"]):
        png = folder.write_png(f"coverage_{group}.png", coverage_figure(schedule.coverage, group=group))
        images.append((png, f"coverage against requirement for {group}"))
    sections = [(title, [NOTE, schedule.summary, schedule.daily]), ("Coverage against requirement per day", images)]
    if schedule.simulation is not None:
        folder.write_csv("schedule_simulated.csv", schedule.simulation)
        shown = [c for c in schedule.simulation.columns if not c.endswith(("_lo", "_hi"))]
        sections.append(("The schedule simulated next to the plan", [
            "Simulated service level, abandonment and share within the deadline of the plan's own agents and of "
            "the schedule's coverage (bounds in schedule_simulated.csv).", schedule.simulation[shown]]))
    return sections
