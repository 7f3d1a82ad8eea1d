"""``planner reforecast``: update the rest of today from the actuals so far and re-staff it."""

from __future__ import annotations

from pathlib import Path

import click

from planner.cli import CONTEXT, FORCE, _table, cli


@cli.command("reforecast", context_settings=CONTEXT)
@click.argument("scenario_path", metavar="SCENARIO")
@click.option("--actuals", "actuals_path", required=True, type=click.Path(dir_okay=False),
              help="Today's counts so far: interval_start, channel, offered [, backlog of deferred channels].")
@click.option("--at", default=None, help="The cut, e.g. 10:00 (default: the end of the last interval in the actuals).")
@click.option("--method", type=click.Choice(["gaussian", "ratio", "credibility"]), default="gaussian", show_default=True,
              help="gaussian: condition on the day so far; ratio / credibility: ratio-to-date, next 2 hours only.")
@click.option("--days", type=click.IntRange(min=5), default=40, show_default=True,
              help="Days of day-ahead backtest whose residuals teach the update.")
@click.option("--threshold", "threshold_agents", type=click.FloatRange(min=0), default=1, show_default=True,
              help="Least change of an interval's requirement that goes on the call list [agents].")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default out/<scenario>-reforecast/).")
@FORCE
def reforecast_command(scenario_path, actuals_path, at, method, days, threshold_agents, out, force) -> None:
    """Update the rest of today's forecast from the actuals so far, re-staff it, and list the changes.

    The update conditions the rest of the day on the intervals observed so far, with the
    covariance of the model's own day-ahead errors (learned from a backtest of the last --days
    days). The remaining intervals are re-staffed with each channel's rule; call_list.csv lists
    the intervals whose requirement moves by --threshold agents or more (add or release).
    Writes forecast.csv and plan.csv (remaining intervals), actuals.csv, call_list.csv,
    reforecast.png and manifest.json.

    \b
    Example:
      planner reforecast scenarios/base.toml --actuals today.csv --at 10:00
    """
    from planner.microplan.run import reforecast_scenario, write_reforecast
    from planner.report import OutputFolder
    from planner.scenario import Scenario

    scenario = Scenario.load(scenario_path)
    folder = Path(out) if out else Path("out") / f"{Path(scenario_path).stem}-reforecast"
    with OutputFolder.claim(folder, protect=[*scenario.inputs(), Path(actuals_path)], force=force):
        result, prior = reforecast_scenario(scenario, actuals_path, at=at, days=days, method=method,
                                            threshold_agents=threshold_agents)
        write_reforecast(result, prior, folder, scenario=scenario, actuals_path=actuals_path, force=force)
    calls = result.call_list
    click.echo(f"reforecast at {result.at.strftime('%Y-%m-%d %H:%M')} ({result.method}): "
               f"{len(result.forecast)} remaining intervals; {0 if calls is None else len(calls)} on the call list")
    if calls is not None and len(calls):
        shown = calls.assign(interval_start=calls["interval_start"].dt.strftime("%H:%M"))
        click.echo(_table(shown.head(20)))
    click.echo(f"wrote {folder}")
