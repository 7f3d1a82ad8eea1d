"""The ``planner`` command line: a thin shell over the Python API.

Commands import the heavier layers (forecasting, reports) when they run, so ``planner erlang``
and ``--help`` start quickly.

Every command is a few lines that parse options, call the API and print. User mistakes become one
line, ``Error: ...``, with exit code 1; ``planner --debug ...`` shows the traceback instead.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
from pathlib import Path

import click

from planner.errors import PlannerError
from planner.schema import parse_duration_s, parse_target
from planner.simulate import HANDLES, read_plan, simulate
from planner.staffing.calculator import Staffing, calculate

__all__ = ["main", "cli"]

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class PlannerGroup(click.Group):
    """Click group that turns every user error into one ``Error:`` line and exit code 1."""

    def main(self, args=None, prog_name=None, **extra):
        args = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in args
        try:
            return super().main(args=args, prog_name=prog_name, standalone_mode=False, **extra)
        except click.exceptions.Exit as stop:
            sys.exit(stop.exit_code)
        except click.exceptions.NoArgsIsHelpError as shown:  # a bare `planner`: show the help
            click.echo(shown.format_message())
            sys.exit(0)
        except click.Abort:
            click.echo("Error: aborted", err=True)
            sys.exit(1)
        except (click.ClickException, PlannerError) as error:
            if debug:
                raise
            message = error.format_message() if isinstance(error, click.ClickException) else str(error)
            click.echo(f"Error: {' '.join(message.split())}", err=True)
            sys.exit(1)


class Duration(click.ParamType):
    """A duration: ``20`` (seconds), ``20s``, ``3min``, ``1.5h``, ``1d``; converted to seconds."""

    name = "DURATION"

    def __init__(self, *, positive: bool = False):
        self.positive = positive

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        try:
            seconds = parse_duration_s(value, name=param.opts[0] if param else "duration")
        except PlannerError as error:
            self.fail(str(error).split(": ", 1)[-1], param, ctx)
        if self.positive and seconds <= 0:
            self.fail(f"expected a duration > 0, got {value!r}", param, ctx)
        return seconds


class Target(click.ParamType):
    """A service-level target ``SL/THRESHOLD``: ``80/20`` means 80% answered within 20 s."""

    name = "SL/THRESHOLD"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        try:
            return parse_target(value, name="--target")
        except PlannerError as error:
            self.fail(str(error).split(": ", 1)[-1], param, ctx)


class Number(click.ParamType):
    """A finite number within bounds, with messages in the user's terms (click's FloatRange
    lets NaN and infinity through and calls 'abc' "not a valid float range")."""

    name = "NUMBER"

    def __init__(self, what: str = "a number", *, low=None, low_open=False, high=None, high_open=False):
        self.what, self.low, self.low_open, self.high, self.high_open = what, low, low_open, high, high_open
        bounds = []
        if low is not None:
            bounds.append(f"{'>' if low_open else '>='} {low:g}")
        if high is not None:
            bounds.append(f"{'<' if high_open else '<='} {high:g}")
        self.rule = f"{what}{' ' + ' and '.join(bounds) if bounds else ''}"

    def convert(self, value, param, ctx):
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"expected {self.rule}, got {value!r}", param, ctx)
        low_bad = self.low is not None and (number < self.low or (self.low_open and number == self.low))
        high_bad = self.high is not None and (number > self.high or (self.high_open and number == self.high))
        if not math.isfinite(number) or low_bad or high_bad:
            self.fail(f"expected {self.rule}, got {value!r}", param, ctx)
        return number


DURATION = Duration()
POSITIVE_DURATION = Duration(positive=True)


@click.group(cls=PlannerGroup, context_settings=CONTEXT)
@click.option("--debug", is_flag=True, help="Show the full traceback on errors.")
@click.version_option(package_name="planner", message="planner %(version)s")
def cli(debug: bool) -> None:
    """Workforce forecasting and staffing for multichannel contact centers.

    \b
    Example:
      planner erlang agents --offered 100 --interval 30min --aht 180s --target 80/20
    """


@cli.group(context_settings=CONTEXT)
def erlang() -> None:
    """One-off Erlang calculator: agents for a target, or service level for a staff.

    Without --patience the model is Erlang C (M/M/N, nobody abandons); with --patience it is
    Erlang A (M/M/N+M, callers abandon after an exponential patience with that mean).

    \b
    Example:
      planner erlang agents --offered 100 --interval 30min --aht 180s --target 80/20 --patience 120s
    """


def _workload_options(func):
    options = [
        click.option("--offered", type=Number("a number of contacts", low=0), required=True,
                     help="Contacts offered per interval."),
        click.option("--interval", "interval_s", type=POSITIVE_DURATION, default="30min", show_default=True,
                     help="Length of the interval the offered contacts arrive in."),
        click.option("--aht", "aht_s", type=POSITIVE_DURATION, required=True,
                     help="Average handle time (talk + hold + wrap-up), e.g. 180s or 3min."),
        click.option("--patience", "patience_s", type=POSITIVE_DURATION, default=None,
                     help="Mean caller patience; switches to Erlang A (abandonment)."),
        click.option("--shrinkage", type=Number("a fraction", low=0, high=1, high_open=True), default=0.0,
                     show_default=True, help="Share of paid time unavailable (breaks, training, absence)."),
        click.option("--json", "as_json", is_flag=True, help="Print the result as JSON."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _print(result: Staffing, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    load = f"{result.offered:g} contacts per {result.interval_s / 60:g} min x {result.aht_s:g} s AHT"
    model = "Erlang C" if result.model == "erlang_c" else f"Erlang A, patience {result.patience_s:g} s"
    rows = [("workload", f"{result.load_erlangs:.4g} Erlangs ({load})"), ("model", model)]
    if result.target_service_level is not None:
        rows.append(("target", f"{result.target_service_level:.0%} within {result.threshold_s:g} s"))
    net = f"{result.agents}"
    if result.agents_fractional is not None:
        net += f"  (fractional {result.agents_fractional:.2f})"
    rows += [
        ("agents (net)", net),
        ("agents (gross)", f"{result.agents_gross:.2f} at {result.shrinkage:.0%} shrinkage"),
        ("service level", f"{result.service_level:.2%} within {result.threshold_s:g} s"),
        ("probability of waiting", f"{result.p_wait:.2%}"),
        ("ASA", "unbounded (too few agents)" if result.asa_s == float("inf") else f"{result.asa_s:.1f} s"),
        ("occupancy", f"{result.occupancy:.1%}"),
        ("abandonment", f"{result.abandon_rate:.2%}"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        click.echo(f"{name:<{width}}  {value}")


@erlang.command("agents", context_settings=CONTEXT)
@_workload_options
@click.option("--target", type=Target(), required=True,
              help="Service-level target SL/THRESHOLD: 80/20 = 80% answered within 20 s.")
@click.option("--max-occupancy", type=Number("a fraction", low=0, low_open=True, high=1), default=1.0,
              show_default=True, help="Occupancy cap, applied before shrinkage.")
@click.option("--max-abandon", type=Number("a fraction", low=0, low_open=True, high=1), default=None,
              help="Highest acceptable abandonment rate (Erlang A only), e.g. 0.05.")
def erlang_agents(target, max_abandon, as_json, **workload) -> None:
    """Agents needed to meet a service-level target in one interval.

    Prints net agents (the least whole number meeting every target), the fractional
    requirement, gross agents after shrinkage, and the service level, ASA, occupancy and
    abandonment they deliver.

    \b
    Example:
      planner erlang agents --offered 100 --interval 30min --aht 180s --target 80/20 \\
          --patience 120s --max-occupancy 0.85 --shrinkage 0.3
    """
    if max_abandon is not None and workload["patience_s"] is None:
        raise click.UsageError("--max-abandon needs --patience (abandonment is modelled by Erlang A)")
    level, threshold_s = target
    result = calculate(target_service_level=level, threshold_s=threshold_s,
                       max_abandon_rate=max_abandon, **workload)
    _print(result, as_json)


@erlang.command("sl", context_settings=CONTEXT)
@_workload_options
@click.option("--agents", type=click.IntRange(min=0), required=True, help="Agents on the queue (net).")
@click.option("--threshold", "threshold_s", type=DURATION, default=None,
              help="Service-level threshold, e.g. 20s.")
@click.option("--target", type=Target(), default=None,
              help="Alternatively SL/THRESHOLD (e.g. 80/20): uses its threshold.")
def erlang_sl(agents, threshold_s, target, as_json, **workload) -> None:
    """Service level, ASA, occupancy and abandonment delivered by a given number of agents.

    \b
    Example:
      planner erlang sl --agents 14 --offered 100 --interval 30min --aht 180s --threshold 20s
    """
    level = None
    if target is not None:
        level, target_threshold = target
        threshold_s = target_threshold if threshold_s is None else threshold_s
    if threshold_s is None:
        raise click.UsageError("give --threshold (e.g. --threshold 20s) or --target (e.g. --target 80/20)")
    result = calculate(agents=agents, threshold_s=threshold_s, target_service_level=level, **workload)
    _print(result, as_json)


@cli.command("simulate", context_settings=CONTEXT)
@click.argument("plan_path", metavar="PLAN.csv")
@click.option("--replications", type=click.IntRange(min=2), default=20, show_default=True,
              help="Independent runs of the whole plan (confidence intervals are over these).")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True,
              help="Random seed: the same seed gives the same result.")
@click.option("--level", type=Number("a fraction", low=0, low_open=True, high=1, high_open=True), default=0.99,
              show_default=True, help="Confidence level of the intervals.")
@click.option("--warmup", "warmup_s", type=DURATION, default="0", show_default=True,
              help="Run the first interval's conditions this long before it (e.g. 1h), uncounted.")
@click.option("--handle", type=click.Choice(HANDLES), default="exponential", show_default=True,
              help="Handle-time distribution of voice and deferred work (chat is exponential).")
@click.option("--cv", type=Number("a number", low=0, low_open=True), default=1.0, show_default=True,
              help="Coefficient of variation of lognormal handle times.")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write the per-interval results (means and bounds) to this CSV file.")
def simulate_plan(plan_path, seed, out, replications, **options) -> None:
    """Simulate a staffing plan contact by contact and print what it delivers per channel.

    Plays the plan's agents against Poisson arrivals, random handle times and patience,
    carrying queues, chats and backlog across intervals, and prints per channel the service
    level, abandonment, ASA, occupancy, chat concurrency and deferred work answered within
    its deadline, each with a confidence interval over the replications.

    \b
    Example:
      planner simulate out/base/plan.csv --replications 20 --seed 1 --out simulated.csv
    """
    if out is not None and os.path.realpath(out) == os.path.realpath(plan_path):
        raise click.UsageError("--out would overwrite the plan; choose another file")
    plan = read_plan(plan_path)
    bar = click.progressbar(length=replications, label="simulating", file=sys.stderr) if sys.stderr.isatty() else None
    with bar if bar is not None else contextlib.nullcontext():
        tick = None if bar is None else (lambda done, total: bar.update(1))
        result = simulate(plan, rng=seed, replications=replications, progress=tick, **options)
    click.echo(result.summary())
    if out is not None:
        result.write_csv(out)
        click.echo(f"per-interval results: {out}")


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="planner")


if __name__ == "__main__":  # pragma: no cover
    main()


# --- scenarios -----------------------------------------------------------------------------

STAGES = ("read", "forecast", "staff", "roll-up", "plots", "report")


def _out_folder(out, scenario_path: str, many: bool) -> Path:
    """``out/<scenario file name>/`` by default; with several scenarios, one folder each under --out."""
    stem = Path(scenario_path).stem
    if out is None:
        return Path("out") / stem
    return Path(out) / stem if many else Path(out)


def _stages(label: str):
    """A progress bar over the run's stages on stderr (only on a terminal)."""
    if not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    return click.progressbar(length=len(STAGES), label=label, file=sys.stderr)


def _table(frame, columns=None) -> str:
    frame = frame if columns is None else frame[columns]
    return frame.to_string(index=False, float_format=lambda v: f"{v:,.2f}")


@cli.command("run", context_settings=CONTEXT)
@click.argument("scenarios", nargs=-1, required=True, metavar="SCENARIO...")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default out/<scenario>/; with several scenarios, one folder each inside).")
@click.option("--xlsx", is_flag=True, help="Also write plan.xlsx with one sheet per table.")
def run_scenarios(scenarios, out, xlsx) -> None:
    """Forecast, staff and report a scenario: the planner's main job.

    Reads the history and events the scenario names, forecasts every channel over the horizon,
    applies the scenario's adjustments, staffs every interval with the channel's model and
    writes forecast.csv, plan.csv, daily.csv, weekly.csv, plots, report.html and manifest.json
    (plus plan.xlsx with --xlsx) into one folder, all at once or not at all.

    \b
    Example:
      planner run scenarios/base.toml
      planner run scenarios/base.toml scenarios/volume-plus-10.toml --out out/q3 --xlsx
    """
    from planner.scenario import Scenario

    for path in scenarios:
        scenario = Scenario.load(path)
        folder = _out_folder(out, path, len(scenarios) > 1)
        with _stages(f"{scenario.name}") as bar:
            tick = None if bar is None else (lambda stage: bar.update(1))
            result = scenario.run(progress=tick)
            scenario.write(result, folder, xlsx=xlsx, progress=tick)
        totals = result.daily.groupby("channel")[["offered", "fte", "fte_gross"]].mean()
        click.echo(f"{scenario.name}: {len(result.plan):,} intervals planned -> {folder}/")
        click.echo("mean per day:\n" + _table(totals.reset_index()))
        timings = ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items())
        click.echo(f"time: {timings}")


@cli.command("check", context_settings=CONTEXT)
@click.argument("scenarios", nargs=-1, required=True, metavar="SCENARIO...")
def check_scenarios(scenarios) -> None:
    """Check scenario files and every input they name, without forecasting.

    Each problem is one line that points at the file, the row or key and says how to fix it.

    \b
    Example:
      planner check scenarios/*.toml
    """
    from planner.scenario import Scenario

    for path in scenarios:
        counts = Scenario.load(path).check()
        click.echo(f"{path}: OK (" + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + ")")


@cli.command("forecast", context_settings=CONTEXT)
@click.argument("scenario_path", metavar="SCENARIO")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Where to write the forecast CSV (default out/<scenario>/forecast.csv).")
def forecast_only(scenario_path, out) -> None:
    """Forecast a scenario's channels over its horizon (with adjustments), without staffing.

    \b
    Example:
      planner forecast scenarios/base.toml --out forecast.csv
    """
    from planner.report import write_csv_atomic
    from planner.scenario import Scenario

    scenario = Scenario.load(scenario_path)
    history = scenario.read_history()
    frame = scenario.adjust(scenario.forecast(history, scenario.read_events(history)))
    target = Path(out) if out else _out_folder(None, scenario_path, False) / "forecast.csv"
    write_csv_atomic(frame, target, protect=scenario.inputs())
    daily = frame.groupby([frame["interval_start"].dt.date.rename("day"), "channel"])["offered"].sum().unstack()
    click.echo(f"{scenario.name}: {len(frame):,} intervals -> {target}")
    click.echo("offered per day:\n" + daily.round(0).to_string())


@cli.command("backtest", context_settings=CONTEXT)
@click.argument("scenario_path", metavar="SCENARIO")
@click.option("--windows", type=click.IntRange(min=1), default=14, show_default=True,
              help="Forecast origins (rolling, one day apart by default).")
@click.option("--horizon", default="1D", show_default=True, help="How far each forecast reaches, e.g. 1D or 7D.")
@click.option("--model", "models", multiple=True,
              help="Models to compare (repeatable; default: default, seasonal_naive, week_average).")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Folder for backtest.csv, accuracy.csv, model_card.csv and plots (default out/<scenario>/backtest/).")
def backtest_scenario(scenario_path, windows, horizon, models, out) -> None:
    """Rolling-origin backtest of the forecast against simple baselines, on the scenario's history.

    Prints MASE (scaled by the weekly seasonal naive), WAPE, bias, daily MAPE and the coverage
    of the prediction intervals per channel and model, and saves one plot per channel; beside it
    the model card: what the default chose per channel and why (holdout MAE of each choice).

    \b
    Example:
      planner backtest scenarios/base.toml --windows 14 --horizon 1D
    """
    from planner.forecast import backtest_figure, model_cards
    from planner.report import OutputFolder
    from planner.scenario import Scenario

    scenario = Scenario.load(scenario_path)
    chosen = models or ("default", "seasonal_naive", "week_average")
    frame, table = scenario.backtest(models=chosen, horizon=horizon, n_windows=windows)
    folder = Path(out) if out else _out_folder(None, scenario_path, False) / "backtest"
    with OutputFolder(folder, protect=scenario.inputs()) as target:
        target.write_csv("backtest.csv", frame)
        target.write_csv("accuracy.csv", table)
        cards = model_cards(frame)
        if len(cards):
            target.write_csv("model_card.csv", cards)
        for channel in scenario.config.channels:
            target.write_png(f"backtest_{channel}.png", backtest_figure(frame, channel=channel, model=chosen[0]))
    click.echo(_table(table))
    if len(cards):
        click.echo("\nModel card (last cutoff; holdout MAE in contacts per interval):\n" + _table(cards))
    click.echo(f"-> {folder}/")


@cli.command("staff", context_settings=CONTEXT)
@click.argument("scenario_path", metavar="SCENARIO")
@click.option("--forecast", "forecast_path", type=click.Path(dir_okay=False), required=True,
              help="Forecast CSV with interval_start (ISO 8601 with offset), channel, offered, aht_s.")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default out/<scenario>-staffed/).")
@click.option("--xlsx", is_flag=True, help="Also write plan.xlsx.")
def staff_forecast(scenario_path, forecast_path, out, xlsx) -> None:
    """Staff a forecast produced elsewhere with a scenario's channels and targets.

    For BPOs and teams that receive the forecast from a client: no history is needed.

    \b
    Example:
      planner staff scenarios/base.toml --forecast client-forecast.csv --out out/client
    """
    from planner.scenario import Scenario

    scenario = Scenario.load(scenario_path)
    result = scenario.run(forecast=scenario.read_forecast(forecast_path))
    folder = Path(out) if out else Path("out") / f"{Path(scenario_path).stem}-staffed"
    scenario.write(result, folder, xlsx=xlsx, extra_inputs=[Path(forecast_path)])
    click.echo(f"{scenario.name}: {len(result.plan):,} intervals staffed -> {folder}/")


@cli.command("compare", context_settings=CONTEXT)
@click.argument("scenarios", nargs=-1, required=True, metavar="SCENARIO SCENARIO...")
@click.option("--by", type=click.Choice(["day", "week"]), default="week", show_default=True,
              help="Period of the comparison.")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Folder for compare.csv and compare.png (default out/compare/).")
def compare_scenarios(scenarios, by, out) -> None:
    """Run scenarios and compare them side by side: volume, FTE and service level.

    The first scenario is the reference: the others show their change from it, in units and %.

    \b
    Example:
      planner compare scenarios/base.toml scenarios/volume-plus-10.toml --by week
    """
    from planner.report import OutputFolder, compare, compare_figure
    from planner.scenario import Scenario

    if len(scenarios) < 2:
        raise click.UsageError("give at least two scenarios to compare")
    rollups, inputs = {}, []
    for path in scenarios:
        scenario = Scenario.load(path)
        result = scenario.run()
        rollups[scenario.name] = result.weekly if by == "week" else result.daily
        inputs += scenario.inputs()
    table = compare(rollups)
    folder = Path(out) if out else Path("out") / "compare"
    with OutputFolder(folder, protect=inputs) as target:
        target.write_csv("compare.csv", table)
        target.write_png("compare.png", compare_figure(rollups))
    names = list(rollups)
    totals = {name: frame[["offered", "fte_gross"]].sum() for name, frame in rollups.items()}
    click.echo(f"{'scenario':<28} {'offered':>12} {'gross FTE-' + by + 's':>16} {'change':>9}")
    for name in names:
        change = 100.0 * (totals[name]["fte_gross"] / totals[names[0]]["fte_gross"] - 1.0)
        click.echo(f"{name:<28} {totals[name]['offered']:>12,.0f} {totals[name]['fte_gross']:>16,.1f} {change:>8.1f}%")
    click.echo(f"-> {folder}/compare.csv, compare.png")


from planner.cli import contacts as _contacts
from planner.cli import schedule as _schedule  # noqa: E402,F401  (planner schedule, planner gap)
