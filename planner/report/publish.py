"""Every output of a scenario run, written into one folder atomically: tables, plots, the HTML report.

:func:`write_run` is what :meth:`planner.scenario.Scenario.write` calls: the plan and its
roll-ups, the per-segment and campaign tables, the price of confidence, plots, the report page
(and ``plan.xlsx``), the schedule when the run has one, and the manifest, all or none
(:class:`~planner.report.output.OutputFolder`). It takes the run's frames and the scenario's
settings as plain values, so the report layer never imports the scenario pipeline.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Mapping

from planner.calendar import interval_s_of
from planner.config import ScenarioConfig
from planner.report.html import report_html
from planner.report.groups import write_groups
from planner.report.multiclass import extra_tables
from planner.report.output import OutputFolder
from planner.report.plots import daily_fte_figure, forecast_figure, staffing_heatmap
from planner.report.rollup import summary_table
from planner.report.schedule import write_schedule
from planner.staffing.confidence import price_of_confidence

__all__ = ["write_run"]


def write_run(result, out: str | Path, *, config: ScenarioConfig, title: str, specs: Mapping,
              protect: list[Path], manifest: Callable[[object], dict], xlsx: bool = False,
              progress: Callable[[str], None] | None = None, force: bool = False) -> Path:
    """Write a run's outputs into ``out`` (all files or none); returns the folder.

    Parameters
    ----------
    result : planner.scenario.RunResult
        The run: ``history, forecast, plan, daily, weekly, calibration, schedule, timings``;
        ``timings["report"]`` [s] is set here, before the manifest is made.
    out : str or Path
        The output folder (replaced atomically).
    config : ScenarioConfig
        The scenario's settings (channels and their kinds, interval, path, model).
    title : str
        The scenario's name, for the report's title.
    specs : mapping of str to channel spec
        The staffing spec of every channel (:meth:`planner.scenario.Scenario.channel_specs`).
    protect : list of Path
        Input files that must never be overwritten.
    manifest : callable
        ``manifest(result) -> dict``: what the run used (written as ``manifest.json``).
    xlsx : bool
        Also write ``plan.xlsx``.
    progress : callable, optional
        Told ``"plots"`` and ``"report"`` as the stages end.
    force : bool
        Replace ``out`` even if it holds files planner did not write (:class:`OutputFolder`).
    """
    note = progress or (lambda stage: None)
    started = time.perf_counter()
    channels = list(config.channels)
    interval_s = config.interval_s or interval_s_of(result.plan)  # None in the file: the history's own
    with OutputFolder(out, protect=protect, force=force) as folder:
        folder.write_csv("forecast.csv", result.forecast)
        folder.write_csv("plan.csv", result.plan)
        folder.write_csv("daily.csv", result.daily)
        folder.write_csv("weekly.csv", result.weekly)
        extra = extra_tables(result.plan, interval_s)  # segments, campaigns
        for file, _, table in extra:
            folder.write_csv(file, table)
        if result.calibration is not None:
            folder.write_csv("calibration.csv", result.calibration)
        price = price_of_confidence(result.plan, specs, interval_s=interval_s)
        if len(price):  # agent-hours and expected service level of each staffing rule
            folder.write_csv("confidence.csv", price)
        images: list = []
        for channel in [c for c in channels if config.channels[c]["kind"] != "outbound"]:  # campaigns: no forecast
            png = folder.write_png(f"forecast_{channel}.png",
                                   forecast_figure(result.forecast, result.history, channel=channel))
            images.append((f"Forecast: {channel}", [(png, f"forecast of {channel}")]))
        heatmaps = []
        for channel in channels:
            png = folder.write_png(f"agents_{channel}.png", staffing_heatmap(result.plan, channel=channel))
            heatmaps.append((png, f"required agents for {channel}"))
        fte_png = folder.write_png("daily_fte.png", daily_fte_figure(result.daily))
        note("plots")
        summary = summary_table(result.plan, result.weekly)
        page = report_html(
            title=f"Staffing plan: {title}",
            meta=f"{config.path} | {result.plan['interval_start'].min():%Y-%m-%d} to "
                 f"{result.plan['interval_start'].max():%Y-%m-%d} | {interval_s / 60:g}-minute intervals | model "
                 f"{config.model} | 1 FTE = {config.paid_hours_per_day:g} paid hours a day, "
                 f"{config.paid_days_per_week:g} days a week",
            sections=[("Summary by channel", [summary]),
                      ("Required FTE per day", [(fte_png, "daily FTE"), result.daily]),
                      ("Weekly", [result.weekly]), *[(heading, [table]) for _, heading, table in extra],
                      *([("What confidence costs: each staffing rule (used: this plan's)", [price])] if len(price) else []),
                      *([("Settings learned from the contact log", [result.calibration])]
                        if result.calibration is not None else []),
                      *images,
                      ("Required agents by weekday and time of day", heatmaps),
                      *(write_schedule(folder, result.schedule) if result.schedule is not None else []),
                      *(write_groups(folder, result.groups, result.plan, interval_s=interval_s, paid_hours_per_day=config.paid_hours_per_day,
                                     paid_days_per_week=config.paid_days_per_week) if getattr(result, "groups", None) is not None else [])],
        )
        folder.write_text("report.html", page)
        if xlsx:
            folder.write_xlsx("plan.xlsx", {"summary": summary, "daily": result.daily, "weekly": result.weekly,
                                            "plan": result.plan, "forecast": result.forecast})
        result.timings["report"] = time.perf_counter() - started
        folder.write_json("manifest.json", manifest(result))
    note("report")
    return Path(out)
