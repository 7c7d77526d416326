"""The current year: which financial year the Overview leads with, and its headline figures.

The current year is the financial year of the page's as-at date (today when none is chosen), or the latest
year before it with a net budget held. Its headline is that year's net budget and its latest forecast
variance (a quarter's reported forecast or the period-close monitoring total, whichever is later in the year;
when the year has none yet, the latest of the most recent earlier year that has one, with its year), beside the
latest DSG deficit and reserves. Figures of older and later years are context, never the headline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from data import vocab
from metrics import figures, monitoring

# How far into the year each period is, in months: a quarter's forecast against a period close (P1 = April).
_MONTH_OF_PERIOD = {"q1": 3, "q2": 6, "q3": 9, "forecast": 10, "outturn": 12}


def fiscal_year_of(day: date) -> str:
    """The financial year a date falls in (April to March): 6 Dec 2026 -> '2026/27'."""
    return vocab.fiscal_year_label(day.year if day.month >= 4 else day.year - 1)


@dataclass(frozen=True)
class CurrentYear:
    fiscal_year: str
    words: str  # why this year, for the screen


def current_year(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> CurrentYear:
    """The as-at date's financial year, or the latest year before it with a net budget held (said which)."""
    day = as_at or date.today()
    year = fiscal_year_of(day)
    budgets = figures.figures(conn, ["net_budget"], as_at=as_at, newest_only=True)
    held = sorted(y for y in budgets.loc[budgets["period"] == "budget", "fiscal_year"].dropna() if y <= year)
    if year in held or not held:
        return CurrentYear(year, f"the financial year of {day:%-d %B %Y}")
    return CurrentYear(held[-1], f"the latest year with a net budget held before {year} (the year of {day:%-d %B %Y})")


def _monitoring_total(conn: duckdb.DuckDBPyConnection, year: str) -> pd.Series | None:
    """The period-close monitoring total for the year's latest period, as a figure row (£m), if any is held."""
    held = monitoring.periods(conn, fiscal_year=year)
    if not held:
        return None
    period = held[-1]
    total = monitoring.council_total(conn, fiscal_year=year, period=period, previous=None).iloc[0]
    sample = int(total["sample_lines"]) > 0
    return pd.Series(
        {
            "measure": "net_overspend",
            "label": "Forecast variance at the period close",
            "fiscal_year": year,
            "period": vocab.period_label(period),
            "scenario": None,
            "value": float(total["variance_gbp"]) / 1e6,
            "unit": "gbp_m",
            "qualifier": None,
            "basis": "sample" if sample else "reported",
            "derivation": None,
            "source_document": f"Period-close monitoring, {vocab.period_label(period)} {year}",
            "source_section": "Directorate monitoring lines (Directorates page)",
            "source_quote": f"Council total of {int(total['lines'])} monitoring lines at {vocab.period_label(period)}",
            "source_date": None,
            "known_on": None,
            "month": period,
        }
    )


def current_position(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """The Overview's headline: the current year's net budget and latest forecast variance (else the latest
    of the most recent earlier year, labelled with its year), the latest DSG deficit and reserves; one row each, in
    display order (figures.headline_position's), a measure with no figure left out."""
    year = current_year(conn, as_at=as_at).fiscal_year
    latest = figures.headline_position(conn, as_at=as_at)
    held = figures.figures(conn, ["net_budget", "net_overspend"], as_at=as_at, newest_only=True)
    held = held[held["scenario"].isna()]
    rows = []
    for _, row in latest.iterrows():
        if row["measure"] == "net_budget":
            budget = held[(held["measure"] == "net_budget") & (held["fiscal_year"] == year)]
            if not budget.empty:
                rows.append(_in_order(budget.iloc[0], row))
        elif row["measure"] == "net_overspend":
            variance = _latest_variance(conn, held, year, as_at)
            if variance is not None:
                rows.append(_in_order(variance, row))
        else:
            rows.append(row)
    return pd.DataFrame(rows).reset_index(drop=True) if rows else latest.iloc[0:0]


def _in_order(figure: pd.Series, headline: pd.Series) -> pd.Series:
    figure = figure.copy()
    figure["display_order"] = headline["display_order"]
    return figure


def _latest_variance(
    conn: duckdb.DuckDBPyConnection, held: pd.DataFrame, year: str, as_at: date | None
) -> pd.Series | None:
    """The year's latest forecast variance; when it has none yet, the latest of the most recent earlier year
    that has one (its outturn, else its latest quarter's forecast or period close), which carries its year."""
    closing_years = set() if as_at is not None else set(monitoring.years(conn)["fiscal_year"])
    variance_years = set(held.loc[held["measure"] == "net_overspend", "fiscal_year"].dropna())
    for candidate in sorted({y for y in variance_years | closing_years if y <= year} | {year}, reverse=True):
        best = _latest_in_year(conn, held, candidate, closing_years)
        if best is not None:
            return best
    return None


def _latest_in_year(
    conn: duckdb.DuckDBPyConnection, held: pd.DataFrame, year: str, closing_years: set[str]
) -> pd.Series | None:
    reported = held[(held["measure"] == "net_overspend") & (held["fiscal_year"] == year)]
    reported = reported[reported["period"].isin(list(_MONTH_OF_PERIOD))]
    best = None
    if not reported.empty:
        months = reported["period"].map(_MONTH_OF_PERIOD)
        best = reported.loc[months.idxmax()].copy()
        best["month"] = months.max()
    closing = _monitoring_total(conn, year) if year in closing_years else None
    if closing is not None and (best is None or closing["month"] > best["month"]):
        best = closing
    return None if best is None else best.drop(labels="month")
