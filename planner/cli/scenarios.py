"""``planner run, check, forecast, backtest, staff, compare``: the scenario commands."""

from __future__ import annotations

import contextlib
import datetime
import sys
from pathlib import Path

import click

from planner.cli import CONTEXT, FORCE, UNIT_OPTIONS, _table, cli


STAGES = ("read", "forecast", "staff", "roll-up", "plots", "report")


def _out_folder(out, scenario_path: str, many: bool) -> Path:
    """``out/<scenario file name>/`` by default; with several scenarios, one folder each under --out."""
    stem = Path(scenario_path).stem
    if out is None:
        return Path("out") / stem
    return Path(out) / stem if many else Path(out)


def _bar(length: int, label: str):
    """A progress bar on stderr, only on a terminal (quiet in scripts, logs and CI)."""
    if not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    return click.progressbar(length=length, label=label, file=sys.stderr)


def _stages(label: str):
    """A progress bar over the run's stages on stderr (only on a terminal)."""
    return _bar(len(STAGES), label)


@cli.command("run", context_settings=CONTEXT)
@click.argument("scenarios", nargs=-1, required=True, metavar="SCENARIO...")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default out/<scenario>/; with several scenarios, one folder each inside).")
@click.option("--xlsx", is_flag=True, help="Also write plan.xlsx with one sheet per table.")
@click.option("--day", default=None, metavar="YYYY-MM-DD",
              help="Also print the agents required per interval of this day, per channel and in total.")
@UNIT_OPTIONS
@FORCE
def run_scenarios(scenarios, out, xlsx, day, jobs, engine, scheduler, force) -> None:
    """Forecast, staff and report a scenario: the planner's main job.

    Reads the history and events the scenario names, forecasts every channel over the horizon,
    applies the scenario's adjustments, staffs every interval with the channel's model and
    writes forecast.csv, plan.csv, daily.csv, weekly.csv, plots, report.html and manifest.json
    (plus plan.xlsx with --xlsx) into one folder, all at once or not at all.

    \b
    Example:
      planner run scenarios/base.toml
      planner run scenarios/base.toml scenarios/volume-plus-10.toml --out out/q3 --xlsx
      planner run scenarios/base.toml --jobs 4
      planner run scenarios/base.toml --day 2026-07-07
    """
    from planner.report import OutputFolder
    from planner.report.summary import short_summary, summary_of
    from planner.report.views import day_label, interval_view
    from planner.scenario import Scenario

    if day is not None:
        try:
            day = datetime.date.fromisoformat(day)
        except ValueError:
            raise click.BadParameter(f"{day!r}: expected a date such as 2026-07-07", param_hint="--day") from None
    for path in scenarios:
        scenario = Scenario.load(path)
        folder = _out_folder(out, path, len(scenarios) > 1)
        with OutputFolder.claim(folder, protect=scenario.inputs(), force=force), _stages(f"{scenario.name}") as bar:
            tick = None if bar is None else (lambda stage: bar.update(1))
            result = scenario.run(progress=tick, jobs=jobs, engine=engine, scheduler=scheduler)
            view = None if day is None else interval_view(result.plan, day)  # a day outside the plan: no output
            scenario.write(result, folder, xlsx=xlsx, progress=tick, force=force)
        click.echo(f"{scenario.name}: {len(result.plan):,} intervals planned -> {folder}/")
        click.echo(_table(short_summary(summary_of(result.plan, scenario.config))))
        if day is not None:
            click.echo(f"\nagents per interval on {day_label(day)} (local time):\n" + _table(view.astype(object).fillna("-")))
        timings = ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items())
        click.echo(f"time: {timings}")
        if getattr(result, "groups", None) is not None:  # [groups]: the saving against the silo plan
            from planner.report.groups import saving_note
            click.echo(saving_note(result.groups))


@cli.command("check", context_settings=CONTEXT)
@click.argument("scenarios", nargs=-1, required=True, metavar="SCENARIO...")
def check_scenarios(scenarios) -> None:
    """Check scenario files and every input they name, without forecasting.

    Each problem is one line that points at the file, the row or key and says how to fix it.

    \b
    Example:
      planner check scenarios/*.toml
    """
    from planner.errors import PlannerError
    from planner.scenario import Scenario

    failed = 0
    for path in scenarios:  # every file is checked: one bad file does not hide the next
        try:
            counts = Scenario.load(path).check()
        except PlannerError as error:
            failed += 1
            click.echo(f"Error: {' '.join(str(error).split())}", err=True)
            continue
        click.echo(f"{path}: OK (" + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + ")")
    if failed and len(scenarios) == 1:
        raise SystemExit(1)  # the one file's error line says it all
    if failed:
        raise click.ClickException(f"{failed} of {len(scenarios)} scenario file{'s' * (len(scenarios) > 1)} "
                                   "have problems (listed above)")


@cli.command("forecast", context_settings=CONTEXT)
@click.argument("scenario_path", metavar="SCENARIO")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Where to write the forecast CSV (default out/<scenario>-forecast/forecast.csv).")
@FORCE
def forecast_only(scenario_path, out, force) -> None:
    """Forecast a scenario's channels over its horizon (with adjustments), without staffing.

    \b
    Example:
      planner forecast scenarios/base.toml --out forecast.csv
    """
    from planner.report import OutputFolder, check_destination, write_csv_atomic
    from planner.scenario import Scenario

    scenario = Scenario.load(scenario_path)
    if out is None:  # a folder of its own: never beside a plan it would disagree with
        folder = Path("out") / f"{Path(scenario_path).stem}-forecast"
        target = folder / "forecast.csv"
        with OutputFolder.claim(folder, protect=scenario.inputs(), force=force):
            frame = _forecast(scenario)
            with OutputFolder(folder, protect=scenario.inputs(), force=force) as written:
                written.write_csv("forecast.csv", frame)
    else:
        target = Path(out)
        check_destination(target.parent, protect=scenario.inputs(), force=True)  # a writable place
        frame = _forecast(scenario)
        write_csv_atomic(frame, target, protect=scenario.inputs())
    daily = frame.groupby([frame["interval_start"].dt.date.rename("day"), "channel"])["offered"].sum().unstack()
    click.echo(f"{scenario.name}: {len(frame):,} intervals -> {target}")
    click.echo("offered per day:\n" + daily.round(0).to_string())


def _forecast(scenario):
    history = scenario.read_history()
    return scenario.adjust(scenario.forecast(history, scenario.read_events(history)))


@cli.command("backtest", context_settings=CONTEXT)
@click.argument("scenario_path", metavar="SCENARIO")
@click.option("--windows", type=click.IntRange(min=1), default=14, show_default=True,
              help="Forecast origins (rolling, one day apart by default).")
@click.option("--horizon", default="1D", show_default=True, help="How far each forecast reaches, e.g. 1D or 7D.")
@click.option("--model", "models", multiple=True,
              help="Models to compare (repeatable; default: default, seasonal_naive, week_average).")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Folder for backtest.csv, accuracy.csv, model_card.csv and plots (default out/<scenario>-backtest/).")
@FORCE
def backtest_scenario(scenario_path, windows, horizon, models, out, force) -> None:
    """Rolling-origin backtest of the forecast against simple baselines, on the scenario's history.

    Prints MASE (scaled by the weekly seasonal naive), WAPE, bias, daily MAPE and the coverage
    of the prediction intervals per channel and model, and saves one plot per channel; beside it
    the model card: what the default chose per channel and why (holdout MAE of each choice).

    \b
    Example:
      planner backtest scenarios/base.toml --windows 14 --horizon 1D
    """
    from planner.forecast import model_cards
    from planner.report import OutputFolder
    from planner.scenario import Scenario

    scenario = Scenario.load(scenario_path)
    chosen = models or ("default", "seasonal_naive", "week_average")
    folder = Path(out) if out else Path("out") / f"{Path(scenario_path).stem}-backtest"
    with OutputFolder.claim(folder, protect=scenario.inputs(), force=force), _bar(windows, "backtest") as bar:
        tick = None if bar is None else (lambda done, total: bar.update(1))
        frame, table = scenario.backtest(models=chosen, horizon=horizon, n_windows=windows, progress=tick)
        _write_backtest(folder, scenario, frame, table, chosen, force)
    cards = model_cards(frame)
    click.echo(_table(table))
    if len(cards):
        click.echo("\nModel card (last cutoff; holdout MAE in contacts per interval):\n" + _table(cards))
    click.echo(f"-> {folder}/")


def _write_backtest(folder, scenario, frame, table, chosen, force) -> None:
    from planner.forecast import backtest_figure, model_cards
    from planner.report import OutputFolder

    with OutputFolder(folder, protect=scenario.inputs(), force=force) as target:
        target.write_csv("backtest.csv", frame)
        target.write_csv("accuracy.csv", table)
        cards = model_cards(frame)
        if len(cards):
            target.write_csv("model_card.csv", cards)
        for channel in scenario.config.channels:
            target.write_png(f"backtest_{channel}.png", backtest_figure(frame, channel=channel, model=chosen[0]))


@cli.command("staff", context_settings=CONTEXT)
@click.argument("scenario_path", metavar="SCENARIO")
@click.option("--forecast", "forecast_path", type=click.Path(dir_okay=False), required=True,
              help="Forecast CSV with interval_start (ISO 8601 with offset), channel, offered, aht_s.")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default out/<scenario>-staffed/).")
@click.option("--xlsx", is_flag=True, help="Also write plan.xlsx.")
@FORCE
def staff_forecast(scenario_path, forecast_path, out, xlsx, force) -> None:
    """Staff a forecast produced elsewhere with a scenario's channels and targets.

    For BPOs and teams that receive the forecast from a client: no history is needed.

    \b
    Example:
      planner staff scenarios/base.toml --forecast client-forecast.csv --out out/client
    """
    from planner.report import OutputFolder
    from planner.scenario import Scenario

    scenario = Scenario.load(scenario_path)
    folder = Path(out) if out else Path("out") / f"{Path(scenario_path).stem}-staffed"
    inputs = [*scenario.inputs(), Path(forecast_path)]
    with OutputFolder.claim(folder, protect=inputs, force=force):
        result = scenario.run(forecast=scenario.read_forecast(forecast_path))
        scenario.write(result, folder, xlsx=xlsx, extra_inputs=[Path(forecast_path)], force=force)
    click.echo(f"{scenario.name}: {len(result.plan):,} intervals staffed -> {folder}/")


@cli.command("compare", context_settings=CONTEXT)
@click.argument("scenarios", nargs=-1, required=True, metavar="SCENARIO SCENARIO...")
@click.option("--by", type=click.Choice(["day", "week"]), default="week", show_default=True,
              help="Period of the comparison.")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Folder for compare.csv and compare.png (default out/compare/).")
@FORCE
def compare_scenarios(scenarios, by, out, force) -> None:
    """Run scenarios and compare them side by side: volume, FTE and service level.

    The first scenario is the reference: the others show their change from it, in units and %.
    Scenarios with a [capacity] table are also compared as long-range capacity plans (with their
    [channel_shift] and [launch] what-ifs, which act on those plans only): every channel's offered
    volume and mean weekly required FTE, each group's planned FTE and hires, and the total cost of
    the plan and of the buffered plan, in compare_capacity.csv beside each plan's
    capacity_<scenario>.csv (as planner capacity writes it).

    \b
    Example:
      planner compare scenarios/base.toml scenarios/volume-plus-10.toml --by week
      planner compare scenarios/capacity.toml scenarios/capacity-shift.toml scenarios/capacity-launch.toml
    """
    from planner.report import OutputFolder, compare, compare_figure
    from planner.scenario import Scenario

    if len(scenarios) < 2:
        raise click.UsageError("give at least two scenarios to compare")
    loaded = [Scenario.load(path) for path in scenarios]
    inputs = [file for scenario in loaded for file in scenario.inputs()]
    folder = Path(out) if out else Path("out") / "compare"
    rollups, plans, stems = {}, {}, {}
    with OutputFolder.claim(folder, protect=inputs, force=force):
        for path, scenario in zip(scenarios, loaded):
            result = scenario.run()
            rollups[scenario.name] = result.weekly if by == "week" else result.daily
            if getattr(result, "groups", None) is not None:  # cross-trained: the groups' agents, by channel
                from planner.report.groups import group_rollup
                rollups[scenario.name] = group_rollup(result, scenario.config, by=by)
            if scenario.config.raw.get("capacity"):  # the long-range plan, from the same interval run
                from planner.capacity_run import capacity_plan
                plans[scenario.name] = capacity_plan(scenario, run=result)
                stems[scenario.name] = Path(path).stem if Path(path).stem not in stems.values() else f"{len(stems)}"
        table = compare(rollups)
        capacity = None
        if len(plans) >= 2:
            from planner.capacity_run import compare_capacity
            capacity = compare_capacity(plans)
        with OutputFolder(folder, protect=inputs, force=force) as target:
            target.write_csv("compare.csv", table)
            target.write_png("compare.png", compare_figure(rollups))
            if capacity is not None:
                target.write_csv("compare_capacity.csv", capacity)
                for name, plan in plans.items():
                    target.write_csv(f"capacity_{stems[name]}.csv", plan.table)
                    target.write_csv(f"capacity_weekly_{stems[name]}.csv", plan.weekly)
    names = list(rollups)
    totals = {name: frame[["offered", "fte_gross"]].sum() for name, frame in rollups.items()}
    width = max(28, *(len(name) for name in names))
    click.echo(f"{'scenario':<{width}} {'offered':>12} {'gross FTE-' + by + 's':>16} {'change':>9}")
    for name in names:
        change = 100.0 * (totals[name]["fte_gross"] / totals[names[0]]["fte_gross"] - 1.0)
        click.echo(f"{name:<{width}} {totals[name]['offered']:>12,.0f} {totals[name]['fte_gross']:>16,.1f} {change:>8.1f}%")
    if capacity is not None:
        _echo_capacity(capacity, list(plans))
        click.echo(f"-> {folder}/compare.csv, compare.png, compare_capacity.csv, capacity_*.csv")
        return
    if len(plans) == 1:
        click.echo(f"(only {next(iter(plans))!r} has a [capacity] table: no capacity plans to compare)")
    click.echo(f"-> {folder}/compare.csv, compare.png")


def _echo_capacity(table, names) -> None:
    """The capacity plans side by side, one line per plan: every channel's mean weekly required FTE
    (with shrinkage) and the total, then the plan's and the buffered plan's cost, with the change
    from the first plan."""
    import pandas as pd

    def pick(measure, scope):
        return table[(table["measure"] == measure) & (table["scope"] == scope)][names].iloc[0]

    channels = table.loc[(table["measure"] == "required_fte") & ~table["scope"].str.startswith("group ")
                         & (table["scope"] != "all"), "scope"].tolist()
    fte = pd.DataFrame({c: pick("required_fte", c) for c in [*channels, "all"]})
    fte["change"] = (100 * (fte["all"] / fte["all"].iloc[0] - 1)).map("{:+.1f}%".format)
    cost = pd.DataFrame({"plan cost": pick("cost", "all"), "buffered plan cost": pick("buffered_cost", "all")})
    cost["change"] = (100 * (cost["plan cost"] / cost["plan cost"].iloc[0] - 1)).map("{:+.1f}%".format)
    cost["buffered change"] = (100 * (cost["buffered plan cost"] / cost["buffered plan cost"].iloc[0] - 1)).map(
        "{:+.1f}%".format)
    weeks = int(pick("weeks", "all").iloc[0])
    click.echo(f"\ncapacity plans over {weeks} weeks: mean required FTE per week (with shrinkage), by channel:\n"
               + fte.to_string(float_format="{:,.1f}".format))
    click.echo(f"cost over the {weeks} weeks:\n" + cost.to_string(float_format="{:,.0f}".format))
