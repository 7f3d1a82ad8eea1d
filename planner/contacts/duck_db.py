"""The DuckDB connection behind :mod:`planner.contacts.duck`: a memory limit, a private spill folder, clear errors.

DuckDB is an optional extra (``pip install 'planner[big]'``); docs/design.md section 9.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager

from planner.errors import InputError, PlannerError

__all__ = ["connect", "MEMORY_ENV"]


def _duckdb():
    try:
        import duckdb
    except ImportError:
        raise InputError("--engine duckdb: DuckDB is not installed; pip install 'planner[big]'") from None
    return duckdb


#: Environment variable that replaces the default ``memory_limit`` of 4GB (e.g. ``8GB``).
MEMORY_ENV = "PLANNER_DUCKDB_MEMORY"


@contextmanager
def connect(*, memory_limit: str = "4GB", threads: int | None = None, tz: str = "UTC"):
    """An in-memory DuckDB connection that spills to a private temporary folder (removed after).

    ``memory_limit`` is DuckDB's (its buffer pool; the process holds a few hundred MB more). When
    it is left at the default 4GB, ``PLANNER_DUCKDB_MEMORY`` replaces it. Running out of memory
    is one :class:`PlannerError` that says how to give DuckDB more.
    """
    duckdb = _duckdb()
    if memory_limit == "4GB":
        memory_limit = os.environ.get(MEMORY_ENV, "").strip() or memory_limit
    spill = tempfile.mkdtemp(prefix="planner-duckdb-")
    config = {"memory_limit": memory_limit, "temp_directory": spill, "preserve_insertion_order": True}
    if threads:
        config["threads"] = int(threads)
    con = duckdb.connect(config=config)
    try:
        con.execute(f"SET TimeZone = '{tz}'")
        con.execute("SET enable_progress_bar = false")  # stderr is for one Error: line
        yield con
    except duckdb.OutOfMemoryException:
        raise PlannerError(f"DuckDB ran out of memory under its limit of {memory_limit}: set {MEMORY_ENV} "
                           f"higher (e.g. {MEMORY_ENV}=8GB) on a machine that has it, or run with fewer "
                           f"threads") from None
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
