"""The public surface: every name in planner.__all__ resolves, and importing planner stays light."""

from __future__ import annotations

import subprocess
import sys

import planner as pl


def test_every_public_name_resolves():
    for name in pl.__all__:
        assert getattr(pl, name) is not None, name
    assert len(set(pl.__all__)) == len(pl.__all__)


def test_forecast_and_simulate_stay_callable_after_their_packages_are_imported():
    import planner.forecast  # noqa: F401  (binds planner.forecast to the package)
    import planner.simulate  # noqa: F401

    assert callable(pl.forecast) and callable(pl.simulate)


def test_import_planner_does_not_load_the_heavy_layers():
    code = "import sys, planner; print(' '.join(m for m in ('statsmodels', 'matplotlib', 'scipy.stats') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []
