"""Reported figures: the council's position as its documents give it, newest source first.

Every figure is known from the date of the document it comes from (`known_on`: the source's publication
date, else the day its file was loaded). `as_at` keeps only figures known on or before a date, so the
dashboard can show itself as it stood then. Where two documents give the same quantity (measure, year,
period, scenario, directorate) the newer one is shown (`is_latest`) and the older stays as a revision.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

# The 2021 report's five headline figures, in the order the Overview shows them.
HEADLINE_FIGURES = (
    ("net_budget", "2021/22", "budget"),
    ("net_overspend", "2020/21", "outturn"),
    ("general_fund_reserve", "2020/21", "as_at"),
    ("usable_reserves", None, "as_at"),
    ("dsg_cumulative_deficit", "2020/21", "outturn"),
)
# The latest position: per measure, the periods that count as "where things stand", best first.
LATEST_POSITION = (
    ("net_budget", ("budget",)),
    ("net_overspend", ("outturn", "q3", "q2", "q1", "forecast")),
    ("general_fund_reserve", ("outturn", "as_at")),  # a balance: its year-end value either way
    ("usable_reserves", ("outturn", "as_at")),
    ("dsg_cumulative_deficit", ("outturn", "as_at", "q3", "q2", "q1")),
)
REPORT_DATE = date(2021, 10, 5)  # the Cabinet report the dashboard was first built from


def known_figures(
    conn: duckdb.DuckDBPyConnection,
    measures: list[str] | None = None,
    *,
    as_at: date | None = None,
) -> pd.DataFrame:
    """Every figure known on `as_at` (all if None), with its source's date and whether it is the newest.

    `is_latest` marks the row shown for its quantity; `earlier` lists the older figures it replaces.
    """
    frame = conn.execute(
        """
        WITH known AS (
            SELECT f.*, s.title AS source_title, s.published_on AS source_date, s.url AS source_url,
                   coalesce(s.published_on, CAST(l.loaded_at AS DATE)) AS known_on
            FROM reported_figures f
            LEFT JOIN sources s USING (source_id)
            LEFT JOIN loads l ON l.load_id = f.load_id
            WHERE ($measures IS NULL OR list_contains($measures, f.measure))
        )
        SELECT *,
               row_number() OVER (
                   PARTITION BY measure, fiscal_year, period, scenario, directorate
                   ORDER BY known_on DESC NULLS FIRST, load_id DESC NULLS LAST, figure_id DESC
               ) = 1 AS is_latest
        FROM known
        WHERE $as_at IS NULL OR known_on IS NULL OR known_on <= $as_at
        ORDER BY measure, fiscal_year NULLS FIRST, period, scenario NULLS FIRST, directorate NULLS FIRST,
                 known_on DESC NULLS FIRST, load_id DESC NULLS LAST
        """,
        {"measures": measures, "as_at": as_at},
    ).df()
    frame["earlier"] = _earlier(frame)
    return frame


def _earlier(frame: pd.DataFrame) -> pd.Series:
    """For each newest row, the older figures for the same quantity in words; empty otherwise."""
    key = ["measure", "fiscal_year", "period", "scenario", "directorate"]
    if frame.empty:
        return pd.Series([], dtype=object)
    texts: dict[tuple, str] = {}
    older = frame[~frame["is_latest"]]
    for group, rows in older.groupby(key, dropna=False, sort=False):
        texts[_key(group)] = "; ".join(f"{row['value']:g} ({row['source_document']})" for _, row in rows.iterrows())
    return pd.Series(
        [texts.get(_key(tuple(row[k] for k in key)), "") if row["is_latest"] else "" for _, row in frame.iterrows()],
        index=frame.index,
        dtype=object,
    )


def _key(values: tuple) -> tuple:
    return tuple(None if pd.isna(value) else value for value in values)


def figures(
    conn: duckdb.DuckDBPyConnection,
    measures: list[str] | None = None,
    *,
    fiscal_year: str | None = None,
    directorate: str | None = None,
    as_at: date | None = None,
    newest_only: bool = False,
) -> pd.DataFrame:
    """Figures, optionally for some measures, one year, one directorate (None = council); every version held,
    or with `newest_only` just the newest document's for each quantity (`is_latest` says which is which)."""
    frame = known_figures(conn, measures, as_at=as_at)
    if newest_only:
        frame = frame[frame["is_latest"]]
    if fiscal_year is not None:
        frame = frame[frame["fiscal_year"] == fiscal_year]
    frame = frame[frame["directorate"].isna() if directorate is None else frame["directorate"] == directorate]
    return frame.reset_index(drop=True)


def directorate_level(
    conn: duckdb.DuckDBPyConnection, measures: list[str] | None, *, as_at: date | None = None
) -> pd.DataFrame:
    """The newest figures given for single directorates (they sit beside the council-wide ones)."""
    frame = known_figures(conn, measures, as_at=as_at)
    return frame[frame["is_latest"] & frame["directorate"].notna()].reset_index(drop=True)


def newer_for_directorates(
    conn: duckdb.DuckDBPyConnection, fiscal_year: str, *, as_at: date | None = None
) -> pd.DataFrame:
    """Figures reported for single directorates for years after `fiscal_year`, the year of the period close a
    page shows: newer than what it shows, so it names them. Newest year first; `of_directorates` narrows them."""
    frame = directorate_level(conn, None, as_at=as_at)
    frame = frame[frame["fiscal_year"].notna() & (frame["fiscal_year"] > fiscal_year)]
    return frame.sort_values(["fiscal_year", "known_on"], ascending=False).reset_index(drop=True)


def of_directorates(frame: pd.DataFrame, directorates: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """The rows for the chosen directorates; all rows when none is chosen (the whole council's view)."""
    return frame[frame["directorate"].isin(list(directorates))] if directorates else frame


def revisions(conn: duckdb.DuckDBPyConnection, measures: list[str], *, as_at: date | None = None) -> pd.DataFrame:
    """Figures a newer document has replaced, for the "earlier figures" tables."""
    frame = known_figures(conn, measures, as_at=as_at)
    return frame[~frame["is_latest"]].reset_index(drop=True)


def report_headline(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The 2021 report's five headline figures as it gave them, whatever has been loaded since."""
    frame = known_figures(conn, [m for m, _, _ in HEADLINE_FIGURES], as_at=REPORT_DATE)
    frame = frame[frame["is_latest"] & frame["directorate"].isna() & frame["scenario"].isna()]
    rows = []
    for order, (measure, year, period) in enumerate(HEADLINE_FIGURES):
        match = frame[
            (frame["measure"] == measure)
            & (frame["fiscal_year"].isna() if year is None else frame["fiscal_year"] == year)
            & (frame["period"] == period)
        ]
        if not match.empty:
            rows.append(match.iloc[0].to_frame().T.assign(display_order=order))
    return _frame(rows, frame)


def headline_position(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """The latest position: per headline measure, the newest year's figure, one row each in display order.

    A measure with no figure is left out (the page says "not reported" for it). With only the 2021
    report loaded this is the report's own headline.
    """
    frame = known_figures(conn, [m for m, _ in LATEST_POSITION], as_at=as_at)
    frame = frame[frame["is_latest"] & frame["directorate"].isna() & frame["scenario"].isna()]
    rows = []
    for order, (measure, periods) in enumerate(LATEST_POSITION):
        match = frame[(frame["measure"] == measure) & frame["period"].isin(periods)]
        if match.empty:
            continue
        match = match.assign(_rank=match["period"].map(list(periods).index)).sort_values(
            ["fiscal_year", "_rank"], ascending=[False, True], na_position="last"
        )
        rows.append(match.iloc[[0]].drop(columns="_rank").assign(display_order=order))
    return _frame(rows, frame)


def _frame(rows: list[pd.DataFrame], like: pd.DataFrame) -> pd.DataFrame:
    if not rows:
        return like.iloc[0:0].assign(display_order=pd.Series(dtype="int64"))
    return pd.concat(rows, ignore_index=True)


def headline_measures() -> list[str]:
    return [measure for measure, _ in LATEST_POSITION]


def source_documents(
    conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None, source_ids: list[str] | None = None
) -> pd.DataFrame:
    """The documents the figures come from (published by `as_at`, or only `source_ids`), newest first."""
    return conn.execute(
        """
        SELECT s.source_id, s.title, s.published_on, s.file_name, s.sha256, s.url, s.load_id,
               coalesce(s.published_on, CAST(l.loaded_at AS DATE)) AS known_on
        FROM sources s LEFT JOIN loads l ON l.load_id = s.load_id
        WHERE ($as_at IS NULL OR coalesce(s.published_on, CAST(l.loaded_at AS DATE)) <= $as_at)
          AND ($ids IS NULL OR list_contains($ids, s.source_id))
        ORDER BY known_on DESC, s.source_id
        """,
        {"as_at": as_at, "ids": source_ids},
    ).df()


def figures_as_at(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> date | None:
    """The date the figures are as at: the newest source document known by `as_at`."""
    sources = source_documents(conn, as_at=as_at)
    if sources.empty:
        return None
    newest = pd.to_datetime(sources["known_on"]).max()
    return None if pd.isna(newest) else newest.date()


def measure_catalogue(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The catalogue of measures a figures file may use, in key order."""
    return conn.execute(
        "SELECT measure, label, unit, definition, aliases, periods, scenarios FROM measures ORDER BY measure"
    ).df()
