"""The per-channel unit map (planner.units, docs/design.md section 9): the same outputs for any --jobs
and on Dask, equal to the unsplit pipeline (forecast and staff of every channel at once, the
reference), unit failures caught per unit, and one ``Error:`` line for an unreachable scheduler."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.errors import InputError
from planner.scenario import Scenario
from planner.units import UnitTask, channel_tasks, map_units, run_unit, unit_seed

SCENARIO = '''
name = "tiny"
timezone = "Europe/London"
interval = "1h"
history = "history.csv"
horizon = { start = 2026-06-29, days = 7 }
seed = 7
[channels]
phone = { kind = "voice", target_service_level = 0.8, threshold_s = 20, patience_s = 120, shrinkage = 0.3 }
chat = { kind = "chat", target_service_level = 0.8, threshold_s = 40, concurrency = 2, shrinkage = 0.3 }
email = { kind = "deferred", deadline_s = "4h", shrinkage = 0.25 }
[adjust]
offered = { phone = 1.1 }
'''


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("units")
    rng = np.random.default_rng(3)
    rows = [f"2026-06-{d:02d} {h:02d}:00,{channel},{rng.poisson(base + 3 * h)},{aht}\n"
            for d in range(1, 29) for h in range(8, 18)
            for channel, base, aht in (("phone", 20, 200), ("chat", 10, 300), ("email", 5, 400))]
    (folder / "history.csv").write_text("interval_start,channel,offered,aht_s\n" + "".join(rows))
    (folder / "plan.toml").write_text(SCENARIO)
    return folder / "plan.toml"


def _unsplit(scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reference: every channel forecast and staffed in one call, as before units existed."""
    history = scenario.read_history()
    forecast = scenario.adjust(scenario.forecast(history, scenario.read_events(history)))
    return forecast, scenario.staff(forecast, None, history)


def test_jobs_and_dask_give_the_unsplit_pipeline_exactly(tiny):
    pytest.importorskip("distributed")
    scenario = Scenario.load(tiny)
    forecast, plan = _unsplit(scenario)
    runs = {"jobs 1": scenario.run(jobs=1), "jobs 4": scenario.run(jobs=4),
            "dask local cluster": scenario.run(jobs=2, engine="dask")}
    for name, result in runs.items():
        pd.testing.assert_frame_equal(result.forecast, forecast, check_exact=True, obj=name)
        pd.testing.assert_frame_equal(result.plan, plan, check_exact=True, obj=name)
        pd.testing.assert_frame_equal(result.weekly, runs["jobs 1"].weekly, check_exact=True, obj=name)
    assert {"forecast", "staff", "unit work"} <= set(runs["jobs 4"].timings)


def test_cli_outputs_are_byte_identical_for_any_jobs(tiny, tmp_path):
    folders = {}
    for jobs in ("1", "4"):
        folders[jobs] = tmp_path / f"jobs{jobs}"
        done = subprocess.run([sys.executable, "-m", "planner", "run", str(tiny), "--jobs", jobs, "--out",
                               str(folders[jobs])], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in folders["1"].iterdir())
    assert "plan.csv" in names and names == sorted(p.name for p in folders["4"].iterdir())
    for name in names:
        if name != "manifest.json":  # it records the seconds each stage took
            assert (folders["1"] / name).read_bytes() == (folders["4"] / name).read_bytes(), name


def test_a_failed_unit_is_reported_and_the_others_complete(tiny):
    scenario = Scenario.load(tiny)
    history = scenario.read_history()
    tasks = channel_tasks(scenario, history, None, None)
    assert [task.channels for task in tasks] == [("chat",), ("email",), ("phone",)]
    broken = tasks[1].forecast
    bad = UnitTask("email", ("email",), scenario, tasks[1].history, None, None,
                   pd.DataFrame({"interval_start": [pd.Timestamp("2026-06-29 09:00", tz="Europe/London")],
                                 "channel": ["email"], "offered": [-1.0], "aht_s": [400.0]}), tasks[1].seed)
    assert broken is None
    outcomes = map_units(run_unit, [tasks[0], bad, tasks[2]], jobs=2)
    assert [o.ok for o in outcomes] == [True, False, True]
    assert isinstance(outcomes[1].error, InputError) and "column offered" in str(outcomes[1].error)
    assert set(outcomes[2].result.plan["channel"]) == {"phone"}


def test_unit_seeds_depend_on_the_scenario_seed_and_the_name_only():
    seeds = {unit_seed(seed, name) for seed in (0, 1) for name in ("phone", "chat", "phone+renewals")}
    assert len(seeds) == 6
    assert unit_seed(1, "phone") == int(np.random.SeedSequence(1, spawn_key=tuple(b"phone")).generate_state(1)[0])


def test_unreachable_scheduler_is_one_error_line_and_nothing_written(tiny, tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "planner", "run", str(tiny), "--engine", "dask", "--scheduler",
                           "tcp://127.0.0.1:9", "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: --scheduler tcp://127.0.0.1:9: cannot reach"), done.stderr
    assert not out.exists() or not any(out.iterdir())


def test_warnings_raised_in_worker_processes_reach_the_user(tiny, tmp_path):
    """A unit's warning (here: a horizon beyond what the model bridges) is shown for every engine:
    a worker process cannot show it, so the run re-raises what each unit recorded, each once."""
    late = tmp_path / "late.toml"
    late.write_text(tiny.read_text().replace("2026-06-29", "2026-09-07")
                    .replace('history = "history.csv"', f'history = "{tiny.parent / "history.csv"}"'))
    scenario = Scenario.load(late)
    for jobs in (1, 2):
        with pytest.warns(UserWarning) as caught:
            scenario.run(jobs=jobs)
        texts = [str(w.message) for w in caught if "bridges at most" in str(w.message)]
        assert len(texts) == 1, (jobs, [str(w.message) for w in caught])
