"""Small Streamlit pieces every page uses. Layout only: numbers come from metrics/."""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pandas as pd
import streamlit as st

from data import db as data_db
from data import vocab
from ui.safe import plain

log = logging.getLogger("finance_dashboard")


@contextmanager
def database(read_only: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database for this page run. Read-only unless the page writes."""
    with data_db.connect(read_only=read_only) as conn:
        yield conn


def report_error(error: BaseException) -> str:
    """Log the full trace under a short reference and show the user only the reference."""
    reference = uuid.uuid4().hex[:8]
    log.error("error reference %s\n%s", reference, "".join(traceback.format_exception(error)))
    return reference


def show_unexpected_error(error: BaseException) -> None:
    if isinstance(error, data_db.DatabaseMissing):
        st.error(f"{error}. Run `make run`, which builds it.")
        return
    if isinstance(error, data_db.DatabaseBusy):
        st.warning("The database is busy with a load. Wait a moment and try again.")
        return
    reference = report_error(error)
    st.error(
        f"Something went wrong showing this page. Nothing has been changed. "
        f"Quote reference {reference} to the dashboard's administrator, who can find the details in the server log."
    )


def figure_metric(row: pd.Series, *, label: str | None = None) -> None:
    """One reported figure as a metric, with its source quote on hover."""
    basis_note = "" if row["basis"] == "reported" else f" ({row['basis']})"
    # Quotes and labels come from data (loaded figures too): escaped so Markdown shows them as written.
    help_text = f'"{plain(row["source_quote"])}" — {plain(row["source_document"])}, {plain(row["source_section"])}.'
    if isinstance(row.get("derivation"), str) and row["derivation"]:
        help_text += f" Derived: {plain(row['derivation'])}."
    st.metric(
        label=(label or plain(row["label"])) + basis_note,
        value=vocab.figure(row["value"], row["unit"], row["qualifier"] if isinstance(row["qualifier"], str) else None),
        help=help_text,
    )


def not_built_yet(what: str, issue: str) -> None:
    st.info(f"{what} is not built yet (planned in {issue}). The figures it will show are already in the database.")


def as_at_line(sources: pd.DataFrame) -> None:
    """Which document the page's figures come from and its date."""
    if sources.empty:
        st.warning("No source document is recorded in the database.")
        return
    newest = sources.iloc[0]
    st.caption(
        f"Figures from **{newest['title']}**, published {newest['published_on']:%-d %B %Y}. "
        "Hover over a figure to read the sentence it comes from; derived, interpolated and modelled values say so."
    )


SOURCE_TABLE_COLUMNS = {
    "label": "Figure",
    "fiscal_year": "Year",
    "period": "Period",
    "scenario": "Scenario",
    "value_gbp_m": "Value",
    "unit": "Unit",
    "qualifier": "Qualifier",
    "basis": "Basis",
    "derivation": "How it is derived",
    "source_section": "Section",
    "source_quote": "The document says",
}


def sources_expander(figures: pd.DataFrame, *, title: str = "Where the figures on this page come from") -> None:
    """Every reported figure a page uses, with its section and the sentence it comes from."""
    with st.expander(title):
        shown = figures.drop_duplicates(subset=["figure_id"]) if "figure_id" in figures else figures
        columns = [column for column in SOURCE_TABLE_COLUMNS if column in shown.columns]
        st.dataframe(shown[columns].rename(columns=SOURCE_TABLE_COLUMNS), hide_index=True, width="stretch")
