"""Preview, apply and undo a validated file: each write one transaction, checked against the actor's role."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import duckdb
import pandas as pd

from data import db
from data.access import Actor, require
from data.load import benchmark_writes
from data.load._model import KINDS, LoadRejected, LoadResult, ParsedFile, Preview, Problem, UndoResult
from data.vocab import counted, period_label

SLICED = ("monitoring", "savings")  # loads that replace (year, period, directorate) slices of their table

# Another replica (or session) wrote the same rows between this write's start and its commit.
CONFLICT = "someone else changed the same data at the same moment, so nothing was changed; try again"

# The rows a load replaces (preview counts them, apply moves them to <table>_replaced): sample rows of
# the file's years, and reported rows of the file's (year, period, directorate) slices. A cost centre
# belongs to one directorate in a period, so a monitoring file that puts it under another directorate
# replaces its line under the old one too; otherwise it would be counted in both. Each table's SQL is
# written out in full: table names cannot be parameters, and SQL is never assembled from strings here.
# Every rule is its own equi-join, run as a hash join, one statement each (one UNION of them ran the three
# scans of the incoming rows at once, doubling the peak): one join on "same directorate OR same cost
# centre" compared every held line with every incoming line.
_FIND_REPLACED = {
    "monitoring": (
        """
        CREATE OR REPLACE TEMP TABLE replaced_rows AS
        SELECT rowid AS row_id FROM monitoring
        WHERE basis = 'sample' AND fiscal_year IN (SELECT DISTINCT fiscal_year FROM incoming_rows)
        """,
        """
        INSERT INTO replaced_rows
        SELECT m.rowid FROM monitoring m
        SEMI JOIN (SELECT DISTINCT fiscal_year, period, directorate FROM incoming_rows) i
          ON i.fiscal_year = m.fiscal_year AND i.period = m.period AND i.directorate = m.directorate
        WHERE m.basis = 'reported'
        """,
        """
        INSERT INTO replaced_rows
        SELECT m.rowid FROM monitoring m
        SEMI JOIN incoming_rows i
          ON i.fiscal_year = m.fiscal_year AND i.period = m.period AND i.cost_centre = m.cost_centre
        ANTI JOIN replaced_rows r ON r.row_id = m.rowid
        WHERE m.basis = 'reported'
        """,
    ),
    "savings": (
        """
        CREATE OR REPLACE TEMP TABLE replaced_rows AS
        SELECT rowid AS row_id FROM savings
        WHERE basis = 'sample' AND fiscal_year IN (SELECT DISTINCT fiscal_year FROM incoming_rows)
        """,
        """
        INSERT INTO replaced_rows
        SELECT m.rowid FROM savings m
        SEMI JOIN (SELECT DISTINCT fiscal_year, period, directorate FROM incoming_rows) i
          ON i.fiscal_year = m.fiscal_year AND i.period = m.period AND i.directorate = m.directorate
        WHERE m.basis = 'reported'
        """,
    ),
}
# For the preview: what is held and what comes in, as (year, period, directorate, item) with the item's
# two amounts: budget and forecast (a scheme's target and forecast delivery). A cost centre is the item
# of a monitoring line; a scheme is named within its directorate, so its item includes that. Then every
# reported line's amounts, from which the preview sums what is held now for each slice it shows.
_HELD_AND_INCOMING = {
    "monitoring": (
        """
        CREATE OR REPLACE TEMP TABLE held_items AS
        SELECT fiscal_year, period, directorate, cost_centre AS item FROM monitoring
        WHERE basis = 'reported' AND rowid IN (SELECT row_id FROM replaced_rows)
        """,
        """
        CREATE OR REPLACE TEMP TABLE incoming_items AS
        SELECT fiscal_year, period, directorate, cost_centre AS item,
               CAST(annual_budget_gbp AS DECIMAL(14, 2)) AS budget_gbp,
               CAST(forecast_outturn_gbp AS DECIMAL(14, 2)) AS forecast_gbp
        FROM incoming_rows
        """,
        """
        CREATE OR REPLACE TEMP VIEW held_amounts AS
        SELECT fiscal_year, period, directorate, annual_budget_gbp AS budget_gbp, forecast_outturn_gbp AS forecast_gbp
        FROM monitoring WHERE basis = 'reported'
        """,
    ),
    "savings": (
        """
        CREATE OR REPLACE TEMP TABLE held_items AS
        SELECT fiscal_year, period, directorate, directorate || ' / ' || scheme AS item FROM savings
        WHERE basis = 'reported' AND rowid IN (SELECT row_id FROM replaced_rows)
        """,
        """
        CREATE OR REPLACE TEMP TABLE incoming_items AS
        SELECT fiscal_year, period, directorate, directorate || ' / ' || scheme AS item,
               CAST(target_gbp AS DECIMAL(14, 2)) AS budget_gbp,
               CAST(forecast_delivery_gbp AS DECIMAL(14, 2)) AS forecast_gbp
        FROM incoming_rows
        """,
        """
        CREATE OR REPLACE TEMP VIEW held_amounts AS
        SELECT fiscal_year, period, directorate, target_gbp AS budget_gbp, forecast_delivery_gbp AS forecast_gbp
        FROM savings WHERE basis = 'reported'
        """,
    ),
}
# Per (year, period, directorate): lines in the file, how many are new or replace a held line of the
# same item, held lines with no line in the file (removed) or whose item the file puts under another
# directorate (moved), and the budget and forecast in the file and held now. Set-based: each side is
# joined once to the other's distinct items, never probed line by line.
_PREVIEW_SLICES = """
    WITH held_keys AS (
        SELECT DISTINCT fiscal_year, period, item FROM held_items
    ), incoming_keys AS (
        SELECT fiscal_year, period, item, min(directorate) AS first_directorate,
               max(directorate) AS last_directorate
        FROM incoming_items GROUP BY ALL
    ), incoming AS (
        SELECT i.fiscal_year, i.period, i.directorate, count(*) AS in_file, count(h.item) AS replaced,
               sum(i.budget_gbp) AS budget_in_file, sum(i.forecast_gbp) AS forecast_in_file
        FROM incoming_items i LEFT JOIN held_keys h USING (fiscal_year, period, item)
        GROUP BY ALL
    ), held_now AS (
        SELECT fiscal_year, period, directorate, sum(budget_gbp) AS budget_gbp, sum(forecast_gbp) AS forecast_gbp
        FROM held_amounts
        SEMI JOIN (SELECT fiscal_year, period, directorate FROM incoming_items
                   UNION SELECT fiscal_year, period, directorate FROM held_items) s
          USING (fiscal_year, period, directorate)
        GROUP BY ALL
    ), leaving AS (
        SELECT h.fiscal_year, h.period, h.directorate, count(*) FILTER (WHERE k.item IS NULL) AS removed,
               count(*) FILTER (WHERE k.first_directorate <> h.directorate
                                   OR k.last_directorate <> h.directorate) AS moved
        FROM held_items h LEFT JOIN incoming_keys k USING (fiscal_year, period, item)
        GROUP BY ALL
    )
    SELECT fiscal_year, period, directorate,
           coalesce(i.in_file, 0) AS in_file,
           coalesce(i.in_file - i.replaced, 0) AS added,
           coalesce(i.replaced, 0) AS replaced,
           coalesce(l.removed, 0) AS removed,
           coalesce(l.moved, 0) AS moved_to_another_directorate,
           coalesce(i.budget_in_file, 0) AS budget_in_file,
           coalesce(i.forecast_in_file, 0) AS forecast_in_file,
           coalesce(i.forecast_in_file, 0) - coalesce(i.budget_in_file, 0) AS variance_in_file,
           coalesce(n.budget_gbp, 0) AS budget_held_now,
           coalesce(n.forecast_gbp, 0) AS forecast_held_now,
           coalesce(n.forecast_gbp, 0) - coalesce(n.budget_gbp, 0) AS variance_held_now
    FROM incoming i FULL JOIN leaving l USING (fiscal_year, period, directorate)
    LEFT JOIN held_now n USING (fiscal_year, period, directorate)
    ORDER BY fiscal_year, period, directorate
"""
# The preview's amounts under each table's own names (pounds; "held now" counts reported lines only).
_AMOUNT_COLUMNS = {
    "monitoring": {
        "budget_in_file": "annual_budget_gbp_in_file",
        "forecast_in_file": "forecast_outturn_gbp_in_file",
        "variance_in_file": "variance_gbp_in_file",
        "budget_held_now": "annual_budget_gbp_held_now",
        "forecast_held_now": "forecast_outturn_gbp_held_now",
        "variance_held_now": "variance_gbp_held_now",
    },
    "savings": {
        "budget_in_file": "target_gbp_in_file",
        "forecast_in_file": "forecast_delivery_gbp_in_file",
        "variance_in_file": "delivery_less_target_gbp_in_file",
        "budget_held_now": "target_gbp_held_now",
        "forecast_held_now": "forecast_delivery_gbp_held_now",
        "variance_held_now": "delivery_less_target_gbp_held_now",
    },
}
_COUNT_REPLACED = {
    "monitoring": """
        SELECT fiscal_year, basis, count(*) FROM monitoring WHERE rowid IN (SELECT row_id FROM replaced_rows)
        GROUP BY ALL ORDER BY ALL
    """,
    "savings": """
        SELECT fiscal_year, basis, count(*) FROM savings WHERE rowid IN (SELECT row_id FROM replaced_rows)
        GROUP BY ALL ORDER BY ALL
    """,
}
_KEEP_REPLACED = {
    "monitoring": """
        INSERT INTO monitoring_replaced
        SELECT fiscal_year, period, directorate, service, cost_centre, annual_budget_gbp, actual_ytd_gbp,
               forecast_outturn_gbp, basis, load_id, $load_id
        FROM monitoring WHERE rowid IN (SELECT row_id FROM replaced_rows)
    """,
    "savings": """
        INSERT INTO savings_replaced
        SELECT fiscal_year, period, directorate, scheme, target_gbp, forecast_delivery_gbp, status, basis, load_id,
               $load_id
        FROM savings WHERE rowid IN (SELECT row_id FROM replaced_rows)
    """,
}
_DELETE_REPLACED = {
    "monitoring": "DELETE FROM monitoring WHERE rowid IN (SELECT row_id FROM replaced_rows)",
    "savings": "DELETE FROM savings WHERE rowid IN (SELECT row_id FROM replaced_rows)",
}
_INSERT_INCOMING = {
    "monitoring": """
        INSERT INTO monitoring
        SELECT fiscal_year, period, directorate, service, cost_centre, CAST(annual_budget_gbp AS DECIMAL(14, 2)),
               CAST(actual_ytd_gbp AS DECIMAL(14, 2)), CAST(forecast_outturn_gbp AS DECIMAL(14, 2)), 'reported',
               $load_id
        FROM incoming_rows
    """,
    "savings": """
        INSERT INTO savings
        SELECT fiscal_year, period, directorate, scheme, CAST(target_gbp AS DECIMAL(14, 2)),
               CAST(forecast_delivery_gbp AS DECIMAL(14, 2)), status, 'reported', $load_id
        FROM incoming_rows
    """,
}
# Undo: what a load added, in each table it can add to, and what it replaced, put back. Sample rows come
# back only if they belong to the current sample fill.
_COUNT_ADDED = {
    "monitoring": "SELECT count(*) FROM monitoring WHERE load_id = $id",
    "savings": "SELECT count(*) FROM savings WHERE load_id = $id",
    "reported_figures": "SELECT count(*) FROM reported_figures WHERE load_id = $id",
}
_DELETE_ADDED = {
    "monitoring": "DELETE FROM monitoring WHERE load_id = $id",
    "savings": "DELETE FROM savings WHERE load_id = $id",
    "reported_figures": "DELETE FROM reported_figures WHERE load_id = $id",
}
_RESTORE_REPLACED = {
    "monitoring": """
        INSERT INTO monitoring
        SELECT fiscal_year, period, directorate, service, cost_centre, annual_budget_gbp, actual_ytd_gbp,
               forecast_outturn_gbp, basis, load_id
        FROM monitoring_replaced
        WHERE replaced_by = $id
          AND (basis = 'reported' OR load_id = (SELECT max(load_id) FROM loads WHERE kind = 'sample'))
    """,
    "savings": """
        INSERT INTO savings
        SELECT fiscal_year, period, directorate, scheme, target_gbp, forecast_delivery_gbp, status, basis, load_id
        FROM savings_replaced
        WHERE replaced_by = $id
          AND (basis = 'reported' OR load_id = (SELECT max(load_id) FROM loads WHERE kind = 'sample'))
    """,
}
_FORGET_REPLACED = {
    "monitoring": "DELETE FROM monitoring_replaced WHERE replaced_by = $id",
    "savings": "DELETE FROM savings_replaced WHERE replaced_by = $id",
}


def _active_duplicate(conn: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> int | None:
    row = conn.execute(
        "SELECT min(load_id) FROM loads WHERE sha256 = $sha AND kind = $kind AND undone_at IS NULL",
        {"sha": parsed.sha256, "kind": parsed.kind},
    ).fetchall()[0]
    return row[0] if row else None


def preview(conn: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> Preview:
    """What applying `parsed` would change. Reads only."""
    duplicate = _active_duplicate(conn, parsed)
    notes: list[str] = []
    if parsed.kind in benchmark_writes.KINDS:
        return benchmark_writes.preview(conn, parsed, duplicate)
    if parsed.kind == "figures":
        conn.register("incoming_figures", parsed.frame)
        try:
            changes = conn.execute(
                """
                SELECT i.measure, i.fiscal_year, i.period, i.scenario, i.directorate, i.value, i.unit, i.basis,
                       CAST(i.as_at_date AS DATE)::VARCHAR AS as_at_date,
                       CAST(i.source_date AS DATE)::VARCHAR AS source_date, i.source_document,
                       (SELECT string_agg(f.value::VARCHAR || ' (' || f.basis || ', ' ||
                               coalesce('load ' || f.load_id::VARCHAR, '2021 report') || ')', '; '
                               ORDER BY f.load_id NULLS FIRST)
                        FROM reported_figures f
                        WHERE f.measure = i.measure AND f.fiscal_year IS NOT DISTINCT FROM i.fiscal_year
                          AND f.period = i.period AND f.scenario IS NOT DISTINCT FROM i.scenario
                          AND f.directorate IS NOT DISTINCT FROM i.directorate) AS figures_already_held
                FROM incoming_figures i
                """
            ).df()
        finally:
            conn.unregister("incoming_figures")
        held = int(changes["figures_already_held"].notna().sum())
        notes.append(
            f"{counted(len(changes), 'figure')} will be added. "
            + (
                f"{held:,} of them {'has a figure' if held == 1 else 'have figures'} already held for the same "
                "measure, year and period; both are kept: pages show the one from the newer document and list "
                "the other as an earlier figure."
                if held
                else "No figure in the file is held already for the same measure, year and period."
            )
        )
        for _, document in new_documents(conn, parsed).iterrows():
            dated = f"dated {document['source_date']}" if _cell(document["source_date"]) else "no date given"
            notes.append(f"New source document: {document['source_document']} ({dated}).")
        return Preview("figures", parsed.file_name, changes, notes, duplicate)

    table = parsed.kind
    if table not in SLICED:
        raise ValueError(f"unknown load kind {table!r}")
    if duplicate is not None:  # refused whatever the preview would say: spend nothing on it
        return Preview(table, parsed.file_name, pd.DataFrame(), [], duplicate)
    noun = "line" if table == "monitoring" else "scheme"
    conn.register("incoming_rows", parsed.arrow())
    try:
        for statement in (*_FIND_REPLACED[table], *_HELD_AND_INCOMING[table]):
            conn.execute(statement)
        changes = conn.execute(_PREVIEW_SLICES).df()
        replaced = conn.execute(_COUNT_REPLACED[table]).fetchall()
    finally:
        for temp in ("replaced_rows", "held_items", "incoming_items"):
            conn.execute("DROP TABLE IF EXISTS " + temp)
        conn.execute("DROP VIEW IF EXISTS held_amounts")
        conn.unregister("incoming_rows")
    sample = {year: count for year, basis, count in replaced if basis == "sample"}
    counts = ("in_file", "added", "replaced", "removed", "moved_to_another_directorate")
    changes = changes.rename(columns={**{c: f"{noun}s_{c}" for c in counts}, **_AMOUNT_COLUMNS[table]})
    moved = int(changes[f"{noun}s_moved_to_another_directorate"].sum())
    if table == "savings":
        changes = changes.drop(columns=f"{noun}s_moved_to_another_directorate")
    changes["period"] = changes["period"].map(period_label)
    notes = [*parsed.notes, *notes]
    notes.append(
        f"{counted(len(parsed.frame), noun)} for {counted(changes['directorate'].nunique(), 'directorate')} and "
        f"{counted(len(changes[['fiscal_year', 'period']].drop_duplicates()), 'period')}. Each directorate and period "
        f"in the file replaces the reported {noun}s already held for that directorate and period; other periods "
        "and directorates are kept."
    )
    if moved:
        notes.append(
            f"{counted(moved, 'cost centre')} {'moves' if moved == 1 else 'move'} to another directorate: a cost "
            "centre belongs to one directorate "
            "in a period, so its line under the old directorate is replaced too."
        )
    return Preview(table, parsed.file_name, changes, notes, duplicate, sample)


def _replace_slices(conn: duckdb.DuckDBPyConnection, parsed: ParsedFile, load_id: int) -> tuple[int, int]:
    """Inside apply's transaction: keep, then delete, what the file replaces; then insert the file's rows.

    Returns (reported rows replaced, sample rows replaced).
    """
    table = parsed.kind
    conn.register("incoming_rows", parsed.arrow())
    try:
        for statement in _FIND_REPLACED[table]:
            conn.execute(statement)
        counts = conn.execute(_COUNT_REPLACED[table]).fetchall()
        conn.execute(_KEEP_REPLACED[table], {"load_id": load_id})
        conn.execute(_DELETE_REPLACED[table])
        conn.execute("DROP TABLE replaced_rows")
        conn.execute(_INSERT_INCOMING[table], {"load_id": load_id})
    finally:
        conn.unregister("incoming_rows")
    replaced = sum(count for _, basis, count in counts if basis == "reported")
    return replaced, sum(count for _, basis, count in counts if basis == "sample")


def _cell(value: object) -> object:
    """None for a blank cell (None, NaN, NaT), else the value as text."""
    return None if value is None or pd.isna(value) else str(value)


def _documents(frame: pd.DataFrame) -> pd.DataFrame:
    """The distinct source documents a figures file cites: title, date (None if not given), URL."""
    cited = frame.reindex(columns=["source_document", "source_date", "source_url"])
    cited = pd.DataFrame({column: [_cell(value) for value in cited[column]] for column in cited.columns}, dtype=object)
    return cited.drop_duplicates(subset=["source_document", "source_date"]).reset_index(drop=True)


def _known_source(conn: duckdb.DuckDBPyConnection, title: str, published: object) -> str | None:
    row = conn.execute(
        "SELECT min(source_id) FROM sources WHERE title = $title "
        "AND ($date IS NULL OR published_on IS NOT DISTINCT FROM CAST($date AS DATE))",
        {"title": title, "date": published},
    ).fetchall()[0]
    return row[0]


def new_documents(conn: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> pd.DataFrame:
    """The documents a figures file cites that `sources` does not hold yet."""
    documents = _documents(parsed.frame)
    fresh = [
        _known_source(conn, row["source_document"], _cell(row["source_date"])) is None
        for row in documents.to_dict("records")
    ]
    return documents[fresh].reset_index(drop=True)


def _register_sources(conn: duckdb.DuckDBPyConnection, frame: pd.DataFrame, load_id: int) -> pd.DataFrame:
    """Add each cited document `sources` does not hold; return the frame with each row's source_id."""
    ids: dict[tuple, str] = {}
    for number, row in enumerate(_documents(frame).to_dict("records"), start=1):
        key = (row["source_document"], _cell(row["source_date"]))
        source_id = _known_source(conn, key[0], key[1])
        if source_id is None:
            source_id = f"L{load_id:04d}-S{number:02d}"
            conn.execute(
                "INSERT INTO sources (source_id, title, published_on, url, load_id) "
                "VALUES ($id, $title, CAST($date AS DATE), $url, $load_id)",
                {"id": source_id, "title": key[0], "date": key[1], "url": _cell(row["source_url"]), "load_id": load_id},
            )
        ids[key] = source_id
    dates = frame.reindex(columns=["source_date"])["source_date"]
    keys = zip(frame["source_document"], [_cell(d) for d in dates], strict=True)
    return frame.assign(source_id=[ids[key] for key in keys])


def _commit(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("COMMIT")


@contextmanager
def _reported_as(conflict: Exception) -> Iterator[None]:
    """A write that lost a race with another writer raises `conflict` instead (the race's error as its cause)."""
    try:
        yield
    except duckdb.TransactionException as error:
        if db.is_write_conflict(error):
            raise conflict from error
        raise


def apply(
    conn: duckdb.DuckDBPyConnection, parsed: ParsedFile, actor: Actor, *, file_name: str | None = None
) -> LoadResult:
    """Write a validated file in one transaction and record it in `loads`. All or nothing."""
    require(actor, "admin", "load data")
    conflict = LoadRejected([Problem(parsed.file_name, None, None, CONFLICT)])
    with _reported_as(conflict), db.transaction(conn, commit=_commit):
        duplicate = _active_duplicate(conn, parsed)
        if duplicate is not None:
            raise LoadRejected(
                [
                    Problem(
                        parsed.file_name,
                        None,
                        None,
                        f"this file was already loaded as load {duplicate}; undo load {duplicate} to load it again",
                    )
                ]
            )
        load_id = db.next_id(conn, "load_id")
        conn.execute(
            "INSERT INTO loads (load_id, kind, file_name, sha256, row_count, loaded_at, loaded_by) "
            "VALUES ($id, $kind, $name, $sha, $rows, $at, $by)",
            {
                "id": load_id,
                "kind": parsed.kind,
                "name": file_name or parsed.file_name,
                "sha": parsed.sha256,
                "rows": len(parsed.frame),
                "at": datetime.now(),
                "by": actor.identity,
            },
        )
        replaced = sample_replaced = 0
        if parsed.kind in SLICED:
            replaced, sample_replaced = _replace_slices(conn, parsed, load_id)
        elif parsed.kind in benchmark_writes.KINDS:
            replaced = benchmark_writes.replace(conn, parsed, load_id)
        else:
            incoming = _register_sources(conn, parsed.frame, load_id)
            conn.register("incoming_figures", incoming)
            try:
                conn.execute(
                    """
                    INSERT INTO reported_figures
                    SELECT printf('L%04d-%04d', $load_id, row_number() OVER ()), measure, label, fiscal_year,
                           period, scenario, directorate, value, unit, qualifier, basis, derivation,
                           CAST(as_at_date AS DATE), source_document, source_section, source_quote, $load_id,
                           source_id
                    FROM incoming_figures
                    """,
                    {"load_id": load_id},
                )
            finally:
                conn.unregister("incoming_figures")
        # On the shared store, schema.sql's rules for the rows this load wrote (no-op on the embedded file).
        for table in ("sources", "loads", "monitoring", "savings", "reported_figures", "returns"):
            db.enforce_schema_rules(conn, table, load_id)
    return LoadResult(load_id, parsed.kind, len(parsed.frame), int(replaced), int(sample_replaced))


def undo(conn: duckdb.DuckDBPyConnection, load_id: int, actor: Actor) -> UndoResult:
    """Remove what a load added and put back the lines it replaced. One transaction."""
    require(actor, "admin", "undo a load")
    with _reported_as(ValueError(f"Load {load_id} was not undone: {CONFLICT}")), db.transaction(conn):
        rows = conn.execute(
            "SELECT kind, undone_at, undone_by FROM loads WHERE load_id = $id", {"id": load_id}
        ).fetchall()
        if not rows:
            raise ValueError(f"There is no load {load_id}.")
        kind, undone_at, undone_by = rows[0]
        if kind not in KINDS:
            raise ValueError(f"Load {load_id} is a {kind}, not a loaded file; it cannot be undone.")
        if undone_at is not None:
            raise ValueError(f"Load {load_id} was already undone on {undone_at:%-d %b %Y %H:%M} by {undone_by}.")
        later = [
            r[0]
            for r in conn.execute(
                """
                SELECT DISTINCT replaced_by FROM monitoring_replaced WHERE load_id = $id
                UNION SELECT DISTINCT replaced_by FROM savings_replaced WHERE load_id = $id ORDER BY 1
                """,
                {"id": load_id},
            ).fetchall()
        ]
        later = sorted({*later, *benchmark_writes.later_loads(conn, load_id)})
        if later:
            raise ValueError(
                f"Load {load_id}'s lines were since replaced by load {', '.join(map(str, later))}; "
                "undo the later load first."
            )
        removed = restored = 0
        for table in _COUNT_ADDED:
            removed += conn.execute(_COUNT_ADDED[table], {"id": load_id}).fetchall()[0][0]
            conn.execute(_DELETE_ADDED[table], {"id": load_id})
        for table in SLICED:
            restored += conn.execute(_RESTORE_REPLACED[table], {"id": load_id}).fetchall()[0][0]
            conn.execute(_FORGET_REPLACED[table], {"id": load_id})
        benchmark_removed, benchmark_restored = benchmark_writes.undo(conn, load_id)
        removed, restored = removed + benchmark_removed, restored + benchmark_restored
        # A document this load registered goes with it, unless a later load's figures cite it too.
        conn.execute(
            """
            UPDATE sources SET load_id = (SELECT min(f.load_id) FROM reported_figures f
                                          WHERE f.source_id = sources.source_id)
            WHERE load_id = $id AND source_id IN (SELECT source_id FROM reported_figures WHERE source_id IS NOT NULL)
            """,
            {"id": load_id},
        )
        conn.execute("DELETE FROM sources WHERE load_id = $id", {"id": load_id})
        conn.execute(
            "UPDATE loads SET undone_at = $at, undone_by = $by WHERE load_id = $id",
            {"at": datetime.now(), "by": actor.identity, "id": load_id},
        )
    return UndoResult(load_id, int(removed), int(restored))
