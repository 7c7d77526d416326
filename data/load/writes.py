"""Preview, apply and undo a validated file: each write one transaction, checked against the actor's role."""

from __future__ import annotations

from datetime import datetime

import duckdb

from data.access import Actor, require
from data.load._model import KINDS, LoadRejected, LoadResult, ParsedFile, Preview, Problem, UndoResult
from data.vocab import month_label


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
    if parsed.kind == "figures":
        conn.register("incoming_figures", parsed.frame)
        try:
            changes = conn.execute(
                """
                SELECT i.measure, i.fiscal_year, i.period, i.scenario, i.directorate, i.value, i.unit, i.basis,
                       i.source_document,
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
            f"{len(changes)} figure(s) will be added. {held} of them have figures already held for the same "
            "measure, year and period; both are kept and shown side by side, the newest load first."
        )
        return Preview("figures", parsed.file_name, changes, notes, duplicate)

    conn.register("incoming_lines", parsed.frame)
    try:
        changes = conn.execute(
            """
            WITH incoming AS (
                SELECT fiscal_year, period_month, directorate, count(*) AS lines_in_file,
                       count(*) FILTER (WHERE EXISTS (
                           SELECT 1 FROM monitoring m
                           WHERE m.basis = 'reported' AND m.fiscal_year = i.fiscal_year
                             AND m.period_month = i.period_month AND m.cost_centre = i.cost_centre)) AS replaced
                FROM incoming_lines i GROUP BY ALL
            ), held AS (
                SELECT fiscal_year, period_month, directorate, count(*) AS reported_lines_held
                FROM monitoring WHERE basis = 'reported' GROUP BY ALL
            )
            SELECT i.fiscal_year, i.period_month, i.directorate, i.lines_in_file,
                   i.lines_in_file - i.replaced AS lines_added, i.replaced AS lines_replaced,
                   greatest(coalesce(h.reported_lines_held, 0) - i.replaced, 0) AS lines_removed
            FROM incoming i LEFT JOIN held h USING (fiscal_year, period_month, directorate)
            ORDER BY i.fiscal_year, i.period_month, i.directorate
            """
        ).df()
        sample = conn.execute(
            """
            SELECT fiscal_year, count(*) FROM monitoring
            WHERE basis = 'sample' AND fiscal_year IN (SELECT DISTINCT fiscal_year FROM incoming_lines)
            GROUP BY fiscal_year ORDER BY fiscal_year
            """
        ).fetchall()
    finally:
        conn.unregister("incoming_lines")
    changes.insert(2, "month", changes["period_month"].map(month_label))
    notes.append(
        f"{len(parsed.frame):,} line(s) for {changes['directorate'].nunique()} directorate(s) and "
        f"{len(changes[['fiscal_year', 'period_month']].drop_duplicates())} month(s). Each directorate and month "
        "in the file replaces the reported lines already held for it."
    )
    return Preview("monitoring", parsed.file_name, changes, notes, duplicate, dict(sample))


def _commit(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("COMMIT")


def apply(
    conn: duckdb.DuckDBPyConnection, parsed: ParsedFile, actor: Actor, *, file_name: str | None = None
) -> LoadResult:
    """Write a validated file in one transaction and record it in `loads`. All or nothing."""
    require(actor, "admin", "load data")
    conn.execute("BEGIN TRANSACTION")
    try:
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
        load_id = conn.execute(
            "INSERT INTO loads (load_id, kind, file_name, sha256, row_count, loaded_at, loaded_by) "
            "VALUES (nextval('load_id_seq'), $kind, $name, $sha, $rows, $at, $by) RETURNING load_id",
            {
                "kind": parsed.kind,
                "name": file_name or parsed.file_name,
                "sha": parsed.sha256,
                "rows": len(parsed.frame),
                "at": datetime.now(),
                "by": actor.identity,
            },
        ).fetchall()[0][0]
        replaced = sample_replaced = 0
        if parsed.kind == "monitoring":
            conn.register("incoming_lines", parsed.frame)
            try:
                # The lines this load replaces: sample lines of the file's years, and reported lines of the
                # file's (year, month, directorate) slices.
                conn.execute(
                    """
                    CREATE OR REPLACE TEMP TABLE replaced_lines AS
                    SELECT m.rowid AS line_rowid FROM monitoring m
                    WHERE (m.basis = 'sample' AND m.fiscal_year IN (SELECT DISTINCT fiscal_year FROM incoming_lines))
                       OR (m.basis = 'reported' AND EXISTS (
                           SELECT 1 FROM incoming_lines i
                           WHERE i.fiscal_year = m.fiscal_year AND i.period_month = m.period_month
                             AND i.directorate = m.directorate))
                    """
                )
                sample_replaced, replaced = conn.execute(
                    """
                    SELECT count(*) FILTER (WHERE basis = 'sample'), count(*) FILTER (WHERE basis = 'reported')
                    FROM monitoring WHERE rowid IN (SELECT line_rowid FROM replaced_lines)
                    """
                ).fetchall()[0]
                conn.execute(
                    """
                    INSERT INTO monitoring_replaced
                    SELECT fiscal_year, period_month, directorate, service, cost_centre, budget_gbp, actual_gbp,
                           forecast_gbp, basis, load_id, $load_id
                    FROM monitoring WHERE rowid IN (SELECT line_rowid FROM replaced_lines)
                    """,
                    {"load_id": load_id},
                )
                conn.execute("DELETE FROM monitoring WHERE rowid IN (SELECT line_rowid FROM replaced_lines)")
                conn.execute("DROP TABLE replaced_lines")
                conn.execute(
                    """
                    INSERT INTO monitoring
                    SELECT fiscal_year, period_month, directorate, service, cost_centre,
                           CAST(budget_gbp AS DECIMAL(14, 2)), CAST(actual_gbp AS DECIMAL(14, 2)),
                           CAST(forecast_gbp AS DECIMAL(14, 2)), 'reported', $load_id
                    FROM incoming_lines
                    """,
                    {"load_id": load_id},
                )
            finally:
                conn.unregister("incoming_lines")
        else:
            conn.register("incoming_figures", parsed.frame)
            try:
                conn.execute(
                    """
                    INSERT INTO reported_figures
                    SELECT printf('L%04d-%04d', $load_id, row_number() OVER ()), measure, label, fiscal_year,
                           period, scenario, directorate, value, unit, qualifier, basis, derivation,
                           CAST(as_at_date AS DATE), source_document, source_section, source_quote, $load_id
                    FROM incoming_figures
                    """,
                    {"load_id": load_id},
                )
            finally:
                conn.unregister("incoming_figures")
        _commit(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return LoadResult(load_id, parsed.kind, len(parsed.frame), int(replaced), int(sample_replaced))


def undo(conn: duckdb.DuckDBPyConnection, load_id: int, actor: Actor) -> UndoResult:
    """Remove what a load added and put back the lines it replaced. One transaction."""
    require(actor, "admin", "undo a load")
    conn.execute("BEGIN TRANSACTION")
    try:
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
                "SELECT DISTINCT replaced_by FROM monitoring_replaced WHERE load_id = $id ORDER BY 1", {"id": load_id}
            ).fetchall()
        ]
        if later:
            raise ValueError(
                f"Load {load_id}'s lines were since replaced by load {', '.join(map(str, later))}; "
                "undo the later load first."
            )
        removed = conn.execute("SELECT count(*) FROM monitoring WHERE load_id = $id", {"id": load_id}).fetchall()[0][0]
        removed += conn.execute(
            "SELECT count(*) FROM reported_figures WHERE load_id = $id", {"id": load_id}
        ).fetchall()[0][0]
        conn.execute("DELETE FROM monitoring WHERE load_id = $id", {"id": load_id})
        conn.execute("DELETE FROM reported_figures WHERE load_id = $id", {"id": load_id})
        # Sample lines come back only if they belong to the current sample fill.
        restored = conn.execute(
            """
            INSERT INTO monitoring
            SELECT fiscal_year, period_month, directorate, service, cost_centre, budget_gbp, actual_gbp,
                   forecast_gbp, basis, load_id
            FROM monitoring_replaced
            WHERE replaced_by = $id
              AND (basis = 'reported' OR load_id = (SELECT max(load_id) FROM loads WHERE kind = 'sample'))
            """,
            {"id": load_id},
        ).fetchall()[0][0]
        conn.execute("DELETE FROM monitoring_replaced WHERE replaced_by = $id", {"id": load_id})
        conn.execute(
            "UPDATE loads SET undone_at = $at, undone_by = $by WHERE load_id = $id",
            {"at": datetime.now(), "by": actor.identity, "id": load_id},
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return UndoResult(load_id, int(removed), int(restored))
