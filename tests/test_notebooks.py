"""The analyst notebooks in notebooks/ run top to bottom in a fresh kernel, quickly, and are stored clean.

Each notebook is executed with nbclient in a temporary copy of its folder (the repository's
``scenarios/`` is linked next to it, so the notebook finds the sample data exactly as in the
repository), with matplotlib's Agg backend; nothing is written back to the repository. The
kernel is this interpreter's ipykernel (a kernel spec written to a temporary ``JUPYTER_PATH``),
so the notebooks run against the installed ``planner``.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT_S = 300  # a hung cell fails; speed itself is measured in benchmarks, not asserted here


def test_the_analyst_notebooks_are_there():
    names = {path.name for path in NOTEBOOKS}
    assert {"01-explore-history.ipynb", "02-forecast-and-backtest.ipynb", "03-staffing-what-if.ipynb"} <= names


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    """A throwaway folder laid out like the repo (notebooks/ next to scenarios/), and a kernel env."""
    (tmp_path / "notebooks").mkdir()
    try:
        (tmp_path / "scenarios").symlink_to(ROOT / "scenarios", target_is_directory=True)
    except OSError:  # no symlinks (e.g. Windows without developer mode): copy the sample data
        shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (this interpreter)", "language": "python",
    }))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return tmp_path


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, workspace):
    notebook = nbformat.read(path, as_version=4)
    check = nbformat.v4.new_code_cell(f"import sys\nassert sys.prefix == {sys.prefix!r}, sys.prefix")
    notebook.cells.insert(0, check)  # the kernel must be this interpreter's
    copy = workspace / "notebooks" / path.name
    nbformat.write(notebook, copy)
    client = nbclient.NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                                     resources={"metadata": {"path": str(copy.parent)}})
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on any error
    elapsed = time.perf_counter() - started
    print(f"\n{path.name}: {elapsed:.1f} s")
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.outputs if output.output_type == "error"]
    assert not errors


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3"
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: cell {index} has outputs; store notebooks stripped"
            assert cell.execution_count is None, f"{path.name}: cell {index} has an execution count"
