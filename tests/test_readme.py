"""The README cannot lie: its commands run, its output is real, and CI runs its test command."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", README, flags=re.S)


def planner_commands() -> list[str]:
    commands = []
    for lang, body in BLOCKS:
        if lang != "bash":
            continue
        for line in body.splitlines():
            for part in line.split("&&"):
                part = part.strip()
                if part.startswith("planner "):
                    commands.append(part)
    return commands


def run_planner(command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    args = shlex.split(command)[1:]
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, cwd=cwd)


def test_readme_opens_with_install_and_test_commands():
    first, second = [body.strip() for lang, body in BLOCKS[:2]]
    assert "pip install" in first and "planner " in first
    assert second == "python -m pytest"


def test_ci_runs_the_readme_test_command_under_pandas_2_2_and_3():
    test_command = BLOCKS[1][1].strip()
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.findall(r'activate" && (.+?)\) >', ci) == [test_command]  # the one command each venv runs
    assert "setup pandas22 'pandas==2.2.*'" in ci and "setup pandas3 'pandas>=3'" in ci
    assert "run pandas22 &" in ci and "run pandas3 &" in ci


def test_every_planner_command_in_the_readme_runs(tmp_path):
    # In a copy of the project's scenarios and models: the commands' out/ folders land there, so
    # two test runs side by side (CI's two pandas versions) never meet in one out/ folder.
    for folder in ("scenarios", "models"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    commands = planner_commands()
    assert len(commands) >= 2
    for command in commands:
        result = run_planner(command, cwd=tmp_path)
        assert result.returncode == 0, f"{command}\n{result.stderr}"


def test_readme_shows_real_calculator_output():
    shown = next(body for lang, body in BLOCKS if body.startswith("workload"))
    command = "planner erlang agents --offered 100 --interval 30min --aht 180s --target 80/20"
    assert command in README
    assert run_planner(command).stdout == shown


def test_python_example_runs():
    code = next(body for lang, body in BLOCKS if lang == "python")
    exec(compile(code, "README.md", "exec"), {})
