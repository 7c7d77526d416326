"""Whether this process can serve the dashboard now: its store answers and its data folder is there.

A readiness check for a load balancer (`GET /readyz`, ui/readiness.py), apart from Streamlit's
`/_stcore/health`, which says only that the web server is up: that one answered "ok" all through a
PostgreSQL outage. Problems are said in words, never with a connection string or a path, since anyone
who reaches the server may ask.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from data import db

STORE_UNREACHABLE = "the store cannot be read"
NOT_BUILT = "the store has not been built"
FOLDER_MISSING = "the data folder is missing or not a folder"
FOLDER_READ_ONLY = "the data folder cannot be written"


def problems(target: db.Store | None = None) -> list[str]:
    """What stops this process serving (empty when ready): the store read with a real query, the folder checked."""
    try:
        store = db.as_store(target)
    except db.StoreMisconfigured:
        return ["the store is not configured correctly (see the server log at start-up)"]
    folder = Path(store.data_path) if isinstance(store, db.LakeStore) else store.parent
    found = _folder_problems(folder)
    try:
        with db.connect(store, read_only=True) as conn:
            conn.execute("SELECT count(*) FROM loads").fetchall()
    except db.DatabaseMissing:
        found.append(NOT_BUILT)
    except (duckdb.Error, db.DatabaseBusy, OSError):
        found.append(STORE_UNREACHABLE)
    return found


def _folder_problems(folder: Path) -> list[str]:
    if not folder.is_dir():
        return [FOLDER_MISSING]
    if not os.access(folder, os.W_OK | os.X_OK):
        return [FOLDER_READ_ONLY]
    return []
