"""Staffing rules (point, expected, chance) on pools shared by priority segments or a blended campaign.

References are independent of :mod:`planner.staffing.pool_rules` and :mod:`planner.staffing.rules`:
the service level at a given staff and rate comes from the closed forms already checked against
mpmath and exact chains (:func:`planner.staffing.priority.segment_metrics`,
:func:`planner.staffing.blend.blend_metrics`), and the rules' probabilities and expectations from
``scipy.optimize.brentq``, ``scipy.integrate.quad`` and ``scipy.stats.gamma``.
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import integrate, optimize, stats

import planner as pl
from planner.cli import cli
from planner.config import load_scenario
from planner.errors import PlannerError, SpecError
from planner.staffing import blend, priority
from planner.staffing.confidence import price_of_confidence
from planner.staffing.segments import _chat_waits

SEGMENTS = {"vip": {"share": 0.25, "target_service_level": 0.95, "threshold_s": 10}, "standard": {"share": 0.75}}
STARTS = pd.date_range("2026-07-06 09:00", periods=6, freq="15min", tz="Europe/London")
SHAPES = np.array([15.0, 40.0, 120.0, 400.0, 25.0, 80.0])


def forecast(offered, shapes=SHAPES, aht=240.0):
    return pd.DataFrame({"interval_start": STARTS[:len(offered)], "channel": "phone", "offered": offered,
                         "aht_s": aht, "rate_shape": shapes[:len(offered)]})


def voice_sl(n, loads, aht, thresholds):
    """Every segment's service level at ``n`` agents (the exact priority formulas)."""
    return np.atleast_1d(priority.segment_metrics(n, loads, aht, thresholds).service_level).ravel()


def crossing(sl, target, top):
    """The multiple x of the forecast rate where ``sl(x)`` falls to ``target`` (``top``: where it is 0)."""
    if sl(1e-9) < target:
        return 0.0
    if np.isinf(top):
        top = 2.0
        while sl(top) >= target:
            top *= 2.0
    elif sl(top * (1.0 - 1e-12)) >= target:
        return top  # met up to the pool's stability limit, where the formulas put every service level at 0
    return optimize.brentq(lambda x: sl(x) - target, 1e-9, top * (1.0 - 1e-12), xtol=1e-13)


def gamma(k):
    return stats.gamma(k, scale=1.0 / k)


def p_met(sl, target, top, k):
    """P(sl(X) >= target) for the rate multiple X gamma with shape k and mean 1."""
    return float(gamma(k).cdf(crossing(sl, target, top)))


def expected(sl, top, k):
    """E[X sl(X)] / E[X]: the service level expected over the rate, weighted by volume."""
    pdf = gamma(k).pdf
    hi = min(top, float(gamma(k).ppf(1.0 - 1e-14)))
    lo = float(gamma(k).ppf(1e-14))
    return integrate.quad(lambda x: x * sl(x) * pdf(x), lo, hi, epsabs=1e-11, epsrel=1e-10, limit=200)[0]


def segment_rows(plan):
    vip, standard = plan[plan.segment == "vip"], plan[plan.segment == "standard"]
    loads = np.vstack([vip["load_erlangs"].to_numpy(), standard["load_erlangs"].to_numpy()])
    return vip, standard, loads


@pytest.mark.parametrize("confidence", [0.8, 0.9])
def test_the_chance_rule_on_segments_meets_every_target_with_probability_q_and_no_fewer_agents_do(confidence):
    offered = np.array([60.0, 150.0, 300.0, 420.0, 90.0, 200.0])
    phone = pl.Voice(target_service_level=0.8, threshold_s=20, segments=SEGMENTS, staffing_rule="chance",
                     confidence=confidence)
    plan = pl.staff(forecast(offered), {"phone": phone})
    vip, standard, loads = segment_rows(plan)
    targets, thresholds = [0.95, 0.8], [10.0, 20.0]
    for i, k in enumerate(SHAPES):
        n = int(vip["agents"].iloc[i])
        assert n == standard["agents"].iloc[i]

        def p_all(n):
            top = n / loads[:, i].sum()
            x = min(crossing(lambda x, j=j: voice_sl(n, loads[:, i] * x, 240.0, thresholds)[j], targets[j], top)
                    for j in range(2))
            return float(gamma(k).cdf(x))

        assert p_all(n) >= confidence and p_all(n - 1) < confidence  # the least pool with that chance
        # what the plan states per segment: P(the segment meets its own target)
        for j, rows in enumerate((vip, standard)):
            reference = p_met(lambda x: voice_sl(n, loads[:, i] * x, 240.0, thresholds)[j], targets[j],
                              n / loads[:, i].sum(), k)
            assert rows["p_service_level_met"].iloc[i] == pytest.approx(reference, abs=1e-6)
            assert rows["p_service_level_met"].iloc[i] >= confidence
    point = pl.staff(forecast(offered), {"phone": pl.Voice(target_service_level=0.8, threshold_s=20,
                                                            segments=SEGMENTS)})
    assert (plan["agents"].to_numpy() >= point["agents"].to_numpy()).all()
    assert (plan["agents"].to_numpy() > point["agents"].to_numpy()).any()


def test_the_expected_rule_on_segments_is_the_least_pool_whose_expected_service_levels_meet_the_targets():
    offered = np.array([60.0, 150.0, 300.0, 420.0, 90.0, 200.0])
    phone = pl.Voice(target_service_level=0.8, threshold_s=20, segments=SEGMENTS, staffing_rule="expected")
    plan = pl.staff(forecast(offered), {"phone": phone})
    vip, standard, loads = segment_rows(plan)
    targets, thresholds = [0.95, 0.8], [10.0, 20.0]
    for i, k in enumerate(SHAPES):
        n = int(vip["agents"].iloc[i])

        def means(n):
            top = n / loads[:, i].sum()
            return [expected(lambda x, j=j: voice_sl(n, loads[:, i] * x, 240.0, thresholds)[j], top, k) for j in range(2)]

        at_n, below = means(n), means(n - 1)
        assert all(m >= t - 1e-7 for m, t in zip(at_n, targets))
        assert any(m < t for m, t in zip(below, targets))
        assert vip["expected_service_level"].iloc[i] == pytest.approx(at_n[0], abs=1e-5)
        assert standard["expected_service_level"].iloc[i] == pytest.approx(at_n[1], abs=1e-5)
        assert n - 1 < vip["agents_fractional"].iloc[i] <= n


def test_chat_segments_under_the_chance_rule_meet_every_target_with_probability_q():
    starts = STARTS[:4]
    rows = pd.DataFrame({"interval_start": starts, "channel": "chat", "offered": [40.0, 90.0, 160.0, 60.0],
                         "aht_s": 500.0, "rate_shape": [20.0, 60.0, 150.0, 30.0]})
    chat = pl.Chat(target_service_level=0.8, threshold_s=40, concurrency=2, aht_growth=0.2, method="sipp",
                   segments={"gold": {"share": 0.3, "target_service_level": 0.9}, "other": {"share": 0.7}},
                   staffing_rule="chance", confidence=0.9)
    plan = pl.staff(rows, {"chat": chat})
    gold, other = plan[plan.segment == "gold"], plan[plan.segment == "other"]
    rates = np.vstack([gold["offered"], other["offered"]]) / 900.0
    profile = pl.chat.aht_profile(np.full(4, 500.0), 2, 0.2)
    for i, k in enumerate(rows["rate_shape"]):
        def p_all(n):
            def sl(x, j):
                return _chat_waits(np.array([n]), rates[:, [i]] * x, profile[[i]], np.array([[40.0], [40.0]]))[0][j, 0]
            top = n * 2 / (profile[i, -1] * rates[:, i].sum())
            return float(gamma(k).cdf(min(crossing(lambda x, j=j: sl(x, j), t, top) for j, t in enumerate((0.9, 0.8)))))

        n = int(gold["agents"].iloc[i])
        assert p_all(n) >= 0.9 and p_all(n - 1) < 0.9


def test_a_known_rate_gives_every_rule_the_point_plan_on_segments_and_blends():
    offered = np.array([60.0, 150.0, 300.0, 420.0, 90.0, 200.0])
    known = forecast(offered, shapes=np.full(6, np.inf))
    plans = [pl.staff(known, {"phone": pl.Voice(target_service_level=0.8, threshold_s=20, segments=SEGMENTS,
                                                  staffing_rule=rule, confidence=q)})
             for rule, q in (("point", None), ("expected", None), ("chance", 0.9))]
    for other in plans[1:]:
        assert np.array_equal(other["agents"].to_numpy(), plans[0]["agents"].to_numpy())
        np.testing.assert_array_equal(other["agents_fractional"].to_numpy(), plans[0]["agents_fractional"].to_numpy())
    renewals = pl.Outbound(list_size=300, dials_per_hour=15, aht_s=240, rpc_rate=0.35, deadline=dt.date(2026, 7, 6),
                           calling_window="09:00-10:30", blend="phone")
    blended = [pl.staff(known, {"phone": pl.Voice(target_service_level=0.8, threshold_s=20, staffing_rule=rule,
                                                   confidence=q), "renewals": renewals})
               for rule, q in (("point", None), ("chance", 0.9))]
    assert np.array_equal(blended[0]["agents"].to_numpy(), blended[1]["agents"].to_numpy())
    assert np.array_equal(blended[0]["idle_threshold"].to_numpy(), blended[1]["idle_threshold"].to_numpy(), equal_nan=True)


def blended_plan(rule, confidence=None, patience=None):
    phone = pl.Voice(target_service_level=0.8, threshold_s=20, patience_s=patience, staffing_rule=rule,
                     confidence=confidence)
    renewals = pl.Outbound(list_size=300, dials_per_hour=15, aht_s=240, rpc_rate=0.35, deadline=dt.date(2026, 7, 6),
                           calling_window="09:00-10:30", blend="phone")
    plan = pl.staff(forecast(np.array([60.0, 150.0, 300.0, 420.0, 90.0, 200.0])), {"phone": phone, "renewals": renewals})
    calls = plan[(plan.channel == "renewals") & (plan.offered > 0)]
    phone_rows = plan[plan.channel == "phone"].reset_index(drop=True)
    return phone_rows, phone_rows["interval_start"].isin(calls["interval_start"]).to_numpy(), calls


@pytest.mark.parametrize("patience", [None, 180.0])
def test_the_chance_rule_on_a_blend_staffs_the_rates_quantile_and_states_what_the_forecast_gets(patience):
    rows, shared, calls = blended_plan("chance", 0.9, patience)
    assert shared.sum() == 6 and (calls["agents"] == 0).all()
    need = 300 / 1.5 / 15  # dials an hour over the window / dials per agent-hour
    pat = np.inf if patience is None else patience
    for i, k in enumerate(SHAPES):
        n, tau = int(rows["agents"].iloc[i]), int(rows["idle_threshold"].iloc[i])
        load = rows["load_erlangs"].iloc[i]
        x_q = float(gamma(k).ppf(0.9))
        r = blend.requirement(load * x_q, 240.0, need, target_service_level=0.8, threshold_s=20, patience_s=pat)
        assert (n, tau) == (int(r["agents"]), int(r["idle_threshold"]))

        def sl(x):
            return float(blend.blend_metrics(n, load * x, 240.0, 20.0, tau, patience_s=pat).service_level)

        top = n / load if patience is None else np.inf
        assert p_met(sl, 0.8, top, k) >= 0.9
        assert rows["p_service_level_met"].iloc[i] == pytest.approx(p_met(sl, 0.8, top, k), abs=1e-6)
        assert rows["expected_service_level"].iloc[i] == pytest.approx(expected(sl, top, k), abs=1e-5)
        at_forecast = blend.blend_metrics(n, load, 240.0, 20.0, tau, patience_s=pat)
        assert rows["service_level"].iloc[i] == pytest.approx(float(at_forecast.service_level), rel=1e-12)
        assert calls["outbound_agents"].iloc[i] == pytest.approx(float(at_forecast.outbound_agents), rel=1e-12)
        assert calls["outbound_agents"].iloc[i] >= need


def test_a_blend_staffed_to_the_point_forecast_states_its_chance_at_its_idle_threshold():
    rows, shared, _ = blended_plan("point")
    for i, k in enumerate(SHAPES):
        n, tau, load = int(rows["agents"].iloc[i]), int(rows["idle_threshold"].iloc[i]), rows["load_erlangs"].iloc[i]
        assert tau < n

        def sl(x):
            return float(blend.blend_metrics(n, load * x, 240.0, 20.0, tau).service_level)

        assert rows["p_service_level_met"].iloc[i] == pytest.approx(p_met(sl, 0.8, n / load, k), abs=1e-6)


def test_the_expected_rule_is_refused_for_a_blended_channel():
    with pytest.raises(SpecError, match=r'^phone\.staffing_rule: "expected" is not available for a voice channel '
                                        r"blended with a campaign"):
        blended_plan("expected")


def test_price_of_confidence_leaves_out_pools_and_campaigns():
    offered = np.array([60.0, 150.0, 300.0, 420.0, 90.0, 200.0])
    segmented = {"phone": pl.Voice(target_service_level=0.8, threshold_s=20, segments=SEGMENTS)}
    assert price_of_confidence(pl.staff(forecast(offered), segmented), segmented).empty
    phone = pl.Voice(target_service_level=0.8, threshold_s=20)
    renewals = pl.Outbound(list_size=300, dials_per_hour=15, aht_s=240, rpc_rate=0.35, deadline=dt.date(2026, 7, 6),
                           calling_window="09:00-10:30", blend="phone")
    channels = {"phone": phone, "renewals": renewals}
    assert price_of_confidence(pl.staff(forecast(offered), channels), channels).empty
    alone = {"phone": phone}
    assert set(price_of_confidence(pl.staff(forecast(offered), alone), alone)["channel"]) == {"phone"}


SCENARIO = """
name = "rules on pools"
timezone = "Europe/London"
interval = "1h"
history = "history.csv"
horizon = {{ start = 2026-06-29, days = 7 }}
{top}
[channels]
phone = {{ kind = "voice", target_service_level = 0.8, threshold_s = 20{phone} }}
renewals = {{ kind = "outbound", list_size = 600, rpc_rate = 0.35, dials_per_hour = 15, aht_s = "4min", calling_window = "10:00-16:00", deadline = 2026-07-03 }}

[[blend]]
inbound = "phone"
outbound = "renewals"
"""


@pytest.mark.parametrize("top,phone,key", [
    ('staffing_rule = "expected"', "", "staffing_rule"),
    ("", ', staffing_rule = "expected"', "channels.phone.staffing_rule"),
])
def test_expected_on_a_blended_channel_is_one_error_line_naming_the_key(tmp_path, top, phone, key):
    path = tmp_path / "rules.toml"
    path.write_text(SCENARIO.format(top=top, phone=phone))
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (f'Error: {path}: {key}: "expected" is not available for phone, which is blended with '
                             "renewals (its pool and idle threshold would both have to follow the rate's "
                             'distribution); give channels.phone staffing_rule = "point" or { rule = "chance", '
                             "confidence = 0.9 }\n")


def test_the_scenarios_chance_rule_reaches_a_blend_and_not_its_campaign(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(SCENARIO.format(top='staffing_rule = { rule = "chance", confidence = 0.9 }', phone=""))
    config = load_scenario(path)
    assert config.channels["phone"]["staffing_rule"] == "chance" and "staffing_rule" not in config.channels["renewals"]


def test_a_forecast_without_the_rate_shape_cannot_staff_segments_or_blends_to_a_chance():
    offered = np.array([60.0, 150.0])
    bare = forecast(offered).drop(columns="rate_shape")
    phone = pl.Voice(target_service_level=0.8, threshold_s=20, segments=SEGMENTS, staffing_rule="chance", confidence=0.9)
    with pytest.raises(PlannerError, match="staffing_rule 'chance' needs the column rate_shape"):
        pl.staff(bare, {"phone": phone})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = pl.staff(bare, {"phone": pl.Voice(target_service_level=0.8, threshold_s=20, segments=SEGMENTS)})
    assert plan["expected_service_level"].isna().all() and plan["p_service_level_met"].isna().all()


def test_the_expected_rule_on_chat_segments_is_the_least_pool_meeting_every_expected_target():
    rows = pd.DataFrame({"interval_start": STARTS[:2], "channel": "chat", "offered": [60.0, 140.0], "aht_s": 500.0,
                         "rate_shape": [20.0, 80.0]})
    chat = pl.Chat(target_service_level=0.8, threshold_s=40, concurrency=2, aht_growth=0.2, method="sipp",
                   segments={"gold": {"share": 0.3, "target_service_level": 0.9}, "other": {"share": 0.7}},
                   staffing_rule="expected")
    plan = pl.staff(rows, {"chat": chat})
    gold = plan[plan.segment == "gold"]
    rates = np.vstack([gold["offered"], plan.loc[plan.segment == "other", "offered"]]) / 900.0
    profile = pl.chat.aht_profile(np.full(2, 500.0), 2, 0.2)
    for i, k in enumerate(rows["rate_shape"]):
        def means(n):
            def sl(x, j):
                return _chat_waits(np.array([n]), rates[:, [i]] * x, profile[[i]], np.array([[40.0], [40.0]]))[0][j, 0]
            top = n * 2 / (profile[i, -1] * rates[:, i].sum())
            return [expected(lambda x, j=j: sl(x, j), top, k) for j in range(2)]

        n = int(gold["agents"].iloc[i])
        assert all(m >= t - 1e-7 for m, t in zip(means(n), (0.9, 0.8)))
        assert any(m < t for m, t in zip(means(n - 1), (0.9, 0.8)))
        assert gold["expected_service_level"].iloc[i] == pytest.approx(means(n)[0], abs=1e-5)
