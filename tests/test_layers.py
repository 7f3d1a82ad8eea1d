"""The architecture of docs/design.md section 2, enforced by walking every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "planner"

#: Layer of each top-level module or subpackage of planner (docs/design.md section 2). Within L0,
#: schema builds on errors; within L3 the scenario pipeline writes its outputs through report
#: (report never imports scenario); the ``python -m planner`` entry point sits on top of the CLI.
#: schedule takes requirement frames and may call staffing and the simulator, so it sits just above L2.
LAYERS = {
    "errors": 0, "schema": 0.5, "exports": 0.7, "tables": 0.8, "channel_settings": 0.9,
    "io": 1, "calendar": 1, "config": 1,
    "forecast": 2, "staffing": 2, "simulate": 2, "contacts": 2,
    "schedule": 2.5, "capacity": 2.5, "multiskill": 2.5,
    "units": 3.4, "scenario": 3.5, "microplan": 3.55, "report": 3, "review": 3.6, "capacity_run": 3.7,
    "sweep": 3.7,
    "cli": 4, "__main__": 4.5,
}
SIBLINGS_THAT_NEVER_MEET = {frozenset({"forecast", "staffing"})}


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts == ("__init__",):
            continue  # the public surface re-exports from every layer
        yield path, parts[0]


def imported_planner_units(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "planner" and len(parts) > 1:
                found.add(parts[1])
            elif parts[0] == "planner" and isinstance(node, ast.ImportFrom):
                found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("path,unit", list(modules()), ids=lambda v: str(v).split("planner/")[-1])
def test_module_imports_only_lower_layers(path, unit):
    assert unit in LAYERS, f"{unit} has no layer: add it to docs/design.md section 2 and to LAYERS"
    for other in imported_planner_units(path):
        if other == unit:
            continue  # its own subpackage
        assert other in LAYERS, f"{path.name} imports planner.{other}, which has no layer"
        assert frozenset({unit, other}) not in SIBLINGS_THAT_NEVER_MEET, f"{unit} imports {other}"
        assert LAYERS[other] < LAYERS[unit], (
            f"{path.relative_to(PACKAGE)} (layer {LAYERS[unit]}) imports planner.{other} "
            f"(layer {LAYERS[other]}): data flows one way"
        )


def test_only_the_cli_imports_click():
    for path, unit in modules():
        tree = ast.parse(path.read_text())
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        if any(name.split(".")[0] == "click" for name in names):
            assert unit == "cli", f"{path.relative_to(PACKAGE)} imports click"


def test_modules_stay_small():
    for path, _ in modules():
        assert len(path.read_text().splitlines()) <= 500, f"{path.name}: split it by responsibility"
