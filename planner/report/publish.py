"""Every output of a scenario run, written into one folder atomically: tables, plots, the HTML report.

:func:`write_run` is what :meth:`planner.scenario.Scenario.write` calls: the plan and its
roll-ups, the per-segment and campaign tables, the price of confidence, plots, the report page
(and ``plan.xlsx``), the schedule when the run has one, and the manifest, all or none
(:class:`~planner.report.output.OutputFolder`). It takes the run's frames and the scenario's
settings as plain values, so the report layer never imports the scenario pipeline.
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import Callable, Mapping

import pandas as pd

from planner.calendar import interval_s_of
from planner.config import ScenarioConfig
from planner.report.html import DaySelector, report_html
from planner.report.groups import write_groups
from planner.report.multiclass import extra_tables
from planner.report.output import OutputFolder
from planner.report.parallel import channel_pngs, figure_file, run_tasks, timed_csv, timed_workbook
from planner.report.plots import MANY, daily_fte_figure, forecast_grid, heatmap_grid
from planner.report.rollup import summary_table
from planner.report.summary import display_summary, summary_of
from planner.report.workbook import split_settings
from planner.report.views import busiest_days, day_label, fte_by_period, interval_view, interval_views
from planner.report.schedule import write_schedule
from planner.staffing.confidence import price_of_confidence

__all__ = ["write_run"]


def _price_tasks(plan, specs: Mapping, interval_s: float, parts: int = 4) -> list:
    """The price of confidence in ``parts`` tasks of whole channels (its longest piece: every live
    channel restaffed under every rule); concatenated in order they are the table of one call."""
    names = sorted(plan["channel"].unique())
    size = -(-len(names) // parts) if names else 1
    groups = [names[i:i + size] for i in range(0, len(names), size)] or [[]]
    price = partial(price_of_confidence, interval_s=interval_s)
    return [(price, (plan[plan["channel"].isin(group)], specs)) for group in groups]


def _plot_tasks(result, config, folder: OutputFolder, channels: list[str]) -> list:
    """One task per channel: its forecast plot (none for a campaign) and its agents heatmap; beyond
    :data:`~planner.report.plots.MANY` channels, two tasks: the small multiples ``forecasts.png``
    (every channel but campaigns) and ``agents.png``."""
    if len(channels) > MANY:
        forecast = [c for c in channels if config.channels[c]["kind"] != "outbound"]
        return [(figure_file, (forecast_grid, (result.forecast, result.history if len(result.history) else None),
                               {"channels": forecast}, folder._target("forecasts.png"))),
                (figure_file, (heatmap_grid, (result.plan,), {"channels": channels}, folder._target("agents.png")))]
    forecasts = dict(tuple(result.forecast.groupby("channel", sort=False)))
    histories = dict(tuple(result.history.groupby("channel", sort=False))) if len(result.history) else {}
    plans = dict(tuple(result.plan.groupby("channel", sort=False)))
    tasks = []
    for channel in channels:
        campaign = config.channels[channel]["kind"] == "outbound"  # campaigns: no forecast
        paths = (None if campaign else folder._target(f"forecast_{channel}.png"), folder._target(f"agents_{channel}.png"))
        tasks.append((channel_pngs, (channel, forecasts.get(channel, result.forecast.iloc[:0]),
                                     histories.get(channel), plans.get(channel, result.plan.iloc[:0]), paths)))
    return tasks

SUMMARY_NOTE = ("FTE = agent-hours / paid hours of one FTE over the horizon (net, and gross after shrinkage); "
                "peak agents = the largest whole-agent requirement of one interval (local time); service level "
                "and abandonment weighted by volume; deferred channels: share answered within the deadline. "
                "At risk: intervals (deferred: days) under the target.")


def write_run(result, out: str | Path, *, config: ScenarioConfig, title: str, specs: Mapping,
              protect: list[Path], manifest: Callable[[object], dict], xlsx: bool = False,
              progress: Callable[[str], None] | None = None, force: bool = False,
              workers: int | None = None) -> Path:
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
    workers : int, optional
        Processes for the plots, the large files and the workbook (default: the processors
        available, at most 4; 1 runs everything in this process). The files are the same.
    """
    note = progress or (lambda stage: None)
    started = time.perf_counter()
    channels = list(config.channels)
    interval_s = config.interval_s or interval_s_of(result.plan)  # None in the file: the history's own
    with OutputFolder(out, protect=protect, force=force) as folder:
        first, weeks = summary_of(result.plan, config), summary_of(result.plan, config, by="week")
        summary = summary_table(result.plan, result.weekly)
        # The long pieces run on a process pool, longest first (planner.report.parallel).
        price_tasks = _price_tasks(result.plan, specs, interval_s)
        tasks = [*price_tasks, (timed_csv, (result.plan, folder._target("plan.csv"))),
                 (timed_csv, (result.forecast, folder._target("forecast.csv")))]
        if xlsx:  # the summary first; channel settings on a sheet of their own
            varying, settings = split_settings(result.plan)  # the forecast's columns are the plan's first ones
            tasks.insert(0, (timed_workbook, (folder._target("plan.xlsx"), {
                "summary": first, "summary by week": weeks, "FTE per day": fte_by_period(result.daily),
                "FTE per week": fte_by_period(result.weekly, by="week"), "volume by channel": summary,
                "daily": result.daily, "weekly": result.weekly, "plan": varying, "channel settings": settings})))
        tasks += _plot_tasks(result, config, folder, channels)
        done = run_tasks(tasks, workers=workers)
        if xlsx:
            result.timings["workbook"] = done.pop(0)  # [s] of its own process
        prices = [table for table in done[:len(price_tasks)] if len(table)]
        price = pd.concat(prices, ignore_index=True) if prices else pd.DataFrame()
        folder.write_csv("daily.csv", result.daily)
        folder.write_csv("weekly.csv", result.weekly)
        extra = extra_tables(result.plan, interval_s)  # segments, campaigns
        for file, _, table in extra:
            folder.write_csv(file, table)
        if result.calibration is not None:
            folder.write_csv("calibration.csv", result.calibration)
        if len(price):  # agent-hours and expected service level of each staffing rule
            folder.write_csv("confidence.csv", price)
        images, heatmaps = [], []
        if len(channels) > MANY:  # small multiples: one figure of forecasts, one of heatmaps
            forecasts_png, heatmap_png = done[len(price_tasks) + 2:]
            images.append((f"Forecasts of {len(channels)} channels", [(forecasts_png, "forecasts of every channel")]))
            heatmaps.append((heatmap_png, "required agents for every channel"))
        for channel, (forecast_png, heatmap_png) in zip(channels, done[len(price_tasks) + 2:] if len(channels) <= MANY else []):
            if forecast_png is not None:
                images.append((f"Forecast: {channel}", [(forecast_png, f"forecast of {channel}")]))
            heatmaps.append((heatmap_png, f"required agents for {channel}"))
        fte_png = folder.write_png("daily_fte.png", daily_fte_figure(result.daily))
        note("plots")
        folder.write_csv("summary.csv", first)
        folder.write_csv("summary_weekly.csv", weeks)
        page = report_html(
            title=f"Staffing plan: {title}",
            meta=f"{config.path} | {result.plan['interval_start'].min():%Y-%m-%d} to "
                 f"{result.plan['interval_start'].max():%Y-%m-%d} | {interval_s / 60:g}-minute intervals | model "
                 f"{config.model} | 1 FTE = {config.paid_hours_per_day:g} paid hours a day, "
                 f"{config.paid_days_per_week:g} days a week",
            sections=[("Summary: does the plan meet its targets?", [SUMMARY_NOTE, display_summary(first)]),
                      ("Summary per week", [display_summary(weeks)]),
                      ("Volume and workload by channel", [summary]),
                      ("Required FTE per day (gross, after shrinkage)",
                       [(fte_png, "daily FTE"), fte_by_period(result.daily), "Net FTE (before shrinkage):",
                        fte_by_period(result.daily, value="fte")]),
                      ("Required FTE per week (gross; a week's FTE = agent-hours / "
                       f"{config.paid_hours_per_day * config.paid_days_per_week:g} paid hours)",
                       [fte_by_period(result.weekly, by="week"), "Net FTE (before shrinkage):",
                        fte_by_period(result.weekly, value="fte", by="week")]),
                      ("Any day: agents per interval (net whole agents; totals net and gross)", [
                          DaySelector({day_label(day): view for day, view in interval_views(result.plan).items()}),
                          "Pick a day above (or planner run SCENARIO --day YYYY-MM-DD). Below, the busiest day of "
                          "each week."]),
                      ("The busiest day of each week: agents per interval", [
                          item for day in busiest_days(result.plan, interval_s=interval_s)
                          for item in (f"{day_label(day)} (any other day: planner run SCENARIO --day {day})",
                                       interval_view(result.plan, day))]),
                      ("Daily and weekly roll-ups (daily.csv, weekly.csv)", [result.daily, result.weekly]), *[(heading, [table]) for _, heading, table in extra],
                      *([("What confidence costs: each staffing rule (used: this plan's)", [price])] if len(price) else []),
                      *([("Settings learned from the contact log", [result.calibration])]
                        if result.calibration is not None else []),
                      *images,
                      ("Required agents (net of shrinkage) by weekday and time of day", heatmaps),
                      *(write_schedule(folder, result.schedule) if result.schedule is not None else []),
                      *(write_groups(folder, result.groups, result.plan, interval_s=interval_s, paid_hours_per_day=config.paid_hours_per_day,
                                     paid_days_per_week=config.paid_days_per_week) if getattr(result, "groups", None) is not None else [])],
        )
        folder.write_text("report.html", page)
        result.timings["report"] = time.perf_counter() - started
        folder.write_json("manifest.json", manifest(result))
    note("report")
    return Path(out)
