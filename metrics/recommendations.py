"""The peer challenge action plan and its latest recorded status."""

from __future__ import annotations

import duckdb
import pandas as pd


def recommendations_with_status(
    conn: duckdb.DuckDBPyConnection,
    *,
    theme: str | None = None,
    status: str | None = None,
) -> pd.DataFrame:
    """One row per recommendation with its latest update, optionally for one theme or status."""
    return conn.execute(
        """
        SELECT rec_no, theme, recommendation, response, timeline_text, timeline_kind, due_date,
               lead, see_also, source_appendix, source_issues, status, percent_complete,
               revised_due_date, note, evidence_url, updated_by, updated_at
        FROM recommendation_status
        WHERE ($theme IS NULL OR theme = $theme) AND ($status IS NULL OR status = $status)
        ORDER BY rec_no
        """,
        {"theme": theme, "status": status},
    ).df()


def status_counts(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """How many recommendations are at each latest status."""
    return conn.execute(
        "SELECT status, count(*) AS recommendations FROM recommendation_status GROUP BY status ORDER BY status"
    ).df()
