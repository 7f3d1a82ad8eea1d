"""Calibration recovers known truth from logs simulated by planner.simulate (issue 7).

A plan is simulated contact by contact (:func:`planner.simulate.contact_log`) with a known mean
patience and a known chat slowdown per extra chat; the estimates' confidence intervals must cover
the true values. The chat log comes from an agent-by-agent event loop, a different program from
the simulator's aggregate chat loop, so their mean concurrencies are checked against each other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import planner as pl
from planner.simulate import contact_log

LEVEL = 0.99


def plan(kind: str, *, offered: float, aht_s: float, agents: int, patience_s: float, intervals: int = 300,
         **extra) -> pd.DataFrame:
    starts = pd.date_range("2026-07-06 08:00", periods=intervals, freq="15min", tz="Europe/London")
    return pd.DataFrame({"interval_start": starts, "channel": kind, "kind": kind, "offered": offered,
                         "aht_s": aht_s, "agents": agents, "threshold_s": 20.0, "patience_s": patience_s, **extra})


@pytest.mark.parametrize("patience_s", [60.0, 120.0, 400.0])
def test_voice_patience_is_recovered(patience_s):
    """Exposure / abandons, with its exact Poisson interval, covers the simulated mean patience."""
    log = contact_log(plan("voice", offered=60.0, aht_s=180.0, agents=12, patience_s=patience_s),
                      rng=np.random.default_rng(11))
    estimate = pl.estimate_patience(pl.read_contacts(log), level=LEVEL).iloc[0]
    assert estimate["abandons"] > 300
    assert estimate["patience_lo_s"] <= patience_s <= estimate["patience_hi_s"]
    # the exponential's median is ln 2 x mean; Kaplan-Meier sees it when enough callers wait that long
    if np.isfinite(estimate["km_median_s"]):
        assert estimate["km_median_s"] == pytest.approx(np.log(2) * patience_s, rel=0.15)


def test_patience_interval_has_its_coverage():
    """Over 60 independent logs, the 90% interval covers the truth about 90% of the time (binomial check)."""
    rng = np.random.default_rng(5)
    small = plan("voice", offered=40.0, aht_s=180.0, agents=8, patience_s=90.0, intervals=40)
    covered = []
    for _ in range(60):
        row = pl.estimate_patience(pl.read_contacts(contact_log(small, rng=rng)), level=0.9).iloc[0]
        covered.append(row["patience_lo_s"] <= 90.0 <= row["patience_hi_s"])
    # P(Binomial(60, 0.9) <= 47) ~ 0.4%: a broken interval fails, an honest one passes
    assert sum(covered) >= 48


def test_chat_duration_by_concurrency_is_recovered():
    """Each level's mean chat duration interval covers aht (1 + growth (l - 1)); the fitted growth is close."""
    aht_s, growth = 300.0, 0.2
    chats = plan("chat", offered=60.0, aht_s=aht_s, agents=11, patience_s=90.0, concurrency=3, aht_growth=growth,
                 threshold_s=40.0)
    contacts = pl.read_contacts(contact_log(chats, rng=np.random.default_rng(3)))
    estimate = pl.estimate_concurrency(contacts, level=LEVEL)
    truth = aht_s * (1 + growth * (estimate["concurrency"] - 1))
    assert (estimate["completions"] > 500).all()
    assert ((estimate["aht_lo_s"] <= truth) & (truth <= estimate["aht_hi_s"])).all(), estimate
    assert estimate.attrs["aht_growth"]["chat"] == pytest.approx(growth, abs=0.06)
    assert estimate.attrs["aht_s_at_1"]["chat"] == pytest.approx(aht_s, rel=0.1)
    patience = pl.estimate_patience(contacts, level=LEVEL).iloc[0]
    assert patience["patience_lo_s"] <= 90.0 <= patience["patience_hi_s"]
    # the log's mean chat duration is what a forecast's AHT would be; aht_concurrency (the mean level
    # at which chats ended) turns it back into the duration of a chat held alone
    ended_at = estimate.attrs["aht_concurrency"]["chat"]
    assert ended_at == pytest.approx((estimate["concurrency"] * estimate["completions"]).sum()
                                     / estimate["completions"].sum())
    handled = contacts.loc[~contacts["abandoned"] & contacts["answered_at"].notna(), "work_s"]
    assert handled.mean() / (1 + growth * (ended_at - 1)) == pytest.approx(aht_s, rel=0.03)


def test_log_concurrency_agrees_with_the_simulator():
    """The agent-by-agent log and the simulator's aggregate chat loop give the same mean concurrency."""
    chats = plan("chat", offered=50.0, aht_s=300.0, agents=8, patience_s=float("inf"), concurrency=3,
                 aht_growth=0.1, threshold_s=40.0, intervals=200)
    simulated = pl.simulate(chats, rng=np.random.default_rng(8), replications=8, level=LEVEL).channels.iloc[0]
    means = [pl.estimate_concurrency(pl.read_contacts(contact_log(chats, rng=np.random.default_rng(seed))))
             .attrs["mean_concurrency"]["chat"] for seed in range(4)]
    half = simulated["concurrency_hi"] - simulated["concurrency"]
    assert abs(np.mean(means) - simulated["concurrency"]) <= 2 * half + 0.02, (means, simulated)


def test_fixed_arrivals_replay_a_history():
    """arrivals="fixed" puts exactly the plan's offered contacts in each interval; to_history gives them back."""
    chats = plan("voice", offered=0.0, aht_s=200.0, agents=5, patience_s=100.0, intervals=8)
    chats["offered"] = [3.0, 0.0, 7.0, 12.0, 1.0, 0.0, 9.0, 4.0]
    history = pl.to_history(pl.read_contacts(contact_log(chats, rng=np.random.default_rng(1), arrivals="fixed")))
    counted = history.set_index("interval_start")["offered"]
    assert counted.loc[chats["interval_start"]].tolist() == chats["offered"].tolist()
    assert counted.sum() == chats["offered"].sum()


def test_deferred_log_answers_with_the_work_done():
    """Deferred work: answered_at is the reply (work done), agent_handle_s the work; nobody abandons."""
    email = plan("deferred", offered=20.0, aht_s=400.0, agents=10, patience_s=float("inf"), intervals=16,
                 deadline_s=14400.0)
    email["kind"] = "deferred"
    contacts = pl.read_contacts(contact_log(email, rng=np.random.default_rng(2)), kinds={"deferred": "deferred"})
    assert not contacts["abandoned"].any()
    assert contacts["answered_at"].notna().all()
    assert (contacts["wait_s"] >= contacts["work_s"] - 1e-3).all()  # the reply comes after the work
    assert contacts["work_s"].mean() == pytest.approx(400.0, rel=0.15)


def test_aht_measured_at_a_concurrency_is_the_same_plan():
    """Chat(aht_concurrency=c): aht_s measured with c chats per agent equals aht_s / (1 + g (c - 1)) held alone.

    Stationary staffing (SIPP) is identical; MOL keeps the measured mean duration for its time lag.
    """
    starts = pd.date_range("2026-07-06 09:00", periods=6, freq="15min", tz="Europe/London")
    forecast = pd.DataFrame({"interval_start": starts, "channel": "chat", "offered": [40.0, 60, 80, 80, 60, 40],
                             "aht_s": 600.0})
    spec = dict(target_service_level=0.8, threshold_s=40, concurrency=3, aht_growth=0.15, method="sipp")
    measured = pl.staff(forecast, {"chat": pl.Chat(**spec, aht_concurrency=3)})
    alone = pl.staff(forecast.assign(aht_s=600.0 / 1.3), {"chat": pl.Chat(**spec)})
    assert measured["agents"].tolist() == alone["agents"].tolist()
    assert measured["service_level"].to_numpy() == pytest.approx(alone["service_level"].to_numpy(), rel=1e-12)
    with pytest.raises(pl.SpecError, match="aht_concurrency"):
        pl.Chat(**spec, aht_concurrency=0.5)


def test_simulator_reads_aht_concurrency():
    """A plan whose aht_s was measured at 3 chats per agent simulates chats that last aht_s at level 3."""
    chats = plan("chat", offered=60.0, aht_s=390.0, agents=9, patience_s=float("inf"), concurrency=3,
                 aht_growth=0.15, aht_concurrency=3.0, threshold_s=40.0)
    estimate = pl.estimate_concurrency(pl.read_contacts(contact_log(chats, rng=np.random.default_rng(6))),
                                       level=LEVEL).set_index("concurrency")
    assert estimate.loc[3.0, "aht_lo_s"] <= 390.0 <= estimate.loc[3.0, "aht_hi_s"]
    assert estimate.loc[1.0, "aht_lo_s"] <= 300.0 <= estimate.loc[1.0, "aht_hi_s"]
