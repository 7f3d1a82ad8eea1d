"""``planner sweep``: a grid of what-ifs over a scenario, one long results table and a comparison plot."""

from __future__ import annotations

from pathlib import Path

import click

from planner.cli import CONTEXT, FORCE, UNIT_OPTIONS, _table, cli


@cli.command("sweep", context_settings=CONTEXT)
@click.argument("scenario_path", metavar="SCENARIO")
@click.option("--grid", "grid_path", type=click.Path(dir_okay=False), required=True,
              help="TOML grid of what-ifs: [grid] with dotted scenario keys and lists of values, or scenarios = [...].")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Folder for results.csv, failures.csv and sweep.png (default out/<scenario>-sweep/).")
@UNIT_OPTIONS
@FORCE
def sweep_command(scenario_path, grid_path, out, jobs, engine, scheduler, force) -> None:
    """Run every combination of a grid of what-ifs and compare them: FTE, service level and cost per week.

    Each what-if is the scenario with the grid's keys changed (volume and AHT factors, targets,
    shrinkage...), or another scenario file. Channels are forecast once per history and staffed per
    what-if, in parallel (--jobs, or Dask with --engine dask). Writes results.csv (scenario, channel,
    week, offered, fte, fte_gross, service_level, agent_hours_gross, cost) and sweep.png; a unit that
    fails is listed in failures.csv and on stderr, and the others complete.

    \b
    Example:
      planner sweep scenarios/base.toml --grid scenarios/grid.toml --jobs 2
    """
    from planner.report import OutputFolder, compare_figure
    from planner.sweep import load_grid

    sweep = load_grid(scenario_path, grid_path)  # every what-if is checked before any work
    inputs = [Path(grid_path), *{p for s in sweep.variants.values() for p in s.inputs()}, *sweep.base.inputs()]
    folder = Path(out) if out else Path("out") / f"{Path(scenario_path).stem}-sweep"
    with OutputFolder.claim(folder, protect=inputs, force=force):
        result = sweep.run(jobs=jobs, engine=engine, scheduler=scheduler)
        with OutputFolder(folder, protect=inputs, force=force) as target:
            target.write_csv("results.csv", result.results)
            if len(result.failures):
                target.write_csv("failures.csv", result.failures)
            if result.weekly:
                target.write_png("sweep.png", compare_figure(result.weekly))
    totals = result.results.groupby(["scenario", "week"], sort=False)[["fte_gross", "cost"]].sum(min_count=1)
    summary = totals.groupby(level="scenario", sort=False).mean().reset_index()
    summary.columns = ["scenario", "gross FTE (mean week)", "cost (mean week)"]
    click.echo(f"{len(sweep.variants)} what-ifs of {sweep.base.name}: {len(result.results):,} rows -> {folder}/")
    click.echo(_table(summary))
    for row in result.failures.itertuples():
        click.echo(f"Failed: {row.scenario}: {row.unit}: {row.error}", err=True)
