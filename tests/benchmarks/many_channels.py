"""A synthetic scenario with N channels, made from the sample history (for the report benchmarks).

Channel ``k`` is a copy of one of the four sample channels (phone, chat, email, social in turn)
with its volume scaled by ``0.5 + k / N`` and its settings taken from ``scenarios/base.toml``, so
a 32-channel scenario has eight of each kind. Events are left out (they name the sample channels).

    python tests/benchmarks/many_channels.py 32 /tmp/many32   # writes /tmp/many32/many-32.toml
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("phone", "chat", "email", "social")


def _inline(spec: dict) -> str:
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        return f'"{v}"' if isinstance(v, str) else repr(v)
    return "{ " + ", ".join(f"{k} = {value(v)}" for k, v in spec.items()) + " }"


def write_scenario(n_channels: int, folder: str | Path, *, days: int = 28) -> Path:
    """Write ``history.csv.gz`` and ``many-<n>.toml`` with ``n_channels`` channels into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    base = tomllib.loads((ROOT / "scenarios" / "base.toml").read_text())
    history = pd.read_csv(ROOT / "scenarios" / "data" / "history.csv.gz")
    parts, channels = [], {}
    for k in range(n_channels):
        source = KINDS[k % len(KINDS)]
        name = source if n_channels <= len(KINDS) else f"{source}_{k // len(KINDS) + 1:02d}"
        scale = 0.5 + k / max(n_channels, 1)
        part = history[history["channel"] == source].copy()
        part["channel"] = name
        for column in ("offered", "handled", "abandoned"):
            part[column] = np.round(part[column] * scale).astype(int)
        parts.append(part)
        channels[name] = base["channels"][source]
    pd.concat(parts, ignore_index=True).to_csv(folder / "history.csv.gz", index=False)
    lines = [f'name = "{n_channels} channels (synthetic)"', 'timezone = "Europe/London"', 'interval = "15min"',
             'history = "history.csv.gz"', 'holidays = "GB-ENG"',
             f"horizon = {{ start = 2026-07-06, days = {days} }}", f'model = "{ROOT / "models" / "default.toml"}"',
             "seed = 1", "", "[channels]"]
    lines += [f"{name} = {_inline(spec)}" for name, spec in channels.items()]
    path = folder / f"many-{n_channels}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


if __name__ == "__main__":
    print(write_scenario(int(sys.argv[1]), sys.argv[2]))
