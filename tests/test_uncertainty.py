"""Staffing to the forecast's uncertainty: the limits the rules must reach, proven against references.

- An infinite gamma shape (a known rate) gives the point plan exactly, for every live model.
- The expected service level by quadrature agrees with a 1e5-draw Monte Carlo to 1e-4 (the draws
  are stratified, so the Monte Carlo's own error, measured from independent replicates, is far
  below 1e-4 and the comparison means something), and with adaptive quadrature (scipy.integrate).
- The chance rule: P(SL >= target), counted by drawing rates, equals q within Monte Carlo error at
  the continuous requirement, and is at least q (and what :func:`outcomes` says) at whole agents.
- The day statement: with all of the rate's spread in the shared day factor, a day of identical
  intervals meets its target exactly when one interval does (the lognormal probability, closed
  form); with independent interval factors it does not.
- Bad input: one clear error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special, stats

from planner.errors import InputError, SpecError
from planner.staffing import chat, erlang, rules
from planner.staffing.plan import Chat, Deferred, Voice, staff
from planner.staffing.uncertainty import expected_value, rate_probability, rate_quantile

DRAWS = 100_000


def models(load, aht=240.0):
    """One adaptor per live model, with the same load [Erlang] and AHT [s] (chat: 3 at a time)."""
    load = np.atleast_1d(np.asarray(load, dtype=float))
    targets = dict(target=0.8, threshold_s=20.0)
    profile = chat.aht_profile(np.full(load.size, 3 * aht), 3, 0.1)
    return {
        "erlang_c": rules.erlang_c_model(load, aht, **targets),
        "erlang_a": rules.erlang_a_model(load, aht, patience_s=120.0, **targets),
        "chat": rules.chat_model(load / aht, profile, patience_s=np.inf, **targets),
    }


def stratified_rates(shape: float, draws: int, rng) -> np.ndarray:
    """``draws`` gamma rates (shape ``shape``, mean 1), one in each 1/draws of probability, shuffled."""
    u = (np.arange(draws) + rng.random(draws)) / draws
    return rng.permutation(special.gammaincinv(shape, u) / shape)


# --- limits -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["erlang_c", "erlang_a", "chat"])
def test_an_infinite_shape_is_the_point_plan_exactly(kind):
    load = np.random.default_rng(3).uniform(0.0, 60.0, 200)
    load[:3] = [0.0, 0.2, 1e-3]
    model = models(load)[kind]
    point, point_fractional = rules.required(model, np.inf, "point")
    for rule, q in (("expected", None), ("chance", 0.9), ("chance", 0.5)):
        agents, fractional = rules.required(model, np.full(load.size, np.inf), rule, q)
        np.testing.assert_array_equal(agents, point)
        np.testing.assert_array_equal(fractional, point_fractional)
    expected, chance = rules.outcomes(model, point, np.full(load.size, np.inf))
    np.testing.assert_array_equal(expected, model.sl(point, np.ones(load.size), np.arange(load.size)))
    np.testing.assert_array_equal(chance, 1.0)  # the point plan meets the target at the known rate


def test_the_plan_under_every_rule_with_a_known_rate_is_the_point_plan():
    starts = pd.date_range("2026-07-06 08:00", periods=40, freq="15min", tz="Europe/London")
    offered = 40.0 + 30.0 * np.sin(np.arange(40) / 6.0)
    forecast = pd.DataFrame({"interval_start": starts, "channel": "phone", "offered": offered, "aht_s": 240.0,
                             "rate_shape": np.inf, "day_log_var": 0.0})
    base = staff(forecast, {"phone": Voice(target_service_level=0.8, threshold_s=20)})
    for rule, q in (("expected", None), ("chance", 0.95)):
        plan = staff(forecast, {"phone": Voice(target_service_level=0.8, threshold_s=20, staffing_rule=rule,
                                               confidence=q)})
        pd.testing.assert_series_equal(plan["agents"], base["agents"])
        pd.testing.assert_series_equal(plan["agents_fractional"], base["agents_fractional"])
    assert (base["p_service_level_met"] == 1.0).all() and (base["p_day_service_level_met"] == 1.0).all()


# --- the expected service level against references ----------------------------------------------

CASES = [  # (model, load [Erlang], agents, gamma shape)
    ("erlang_c", 10.0, 14, 30.0), ("erlang_c", 100.0, 115, 100.0), ("erlang_c", 2.0, 4, 5.0),
    ("erlang_c", 400.0, 420, 400.0), ("erlang_a", 10.0, 12, 30.0), ("erlang_a", 100.0, 104, 50.0),
    ("chat", 10.0, 14, 40.0), ("chat", 30.0, 40, 200.0),
]


@pytest.mark.parametrize("kind, load, agents, shape", CASES)
def test_the_expected_service_level_agrees_with_a_monte_carlo_of_1e5_draws_to_1e_4(kind, load, agents, shape):
    model = models(load)[kind]
    quadrature = rules.outcomes(model, np.array([agents]), np.array([shape]))[0][0]
    rng = np.random.default_rng(14)
    estimates = []
    for _ in range(4):  # 1e5 draws in four independent replicates: their spread is the Monte Carlo error
        x = stratified_rates(shape, DRAWS // 4, rng)
        sl = model.sl(np.full(x.size, float(agents)), x, np.zeros(x.size, dtype=np.int64))
        estimates.append(np.sum(x * sl) / np.sum(x))  # weighted by volume
    monte_carlo = float(np.mean(estimates))
    error = float(np.std(estimates, ddof=1) / 2.0)
    assert error < 2e-5, error
    assert abs(quadrature - monte_carlo) < 1e-4, (quadrature, monte_carlo, error)
    assert 0.05 < quadrature < 0.999  # a case where the uncertainty matters


@pytest.mark.parametrize("load, agents, shape", [(10.0, 14, 30.0), (100.0, 110, 100.0), (300.0, 330, 20.0),
                                                 (1.0, 3, 3.0), (50.0, 60, 1000.0)])
def test_the_expected_erlang_c_service_level_agrees_with_adaptive_quadrature(load, agents, shape):
    def density_times_sl(x):
        return stats.gamma.pdf(x, shape + 1.0, scale=1.0 / shape) * erlang.service_level(agents, x * load, 240.0, 20.0)

    kink = agents / load
    split = [max(kink - 6.0 * np.sqrt(agents) / load, kink / 2.0)]
    reference = integrate.quad(density_times_sl, 0.0, kink, points=split, limit=500, epsabs=1e-13, epsrel=1e-12)[0]
    got = expected_value(lambda x, rows: erlang.service_level(agents, x * load, 240.0, 20.0), np.array([shape]),
                         kink=np.array([kink]))[0]
    assert abs(got - reference) < 1e-5, (got, reference)


def test_the_coarse_quadrature_is_used_only_where_it_matches_the_fine_one():
    """16 nodes where the service level is smooth over the rate (rules.coarse_rows): within 2e-6 of 24 nodes."""
    rng = np.random.default_rng(13)
    shape = np.exp(rng.uniform(np.log(20.0), np.log(1e5), 3000))
    load = np.minimum(np.exp(rng.uniform(np.log(0.2), np.log(3000.0), shape.size)), 3.0 * shape)
    aht = rng.uniform(30.0, 900.0, shape.size)
    threshold = rng.uniform(0.0, 0.1, shape.size) * aht
    agents = np.maximum(1.0, np.round(load + rng.uniform(-1.0, 5.0, shape.size) * np.sqrt(load) + 1.0))
    model = rules.erlang_c_model(load, aht, threshold_s=threshold, target=0.8)
    assert rules.coarse_rows(model, shape).all()
    got = rules.outcomes(model, agents, shape, with_probability=False)[0]
    fine = expected_value(lambda x, rows: erlang.service_level(agents[rows], x * load[rows], aht[rows], threshold[rows]),
                          shape, kink=agents / load)
    assert np.abs(got - fine).max() < 2e-6
    assert not rules.coarse_rows(model, np.full(shape.size, 10.0)).any()  # a wide spread: the fine rule


def test_the_rate_distribution_helpers_match_scipy():
    k = np.array([2.0, 30.0, 500.0])
    np.testing.assert_allclose(rate_quantile(k, 0.9), stats.gamma.ppf(0.9, k, scale=1.0 / k), rtol=1e-12)
    np.testing.assert_allclose(rate_probability(k, 1.1), stats.gamma.cdf(1.1, k, scale=1.0 / k), rtol=1e-12)
    # the size-biased mean E[X^2] / E[X] = 1 + 1/k, over shapes up to 1e9 (no overflow of Gamma(k + 1))
    shapes = np.array([2.0, 171.0, 1e4, 1e9])
    np.testing.assert_allclose(expected_value(lambda x, rows: x, shapes), 1.0 + 1.0 / shapes, rtol=1e-5)


# --- the chance rule ----------------------------------------------------------------------------


@pytest.mark.parametrize("q", [0.5, 0.8, 0.9])
def test_the_chance_rule_meets_the_target_with_probability_q(q):
    """At the continuous (Jagerman) requirement P(SL >= target) is q exactly; counted over 1e5 rates."""
    load, shape = np.array([20.0, 150.0]), np.array([40.0, 120.0])
    model = models(load)["erlang_c"]
    fractional = rules.required(model, shape, "chance", q)[1]
    rng = np.random.default_rng(9)
    for row in range(2):
        x = rng.gamma(shape[row], 1.0 / shape[row], DRAWS)
        sl = erlang.service_level(fractional[row], x * load[row], 240.0, 20.0)
        share = np.mean(sl >= 0.8)
        assert abs(share - q) < 4.0 * np.sqrt(q * (1.0 - q) / DRAWS), (row, share, q)


@pytest.mark.parametrize("kind", ["erlang_c", "erlang_a", "chat"])
def test_whole_agents_of_the_chance_rule_meet_the_target_at_least_q_of_the_time(kind):
    load, shape, q = np.array([8.0, 45.0]), np.array([25.0, 80.0]), 0.8
    model = models(load)[kind]
    agents = rules.required(model, shape, "chance", q)[0]
    stated = rules.outcomes(model, agents, shape)[1]
    rng = np.random.default_rng(21)
    for row in range(2):
        x = rng.gamma(shape[row], 1.0 / shape[row], 20_000)
        share = np.mean(model.sl(np.full(x.size, float(agents[row])), x, np.full(x.size, row)) >= 0.8)
        assert abs(share - stated[row]) < 4.0 * np.sqrt(stated[row] * (1 - stated[row]) / x.size) + 1e-9
        assert stated[row] >= q


def test_the_expected_rule_is_the_least_staff_whose_expected_service_level_meets_the_target():
    load = np.random.default_rng(5).uniform(1.0, 80.0, 60)
    shape = np.random.default_rng(6).uniform(10.0, 300.0, 60)
    for model in models(load).values():
        agents = rules.required(model, shape, "expected")[0]
        above = rules.outcomes(model, agents, shape)[0]
        below = rules.outcomes(model, agents - 1, shape)[0]
        assert (above >= 0.8).all() and (below < 0.8).all()


def test_the_stable_queue_kernel_is_erlang_c():
    """The quadrature's Erlang C (stable rows only, Poisson density from gammaln) against the general one."""
    from planner.staffing._expected import stable_erlang_c_sl

    rng = np.random.default_rng(11)
    load = np.exp(rng.uniform(np.log(0.01), np.log(5000.0), 20_000))
    agents = np.floor(load) + 1.0 + np.floor(rng.uniform(0.0, 5.0, load.size) * np.sqrt(load))
    aht, threshold = rng.uniform(20.0, 900.0, load.size), rng.choice([0.0, 20.0, 60.0, 600.0], load.size)
    np.testing.assert_allclose(stable_erlang_c_sl(agents, load, aht, threshold),
                               erlang.service_level(agents, load, aht, threshold), rtol=0, atol=1e-11)


def test_the_fused_erlang_c_quadrature_is_the_generic_one_with_erlang_c_inside():
    """expected_erlang_c_sl (rows x nodes, one gammaln per row) = expected_value over erlang.service_level."""
    from planner.staffing._expected import expected_erlang_c_sl
    from planner.staffing.uncertainty import rate_domain

    rng = np.random.default_rng(15)
    size = 4000
    shape = np.exp(rng.uniform(np.log(2.0), np.log(1e5), size))
    shape[:20], shape[20:30] = np.inf, 1e13  # known rates
    load = np.exp(rng.uniform(np.log(0.2), np.log(2000.0), size))
    aht = rng.uniform(30.0, 900.0, size)
    threshold = rng.uniform(0.0, 0.3, size) * aht
    agents = np.maximum(0.0, np.round(load + rng.uniform(-3.0, 5.0, size) * np.sqrt(load)))
    coarse = rules.coarse_rows(rules.erlang_c_model(load, aht, threshold_s=threshold, target=0.8), shape)
    assert 0 < coarse.sum() < size
    got = expected_erlang_c_sl(agents, load, aht, threshold, shape, rate_domain(shape, coarse), coarse)
    generic = expected_value(lambda x, r: erlang.service_level(agents[r], x * load[r], aht[r], threshold[r]),
                             shape, kink=agents / load, coarse=coarse)
    np.testing.assert_allclose(got, generic, rtol=0, atol=1e-11)
    assert (got[agents == 0] == 0).all() and (agents == 0).any() and (got > 0.5).sum() > size / 4


def test_the_quadrature_ends_are_where_the_density_has_fallen_by_the_rules_drop():
    """The closed-form Newton ends of the rule (no root search) against the log-density itself."""
    from planner.staffing.uncertainty import _RULES, _domain, _log_density

    k = np.exp(np.linspace(np.log(0.05), np.log(1e11), 2000))
    for coarse in (False, True):
        drop = _RULES[coarse][1]
        lo, hi, _ = _domain(k, coarse)
        mode = np.log1p(1.0 / k)
        assert (lo < mode).all() and (mode < hi).all()
        for end in (lo, hi):
            np.testing.assert_allclose(_log_density(end, k), -drop, rtol=1e-9)


@pytest.mark.parametrize("unit_steps", [1, 2, 3])
def test_the_integer_search_finds_the_least_meeting_count_from_any_start(unit_steps):
    """smallest_integer against brute force: answers from 1 to 400, starts anywhere from 1 to 500."""
    from planner.staffing._search import smallest_integer

    rng = np.random.default_rng(unit_steps)
    answer = rng.integers(1, 400, 5000)
    start = np.where(rng.random(answer.size) < 0.5, answer + rng.integers(-2, 3, answer.size),
                     rng.integers(1, 500, answer.size))
    calls = []

    def met(n, rows):
        calls.append(n.size)
        return n >= answer[rows]

    got = smallest_integer(met, np.zeros(answer.size, dtype=np.int64), np.maximum(start, 1), unit_steps=unit_steps)
    np.testing.assert_array_equal(got, answer)


def test_the_expected_rule_gives_the_same_staff_from_any_start(monkeypatch):
    """The search's start (rules.start_guess) changes the work, never the answer."""
    rng = np.random.default_rng(16)
    load, shape = np.exp(rng.uniform(0.0, np.log(500.0), 600)), np.exp(rng.uniform(np.log(3.0), np.log(3000.0), 600))
    for kind, model in models(load).items():
        if kind != "erlang_c":
            model, shape = model.take(np.arange(150)), shape[:150]
        agents, fractional = rules.required(model, shape, "expected")
        offset = rng.integers(-6, 7, agents.size)
        monkeypatch.setattr(rules, "start_guess", lambda m, k, offset=offset: np.maximum(agents + offset, 1))
        again = rules.required(model, shape, "expected")
        monkeypatch.undo()
        np.testing.assert_array_equal(again[0], agents)
        np.testing.assert_allclose(again[1], fractional, rtol=0, atol=1e-12)


def test_identical_intervals_get_identical_answers_and_the_fractional_requirement_interpolates():
    """Deduplicated rows give what each row alone gives; fractional = the linear interpolation of E[SL]."""
    rng = np.random.default_rng(12)
    load, shape = rng.uniform(1.0, 80.0, 40), rng.uniform(10.0, 300.0, 40)
    index = rng.integers(0, 40, 400)  # each interval ten times, shuffled
    model = models(load)["erlang_c"]
    agents, fractional = rules.required(model, shape, "expected")
    many = rules.required(models(load[index])["erlang_c"], shape[index], "expected")
    np.testing.assert_array_equal(many[0], agents[index])
    np.testing.assert_array_equal(many[1], fractional[index])
    high, low = rules.outcomes(model, agents, shape)[0], rules.outcomes(model, agents - 1, shape)[0]
    np.testing.assert_allclose(fractional, agents - 1 + (0.8 - low) / (high - low), rtol=0, atol=1e-9)


# --- the day statement ---------------------------------------------------------------------------


def test_a_day_of_identical_intervals_shares_its_fate_when_the_spread_is_the_day_factor():
    s2 = 0.02
    shape = 1.0 / np.expm1(s2)  # all of the rate's spread in the lognormal day factor
    load = np.full(48, 30.0)
    model = models(load)["erlang_c"]
    agents = np.full(48, 36)
    got = rules.day_probability(model, agents, np.full(48, shape), np.full(48, s2), np.zeros(48, int), draws=4000)
    # the day meets the target iff each interval does: iff the day factor is below x_max (closed form)
    lo, hi = 0.5, 36.0 / 30.0
    for _ in range(80):
        x_max = 0.5 * (lo + hi)
        lo, hi = (x_max, hi) if erlang.service_level(36, 30.0 * x_max, 240.0, 20.0) >= 0.8 else (lo, x_max)
    exact = stats.norm.cdf((np.log(x_max) + s2 / 2.0) / np.sqrt(s2))
    assert abs(got[0] - exact) < 4.0 * np.sqrt(exact * (1 - exact) / 4000) + 1.0 / 4000, (got[0], exact)
    # the same spread in 48 independent interval factors averages out: the day lands on the side of
    # the expected service level (below the target here) almost surely
    independent = rules.day_probability(model, agents, np.full(48, shape), np.zeros(48), np.zeros(48, int), draws=400)
    expected = rules.outcomes(model, agents, np.full(48, shape))[0][0]
    assert expected < 0.8 and independent[0] < 0.05 < exact - 0.5


# --- bad input -----------------------------------------------------------------------------------


def test_bad_rules_are_clear_errors():
    with pytest.raises(SpecError, match=r"voice.staffing_rule: unknown rule 'expectd' \(did you mean 'expected'\?\)"):
        Voice(target_service_level=0.8, threshold_s=20, staffing_rule="expectd")
    for bad in (0.0, 1.0, 1.5, -0.1, None, True):
        with pytest.raises(SpecError, match="chat.staffing_rule: the chance rule needs a confidence in"):
            Chat(target_service_level=0.8, threshold_s=20, staffing_rule="chance", confidence=bad)
    with pytest.raises(SpecError, match="confidence applies to the \"chance\" rule only"):
        Voice(target_service_level=0.8, threshold_s=20, staffing_rule="expected", confidence=0.9)
    with pytest.raises(SpecError, match="\"expected\" is for live channels"):
        Deferred(deadline_s=3600, staffing_rule="expected")


def test_a_forecast_without_the_rate_shape_cannot_be_staffed_to_its_uncertainty():
    starts = pd.date_range("2026-07-06 08:00", periods=4, freq="15min", tz="Europe/London")
    forecast = pd.DataFrame({"interval_start": starts, "channel": "phone", "offered": 50.0, "aht_s": 240.0})
    spec = {"phone": Voice(target_service_level=0.8, threshold_s=20, staffing_rule="expected")}
    with pytest.raises(InputError, match="channel phone: staffing_rule 'expected' needs the column rate_shape"):
        staff(forecast, spec)
    with pytest.raises(InputError, match=r"rate_shape at 2026-07-06T08:15:00\+01:00: expected the gamma shape"):
        staff(forecast.assign(rate_shape=[50.0, np.nan, 50.0, 50.0]), spec)
    plan = staff(forecast, {"phone": Voice(target_service_level=0.8, threshold_s=20)})  # point: fine, columns NaN
    assert plan["expected_service_level"].isna().all() and plan["p_service_level_met"].isna().all()
