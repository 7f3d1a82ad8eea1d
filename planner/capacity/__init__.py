"""Long-range capacity plans (docs/design.md section 2, layer 2.5): weekly supply of agents by
cohort, a hiring plan as a MILP, the risk of falling short by Monte Carlo, and a weekly
long-range forecast with its backtest. Scenario glue lives in :mod:`planner.capacity_run`."""

from planner.capacity.supply import Ramp, Supply, class_matrices, esp_recursion, existing_fte, survival

__all__ = ["Ramp", "Supply", "class_matrices", "esp_recursion", "existing_fte", "survival"]
