"""The ``planner`` command line: results, exact one-line errors, help everywhere, ``--version``.

Errors and a few happy paths run ``python -m planner`` in a subprocess, exactly as a user does, so
the error translation in ``PlannerGroup.main`` and the exit code are what the shell sees. The help
walk uses click's ``CliRunner`` in-process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from importlib.metadata import version

import click
import pytest
from click.testing import CliRunner

import planner
from planner.cli import cli
from planner.staffing import erlang_a

WORKLOAD = ("--offered", "100", "--interval", "30min", "--aht", "180s")
AGENTS = ("erlang", "agents", *WORKLOAD, "--target", "80/20")
AGENTS_JSON = (*AGENTS, "--json")
SL_JSON = ("erlang", "sl", "--agents", "14", *WORKLOAD, "--threshold", "20s", "--json")
ERLANG_A_JSON = (
    *AGENTS, "--patience", "120s", "--max-occupancy", "0.85", "--shrinkage", "0.3", "--json"
)
UNSTABLE_JSON = ("erlang", "sl", "--agents", "5", *WORKLOAD, "--threshold", "20s", "--json")
NO_LOAD_JSON = ("erlang", "agents", "--offered", "0", "--aht", "180s", "--target", "80/20", "--json")
NO_COMMAND = ()
DEBUG = ("--debug", "erlang", "agents", "--offered", "nan", "--aht", "180s", "--target", "80/20")


def _run(args: tuple[str, ...]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# Each ``python -m planner`` costs ~1 s of start-up, so the module starts them all at once (one per
# core at a time) and each test waits for its own.
_POOL = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
_STARTED: dict[tuple[str, ...], Future] = {}


def _start(*args: str) -> Future:
    if args not in _STARTED:
        _STARTED[args] = _POOL.submit(_run, args)
    return _STARTED[args]


def run(*args: str) -> subprocess.CompletedProcess:
    """``python -m planner ARGS`` as a user runs it."""
    return _start(*args).result()


@pytest.fixture(scope="module", autouse=True)
def _start_every_subprocess_early():
    for args in SUBPROCESS_CALLS:
        _start(*args)
    yield
    _POOL.shutdown(wait=True)


def table(stdout: str) -> dict[str, str]:
    """The ``name  value`` lines of the text output as a dict."""
    rows = {}
    for line in stdout.splitlines():
        name, _, value = line.partition("  ")
        rows[name.strip()] = value.strip()
    return rows


# --- results ------------------------------------------------------------------------------
# The worked example (Call Centre Helper's Erlang C example; also asserted at 50 digits by
# tests/reference/make_erlang_reference.py): 100 calls in 30 min, AHT 180 s = 10 Erlangs,
# 80% within 20 s -> 14 agents, P(wait) 0.1741319, service level 0.8883500, ASA 7.8359 s.


def test_agents_prints_a_readable_table():
    result = run(*AGENTS)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    rows = table(result.stdout)
    assert rows["workload"] == "10 Erlangs (100 contacts per 30 min x 180 s AHT)"
    assert rows["model"] == "Erlang C"
    assert rows["target"] == "80% within 20 s"
    assert rows["agents (net)"].split()[0] == "14"
    assert rows["service level"] == "88.84% within 20 s"
    assert rows["probability of waiting"] == "17.41%"
    assert rows["ASA"] == "7.8 s"
    assert rows["occupancy"] == "71.4%"


def test_agents_json():
    result = run(*AGENTS_JSON)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["model"] == "erlang_c"
    assert data["agents"] == 14
    assert data["load_erlangs"] == pytest.approx(10.0, rel=1e-15)
    assert (data["target_service_level"], data["threshold_s"]) == (0.8, 20.0)
    assert data["service_level"] == pytest.approx(0.8883500, abs=5e-8)
    assert data["p_wait"] == pytest.approx(0.1741319, abs=5e-8)
    assert data["asa_s"] == pytest.approx(7.8359, abs=5e-5)
    assert 13.0 < data["agents_fractional"] <= 14.0
    assert data["agents_gross"] == 14.0 and data["abandon_rate"] == 0.0


def test_sl_json_for_a_given_staff():
    result = run(*SL_JSON)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["agents"] == 14 and data["agents_fractional"] is None
    assert data["target_service_level"] is None
    assert data["service_level"] == pytest.approx(0.8883500, abs=5e-8)
    assert data["asa_s"] == pytest.approx(7.8359, abs=5e-5)
    assert data["occupancy"] == pytest.approx(10 / 14, rel=1e-15)


def test_erlang_a_with_occupancy_cap_and_shrinkage_json():
    result = run(*ERLANG_A_JSON)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["model"] == "erlang_a"
    assert (data["patience_s"], data["max_occupancy"], data["shrinkage"]) == (120.0, 0.85, 0.3)
    assert data["agents_gross"] == pytest.approx(data["agents"] / 0.7, rel=1e-15)
    assert data["service_level"] >= 0.8
    assert data["occupancy"] <= 0.85
    assert 0.0 < data["abandon_rate"] < data["p_wait"]
    # The command line passes every option through to the model.
    assert data["agents"] == erlang_a.required_agents(
        10.0, 180.0, patience_s=120.0, target_service_level=0.8, threshold_s=20.0, max_occupancy=0.85
    )


def test_unstable_staff_reports_unbounded_wait_not_an_error():
    result = run(*UNSTABLE_JSON)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["service_level"] == 0.0 and data["p_wait"] == 1.0
    assert data["asa_s"] is None  # infinite wait: JSON has no infinity


def test_zero_offered_contacts_need_no_agents_and_meet_the_target():
    result = run(*NO_LOAD_JSON)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["agents"] == 0
    assert (data["service_level"], data["p_wait"], data["asa_s"]) == (1.0, 0.0, 0.0)


def test_version():
    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"planner {version('planner')}"
    assert version("planner") == planner.__version__


# --- errors: one line on stderr, exit code 1, nothing on stdout -------------------------

ERRORS = [
    pytest.param(
        ["erlang", "agents", "--offered", "-5", "--aht", "180s", "--target", "80/20"],
        "Error: Invalid value for '--offered': expected a number of contacts >= 0, got '-5'",
        id="negative-offered",
    ),
    pytest.param(
        ["erlang", "agents", "--offered", "100", "--aht", "3m", "--target", "80/20"],
        "Error: Invalid value for '--aht': unknown time unit 'm' in '3m' (write 'min' for minutes); "
        "use one of s, min, h, d",
        id="aht-3m",
    ),
    pytest.param(
        ["erlang", "agents", "--offered", "100", "--aht", "0", "--target", "80/20"],
        "Error: Invalid value for '--aht': expected a duration > 0, got '0'",
        id="aht-zero",
    ),
    pytest.param(
        ["erlang", "agents", *WORKLOAD, "--target", "120/20"],
        "Error: Invalid value for '--target': '120' is not a share: a percent is at most 100; a share is a "
        "fraction such as 0.8 or a percent such as 80 or \"80%\" (numbers above 1 are percents)",
        id="target-120",
    ),
    pytest.param(
        ["erlang", "agents", *WORKLOAD, "--target", "abc"],
        "Error: Invalid value for '--target': cannot read 'abc'; write service level / threshold, "
        "e.g. 80/20 (80% answered within 20 s) or 90/30s",
        id="target-abc",
    ),
    pytest.param(
        ["erlang", "agents", *WORKLOAD],
        "Error: Missing option '--target'.",
        id="missing-target",
    ),
    pytest.param(
        ["erlang", "agents", *WORKLOAD, "--target", "80/20", "--bogus"],
        "Error: No such option '--bogus'.",
        id="unknown-option",
    ),
    pytest.param(["frobnicate"], "Error: No such command 'frobnicate'.", id="unknown-command"),
    pytest.param(
        ["erlang", "agents", *WORKLOAD, "--target", "80/20", "--shrinkage", "1"],
        "Error: Invalid value for '--shrinkage': expected a fraction >= 0 and < 1, got '1'",
        id="shrinkage-1",
    ),
    pytest.param(
        ["erlang", "agents", *WORKLOAD, "--target", "80/20", "--max-abandon", "0.05"],
        "Error: --max-abandon needs --patience (abandonment is modelled by Erlang A)",
        id="max-abandon-without-patience",
    ),
    pytest.param(
        ["erlang", "sl", "--agents", "-1", *WORKLOAD, "--threshold", "20s"],
        "Error: Invalid value for '--agents': -1 is not in the range x>=0.",
        id="negative-agents",
    ),
    pytest.param(
        ["erlang", "sl", "--agents", "14", *WORKLOAD],
        "Error: give --threshold (e.g. --threshold 20s) or --target (e.g. --target 80/20)",
        id="sl-without-threshold",
    ),
]


@pytest.mark.parametrize(("args", "message"), ERRORS)
def test_user_error_is_one_exact_line(args, message):
    result = run(*args)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == message + "\n"


# The contract holds, but the wording is poor (click's or the API's, not the command line's):
# these check the contract only. See the report for suggested wording.
POOR_ERRORS = [
    pytest.param(
        ("erlang", "agents", "--offered", "abc", "--aht", "180s", "--target", "80/20"),
        "'--offered'",
        id="offered-abc",
    ),
    pytest.param(
        ("erlang", "agents", "--offered", "nan", "--aht", "180s", "--target", "80/20"),
        "offered",
        id="offered-nan",
    ),
]


@pytest.mark.parametrize(("args", "fragment"), POOR_ERRORS)
def test_user_error_contract_for_non_numbers(args, fragment):
    result = run(*args)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and fragment in lines[0]
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback_of_a_user_error():
    result = run(*DEBUG)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback (most recent call last)" in result.stderr
    assert "click.exceptions.BadParameter: expected a number of contacts >= 0, got 'nan'" in result.stderr
    assert not result.stderr.startswith("Error: ")


def test_no_command_prints_the_help():
    result = run(*NO_COMMAND)
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout.startswith("Usage: planner ")
    assert "Commands:" in result.stdout.splitlines()


SUBPROCESS_CALLS = [
    AGENTS,
    AGENTS_JSON,
    SL_JSON,
    ERLANG_A_JSON,
    UNSTABLE_JSON,
    NO_LOAD_JSON,
    ("--version",),
    DEBUG,
    NO_COMMAND,
    *(tuple(case.values[0]) for case in ERRORS + POOR_ERRORS),
]


# --- help: -h and --help on every command and group, each with an example -----------------


def _command_paths(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [path]
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            paths += _command_paths(sub, (*path, name))
    return paths


COMMAND_PATHS = _command_paths(cli)


def test_the_command_tree_is_walked():
    assert {(), ("erlang",), ("erlang", "agents"), ("erlang", "sl")} <= set(COMMAND_PATHS)


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=lambda p: " ".join(("planner", *p)))
def test_every_command_has_help_with_an_example(path):
    runner = CliRunner()
    outputs = []
    for flag in ("-h", "--help"):
        result = runner.invoke(cli, [*path, flag], prog_name="planner")
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    short, long = outputs
    assert short == long
    assert short.startswith(f"Usage: {' '.join(('planner', *path))} ")
    assert "Example:" in short
    example = short.split("Example:", 1)[1].split("Options:", 1)[0].strip()
    assert example.startswith(" ".join(("planner", *path))), example
    assert "-h, --help" in short


def test_backtest_prints_the_model_card_beside_the_accuracy(tmp_path):
    result = CliRunner().invoke(cli, ["backtest", "scenarios/base.toml", "--windows", "1", "--model", "default",
                                      "--out", str(tmp_path / "bt")])
    assert result.exit_code == 0, result.output
    head, _, card = result.output.partition("Model card (last cutoff; holdout MAE in contacts per interval):")
    assert "mase" in head
    lines = card.strip().splitlines()
    assert lines[0].split()[:4] == ["channel", "model", "chosen", "times_chosen"]
    channels = {line.split()[0] for line in lines[1:-1]}  # channels open on the cutoff day
    assert channels and channels <= {"chat", "email", "phone", "social"}
    assert (tmp_path / "bt" / "model_card.csv").is_file()
