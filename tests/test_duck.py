"""DuckDB path for contact logs (planner.contacts.duck) against the pandas path, the reference:
the same KPI tables (integers exact, floats to 1e-12), pivots, history and contacts frame on a slice of
the sample log, as CSV and as Parquet; a Parquet log missing a column is one ``Error:`` line."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from planner.contacts import kpis, read_contacts, to_history
from planner.scenario import Scenario

duckdb = pytest.importorskip("duckdb")
from planner.contacts.duck import duck_history, duck_kpis, duck_read_contacts  # noqa: E402

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
