"""Where the database lives and how to open it.

Only one process may hold a DuckDB file read-write, and a command-line load must be able to write
while the app is running. So the file is held only while some unit of work needs it: the first
caller in a process opens one connection, callers that overlap with it (other sessions' threads)
get their own cursor on that same connection, and the last one out closes it, releasing the file.
`connect` waits, with back-off, while another process holds the lock.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_DIR / "data" / "finance.duckdb"
LOCK_WAIT_SECONDS = 30.0

# Errors that mean "someone else has the file right now": another process's lock, or (in this
# process) a connection opened outside `connect` with another configuration.
_TRANSIENT = ("lock", "different configuration", "already attached")


class DatabaseBusy(RuntimeError):
    """Another process held the database for longer than we were willing to wait."""


class DatabaseMissing(RuntimeError):
    """The database file has not been built yet."""


@dataclass
class _Shared:
    connection: duckdb.DuckDBPyConnection
    users: int = 0


_shared: dict[Path, _Shared] = {}
_shared_lock = threading.Lock()


def database_path() -> Path:
    """The configured database: $FINANCE_DB if set, else data/finance.duckdb."""
    configured = os.environ.get("FINANCE_DB")
    return Path(configured) if configured else DEFAULT_DB


def _is_transient(error: duckdb.Error) -> bool:
    text = str(error).lower()
    return any(marker in text for marker in _TRANSIENT)


def _open(path: Path, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_seconds
    delay = 0.02
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.Error as error:
            if not _is_transient(error):
                raise
            if time.monotonic() >= deadline:
                raise DatabaseBusy(f"{path} is in use by another process; tried for {wait_seconds:.0f} s") from error
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


@contextmanager
def connect(
    path: Path | str | None = None,
    *,
    read_only: bool = False,
    wait_seconds: float = LOCK_WAIT_SECONDS,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on this process's connection to the database, for one unit of work.

    `read_only=True` says the caller only reads, so the file must already exist. The file is opened
    read-write either way: one connection serves every thread of the process (DuckDB refuses a
    second connection to the same file with another configuration), each thread with its own cursor.
    """
    path = Path(path) if path is not None else database_path()
    if read_only and not path.exists():
        raise DatabaseMissing(f"No database at {path}. Build it with: python -m data build")
    key = path.resolve()
    with _shared_lock:
        shared = _shared.get(key)
        if shared is None:
            shared = _shared[key] = _Shared(_open(path, wait_seconds))
        shared.users += 1
        try:
            cursor = shared.connection.cursor()
        except BaseException:
            _release(key, shared)
            raise
    try:
        yield cursor
    finally:
        cursor.close()
        with _shared_lock:
            _release(key, shared)


def _release(key: Path, shared: _Shared) -> None:
    """Caller holds _shared_lock. The last user closes the connection, so other processes can write."""
    shared.users -= 1
    if shared.users == 0:
        shared.connection.close()
        del _shared[key]
