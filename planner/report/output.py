"""Writing a run's outputs: all files appear together or not at all, and inputs are never touched.

Files are written into a hidden temporary folder beside the destination; only when every file is
written is the folder renamed into place (the previous output, if any, is replaced). A failed run
leaves the previous output as it was and no half-written folder.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from planner.errors import InputError

__all__ = ["OutputFolder", "figure_png", "write_csv_atomic"]

#: How every CSV output is written (10 significant digits: reruns are byte-identical).
CSV_OPTIONS = {"index": False, "float_format": "%.10g"}


def figure_png(figure: Figure, *, dpi: int = 110) -> bytes:
    """PNG bytes of a figure (deterministic: no timestamp metadata)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def write_csv_atomic(frame: pd.DataFrame, path: str | Path, *, protect: list[Path]) -> Path:
    """Write one CSV file atomically (temporary file, then rename); never over an input."""
    path = Path(path)
    if any(path.resolve() == Path(p).resolve() for p in protect):
        raise InputError(f"--out {path}: would overwrite an input; choose another file")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "w") as stream:
            frame.to_csv(stream, **CSV_OPTIONS)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


class OutputFolder:
    """Context manager collecting a run's files and publishing them atomically to ``path``.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out" / "base"
    >>> with OutputFolder(target, protect=[]) as out:
    ...     out.write_text("hello.txt", "hi")
    >>> (target / "hello.txt").read_text()
    'hi'
    """

    def __init__(self, path: str | Path, *, protect: list[Path]):
        self.path = Path(path)
        resolved = self.path.resolve()
        for source in protect:
            source = Path(source).resolve()
            if source == resolved or resolved in source.parents:
                raise InputError(f"--out {path}: would overwrite the input {source}; choose another folder")
        self.files: list[str] = []

    def __enter__(self) -> "OutputFolder":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.path.name}-", dir=self.path.parent))
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            return
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.staging, 0o777 & ~umask)  # mkdtemp makes 0700: publish like any new folder
        old = None
        if self.path.exists():
            old = self.path.with_name(f".{self.path.name}-old-{os.getpid()}")
            os.replace(self.path, old)
        os.replace(self.staging, self.path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def _target(self, name: str) -> Path:
        self.files.append(name)
        return self.staging / name

    def write_text(self, name: str, text: str) -> None:
        self._target(name).write_text(text)

    def write_bytes(self, name: str, data: bytes) -> None:
        self._target(name).write_bytes(data)

    def write_csv(self, name: str, frame: pd.DataFrame) -> None:
        frame.to_csv(self._target(name), **CSV_OPTIONS)

    def write_json(self, name: str, data: dict) -> None:
        self.write_text(name, json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")

    def write_png(self, name: str, figure: Figure) -> bytes:
        data = figure_png(figure)
        self.write_bytes(name, data)
        return data

    def write_xlsx(self, name: str, tables: dict[str, pd.DataFrame]) -> None:
        with pd.ExcelWriter(self._target(name), engine="openpyxl") as writer:
            for sheet, frame in tables.items():
                frame = frame.copy()
                for column in frame.columns:
                    if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
                        frame[column] = frame[column].dt.tz_localize(None)  # Excel has no time zones
                frame.to_excel(writer, sheet_name=sheet[:31], index=False)
