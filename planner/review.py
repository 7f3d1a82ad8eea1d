"""Review a contact log: KPIs against a scenario's targets, calibration, plots, one output folder.

``planner kpis LOG --scenario S`` is :func:`review_log` then :meth:`LogReview.write`. The scenario
gives the time zone, the channel kinds and the targets (phone 80/20, email within 4 working hours);
without one, pass ``tz`` and the KPIs carry no service level.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.contacts import (
    KpiReport,
    estimate_concurrency,
    estimate_patience,
    kpis,
    read_contacts,
    to_history,
)
from planner.contacts.plots import concurrency_figure, patience_figure
from planner.contacts.duck import duck_read_contacts, duck_tables, pick_engine
from planner.errors import InputError
from planner.report import OutputFolder, report_html
from planner.scenario import Scenario

__all__ = ["LogReview", "review_log"]


@dataclass(frozen=True)
class LogReview:
    """What :func:`review_log` found: the KPI report, patience and chat estimates, the history.

    ``summary`` is one row per channel over the whole log (the KPI columns, ``by="total"``).

    ``concurrency`` is None when the log has no chats with ``agent_id``.
    """

    source: str
    contacts: pd.DataFrame
    report: KpiReport
    summary: pd.DataFrame
    patience: pd.DataFrame
    concurrency: pd.DataFrame | None
    history: pd.DataFrame
    inputs: tuple[Path, ...]

    def __repr__(self) -> str:
        return f"LogReview of {self.source}: {self.count:,} contacts\n{self.report!r}"

    @property
    def count(self) -> int:
        """Contacts in the log (with the DuckDB engine ``contacts`` holds only the live channels')."""
        return int(self.summary["offered"].sum())

    def write(self, out: str | Path, *, force: bool = False) -> Path:
        """Write ``kpis.csv``, ``pivots.csv``, ``patience.csv``, ``concurrency.csv``, ``history.csv``,
        the plots and ``report.html`` into ``out``, atomically (all or nothing)."""
        with OutputFolder(out, protect=list(self.inputs), force=force) as folder:
            folder.write_csv("kpis.csv", self.report.table)
            folder.write_csv("pivots.csv", self.report.pivots.reset_index())
            folder.write_csv("patience.csv", self.patience)
            folder.write_csv("history.csv", self.history)
            figures = [(folder.write_png("kpis.png", self.report.figure()), "KPIs by period")]
            sections = [("Summary by channel", [self.summary.drop(columns=["period"])]),
                        (f"KPIs by {self.report.by}", figures),
                        ("Next contact of the same customer within 24 h", [self.report.pivots.reset_index()])]
            if len(self.patience):
                png = folder.write_png("patience.png", patience_figure(self.contacts, self.patience))
                sections.append(("Customer patience (Erlang A input)", [(png, "patience"), self.patience]))
            if self.concurrency is not None:
                folder.write_csv("concurrency.csv", self.concurrency)
                png = folder.write_png("concurrency.png", concurrency_figure(self.concurrency))
                sections.append(("Chat duration by concurrency", [(png, "concurrency"), self.concurrency]))
            folder.write_text("report.html", report_html(title=f"Contact log review: {self.source}",
                                                         meta=f"{self.count:,} contacts", sections=sections))
        return Path(out)


def review_log(path, *, scenario: Scenario | str | Path | None = None, tz: str | None = None, messages=None,
               by: str = "day", short_abandon_s: float = 5.0, engine: str = "pandas") -> LogReview:
    """Read a contact log and measure it against a scenario's targets.

    Parameters
    ----------
    path : str or path-like
        The contact log (see :func:`planner.read_contacts`).
    scenario : Scenario or path, optional
        Gives the time zone, channel kinds, interval and targets; ``tz`` is needed without it.
    tz : str, optional
        IANA zone when there is no scenario.
    messages : str or path-like, optional
        The message log of the async channels.
    by : {"interval", "day", "week", "month", "total"}
        KPI period.
    short_abandon_s : float
        Abandons sooner than this [s] are short (left out of the rates).
    engine : {"pandas", "duckdb", "auto"}
        ``"duckdb"``: KPIs and history computed out of core by :mod:`planner.contacts.duck`
        (``planner[big]``); ``"auto"``: DuckDB above ``AUTO_ROWS`` contacts when it is installed.

    Returns
    -------
    LogReview

    Examples
    --------
    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "log.csv"
    >>> _ = file.write_text("contact_id,channel,arrived_at,answered_at,ended_at,abandoned\\n"
    ...     "1,phone,2026-10-05 09:00:00,2026-10-05 09:00:12,2026-10-05 09:05:12,false\\n"
    ...     "2,phone,2026-10-05 09:01:00,,2026-10-05 09:02:30,true\\n")
    >>> review = review_log(file, tz="Europe/London")
    >>> review.patience[["abandons", "patience_s"]].values.tolist()
    [[1.0, 102.0]]
    """
    if isinstance(scenario, (str, Path)):
        scenario = Scenario.load(scenario)
    if scenario is None and tz is None:
        raise InputError("kpis: give a scenario (for the time zone and the targets) or a time zone: --scenario FILE "
                         "or --tz Europe/London (in Python: scenario=... or tz=...)")
    targets = scenario.targets() if scenario is not None else None
    kinds = {name: spec.kind for name, spec in targets.items()} if targets else None
    tz = scenario.config.timezone if scenario is not None else tz
    interval_s = (scenario.config.interval_s or 900.0) if scenario is not None else 900.0
    if pick_engine(path, engine, messages) == "duckdb":
        return duck_review(path, tz=tz, targets=targets, kinds=kinds, by=by, short_abandon_s=short_abandon_s,
                           interval_s=interval_s, inputs=(Path(path), *(scenario.inputs() if scenario else ())))
    contacts = read_contacts(path, tz=tz, messages=messages, kinds=kinds)
    known = set(contacts["channel"])
    targets = {name: spec for name, spec in (targets or {}).items() if name in known}
    report = kpis(contacts, targets=targets, by=by, short_abandon_s=short_abandon_s, interval=interval_s)
    chats = (contacts["kind"] == "chat") & contacts["agent_id"].notna()
    concurrency = estimate_concurrency(contacts.loc[chats]) if chats.any() else None
    inputs = [Path(path), *([Path(messages)] if messages is not None else [])]
    if scenario is not None:
        inputs += list(scenario.inputs())
    summary = kpis(contacts, targets=targets, by="total", short_abandon_s=short_abandon_s).table
    return LogReview(source=str(path), contacts=contacts, report=report, summary=summary,
                     patience=estimate_patience(contacts),
                     concurrency=concurrency, history=to_history(contacts, interval_s), inputs=tuple(inputs))


def duck_review(path, *, tz, targets, kinds, by, short_abandon_s, interval_s, inputs) -> LogReview:
    """:func:`review_log` with DuckDB: KPIs and history out of core; patience and concurrency from the
    live channels' contacts only (the rows they need)."""
    options = dict(tz=tz, kinds=kinds)
    history, reports = duck_tables(path, interval=interval_s, targets=targets, by=(by, "total"),
                                   short_abandon_s=short_abandon_s, known_targets_only=True, **options)
    report, summary = reports[by], reports["total"].table
    live = sorted(c for c, kind in report.table.groupby("channel")["kind"].first().items() if kind != "deferred")
    contacts = duck_read_contacts(path, channels=live, **options)
    chats = (contacts["kind"] == "chat") & contacts["agent_id"].notna()
    concurrency = estimate_concurrency(contacts.loc[chats]) if chats.any() else None
    return LogReview(source=str(path), contacts=contacts, report=report, summary=summary,
                     patience=estimate_patience(contacts), concurrency=concurrency, history=history,
                     inputs=tuple(inputs))
