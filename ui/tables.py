"""Tables as a person reads them: money as £m to the precision reported, a missing cell "not reported"; short
ones as a real table whose cells wrap, long ones and any on a phone in the data grid.

Only the cells shown change; the frames (and every export made from them) keep the unrounded values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from data import vocab
from ui.document import window_is_narrow
from ui.safe import plain

TABLE_ROWS_AT_MOST = 60  # a real <table> (read cell by cell by a screen reader) up to here; a data grid beyond


def readable(frame: pd.DataFrame, money: dict[str, str | None], *, blank: str = vocab.NOT_REPORTED) -> pd.DataFrame:
    """`frame` with each money column (name -> the column holding its basis, or None for 'reported') as text,
    and every other missing cell as `blank`: never None, nan or a raw float on screen."""
    # Cell by cell in Python, not through pandas' copy/astype/where: a page's tables are a few dozen cells, and
    # pandas' per-call overhead was a few ms a table, run on every visit (`python -m bench visits`).
    columns = {}
    for column in frame.columns:
        values = frame[column].tolist()
        if column in money:
            basis_column = money[column]
            bases = frame[basis_column].tolist() if basis_column else ["reported"] * len(values)
            columns[column] = [vocab.money_cell(value, basis=basis) for value, basis in zip(values, bases, strict=True)]
        else:
            columns[column] = [blank if _missing(value) else value for value in values]
    shown = pd.DataFrame(columns, index=frame.index, columns=frame.columns, dtype=object)
    return shown


def _missing(value: object) -> bool:
    """Whether one cell is missing as pandas counts it (None, NaN, NaT, NA); a list or array in a cell is not."""
    return pd.api.types.is_scalar(value) and bool(pd.isna(value))


# A reported figure's columns, in reading order, under the words every table of figures uses (the sources
# under a page, the register and a figures file's preview on the Data page, a directorate's figures).
FIGURE_HEADINGS = {
    "measure": "Measure",
    "label": "Figure",
    "fiscal_year": "Year",
    "period": "Period",
    "scenario": "Scenario",
    "directorate": "Directorate",
    "value": "Value",
    "unit": "Unit",
    "qualifier": "Qualifier",
    "basis": "Basis",
    "derivation": "How it is derived",
    "source_date": "Document date",
    "source_document": "Document",
    "source_section": "Section",
    "source_quote": "The document says",
    "earlier": "Replaces (older documents)",
    "figures_already_held": "Figures already held for it",
    "loaded_from": "Loaded from file",
    "load_id": "Load",
    "figure_id": "Figure id",
}


def figure_cells(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Reported figures as a person reads them, under FIGURE_HEADINGS: the columns of `columns` it holds, in
    that order; units, periods and dates in words ("£ million", "Quarter 2", "30 Sep 2023"); an empty text
    cell blank, never "None"."""
    shown = frame[[column for column in columns if column in frame.columns]].copy()
    for column, words in (("unit", vocab.UNIT_WORDS), ("period", vocab.PERIOD_CELLS)):
        if column in shown:
            shown[column] = shown[column].map(lambda code, words=words: words.get(code, code))
    if "source_date" in shown:
        # A date from the database, or ISO text from a file's preview (data.load.writes.preview).
        days = pd.to_datetime(shown["source_date"], errors="coerce")
        shown["source_date"] = [f"{day:%-d %b %Y}" if pd.notna(day) else "" for day in days]
    text = shown.select_dtypes(exclude="number").columns
    shown = shown.astype({column: object for column in text}).fillna({column: "" for column in text})
    return shown.rename(columns=FIGURE_HEADINGS)


def amounts_format(*values: float) -> str:
    """One printf format for a group of £m boxes shown side by side: two decimals, or three where a value needs
    them (a default derived to reach a reported figure), so the same amount never reads '21.80' beside '21.800'."""
    return "%.3f" if any(round(value, 2) != round(value, 3) for value in values) else "%.2f"


def table_or_grid(
    frame: pd.DataFrame, *, alt: str | None = None, display: Callable[[pd.DataFrame], Any] | None = None
) -> None:
    """A short table on a wide window as a real table (its cells wrap, so a sentence or a document's name is
    read whole, where the grid cut it at its column's edge at 1400 px); a long one, or any on a phone, in the
    data grid, which scrolls sideways within reach of the keyboard (a static table wider than a phone's screen
    would not: WCAG 2.1.1). `display` styles the frame (number formats) before it is drawn."""
    display = display or (lambda shown: shown)
    if len(frame) <= TABLE_ROWS_AT_MOST and not window_is_narrow():
        # st.table reads each text cell as Markdown: data text is escaped so it shows as written
        shown = frame.map(lambda cell: plain(cell) if isinstance(cell, str) else cell)
        st.table(display(shown), hide_index=True, alt=alt)
    else:
        st.dataframe(display(frame), hide_index=True, width="stretch", alt=alt)
