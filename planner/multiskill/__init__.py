"""Agents with several skills: groups, the static and pooled bounds, a skill-based routing simulator
and the simulation-based staffing search between the bounds (docs/design.md section 4a)."""
