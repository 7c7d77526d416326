"""Where the database lives and how to open it.

Only one process may hold a DuckDB file read-write, and a command-line load must be able to
write while the app is running. So every caller opens the file for a short unit of work and
closes it; `connect` waits, with back-off, while another process holds the lock.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_DIR / "data" / "finance.duckdb"
LOCK_WAIT_SECONDS = 30.0


class DatabaseBusy(RuntimeError):
    """Another process held the database for longer than we were willing to wait."""


class DatabaseMissing(RuntimeError):
    """The database file has not been built yet."""


def database_path() -> Path:
    """The configured database: $FINANCE_DB if set, else data/finance.duckdb."""
    configured = os.environ.get("FINANCE_DB")
    return Path(configured) if configured else DEFAULT_DB


def _is_lock_error(error: duckdb.Error) -> bool:
    text = str(error)
    return "lock" in text.lower() or "Conflicting lock" in text


@contextmanager
def connect(
    path: Path | str | None = None,
    *,
    read_only: bool = False,
    wait_seconds: float = LOCK_WAIT_SECONDS,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database for one unit of work, waiting while another process holds it."""
    path = Path(path) if path is not None else database_path()
    if read_only and not path.exists():
        raise DatabaseMissing(f"No database at {path}. Build it with: python -m data build")
    deadline = time.monotonic() + wait_seconds
    delay = 0.02
    while True:
        try:
            conn = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as error:
            if not _is_lock_error(error) or time.monotonic() >= deadline:
                if _is_lock_error(error):
                    raise DatabaseBusy(
                        f"{path} is in use by another process; tried for {wait_seconds:.0f} s"
                    ) from error
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    try:
        yield conn
    finally:
        conn.close()
