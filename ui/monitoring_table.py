"""The monitoring table as Cabinet reads it (Directorates page): money in words, the variance and the movement
since the previous period held in words, and the RAG word in its coloured cell."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data import vocab
from data.vocab import RAG_COLOURS, gbp
from ui.document import window_is_narrow
from ui.safe import plain

RAG_TEXT = {"Red": "white", "Amber": "black", "Green": "black"}


def shown_table(rows: pd.DataFrame, first_column: str, since: str | None) -> pd.DataFrame:
    """The monitoring rows as Cabinet reads them: money in words and the RAG word in its cell."""
    out = pd.DataFrame(
        {
            first_column: rows["name"],
            "Annual budget": rows["annual_budget_gbp"].map(gbp),
            "Forecast outturn": rows["forecast_outturn_gbp"].map(gbp),
            "Variance": rows["variance_gbp"].map(vocab.variance_words),
            "Variance % of budget": ["n/a" if pd.isna(p) else f"{p:+.1f}%" for p in rows["variance_pct"]],
        }
    )
    if since:
        out[f"Movement since {since}"] = rows["movement_gbp"].map(vocab.movement_words)
    out["RAG"] = rows["rag"]
    return out


def show_table(table: pd.DataFrame, key: str, *, static: bool = True) -> None:
    """A short table as a plain HTML table (read as a table by screen readers and copyable); long ones, and any
    on a phone, in the data grid, which scrolls."""
    styled = table.style.map(
        lambda rag: f"background-color: {RAG_COLOURS[rag]}; color: {RAG_TEXT[rag]}" if rag in RAG_COLOURS else "",
        subset=["RAG"],
    ).hide(axis="index")
    # On a phone seven columns in a static table broke names and amounts mid-word ("£115.|5m"): the data grid
    # keeps each cell whole and scrolls sideways, reached with the keyboard (as ui.chart_panel.data_table does).
    if static and not window_is_narrow():
        # st.table reads each cell as Markdown: data text is escaped so it shows as written.
        st.table(styled.format(plain).format_index(plain, axis="columns"))
    else:
        st.dataframe(styled, hide_index=True, width="stretch", key=key)
