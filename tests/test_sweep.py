"""``planner sweep`` (planner.sweep): each what-if equals the scenario changed by hand and run unsplit
(Scenario.replace(...).run(), the reference); a failed unit is reported and the rest completes; a grid
key that is no scenario key is one ``Error:`` line and nothing is written."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import planner.sweep as sweep_module
from planner.errors import InputError
from planner.sweep import RESULT_COLUMNS, load_grid

SCENARIO = '''
name = "tiny"
timezone = "Europe/London"
interval = "1h"
history = "history.csv"
horizon = { start = 2026-06-29, days = 7 }
[channels]
phone = { kind = "voice", target_service_level = 0.8, threshold_s = 20, patience_s = 120, shrinkage = 0.3 }
email = { kind = "deferred", deadline_s = "4h", shrinkage = 0.25 }
'''
GRID = '''
cost_per_hour = 20.0
[grid]
"adjust.offered.*" = [1.0, 1.2]
"channels.*.shrinkage" = [0.3, 0.4]
'''


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    rng = np.random.default_rng(5)
    rows = [f"2026-06-{d:02d} {h:02d}:00,{channel},{rng.poisson(base + 2 * h)},{aht}\n"
            for d in range(1, 29) for h in range(8, 18) for channel, base, aht in (("phone", 20, 200), ("email", 6, 400))]
    (folder / "history.csv").write_text("interval_start,channel,offered,aht_s\n" + "".join(rows))
    (folder / "plan.toml").write_text(SCENARIO)
    (folder / "grid.toml").write_text(GRID)
    (folder / "bad.toml").write_text('[grid]\n"ajust.offered.*" = [1.0, 1.1]\n')
    return folder


def test_every_what_if_equals_the_scenario_changed_by_hand(files):
    sweep = load_grid(files / "plan.toml", files / "grid.toml")
    assert len(sweep.variants) == 4
    result = sweep.run(jobs=2)
    assert list(result.results.columns) == list(RESULT_COLUMNS) and result.failures.empty
    for label, variant in sweep.variants.items():
        reference = variant.run().weekly
        mine = result.results[result.results["scenario"] == label].reset_index(drop=True)
        np.testing.assert_array_equal(mine["fte_gross"], reference["fte_gross"])
        np.testing.assert_array_equal(mine["service_level"], reference["service_level"])
        np.testing.assert_allclose(mine["cost"], reference["agent_hours_gross"] * 20.0, rtol=1e-15)
    volume = result.results.groupby("scenario", sort=False)["offered"].sum().to_numpy()
    np.testing.assert_allclose(volume[2] / volume[0], 1.2, rtol=1e-12)


def test_a_failed_unit_is_reported_and_the_rest_completes(files, monkeypatch):
    real = sweep_module.run_unit

    def flaky(task):
        if task.channels == ("email",) and "shrinkage=0.4" in task.label and "offered.*=1.2" in task.label:
            raise InputError("email: the deadline cannot be met (a test failure)")
        return real(task)

    monkeypatch.setattr(sweep_module, "run_unit", flaky)
    result = load_grid(files / "plan.toml", files / "grid.toml").run(jobs=1)
    assert result.failures[["unit", "error"]].values.tolist() == [
        ["email", "email: the deadline cannot be met (a test failure)"]]
    counts = result.results.groupby("scenario", sort=False)["channel"].nunique().tolist()
    assert counts == [2, 2, 2, 1]


def test_a_grid_key_that_is_no_scenario_key_is_one_error_line(files, tmp_path):
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "planner", "sweep", str(files / "plan.toml"), "--grid",
                           str(files / "bad.toml"), "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"Error: {files / 'bad.toml'}: grid.ajust.offered.*: 'ajust' is no scenario key (did you mean 'adjust'?); "
        "grid keys are dotted scenario keys such as adjust.offered.* or channels.phone.shrinkage"]
    assert not out.exists()
