"""Writing a run's outputs: all files appear together or not at all, and inputs are never touched.

Files are written into a hidden temporary folder beside the destination; only when every file is
written is the folder renamed into place (the previous output, if any, is replaced). A failed run
leaves the previous output as it was and no half-written folder.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from planner.errors import InputError

__all__ = ["OutputFolder", "check_destination", "MARKER", "figure_png", "write_csv_atomic"]

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


#: File in every folder planner writes, listing its files: only such a folder is ever replaced.
MARKER = ".planner-output"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _owned(folder: Path) -> list[str]:
    """Entries of ``folder`` planner did not write (empty for a planner output folder, or an empty folder)."""
    entries = sorted(p.name for p in folder.iterdir())
    if not entries:
        return []
    marker = folder / MARKER
    if marker.is_file():
        try:
            listed = set(json.loads(marker.read_text())["files"])
        except (ValueError, KeyError, TypeError):
            listed = set()
        return [name for name in entries if name not in listed and name != MARKER]
    if (folder / "manifest.json").is_file() and all((folder / n).is_file() for n in entries):
        return []  # an output of an earlier planner version (manifest, no marker yet)
    return entries


def _writable(folder: Path) -> bool:
    """Whether a file can be created in ``folder`` (tried, not guessed: root ignores permission bits)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def check_destination(path: str | Path, *, protect: list[Path] = (), force: bool = False) -> Path:
    """Check that ``path`` can receive an output folder, before any work is done; returns it.

    Refuses: an input inside it; a file in its place or above it; a parent that cannot be written;
    an existing folder holding files planner did not write (unless ``force``), so ``--out`` never
    destroys a user's folder. Raises :class:`~planner.errors.InputError` naming ``--out``.
    """
    path = Path(path)
    resolved = path.resolve()
    for source in protect:
        source = Path(source).resolve()
        if source == resolved or resolved in source.parents:
            raise InputError(f"--out {path}: would overwrite the input {source}; choose another folder")
    above = next((p for p in [resolved, *resolved.parents] if p.exists()), None)
    if above is not None and not above.is_dir():
        where = "is a file" if above == resolved else f"lies under {above}, which is a file"
        raise InputError(f"--out {path}: {where}, not a folder; choose a folder path")
    parent = resolved.parent if resolved.is_dir() else above
    if parent is not None and not _writable(parent):
        raise InputError(f"--out {path}: cannot write there: {parent} is not writable; choose a folder you can write to")
    if resolved.is_dir():
        foreign = _owned(resolved)
        if foreign and not force:
            shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise InputError(f"--out {path}: the folder holds files planner did not write ({shown}); choose a new "
                             "or empty folder, or add --force to replace it with everything in it")
    return path


class OutputFolder:
    """Context manager collecting a run's files and publishing them atomically to ``path``.

    The files go to a hidden staging folder beside ``path`` and replace it in one rename when all
    are written; on any error (or Ctrl-C / SIGTERM, which the command line turns into one) the
    staging folder is removed and ``path`` is left as it was. Only an empty folder or one planner
    wrote is replaced (see :func:`check_destination`; ``force`` overrides). A lock beside the folder
    stops two runs from writing it at once; staging folders of killed runs are removed by the next.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out" / "base"
    >>> with OutputFolder(target, protect=[]) as out:
    ...     out.write_text("hello.txt", "hi")
    >>> (target / "hello.txt").read_text()
    'hi'
    """

    def __init__(self, path: str | Path, *, protect: list[Path], force: bool = False):
        self.path = check_destination(path, protect=protect, force=force)
        self.force = force
        self.files: list[str] = []
        self._lock: Path | None = None

    def _claim(self) -> None:
        """Take the folder's lock (a file beside it holding this process id); a dead owner's lock is stale."""
        lock = self.path.parent / f".{self.path.name}.planner-lock"
        for _ in range(2):
            try:
                handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    owner = int(lock.read_text().strip() or 0)
                except (OSError, ValueError):
                    owner = 0
                if owner == os.getpid():
                    return  # this process holds it already (an outer claim)
                if owner and _alive(owner):
                    raise InputError(f"--out {self.path}: another planner run (process {owner}) is writing this "
                                     "folder; wait for it to finish or choose another --out") from None
                lock.unlink(missing_ok=True)  # a killed run's lock
                continue
            self._lock = lock  # ours from here: an interrupt while writing the id still removes it
            with os.fdopen(handle, "w") as stream:
                stream.write(str(os.getpid()))
            return

    def _sweep(self) -> None:
        """Remove staging and old folders that killed runs left beside ``path``."""
        prefix = f".{self.path.name}.planner-"
        for entry in self.path.parent.glob(f"{prefix}*"):
            kind, _, rest = entry.name[len(prefix):].partition("-")
            pid = rest.split("-")[0]
            if kind in ("staging", "old") and entry.is_dir() and pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(entry, ignore_errors=True)

    @classmethod
    @contextlib.contextmanager
    def claim(cls, path: str | Path, *, protect: list[Path] = (), force: bool = False):
        """Check ``path`` and hold its lock for a whole command, before the work starts (a later
        :class:`OutputFolder` on the same path in this process shares the lock)."""
        folder = cls(path, protect=protect, force=force)
        created = [p for p in [folder.path.parent, *folder.path.parent.parents] if not p.exists()]
        folder.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            folder._claim()
            folder._sweep()
            yield folder.path
        except BaseException:
            if folder._lock is not None:
                folder._lock.unlink(missing_ok=True)
            for made in created:  # a failed command leaves no folder behind
                with contextlib.suppress(OSError):
                    made.rmdir()
            raise
        if folder._lock is not None:
            folder._lock.unlink(missing_ok=True)

    def __enter__(self) -> "OutputFolder":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._claim()
        self._sweep()
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.planner-staging-{os.getpid()}-",
                                             dir=self.path.parent))
        return self

    def __exit__(self, kind, value, traceback) -> None:
        try:
            if kind is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
                return
            (self.staging / MARKER).write_text(json.dumps({"files": sorted(self.files)}) + "\n")
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.staging, 0o777 & ~umask)  # mkdtemp makes 0700: publish like any new folder
            check_destination(self.path, force=self.force)  # nothing foreign appeared meanwhile
            old = None
            if self.path.exists():
                old = self.path.with_name(f".{self.path.name}.planner-old-{os.getpid()}")
                os.replace(self.path, old)
            os.replace(self.staging, self.path)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        finally:
            if kind is not None or not self.staging.exists():
                shutil.rmtree(self.staging, ignore_errors=True)
            if self._lock is not None:
                self._lock.unlink(missing_ok=True)

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
        """A formatted workbook, one sheet per table in order (:func:`planner.report.workbook.write_workbook`)."""
        from planner.report.workbook import write_workbook

        write_workbook(self._target(name), tables)
