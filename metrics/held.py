"""The figures the position pages hold: the newest document's council-wide rows, with their basis and
source quote, and the small helpers the topic modules (metrics.budget, metrics.reserves, metrics.dsg) share.
Money is in £ millions. A function whose figures are not held raises FigureMissing, shown as "not reported".
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from metrics import figures, vintage
from metrics.figures import figures_as_at

PROVENANCE = ["basis", "qualifier", "derivation", "as_at_date", "source_document", "source_section", "source_quote"]


PERIOD_ORDER = {
    "budget": 0, "q1": 1, "q2": 2, "q3": 3, "forecast": 4, "as_at": 5, "outturn": 6, "plan": 7, "projection": 8,
}  # fmt: skip


QUARTERS = ("q1", "q2", "q3")


class FigureMissing(LookupError):
    """A figure a chart needs is not in the database."""


def latest_figures(conn: duckdb.DuckDBPyConnection, measures: list[str], *, as_at: date | None = None) -> pd.DataFrame:
    """Council-wide figures for some measures, the newest document's row for each measure/year/period/scenario."""
    frame = figures.figures(conn, measures, as_at=as_at, newest_only=True)
    return frame.drop(columns=["directorate", "is_latest", "load_id"]).reset_index(drop=True)


def one_figure(
    frame: pd.DataFrame, measure: str, fiscal_year: str | None, period: str, scenario: str | None = None
) -> pd.Series:
    """The one figure of `frame` for the measure, year, period and scenario; FigureMissing names what is not held."""
    match = frame[
        (frame["measure"] == measure)
        & (frame["fiscal_year"].isna() if fiscal_year is None else frame["fiscal_year"] == fiscal_year)
        & (frame["period"] == period)
        & (frame["scenario"].isna() if scenario is None else frame["scenario"] == scenario)
    ]
    if match.empty:
        raise FigureMissing(
            f"no {measure} figure for {fiscal_year or 'no year'} ({period}, {scenario or 'no scenario'})"
        )
    return match.iloc[0]


def figure_rows(rows: list[pd.Series], **extra: list) -> pd.DataFrame:
    """Figures as a frame, with extra columns (one value per figure)."""
    frame = pd.DataFrame(rows).reset_index(drop=True)
    for column, values in extra.items():
        frame[column] = values
    return frame


def by_period(frame: pd.DataFrame) -> pd.DataFrame:
    """Figures in year order, and within a year budget, quarters, forecast, outturn, plan, projection."""
    return (
        frame.assign(_order=frame["period"].map(PERIOD_ORDER))
        .sort_values(["fiscal_year", "_order"])
        .drop(columns="_order")
    )


def reference_date(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> date:
    """The date the page's figures are as at (metrics.vintage.reference_date): what "over 12 months old" counts from."""
    return vintage.reference_date(as_at, figures_as_at(conn, as_at=as_at))
