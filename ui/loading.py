"""Checking an uploaded file for the Data & sources page: who may load comes first, then the file."""

from __future__ import annotations

from functools import partial

import duckdb
import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from data import load, vocab
from data.access import Actor, require
from ui.document import window_is_narrow
from ui.safe import plain
from ui.tables import FIGURE_HEADINGS, figure_cells


def check_upload(
    conn: duckdb.DuckDBPyConnection, actor: Actor, file_name: str, content: bytes, kind: str | None
) -> tuple[load.ParsedFile, load.Preview] | list[load.Problem]:
    """The parsed file and its preview, or the problems that stop it loading.

    The role is checked before a byte of the file is parsed: reading a workbook costs memory, and
    only an admin may load, so nobody else gets to spend it. Raises PermissionDenied.
    """
    require(actor, "admin", "load data")
    try:
        parsed = load.read(file_name, content, load.directorate_aliases(conn), kind)
    except load.LoadRejected as rejected:
        return rejected.problems
    return parsed, load.preview(conn, parsed)


# The preview and the load history under plain headings. A row noun per kind: what one row of the file is.
ROW_NOUNS = {
    "monitoring": "lines",
    "savings": "schemes",
    "figures": "figures",
    "returns": "values",
    "neighbours": "neighbours",
}
# The official returns' and neighbours' previews: one row per year or per authority, under plain headings.
_WHOLE_FILE_HEADINGS = {
    "fiscal_year": "Year",
    "authorities_in_file": "Authorities in the file",
    "authorities_held_now": "Authorities held now",
    "replaces_load": "Replaces load",
    "authority_code": "Authority (ONS code)",
    "neighbours_in_file": "Neighbours in the file",
    "neighbours_held_now": "Neighbours held now",
}
HISTORY_NOUNS = {**ROW_NOUNS, "monitoring": "monitoring lines", "savings": "savings schemes", "sample": "sample lines"}
_SLICE_HEADINGS = {"fiscal_year": "Year", "period": "Period", "directorate": "Directorate"}
_COUNT_HEADINGS = {
    "in_file": "{noun} in the file",
    "added": "New {noun}",
    "replaced": "Replacing held {noun}",
    "removed": "Held {noun} removed",
    "moved_to_another_directorate": "Moved to another directorate",
}
_POUND_HEADINGS = {
    "monitoring": ("Annual budget", "Forecast outturn", "Variance"),
    "savings": ("Target", "Forecast delivery", "Delivery less target"),
}
# The register of reported figures on the Data page: the figure columns a reader needs; the measure codes
# and ids stay in the exports and the database, where an auditor looks for them.
_REGISTER_SHOWN = [
    column for column in FIGURE_HEADINGS if column not in ("measure", "figures_already_held", "load_id", "figure_id")
]
TOTAL_ROW = "Total"
POUNDS_TABLE_ROWS_AT_MOST = 60


def preview_counts(summary: load.Preview) -> pd.DataFrame:
    """What the load adds, replaces and removes, per year, period and directorate (a figure per row for a
    figures file), under plain headings."""
    if summary.kind == "figures":
        return figure_cells(summary.changes, list(summary.changes.columns))
    if summary.kind in ("returns", "neighbours"):
        return summary.changes.rename(columns=_WHOLE_FILE_HEADINGS)
    noun = ROW_NOUNS[summary.kind]
    headings = {f"{noun}_{key}": text.format(noun=noun).capitalize() for key, text in _COUNT_HEADINGS.items()}
    return summary.changes[[c for c in summary.changes.columns if c in {**_SLICE_HEADINGS, **headings}]].rename(
        columns={**_SLICE_HEADINGS, **headings}
    )


def preview_pounds(summary: load.Preview) -> pd.DataFrame:
    """Per year, period and directorate, each amount in the file beside what is held now (reported lines), and
    a total row for each period: what to tick against the ledger before confirming. Empty for figures."""
    if summary.kind not in _POUND_HEADINGS or summary.changes.empty:
        return pd.DataFrame()
    changes = summary.changes
    amounts = [c for c in changes.columns if c.endswith(("_gbp_in_file", "_gbp_held_now"))]  # 3 in file, 3 now
    beside = [column for pair in zip(amounts[:3], amounts[3:], strict=True) for column in pair]
    by_slice = changes[[*_SLICE_HEADINGS, *beside]]
    shown = pd.concat(
        [
            part
            for _, rows in by_slice.groupby(["fiscal_year", "period"], sort=False)
            for part in (rows, rows[beside].sum().to_frame().T.assign(**rows.iloc[0][:2], directorate=TOTAL_ROW))
        ]
    )[by_slice.columns]
    names = _POUND_HEADINGS[summary.kind]
    headings = {
        column: f"{names[index % 3]}: {'in the file' if index < 3 else 'held now'} (£)"
        for index, column in enumerate(amounts)
    }
    return shown.rename(columns={**_SLICE_HEADINGS, **headings}).reset_index(drop=True)


def pounds_display(table: pd.DataFrame) -> Styler:
    """Every £ column with thousands separated and the pence it has."""
    money = [column for column in table.columns if vocab.is_money_column(column)]
    return table.style.format(partial(vocab.number, thousands=True), subset=money)


def pounds_for_phone(table: pd.DataFrame) -> pd.DataFrame:
    """The preview in pounds four columns wide: a row per directorate and amount, the file beside held now
    (and the period, if the file has more than one)."""
    in_file, held_now = table.columns[3::2], table.columns[4::2]
    shown = pd.DataFrame(
        [
            {
                "Period": f"{row['Period']} {row['Year']}",
                "Directorate": row["Directorate"],
                "Amount": str(file_column).split(":")[0],
                "File (£)": row[file_column],
                "Held now (£)": row[held_column],
            }
            for _, row in table.iterrows()
            for file_column, held_column in zip(in_file, held_now, strict=True)
        ]
    )
    return shown if shown["Period"].nunique() > 1 else shown.drop(columns="Period")


def show_pounds(table: pd.DataFrame) -> None:
    """The preview in pounds as a real table (read cell by cell, by a screen reader too), or on a phone as a
    data grid four columns wide, a row per amount."""
    alt = "The file's amounts beside what is held now, per directorate and period"
    if window_is_narrow():
        st.dataframe(pounds_display(pounds_for_phone(table)), hide_index=True, width="stretch", alt=alt)
    elif len(table) > POUNDS_TABLE_ROWS_AT_MOST:
        st.dataframe(pounds_display(table), hide_index=True, width="stretch", alt=alt)
    else:
        # st.table draws text cells as Markdown: directorate names are escaped like all text from a file.
        shown = table.map(lambda cell: plain(cell) if isinstance(cell, str) else cell)
        st.table(pounds_display(shown), hide_index=True, alt=alt)


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """The load history as read: whether each load is in use or undone, and what it did, first; the file's
    fingerprint last."""

    def did(load_row: pd.Series) -> str:
        noun = HISTORY_NOUNS.get(load_row["kind"], "rows")
        if load_row["kind"] == "build":
            return "Built the database"
        text = "Added " + vocab.counted(int(load_row["row_count"]), noun.removesuffix("s"), noun)
        if load_row["lines_replaced"]:
            text += f", replacing {load_row['lines_replaced']:,} held"
        return text

    def status(load_row: pd.Series) -> str:
        if pd.notna(load_row["undone_at"]):
            return "Undone"
        if pd.notna(load_row["replaced_by"]):
            return f"Replaced by load {load_row['replaced_by']}"
        return "In use"

    undone = [
        "" if pd.isna(at) else f"{at:%-d %b %Y %H:%M} by {by}"
        for at, by in zip(history["undone_at"], history["undone_by"], strict=True)
    ]
    return pd.DataFrame(
        {
            "Load": history["load_id"],
            "Status": [status(row) for _, row in history.iterrows()],
            "What it did": [did(row) for _, row in history.iterrows()],
            "File": history["file_name"],
            "Loaded": history["loaded_at"].dt.strftime("%-d %b %Y %H:%M"),
            "Loaded by": history["loaded_by"],
            "Undone": undone,
            "File fingerprint (SHA-256)": history["sha256"],
        }
    )


def register_table(register: pd.DataFrame) -> pd.DataFrame:
    """The reported figures with the sentences they come from, under plain headings and units in words."""
    return figure_cells(register, _REGISTER_SHOWN)
