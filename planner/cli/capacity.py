"""``planner capacity``: the long-range capacity plan of a scenario (weeks, hiring, risk)."""

from __future__ import annotations

from pathlib import Path

import click

from planner.cli import CONTEXT, FORCE, _table, cli


@cli.command("capacity", context_settings=CONTEXT)
@click.argument("scenario_paths", metavar="SCENARIO...", nargs=-1, required=True)
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default out/<scenario>-capacity/; with several scenarios, one folder each inside it).")
@FORCE
def capacity_command(scenario_paths, out, force) -> None:
    """Plan hiring months ahead: weekly required FTE, classes, attrition, ramp and the risk of falling short.

    Reads the scenario's [capacity] table (groups with headcount, attrition by tenure, classes,
    training, ramp, overtime; see scenarios/capacity.toml) and the [channel_shift] / [launch]
    what-ifs. Forecasts weekly volume (trend, annual season, holidays), turns it into required FTE
    with the interval staffing engine, solves the hiring MILP (class sizes and starts at least
    cost), simulates attrition and forecast error, and buffers the plan until P(short even with
    maximum overtime) <= alpha in every week hiring can reach. Writes capacity.csv (week x group),
    capacity_classes.csv, capacity_weekly.csv (per channel), capacity_consistency.csv, a plot and
    report.html. With several scenarios (what-ifs such as scenarios/capacity-shift.toml), also
    prints each channel's mean required FTE and each plan's cost side by side.

    \b
    Example:
      planner capacity scenarios/capacity.toml scenarios/capacity-shift.toml --out out/capacity
    """
    results = {}
    for path in scenario_paths:
        stem = Path(path).stem
        folder = (Path(out) / stem if len(scenario_paths) > 1 else Path(out)) if out else Path("out") / f"{stem}-capacity"
        results[stem] = _one(path, folder, force)
    if len(results) > 1:  # side by side, as planner compare shows capacity plans
        from planner.capacity_run import compare_capacity
        from planner.cli.scenarios import _echo_capacity

        _echo_capacity(compare_capacity(results), list(results))


def _one(scenario_path, folder, force):
    from planner.capacity_run import capacity_plan, write_capacity
    from planner.report import check_destination
    from planner.scenario import Scenario

    scenario = Scenario.load(scenario_path)
    folder = check_destination(folder, protect=scenario.inputs(), force=force)
    result = capacity_plan(scenario)
    write_capacity(folder, result, scenario, force=force)
    plan, buffered = result.result.plan, result.result.buffered
    click.echo(f"hiring MILP: {plan.solve_s:.2f} s, MIP gap {plan.mip_gap:.1e}; cost {plan.cost:,.0f}; "
               f"buffered plan {buffered.cost:,.0f} (+{result.result.extra_cost:,.0f})")
    click.echo("classes:\n" + (_table(result.classes, ["group", "start_week_date", "hires", "graduation_week_date",
                                                         "ramp_complete_week_date"]) if len(result.classes) else "none"))
    click.echo("long-range backtest (MASE against the in-sample 52-week naive):\n" + _table(result.accuracy))
    c = result.consistency
    click.echo(f"required FTE against the interval plan over {c['period'].nunique()} common weeks: largest difference "
               f"{c['capacity_difference_percent'].abs().max():.3f}% (the capacity plan uses the interval plan's own)")
    engine = c.assign(d=c["difference_percent"].abs()).groupby("channel").agg(
        interior_weeks_max_abs_percent=("d", lambda v: v[~c.loc[v.index, "boundary_week"]].max()),
        all_weeks_max_abs_percent=("d", "max"))
    click.echo("the extrapolation engine (template week re-staffed) against the interval plan, per channel "
               "(interior: not the plan's first or last week):\n"
               + engine.reset_index().to_string(index=False, float_format="{:.3f}".format))
    click.echo(f"-> {folder}/")
    return result
