"""Calibrate staffing inputs from a contact log: customer patience and chat concurrency.

Patience
    Erlang A assumes exponential patience with mean ``patience_s``. Every contact that waited is an
    observation: an abandon ends its patience at ``wait_s`` (an event), an answer only shows that
    patience exceeded the wait (right-censored). The maximum-likelihood estimate under censoring is
    ``patience_s = total wait of answered and abandoned contacts / abandons`` (Garnett, Mandelbaum &
    Reiman 2002, section 6; Brown et al. 2005, "Statistical analysis of a telephone call center",
    JASA 100, section 5). The abandons are then a Poisson count over that exposure, which gives an
    exact chi-square interval. The Kaplan-Meier median checks the exponential shape without
    assuming it.
Chat concurrency
    With each agent's chats in the log (``agent_id``), the time every agent spent holding exactly
    ``l`` chats and the chats that ended while their agent held ``l`` are counted. A chat's
    duration at level ``l`` then has the MLE ``l * agent_time_l / completions_l`` (exposure over
    events, as above), which is what :func:`planner.staffing.chat.aht_profile` needs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.schema import epoch_ns

__all__ = ["estimate_patience", "estimate_concurrency", "patience_survival", "poisson_mean_ci", "learn_settings"]


def poisson_mean_ci(exposure_s, events, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact interval for a mean time between events, ``exposure_s / events``, with Poisson events.

    The event rate's interval is ``[chi2(a/2, 2k) / 2E, chi2(1 - a/2, 2k + 2) / 2E]`` with
    ``a = 1 - level`` (Garwood 1936); the mean time is its reciprocal [s].

    >>> lo, hi = poisson_mean_ci(1000.0, 10)
    >>> round(float(lo), 1), round(float(hi), 1)
    (54.4, 208.5)
    """
    from scipy import stats  # loaded on first use: scipy.stats takes a second to import

    exposure, k = np.asarray(exposure_s, float), np.asarray(events, float)
    a = 1.0 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_lo = np.where(k > 0, stats.chi2.ppf(a / 2, 2 * k) / (2 * exposure), 0.0)
        rate_hi = stats.chi2.ppf(1 - a / 2, 2 * k + 2) / (2 * exposure)
        return 1.0 / rate_hi, np.where(rate_lo > 0, 1.0 / rate_lo, np.inf)


def _live(contacts: pd.DataFrame) -> pd.DataFrame:
    kind = contacts["kind"] if "kind" in contacts else pd.Series("voice", index=contacts.index)
    return contacts.loc[(kind != "deferred").to_numpy()]


def _observations(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Waits [s] of contacts that were answered or abandoned, and which were abandons."""
    abandoned = rows["abandoned"].to_numpy(bool)
    answered = ~abandoned & rows["answered_at"].notna().to_numpy()
    wait = rows["wait_s"].to_numpy(float)
    seen = (abandoned | answered) & ~np.isnan(wait)
    return wait[seen], abandoned[seen]


def patience_survival(wait_s, abandoned) -> pd.DataFrame:
    """Kaplan-Meier survival of patience: abandons are events, answers are censored at their wait.

    Returns ``time_s`` (the distinct abandon times [s]), ``at_risk``, ``abandons`` and ``survival``
    (just after each time). A censored wait equal to an abandon time counts as at risk.

    >>> patience_survival([10, 20, 20, 30], [True, False, True, True])["survival"].tolist()
    [0.75, 0.5, 0.0]
    """
    wait, event = np.asarray(wait_s, float), np.asarray(abandoned, bool)
    times, deaths = np.unique(wait[event], return_counts=True)
    at_risk = wait.size - np.searchsorted(np.sort(wait), times, side="left")
    survival = np.cumprod(1.0 - deaths / at_risk)
    return pd.DataFrame({"time_s": times, "at_risk": at_risk, "abandons": deaths, "survival": survival})


def estimate_patience(contacts: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Mean customer patience [s] per live channel, from waits of answered and abandoned contacts.

    Parameters
    ----------
    contacts : pandas.DataFrame
        From :func:`~planner.contacts.read_contacts` (live channels: voice and chat).
    level : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row per live channel: ``channel, contacts`` (answered or abandoned), ``abandons``,
        ``exposure_s`` (total wait [s]), ``patience_s = exposure_s / abandons`` [s] (the
        exponential MLE under censoring; inf without abandons), ``patience_lo_s``,
        ``patience_hi_s`` (exact Poisson interval, :func:`poisson_mean_ci`) and ``km_median_s``
        (Kaplan-Meier median [s]; NaN while survival stays above 1/2, as it does when most
        contacts are answered quickly).

    References
    ----------
    Brown, Gans, Mandelbaum et al. (2005), Statistical analysis of a telephone call center,
    JASA 100(469), section 5. Kaplan & Meier (1958), JASA 53(282).

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"channel": "phone", "kind": "voice", "abandoned": [False, True, False, True],
    ...     "answered_at": [pd.Timestamp(0), pd.NaT, pd.Timestamp(0), pd.NaT],
    ...     "wait_s": [10.0, 50.0, 30.0, 110.0]})
    >>> estimate_patience(log)[["abandons", "exposure_s", "patience_s"]].values.tolist()
    [[2.0, 200.0, 100.0]]
    """
    rows = []
    live = _live(contacts)
    for channel, group in live.groupby("channel", sort=True):
        wait, event = _observations(group)
        exposure, abandons = float(wait.sum()), int(event.sum())
        lo, hi = poisson_mean_ci(exposure, abandons, level)
        km = patience_survival(wait, event)
        below = km.loc[km["survival"] <= 0.5, "time_s"]
        rows.append({"channel": channel, "contacts": float(wait.size), "abandons": float(abandons),
                     "exposure_s": exposure, "patience_s": exposure / abandons if abandons else np.inf,
                     "patience_lo_s": float(lo), "patience_hi_s": float(hi),
                     "km_median_s": float(below.iloc[0]) if len(below) else np.nan})
    columns = ["channel", "contacts", "abandons", "exposure_s", "patience_s", "patience_lo_s", "patience_hi_s",
               "km_median_s"]
    out = pd.DataFrame(rows, columns=columns)
    out.attrs["level"] = level
    return out


def _levels(agent: np.ndarray, start_ns: np.ndarray, end_ns: np.ndarray):
    """Sweep each agent's chats: agent-time [s] at each level and completions at each level."""
    m = agent.size
    who = np.concatenate((agent, agent))
    when = np.concatenate((start_ns, end_ns))
    step = np.concatenate((np.ones(m, np.int64), -np.ones(m, np.int64)))
    order = np.lexsort((step, when, who))  # at equal times a chat ends before the next starts
    who, when, step = who[order], when[order], step[order]
    held = np.cumsum(step)  # each agent's chats all end, so the running sum restarts at 0 per agent
    top = int(held.max(initial=0))
    same = np.r_[who[1:] == who[:-1], False]
    span = np.where(same, np.r_[np.diff(when), 0] / 1e9, 0.0)
    agent_time = np.bincount(held, weights=span, minlength=top + 1)
    completions = np.bincount(held[step < 0] + 1, minlength=top + 1)
    return agent_time, completions


def _growth_mle(levels, chat_time, completions) -> tuple[float, float]:
    """MLE of (aht at 1 chat [s], growth) for duration_l = aht1 * (1 + growth * (l - 1))."""
    from scipy import optimize

    used = completions > 0
    if used.sum() < 2:
        return (float(chat_time[used].sum() / completions[used].sum()) if used.any() else np.nan), np.nan
    l, time, count = levels[used] - 1.0, chat_time[used], completions[used]

    def scale(g):
        return np.sum(time / (1 + g * l)) / count.sum()

    def loss(g):
        d = scale(g) * (1 + g * l)
        return float(np.sum(count * np.log(d) + time / d))

    low = -1.0 / l.max() + 1e-6
    best = optimize.minimize_scalar(loss, bounds=(low, 10.0), method="bounded", options={"xatol": 1e-9})
    return float(scale(best.x)), float(best.x)


def estimate_concurrency(contacts: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Observed chat concurrency and mean chat duration at each concurrency level, per chat channel.

    Parameters
    ----------
    contacts : pandas.DataFrame
        From :func:`~planner.contacts.read_contacts`; handled chats need ``agent_id``,
        ``answered_at`` and ``ended_at``.
    level : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per chat channel and level ``concurrency`` = l >= 1: ``agent_time_s`` (time agents
        held exactly l chats [s]), ``time_share`` (of the time holding at least one), ``completions``
        (chats that ended while their agent held l), ``aht_s = l * agent_time_s / completions`` (mean
        chat duration at level l [s], the MLE for durations that depend on the level) and its exact
        Poisson interval ``aht_lo_s, aht_hi_s``. ``attrs`` per channel: ``mean_concurrency``
        (time-weighted), ``aht_s_at_1`` [s] and ``aht_growth`` (MLE of ``aht_l = aht_1 * (1 +
        growth * (l - 1))``, the profile of :func:`planner.staffing.chat.aht_profile`) and
        ``aht_concurrency``, the mean level at which chats ended: the log's mean chat duration is
        ``aht_1 * (1 + growth * (aht_concurrency - 1))``, which is what ``Chat(aht_concurrency=...)``
        needs when the forecast's AHT comes from this log.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.Timestamp("2026-10-05 09:00", tz="UTC")
    >>> s = pd.Timedelta(seconds=1)
    >>> log = pd.DataFrame({"channel": "chat", "kind": "chat", "agent_id": "ann", "abandoned": False,
    ...     "answered_at": [t, t + 100 * s], "ended_at": [t + 300 * s, t + 200 * s]})
    >>> estimate_concurrency(log)[["concurrency", "agent_time_s", "completions", "aht_s"]].values.tolist()
    [[1.0, 200.0, 1.0, 200.0], [2.0, 100.0, 1.0, 200.0]]
    """
    kind = contacts["kind"] if "kind" in contacts else pd.Series("chat", index=contacts.index)
    chats = contacts.loc[(kind == "chat").to_numpy() & ~contacts["abandoned"].to_numpy(bool)
                         & contacts["answered_at"].notna().to_numpy()]
    rows, mean, aht1, growth, ended_at = [], {}, {}, {}, {}
    for channel, group in chats.groupby("channel", sort=True):
        if "agent_id" not in group or group["agent_id"].isna().all():
            raise InputError(f"contacts: channel {channel!r} has no agent_id; concurrency needs the agent of "
                             "every chat: add an agent_id column to the contact log")
        group = group.loc[group["agent_id"].notna() & group["ended_at"].notna()]
        agent = pd.factorize(group["agent_id"])[0]
        agent_time, completions = _levels(agent, epoch_ns(group["answered_at"]),
                                          epoch_ns(group["ended_at"]))
        levels = np.arange(agent_time.size, dtype=float)
        chat_time = levels * agent_time
        busy = agent_time[1:].sum()
        mean[channel] = float(chat_time.sum() / busy) if busy else np.nan
        ended_at[channel] = float((levels * completions).sum() / completions.sum()) if completions.sum() else np.nan
        aht1[channel], growth[channel] = _growth_mle(levels[1:], chat_time[1:], completions[1:].astype(float))
        lo, hi = poisson_mean_ci(chat_time[1:], completions[1:], level)
        with np.errstate(divide="ignore", invalid="ignore"):
            aht = np.where(completions[1:] > 0, chat_time[1:] / completions[1:], np.nan)
        rows.append(pd.DataFrame({"channel": channel, "concurrency": levels[1:], "agent_time_s": agent_time[1:],
                                  "time_share": agent_time[1:] / busy if busy else np.nan,
                                  "completions": completions[1:].astype(float), "aht_s": aht,
                                  "aht_lo_s": lo, "aht_hi_s": hi}))
    columns = ["channel", "concurrency", "agent_time_s", "time_share", "completions", "aht_s", "aht_lo_s", "aht_hi_s"]
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)
    out.attrs.update(level=level, mean_concurrency=mean, aht_s_at_1=aht1, aht_growth=growth, aht_concurrency=ended_at)
    return out


def learn_settings(contacts: pd.DataFrame | None, wanted: dict[str, set[str]]) -> pd.DataFrame:
    """Staffing settings learned from a contact log: ``patience_s`` [s] and chat ``aht_growth``.

    ``wanted`` maps channel -> the settings to learn. ``patience_s`` is :func:`estimate_patience`'s
    MLE with its interval (``inf``, i.e. Erlang C, when nobody abandoned); ``aht_growth`` the
    slowdown per extra chat of :func:`estimate_concurrency` (at least 0) and ``aht_concurrency``
    the mean level at which the log's chats ended (the concurrency behind its AHT). A setting
    that cannot be learned has value NaN and ``basis`` says why.

    Returns ``channel, setting, value, lo, hi, basis``.

    >>> import pandas as pd
    >>> log = pd.DataFrame({"channel": "phone", "kind": "voice", "abandoned": [False, True],
    ...     "answered_at": [pd.Timestamp(0), pd.NaT], "wait_s": [30.0, 90.0]})
    >>> learn_settings(log, {"phone": {"patience_s"}})[["setting", "value", "basis"]].values.tolist()
    [['patience_s', 120.0, '1 abandons over 0.0 h of waiting']]
    """
    rows = []
    wants = [key for keys in wanted.values() for key in keys]
    patience = estimate_patience(contacts) if "patience_s" in wants else None
    chat = estimate_concurrency(contacts) if {"aht_growth", "aht_concurrency"} & set(wants) else None
    for name, keys in wanted.items():
        if "patience_s" in keys:
            found = patience.loc[patience["channel"] == name]
            if found.empty:
                rows.append({"channel": name, "setting": "patience_s", "value": np.nan, "lo": np.nan, "hi": np.nan,
                             "basis": f"no live {name} contacts in the log to learn patience from"})
            else:
                row = found.iloc[0]
                rows.append({"channel": name, "setting": "patience_s", "value": row["patience_s"],
                             "lo": row["patience_lo_s"], "hi": row["patience_hi_s"],
                             "basis": f"{int(row['abandons'])} abandons over {row['exposure_s'] / 3600:.1f} h of waiting"})
        if "aht_growth" in keys:
            growth = chat.attrs["aht_growth"].get(name, np.nan)
            basis = (f"mean concurrency {chat.attrs['mean_concurrency'][name]:.2f}" if np.isfinite(growth) else
                     "no chats held at two or more concurrency levels (chats need agent_id, answered_at and ended_at)")
            rows.append({"channel": name, "setting": "aht_growth", "value": max(growth, 0.0) if np.isfinite(growth)
                         else np.nan, "lo": np.nan, "hi": np.nan, "basis": basis})
        if "aht_concurrency" in keys:
            ended = chat.attrs["aht_concurrency"].get(name, np.nan)
            basis = ("mean chats per agent when the log's chats ended" if np.isfinite(ended) else
                     "no handled chats with agent_id, answered_at and ended_at")
            rows.append({"channel": name, "setting": "aht_concurrency", "value": ended, "lo": np.nan, "hi": np.nan,
                         "basis": basis})
    return pd.DataFrame(rows, columns=["channel", "setting", "value", "lo", "hi", "basis"])
