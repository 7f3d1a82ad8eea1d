"""Contact-level logs: read them, count them into interval history, measure KPIs, calibrate models.

A planner starts from exports of individual contacts (ACD, chat platform, email tool). This package
turns them into the history the forecaster learns from (:func:`to_history`), the KPI report a
contact center runs on (:func:`kpis`, :func:`pivots`) and the inputs of the staffing models
(:func:`estimate_patience`, :func:`estimate_concurrency`). The rules that keep async channels
honest (customer latency is never agent work) are in :mod:`planner.contacts.read`.
"""

from planner.contacts.calibrate import (
    estimate_concurrency,
    estimate_patience,
    learn_settings,
    patience_survival,
)
from planner.contacts.history import to_history
from planner.contacts.kpis import KpiReport, kpis, pivots
from planner.contacts.read import channel_kinds, read_contacts, read_messages

__all__ = [
    "read_contacts", "read_messages", "channel_kinds", "to_history", "kpis", "KpiReport", "pivots",
    "estimate_patience", "estimate_concurrency", "patience_survival", "learn_settings",
]
