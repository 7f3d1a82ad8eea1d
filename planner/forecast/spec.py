"""Named forecast specs (``models/NAME.toml``) and the registry of methods they name.

A spec file holds no fitted state (docs/design.md section 6), only the method and its hyperparameters::

    description = "Daily level x weekday profile"
    method = "daily_profile"          # a key of METHODS
    [params]                          # the method's constructor arguments
    profile_half_life_weeks = 8
    [aht]                             # AhtProfile arguments
    half_life_weeks = 8
    [backtest]                        # defaults for backtest()
    horizon = "1D"
    n_windows = 30

Unknown keys are errors with a did-you-mean, pointing into the file:
``models/x.toml: params.profile_halflife_weeks: unknown key (did you mean 'profile_half_life_weeks'?)``.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from planner.errors import InputError, SpecError
from planner.forecast.aht import AhtProfile
from planner.forecast.baselines import SeasonalNaive, WeekAverage
from planner.forecast.combination import Combination
from planner.forecast.daily_profile import DailyProfile
from planner.schema import did_you_mean

__all__ = ["METHODS", "ModelSpec", "load_spec", "resolve_spec", "MODELS_DIR", "available_specs"]

#: Registered forecast methods: name -> model class (hyperparameters are its keyword arguments).
METHODS = {
    "seasonal_naive": SeasonalNaive,
    "week_average": WeekAverage,
    "daily_profile": DailyProfile,
    "combination": Combination,
}

#: The project's ``models/`` folder (beside the package in a source checkout).
MODELS_DIR = Path(__file__).resolve().parents[2] / "models"

_TOP_KEYS = {"description", "method", "params", "aht", "backtest", "max_gap_days"}
_BACKTEST_KEYS = {"horizon", "n_windows", "step"}


def _fields(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls) if f.init}


@dataclass(frozen=True)
class ModelSpec:
    """A named forecast spec: the method, its hyperparameters, AHT settings and backtest defaults.

    Examples
    --------
    >>> spec = ModelSpec("naive", "seasonal_naive")
    >>> type(spec.build()).__name__
    'SeasonalNaive'
    """

    name: str
    method: str
    params: dict = field(default_factory=dict)
    aht: dict = field(default_factory=dict)
    backtest: dict = field(default_factory=dict)
    description: str = ""
    #: Days between the end of the history and the horizon the model bridges honestly [days]:
    #: beyond it :func:`planner.forecast.forecast` warns (the methods here have no trend or annual season).
    max_gap_days: int = 28
    path: Path | None = None

    def __post_init__(self):
        where = f"{self.path}: " if self.path else ""
        if self.method not in METHODS:
            raise SpecError(f"{where}method: unknown method {self.method!r}{did_you_mean(self.method, METHODS)}")
        for table, cls in (("params", METHODS[self.method]), ("aht", AhtProfile)):
            allowed = _fields(cls)
            for key in getattr(self, table):
                if key not in allowed:
                    raise SpecError(f"{where}{table}.{key}: unknown key{did_you_mean(key, allowed)}")
            try:
                self._build(table)
            except InputError as error:
                message = str(error).split(": ", 1)
                key = message[0].removeprefix("aht.")
                raise SpecError(f"{where}{table}.{key}: {message[-1]}") from None
        for key in self.backtest:
            if key not in _BACKTEST_KEYS:
                raise SpecError(f"{where}backtest.{key}: unknown key{did_you_mean(key, _BACKTEST_KEYS)}")

    def _build(self, table: str):
        if table == "aht":
            return AhtProfile(**self.aht)
        return METHODS[self.method](**self.params)

    def build(self):
        """The model object (hyperparameters set, no data)."""
        return self._build("params")

    def build_aht(self) -> AhtProfile:
        """The AHT profile model of this spec."""
        return self._build("aht")


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_spec(path) -> ModelSpec:
    """Read a ``models/NAME.toml`` spec with stdlib ``tomllib``; errors read ``file: key: message``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "quick.toml"
    >>> _ = file.write_text('method = "week_average"\\n[params]\\nweeks = 6\\n')
    >>> load_spec(file).build()
    WeekAverage(weeks=6)
    """
    path = Path(path)
    shown = _shown(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise SpecError(f"{shown}: file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{shown}: not valid TOML: {error}") from None
    for key in data:
        if key not in _TOP_KEYS:
            raise SpecError(f"{shown}: {key}: unknown key{did_you_mean(key, _TOP_KEYS)}")
    if "method" not in data:
        raise SpecError(f"{shown}: method: missing; name one of {', '.join(METHODS)}")
    for key in ("params", "aht", "backtest"):
        if not isinstance(data.get(key, {}), dict):
            raise SpecError(f"{shown}: {key}: expected a table such as [{key}]")
    if not isinstance(data["method"], str):
        raise SpecError(f"{shown}: method: expected text such as \"daily_profile\", got {data['method']!r}")
    gap = data.get("max_gap_days", 28)
    if isinstance(gap, bool) or not isinstance(gap, int) or gap < 0:
        raise SpecError(f"{shown}: max_gap_days: expected a whole number of days >= 0, got {gap!r}")
    return ModelSpec(name=path.stem, method=data["method"], params=dict(data.get("params", {})),
                     aht=dict(data.get("aht", {})), backtest=dict(data.get("backtest", {})),
                     description=str(data.get("description", "")), path=Path(shown), max_gap_days=gap)


def available_specs(models_dir=None) -> list[str]:
    """Names of the specs in ``models_dir`` (default :data:`MODELS_DIR`) and of the bare methods."""
    folder = Path(models_dir) if models_dir is not None else MODELS_DIR
    files = sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []
    return files + [m for m in METHODS if m not in files]


def resolve_spec(model, *, models_dir=None) -> ModelSpec:
    """Turn ``model`` into a :class:`ModelSpec`.

    ``model`` is a :class:`ModelSpec`, a path to a ``.toml`` file, the name of a spec in
    ``models_dir`` (default :data:`MODELS_DIR`), or the name of a registered method (its defaults).

    >>> resolve_spec("week_average").method
    'week_average'
    """
    if isinstance(model, ModelSpec):
        return model
    if isinstance(model, Path) or (isinstance(model, str) and model.endswith(".toml")):
        return load_spec(model)
    if not isinstance(model, str):
        raise InputError(f"model: expected a spec name such as 'default', a .toml path or a ModelSpec, got {model!r}")
    folder = Path(models_dir) if models_dir is not None else MODELS_DIR
    if (folder / f"{model}.toml").is_file():
        return load_spec(folder / f"{model}.toml")
    if model in METHODS:
        return ModelSpec(name=model, method=model)
    names = available_specs(models_dir)
    raise InputError(f"model: unknown model {model!r}{did_you_mean(model, names)}; specs live in {folder}")
