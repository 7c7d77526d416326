"""Reported figures: the council's position as the source document gives it."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

# The five headline figures, in the order the Overview shows them.
HEADLINE_FIGURES = (
    ("net_budget", "2021/22", "budget"),
    ("net_overspend", "2020/21", "outturn"),
    ("general_fund_reserve", "2020/21", "as_at"),
    ("usable_reserves", None, "as_at"),
    ("dsg_cumulative_deficit", "2020/21", "outturn"),
)


def figures(
    conn: duckdb.DuckDBPyConnection,
    measures: list[str] | None = None,
    *,
    fiscal_year: str | None = None,
    directorate: str | None = None,
) -> pd.DataFrame:
    """Reported figures, optionally for some measures, one year, one directorate (None = council)."""
    return conn.execute(
        """
        SELECT *
        FROM reported_figures
        WHERE ($measures IS NULL OR list_contains($measures, measure))
          AND ($fiscal_year IS NULL OR fiscal_year = $fiscal_year)
          AND directorate IS NOT DISTINCT FROM $directorate
        ORDER BY measure, fiscal_year NULLS FIRST, period, scenario NULLS FIRST, figure_id
        """,
        {"measures": measures, "fiscal_year": fiscal_year, "directorate": directorate},
    ).df()


def headline_position(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The five headline figures, one row each in display order, with their source quotes.

    Where a later load gives a newer figure for the same measure, year and period, the newest
    load wins; the 2021 document's figure is the fallback.
    """
    # The keys go in as list parameters, not a registered DataFrame: registering pandas frames from
    # concurrent sessions races in DuckDB ("Table Function with name pandas_scan does not exist").
    measures, years, periods = (list(column) for column in zip(*HEADLINE_FIGURES, strict=True))
    return conn.execute(
        """
        WITH headline_keys AS (
            SELECT unnest($measures) AS measure, unnest($years) AS fiscal_year, unnest($periods) AS period,
                   unnest(range(len($measures))) AS display_order
        )
        SELECT k.display_order, f.*
        FROM headline_keys k
        JOIN reported_figures f
          ON f.measure = k.measure
         AND f.fiscal_year IS NOT DISTINCT FROM k.fiscal_year
         AND f.period = k.period
         AND f.directorate IS NULL AND f.scenario IS NULL
        QUALIFY row_number() OVER (PARTITION BY k.display_order ORDER BY f.load_id DESC NULLS LAST) = 1
        ORDER BY k.display_order
        """,
        {"measures": measures, "years": years, "periods": periods},
    ).df()


def source_documents(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The documents the figures come from, newest first, for the as-at line."""
    return conn.execute(
        "SELECT source_id, title, published_on, file_name, sha256 FROM sources ORDER BY published_on DESC"
    ).df()


def figures_as_at(conn: duckdb.DuckDBPyConnection) -> date | None:
    """The date the reported figures are as at: the newest source document's publication date."""
    row = conn.execute("SELECT max(published_on) FROM sources").fetchone()
    return row[0] if row else None
