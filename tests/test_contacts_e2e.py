"""Contact logs end to end: the sample log, planning from it, ``planner kpis``, and its errors (issue 7)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import planner as pl
from planner.cli import cli
from planner.schema import iso_wall_times
from planner.errors import SpecError

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "scenarios" / "data"
LOG, MESSAGES = DATA / "contacts.csv.gz", DATA / "messages.csv.gz"
FROM_CONTACTS = ROOT / "scenarios" / "from-contacts.toml"
#: The generator's truth (scenarios/data/make_sample_contacts.py).
TRUE_PATIENCE_S = {"phone": 120.0, "chat": 180.0}


def invoke(args: list[str], capsys) -> tuple[int, str, str]:
    try:
        cli.main(args=[str(a) for a in args], prog_name="planner")
        code = 0
    except SystemExit as stop:
        code = stop.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def sample():
    return pl.read_contacts(LOG, tz="Europe/London", messages=MESSAGES)


def test_sample_log_gives_back_the_sample_history(sample):
    """The log replays the history's counts: to_history's offered equals history.csv.gz's, interval by interval."""
    counted = pl.to_history(sample)
    history = pl.read_history(DATA / "history.csv.gz", tz="Europe/London")
    history = history[history["interval_start"] >= counted["interval_start"].min()]
    merged = history.merge(counted, on=["interval_start", "channel"], how="left", suffixes=("", "_log"))
    assert len(merged) > 10_000
    assert (merged["offered_log"] == merged["offered"]).all()
    extra = counted.merge(history, on=["interval_start", "channel"], how="left", indicator=True)
    assert (extra.loc[extra["_merge"] == "left_only", "offered_x"] == 0).all()  # closed intervals: zero
    # the handle times are the history's, within sampling noise (lognormal, cv 0.8)
    aht = merged.groupby("channel")[["aht_s", "aht_s_log"]].mean()
    assert aht.loc[["phone", "email", "social"], "aht_s_log"].to_numpy() == pytest.approx(
        aht.loc[["phone", "email", "social"], "aht_s"].to_numpy(), rel=0.03)


def test_sample_async_work_excludes_customer_latency(sample):
    """Email threads: closed - opened is hours; the agent work (aht) stays near the history's 400 s."""
    email = sample[sample["channel"] == "email"]
    naive = (email["ended_at"] - email["arrived_at"]).dt.total_seconds().mean()
    assert naive > 3600 * 3
    assert email["customer_latency_s"].mean() > 3600
    assert email["work_s"].mean() == pytest.approx(400.0, rel=0.05)


def test_sample_patience_is_recovered(sample):
    """The generator's patience (120 s phone, 180 s chat) lies inside the estimates' 99% intervals."""
    estimate = pl.estimate_patience(sample, level=0.99).set_index("channel")
    for channel, truth in TRUE_PATIENCE_S.items():
        assert estimate.loc[channel, "patience_lo_s"] <= truth <= estimate.loc[channel, "patience_hi_s"]


def test_plan_from_the_contact_log(tmp_path):
    """from-contacts.toml: history counted from the log, patience learned, plan meets the targets."""
    scenario = pl.Scenario.load(FROM_CONTACTS)
    result = scenario.run()
    learned = result.calibration.set_index(["channel", "setting"])
    for channel, truth in TRUE_PATIENCE_S.items():
        row = learned.loc[(channel, "patience_s")]
        assert row["lo"] <= truth <= row["hi"]
    assert learned.loc[("chat", "aht_growth"), "value"] > 0
    plan = result.plan
    live = plan[plan["kind"].isin(["voice", "chat"]) & (plan["offered"] > 0)]
    assert (live["service_level"] >= live["target_service_level"] - 1e-9).all()
    assert plan["interval_start"].min() == pd.Timestamp("2026-07-06", tz="Europe/London")
    out = scenario.write(result, tmp_path / "out")
    assert (out / "calibration.csv").exists() and (out / "plan.csv").exists()
    manifest = (out / "manifest.json").read_text()
    assert "contacts.csv.gz" in manifest and "messages.csv.gz" in manifest


def test_planner_kpis_writes_tables_and_plots(tmp_path, capsys):
    before = hashlib.sha256(LOG.read_bytes()).hexdigest()
    code, out, err = invoke(["kpis", LOG, "--messages", MESSAGES, "--scenario", FROM_CONTACTS, "--by", "week",
                             "--out", tmp_path / "kpis"], capsys)
    assert code == 0, err
    written = {p.name for p in (tmp_path / "kpis").iterdir()}
    assert written == {".planner-output", "kpis.csv", "pivots.csv", "patience.csv", "concurrency.csv", "history.csv", "kpis.png",
                       "patience.png", "concurrency.png", "report.html"}
    assert "233,678 contacts" in out and "patience" in out and "mean concurrency" in out
    table = pd.read_csv(tmp_path / "kpis" / "kpis.csv")
    assert set(table["channel"]) == {"phone", "chat", "email", "social"}
    assert len(table) == 4 * 6  # six weeks
    assert table.loc[table["channel"] == "phone", "threshold_s"].eq(20).all()
    assert hashlib.sha256(LOG.read_bytes()).hexdigest() == before  # the input is untouched


def test_planner_kpis_needs_a_zone(capsys, tmp_path):
    code, out, err = invoke(["kpis", LOG, "--out", tmp_path / "x"], capsys)
    assert code == 1
    assert err.strip().startswith("Error: kpis: give a scenario") and "--tz Europe/London" in err
    assert not (tmp_path / "x").exists()


def test_planner_kpis_reports_the_bad_line(tmp_path, capsys):
    log = tmp_path / "log.csv"
    log.write_text("contact_id,channel,arrived_at,answered_at,ended_at\n"
                   "1,phone,2026-07-06 09:00:00,2026-07-06 09:00:10,2026-07-06 09:03:00\n"
                   "2,phone,2026-07-06 09:01:00,2026-07-06 08:59:00,2026-07-06 09:03:00\n")
    code, out, err = invoke(["kpis", log, "--tz", "Europe/London", "--out", tmp_path / "x"], capsys)
    assert code == 1
    assert err.startswith(f"Error: {log}:3:answered_at: answered ") and err.count("\n") == 1
    assert not (tmp_path / "x").exists()


SCENARIO = """
name = "tiny"
timezone = "Europe/London"
{source}
horizon = {{ start = 2026-07-06, days = 7 }}
[channels]
phone = {{ kind = "voice", target_service_level = 0.8, threshold_s = 20, {setting} }}
"""


@pytest.mark.parametrize("source, setting, message", [
    ('history = "h.csv"', 'patience_s = "from-history"',
     'channels.phone.patience_s: "from-history" needs a contact log to learn from'),
    ('contacts = "c.csv"', 'max_occupancy = "from-history"',
     'channels.phone.max_occupancy: "from-history" works for aht_concurrency, aht_growth, patience_s only'),
    ('history = "h.csv"\nmessages = "m.csv"', 'patience_s = 90', "messages: a message log needs its contact log"),
    ("", 'patience_s = 90', "history: missing; give history (interval counts) or contacts"),
    ('contacts = "c.csv"', 'patience_s = "from-histroy"',
     "channels.phone.patience_s: unknown value 'from-histroy' (did you mean 'from-history'?); write a number "
     'or "from-history" to learn it from the contact log'),
])
def test_scenario_from_history_errors(tmp_path, source, setting, message):
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO.format(source=source, setting=setting))
    with pytest.raises(SpecError) as error:
        pl.Scenario.load(path)
    assert str(error.value) == f"{path}: {message}" or str(error.value).startswith(f"{path}: {message}")


def test_read_contacts_takes_a_frame_and_naive_times_in_the_repeated_hour():
    """A frame reads like a file; a naive answer time in the fall-back hour is read after the arrival."""
    frame = pd.DataFrame({"contact_id": ["a"], "channel": ["phone"], "arrived_at": ["2026-10-25 01:55:00"],
                          "answered_at": ["2026-10-25 01:05:00"], "ended_at": ["2026-10-25 01:10:00"]})
    contacts = pl.read_contacts(frame, tz="Europe/London")
    assert contacts["arrived_at"].iloc[0].isoformat() == "2026-10-25T01:55:00+01:00"
    assert contacts["answered_at"].iloc[0].isoformat() == "2026-10-25T01:05:00+00:00"
    assert contacts["wait_s"].iloc[0] == 600.0  # 01:55 BST -> 01:05 GMT is 10 minutes
    assert contacts["work_s"].iloc[0] == 300.0


def test_fast_time_parser_agrees_with_pandas():
    """The vectorised ISO path gives the instants pandas gives, across both DST changes of 2026."""
    rng = np.random.default_rng(4)
    start = pd.Timestamp("2026-03-28", tz="Europe/London")
    times = start + pd.to_timedelta(np.sort(rng.uniform(0, 220 * 86400, 5000)).round(3), unit="s")
    text = pd.Series(times).map(lambda t: t.isoformat(timespec="milliseconds")).to_numpy(dtype=object)
    wall, offset = iso_wall_times(text)
    assert (wall - offset.astype(np.int64) * 60_000_000_000 == pd.DatetimeIndex(times).tz_convert("UTC").floor("ms").asi8).all()
    zulu = pd.Series(times.tz_convert("UTC")).map(lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")).to_numpy(dtype=object)
    wall, offset = iso_wall_times(zulu)
    assert (offset == 0).all() and (wall == pd.DatetimeIndex(times).tz_convert("UTC").floor("s").asi8).all()
    assert iso_wall_times(np.array(["2026-07-06 09:00", "2026-07-06 09:00:00"], dtype=object)) is None  # unlike: fall back
