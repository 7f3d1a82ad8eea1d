"""Discrete-event simulation of a staffing plan: what the agents of each interval really deliver.

The analytic models staff each interval as if it were stationary and alone; the simulator plays
the plan contact by contact, carrying queues, chats in progress and backlog across intervals,
and reports per interval and per channel the service level, abandonment, ASA, occupancy (chat:
mean concurrency; deferred: share answered within the deadline and backlog), each with a Student-t
confidence interval over independent replications.

Input: the plan frame, one row per interval x channel (closed intervals absent): ``interval_start``
(tz-aware), ``channel``, ``kind`` (``voice``, ``chat``, ``deferred``), ``offered`` (expected
arrivals in the interval), ``aht_s`` [s], ``agents`` (net, whole); ``threshold_s`` [s] for voice
and chat; ``patience_s`` [s] (empty or ``inf``: nobody abandons); ``concurrency`` (chat; 1 or empty
otherwise), ``aht_growth`` (chat, default 0) and ``aht_concurrency`` (chat, default 1: the
chats per agent at which ``aht_s`` was measured; see :class:`planner.Chat`); ``deadline_s`` [s] and ``business_hours``
(deferred, default false). Parameters may change from interval to interval except ``kind``,
``concurrency`` and ``business_hours``. The interval length is ``interval_s`` if given, else the
most common spacing of a channel's intervals among 5, 15, 30 and 60 minutes (900 s when every
channel has one interval). :func:`read_plan` reads it from CSV; ``planner simulate`` runs it.

Model (times in seconds from the plan's first interval; exact, not approximated):

* **Arrivals**: Poisson, ``offered`` contacts expected per interval, uniform within it; closed
  intervals (absent rows) have none. Handle time of voice and deferred contacts: exponential
  (or lognormal, ``handle="lognormal"`` with coefficient of variation ``cv``) with the mean
  ``aht_s`` of the interval the contact arrived in. Patience: exponential with mean
  ``patience_s`` of the arrival interval (``inf`` or empty: never abandons).
* **Staffing** changes at interval boundaries to the interval's ``agents``; it is 0 in closed gaps
  and, after a channel's last interval, it stays as it was until everyone who arrived is served
  (or has abandoned): the plan's last agents finish the day's work. An agent leaving finishes the
  contact (the chats) in hand and takes no new one; occupancy counts that overrun as available and
  busy time, so it never exceeds 1.
* **voice**: FCFS queue in front of ``agents`` agents. Service level of an interval = share of the
  contacts *arriving* in it answered within ``threshold_s`` (abandoned and never-answered ones
  count as not answered); ``abandon_rate`` = share abandoned; ``asa_s`` = mean wait of the
  answered ones; ``occupancy`` = busy agent-time / available agent-time in the interval.
* **chat**: each agent holds up to ``concurrency`` chats; a new chat goes to the least-loaded
  agent and stays there (no transfers); chats wait FCFS when every slot is busy. While its agent
  holds j chats, a chat ends at rate ``1 / (aht_1 (1 + aht_growth (j - 1)))`` with the ``aht_1 =
  aht_s / (1 + aht_growth (aht_concurrency - 1))`` of the current interval; memoryless, so a chat in progress speeds up or slows down exactly when
  its agent's load (or the interval) changes. When staff falls, the least-loaded agents leave
  first (idle ones at once); when it rises, agents still finishing are kept on first. Chat
  durations are always exponential. ``occupancy`` = busy slot-time / available slot-time (an
  agent leaving counts only the chats it still holds); ``concurrency`` = mean chats held by
  agents holding at least one (busy slot-time / time agents hold a chat; not ``erlang_chat``'s
  ``concurrency_mean``, which is k x occupancy). Service level, abandonment and ASA as for voice.
* **deferred**: FCFS backlog (oldest first), one item per agent at a time, no abandonment. An item
  is answered when its handling completes; ``within_deadline`` = share of the items arriving in
  an interval answered within ``deadline_s`` (with ``business_hours``, the deadline clock runs only
  during the channel's intervals, and during the final drain), of those whose deadline falls by
  the end of the plan: the others are *not yet due* (``not_yet_due``), neither on time nor late;
  ``backlog`` = items arrived and not yet answered (waiting or in hand) at the interval end. A
  plan's ``opening_backlog`` (items from before the plan falling due in each interval) is first
  in line at the start, and counts in the channel's share.
* **segments, blends, campaigns** (plan rows with ``segment`` and ``priority``; outbound rows,
  ``kind = "outbound"``, with ``blend`` naming a voice channel; see :mod:`planner.simulate.pool`):
  the segments of a channel are priority classes of one queue in front of its agents
  (non-preemptive, FCFS within a segment, each with its own arrivals, patience and threshold);
  a blended campaign's outbound calls fill the voice agents under the idle-agent threshold rule
  (``idle_threshold`` of the voice rows, calls of mean ``outbound_aht_s``); a predictive campaign
  on its own drops live connects that find no free agent (``abandon_rate``), a preview or
  progressive one is dial work (``handled``, ``backlog``). Results get a ``segment`` column and,
  for blended campaigns, ``outbound_agents`` (mean agents on outbound calls).
* **Replications** use independent child generators (``rng.spawn``); a metric is computed per
  replication (per interval, or pooled over every contact of the plan for the per-channel row) and
  its mean and Student-t interval are taken over replications. ``warmup_s`` runs each channel's
  first-interval conditions that long before it and discards those contacts, for steady-state
  comparisons with the Erlang formulas.

Checked against (``tests/test_simulate.py``): Erlang C, Erlang A, Erlang A on ``N k`` slots (chat
without slowdown), the M/M/N sojourn time (deferred), the exact chain of least-loaded routing, the
balanced chain of :mod:`planner.staffing.chat`, and a literal chat simulation with one clock per
chat through staffing changes; and the priority formulas, the blend chain and Erlang B drops
(``tests/test_priority.py``, ``tests/test_blend.py``, ``tests/test_outbound.py``).

Each channel of each replication is one pure function call (:func:`run_channel`) of a checked
plan record and a generator, so the work maps over a process pool when needed.
:func:`contact_log` plays a plan once and returns every contact, as a contact-log export.

Example: a steady phone queue agrees with Erlang C within the simulation's interval.

>>> import numpy as np, pandas as pd
>>> import planner as pl
>>> starts = pd.date_range("2026-07-06 09:00", periods=8, freq="15min", tz="Europe/London")
>>> plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice",
...                      "offered": 40.0, "aht_s": 180.0, "agents": 10, "threshold_s": 20.0})
>>> result = pl.simulate(plan, rng=np.random.default_rng(7), replications=10, warmup_s=3600)
>>> row = result.channels.iloc[0]
>>> erlang_c = float(pl.erlang.service_level(10, 40 * 180 / 900, 180.0, 20.0))
>>> round(erlang_c, 3), bool(row.service_level_lo <= erlang_c <= row.service_level_hi)
(0.672, True)
"""

import sys as _sys
import types as _types

from planner.simulate.channel import run_channel
from planner.simulate.frame import read_plan
from planner.simulate.log import contact_log
from planner.simulate.simulation import HANDLES, SimulationResult, simulate

__all__ = ["simulate", "SimulationResult", "read_plan", "run_channel", "HANDLES", "contact_log"]


class _CallablePackage(_types.ModuleType):
    """``planner.simulate`` is both this package and its main function: calling the package calls
    :func:`simulate` (Python binds ``planner.simulate`` to the package once it is imported)."""

    def __call__(self, *args, **kwargs):
        return simulate(*args, **kwargs)


_sys.modules[__name__].__class__ = _CallablePackage
