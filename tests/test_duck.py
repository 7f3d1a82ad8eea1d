"""DuckDB path for contact logs (planner.contacts.duck) against the pandas path, the reference:
the same KPI tables (integers exact, floats to 1e-12), pivots, history and contacts frame on a slice of
the sample log, as CSV and as Parquet; a Parquet log missing a column is one ``Error:`` line."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from planner.contacts import kpis, read_contacts, to_history
from planner.contacts.kpis import BY
from planner.scenario import Scenario

duckdb = pytest.importorskip("duckdb")
from planner.contacts.duck import duck_history, duck_kpis, duck_read_contacts, duck_tables  # noqa: E402
from planner.contacts.duck_time import offset_sql, zone_pieces  # noqa: E402

TZ = "Europe/London"


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    """40,000 contacts of the sample log (every channel, business-hours email) as CSV and Parquet."""
    pytest.importorskip("pyarrow")
    folder = tmp_path_factory.mktemp("duck")
    raw = pd.read_csv("scenarios/data/contacts.csv.gz", dtype=str, nrows=40_000)
    raw.to_csv(folder / "log.csv", index=False)
    typed = raw.assign(**{c: pd.to_datetime(raw[c], utc=True, format="ISO8601")
                          for c in ("arrived_at", "answered_at", "ended_at")},
                       abandoned=raw["abandoned"] == "true", agent_handle_s=pd.to_numeric(raw["agent_handle_s"]))
    typed.to_parquet(folder / "log.parquet", index=False)
    typed.drop(columns=["arrived_at"]).to_parquet(folder / "no-arrival.parquet", index=False)
    targets = Scenario.load("scenarios/from-contacts.toml").targets()
    kinds = {name: spec.kind for name, spec in targets.items()}
    contacts = read_contacts(folder / "log.csv", tz=TZ, kinds=kinds)
    return folder, targets, kinds, contacts


def _same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    ints = ["offered", "handled", "abandoned", "short_abandoned", "not_yet_due"]
    for column in [c for c in ints if c in right]:
        assert left[column].fillna(-1).tolist() == right[column].fillna(-1).tolist(), column
    pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=1e-12, atol=0.0)


@pytest.mark.parametrize("suffix,by", [("csv", "day"), ("parquet", "interval"), ("parquet", "week")])
def test_kpis_equal_the_pandas_path(logs, suffix, by):
    folder, targets, kinds, contacts = logs
    reference = kpis(contacts, targets=targets, by=by)
    report = duck_kpis(folder / f"log.{suffix}", tz=TZ, targets=targets, kinds=kinds, by=by)
    _same(report.table, reference.table)
    pd.testing.assert_frame_equal(report.pivots, reference.pivots)
    assert report.table["service_level"].notna().any() and report.table["repeat_7d"].gt(0).any()


def test_history_and_contacts_equal_the_pandas_path(logs):
    folder, _, kinds, contacts = logs
    _same(duck_history(folder / "log.parquet", tz=TZ, kinds=kinds), to_history(contacts))
    read = duck_read_contacts(folder / "log.csv", tz=TZ, kinds=kinds)
    read.attrs = contacts.attrs
    pd.testing.assert_frame_equal(read, contacts, check_exact=True)


def test_a_parquet_log_missing_a_column_is_one_error_line(logs, tmp_path):
    folder = logs[0]
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "planner", "kpis", str(folder / "no-arrival.parquet"), "--tz", TZ,
                           "--engine", "duckdb", "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"Error: {folder / 'no-arrival.parquet'}: missing required column 'arrived_at'; a contact log has "
        "contact_id, channel, arrived_at and optionally customer_id, answered_at, ended_at, abandoned, "
        "agent_handle_s, resolved, agent_id"]
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
                                  "Pacific/Apia"])
def test_zone_pieces_give_the_offset_pandas_gives(zone):
    """The integer offset pieces against pandas' conversion of each instant: random instants over 2009-2031
    and every change +-1 us (Lord Howe shifts 30 min; Apia skipped a whole day in 2011)."""
    first, last = pd.Timestamp("2009-01-01", tz="UTC").value // 1000, pd.Timestamp("2031-01-01", tz="UTC").value // 1000
    pieces = zone_pieces(zone, first, last)
    changes = [start for start, _ in pieces[1:]]
    assert len(changes) >= (1 if zone == "Pacific/Apia" else 0)
    rng = __import__("numpy").random.default_rng(7)
    instants = sorted({*rng.integers(first, last, 2000).tolist(), *(c + d for c in changes for d in (-1, 0, 1))})
    with duckdb.connect() as con:
        got = con.execute(f"SELECT {offset_sql(pieces)} FROM unnest(?) t(arrived_us)", [instants]).fetchall()
    utc = pd.DatetimeIndex(pd.to_datetime(instants, unit="us")).tz_localize("UTC")
    expected = (utc.tz_convert(zone).tz_localize(None) - utc.tz_localize(None)) // pd.Timedelta(microseconds=1)
    assert [row[0] for row in got] == list(expected)


@pytest.mark.parametrize("day", ["2026-10-23", "2026-03-27"])
def test_every_period_and_the_history_across_a_clock_change(logs, tmp_path, day):
    """The log moved to span a clock change (fall back: a 25-hour day; spring forward: a 23-hour day):
    history and KPIs by every period from one connection equal the pandas path."""
    folder, targets, kinds, _ = logs
    raw = pd.read_parquet(folder / "log.parquet")
    shift = pd.Timestamp(day, tz="UTC") - raw["arrived_at"].min().floor("D")
    raw.assign(**{c: raw[c] + shift for c in ("arrived_at", "answered_at", "ended_at")}).to_parquet(
        tmp_path / "moved.parquet", index=False)
    contacts = read_contacts(tmp_path / "moved.parquet", tz=TZ, kinds=kinds)
    assert contacts["arrived_at"].dt.tz_convert(TZ).map(lambda t: t.utcoffset()).nunique() == 2
    history, reports = duck_tables(tmp_path / "moved.parquet", tz=TZ, targets=targets, kinds=kinds, by=BY)
    _same(history, to_history(contacts))
    for by in BY:
        reference = kpis(contacts, targets=targets, by=by)
        _same(reports[by].table, reference.table)
        pd.testing.assert_frame_equal(reports[by].pivots, reference.pivots)


def test_the_review_equals_the_pandas_review(logs):
    """planner kpis' review (report, summary, history, patience) is the same with either engine."""
    from planner.review import review_log

    folder = logs[0]
    duck = review_log(folder / "log.parquet", scenario="scenarios/from-contacts.toml", engine="duckdb")
    reference = review_log(folder / "log.csv", scenario="scenarios/from-contacts.toml", engine="pandas")
    _same(duck.report.table, reference.report.table)
    _same(duck.summary, reference.summary)
    _same(duck.history, reference.history)
    pd.testing.assert_frame_equal(duck.patience, reference.patience, check_exact=False, rtol=1e-12, atol=0.0)


@pytest.mark.parametrize("zone,interval", [("Asia/Kolkata", "1h"), ("Australia/Lord_Howe", "1h"),
                                           ("Australia/Lord_Howe", "30min")])
def test_the_history_in_zones_off_the_hour(logs, tmp_path, zone, interval):
    """Hourly history where the zone is half an hour off UTC (the checking scan counts it, shifted) and
    where its clock change is half an hour (Lord Howe: counted again by the zone's offsets)."""
    folder, _, kinds, _ = logs
    raw = pd.read_parquet(folder / "log.parquet")
    shift = pd.Timestamp("2026-10-01", tz="UTC") - raw["arrived_at"].min().floor("D")  # Lord Howe: +10:30 -> +11
    raw.assign(**{c: raw[c] + shift for c in ("arrived_at", "answered_at", "ended_at")}).to_parquet(
        tmp_path / "moved.parquet", index=False)
    contacts = read_contacts(tmp_path / "moved.parquet", tz=zone, kinds=kinds)
    _same(duck_history(tmp_path / "moved.parquet", tz=zone, kinds=kinds, interval=interval),
          to_history(contacts, interval))


def test_out_of_memory_is_one_error_line_and_writes_nothing(tmp_path):
    """DuckDB running out of its memory limit (PLANNER_DUCKDB_MEMORY=1MB) is one ``Error:`` line
    naming the setting to raise, exit 1, and no output folder."""
    import os

    env = {**os.environ, "PLANNER_DUCKDB_MEMORY": "1MB"}
    out = tmp_path / "kpis"
    done = subprocess.run([sys.executable, "-m", "planner", "kpis", "scenarios/data/contacts.csv.gz",
                           "--scenario", "scenarios/from-contacts.toml", "--engine", "duckdb", "--out", str(out)],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines == ["Error: DuckDB ran out of memory under its limit of 1MB: set PLANNER_DUCKDB_MEMORY higher "
                     "(e.g. PLANNER_DUCKDB_MEMORY=8GB) on a machine that has it, or run with fewer threads"]
    assert not out.exists()
