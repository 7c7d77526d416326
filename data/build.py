"""Build the store from the reviewed CSVs in this folder.

A rebuild replaces everything, so it refuses to run over a store that holds recorded progress or
loaded files unless forced: recorded work is never silently destroyed. The embedded file is built
beside the old one and moved into place; the shared store is rebuilt in one transaction, so other
replicas see the old data until it commits and the new data after.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

import duckdb

from data import db, lake_schema, sample
from data.access import Actor, local_actor, require
from data.db import DEFAULT_DB, LakeStore, Store, connect
from data.measures import catalogue
from data.vocab import counted, implausible_date

DATA_DIR = Path(__file__).parent
SCHEMA_SQL = DATA_DIR / "schema.sql"
T = TypeVar("T")
SOURCES_DIR = DATA_DIR / "sources"
SOURCE_ID = "dorset_cabinet_2021_10_05"
SOURCE_TITLE = "Dorset Council Cabinet, 5 October 2021: LGA Finance Peer Challenge report and action plan"
SOURCE_DATE = "2021-10-05"
SOURCE_FILE = SOURCES_DIR / "dorset_cabinet_2021-10-05_lga_finance_peer_challenge.txt"
SEED_AUTHOR = "source document"


class RebuildRefused(RuntimeError):
    """Raised when a rebuild would destroy recorded progress or loads."""


@dataclass(frozen=True)
class BuildSummary:
    path: Store
    figures: int
    recommendations: int
    sample_lines: int


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recorded_work(target: Store | str) -> list[str]:
    """What a rebuild of `target` would lose: progress updates and loads not from the CSVs."""
    if not db.exists(target):
        return []
    with connect(target, read_only=True) as conn:
        return _recorded_work(conn)


def _recorded_work(conn: duckdb.DuckDBPyConnection) -> list[str]:
    updates = conn.execute(
        "SELECT count(*) FROM action_updates WHERE updated_by <> $seed", {"seed": SEED_AUTHOR}
    ).fetchone()[0]
    loads = conn.execute("SELECT count(*) FROM loads WHERE kind IN ('monitoring', 'figures')").fetchone()[0]
    lost = []
    if updates:
        lost.append(counted(updates, "recorded progress update"))
    if loads:
        lost.append(counted(loads, "loaded file"))
    return lost


def _create(conn: duckdb.DuckDBPyConnection, built_by: str) -> None:
    if db.is_lake(conn):
        conn.execute(lake_schema.lake_schema_sql())
    else:
        conn.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
    conn.execute(
        "INSERT INTO sources (source_id, title, published_on, file_name, sha256) "
        "VALUES ($id, $title, $date, $file, $sha)",
        {
            "id": SOURCE_ID,
            "title": SOURCE_TITLE,
            "date": SOURCE_DATE,
            "file": SOURCE_FILE.name,
            "sha": sha256_of(SOURCE_FILE),
        },
    )
    csvs = {
        name: DATA_DIR / f"{name}.csv"
        for name in ("directorates", "measures", "reported_figures", "recommendations", "action_updates_seed")
    }
    conn.execute(
        "INSERT INTO loads (load_id, kind, file_name, sha256, row_count, loaded_at, loaded_by) "
        "VALUES ($id, 'build', $file, $sha, 0, $at, $by)",
        {
            "id": db.next_id(conn, "load_id"),
            "file": "data/*.csv",
            "sha": hashlib.sha256(b"".join(p.read_bytes() for p in csvs.values())).hexdigest(),
            "at": datetime.now(),
            "by": built_by,
        },
    )
    conn.execute(
        "INSERT INTO directorates SELECT directorate, sort_order, string_split(aliases, '|'), "
        "nullif(source_quote, '') FROM read_csv($path, all_varchar = true, header = true)",
        {"path": str(csvs["directorates"])},
    )
    catalogue(csvs["measures"])  # CatalogueInvalid if two measures share a spelling: refused before it is stored
    check_dates(csvs)
    _insert_measures(conn, csvs["measures"])
    conn.execute(
        """
        INSERT INTO reported_figures
        SELECT figure_id, measure, label, nullif(fiscal_year, ''), period, nullif(scenario, ''),
               nullif(directorate, ''), CAST(value AS DOUBLE), unit, nullif(qualifier, ''), basis,
               nullif(derivation, ''), CAST(nullif(as_at_date, '') AS DATE), source_document,
               source_section, source_quote, NULL, $source_id
        FROM read_csv($path, all_varchar = true, header = true)
        """,
        {"path": str(csvs["reported_figures"]), "source_id": SOURCE_ID},
    )
    conn.execute(
        """
        INSERT INTO recommendations
        SELECT CAST(rec_no AS INTEGER), theme, recommendation, nullif(response, ''),
               nullif(timeline_text, ''), timeline_kind, CAST(nullif(due_date, '') AS DATE),
               nullif(lead, ''),
               coalesce(list_transform(string_split(nullif(see_also, ''), ' '), lambda x: CAST(x AS INTEGER)), []),
               CAST(source_appendix AS INTEGER), nullif(source_issues, '')
        FROM read_csv($path, all_varchar = true, header = true, quote = '"', escape = '"')
        """,
        {"path": str(csvs["recommendations"])},
    )
    seed_rows = conn.execute(
        "SELECT count(*) FROM read_csv($path, all_varchar = true, header = true)",
        {"path": str(csvs["action_updates_seed"])},
    ).fetchone()[0]
    new_ids = [db.next_id(conn, "update_id") for _ in range(seed_rows)]
    conn.execute(
        """
        INSERT INTO action_updates (update_id, rec_no, status, percent_complete, revised_due_date, note,
                                    evidence_url, updated_by, updated_at)
        SELECT $ids[row_number() OVER (ORDER BY CAST(update_id AS INTEGER))],
               CAST(rec_no AS INTEGER), status, CAST(nullif(percent_complete, '') AS INTEGER),
               CAST(nullif(revised_due_date, '') AS DATE), nullif(note, ''),
               nullif(evidence_url, ''), updated_by, CAST(updated_at AS TIMESTAMP)
        FROM read_csv($path, all_varchar = true, header = true)
        ORDER BY CAST(update_id AS INTEGER)
        """,
        {"path": str(csvs["action_updates_seed"]), "ids": new_ids},
    )
    tables = ("sources", "loads", "directorates", "measures", "reported_figures", "recommendations", "action_updates")
    for table in tables:
        db.enforce_schema_rules(conn, table)


def upgrade(path: Store) -> list[str]:
    """Bring a database built before the measures catalogue, loaded sources or submission ids up to the current
    schema (the shared store, which came later, only ever lacks the submission ids).

    Additive only (new table, new nullable columns, relaxed NOT NULLs); recorded work is untouched.
    Returns what was changed, empty if nothing was needed.
    """
    changed = []
    with connect(path) as conn:
        tables = {
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database()"
            ).fetchall()
        }

        def columns(table: str) -> set[str]:
            return {
                row[0]
                for row in conn.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = $t AND table_catalog = current_database()",
                    {"t": table},
                ).fetchall()
            }

        if "url" not in columns("sources"):
            conn.execute("ALTER TABLE sources ALTER COLUMN published_on DROP NOT NULL")
            conn.execute("ALTER TABLE sources ALTER COLUMN file_name DROP NOT NULL")
            conn.execute("ALTER TABLE sources ALTER COLUMN sha256 DROP NOT NULL")
            conn.execute("ALTER TABLE sources ADD COLUMN url VARCHAR")
            conn.execute("ALTER TABLE sources ADD COLUMN load_id INTEGER")
            changed.append("sources: url and load_id added")
        if "source_id" not in columns("reported_figures"):
            conn.execute("ALTER TABLE reported_figures ADD COLUMN source_id VARCHAR")
            conn.execute(
                "UPDATE reported_figures SET source_id = $id WHERE source_document = $title",
                {"id": SOURCE_ID, "title": SOURCE_TITLE},
            )
            changed.append("reported_figures: source_id added")
        if "measures" not in tables:
            conn.execute(_table_statement(SCHEMA_SQL.read_text(encoding="utf-8"), "measures"))
            _insert_measures(conn, DATA_DIR / "measures.csv")
            changed.append("measures: catalogue added")
        if "submission_id" not in columns("action_updates"):
            # Without UNIQUE (ALTER cannot add it): data.actions.record_update checks inside its transaction.
            conn.execute("ALTER TABLE action_updates ADD COLUMN submission_id VARCHAR")
            changed.append("action_updates: submission_id added")
        if "returns" not in tables:
            _add_benchmarking_tables(conn)
            changed.append("returns and neighbours: tables added, loads may record them")
    return changed


# The dates the reviewed CSVs hold, each held to data.vocab's plausible-date rule: (file, column, may be future).
DATED_COLUMNS = (
    ("reported_figures", "as_at_date", False),
    ("recommendations", "due_date", True),
    ("action_updates_seed", "revised_due_date", True),
)


def check_dates(csvs: dict[str, Path]) -> None:
    """Raise ValueError naming file, row and column for a date that is not YYYY-MM-DD or not plausible."""
    problems = []
    for name, column, may_be_future in DATED_COLUMNS:
        with csvs[name].open(encoding="utf-8", newline="") as file:
            for row_number, row in enumerate(csv.DictReader(file), start=2):
                text = (row.get(column) or "").strip()
                if not text:
                    continue
                try:
                    problem = implausible_date(date.fromisoformat(text), may_be_future=may_be_future)
                except ValueError:
                    problem = f"is {text[:30]!r}; expected a date as YYYY-MM-DD"
                if problem:
                    problems.append(f"{csvs[name].name}, row {row_number}, column {column}: {column} {problem}")
    if problems:
        raise ValueError("Nothing was built: " + "; ".join(problems[:10]))


def _insert_measures(conn: duckdb.DuckDBPyConnection, path: Path) -> None:
    """The measures catalogue from its CSV (lists written a|b|c) into the `measures` table."""
    conn.execute(
        """
        INSERT INTO measures
        SELECT measure, label, unit, definition, coalesce(string_split(nullif(aliases, ''), '|'), []),
               string_split(periods, '|'), coalesce(string_split(nullif(scenarios, ''), '|'), [])
        FROM read_csv($path, all_varchar = true, header = true)
        """,
        {"path": str(path)},
    )


def _table_statement(schema: str, table: str) -> str:
    start = schema.index(f"CREATE TABLE {table} (")
    return schema[start : schema.index(");", start) + 2]


def _add_benchmarking_tables(conn: duckdb.DuckDBPyConnection) -> None:
    """The RS returns and neighbours tables, and a loads table whose kinds include them (rebuilt: DuckDB
    cannot change a CHECK in place; its rows are copied over unchanged)."""
    schema = SCHEMA_SQL.read_text(encoding="utf-8")
    with db.transaction(conn):
        for table in ("returns", "returns_replaced", "neighbours", "neighbours_replaced"):
            conn.execute(_table_statement(schema, table))
        conn.execute("ALTER TABLE loads RENAME TO loads_before_returns")
        conn.execute(_table_statement(schema, "loads"))
        conn.execute("INSERT INTO loads SELECT * FROM loads_before_returns")
        conn.execute("DROP TABLE loads_before_returns")


def build(
    path: Store | str = DEFAULT_DB,
    *,
    force: bool = False,
    sample_rows: int = 0,
    seed: int = sample.DEFAULT_SEED,
    built_by: str | None = None,
    actor: Actor | None = None,
) -> BuildSummary:
    """Build a fresh database at `path` from the CSVs, optionally with sample monitoring lines.

    `path` is an embedded file or a `LakeStore`. Rebuilding is an admin action: `actor` must have the
    admin role and is recorded as the builder.
    Without an actor the caller is the operating-system user in local mode (the CLI, test fixtures),
    recorded as `built_by` or the OS user name.
    The new file is written beside the old one and moved into place only when complete, so an
    interrupted build leaves the previous database as it was.
    """
    if actor is None:
        actor = local_actor()
        built_by = built_by or actor.identity
    else:
        built_by = actor.identity
    require(actor, "admin", "rebuild the database")
    store = db.as_store(path)
    if isinstance(store, LakeStore):
        return _build_lake(store, force=force, sample_rows=sample_rows, seed=seed, built_by=built_by)
    path = store
    # Forced: not even read (a file this DuckDB cannot open can still be replaced).
    lost = [] if force else recorded_work(path)
    if lost and not force:
        raise refusal(path, lost)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(path.name + ".building")
    staging.unlink(missing_ok=True)
    with connect(staging) as conn:
        _create(conn, built_by)
        if sample_rows:
            sample.fill(conn, rows=sample_rows, seed=seed, loaded_by=built_by)
        summary = _summary(conn, path)
        conn.execute("CHECKPOINT")
    os.replace(staging, path)
    Path(str(staging) + ".wal").unlink(missing_ok=True)
    return summary


def _summary(conn: duckdb.DuckDBPyConnection, target: Store) -> BuildSummary:
    figures, recommendations, lines = conn.execute(
        "SELECT (SELECT count(*) FROM reported_figures), (SELECT count(*) FROM recommendations), "
        "(SELECT count(*) FROM monitoring)"
    ).fetchone()
    return BuildSummary(target, figures, recommendations, lines)


def refusal(
    target: Store, lost: list[str], *, would_delete: str = "a rebuild", command: str = "rebuild"
) -> RebuildRefused:
    return RebuildRefused(
        f"{target} holds {' and '.join(lost)} that {would_delete} would delete. "
        f"Export what you need, then {command} with --force."
    )


def replace_lake(store: LakeStore, fill: Callable[[duckdb.DuckDBPyConnection], T], *, force: bool, **wording) -> T:
    """Replace everything the shared store holds in one transaction: refuse if recorded work would be lost
    (unless forced), then `fill` (which runs schema_lake.sql and fills the tables), then commit. Other
    replicas see the old data until the commit and the new data after; a failure leaves the old."""
    with connect(store) as conn, db.transaction(conn):
        if db.lake_is_built(conn):
            lost = _recorded_work(conn)
            if lost and not force:
                raise refusal(store, lost, **wording)
        return fill(conn)


def _build_lake(store: LakeStore, *, force: bool, sample_rows: int, seed: int, built_by: str) -> BuildSummary:
    def fill(conn: duckdb.DuckDBPyConnection) -> BuildSummary:
        _create(conn, built_by)  # schema_lake.sql drops and recreates every table and view
        if sample_rows:
            sample.fill_lines(conn, rows=sample_rows, seed=seed, loaded_by=built_by)
        return _summary(conn, store)

    return replace_lake(store, fill, force=force)
