"""Where the database lives and how to open it.

Only one process may hold a DuckDB file read-write, and a command-line load must be able to write
while the app is running. So the file is held only while some unit of work needs it: the first
caller in a process opens one connection, callers that overlap with it (other sessions' threads)
get their own cursor on that same connection, and the last one out closes it, releasing the file.
`connect` waits, with back-off, while another process holds the lock.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
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


def roll_back(conn: duckdb.DuckDBPyConnection) -> None:
    """End a failed transaction, keeping the failure as the error to report.

    A COMMIT that fails (say the .wal file cannot be created) has already ended the transaction, and
    DuckDB then answers ROLLBACK with "no transaction is active", which would hide the real cause.
    """
    with suppress(duckdb.Error):
        conn.execute("ROLLBACK")


_BUSY = "The database is busy: another load or update is writing to it. Wait a minute and try again."
_READ_ONLY = (
    "The database cannot be written: its file or folder is read-only, or the dashboard's server is not "
    "allowed to write there. Ask the administrator to make the database folder writable, then try again."
)
_DISK_FULL = "The disk holding the database is full. Free some space (or ask the administrator to), then try again."
_MISSING = "The database has not been built yet. Run `make run`, which builds it."
_CAUSES = (
    (("no space left", "disk full", "disk is full"), _DISK_FULL),
    (("read-only", "read only", "permission denied", "operation not permitted"), _READ_ONLY),
    (("could not set lock", "conflicting lock", "database is locked"), _BUSY),
)
_ERRNOS = {errno.ENOSPC: _DISK_FULL, errno.EDQUOT: _DISK_FULL, errno.EROFS: _READ_ONLY, errno.EACCES: _READ_ONLY,
           errno.EPERM: _READ_ONLY}  # fmt: skip


def failure_cause(error: BaseException) -> str | None:
    """What stopped a database write, in words a user can act on; None if it is none of the known causes.

    Looks through the error and what caused it; never includes a path or the database's own message,
    so it is what a browser is shown (the errors' own messages name the file, for the command line
    and the log).
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DatabaseBusy):
            return _BUSY
        if isinstance(current, DatabaseMissing):
            return _MISSING
        if isinstance(current, OSError) and current.errno in _ERRNOS:
            return _ERRNOS[current.errno]
        text = str(current).lower()
        for markers, cause in _CAUSES:
            if any(marker in text for marker in markers):
                return cause
        current = current.__cause__ or current.__context__
    return None
