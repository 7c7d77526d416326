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

from data import db
from data.build import RebuildRefused, _recorded_work, recorded_work
from data.db import LakeStore, Store, connect


@dataclass(frozen=True)
class MigrateSummary:
    source: Store
    target: Store
    rows: dict[str, int]


def _tables(conn: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in conn.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY table_oid"
        ).fetchall()
    ]


def _schema_tables() -> list[str]:
    """The tables of schema.sql, in creation order."""
    return list(dict.fromkeys(rule.split(" ")[2] for rule in db.lake_schema_sql() if rule.startswith("CREATE TABLE")))


def _copy_rows(source: duckdb.DuckDBPyConnection, target: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = {}
    for table in _schema_tables():
        # Table names come from schema.sql, not from input.
        data = source.execute(f"SELECT * FROM {table}").to_arrow_table()  # noqa: S608
        target.register("incoming_rows", data)
        try:
            target.execute(f"INSERT INTO {table} SELECT * FROM incoming_rows")  # noqa: S608
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


def _into_lake(src: duckdb.DuckDBPyConnection, target: LakeStore, force: bool) -> dict[str, int]:
    with connect(target) as conn:
        conn.execute("BEGIN TRANSACTION")
        try:
            if db.lake_is_built(conn):
                lost = _recorded_work(conn)
                if lost and not force:
                    raise RebuildRefused(
                        f"{target} holds {' and '.join(lost)} that copying over it would delete. "
                        "Export what you need, then migrate with --force."
                    )
            for (view,) in conn.execute(
                "SELECT view_name FROM duckdb_views() WHERE database_name = $db AND NOT internal", {"db": db.LAKE}
            ).fetchall():
                conn.execute(f"DROP VIEW {view}")
            for table in _tables(conn):
                conn.execute(f"DROP TABLE {table}")
            for statement in db.lake_schema_sql():
                conn.execute(statement)
            rows = _copy_rows(src, conn)
            for name, highest in _highest(conn).items():
                db.advance_id(conn, name, highest)
            conn.execute("COMMIT")
        except BaseException:
            db.roll_back(conn)
            raise
    return rows


def _into_file(src: duckdb.DuckDBPyConnection, path: Path, force: bool) -> dict[str, int]:
    lost = recorded_work(path)
    if lost and not force:
        raise RebuildRefused(
            f"{path} holds {' and '.join(lost)} that copying over it would delete. "
            "Export what you need, then migrate with --force."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(path.name + ".building")
    staging.unlink(missing_ok=True)
    with connect(staging) as conn:
        conn.execute(db.SCHEMA_SQL.read_text(encoding="utf-8"))
        rows = _copy_rows(src, conn)
        for name, highest in _highest(conn).items():
            db.advance_id(conn, name, highest)
        conn.execute("CHECKPOINT")
    os.replace(staging, path)
    Path(str(staging) + ".wal").unlink(missing_ok=True)
    return rows
