"""Copy everything between the embedded file and the shared store: `python -m data migrate`.

Every table is copied whole, in one go: to the shared store in one transaction (other replicas see
the old data or the new, never half), to a file by writing a new file and moving it into place. Ids
carry over, and the target's id sequences continue after the highest copied id. Like a rebuild, it
refuses to overwrite a target holding recorded progress or loads unless forced.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from data import db, lake_schema
from data.build import SCHEMA_SQL, recorded_work, refusal, replace_lake
from data.db import LakeStore, Store, connect

_WORDING = {"would_delete": "copying over it", "command": "migrate"}
# Text for PostgreSQL (postgres_query takes no parameters): the dashboard processes attached to this catalog.
# Each names itself (`data.db.process_name`) and keeps its connection for as long as it runs.
_ATTACHED_PROCESSES = (
    "SELECT application_name FROM pg_stat_activity "
    "WHERE datname = current_database() AND application_name LIKE 'finance-dashboard/%'"
)


class StoreInUse(RuntimeError):
    """Other dashboard processes are attached to the shared store: what they write during a copy would be lost."""


@dataclass(frozen=True)
class MigrateSummary:
    source: Store
    target: Store
    rows: dict[str, int]


def _copy_rows(source: duckdb.DuckDBPyConnection, target: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = {}
    for table in lake_schema.TABLES:
        data = source.execute(lake_schema.COPY_OUT[table]).to_arrow_table()
        target.register("incoming_rows", data)
        try:
            target.execute(lake_schema.COPY_IN[table])
        finally:
            target.unregister("incoming_rows")
        rows[table] = data.num_rows
        db.enforce_schema_rules(target, table)
    return rows


def _highest(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {
        "load_id": conn.execute("SELECT coalesce(max(load_id), 0) FROM loads").fetchone()[0],
        "update_id": conn.execute("SELECT coalesce(max(update_id), 0) FROM action_updates").fetchone()[0],
    }


def migrate(source: Store, target: Store, *, force: bool = False) -> MigrateSummary:
    """Copy every table of `source` into `target`, replacing what `target` held."""
    if source == target:
        raise ValueError("The source and the target are the same store.")
    if not db.exists(source):
        raise db.DatabaseMissing(f"Nothing to copy: {source} has not been built.")
    with connect(source, read_only=True) as src:
        into = _into_lake if isinstance(target, LakeStore) else _into_file
        rows = into(src, target, force)
    return MigrateSummary(source, target, rows)


def other_processes(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """The other dashboard processes (replicas, loads from the command line) attached to this shared store."""
    rows = conn.execute(
        "SELECT * FROM postgres_query('__ducklake_metadata_finance_lake', $sql)", {"sql": _ATTACHED_PROCESSES}
    ).fetchall()
    return sorted({name for (name,) in rows} - {db.process_name()})


def refuse_while_in_use(conn: duckdb.DuckDBPyConnection, target: LakeStore) -> None:
    """Refuse (StoreInUse) while another process could write to `target`: its writes would vanish under the copy."""
    others = other_processes(conn)
    if others:
        raise StoreInUse(
            f"{len(others)} other dashboard process(es) are attached to {target} ({', '.join(others)}). Stop every "
            "replica and every other command using the shared store, then migrate again: an update recorded "
            "during the copy would be lost. Nothing was changed."
        )


def _into_lake(src: duckdb.DuckDBPyConnection, target: LakeStore, force: bool) -> dict[str, int]:
    with connect(target) as conn:
        refuse_while_in_use(conn, target)
        # The catalog's sequences first (they live outside the lake's transaction): a copy that then fails
        # leaves only a gap in the ids, never an id handed out twice.
        for name, highest in _highest(src).items():
            db.advance_id(conn, name, highest)

    def fill(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
        conn.execute(lake_schema.lake_schema_sql())  # drops and recreates every table and view
        rows = _copy_rows(src, conn)
        refuse_while_in_use(conn, target)  # again just before the commit: a replica may have started meanwhile
        return rows

    return replace_lake(target, fill, force=force, **_WORDING)


def _into_file(src: duckdb.DuckDBPyConnection, path: Path, force: bool) -> dict[str, int]:
    lost = recorded_work(path)
    if lost and not force:
        raise refusal(path, lost, **_WORDING)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(path.name + ".building")
    staging.unlink(missing_ok=True)
    with connect(staging) as conn:
        conn.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
        rows = _copy_rows(src, conn)
        for name, highest in _highest(conn).items():
            db.advance_id(conn, name, highest)
        conn.execute("CHECKPOINT")
    os.replace(staging, path)
    Path(str(staging) + ".wal").unlink(missing_ok=True)
    return rows
