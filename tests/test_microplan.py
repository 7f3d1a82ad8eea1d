"""planner.microplan: the intraday reforecast of a day, its re-staffing and call list, and bad actuals.

References: the limits of the update (no correlation: the day-ahead plan again; a pure day
factor: the plan of the day-ahead forecast scaled by the observed ratio, staffed independently),
the backlog given in the actuals reaching the deferred model, and exact error lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from numpy.testing import assert_allclose

from planner.cli import cli
from planner.errors import InputError
from planner.forecast.intraday import ResidualModel
from planner.microplan import read_actuals, reforecast, residual_models
from planner.staffing.plan import Deferred, Voice, staff

TZ = "Europe/London"
SLOTS = 16  # 08:00-12:00
TODAY = pd.date_range("2026-07-06 08:00", periods=SLOTS, freq="15min", tz=TZ)
BASE = 60.0 + 40.0 * np.sin(np.linspace(0, 3, SLOTS))


def _forecast(channels=("phone",)):
    frames = [pd.DataFrame({"interval_start": TODAY, "channel": c, "offered": BASE, "offered_lo": 0.8 * BASE,
                            "offered_hi": 1.2 * BASE, "aht_s": 300.0}) for c in channels]
    out = pd.concat(frames, ignore_index=True)
    out.attrs["interval_s"] = 900.0
    return out


def _models(cov, channels=("phone",)):
    minutes = np.arange(SLOTS) * 15 + 8 * 60
    return {c: (minutes, ResidualModel(mean=np.zeros(SLOTS), cov=cov)) for c in channels}


def _so_far(factor, channels=("phone",), until=8):
    return pd.concat([pd.DataFrame({"interval_start": TODAY[:until], "channel": c,
                                    "offered": (BASE[:until] + 1.0) * factor - 1.0}) for c in channels],
                     ignore_index=True)


SPECS = {"phone": Voice(target_service_level=0.8, threshold_s=20, shrinkage=0.3)}


def test_no_correlation_keeps_the_day_ahead_plan_and_an_empty_call_list():
    out = reforecast(_forecast(), _so_far(1.3), history=_models(0.01 * np.eye(SLOTS)), channels=SPECS)
    assert str(out.at.time()) == "10:00:00"
    assert_allclose(out.forecast["offered"], BASE[8:])
    assert (out.plan["agents"].to_numpy() == out.prior_plan["agents"].to_numpy()).all()
    assert len(out.call_list) == 0


def test_a_pure_day_factor_staffs_the_scaled_forecast_and_lists_the_added_agents():
    out = reforecast(_forecast(), _so_far(1.3), history=_models(np.full((SLOTS, SLOTS), 0.01)), channels=SPECS)
    scaled = (BASE[8:] + 1.0) * 1.3 - 1.0
    assert_allclose(out.forecast["offered"], scaled, rtol=1e-9)
    reference = staff(_forecast().iloc[8:].assign(offered=scaled), SPECS, interval_s=900.0)
    assert (out.plan["agents"].to_numpy() == reference["agents"].to_numpy()).all()
    change = out.plan["agents"].to_numpy() - out.prior_plan["agents"].to_numpy()
    listed = out.call_list.set_index("interval_start")["change"]
    assert (listed > 0).all() and listed.sum() == change.sum() > 0
    assert set(out.call_list["action"]) == {"add"}


def test_ratio_methods_move_the_next_two_hours_only():
    out = reforecast(_forecast(), _so_far(1.2, until=4), method="ratio")
    moved = out.forecast["offered"].to_numpy() / out.forecast["offered_prior"].to_numpy()
    ratio = ((BASE[:4] + 1) * 1.2 - 1).sum() / BASE[:4].sum()
    assert_allclose(moved[:8], ratio) and assert_allclose(moved[8:], 1.0)
    assert out.forecast["method"].iloc[0] == "ratio (next 2 h only)"


@pytest.mark.filterwarnings("ignore:deferred work")  # the 4-hour day ends before some deadlines
def test_the_actual_backlog_reaches_deferred_channels():
    specs = {"email": Deferred(deadline_s=14400, shrinkage=0.2)}
    so_far = _so_far(1.0, channels=("email",)).assign(backlog=0.0)
    quiet = reforecast(_forecast(("email",)), so_far, history=_models(0.01 * np.eye(SLOTS), ("email",)), channels=specs)
    so_far.loc[so_far.index[-1], "backlog"] = 400.0
    busy = reforecast(_forecast(("email",)), so_far, history=_models(0.01 * np.eye(SLOTS), ("email",)), channels=specs)
    direct = staff(_forecast(("email",)).iloc[8:], {"email": Deferred(deadline_s=14400, shrinkage=0.2,
                                                                       opening_backlog=400.0)}, interval_s=900.0)
    assert (busy.plan["agents"].to_numpy() == direct["agents"].to_numpy()).all()
    assert busy.plan["agents"].sum() > quiet.plan["agents"].sum()


def test_excluded_intervals_stay_out_of_the_update():
    rng = np.random.default_rng(0)
    days = pd.date_range("2026-06-01", periods=30, freq="D")
    starts = pd.DatetimeIndex((days.to_numpy()[:, None] + (TODAY - TODAY[0].normalize()).to_numpy()).ravel()).tz_localize(TZ)
    level = np.repeat(np.exp(0.1 * rng.standard_normal(30)), SLOTS)
    backtest = pd.DataFrame({"interval_start": starts, "channel": "phone", "offered": np.tile(BASE, 30),
                             "actual": rng.poisson(np.tile(BASE, 30) * level).astype(float)})
    events = pd.DataFrame({"name": ["outage"], "kind": ["outage"], "start": [TODAY[3]], "end": [TODAY[4]],
                           "channel": ["*"], "effect": ["exclude"], "value": [np.nan]})
    so_far = _so_far(1.1)
    spiked = so_far.copy()
    spiked.loc[3, "offered"] = 5000.0
    models = residual_models(backtest, events=events)
    a = reforecast(_forecast(), so_far.drop(index=3), history=models, events=events)
    b = reforecast(_forecast(), spiked, history=models, events=events)
    assert_allclose(a.forecast["offered"], b.forecast["offered"])


def _write(tmp_path, text):
    path = tmp_path / "today.csv"
    path.write_text("interval_start,channel,offered\n" + text)
    return path


@pytest.mark.parametrize("rows,at,message", [
    ("2026-07-06T08:00:00+01:00,phone,10\n2026-07-06T08:15:00+01:00,fax,3\n", None,
     ":3:channel: channel 'fax' is not in the scenario (it has: chat, phone); fix the name or add the channel"),
    ("2026-07-06T08:00:00+01:00,phone,10\n2026-07-06T08:00:00+01:00,phone,11\n", None,
     ":3:interval_start: a second row for 'phone' at '2026-07-06T08:00:00+01:00'; keep one row per channel"),
    ("2026-07-06T08:00:00+01:00,phone,10\n2026-07-06T10:15:00+01:00,phone,11\n", "10:00",
     ":3:interval_start: '2026-07-06T10:15:00+01:00' ends after the cut at 10:00; drop the rows after the cut"),
    ("2026-07-06T08:00:00+01:00,phone,10\n2026-07-07T08:15:00+01:00,phone,11\n", None,
     ":3:interval_start: '2026-07-07T08:15:00+01:00' is on 2026-07-07, the first row on 2026-07-06"),
])
def test_bad_actuals_name_file_row_and_column(tmp_path, rows, at, message):
    path = _write(tmp_path, rows)
    with pytest.raises(InputError) as error:
        read_actuals(path, tz=TZ, interval_s=900.0, channels=["phone", "chat"], at=at)
    assert str(error.value).startswith(f"{path}{message}")


def test_cli_refuses_a_day_outside_the_forecast(tmp_path):
    path = _write(tmp_path, "2026-06-01T08:00:00+01:00,phone,10\n")
    result = CliRunner().invoke(cli, ["reforecast", "scenarios/base.toml", "--actuals", str(path),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: {path}:2:interval_start: the day 2026-06-01 is inside the history; "
                                     "give actuals for a day of the scenario's horizon")


def test_a_known_day_level_makes_confidence_cheaper():
    """Morning on forecast, a pure day factor: the rest's rate is known (shape 1000, the floor), so
    the chance rule at 90 % needs the agents of that shape, fewer than the day-ahead spread's."""
    spec = {"phone": Voice(target_service_level=0.8, threshold_s=20, shrinkage=0.3,
                           staffing_rule="chance", confidence=0.9)}
    prior = _forecast().assign(rate_shape=30.0, day_log_var=0.01)
    out = reforecast(prior, _so_far(1.0), history=_models(np.full((SLOTS, SLOTS), 0.01)), channels=spec)
    assert_allclose(out.forecast["rate_shape"], 1000.0, rtol=0.02)
    reference = staff(prior.iloc[8:].assign(rate_shape=out.forecast["rate_shape"].to_numpy(), day_log_var=0.0),
                      spec, interval_s=900.0, day_draws=0)
    assert (out.plan["agents"].to_numpy() == reference["agents"].to_numpy()).all()
    assert out.plan["agents"].sum() < out.prior_plan["agents"].sum()
    assert set(out.call_list["action"]) == {"release"}
