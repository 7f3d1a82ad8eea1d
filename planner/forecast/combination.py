"""The default model: the mean of two daily-level models, or one of them when a holdout says so.

Members: :class:`~planner.forecast.daily_profile.DailyProfile` (log daily level x weekday profile)
and :class:`~planner.forecast.svd_ar.SvdAr` (Shen & Huang's SVD of the days x intervals matrix).
Forecast combinations are hard to beat (Bates & Granger 1969, Operational Research Quarterly 20:
451-468; Makridakis, Spiliotis & Assimakopoulos 2020, Int. J. Forecasting 36: 54-74): the
equal-weight mean is the choice, unless a holdout of the channel's own last ``holdout_days``
observed days shows it more than ``switch_margin`` worse than one member (then that member
serves the channel alone). Intervals are gamma-Poisson around the chosen mean with the daily
level's and the intraday shares' dispersion (:func:`planner.forecast.intervals.combined_dispersion`),
whose gamma shape of the rate (``rate_shape``) and day-level variance (``day_log_var``) the
prediction carries for staffing to the uncertainty.

The choice and its holdout errors are the fitted model's :attr:`FittedCombination.card`, which
``planner backtest`` prints so a planner can trust or override it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from planner.errors import InputError
from planner.forecast.daily_profile import DailyProfile
from planner.forecast.intervals import combined_dispersion, negative_binomial_interval, rate_shape
from planner.forecast.protocol import Panel, Prediction, check_levels
from planner.forecast.svd_ar import SvdAr

__all__ = ["Combination", "FittedCombination"]

MEMBERS = ("daily_profile", "svd_ar")


@dataclass(frozen=True, eq=False)
class FittedCombination:
    """:class:`Combination` fitted to one channel.

    ``card`` says what serves the channel: ``{"chosen": "mean" | "daily_profile" | "svd_ar",
    "holdout_mae": {name: contacts per interval}, "reason": text}``.
    """

    daily: object
    svd: object | None
    chosen: str
    card: dict = field(default_factory=dict)
    level_var_scale: float = 1.0

    def predict(self, h: int, *, events: np.ndarray | None = None, level=0.8) -> Prediction:
        """Forecast the next ``h`` open days (see :class:`~planner.forecast.protocol.FittedModel`)."""
        levels = check_levels(level)
        base = self.daily.predict(h, events=events, level=levels)
        if self.chosen == "daily_profile":
            return base
        _, svd_mean = self.svd.mean(h, events)
        mean = svd_mean if self.chosen == "svd_ar" else 0.5 * (base.mean + svd_mean)
        _, _, z_var = self.daily.level(h, events)
        day_log_var = self.level_var_scale * z_var
        c = combined_dispersion(day_log_var, self.daily.dispersion)[:, None]
        lo, hi = {}, {}
        for value in levels:
            lo[value], hi[value] = negative_binomial_interval(mean, c, value)
        return Prediction(dates=base.dates, mean=mean, lo=lo, hi=hi,
                          rate_shape=np.broadcast_to(rate_shape(c), mean.shape), day_log_var=day_log_var)


def _holdout(daily_model: DailyProfile, svd_model: SvdAr, panel: Panel, cut: int) -> dict:
    """MAE [contacts per interval] of each member and of their mean on the panel's rows from ``cut`` on."""
    train = Panel(panel.y[:cut], panel.dates[:cut], panel.open, panel.interval_s, panel.events[:, :cut], panel.kinds)
    h = len(panel.dates) - cut
    events = panel.events[:, cut:]
    means = {"daily_profile": daily_model.fit(train).predict(h, events=events).mean,
             "svd_ar": svd_model.fit(train).mean(h, events)[1]}
    means["mean"] = 0.5 * (means["daily_profile"] + means["svd_ar"])
    actual = panel.y[cut:]
    use = panel.open[panel.weekday[cut:]] & np.isfinite(actual)
    return {name: float(np.abs(mean - actual)[use].mean()) for name, mean in means.items()}


@dataclass(frozen=True)
class Combination:
    """Mean of :class:`DailyProfile` and :class:`SvdAr`, or one of them when the holdout says so.

    Parameters
    ----------
    daily : dict
        Keyword arguments of :class:`~planner.forecast.daily_profile.DailyProfile`.
    svd : dict
        Keyword arguments of :class:`~planner.forecast.svd_ar.SvdAr`.
    holdout_days : int
        Last observed days held out to check the choice [days], >= 1.
    switch_margin : float
        A member replaces the mean when the mean's holdout error exceeds the member's by more than
        this fraction [-], >= 0.
    level_var_scale : float
        Variance of the log daily level behind the intervals and the rate distribution of the mean
        (or of the SVD member), as a multiple of the daily-profile member's predictive variance
        [-], > 0. ``models/default.toml`` sets it to what the model's own day-ahead errors on
        the benchmark's days before the test days show
        (``tests/benchmarks/calibrate_day_variance.py``).

    Examples
    --------
    >>> dates = np.arange(np.datetime64("2026-05-04"), np.datetime64("2026-07-06"))
    >>> y = np.tile([10.0, 30.0], (63, 1)) * (1 + (np.arange(63) % 7 == 0))[:, None]
    >>> fitted = Combination().fit(Panel(y, dates, np.ones((7, 2), bool), 43200.0))
    >>> fitted.predict(2).mean.round(6).tolist(), fitted.card["chosen"]
    ([[20.0, 60.0], [10.0, 30.0]], 'mean')
    """

    daily: dict = field(default_factory=dict)
    svd: dict = field(default_factory=dict)
    holdout_days: int = 10
    switch_margin: float = 0.05
    level_var_scale: float = 1.0

    #: Observed days the model needs: one (then the daily-profile member serves alone).
    MIN_DAYS = DailyProfile.MIN_DAYS
    #: Observed days for the SVD member, and for the holdout check on top of it.
    MIN_DAYS_MEAN = SvdAr.MIN_DAYS

    def __post_init__(self):
        for name in ("daily", "svd"):
            if not isinstance(getattr(self, name), dict):
                raise InputError(f"{name}: expected a table of settings, got {getattr(self, name)!r}")
        if isinstance(self.holdout_days, bool) or not isinstance(self.holdout_days, int) or self.holdout_days < 1:
            raise InputError(f"holdout_days: expected a whole number of days >= 1, got {self.holdout_days!r}")
        margin = self.switch_margin
        if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not margin >= 0:
            raise InputError(f"switch_margin: expected a fraction >= 0, got {margin!r}")
        scale = self.level_var_scale
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale < np.inf:
            raise InputError(f"level_var_scale: expected a number > 0 (a multiple of the daily level's "
                             f"variance), got {scale!r}")
        self._members()

    def _members(self) -> tuple[DailyProfile, SvdAr]:
        try:
            return DailyProfile(**self.daily), SvdAr(**self.svd)
        except TypeError as error:
            raise InputError(f"daily/svd: {error}") from None

    def fit(self, panel: Panel) -> FittedCombination:
        """Fit both members to one channel and choose between the mean and a member."""
        daily_model, svd_model = self._members()
        daily = daily_model.fit(panel)
        seen = np.flatnonzero(np.isfinite(np.where(panel.day_mask(), panel.y, 0.0)).all(axis=1)
                              & (np.nansum(panel.y, axis=1) > 0))
        if len(seen) < svd_model.MIN_DAYS:
            return FittedCombination(daily, None, "daily_profile", {
                "chosen": "daily_profile", "holdout_mae": {},
                "reason": f"{len(seen)} observed days; the SVD member needs {svd_model.MIN_DAYS}"})
        svd = svd_model.fit(panel)
        if len(seen) < svd_model.MIN_DAYS + self.holdout_days:
            return FittedCombination(daily, svd, "mean", {
                "chosen": "mean", "holdout_mae": {},
                "reason": f"{len(seen)} observed days: too few for a {self.holdout_days}-day holdout; the mean"},
                self.level_var_scale)
        cut = int(seen[-self.holdout_days])
        scores = _holdout(daily_model, svd_model, panel, cut)
        best = min(MEMBERS, key=lambda name: scores[name])
        chosen = best if scores["mean"] > (1.0 + self.switch_margin) * scores[best] + 1e-9 else "mean"
        reason = (f"holdout MAE of the mean {scores['mean']:.3g} is within {self.switch_margin:.0%} of the best member"
                  if chosen == "mean" else
                  f"holdout MAE of {best} {scores[best]:.3g} beats the mean's {scores['mean']:.3g} by more than "
                  f"{self.switch_margin:.0%}")
        return FittedCombination(daily, svd, chosen, {"chosen": chosen, "holdout_mae": scores, "reason": reason},
                                 self.level_var_scale)

