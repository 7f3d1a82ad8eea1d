"""``planner erlang``: the one-off Erlang C / Erlang A calculator."""

from __future__ import annotations

import json

import click

from planner.cli import CONTEXT, DURATION, POSITIVE_DURATION, Number, Target, cli
from planner.staffing.calculator import Staffing, calculate


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
