"""planner compare on the shipped capacity what-ifs (scenarios/capacity*.toml), end to end through the CLI:
every channel's FTE and the total cost of each capacity plan, checked against the capacity.csv files the
command writes and against the what-ifs' volumes recomputed here from the scenario files."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import cli

ROOT = Path(__file__).resolve().parents[1]
STEMS = ("capacity", "capacity-shift", "capacity-launch")


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare")
    result = CliRunner().invoke(cli, ["compare", *(str(ROOT / "scenarios" / f"{s}.toml") for s in STEMS), "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "compare_capacity.csv")
    names = [c for c in table.columns[2:] if not c.startswith("change")]
    plans = {stem: pd.read_csv(out / f"capacity_{stem}.csv") for stem in STEMS}
    weekly = {stem: pd.read_csv(out / f"capacity_weekly_{stem}.csv") for stem in STEMS}
    return result.output, table.set_index(["measure", "scope"]), dict(zip(STEMS, names)), plans, weekly


def _ramp(start, weeks, week_dates):
    """Share of a what-if reached in each week: 1/weeks in its first week, then linear to 1."""
    first = pd.Timestamp(start) - pd.Timedelta(days=pd.Timestamp(start).weekday())
    k = np.array([(pd.Timestamp(w) - first).days // 7 for w in week_dates])
    return np.clip((k + 1) / weeks, 0.0, 1.0)


def test_compare_cost_and_fte_equal_each_capacity_csv(compared):
    output, table, names, plans, weekly = compared
    for stem, name in names.items():
        plan, channels = plans[stem], weekly[stem]
        np.testing.assert_allclose(table.loc[("cost", "all"), name], plan["cost"].sum(), rtol=1e-9)
        np.testing.assert_allclose(table.loc[("buffered_cost", "all"), name], plan["buffered_cost"].sum(), rtol=1e-9)
        np.testing.assert_allclose(table.loc[("required_fte", "all"), name],
                                   plan.groupby("week_start")["required_fte"].sum().mean(), rtol=1e-9)
        groups = tomllib.loads((ROOT / "scenarios" / "capacity.toml").read_text())["capacity"]["groups"]
        if stem == "capacity-launch":
            groups["digital"]["channels"] = ["chat", "email", "social", "whatsapp"]
        for group, spec in groups.items():
            # the group's required FTE in capacity.csv is the sum of its channels' in the comparison
            by_channel = sum(table.loc[("required_fte", c), name] for c in spec["channels"])
            np.testing.assert_allclose(by_channel, plan.loc[plan["group"] == group, "required_fte"].mean(), rtol=1e-9)
            np.testing.assert_allclose(table.loc[("cost", f"group {group}"), name],
                                       plan.loc[plan["group"] == group, "cost"].sum(), rtol=1e-9)
        for channel, part in channels.groupby("channel"):
            np.testing.assert_allclose(table.loc[("required_fte", channel), name], part["fte_gross"].mean(), rtol=1e-9)
        assert f"{plan['cost'].sum():,.0f}" in output  # the printed total is the file's
    assert "whatsapp" in output


def test_shift_moves_phone_volume_to_chat_and_launch_adds_the_new_channel(compared):
    _, table, names, plans, weekly = compared
    base = weekly["capacity"].pivot(index="week_start", columns="channel", values="offered")
    shift_spec = tomllib.loads((ROOT / "scenarios" / "capacity-shift.toml").read_text())["channel_shift"]
    ramp = _ramp(shift_spec["start"], shift_spec["weeks"], base.index)
    shifted = weekly["capacity-shift"].pivot(index="week_start", columns="channel", values="offered")
    moved = base["phone"].to_numpy() * shift_spec["share"] * ramp
    np.testing.assert_allclose(shifted["phone"], base["phone"] - moved, rtol=1e-9)
    np.testing.assert_allclose(shifted["chat"], base["chat"] + moved, rtol=1e-9)
    s, b = names["capacity-shift"], names["capacity"]
    assert table.loc[("required_fte", "phone"), s] < table.loc[("required_fte", "phone"), b]
    assert table.loc[("required_fte", "chat"), s] > table.loc[("required_fte", "chat"), b]
    np.testing.assert_allclose(table.loc[("offered", "all"), s], table.loc[("offered", "all"), b], rtol=1e-12)

    spec = tomllib.loads((ROOT / "scenarios" / "capacity-launch.toml").read_text())["launch"]
    ramp = _ramp(spec["start"], spec["ramp_weeks"], base.index)
    expected = spec["new_per_week"] * ramp + sum(base[c].to_numpy() * share * ramp for c, share in spec["shares"].items())
    launched = weekly["capacity-launch"].pivot(index="week_start", columns="channel", values="offered")
    np.testing.assert_allclose(launched["whatsapp"], expected, rtol=1e-9, atol=1e-9)
    assert launched["whatsapp"][base.index < str(dt.date.fromisoformat(str(spec["start"])))].eq(0).all()
    l = names["capacity-launch"]
    np.testing.assert_allclose(table.loc[("offered", "all"), l] - table.loc[("offered", "all"), b],
                               spec["new_per_week"] * ramp.sum(), rtol=1e-9)  # only the new demand is new
    assert table.loc[("required_fte", "whatsapp"), b] == 0 < table.loc[("required_fte", "whatsapp"), l]
    assert table.loc[("cost", "all"), l] > table.loc[("cost", "all"), b]
