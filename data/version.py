"""The data version: a cheap key that changes with every write, for caches of what the data shows.

Every write already records itself in an append-only table, so the key is read from those records
rather than kept in a counter that each writer must remember to bump:

- a load (monitoring lines, reported figures, a sample fill) adds a row to `loads`: max(load_id);
- an undo stamps `undone_at` on its load: count(undone_at);
- an action update adds a row to `action_updates`: max(update_id) and count(*);
- a rebuild writes a new file whose `build` row has a new `loaded_at` (load ids restart at 1).

The caller adds the file's identity (path, inode), so a rebuilt or replaced file never matches.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

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
