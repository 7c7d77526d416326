"""The peer challenge action plan and its latest recorded status."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

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


def status_counts(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """How many recommendations are at each latest status (as recorded by the end of `as_at`, if given)."""
    cutoff = None if as_at is None else datetime.combine(as_at + timedelta(days=1), time.min)
    return conn.execute(
        """
        SELECT u.status, count(*) AS recommendations
        FROM recommendations r
        LEFT JOIN (
            SELECT rec_no, status FROM action_updates
            WHERE $cutoff IS NULL OR updated_at < $cutoff
            QUALIFY row_number() OVER (PARTITION BY rec_no ORDER BY updated_at DESC, update_id DESC) = 1
        ) u USING (rec_no)
        GROUP BY u.status ORDER BY u.status
        """,
        {"cutoff": cutoff},
    ).df()
