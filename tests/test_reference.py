"""The staffing engine against independent references.

The CSVs in ``tests/reference/`` were written by ``make_erlang_reference.py`` with mpmath at 50
digits from the textbook formulas (Erlang B recursion, birth-death sums for Erlang A), sharing no
code with ``planner``. Probabilities must agree to ``rtol=1e-9``; required agents exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from planner.staffing import erlang, erlang_a

REFERENCE = Path(__file__).parent / "reference"


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / name)


@pytest.fixture(scope="module")
def erlang_c_table() -> pd.DataFrame:
    return read("erlang_c.csv")


def test_reference_covers_the_promised_range(erlang_c_table):
    assert erlang_c_table.load_erlangs.min() <= 0.1
    assert erlang_c_table.load_erlangs.max() >= 5000
    assert erlang_c_table.agents.max() >= 5200


@pytest.mark.parametrize("column", ["erlang_b", "erlang_c", "service_level", "asa_s", "occupancy"])
def test_erlang_c_matches_mpmath(erlang_c_table, column):
    t = erlang_c_table
    got = {
        "erlang_b": erlang.erlang_b(t.agents, t.load_erlangs),
        "erlang_c": erlang.erlang_c(t.agents, t.load_erlangs),
        "service_level": erlang.service_level(t.agents, t.load_erlangs, t.aht_s, t.threshold_s),
        "asa_s": erlang.asa(t.agents, t.load_erlangs, t.aht_s),
        "occupancy": erlang.occupancy(t.agents, t.load_erlangs),
    }[column]
    assert_allclose(got, t[column], rtol=1e-9, atol=0)


def test_metrics_matches_mpmath(erlang_c_table):
    t = erlang_c_table
    m = erlang.metrics(t.agents, t.load_erlangs, t.aht_s, t.threshold_s)
    assert_allclose(m["p_wait"], t.erlang_c, rtol=1e-9)
    assert_allclose(m["service_level"], t.service_level, rtol=1e-9)
    assert_allclose(m["asa_s"], t.asa_s, rtol=1e-9)


def test_classic_worked_example():
    """Call Centre Helper, "Erlang C Formula - Made Simple With an Easy Worked Example":
    100 calls per 30 minutes, AHT 180 s, 80% answered in 20 s -> 14 agents, P(wait) 17.41%,
    service level 88.84%, ASA 7.8 s (digits below from the mpmath reference)."""
    load = 100 * 180 / 1800
    assert erlang.required_agents(load, 180, target_service_level=0.8, threshold_s=20) == 14
    assert erlang.erlang_c(14, load) == pytest.approx(0.1741319, abs=5e-8)
    assert erlang.service_level(14, load, 180, 20) == pytest.approx(0.8883500, abs=5e-8)
    assert erlang.asa(14, load, 180) == pytest.approx(7.8359, abs=5e-5)


def test_fractional_erlang_b_matches_jagerman():
    t = read("erlang_b_fractional.csv")
    assert t.load_erlangs.max() >= 10000 and t.agents.max() >= 10500
    assert (t.agents % 1 != 0).sum() >= 50  # really fractional
    assert_allclose(erlang.erlang_b(t.agents, t.load_erlangs), t.erlang_b, rtol=1e-9, atol=0)


def test_required_agents_exact_including_near_ties():
    t = read("required_agents_c.csv")
    max_occ = t.max_occupancy.fillna(1.0)
    options = dict(target_service_level=t.target_service_level, threshold_s=t.threshold_s, max_occupancy=max_occ)
    got = erlang.required_agents(t.load_erlangs, t.aht_s, **options)
    np.testing.assert_array_equal(got, t.agents)
    # The one-pass variant agrees, with its service level at the answer.
    r = erlang.requirement(t.load_erlangs, t.aht_s, **options)
    np.testing.assert_array_equal(r["agents"], t.agents)
    assert_allclose(r["service_level"], t.service_level_at_agents, rtol=1e-9)
    # Near-ties: the service level one agent below lies within 1e-4 of the target.
    assert t.near_tie.sum() >= 30
    assert (np.abs(t.service_level_below - t.target_service_level)[t.near_tie == 1] < 1e-4).all()
    tight = np.abs(t.service_level_below - t.target_service_level) < 1e-8
    assert tight.sum() >= 10  # ties to 1e-9 are decided correctly too


def test_fractional_agents_bracket_the_integer_answer():
    t = read("required_agents_c.csv")
    options = dict(
        target_service_level=t.target_service_level,
        threshold_s=t.threshold_s,
        max_occupancy=t.max_occupancy.fillna(1.0),
    )
    x = erlang.fractional_agents(t.load_erlangs, t.aht_s, **options)
    assert (x > t.agents - 1).all() and (x <= t.agents).all()


@pytest.fixture(scope="module")
def erlang_a_table() -> pd.DataFrame:
    return read("erlang_a.csv")


@pytest.fixture(scope="module")
def erlang_a_result(erlang_a_table):
    t = erlang_a_table
    return erlang_a.erlang_a(t.agents, t.load_erlangs, t.aht_s, t.patience_s, t.threshold_s)


@pytest.mark.parametrize("column", ["p_wait", "p_abandon", "service_level"])
def test_erlang_a_probabilities_match_birth_death_sums(erlang_a_table, erlang_a_result, column):
    # atol only matters for values below 1e-300 that a double cannot hold (one SL of 1.6e-364).
    assert_allclose(getattr(erlang_a_result, column), erlang_a_table[column], rtol=1e-9, atol=1e-300)


def test_erlang_a_answered_wait_matches_series(erlang_a_table, erlang_a_result):
    # A quadrature (composite Gauss-Legendre) against the exact digamma series.
    assert_allclose(erlang_a_result.asa_s, erlang_a_table.asa_s, rtol=1e-9)


def test_erlang_a_covers_understaffing(erlang_a_table):
    t = erlang_a_table
    assert (t.agents < t.load_erlangs).sum() >= 20
    assert (t.agents > t.load_erlangs + np.sqrt(t.load_erlangs)).sum() >= 20


def test_erlang_a_required_agents_exact():
    t = read("required_agents_a.csv")
    max_ab = t.max_abandon_rate
    got = np.empty(len(t), dtype=np.int64)
    for has_cap in (True, False):  # max_abandon_rate is optional: test both call forms
        rows = max_ab.notna() if has_cap else max_ab.isna()
        got[rows.to_numpy()] = erlang_a.required_agents(
            t.load_erlangs[rows],
            t.aht_s[rows],
            patience_s=t.patience_s[rows],
            target_service_level=t.target_service_level[rows],
            threshold_s=t.threshold_s[rows],
            max_abandon_rate=max_ab[rows] if has_cap else None,
        )
    np.testing.assert_array_equal(got, t.agents)
    assert (t.agents < t.load_erlangs).sum() >= 10  # impatience: fewer agents than Erlangs
