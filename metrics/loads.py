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
