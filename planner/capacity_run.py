"""A scenario's long-range capacity plan: weekly forecast -> required FTE -> hiring MILP -> risk.

``capacity_plan(scenario)`` reads the scenario's ``[capacity]`` table (and ``[channel_shift]`` /
``[launch]`` what-ifs), and returns a :class:`CapacityResult` whose ``table`` is ``capacity.csv``:
one row per week x group with the columns planners know (required FTE with and without shrinkage,
planned, net, gap and gap %, hires starting, graduating and ramp-complete, overtime, undertime,
shortfall, cost, P(short even with max overtime) and the buffered plan's figures).

One model across horizons (docs/design.md section 2, ``capacity/``): required FTE per week comes
from the interval staffing engine itself. The scenario's interval forecast is staffed (as
``planner run`` does); one full week of it (the second when it has three) is the template,
re-staffed at a grid of volume scales, and a week's required FTE is interpolated at its workload (volume x AHT) relative to the template.
Weeks the interval forecast covers take its weekly volume, later weeks the long-range forecast's
(:mod:`planner.capacity.longrange`). ``consistency`` compares the engine with the interval plan's
weekly roll-up over the weeks both cover.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.calendar import holiday_events
from planner.capacity import Ramp, Supply
from planner.capacity.hiring import group_model
from planner.capacity.longrange import week_accuracy, weekly_backtest, weekly_forecast, weekly_totals
from planner.capacity.plots import capacity_figure
from planner.capacity.risk import BufferedPlan, buffered_plan
from planner.config import locate
from planner.errors import InputError, SpecError
from planner.report import OutputFolder, report_html, rollup
from planner.scenario import Scenario

__all__ = ["CapacityResult", "capacity_plan", "write_capacity", "monthly", "compare_capacity", "GROUP_KEYS"]

GROUP_KEYS = {"channels", "headcount", "attrition_per_week", "training_weeks", "ramp", "class_cap", "class_weeks",
              "class_every_weeks", "lead_time_weeks", "trainee_capacity", "transfers", "known_leavers", "max_overtime",
              "max_undertime", "cost_per_fte_week", "hire_cost", "overtime_premium", "shortfall_penalty"}
SCALES = np.geomspace(0.4, 2.5, 9)


@dataclass(frozen=True)
class CapacityResult:
    """``table`` (capacity.csv), ``classes``, ``weekly`` (per channel: volume and FTE), ``backtest``
    accuracy, the :class:`~planner.capacity.risk.BufferedPlan`, and ``consistency`` (engine against the
    interval plan per common week and channel)."""

    table: pd.DataFrame
    classes: pd.DataFrame
    weekly: pd.DataFrame
    consistency: pd.DataFrame
    result: BufferedPlan
    solve_s: float
    accuracy: pd.DataFrame


def _fail(scenario: Scenario, keys: tuple, message: str):
    raise locate(scenario.config, keys, message)


def _weeks_list(table: dict, n: int, keys: tuple, scenario) -> tuple[float, ...]:
    """``{ 10 = 2 }`` (week -> heads) to a list over weeks."""
    out = np.zeros(n)
    for week, heads in (table or {}).items():
        if not str(week).isdigit() or int(week) >= n:
            _fail(scenario, (*keys, str(week)), f"expected a week number 0..{n - 1}")
        out[int(week)] = float(heads)
    return tuple(out)


def supply_of(scenario: Scenario, name: str, table: dict, n_weeks: int) -> tuple[Supply, list[str]]:
    """A group's :class:`Supply` from ``[capacity.groups.NAME]``; errors name ``file: key``."""
    where = ("capacity", "groups", name)
    unknown = set(table) - GROUP_KEYS
    if unknown:
        from planner.schema import did_you_mean
        key = sorted(unknown)[0]
        _fail(scenario, (*where, key), f"unknown key{did_you_mean(key, GROUP_KEYS)}")
    channels = table.get("channels", [name])
    for channel in channels:
        if channel not in scenario.config.channels and channel != (scenario.config.raw.get("launch") or {}).get("name"):
            _fail(scenario, (*where, "channels"), f"unknown channel {channel!r}")
    options = {k: v for k, v in table.items() if k not in ("channels", "class_every_weeks", "ramp", "transfers",
                                                             "known_leavers")}
    lead = int(table.get("lead_time_weeks", 0))
    if "class_weeks" not in table:
        every = int(table.get("class_every_weeks", 4))
        options["class_weeks"] = tuple(range(lead, n_weeks, max(every, 1)))
    else:
        options["class_weeks"] = tuple(int(w) for w in table["class_weeks"])
    try:
        ramp = Ramp(**{k: (tuple(v) if k == "table" else v) for k, v in table.get("ramp", {}).items()})
        supply = Supply(**options, ramp=ramp,
                        transfers=_weeks_list(table.get("transfers"), n_weeks, (*where, "transfers"), scenario),
                        known_leavers=_weeks_list(table.get("known_leavers"), n_weeks, (*where, "known_leavers"), scenario))
    except (SpecError, TypeError) as error:
        key, _, message = str(error).partition(": ")
        _fail(scenario, (*where, *key.split(".")), message or key)
    return supply, list(channels)


def _template_fte(scenario: Scenario, forecast: pd.DataFrame, full_weeks: list, specs, history) -> tuple[dict, dt.date]:
    """Channel -> (workload hours, net FTE, gross FTE) of the template week at every scale of SCALES,
    and the template week.

    The template is staffed as the interval plan is (from the history's closing backlog, with the
    following week in the window, so deferred work arriving on Saturday night is answered on
    Monday as it would be). With three full weeks or more the second is read, so deferred work
    also comes in from a week staffed at the same scale (a steady state); else the first."""
    from planner.staffing.plan import staff

    week = full_weeks[1] if len(full_weeks) >= 3 else full_weeks[0]
    local = forecast["interval_start"].dt.tz_localize(None)
    part = forecast[(local >= pd.Timestamp(full_weeks[0])) & (local < pd.Timestamp(week) + pd.Timedelta(days=14))]
    interval_s = scenario._interval_s(forecast)
    paid = dict(interval_s=interval_s, paid_hours_per_day=scenario.config.paid_hours_per_day,
                paid_days_per_week=scenario.config.paid_days_per_week)
    out: dict = {}
    for scale in SCALES:
        scaled = part.copy()
        for column in ("offered", "offered_lo", "offered_hi"):
            if column in scaled:
                scaled[column] = scaled[column] * scale
        weekly = rollup(staff(scaled, {c: specs[c] for c in scaled["channel"].unique()}, interval_s=interval_s,
                              history=history), by="week", **paid)
        weekly = weekly[weekly["period"] == week]
        for row in weekly.itertuples():
            out.setdefault(row.channel, []).append((row.workload_hours, row.fte, row.fte_gross))
    return {c: np.array(v).T for c, v in out.items()}, week


def _engine(curves: dict, channel: str, workload_hours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    load, net, gross = curves[channel]
    return np.interp(workload_hours, load, net), np.interp(workload_hours, load, gross)


def _what_ifs(scenario: Scenario, weekly: pd.DataFrame, week_dates: list) -> pd.DataFrame:
    """Apply ``[channel_shift]`` and ``[launch]`` to weekly volumes (and workload)."""
    raw = scenario.config.raw
    frame = weekly.copy()
    index = {d: i for i, d in enumerate(week_dates)}
    position = frame["week_start"].map(index).to_numpy(float)
    shift = raw.get("channel_shift")
    if shift:
        start = index.get(_monday(shift.get("start", week_dates[0])), 0)
        ramp = np.clip((position - start + 1) / max(int(shift.get("weeks", 1)), 1), 0, 1)
        moved = np.where(frame["channel"] == shift["from"], frame["offered"] * _share(shift["share"]) * ramp, 0.0)
        frame["offered"] -= moved
        per_week = pd.Series(moved).groupby(frame["week_start"].to_numpy()).sum()
        to = frame["channel"] == shift["to"]
        extra = frame.loc[to, "week_start"].map(per_week).fillna(0.0).to_numpy()
        aht = float(shift.get("aht_s", np.nan))
        old = frame.loc[to, "offered"].to_numpy()
        if np.isfinite(aht):
            frame.loc[to, "aht_s"] = (old * frame.loc[to, "aht_s"] + extra * aht) / np.maximum(old + extra, 1e-9)
        frame.loc[to, "offered"] = old + extra
    launch = raw.get("launch")
    if launch:
        start = index.get(_monday(launch.get("start", week_dates[0])), 0)
        ramp = np.clip((np.arange(len(week_dates)) - start + 1) / max(int(launch.get("ramp_weeks", 1)), 1), 0, 1)
        volume = float(launch.get("new_per_week", 0.0)) * ramp
        for channel, share in launch.get("shares", {}).items():
            rows = frame["channel"] == channel
            part = frame.loc[rows, "offered"].to_numpy() * _share(share) * ramp[position[rows.to_numpy()].astype(int)]
            frame.loc[rows, "offered"] -= part
            volume = volume + np.bincount(position[rows.to_numpy()].astype(int), weights=part, minlength=len(week_dates))
        frame = pd.concat([frame, pd.DataFrame({"week_start": week_dates, "channel": launch["name"], "offered": volume,
                                                "aht_s": float(launch.get("aht_s", np.nan))})], ignore_index=True)
    return frame


def shrinkage_overrides(scenario: Scenario, week_dates: list) -> dict:
    """Week (its Monday, a date) -> shrinkage [share, 0..1) set by ``[capacity] shrinkage_by_month``
    (``{ 12 = 0.36 }``: month number of the week's Monday) and ``shrinkage_by_week`` (``{ 24 = 0.4 }``
    or ``{ 2026-12-21 = 0.4 }``: week number 0.. or a planned week's Monday), the week's winning over the
    month's. Bad keys or values: one :class:`SpecError` naming ``file: capacity.<table>.<key>``."""
    settings = scenario.config.raw.get("capacity") or {}
    out: dict = {}
    for table in ("shrinkage_by_month", "shrinkage_by_week"):
        values = settings.get(table) or {}
        if not isinstance(values, dict):
            _fail(scenario, ("capacity", table), "expected a table such as { 12 = 0.36 }")
        for key, value in values.items():
            where = ("capacity", table, str(key))
            try:
                share = _share(value)
            except InputError as error:
                _fail(scenario, where, str(error).partition(": ")[2])
            if share >= 1:
                _fail(scenario, where, f"shrinkage {value!r} leaves no productive time; expected a share below 1")
            if table == "shrinkage_by_month":
                if not str(key).isdigit() or not 1 <= int(key) <= 12:
                    _fail(scenario, where, "expected a month number 1..12, e.g. { 12 = 0.36 }")
                out.update({w: share for w in week_dates if w.month == int(key) and w not in out})
                continue
            if str(key).isdigit() and int(key) < len(week_dates):
                week = week_dates[int(key)]
            else:
                try:
                    week = dt.date.fromisoformat(str(key))
                except ValueError:
                    week = None
                if week not in week_dates:
                    _fail(scenario, where, f"expected a week number 0..{len(week_dates) - 1} or the Monday of a planned "
                          f"week ({week_dates[0]} to {week_dates[-1]}), e.g. {{ {week_dates[-1]} = 0.4 }}")
            out[week] = share
    return out


def _share(value) -> float:
    from planner.schema import parse_share
    return parse_share(value, name="share")


def _monday(day) -> dt.date:
    day = pd.Timestamp(day).date()
    return day - dt.timedelta(days=day.weekday())


def capacity_plan(scenario: Scenario, *, run=None) -> CapacityResult:
    """The long-range plan of a scenario with a ``[capacity]`` table (see the module docstring).

    ``run``: the scenario's interval run (``scenario.run()``) when the caller already has it."""
    config = scenario.config
    settings = config.raw.get("capacity") or {}
    if not settings.get("groups"):
        _fail(scenario, ("capacity", "groups"), "expected one table per agent group, e.g. [capacity.groups.phone] "
              "headcount = 60 (see scenarios/capacity.toml)")
    n_weeks = int(settings.get("weeks", 52))
    groups = settings["groups"]
    supplies = {name: supply_of(scenario, name, table, n_weeks) for name, table in groups.items()}  # fail early
    run = scenario.run() if run is None else run
    weeks_seen = weekly_totals(run.history)
    plan_weekly = rollup(run.plan, by="week", interval_s=scenario._interval_s(run.forecast),
                         paid_hours_per_day=config.paid_hours_per_day, paid_days_per_week=config.paid_days_per_week)
    local = run.forecast["interval_start"].dt.tz_localize(None)
    days = local.dt.normalize().groupby(_week_of(local)).nunique()
    full = [w for w, n in days.items() if n == 7]
    if not full:
        _fail(scenario, ("horizon",), "the interval horizon holds no full week (Monday to Sunday); plan at least "
              "one whole week for the capacity template")
    first = full[0]
    week_dates = [first + dt.timedelta(weeks=k) for k in range(n_weeks)]
    holidays = []
    if config.holidays:
        country, _, subdivision = config.holidays.partition("-")
        years = range(pd.Timestamp(weeks_seen["week_start"].min()).year, week_dates[-1].year + 2)
        holidays = holiday_events(country, years=years, tz=config.timezone, subdivision=subdivision or None)["start"].dt.date
    events = scenario.read_events(run.history)
    long = weekly_forecast(weeks_seen, week_dates, harmonics=int(settings.get("harmonics", 2)), holiday_dates=holidays,
                           level=float(settings.get("level", 0.8)), events=events)
    covered = plan_weekly[plan_weekly["period"].isin(full)]
    interval_weeks = covered[["period", "channel", "offered", "workload_hours"]].rename(columns={"period": "week_start"})
    interval_weeks["aht_s"] = 3600 * interval_weeks["workload_hours"] / interval_weeks["offered"].where(
        interval_weeks["offered"] > 0, 1.0)
    weekly = long.merge(interval_weeks[["week_start", "channel", "offered", "aht_s"]], on=["week_start", "channel"],
                        how="left", suffixes=("", "_interval"))
    take = weekly["offered_interval"].notna()
    weekly.loc[take, "offered"] = weekly.loc[take, "offered_interval"]
    weekly.loc[take, "aht_s"] = weekly.loc[take, "aht_s_interval"]
    weekly["source"] = np.where(take, "interval", "longrange")
    weekly = _what_ifs(scenario, weekly.drop(columns=["offered_interval", "aht_s_interval"]), week_dates)
    specs = scenario.channel_specs(run.calibration)
    forecast = run.forecast
    launch = config.raw.get("launch")
    if launch:  # the new channel takes the template channel's intraday shape and staffing rule
        like = launch.get("like")
        if like not in specs:
            _fail(scenario, ("launch", "like"), f"expected a channel whose shape and kind the new one takes, got {like!r}")
        changes = {k: launch[k] for k in ("target_service_level", "threshold_s") if k in launch}
        specs = {**specs, launch["name"]: dataclasses.replace(specs[like], **changes)}
        forecast = pd.concat([forecast, forecast[forecast["channel"] == like].assign(channel=launch["name"])])
    curves, template = _template_fte(scenario, forecast, full, specs, run.history)
    template_aht = {c: v for c, v in interval_weeks[interval_weeks["week_start"] == template].set_index("channel")["aht_s"].items()}
    if launch:
        template_aht[launch["name"]] = template_aht.get(launch["like"])
    weekly["aht_s"] = weekly["aht_s"].fillna(weekly["channel"].map(template_aht))
    weekly["workload_hours"] = weekly["offered"] * weekly["aht_s"] / 3600.0
    template_load = {c: curves[c][0][np.argmin(np.abs(SCALES - 1.0))] for c in curves}
    weekly["fte"], weekly["fte_gross"] = 0.0, 0.0
    for channel, rows in weekly.groupby("channel").groups.items():
        # the curve was staffed at the template's AHT: a week's workload maps onto it through its volume
        net, gross = _engine(curves, channel, weekly.loc[rows, "workload_hours"].to_numpy())
        weekly.loc[rows, "fte"], weekly.loc[rows, "fte_gross"] = net, gross
    # Weeks the interval plan covers take its own required FTE (one model: the identity is exact);
    # ``consistency`` measures the engine that extrapolates beyond them against those weeks.
    check = covered.merge(weekly[["week_start", "channel", "fte_gross"]].rename(columns={"week_start": "period"}),
                          on=["period", "channel"], suffixes=("_interval", "_capacity"))
    engine = [ _engine(curves, c, np.array([h]))[1][0] for c, h in zip(check["channel"], check["workload_hours"])]
    consistency = check[["period", "channel", "fte_gross_interval"]].assign(fte_gross_engine=engine)
    consistency["difference_percent"] = 100 * (consistency["fte_gross_engine"] / consistency["fte_gross_interval"] - 1)
    same = weekly.merge(covered[["period", "channel", "offered", "fte", "fte_gross"]].rename(columns={"period": "week_start"}),
                        on=["week_start", "channel"], how="left", suffixes=("", "_plan"))
    unchanged = np.isclose(same["offered"], same["offered_plan"], rtol=1e-9)  # not moved by a what-if
    taken = same["fte_gross_plan"].notna().to_numpy() & unchanged
    weekly.loc[taken, "fte"] = same.loc[taken, "fte_plan"].to_numpy()
    weekly.loc[taken, "fte_gross"] = same.loc[taken, "fte_gross_plan"].to_numpy()
    # shrinkage set per week or month replaces the channels' own (in the interval plan's weeks too)
    weekly["shrinkage"] = pd.to_datetime(weekly["week_start"]).dt.date.map(shrinkage_overrides(scenario, week_dates))
    weekly["fte_gross"] = np.where(weekly["shrinkage"].notna(), weekly["fte"] / (1 - weekly["shrinkage"].fillna(0)),
                                   weekly["fte_gross"])
    used = consistency.merge(weekly[["week_start", "channel", "fte_gross"]].rename(columns={"week_start": "period"}),
                             on=["period", "channel"], how="left")["fte_gross"].to_numpy()
    consistency["fte_gross_capacity"] = used  # what the capacity plan uses: the interval plan's own
    consistency["capacity_difference_percent"] = 100 * (used / consistency["fte_gross_interval"] - 1)
    # the interval plan's first week starts from the history's backlog and its last must clear deferred
    # work before the horizon ends: the engine (a steady-state week) is measured on the weeks between
    consistency["boundary_week"] = consistency["period"].isin([consistency["period"].min(), consistency["period"].max()])
    models, sigma = [], {}
    for name, (supply, channels) in supplies.items():
        part = weekly[weekly["channel"].isin(channels)]
        required = part.groupby("week_start")["fte_gross"].sum().reindex(week_dates, fill_value=0.0).to_numpy()
        models.append(group_model(name, supply, required))
        sd = part.groupby("week_start")["log_sd"].mean().reindex(week_dates).fillna(0.0).to_numpy()
        sigma[name] = np.where(part.groupby("week_start")["source"].first().reindex(week_dates).eq("interval"), 0.0, sd)
    shared = settings.get("shared_trainees")
    result = buffered_plan(models, sigma=sigma, rho=float(settings.get("rho", 0.5)), alpha=float(settings.get("alpha", 0.05)),
                           n_paths=int(settings.get("paths", 2000)), seed=config.seed,
                           shared_trainee_capacity=None if shared is None else float(shared))
    table = _table(models, weekly, week_dates, result, groups)
    classes = result.plan.classes.assign(
        **{f"{c}_date": result.plan.classes[c].map(lambda w: week_dates[0] + dt.timedelta(weeks=int(w)))
           for c in ("start_week", "graduation_week", "ramp_complete_week")})
    accuracy = week_accuracy(weekly_backtest(weeks_seen, harmonics=int(settings.get("harmonics", 2)),
                                             holiday_dates=holidays, events=events, first_train_weeks=max(53, weeks_seen["week_start"].nunique() - 44)))
    return CapacityResult(table=table, classes=classes, weekly=weekly, consistency=consistency, result=result,
                          solve_s=result.plan.solve_s, accuracy=accuracy)


def compare_capacity(results: dict[str, CapacityResult]) -> pd.DataFrame:
    """Capacity plans side by side (``planner compare``): one row per measure and channel or group.

    Rows: per channel the offered contacts over the horizon and the mean weekly required FTE (net and
    with shrinkage, from ``capacity_weekly.csv``); per group and for ``all`` the mean weekly required
    and planned FTE, hires, the plan's cost and the buffered plan's cost (sums of ``capacity.csv``).
    Columns ``measure, scope, weeks [name]...``, then ``<name>`` per plan and, for every plan after the
    first, ``change [<name>]`` and ``change % [<name>]`` (a channel one plan lacks counts as 0).

    >>> w = pd.DataFrame({"week_start": [1, 2], "channel": "phone", "offered": [10.0, 30.0], "fte": [1.0, 3.0],
    ...                   "fte_gross": [2.0, 4.0]})
    >>> t = pd.DataFrame({"week_start": [1, 2], "group": "g", "required_fte": [2.0, 4.0], "planned_fte": [3.0, 3.0],
    ...                   "hires_starting": [0, 1], "cost": [5.0, 7.0], "buffered_cost": [6.0, 8.0]})
    >>> a = CapacityResult(table=t, classes=None, weekly=w, consistency=None, result=None, solve_s=0, accuracy=None)
    >>> b = dataclasses.replace(a, table=t.assign(cost=[6.0, 9.0]))
    >>> c = compare_capacity({"a": a, "b": b}).set_index(["measure", "scope"])
    >>> float(c.loc[("cost", "all"), "change % [b]"]), float(c.loc[("required_fte", "phone"), "a"])
    (25.0, 3.0)
    """
    if len(results) < 2:
        raise InputError("compare: give at least two capacity plans")
    columns = {}
    for name, r in results.items():
        weekly, table = r.weekly, r.table
        by_channel = weekly.groupby("channel")
        per_week = table.groupby("week_start")
        by_group = table.groupby("group")
        values = {}
        for measure, series in (("offered", by_channel["offered"].sum()),
                                ("required_fte_net", by_channel["fte"].mean()),
                                ("required_fte", by_channel["fte_gross"].mean())):
            values.update({(measure, c): float(v) for c, v in series.items()})
        values[("offered", "all")] = float(weekly["offered"].sum())
        for measure, column, how in (("required_fte", "required_fte", "mean"), ("planned_fte", "planned_fte", "mean"),
                                     ("hires", "hires_starting", "sum"), ("cost", "cost", "sum"),
                                     ("buffered_cost", "buffered_cost", "sum")):
            values.update({(measure, f"group {g}"): float(v) for g, v in by_group[column].agg(how).items()})
            total = per_week[column].sum()  # all groups, per week
            values[(measure, "all")] = float(total.mean() if how == "mean" else total.sum())
        values[("weeks", "all")] = float(table["week_start"].nunique())
        columns[name] = values
    order = list(dict.fromkeys(key for values in columns.values() for key in values))
    rank = {"weeks": 0, "offered": 1, "required_fte_net": 2, "required_fte": 3, "planned_fte": 4, "hires": 5,
            "cost": 6, "buffered_cost": 7}
    order.sort(key=lambda k: (rank[k[0]], k[1] == "all", k[1].startswith("group "), k[1]))
    out = pd.DataFrame({name: [values.get(k, 0.0) for k in order] for name, values in columns.items()})
    out.insert(0, "scope", [k[1] for k in order])
    out.insert(0, "measure", [k[0] for k in order])
    names = list(results)
    base = out[names[0]]
    for name in names[1:]:
        out[f"change [{name}]"] = out[name] - base
        with np.errstate(divide="ignore", invalid="ignore"):
            out[f"change % [{name}]"] = np.where(base != 0, 100.0 * (out[name] - base) / base, np.nan)
    return out


def monthly(table: pd.DataFrame) -> pd.DataFrame:
    """capacity.csv by month (of each week's Monday): mean FTE, summed hires, FTE-weeks and cost, worst P(short)."""
    month = pd.to_datetime(table["week_start"]).dt.to_period("M").astype(str)
    mean = ["required_fte_net", "required_fte", "planned_fte", "paid_heads", "net_fte", "gap_fte", "buffered_planned_fte"]
    total = ["offered", "hires_starting", "overtime_fte", "undertime_fte", "short_fte", "cost", "buffered_cost"]
    grouped = table.assign(month=month).groupby(["month", "group"], sort=True)
    return pd.concat([grouped[mean].mean(), grouped[total].sum(), grouped[["p_short", "p_short_buffered"]].max()],
                     axis=1).reset_index()


def write_capacity(out, result: CapacityResult, scenario: Scenario, *, force: bool = False) -> None:
    """Write capacity.csv, capacity_monthly.csv, capacity_classes.csv, capacity_weekly.csv, capacity_consistency.csv,
    capacity_accuracy.csv, one capacity_<group>.png per group and report.html, atomically."""
    plan = result.result
    with OutputFolder(out, protect=scenario.inputs(), force=force) as folder:
        folder.write_csv("capacity.csv", result.table)
        folder.write_csv("capacity_monthly.csv", monthly(result.table))
        folder.write_csv("capacity_classes.csv", result.classes)
        folder.write_csv("capacity_weekly.csv", result.weekly)
        folder.write_csv("capacity_consistency.csv", result.consistency)
        folder.write_csv("capacity_accuracy.csv", result.accuracy)
        images = [(folder.write_png(f"capacity_{g}.png", capacity_figure(result.table, group=g)), f"capacity of {g}")
                  for g in dict.fromkeys(result.table["group"])]
        totals = result.table.groupby("group").agg(required_fte=("required_fte", "mean"), planned_fte=("planned_fte", "mean"),
                                                   hires=("hires_starting", "sum"), overtime_fte_weeks=("overtime_fte", "sum"),
                                                   short_fte_weeks=("short_fte", "sum"), cost=("cost", "sum"),
                                                   max_p_short=("p_short", "max"),
                                                   buffered_cost=("buffered_cost", "sum")).reset_index()
        note = (f"Hiring MILP (HiGHS) solved in {plan.plan.solve_s:.2f} s with a MIP gap of {plan.plan.mip_gap:.1e}; "
                f"the buffered plan keeps P(short even with maximum overtime) <= alpha in the weeks hiring can reach "
                f"and costs {plan.extra_cost:,.0f} more. Required FTE of the weeks the interval plan covers are its own; "
                "later weeks come from the same staffing engine at the long-range forecast's volume.")
        sections = [("Long-range capacity plan", [note, totals, result.classes]), ("Required against planned FTE", images),
                    ("Long-range forecast backtest (weekly)", [result.accuracy]),
                    ("Engine against the interval plan", [result.consistency])]
        folder.write_text("report.html", report_html(title=f"Capacity: {scenario.name}", meta=str(scenario.config.path),
                                                     sections=sections))


def _week_of(local: pd.Series) -> pd.Series:
    day = local.dt.normalize()
    return (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).dt.date


def _table(models, weekly, week_dates, result: BufferedPlan, groups) -> pd.DataFrame:
    plan, buffered, risk = result.plan.weekly, result.buffered.weekly, result.risk
    frames = []
    for model in models:
        name = model.name
        channels = groups[name].get("channels", [name])
        part = weekly[weekly["channel"].isin(channels)].groupby("week_start")
        rows = plan[plan["group"] == name].reset_index(drop=True)
        b = buffered[buffered["group"] == name].reset_index(drop=True)
        r = risk[risk["group"] == name].reset_index(drop=True)
        classes = result.plan.classes[result.plan.classes["group"] == name]
        weeks = np.arange(len(week_dates))

        def by_week(column):
            return np.bincount(classes[column], weights=classes["hires"], minlength=len(weeks))[: len(weeks)]

        net = rows["planned_fte"] - rows["required_fte"]
        undertime = np.minimum(np.maximum(net, 0), model.supply.max_undertime * rows["planned_fte"])
        gap = rows["planned_fte"] + rows["overtime_fte"] - rows["required_fte"]
        frames.append(pd.DataFrame({
            "week_start": week_dates, "group": name,
            "offered": part["offered"].sum().reindex(week_dates).to_numpy(),
            "required_fte_net": part["fte"].sum().reindex(week_dates).to_numpy(),
            "required_fte": rows["required_fte"], "planned_fte": rows["planned_fte"], "paid_heads": rows["paid_heads"],
            "net_fte": net, "gap_fte": gap,
            "gap_percent": 100 * gap / rows["required_fte"].where(rows["required_fte"] > 0, np.nan),
            "hires_starting": by_week("start_week"), "hires_graduating": by_week("graduation_week"),
            "hires_ramp_complete": by_week("ramp_complete_week"), "overtime_fte": rows["overtime_fte"],
            "undertime_fte": undertime, "short_fte": rows["short_fte"], "cost": rows["cost"],
            "p_short": r["p_short"], "buffered_planned_fte": b["planned_fte"], "buffered_cost": b["cost"],
            "p_short_buffered": r["p_short_buffered"], "hiring_can_reach": r["reachable"]}))
    return pd.concat(frames, ignore_index=True)
