"""Forecasting: known answers on small synthetic series, the protocol, events, DST and model specs."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

import planner.forecast as pf
from planner.calendar import holiday_events
from planner.errors import InputError, PlannerWarning, SpecError
from planner.forecast.protocol import FittedModel, ForecastModel, Panel

TZ = "Europe/London"
LEVELS = np.array([1.3, 1.1, 1.0, 1.0, 0.9, 0.6, 0.0])  # Monday ... Sunday (closed)
HOURS = np.arange(8, 18)
SHAPE = np.array([3, 6, 8, 7, 5, 6, 7, 6, 4, 2], float)


def periodic_history(start="2026-05-04", weeks=6, *, channel="phone", scale=100.0, freq="h") -> pd.DataFrame:
    """Exactly weekly-periodic hourly history, open 08-18 Monday to Saturday."""
    times = pd.date_range(start, periods=weeks * 7 * 24, freq=freq, tz=TZ)
    hour, weekday = times.hour.to_numpy(), times.day_of_week.to_numpy()
    open_ = np.isin(hour, HOURS) & (weekday < 6)
    shape = np.zeros(24)
    shape[HOURS] = SHAPE / SHAPE.sum()
    offered = scale * LEVELS[weekday] * shape[hour]
    frame = pd.DataFrame({"interval_start": times[open_], "channel": channel, "offered": offered[open_]})
    frame.attrs["interval_s"] = 3600.0
    return frame


def expected(frame: pd.DataFrame, scale=100.0) -> np.ndarray:
    shape = np.zeros(24)
    shape[HOURS] = SHAPE / SHAPE.sum()
    t = frame["interval_start"]
    return scale * LEVELS[t.dt.day_of_week.to_numpy()] * shape[t.dt.hour.to_numpy()]


def events_frame(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["name", "kind", "start", "end", "channel", "effect", "value"])
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column].map(pd.Timestamp)).dt.tz_localize(TZ)
    frame["value"] = frame["value"].astype(float)
    return frame


# --- known answers -------------------------------------------------------------------------------

@pytest.mark.parametrize("model", ["default", "seasonal_naive", "week_average", "daily_profile"])
def test_an_exactly_weekly_periodic_series_is_forecast_exactly(model):
    history = periodic_history()
    forecast = pf.forecast(history, horizon="14D", model=model)
    assert list(forecast.columns) == ["interval_start", "channel", "offered", "offered_lo", "offered_hi", "aht_s",
                                     "rate_shape", "day_log_var"]
    assert len(forecast) == 12 * len(HOURS)  # Sundays are never open: no rows
    np.testing.assert_allclose(forecast["offered"], expected(forecast), rtol=1e-9, atol=1e-9)
    assert (forecast["offered_lo"] <= forecast["offered"] + 1e-9).all()
    assert (forecast["offered"] <= forecast["offered_hi"] + 1e-9).all()
    assert forecast.attrs["level"] == 0.8


def test_a_known_multiplicative_event_is_recovered_within_5_percent():
    rng = np.random.default_rng(7)
    history = periodic_history("2026-03-02", weeks=12, scale=3000.0)
    promo_days = ["2026-03-10", "2026-04-02", "2026-04-22", "2026-05-08"]
    day = history["interval_start"].dt.strftime("%Y-%m-%d")
    lam = history["offered"].to_numpy() * np.where(day.isin(promo_days), 1.5, 1.0)
    history["offered"] = rng.poisson(lam).astype(float)
    future = "2026-05-28"  # a Thursday after the history
    events = events_frame([("promo", "promo", d, pd.Timestamp(d) + pd.Timedelta(days=1), "*", "learn", np.nan)
                           for d in [*promo_days, future]])
    with_event = pf.forecast(history, horizon="7D", events=events)
    without = pf.forecast(history, horizon="7D", events=events[events.start < pd.Timestamp(future, tz=TZ)])
    on = with_event["interval_start"].dt.strftime("%Y-%m-%d") == future
    ratio = with_event.loc[on, "offered"].sum() / without.loc[on, "offered"].sum()
    assert abs(ratio / 1.5 - 1) < 0.05
    np.testing.assert_allclose(with_event.loc[~on, "offered"], without.loc[~on, "offered"], rtol=1e-9)


def test_an_event_also_shifts_the_intraday_shape():
    history = periodic_history("2026-03-02", weeks=10)
    late = history["interval_start"].dt.hour >= 13
    days = ["2026-03-12", "2026-03-26", "2026-04-09", "2026-04-23"]
    on = history["interval_start"].dt.strftime("%Y-%m-%d").isin(days)
    history.loc[on & late, "offered"] *= 2.0
    future = "2026-05-14"
    events = events_frame([("late rush", "rush", d, pd.Timestamp(d) + pd.Timedelta(days=1), "phone", "learn",
                            np.nan) for d in [*days, future]])
    forecast = pf.forecast(history, horizon="7D", events=events)
    day = forecast[forecast["interval_start"].dt.strftime("%Y-%m-%d") == future]
    base = expected(day) * np.where(day["interval_start"].dt.hour >= 13, 2.0, 1.0)
    np.testing.assert_allclose(day["offered"], base, rtol=0.05)


def test_an_excluded_outage_does_not_move_the_forecast():
    clean = periodic_history()
    broken = clean.copy()
    outage = (broken["interval_start"] >= pd.Timestamp("2026-06-09 10:00", tz=TZ)) & \
             (broken["interval_start"] < pd.Timestamp("2026-06-10 15:00", tz=TZ))
    broken.loc[outage, "offered"] = 0.0
    events = events_frame([("outage", "outage", "2026-06-09 10:00", "2026-06-10 15:00", "*", "exclude", np.nan)])
    reference = pf.forecast(clean, horizon="7D")
    excluded = pf.forecast(broken, horizon="7D", events=events)
    np.testing.assert_allclose(excluded["offered"], reference["offered"], rtol=1e-9)
    polluted = pf.forecast(broken, horizon="7D")
    assert not np.allclose(polluted["offered"], reference["offered"], rtol=1e-3)


def test_closed_and_multiply_events_apply_to_the_future():
    history = periodic_history()
    events = events_frame([
        ("bank holiday", "closure", "2026-06-15", "2026-06-16", "*", "closed", np.nan),
        ("TV ad", "campaign", "2026-06-16 12:00", "2026-06-16 14:00", "phone", "multiply", 1.25),
    ])
    forecast = pf.forecast(history, horizon="7D", events=events)
    day = forecast["interval_start"].dt.strftime("%Y-%m-%d")
    assert not (day == "2026-06-15").any()
    ratio = forecast["offered"] / expected(forecast)
    hour = forecast["interval_start"].dt.hour
    boosted = (day == "2026-06-16") & hour.isin([12, 13])
    np.testing.assert_allclose(ratio[boosted], 1.25)
    np.testing.assert_allclose(ratio[~boosted], 1.0)


def test_a_learn_event_without_past_occurrence_warns_and_uses_its_value():
    history = periodic_history()
    events = events_frame([("launch", "launch", "2026-06-17", "2026-06-18", "*", "learn", 1.4)])
    with pytest.warns(pf.EventWarning, match="kind 'launch' has no past occurrence"):
        forecast = pf.forecast(history, horizon="7D", events=events)
    assert issubclass(pf.EventWarning, PlannerWarning)
    on = forecast["interval_start"].dt.strftime("%Y-%m-%d") == "2026-06-17"
    np.testing.assert_allclose(forecast.loc[on, "offered"], 1.4 * expected(forecast[on]))


def test_holidays_from_the_calendar_are_learned():
    history = periodic_history("2026-03-02", weeks=12)
    holidays = holiday_events("GB", years=2026, tz=TZ, subdivision="ENG")
    on_holiday = history["interval_start"].dt.strftime("%Y-%m-%d").isin(["2026-04-03", "2026-04-06", "2026-05-04"])
    history.loc[on_holiday, "offered"] *= 0.5
    forecast = pf.forecast(history, horizon=("2026-05-25", "2026-05-26"), events=holidays)  # Spring bank holiday
    np.testing.assert_allclose(forecast["offered"], 0.5 * expected(forecast), rtol=0.01)


# --- time zones ------------------------------------------------------------------------------------

@pytest.mark.parametrize("day,count", [("2026-03-29", 92), ("2026-10-25", 100)])
def test_dst_days_have_92_or_100_quarter_hours(day, count):
    start = pd.Timestamp(day) - pd.Timedelta(days=35)
    times = pd.date_range(start.tz_localize(TZ), pd.Timestamp(day).tz_localize(TZ), freq="15min", inclusive="left")
    history = pd.DataFrame({"interval_start": times, "channel": "chat",
                            "offered": 5.0 + 3 * (times.tz_localize(None).hour >= 9)})
    forecast = pf.forecast(history, horizon="2D")
    assert str(forecast["interval_start"].dt.tz) == TZ
    local_day = forecast["interval_start"].dt.strftime("%Y-%m-%d")
    assert (local_day == day).sum() == count
    assert (local_day != day).sum() == 96
    assert forecast["interval_start"].is_unique
    hour = forecast["interval_start"].dt.hour
    np.testing.assert_allclose(forecast["offered"], 5.0 + 3 * (hour >= 9), rtol=1e-9)


def test_horizon_forms_and_opening_hours():
    history = periodic_history()
    explicit = pf.forecast(history, horizon=("2026-06-16", "2026-06-18"), model="seasonal_naive")
    assert explicit["interval_start"].dt.strftime("%Y-%m-%d").unique().tolist() == ["2026-06-16", "2026-06-17"]
    mapping = pf.forecast(history, horizon={"start": "2026-06-16", "days": 2}, model="seasonal_naive")
    pd.testing.assert_frame_equal(explicit, mapping)
    assert set(explicit["interval_start"].dt.hour) == set(HOURS)
    with pytest.raises(InputError, match="horizon: expected a duration such as '28D'"):
        pf.forecast(history, horizon="soon")
    with pytest.raises(InputError, match="model: unknown model 'defualt' \\(did you mean 'default'\\?\\)"):
        pf.forecast(history, horizon="1D", model="defualt")


def test_aht_follows_the_time_of_day():
    history = periodic_history()
    history["aht_s"] = 200.0 + 10.0 * history["interval_start"].dt.hour
    history["handled"] = history["offered"]
    forecast = pf.forecast(history, horizon="7D")
    np.testing.assert_allclose(forecast["aht_s"], 200.0 + 10.0 * forecast["interval_start"].dt.hour, rtol=0.03)
    assert pf.forecast(periodic_history(), horizon="1D")["aht_s"].isna().all()  # no AHT history: NaN


# --- prediction intervals -------------------------------------------------------------------------

def simulated_history(rng: np.random.Generator, weeks: int, dispersion: float) -> pd.DataFrame:
    """Daily level lognormal AR(1) x weekday profile x gamma-Poisson counts, 15-minute, 08-20 daily."""
    days = pd.date_range("2026-01-05", periods=weeks * 7, freq="D")
    u = np.zeros(len(days))
    for t in range(1, len(days)):
        u[t] = 0.5 * u[t - 1] + rng.normal(0, 0.05)
    slots = np.arange(32, 80)
    bump = np.exp(-0.5 * ((slots - 52) / 12.0) ** 2)
    rows = []
    for t, day in enumerate(days):
        rate = 3000 * LEVELS[:6].mean() * np.exp(u[t]) * bump / bump.sum()
        rate = rate * rng.gamma(1 / dispersion, dispersion, size=len(slots))
        times = (day + pd.to_timedelta(slots * 15, unit="min")).tz_localize(TZ)
        rows.append(pd.DataFrame({"interval_start": times, "channel": "sim", "offered": rng.poisson(rate)}))
    frame = pd.concat(rows, ignore_index=True).astype({"offered": float})
    frame.attrs["interval_s"] = 900.0
    return frame


def test_prediction_interval_coverage_is_near_nominal_on_an_overdispersed_series():
    rng = np.random.default_rng(2024)
    history = simulated_history(rng, weeks=16, dispersion=0.01)
    bt = pf.backtest(history, models=["default"], horizon="1D", n_windows=35, level=(0.8, 0.95))
    table = pf.accuracy(bt, history)
    # 35 days x 48 intervals, correlated within a day: allow a few points of sampling error.
    assert 0.74 <= table["coverage_80"].iloc[0] <= 0.87
    assert 0.91 <= table["coverage_95"].iloc[0] <= 0.98
    assert abs(table["bias"].iloc[0]) < 0.03


# --- protocol, backtest, specs ----------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(pf.METHODS))
def test_every_registered_model_follows_the_protocol(name):
    model = pf.METHODS[name]()
    assert isinstance(model, ForecastModel)
    rng = np.random.default_rng(3)
    dates = np.arange(np.datetime64("2026-06-01"), np.datetime64("2026-07-13"))
    is_open = np.zeros((7, 24), bool)
    is_open[:5, 8:18] = True
    keep = is_open.any(axis=1)[(dates.astype(np.int64) + 3) % 7]
    y = np.where(is_open[(dates[keep].astype(np.int64) + 3) % 7], rng.poisson(20, (keep.sum(), 24)), 0.0)
    y[3] = np.nan  # a missing day
    panel = Panel(y, dates[keep], is_open, 3600.0)
    fitted = model.fit(panel)
    assert isinstance(fitted, FittedModel)
    prediction = fitted.predict(7, level=(0.8, 0.95))
    assert prediction.mean.shape == (7, 24)
    assert prediction.dates.astype(str).tolist()[:2] == ["2026-07-13", "2026-07-14"]
    assert np.all(prediction.mean[:, ~is_open[0]] == 0)
    for level in (0.8, 0.95):
        assert np.all(prediction.lo[level] <= prediction.mean + 1e-9)
        assert np.all(prediction.mean <= prediction.hi[level] + 1e-9)
    assert np.all(prediction.hi[0.95] >= prediction.hi[0.8])
    again = pickle.loads(pickle.dumps(fitted)).predict(7)
    np.testing.assert_allclose(again.mean, prediction.mean)


def test_backtest_frame_and_accuracy_table():
    history = periodic_history()
    bt = pf.backtest(history, horizon="1D", n_windows=3)
    assert list(bt.columns) == ["interval_start", "channel", "offered", "offered_lo", "offered_hi", "aht_s",
                                "rate_shape", "day_log_var", "cutoff", "actual", "model"]
    assert set(bt["model"]) == {"default", "seasonal_naive", "week_average"}
    assert bt["cutoff"].nunique() == 3
    assert (bt["interval_start"] >= bt["cutoff"]).all()
    table = pf.accuracy(bt, history)
    assert list(table.columns) == ["channel", "model", "mase", "wape", "bias", "daily_mape", "coverage_80", "windows"]
    np.testing.assert_allclose(table[["wape", "bias", "daily_mape"]].to_numpy(), 0.0, atol=1e-9)
    assert table["mase"].isna().all()  # the in-sample naive error of a periodic series is 0: MASE undefined
    figure = pf.backtest_figure(bt, channel="phone", model="default")
    assert figure.axes[0].get_title() == "phone, default: actual vs forecast"


def test_model_specs_in_models_load():
    names = pf.available_specs()
    assert {"default", "seasonal_naive", "week_average", "daily_profile"} <= set(names)
    for name in names:
        spec = pf.resolve_spec(name)
        assert isinstance(spec.build(), ForecastModel)
    assert pf.resolve_spec("default").method == "combination"


@pytest.mark.parametrize("text,message", [
    ('method = "daily_profile"\n[params]\nprofile_half_life_wekes = 4\n',
     "models/x.toml: params.profile_half_life_wekes: unknown key (did you mean 'profile_half_life_weeks'?)"),
    ('method = "daily_profil"\n', "models/x.toml: method: unknown method 'daily_profil' (did you mean 'daily_profile'?)"),
    ('metod = "daily_profile"\n', "models/x.toml: metod: unknown key (did you mean 'method'?)"),
    ('method = "week_average"\n[params]\nweeks = 0\n',
     "models/x.toml: params.weeks: expected a whole number of weeks >= 1, got 0"),
    ('method = "daily_profile"\n[aht]\nhalf_life_weeks = -1\n',
     "models/x.toml: aht.half_life_weeks: expected a number > 0, got -1"),
    ('method = "daily_profile"\n[backtest]\nwindows = 3\n',
     "models/x.toml: backtest.windows: unknown key (did you mean 'n_windows'?)"),
])
def test_spec_errors_point_into_the_file(tmp_path, monkeypatch, text, message):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "x.toml").write_text(text)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SpecError) as error:
        pf.load_spec("models/x.toml")
    assert str(error.value) == message


def test_model_arguments_are_checked():
    with pytest.raises(InputError, match="profile_half_life_weeks: expected a number > 0, got 0"):
        pf.DailyProfile(profile_half_life_weeks=0)
    with pytest.raises(InputError, match="level: expected a coverage fraction in \\(0, 1\\)"):
        pf.forecast(periodic_history(), horizon="1D", level=80)


def test_no_warnings_on_a_clean_run():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pf.forecast(periodic_history(), horizon="7D", level=(0.8, 0.95))


# --- the default: calendar effects, the SVD member, the model card ------------------------------

def test_a_month_start_peak_is_learned_by_the_daily_level():
    history = periodic_history("2026-01-05", weeks=20, scale=3000.0)
    day = history["interval_start"].dt.day
    history.loc[day <= 3, "offered"] *= 1.3  # billing peak on the first three days of every month
    forecast = pf.forecast(history, horizon=("2026-06-01", "2026-06-06"), model="daily_profile")
    ratio = forecast["offered"] / expected(forecast, scale=3000.0)
    early = forecast["interval_start"].dt.day <= 3
    np.testing.assert_allclose(ratio[early], 1.3, rtol=0.01)
    np.testing.assert_allclose(ratio[~early], 1.0, rtol=0.01)
    plain = pf.forecast(history, horizon=("2026-06-01", "2026-06-06"),
                        model=pf.ModelSpec("plain", "daily_profile", params={"calendar": False}))
    assert not np.allclose(plain["offered"][early] / expected(plain[early], scale=3000.0), 1.3, rtol=0.05)


def test_the_day_after_a_closure_gets_its_own_level():
    history = periodic_history("2026-01-05", weeks=20, scale=3000.0)
    days = history["interval_start"].dt.strftime("%Y-%m-%d")
    closed = ["2026-02-03", "2026-03-10", "2026-04-07", "2026-05-05"]  # Tuesdays without contacts
    after = ["2026-02-04", "2026-03-11", "2026-04-08", "2026-05-06"]
    history.loc[days.isin(after), "offered"] *= 1.5  # the calls of the closed day arrive the next day
    history = history[~days.isin(closed)]
    model = pf.DailyProfile()
    from planner.calendar import opening_hours
    from planner.forecast.frames import channel_panel
    hours = opening_hours(history)
    is_open = np.zeros((7, 24), bool)
    is_open[hours["weekday"].to_numpy(int), hours["slot"].to_numpy(int)] = hours["open"].to_numpy(bool)
    fitted = model.fit(channel_panel(history, is_open, interval_s=3600.0, tz=TZ))
    column = fitted.calendar_column[1]
    assert column >= 0
    assert np.exp(fitted.daily.beta[column]) == pytest.approx(1.5, rel=0.01)


def test_the_default_says_what_it_chose_and_why():
    rng = np.random.default_rng(5)
    history = periodic_history("2026-03-02", weeks=10, scale=3000.0)
    history["offered"] = rng.poisson(history["offered"]).astype(float)
    bt = pf.backtest(history, models=["default", "seasonal_naive"], n_windows=2)
    cards = pf.model_cards(bt)
    assert cards[["channel", "model"]].values.tolist() == [["phone", "default"]]
    row = cards.iloc[0]
    assert row["chosen"] in {"mean", "daily_profile", "svd_ar"}
    scores = {name: row[f"holdout_mae_{name}"] for name in ("mean", "daily_profile", "svd_ar")}
    best = min(("daily_profile", "svd_ar"), key=scores.get)
    assert (row["chosen"] == "mean") == (scores["mean"] <= 1.05 * scores[best] + 1e-9)
    assert row["times_chosen"].endswith("/2")
    short = pf.forecast(history[history["interval_start"] < pd.Timestamp("2026-03-12", tz=TZ)], horizon="1D")
    assert short.attrs["model_card"]["phone"]["chosen"] == "daily_profile"  # 9 days: too few for the SVD member
    assert "needs 15" in short.attrs["model_card"]["phone"]["reason"]
    assert pf.model_cards(pf.backtest(history, models=["seasonal_naive"], n_windows=1)).empty


def test_combination_settings_are_checked():
    with pytest.raises(InputError, match="level_var_scale: expected a number > 0 \\(a multiple of the daily level's variance\\), got 0"):
        pf.Combination(level_var_scale=0)
    with pytest.raises(InputError, match="holdout_days: expected a whole number of days >= 1"):
        pf.Combination(holdout_days=0)
    with pytest.raises(InputError, match="components: expected a whole number >= 1"):
        pf.Combination(svd={"components": 0})
