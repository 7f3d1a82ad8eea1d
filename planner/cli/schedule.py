"""``planner schedule`` and ``planner gap``: shifts with breaks for a plan, and a roster against it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from planner.cli import CONTEXT, DURATION, FORCE, _table, cli

OBJECTIVES = ("cover", "soft", "service")


def _plan_and_spec(scenario_path, plan_path, *, need_templates: bool):
    from planner.calendar import interval_s_of
    from planner.schedule import ScheduleSpec, schedule_spec
    from planner.scenario import Scenario
    from planner.simulate import read_plan

    scenario = Scenario.load(scenario_path)
    spec = schedule_spec(scenario.config)
    if spec is None and need_templates:
        raise click.UsageError(f"{scenario_path} has no [[shifts]] tables: add shift templates (see README, "
                               "Shift schedules, and scenarios/shifts.toml)")
    if plan_path is not None:
        plan = read_plan(plan_path)
        inputs = [*scenario.inputs(), Path(plan_path)]
    else:
        plan = scenario.replace(shifts=(), schedule={}).run().plan  # the schedule is designed below, once
        inputs = scenario.inputs()
    spec = schedule_spec(scenario.config, interval_s=interval_s_of(plan)) or ScheduleSpec(templates=())
    return scenario, spec, plan, inputs


def _write(folder: Path, schedule, scenario, inputs, title: str, force: bool) -> None:
    from planner.report import OutputFolder, report_html
    from planner.report.schedule import write_schedule

    with OutputFolder(folder, protect=inputs, force=force) as target:
        sections = write_schedule(target, schedule, title=title)
        target.write_text("report.html", report_html(title=f"{title}: {scenario.name}", meta=str(scenario.config.path),
                                                     sections=sections))


def _show(schedule) -> None:
    summary = schedule.summary.assign(gap_percent=100 * schedule.summary["gap"])
    shown = ["group", "objective", "paid_hours", "lp_bound", "gap_percent", "shifts", "short_intervals", "service_level"]
    click.echo(_table(summary, [c for c in shown if summary[c].notna().any() or c == "group"]))
    click.echo("per day:\n" + _table(schedule.daily))
    if schedule.simulation is not None:
        sim = schedule.simulation
        click.echo("simulated (plan's agents vs the schedule):\n" + _table(
            sim, ["channel", "plan_service_level", "schedule_service_level", "plan_abandon_rate",
                  "schedule_abandon_rate"]))


@cli.command("schedule", context_settings=CONTEXT)
@click.argument("scenario_path", metavar="SCENARIO")
@click.option("--plan", "plan_path", type=click.Path(dir_okay=False), default=None,
              help="Schedule this plan.csv (from planner run) instead of forecasting and staffing again.")
@click.option("--objective", type=click.Choice(OBJECTIVES), default=None,
              help="Override [schedule] objective: cover every interval, soft (penalties), or service (SL per period).")
@click.option("--time-limit", "time_limit_s", type=DURATION, default=None, help="Solver time limit per group, e.g. 60s.")
@click.option("--replications", type=click.IntRange(min=0), default=None,
              help="Simulation replications of the schedule next to the plan (0: no simulation).")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default out/<scenario>-schedule/).")
@FORCE
def schedule_command(scenario_path, plan_path, objective, time_limit_s, replications, out, force) -> None:
    """Design shifts with breaks that cover a scenario's plan, from its [[shifts]] templates.

    Solves the implicit break model as a MILP (HiGHS) per group of channels and reports the paid
    hours, the LP lower bound and the gap (how far from the best schedule it can be), coverage
    against the requirement per interval and day, and the intervals short. Writes shifts.csv,
    coverage.csv, schedule_daily.csv, schedule_summary.csv, schedule_simulated.csv, one
    coverage_<group>.png per group and report.html. `planner run` does the same when the scenario
    has [[shifts]]; this command schedules alone, optionally an existing plan.csv.

    \b
    Example:
      planner schedule scenarios/shifts.toml --objective service --out out/shifts-service
    """
    from planner.schedule import design_and_simulate

    from planner.report import check_destination

    folder = check_destination(Path(out) if out else Path("out") / f"{Path(scenario_path).stem}-schedule", force=force)
    scenario, spec, plan, inputs = _plan_and_spec(scenario_path, plan_path, need_templates=True)
    changes = {k: v for k, v in (("objective", objective), ("time_limit_s", time_limit_s),
                                 ("replications", replications)) if v is not None}
    try:
        spec = dataclasses.replace(spec, **changes)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    schedule = design_and_simulate(plan, spec, seed=scenario.config.seed)
    _write(folder, schedule, scenario, inputs, "Schedule", force)
    _show(schedule)
    click.echo(f"-> {folder}/")


@cli.command("gap", context_settings=CONTEXT)
@click.argument("scenario_path", metavar="SCENARIO")
@click.option("--roster", "roster_path", type=click.Path(dir_okay=False), required=True,
              help="Roster CSV: start,end[,breaks,count,agent_id,channels] per shift, or template,start,count.")
@click.option("--plan", "plan_path", type=click.Path(dir_okay=False), default=None,
              help="Compare with this plan.csv instead of forecasting and staffing again.")
@click.option("--replications", type=click.IntRange(min=0), default=None,
              help="Simulation replications of the roster next to the plan (0: no simulation).")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default out/<scenario>-gap/).")
@FORCE
def gap_command(scenario_path, roster_path, plan_path, replications, out, force) -> None:
    """Compare an existing roster with a scenario's requirement, interval by interval.

    Prints scheduled against required agent-hours per day, the net over and under, the
    intervals at risk (coverage below the requirement) with the service level that coverage
    gives, and the roster simulated next to the plan. Writes coverage.csv, schedule_daily.csv,
    shifts.csv (the roster read), plots and report.html.

    \b
    Example:
      planner gap scenarios/shifts.toml --roster roster.csv --plan out/shifts/plan.csv
    """
    from planner.report import check_destination
    from planner.schedule import design_and_simulate, read_roster

    folder = check_destination(Path(out) if out else Path("out") / f"{Path(scenario_path).stem}-gap", force=force)
    scenario, spec, plan, inputs = _plan_and_spec(scenario_path, plan_path, need_templates=False)
    if replications is not None:
        spec = dataclasses.replace(spec, replications=replications)
    roster = read_roster(roster_path, tz=scenario.config.timezone)
    schedule = design_and_simulate(plan, spec, seed=scenario.config.seed, roster=roster, source=roster_path)
    _write(folder, schedule, scenario, [*inputs, Path(roster_path)], "Roster against the requirement", force)
    _show(schedule)
    risk = schedule.coverage[schedule.coverage["short"]]
    click.echo(f"intervals at risk: {len(risk)}" + (" (first 20):" if len(risk) > 20 else ":" if len(risk) else ""))
    if len(risk):
        click.echo(_table(risk.head(20), ["interval_start", "group", "requirement", "coverage", "service_level"]))
    click.echo(f"-> {folder}/")
