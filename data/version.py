"""The data version: a cheap key that changes with every write, for caches of what the data shows.

Every write already records itself in an append-only table, so the key is read from those records
rather than kept in a counter that each writer must remember to bump:

- a load (monitoring lines, reported figures, a sample fill) adds a row to `loads`: max(load_id);
- an undo stamps `undone_at` on its load: count(undone_at);
- an action update adds a row to `action_updates`: max(update_id) and count(*);
- a rebuild writes a new file whose `build` row has a new `loaded_at` (load ids restart at 1).

The caller adds the store's identity (`store_identity`: a file's path and inode, so a rebuilt or replaced
file never matches; the shared store's description), so two stores never share a key.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from data import db

VERSION_SQL = """
SELECT (SELECT coalesce(max(load_id), 0) FROM loads),
       (SELECT count(undone_at) FROM loads),
       (SELECT CAST(max(loaded_at) FILTER (WHERE kind = 'build') AS VARCHAR) FROM loads),
       (SELECT coalesce(max(update_id), 0) FROM action_updates),
       (SELECT count(*) FROM action_updates)
"""


def data_version(conn: duckdb.DuckDBPyConnection) -> tuple:
    """What every write changes, read in one query: see the module's docstring."""
    return tuple(conn.execute(VERSION_SQL).fetchone())


def file_identity(path: Path) -> tuple[str, int, int]:
    """The database file's path and inode: a rebuild moves a new file into place."""
    stat = os.stat(path)
    return str(path.resolve()), stat.st_dev, stat.st_ino


def store_identity(conn: duckdb.DuckDBPyConnection) -> tuple:
    """Which store `conn` is on: the embedded file's identity, or the shared store's description.

    On the shared store a rebuild keeps drawing load ids from the same sequence and records a new build
    time, so the data version alone tells its data apart.
    """
    if db.is_lake(conn):
        return (db.describe(),)
    return file_identity(db.database_path())
