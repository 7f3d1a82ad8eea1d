"""``planner kpis``: a contact log's KPIs against a scenario's targets, and what it says about patience."""

from __future__ import annotations

from pathlib import Path

import click

from planner.cli import CONTEXT, DURATION, FORCE, _table, cli

BY = ("interval", "day", "week", "month", "total")


@cli.command("kpis", context_settings=CONTEXT)
@click.argument("log_path", metavar="LOG")
@click.option("--scenario", "scenario_path", type=click.Path(dir_okay=False), default=None,
              help="Scenario giving the time zone, channel kinds and targets (80/20, email within 4 h...).")
@click.option("--messages", type=click.Path(dir_okay=False), default=None,
              help="Message log of email/SMS/social threads (contact_id, sent_at, sender[, handle_s]).")
@click.option("--tz", default=None, help="IANA time zone when there is no --scenario, e.g. Europe/London.")
@click.option("--by", type=click.Choice(BY), default="day", show_default=True, help="KPI period.")
@click.option("--short-abandon", "short_abandon_s", type=DURATION, default="5s", show_default=True,
              help="Abandons sooner than this are short: counted apart and left out of every rate.")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default out/<log name>-kpis/).")
@click.option("--engine", type=click.Choice(["auto", "pandas", "duckdb"]), default="auto", show_default=True,
              help="duckdb: out of core over CSV/Parquet (pip install 'planner[big]'), within 4GB of memory "
                   "(PLANNER_DUCKDB_MEMORY=8GB gives it more); auto: DuckDB above 2,000,000 contacts when "
                   "installed.")
@FORCE
def kpis_command(log_path, scenario_path, messages, tz, by, short_abandon_s, engine, out, force) -> None:
    """KPIs of a contact log, per channel and period, and the patience and chat concurrency it shows.

    LOG has one row per contact: contact_id, channel, arrived_at and optionally customer_id,
    answered_at, ended_at, abandoned, agent_handle_s, resolved, agent_id. Writes kpis.csv (service
    level, abandonment, ASA, AHT, first response, customer latency, FCR, repeats), pivots.csv
    (channel switches within 24 h), patience.csv, concurrency.csv, history.csv (15-minute counts
    for forecasting), plots and report.html. Async AHT is agent work only: customer latency is
    never counted.

    \b
    Example:
      planner kpis scenarios/data/contacts.csv.gz --messages scenarios/data/messages.csv.gz \\
        --scenario scenarios/from-contacts.toml --by week
      planner kpis big-log.parquet --scenario scenarios/from-contacts.toml --engine duckdb
    """
    from planner.report import OutputFolder
    from planner.review import review_log

    name = Path(log_path).name.split(".")[0]
    folder = Path(out) if out else Path("out") / f"{name}-kpis"
    with OutputFolder.claim(folder, protect=[Path(log_path), *([Path(messages)] if messages else [])], force=force):
        review = review_log(log_path, scenario=scenario_path, tz=tz, messages=messages, by=by,
                            short_abandon_s=short_abandon_s, engine=engine)
        review.write(folder, force=force)
    shown = ["channel", "offered", "abandon_rate", "service_level", "target_service_level", "not_yet_due",
             "threshold_s", "asa_s", "aht_s", "first_response_p90_s", "fcr", "repeat_7d"]
    click.echo(f"{review.source}: {review.count:,} contacts")
    click.echo(_table(review.summary, shown))
    if len(review.patience):
        click.echo("patience (exponential MLE, 95% interval):")
        click.echo(_table(review.patience, ["channel", "abandons", "patience_s", "patience_lo_s", "patience_hi_s"]))
    if review.concurrency is not None:
        growth = review.concurrency.attrs["aht_growth"]
        for channel, mean in review.concurrency.attrs["mean_concurrency"].items():
            click.echo(f"{channel}: mean concurrency {mean:.2f}, chats {growth[channel]:+.1%} longer per extra chat")
    click.echo(f"-> {folder}/")
