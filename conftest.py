"""pytest configuration: what the test run collects besides tests/test_*.py, and the CLI's default pool."""

import os

# CLI runs in the tests plan a few channels: one process each is quicker than starting a pool (the
# pool itself is tested with explicit --jobs / jobs= in tests/test_units.py).
os.environ.setdefault("PLANNER_JOBS", "1")

# Doctests are collected from the package (every docstring example runs); these files are not
# test modules: the entry point runs the CLI on import, benchmarks and reference generators are
# scripts run on demand.
collect_ignore = ["planner/__main__.py"]
collect_ignore_glob = ["tests/benchmarks/*", "tests/reference/*.py"]
