"""``planner simulate``: play a plan contact by contact and see whether it holds."""

from __future__ import annotations

import contextlib
import os
import sys

import click

from planner.cli import CONTEXT, DURATION, Number, cli
from planner.simulate import HANDLES, read_plan, simulate


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
