"""The record of data loads: what was loaded, when and by whom."""

from __future__ import annotations

import duckdb
import pandas as pd


def latest_loads(conn: duckdb.DuckDBPyConnection, *, limit: int = 20) -> pd.DataFrame:
    """Loads newest first, including undone ones (flagged)."""
    return conn.execute(
        """
        SELECT load_id, kind, file_name, sha256, row_count, loaded_at, loaded_by, undone_at, undone_by
        FROM loads ORDER BY loaded_at DESC, load_id DESC LIMIT $limit
        """,
        {"limit": limit},
    ).df()


def figures_with_sources(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every reported figure with its source quote and, for loaded figures, the file it came from."""
    return conn.execute(
        """
        SELECT f.figure_id, f.label, f.fiscal_year, f.period, f.scenario, f.directorate, f.value, f.unit,
               f.qualifier, f.basis, f.source_document, f.source_section, f.source_quote, f.load_id,
               l.file_name AS loaded_from
        FROM reported_figures f LEFT JOIN loads l USING (load_id)
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
