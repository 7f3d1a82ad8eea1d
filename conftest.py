"""pytest configuration: what the test run collects besides tests/test_*.py."""

# Doctests are collected from the package (every docstring example runs); these files are not
# test modules: the entry point runs the CLI on import, benchmarks and reference generators are
# scripts run on demand.
collect_ignore = ["planner/__main__.py"]
collect_ignore_glob = ["tests/benchmarks/*", "tests/reference/*.py"]
