"""The record of data loads: what was loaded, when and by whom."""

from __future__ import annotations

import duckdb
import pandas as pd


def last_data_change(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The newest change to the data, a load or the undo of one: at most one row (load_id, kind, file_name,
    change 'loaded' or 'undone', changed_at). An undo is a change of its own: after it, the load it undid is not
    the data in use, so naming that load as the last change without the undo misleads."""
    return conn.execute(
        """
        SELECT load_id, kind, file_name, change, changed_at FROM (
            SELECT load_id, kind, file_name, 'loaded' AS change, loaded_at AS changed_at FROM loads
            UNION ALL
            SELECT load_id, kind, file_name, 'undone', undone_at FROM loads WHERE undone_at IS NOT NULL
        ) ORDER BY changed_at DESC, load_id DESC LIMIT 1
        """
    ).df()


def load_history(conn: duckdb.DuckDBPyConnection, *, limit: int = 50) -> pd.DataFrame:
    """Loads newest first, one row per load: what it added (`row_count`), how many held lines it replaced
    and keeps to put back (0 once undone), the later loads that replaced its own lines (`replaced_by`, e.g.
    "4, 7", or None), and when and by whom it was undone, if it was."""
    return conn.execute(
        """
        WITH kept AS (
            SELECT load_id, replaced_by FROM monitoring_replaced
            UNION ALL SELECT load_id, replaced_by FROM savings_replaced
        ), replacing AS (
            SELECT replaced_by AS load_id, count(*) AS lines_replaced FROM kept GROUP BY ALL
        ), replaced AS (
            SELECT load_id, string_agg(DISTINCT replaced_by::VARCHAR, ', ' ORDER BY replaced_by::VARCHAR)
                   AS replaced_by
            FROM kept GROUP BY ALL
        )
        SELECT load_id, kind, file_name, row_count, coalesce(lines_replaced, 0) AS lines_replaced, replaced_by,
               loaded_at, loaded_by, undone_at, undone_by, sha256
        FROM loads LEFT JOIN replacing USING (load_id) LEFT JOIN replaced USING (load_id)
        ORDER BY loaded_at DESC, load_id DESC LIMIT $limit
        """,
        {"limit": limit},
    ).df()


def figures_with_sources(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every reported figure with its source quote and its document's date and, for loaded figures, the file it
    came from."""
    return conn.execute(
        """
        SELECT f.figure_id, f.label, f.fiscal_year, f.period, f.scenario, f.directorate, f.value, f.unit,
               f.qualifier, f.basis, f.source_document, s.published_on AS source_date,
               f.source_section, f.source_quote, f.load_id, l.file_name AS loaded_from
        FROM reported_figures f LEFT JOIN loads l USING (load_id) LEFT JOIN sources s USING (source_id)
        ORDER BY f.load_id NULLS FIRST, f.figure_id
        """
    ).df()


def undoable_loads(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Loaded files that have not been undone, newest first."""
    return conn.execute(
        """
        SELECT load_id, kind, file_name, row_count, loaded_at, loaded_by FROM loads
        WHERE kind NOT IN ('build', 'sample') AND undone_at IS NULL
        ORDER BY load_id DESC
        """
    ).df()
