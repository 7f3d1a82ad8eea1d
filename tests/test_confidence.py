"""The price of confidence (planner/staffing/confidence.py) against each rule solved and evaluated alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import planner as pl
from planner.staffing.confidence import CONFIDENCE_RULES, price_of_confidence
from planner.staffing.rules import live_model, outcomes, required
from planner.staffing.uncertainty import rule_label


def test_each_rule_row_is_that_rule_staffed_and_evaluated_on_its_own():
    rng = np.random.default_rng(3)
    starts = pd.date_range("2026-07-06 08:00", periods=24, freq="15min", tz="Europe/London")
    offered = np.round(rng.uniform(5, 120, starts.size))
    offered[5:9] = 60.0  # repeated intervals: the table evaluates each distinct one once
    forecast = pd.concat([pd.DataFrame({"interval_start": starts, "channel": name, "offered": offered * scale,
                                        "aht_s": 240.0, "rate_shape": rng.choice([20.0, 80.0, np.inf], starts.size)})
                          for name, scale in (("phone", 1.0), ("patient", 0.7), ("chat", 0.5))], ignore_index=True)
    channels = {"phone": pl.Voice(target_service_level=0.8, threshold_s=20),
                "patient": pl.Voice(target_service_level=0.8, threshold_s=20, patience_s=120),
                "chat": pl.Chat(target_service_level=0.8, threshold_s=60, concurrency=2)}
    plan = pl.staff(forecast, channels)
    table = price_of_confidence(plan, channels, interval_s=900)
    assert len(table) == len(channels) * len(CONFIDENCE_RULES)
    for name, part in plan.groupby("channel"):
        model = live_model(channels[name], part["load_erlangs"].to_numpy(float), part["aht_s"].to_numpy(float))
        shape, weight = part["rate_shape"].to_numpy(float), part["offered"].to_numpy(float)
        for rule, confidence in CONFIDENCE_RULES:
            agents, fractional = required(model, shape, rule, confidence)
            expected = outcomes(model, agents, shape, with_probability=False)[0]
            row = table[(table["channel"] == name) & (table["rule"] == rule_label(rule, confidence))].iloc[0]
            assert row["agent_hours"] == pytest.approx(fractional.sum() * 0.25, rel=1e-12)
            assert row["expected_service_level"] == pytest.approx(np.sum(weight * expected) / weight.sum(), abs=1e-12)
