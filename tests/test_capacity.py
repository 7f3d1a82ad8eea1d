"""Long-range capacity plans (planner.capacity): identities, the ESP recursion, the MILP against
brute force, the Monte Carlo against expected survival, and bad input naming its key."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose

from planner.capacity import Ramp, Supply, class_matrices, esp_recursion, existing_fte, survival
from planner.capacity.hiring import evaluate, group_model, plan_hiring
from planner.errors import SpecError


def test_no_hires_no_attrition_keeps_fte_constant():
    supply = Supply(headcount=42, class_weeks=())
    assert_allclose(existing_fte(supply, 52), 42.0)
    model = group_model("g", supply, np.full(52, 40.0))
    plan = plan_hiring([model])
    assert_allclose(plan.weekly["planned_fte"], 42.0)
    assert plan.classes.empty


def test_esp_recursion_worked_example():
    # Worked by hand: 100 FTE, 2 FTE leave every week, a class of 10 starts in week 0 and another of
    # 5 in week 2, two training weeks.
    # w0 = 100; w1 = 100 - 2 = 98; w2 = 98 - 2 + 10 = 106; w3 = 106 - 2 = 104; w4 = 104 - 2 + 5 = 107;
    # w5 = 105
    got = esp_recursion(100, [2] * 6, [10, 0, 5, 0, 0, 0], training_weeks=2)
    assert got.tolist() == [100, 98, 106, 104, 107, 105]
    # attrition larger than the staff floors at 0 before the hires arrive
    assert esp_recursion(3, [5, 5, 5], [0, 4, 0], 1).tolist() == [3, 0, 4]


def test_cohort_model_reproduces_esp_recursion_with_rate_attrition():
    # With one attrition rate for every tenure, no ramp and no training losses counted separately,
    # the cohort model equals the recursion with attrition(w-1) = rate x FTE(w-1) when hires are
    # counted at graduation (the recursion's new-hire FTE are the graduates).
    rate, training, n = 0.01, 3, 20
    supply = Supply(headcount=50, attrition_per_week={"training": 0.0, "first_90_days": rate, "tenured": rate},
                    training_weeks=training, class_weeks=(0, 5))
    sizes = np.array([8.0, 6.0])
    productive, _ = class_matrices(supply, n, [0, 5])
    cohort = existing_fte(supply, n) + productive @ sizes
    hires = np.zeros(n)
    hires[[0, 5]] = sizes
    fte = np.empty(n)
    for w in range(n):  # the recursion with attrition proportional to last week's FTE
        fte[w] = 50.0 if w == 0 else fte[w - 1] * (1 - rate) + (hires[w - training] if w >= training else 0)
    assert_allclose(cohort, fte, rtol=1e-12)
    attrition = rate * fte
    assert_allclose(esp_recursion(50.0, attrition, hires, training), fte, rtol=1e-12)


def test_survival_and_ramp_shapes():
    supply = Supply(headcount=0, attrition_per_week={"training": 0.05, "first_90_days": 0.02, "tenured": 0.0},
                    training_weeks=2, ramp=Ramp(kind="s-curve", start=0.3, weeks=6))
    s = survival(supply, 30)
    assert_allclose(s[2], 0.95**2)
    assert_allclose(s[15], 0.95**2 * 0.98**13)
    assert_allclose(s[29], s[15])
    p = supply.ramp.proficiency(np.arange(10))
    assert p[0] == pytest.approx(0.3) and np.all(np.diff(p) >= 0) and p[6] == 1.0


def _brute_force(model):
    best = np.inf
    cap = model.supply.class_cap
    for sizes in itertools.product(range(cap + 1), repeat=len(model.starts)):
        if np.any(model.training @ np.array(sizes, float) > model.supply.trainee_capacity + 1e-9):
            continue
        best = min(best, evaluate(model, sizes)["cost"].sum())
    return best


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_milp_optimum_equals_brute_force_on_six_weeks_three_slots(seed):
    rng = np.random.default_rng(seed)
    supply = Supply(headcount=10, attrition_per_week={"training": 0.05, "first_90_days": 0.03, "tenured": 0.02},
                    training_weeks=1, ramp=Ramp(kind="table", table=(0.5,)), class_cap=6, class_weeks=(0, 1, 3),
                    trainee_capacity=8, max_overtime=0.1, cost_per_fte_week=1000, hire_cost=float(rng.uniform(500, 3000)),
                    overtime_premium=0.5, shortfall_penalty=float(rng.uniform(1600, 4000)))
    required = 10 + rng.uniform(0, 8, size=6)
    model = group_model("g", supply, required)
    plan = plan_hiring([model], mip_rel_gap=0.0)
    assert plan.cost == pytest.approx(_brute_force(model), rel=1e-9)


def test_bad_input_names_the_key():
    with pytest.raises(SpecError, match=r"^class_weeks: a class starts in week 2, before the recruiting lead time"):
        Supply(headcount=5, class_weeks=(2, 6), lead_time_weeks=4)
    with pytest.raises(SpecError, match=r"^ramp.table: proficiency above 1"):
        Ramp(kind="table", table=(0.6, 1.1))
    with pytest.raises(SpecError, match=r"^attrition_per_week.tenured: expected a weekly rate >= 0"):
        Supply(headcount=5, attrition_per_week={"tenured": -0.01})


def _group(n=40, headcount=64, seed=0):
    supply = Supply(headcount=headcount, attrition_per_week={"training": 0.04, "first_90_days": 0.02, "tenured": 0.006},
                    training_weeks=3, ramp=Ramp(kind="exponential", start=0.5, weeks=6), class_cap=15,
                    class_weeks=tuple(range(4, n, 4)), lead_time_weeks=4, trainee_capacity=25, max_overtime=0.05)
    rng = np.random.default_rng(seed)
    required = 58 + 6 * np.sin(np.arange(n) / 8) + rng.normal(0, 1, n)
    return group_model("g", supply, required)


def test_monte_carlo_mean_equals_expected_survival_fte():
    from planner.capacity.risk import simulate_supply

    model = _group()
    sizes = plan_hiring([model]).sizes[0]
    paths = simulate_supply(model, sizes, n_paths=4000, rng=np.random.default_rng(7))
    expected = model.existing + model.productive @ sizes
    se = paths.std(axis=0, ddof=1) / np.sqrt(len(paths))
    z = (paths.mean(axis=0) - expected) / np.maximum(se, 1e-12)
    assert np.all(np.abs(z[1:]) < 4.5), z  # week 0 is exact (no draw yet)
    assert_allclose(paths[:, 0], expected[0])


def test_buffered_plan_keeps_short_probability_below_alpha():
    from planner.capacity.risk import buffered_plan

    model = _group()
    result = buffered_plan([model], sigma={"g": 0.03}, n_paths=4000, seed=3)
    reach = result.risk[result.risk["reachable"]]
    assert reach["p_short"].max() > 0.05  # the deterministic plan is risky somewhere
    assert reach["p_short_buffered"].max() <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / 4000)
    assert result.extra_cost > 0


def test_longrange_forecast_learns_trend_season_and_moving_holidays():
    import pandas as pd

    from planner.capacity.longrange import fit_predict, week_accuracy, weekly_backtest

    weeks = pd.date_range("2022-01-03", periods=180, freq="W-MON")
    easter_mondays = pd.to_datetime(["2022-04-18", "2023-04-10", "2024-04-01", "2025-04-21"])
    holiday = np.isin(weeks, easter_mondays - pd.Timedelta(days=0))
    truth = 5000 * np.exp(-0.08 * np.arange(180) / 52 + 0.1 * np.sin(2 * np.pi * weeks.day_of_year / 365.25)
                          - 0.15 * holiday)
    rng = np.random.default_rng(4)
    y = truth * np.exp(rng.normal(0, 0.02, 180))
    mean, lo, hi, _ = fit_predict(weeks[:120], y[:120], weeks[120:], harmonics=1, holiday_dates=easter_mondays)
    assert_allclose(mean, truth[120:], rtol=0.05)
    inside = np.mean((y[120:] >= lo) & (y[120:] <= hi))
    assert 0.6 <= inside <= 0.98  # 80% intervals over 60 weeks
    easter_2025 = np.flatnonzero(weeks[120:] == pd.Timestamp("2025-04-21"))[0]
    assert mean[easter_2025] < 0.9 * mean[easter_2025 - 1]  # the holiday week at its 2025 date
    frame = pd.DataFrame({"week_start": weeks.date, "channel": "phone", "offered": y})
    table = week_accuracy(weekly_backtest(frame, first_train_weeks=80, step=8, harmonics=1,
                                          holiday_dates=easter_mondays)).set_index("model")
    assert table.loc["longrange", "mase"] < 0.7 * table.loc["seasonal_naive", "mase"]


def test_long_horizon_forecast_takes_the_long_range_level_and_keeps_the_shape():
    import pandas as pd

    from planner.capacity.longrange import fit_predict, long_range_level, weekly_totals

    days = pd.date_range("2024-01-01", periods=7 * 80, freq="D", tz="UTC")
    level = 100 * np.exp(-0.004 * np.arange(len(days)) / 7 + 0.1 * np.sin(2 * np.pi * days.day_of_year / 365.25))
    history = pd.DataFrame({"interval_start": days, "channel": "phone", "offered": level})
    future = pd.date_range(days[-1] + pd.Timedelta(days=1), periods=7 * 30, freq="D", tz="UTC")
    shape = np.tile([1.2, 1.1, 1.0, 1.0, 0.9, 0.5, 0.3], 30)
    forecast = pd.DataFrame({"interval_start": future, "channel": "phone", "offered": 100.0 * shape,
                             "offered_hi": 120.0 * shape})
    out = long_range_level(forecast, history, after_weeks=13, blend_weeks=8)
    assert_allclose(out["offered"][: 7 * 13], forecast["offered"][: 7 * 13])  # near weeks: the interval model
    ratio = (out["offered"] / forecast["offered"]).to_numpy().reshape(30, 7)
    assert_allclose(ratio, ratio[:, :1] * np.ones((1, 7)))  # one factor per week: the shape is kept
    assert_allclose(out["offered_hi"] / out["offered"], 1.2)
    weeks = weekly_totals(history)
    target, *_ = fit_predict(weeks["week_start"], weeks["offered"], future[7 * 21:: 7].tz_localize(None))
    assert_allclose(out["offered"].to_numpy().reshape(30, 7)[21:].sum(axis=1), target, rtol=1e-9)  # full weight


def test_event_days_enter_the_long_range_forecast_as_known_regressors():
    """A weekly series with billing days (x1.3 on the 2nd and 3rd of each month): with the events the
    forecast recovers the truth; without them it cannot place the billing weeks."""
    import pandas as pd

    from planner.capacity.longrange import event_weeks, fit_predict

    weeks = pd.date_range("2023-01-02", periods=160, freq="W-MON")
    months = pd.period_range("2023-01", "2026-02", freq="M")
    events = pd.DataFrame({"kind": "billing", "channel": "email", "effect": "learn",
                           "start": [m.start_time + pd.Timedelta(days=1) for m in months],
                           "end": [m.start_time + pd.Timedelta(days=3) for m in months]})
    days = pd.date_range(weeks[0], periods=160 * 7, freq="D")
    billing = days.day.isin([2, 3])
    daily = 1000 * np.where(billing, 1.3, 1.0)  # the truth, built from the days, not from event_weeks
    truth = daily.reshape(160, 7).sum(axis=1)
    counts = event_weeks(events, "email", weeks.date)
    assert_allclose(counts[:, 0], billing.reshape(160, 7).sum(axis=1))  # brute force over the days
    rng = np.random.default_rng(2)
    y = truth * np.exp(rng.normal(0, 0.01, 160))
    with_events, *_ = fit_predict(weeks[:110], y[:110], weeks[110:], harmonics=1, extra=counts[:110],
                                  extra_future=counts[110:])
    without, *_ = fit_predict(weeks[:110], y[:110], weeks[110:], harmonics=1)
    assert_allclose(with_events, truth[110:], rtol=0.02)
    # without them the billing weeks are missed: 6% off at worst, and 3 times the error on average
    assert np.abs(without - truth[110:]).max() > 0.05 * truth.mean()
    assert np.abs(without - truth[110:]).mean() > 3 * np.abs(with_events - truth[110:]).mean()
    # weeks past the events calendar take the kind's mean per week (not 0: no event-free future)
    late = event_weeks(events, "email", pd.date_range("2026-03-02", periods=3, freq="W-MON").date)
    assert np.isnan(late).all()
    mean_future, *_ = fit_predict(weeks[:110], y[:110], weeks[110:113], harmonics=1, extra=counts[:110],
                                  extra_future=np.full((3, 1), np.nan))
    assert_allclose(mean_future, truth.mean(), rtol=0.02)


def test_the_used_long_range_forecast_is_chosen_on_training_weeks_and_beats_the_baselines():
    """A purely 52-periodic channel (spiky weeks no two harmonics can follow): the seasonal naive
    is exact, and the choice made on the training weeks alone takes it; a smooth trend+season
    channel keeps the regression."""
    import pandas as pd

    from planner.capacity.longrange import forecast_channel, week_accuracy, weekly_backtest

    weeks = pd.date_range("2023-01-02", periods=156, freq="W-MON")
    rng = np.random.default_rng(5)
    pattern = 1000 * np.exp(rng.normal(0, 0.3, 52))
    spiky = np.tile(pattern, 3) * np.exp(rng.normal(0, 0.005, 156))
    smooth = 1000 * np.exp(-0.1 * np.arange(156) / 52 + 0.1 * np.sin(2 * np.pi * weeks.day_of_year / 365.25)
                           + rng.normal(0, 0.01, 156))
    used, lo, hi, _, chosen = forecast_channel(weeks[:104], spiky[:104], weeks[104:])
    assert chosen == "seasonal_naive"
    assert_allclose(used, spiky[52:104])  # the seasonal naive itself
    assert np.all(lo <= used) and np.all(used <= hi)
    assert forecast_channel(weeks[:104], smooth[:104], weeks[104:])[4] == "trend_season"
    frame = pd.concat([pd.DataFrame({"week_start": weeks.date, "channel": c, "offered": y})
                       for c, y in (("spiky", spiky), ("smooth", smooth))])
    table = week_accuracy(weekly_backtest(frame, first_train_weeks=80, step=8, harmonics=2)).set_index(["channel", "model"])
    for channel in ("spiky", "smooth"):
        best_baseline = min(table.loc[(channel, m), "mase"] for m in ("seasonal_naive", "last_year_same_week"))
        assert table.loc[(channel, "longrange"), "mase"] <= best_baseline * 1.001


def test_long_range_forecast_beats_the_baselines_on_the_sample_history():
    """The shipped sample history (scenarios/data): with the scenario's events and the choice on
    training weeks, the used forecast's MASE is below both baselines' on every channel."""
    from planner.capacity.longrange import week_accuracy, weekly_backtest, weekly_totals
    from planner.scenario import Scenario

    scenario = Scenario.load("scenarios/capacity.toml")
    history = scenario.read_history()
    events = scenario.read_events(history)
    weekly = weekly_totals(history)
    holidays = events.loc[events["kind"] == "public_holiday", "start"].dt.date
    table = week_accuracy(weekly_backtest(weekly, holiday_dates=holidays, events=events,
                                          first_train_weeks=weekly["week_start"].nunique() - 44))
    mase = table.pivot(index="channel", columns="model", values="mase")
    assert (mase["longrange"] < mase[["seasonal_naive", "last_year_same_week"]].min(axis=1)).all(), mase
