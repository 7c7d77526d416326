"""Where the data lives and how to open it: the embedded DuckDB file (default) or a shared DuckLake.

The store is chosen by configuration and nothing above this module knows which one it is on:

- Embedded (default): one DuckDB file, $FINANCE_DB or data/finance.duckdb. Only one process may hold
  it read-write, and a command-line load must be able to write while the app is running. So the file
  is held only while some unit of work needs it: the first caller in a process opens one connection,
  callers that overlap with it (other sessions' threads) get their own cursor on that same connection,
  and the last one out closes it, releasing the file. `connect` waits, with back-off, while another
  process holds the lock. Overlapping callers could keep the file held for good (several users' page runs),
  so a process waiting to open it takes the file's turn (a lock on `<file>.turn` beside it) while it
  waits, and a process holding the file, seeing the turn taken, lets new callers wait (GIVE_WAY_SECONDS at
  most) instead of joining: its connection closes, and the waiting process gets in.
- Shared (FINANCE_STORE=ducklake): a DuckLake whose catalog is a PostgreSQL database
  ($FINANCE_CATALOG, a libpq connection string) and whose Parquet files live under $FINANCE_DATA_PATH
  (shared storage). Any number of processes on any number of machines read and write it with snapshot
  isolation; each process keeps one connection open and gives every unit of work its own cursor.

DuckLake has no primary keys, CHECK constraints or sequences. Ids come from PostgreSQL sequences in
the catalog database (`next_id`), and the CHECK and key rules of schema.sql are checked by
`enforce_schema_rules` inside each write transaction before it commits (on the embedded file
DuckDB enforces them itself, so that call does nothing there).
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import duckdb
from tenacity import RetryError

from data import lake_schema, retry
from data.redact import scrubbed

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_DIR / "data" / "finance.duckdb"
LOCK_WAIT_SECONDS = 30.0
# How long a caller waits, while another process waits to open the file, for this process's connection to close
# before joining it anyway: as long as the other waits (page runs on a loaded machine take several seconds, and
# a shorter wait let them overlap for good); bounded, should a caller here hold the file for another's sake.
GIVE_WAY_SECONDS = LOCK_WAIT_SECONDS
TURN_SUFFIX = ".turn"
PROCESS_PREFIX = "finance-dashboard/"  # every process's application_name on the catalog database
LAKE = "finance_lake"  # the name the shared store is attached as (written out in the statements below)
# The statement drawing each id: from the file's own sequence, or (text sent to PostgreSQL) the catalog's.
_NEXT_ID_EMBEDDED = {"load_id": "SELECT nextval('load_id_seq')", "update_id": "SELECT nextval('update_id_seq')"}
_NEXT_ID_SHARED = {
    "load_id": "SELECT nextval('finance_ids.load_id_seq')",
    "update_id": "SELECT nextval('finance_ids.update_id_seq')",
}

# Errors that mean "someone else has the file right now": another process's lock, or (in this
# process) a connection opened outside `connect` with another configuration.
_TRANSIENT = ("lock", "different configuration", "already attached")


class DatabaseBusy(RuntimeError):
    """Another process held the database for longer than we were willing to wait."""


class _GivingWay(Exception):
    """Another process waits to open the file this process holds: do not join the open connection yet."""


class DatabaseMissing(RuntimeError):
    """The database has not been built yet."""


class StoreMisconfigured(RuntimeError):
    """FINANCE_STORE and its settings do not describe a store this module can open."""


@dataclass(frozen=True)
class LakeStore:
    """A DuckLake: catalog in PostgreSQL (libpq connection string), data files under `data_path`."""

    catalog: str
    data_path: str

    def __str__(self) -> str:
        shown = scrubbed(self.catalog)  # never a password from the connection string
        return f"the shared store (catalog '{shown}', data {self.data_path})"


Store = Path | LakeStore


@dataclass
class _Shared:
    connection: duckdb.DuckDBPyConnection
    users: int = 0


_shared: dict[Path, _Shared] = {}
_uses_here = threading.local()  # per thread: file -> how many of its cursors this thread holds (nested blocks)
_lakes: dict[LakeStore, duckdb.DuckDBPyConnection] = {}
_lakes_built: set[LakeStore] = set()
_shared_lock = threading.Lock()
# One write transaction at a time per process on the shared store: DuckLake serialises commits anyway (each is
# the next snapshot), and threads of one replica racing for it only burn retries. Other replicas still race.
_lake_write_lock = threading.Lock()
# id() of each cursor `connect` has handed out and not yet closed → whether it is on the shared store.
_cursor_kinds: dict[int, bool] = {}


def process_name() -> str:
    """How this process names itself to the shared store's PostgreSQL (its `application_name`), so a command
    that must be the only one writing (`migrate` into the shared store) can see the others."""
    return f"{PROCESS_PREFIX}{os.getpid()}@{socket.gethostname()}"[:63]  # PostgreSQL keeps 63 characters


def database_path() -> Path:
    """The configured embedded database file: $FINANCE_DB if set, else data/finance.duckdb."""
    configured = os.environ.get("FINANCE_DB")
    return Path(configured) if configured else DEFAULT_DB


def configured_store() -> Store:
    """$FINANCE_STORE=ducklake with $FINANCE_CATALOG and $FINANCE_DATA_PATH, else the embedded file."""
    kind = os.environ.get("FINANCE_STORE", "duckdb").strip().lower()
    if kind in ("", "duckdb", "embedded"):
        return database_path()
    if kind != "ducklake":
        raise StoreMisconfigured(f"FINANCE_STORE is '{kind}'; use 'duckdb' (the default) or 'ducklake'.")
    return shared_store()


def shared_store() -> LakeStore:
    """The shared store that $FINANCE_CATALOG and $FINANCE_DATA_PATH describe (whatever FINANCE_STORE says)."""
    catalog = os.environ.get("FINANCE_CATALOG", "").strip()
    data_path = os.environ.get("FINANCE_DATA_PATH", "").strip()
    if not catalog or not data_path:
        raise StoreMisconfigured(
            "The shared store needs FINANCE_CATALOG (a PostgreSQL connection string, e.g. "
            "'dbname=finance host=db.internal user=finance') and FINANCE_DATA_PATH (a shared folder for data files)."
        )
    return LakeStore(catalog, data_path.rstrip("/") + "/")


def as_store(target: Store | str | None) -> Store:
    """`target` as a store: None is the configured one, a path or string is an embedded file."""
    if target is None:
        return configured_store()
    if isinstance(target, LakeStore):
        return target
    return Path(target)


def describe(target: Store | str | None = None) -> str:
    """The store in words, for messages."""
    return str(as_store(target))


def is_lake(conn: duckdb.DuckDBPyConnection) -> bool:
    """Whether this cursor is on the shared store."""
    known = _cursor_kinds.get(id(conn))
    if known is not None:
        return known
    # A cursor not handed out by `connect` (tests wrap them): ask it. On the shared store every query
    # outside a transaction costs a catalog round trip, hence the map above.
    return conn.execute("SELECT current_database()").fetchone()[0] == LAKE


def _is_transient(error: BaseException) -> bool:
    text = str(error).lower()
    return isinstance(error, duckdb.Error) and any(marker in text for marker in _TRANSIENT)


def _open(path: Path, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    opening = retry.policy(_is_transient, first_wait=0.02, max_wait=0.5, seconds=wait_seconds)
    try:
        return opening(duckdb.connect, str(path))
    except RetryError as gave_up:
        message = f"{path} is in use by another process; tried for {wait_seconds:.0f} s"
        raise DatabaseBusy(message) from gave_up.last_attempt.exception()


def _turn_file(path: Path) -> Path:
    return path.with_name(path.name + TURN_SUFFIX)


def _open_turn(path: Path):
    """The turn's file, made if need be; read-only if another user made it (a lock needs no write access); None
    without a folder this process may write to (then there is no turn-taking)."""
    for mode in ("a", "r"):
        with suppress(OSError):
            return _turn_file(path).open(mode)
    return None


def _open_in_turn(path: Path, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """Open the file, holding its turn while waiting, so the process holding the file sees someone waits."""
    turn = _open_turn(path)
    if turn is None:
        return _open(path, wait_seconds)
    with turn:
        started = time.monotonic()
        taking = retry.policy(
            lambda error: isinstance(error, BlockingIOError), first_wait=0.005, max_wait=0.1, seconds=wait_seconds
        )
        try:
            taking(fcntl.flock, turn, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return _open(path, max(wait_seconds - (time.monotonic() - started), 0.0))
        except (RetryError, DatabaseBusy) as gave_up:
            cause = gave_up.last_attempt.exception() if isinstance(gave_up, RetryError) else gave_up.__cause__
            message = f"{path} is in use by another process; tried for {wait_seconds:.0f} s"
            raise DatabaseBusy(message) from cause
        finally:
            fcntl.flock(turn, fcntl.LOCK_UN)


def _others_waiting(path: Path) -> bool:
    """Whether another process has taken the file's turn (waits to open it): a few tens of µs."""
    try:
        with _turn_file(path).open("r") as turn:
            fcntl.flock(turn, fcntl.LOCK_SH | fcntl.LOCK_NB)  # let go when the file closes
    except BlockingIOError:
        return True
    except OSError:  # no turn's file: nobody has waited yet
        return False
    return False


_GIVING_WAY = retry.policy(
    lambda error: isinstance(error, _GivingWay), first_wait=0.005, max_wait=0.05, seconds=GIVE_WAY_SECONDS
)


def _enter(path: Path, key: Path, wait_seconds: float, *, give_way: bool) -> tuple[_Shared, duckdb.DuckDBPyConnection]:
    """This process's connection to the file (opened if none is) and a cursor on it, counted as a use."""
    with _shared_lock:
        shared = _shared.get(key)
        if shared is None:
            # _shared_lock is held meanwhile, so no thread of this process checks the turn this open has taken.
            shared = _shared[key] = _Shared(_open_in_turn(path, wait_seconds))
        elif give_way and _others_waiting(path):
            raise _GivingWay
        shared.users += 1
        try:
            cursor = shared.connection.cursor()
        except BaseException:
            _release(key, shared)
            raise
    return shared, cursor


def extension_file(name: str) -> Path:
    """The extension shipped in the PyPI wheel duckdb-extension-NAME, built for this DuckDB version."""
    import importlib.util

    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    if spec is None or not spec.submodule_search_locations:
        raise StoreMisconfigured(f"The shared store needs the package duckdb-extension-{name} (requirements.txt).")
    path = Path(next(iter(spec.submodule_search_locations))) / "extensions" / f"v{duckdb.__version__}"
    path = path / f"{name}.duckdb_extension"
    if not path.is_file():
        raise StoreMisconfigured(f"{path} is missing: duckdb-extension-{name} must match duckdb {duckdb.__version__}.")
    return path


# The id sequences live in the catalog database (schema finance_ids), which DuckLake attaches as
# __ducklake_metadata_finance_lake; the statements below reach it with postgres_query/postgres_execute.
# Every write to the shared store takes an id that way, so a DuckLake version that renamed that
# attachment would fail every shared-store test. Text for PostgreSQL: the sequences, created once by
# whichever replica comes first (the advisory lock keeps two replicas starting together from racing).
_CATALOG_SETUP = """
    SELECT pg_advisory_xact_lock(16016);
    CREATE SCHEMA IF NOT EXISTS finance_ids;
    CREATE SEQUENCE IF NOT EXISTS finance_ids.load_id_seq;
    CREATE SEQUENCE IF NOT EXISTS finance_ids.update_id_seq
"""
# Drawing ids a thousand at a time, until past the ids copied in (`advance_id`): never lowers a sequence.
_DRAW_BLOCK_SHARED = {
    "load_id": "SELECT max(nextval('finance_ids.load_id_seq')) FROM generate_series(1, 1000)",
    "update_id": "SELECT max(nextval('finance_ids.update_id_seq')) FROM generate_series(1, 1000)",
}
# DuckDB sequences have no setval: draw them up to the floor.
_SET_FLOOR_EMBEDDED = {
    "load_id": "SELECT max(nextval('load_id_seq')) FROM range($floor)",
    "update_id": "SELECT max(nextval('update_id_seq')) FROM range($floor)",
}


def _named(catalog: str) -> str:
    """The catalog's libpq connection string (key=value words or a URI) with this process's name added."""
    if catalog.startswith(("postgres://", "postgresql://")):
        return f"{catalog}{'&' if '?' in catalog else '?'}application_name={process_name()}"
    return f"{catalog} application_name={process_name()}"


def _open_lake(store: LakeStore) -> duckdb.DuckDBPyConnection:
    # Extensions install from the wheels into the virtualenv, never from the network.
    extension_dir = Path(sys.prefix) / "duckdb_extensions"
    conn = duckdb.connect(
        config={
            "extension_directory": str(extension_dir),
            "autoinstall_known_extensions": False,
        },
    )
    try:
        conn.execute("SET enable_progress_bar = false")
        extension_dir.mkdir(parents=True, exist_ok=True)
        # Several processes may start at once (test workers, replicas on one machine): one installs at a time.
        with (extension_dir / ".install.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            for name, installed_as in (("ducklake", "ducklake"), ("postgres", "postgres_scanner")):
                if not any((extension_dir / f"v{duckdb.__version__}").glob(f"*/{installed_as}.duckdb_extension")):
                    conn.install_extension(str(extension_file(name)))
                conn.load_extension(installed_as)
        # Commits from many replicas race for the next snapshot id; DuckLake retries those itself. Its
        # defaults (100 ms, x1.5, 10 tries) give up under a burst from 20 writers: retry sooner, for longer.
        conn.execute("SET ducklake_retry_wait_ms = 5")
        conn.execute("SET ducklake_retry_backoff = 1.3")
        conn.execute("SET ducklake_max_retry_count = 60")
        Path(store.data_path).mkdir(parents=True, exist_ok=True)
        # ATTACH takes no parameters (nor variables); a secret does, and ATTACH reads the lake's from it.
        conn.execute(
            "CREATE SECRET finance_lake_secret (TYPE ducklake, METADATA_PATH $catalog, DATA_PATH $data_path)",
            {"catalog": "postgres:" + _named(store.catalog), "data_path": store.data_path},
        )
        conn.execute("ATTACH 'ducklake:finance_lake_secret' AS finance_lake")
        conn.execute("CALL postgres_execute('__ducklake_metadata_finance_lake', $sql)", {"sql": _CATALOG_SETUP})
    except BaseException:
        conn.close()
        raise
    return conn


def lake_is_built(conn: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        conn.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = $db AND table_name = 'loads'", {"db": LAKE}
        ).fetchone()[0]
    )


@contextmanager
def _lake_cursor(store: LakeStore, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    with _shared_lock:
        connection = _lakes.get(store)
        if connection is None:
            connection = _lakes[store] = _open_lake(store)
        cursor = connection.cursor()
    try:
        # USE is per cursor: every cursor starts in the in-memory database.
        cursor.execute("USE finance_lake")
        _cursor_kinds[id(cursor)] = True
        if read_only and store not in _lakes_built:
            if not lake_is_built(cursor):
                raise DatabaseMissing(f"Nothing has been built in {store} yet. Build it with: python -m data build")
            # Once built it stays built (a rebuild replaces the tables in one transaction): ask once per process.
            _lakes_built.add(store)
        yield cursor
    finally:
        _cursor_kinds.pop(id(cursor), None)
        cursor.close()


def close_lakes() -> None:
    """Close this process's connections to shared stores (tests, and before a process forks)."""
    with _shared_lock:
        for connection in _lakes.values():
            connection.close()
        _lakes.clear()
        _lakes_built.clear()


@contextmanager
def connect(
    target: Store | str | None = None,
    *,
    read_only: bool = False,
    wait_seconds: float = LOCK_WAIT_SECONDS,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on this process's connection to the store, for one unit of work.

    `target` is the configured store when None, an embedded file when a path. `read_only=True` says the
    caller only reads, so the store must already be built. An embedded file is opened read-write either
    way: one connection serves every thread of the process (DuckDB refuses a second connection to the same
    file with another configuration), each thread with its own cursor.
    """
    store = as_store(target)
    if isinstance(store, LakeStore):
        with _lake_cursor(store, read_only) as cursor:
            yield cursor
        return
    path = store
    if read_only and not path.exists():
        raise DatabaseMissing(f"No database at {path}. Build it with: python -m data build")
    key = path.resolve()
    uses = vars(_uses_here).setdefault("uses", {})
    if uses.get(key):  # a block inside a block of this thread's (a page run's): waiting would wait on itself
        shared, cursor = _enter(path, key, wait_seconds, give_way=False)
    else:
        try:
            shared, cursor = _enter(path, key, wait_seconds, give_way=True)
        except _GivingWay:
            try:
                shared, cursor = _GIVING_WAY(_enter, path, key, wait_seconds, give_way=True)
            except RetryError:
                shared, cursor = _enter(path, key, wait_seconds, give_way=False)
    uses[key] = uses.get(key, 0) + 1
    _cursor_kinds[id(cursor)] = False
    try:
        yield cursor
    finally:
        _cursor_kinds.pop(id(cursor), None)
        uses[key] -= 1
        cursor.close()
        with _shared_lock:
            _release(key, shared)


def _release(key: Path, shared: _Shared) -> None:
    """Caller holds _shared_lock. The last user closes the connection, so other processes can write."""
    shared.users -= 1
    if shared.users == 0:
        shared.connection.close()
        del _shared[key]


def exists(target: Store | str | None = None) -> bool:
    """Whether the store has been built."""
    store = as_store(target)
    if isinstance(store, Path):
        return store.exists()
    with connect(store) as conn:
        return lake_is_built(conn)


def next_id(conn: duckdb.DuckDBPyConnection, name: str) -> int:
    """A new load_id or update_id, never handed out before, whichever process asks."""
    if is_lake(conn):
        row = conn.execute(
            "SELECT * FROM postgres_query('__ducklake_metadata_finance_lake', $sql)", {"sql": _NEXT_ID_SHARED[name]}
        )
    else:
        row = conn.execute(_NEXT_ID_EMBEDDED[name])
    return int(row.fetchone()[0])


def enforce_schema_rules(conn: duckdb.DuckDBPyConnection, table: str, load_id: int | None = None) -> None:
    """On the shared store, refuse (ConstraintException) rows of `table` that break schema.sql's rules.

    Call inside the write transaction, after the writes and before COMMIT. `load_id` limits the check to
    the rows that load wrote (tables with a load_id column); without it every row is checked. On the
    embedded file DuckDB has already enforced the same rules, so this does nothing there.
    """
    if not is_lake(conn):
        return
    statement = lake_schema.RULES.get(table)
    if statement is None:
        return
    if table in lake_schema.RULES_BY_LOAD:
        cursor = conn.execute(statement, {"load_id": load_id})
    elif load_id is not None:
        raise ValueError(f"{table} has no load_id: its rules are checked on the whole table")
    else:
        cursor = conn.execute(statement)
    counts = cursor.fetchone()
    for (rule, *_), count in zip(cursor.description, counts, strict=True):
        if not count:
            continue
        kind, columns = rule.split(": ", 1)
        if kind == "check":
            raise duckdb.ConstraintException(
                f"CHECK constraint failed on {table}: {count:,} {'row breaks' if count == 1 else 'rows break'} "
                f"the rule on {columns}; nothing was written."
            )
        raise duckdb.ConstraintException(f"Duplicate key on {table} ({columns}); nothing was written.")


@contextmanager
def one_writer(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Around a short write transaction: on the shared store, this process's other writers wait their turn."""
    if not is_lake(conn):
        yield
        return
    with _lake_write_lock:
        yield


def is_write_conflict(error: BaseException) -> bool:
    """Whether a failed write lost a race with another writer (worth retrying), not a cause that would recur."""
    return isinstance(error, duckdb.TransactionException) and "conflict" in str(error).lower()


def advance_id(conn: duckdb.DuckDBPyConnection, name: str, highest: int) -> None:
    """Make `next_id(conn, name)` hand out ids above `highest` (before or after copying rows in with their ids)."""
    if is_lake(conn):
        # Sequences are not transactional: a copy that fails afterwards leaves a gap, never a repeated id.
        drawn = 0
        while drawn < highest:
            drawn = conn.execute(
                "SELECT * FROM postgres_query('__ducklake_metadata_finance_lake', $sql)",
                {"sql": _DRAW_BLOCK_SHARED[name]},
            ).fetchone()[0]
        return
    conn.execute(_SET_FLOOR_EMBEDDED[name], {"floor": int(highest)})


def _commit(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("COMMIT")


@contextmanager
def transaction(
    conn: duckdb.DuckDBPyConnection, *, commit: Callable[[duckdb.DuckDBPyConnection], None] = _commit
) -> Iterator[None]:
    """One transaction around the block: committed when it ends, rolled back (and the error re-raised) when
    it raises. `commit` replaces the COMMIT itself, a seam for tests that pause or race it."""
    conn.execute("BEGIN TRANSACTION")
    try:
        yield
        commit(conn)
    except BaseException:
        roll_back(conn)
        raise


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
_NEWER = (
    "The database file was written by a newer DuckDB than the one this dashboard uses (1.5.5, for the shared "
    'store). Nothing in it was lost or changed: README "Moving a database file from DuckDB 2.0" says how to '
    "carry it over, or `python -m data build --force` rebuilds it from the CSVs if it holds nothing recorded."
)
UNREACHABLE = (
    "The shared store cannot be reached just now. Nothing saved has been lost; it recovers by itself when the "
    "store is back."
)
# What libpq says when PostgreSQL is down, restarting or cut off.
_OUTAGE = ("unable to connect to postgres", "connection refused", "could not connect to server", "connection to server",
           "server closed the connection", "no connection to the server", "could not receive data from server",
           "could not send data to server", "terminating connection due to administrator command")  # fmt: skip
_CAUSES = (
    (_OUTAGE, UNREACHABLE),
    (("created with an newer version of duckdb", "created with a newer version of duckdb"), _NEWER),
    (("no space left", "disk full", "disk is full"), _DISK_FULL),
    (("read-only", "read only", "permission denied", "operation not permitted"), _READ_ONLY),
    (("could not set lock", "conflicting lock", "database is locked"), _BUSY),
)
_ERRNOS = {errno.ENOSPC: _DISK_FULL, errno.EDQUOT: _DISK_FULL, errno.EROFS: _READ_ONLY, errno.EACCES: _READ_ONLY,
           errno.EPERM: _READ_ONLY}  # fmt: skip


def is_unreachable(error: BaseException) -> bool:
    """Whether the shared store's catalog (PostgreSQL) could not be reached: an outage, not a fault in the data."""
    return failure_cause(error) == UNREACHABLE


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
