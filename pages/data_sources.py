"""Data & sources: load monitoring files and later figures, the load history with undo, the sources."""

from pathlib import Path

import pandas as pd
import streamlit as st

from data import vocab
from ui.frame import require_frame

# A fresh server may run this file without app.py: go through the frame before importing Plotly & co.
require_frame()

from data import load  # noqa: E402
from data.access import ROLE_RANK, PermissionDenied  # noqa: E402
from metrics import loads as loads_metrics  # noqa: E402
from metrics.figures import measure_catalogue, source_documents  # noqa: E402
from ui import loading as loading_ui  # noqa: E402
from ui.cache import cached  # noqa: E402
from ui.common import database, show_write_failure, write_boundary  # noqa: E402
from ui.filters import directorate_notice  # noqa: E402
from ui.identity import current_actor  # noqa: E402
from ui.safe import plain  # noqa: E402

TEMPLATES = Path(__file__).resolve().parent.parent / "data" / "templates"
KIND_LABELS = {
    "monitoring": "Monitoring lines (period-close extract: annual budget, actual to date, forecast outturn)",
    "savings": "Savings schemes (target, forecast delivery, status)",
    "figures": "Reported figures",
    "returns": "MHCLG Revenue Outturn Summary (RS) returns, one year's 'data by LA' workbook",
    "neighbours": "Nearest neighbours (authority_code, neighbour_code, rank)",
}


# Writes run as widget callbacks: they happen once, before the page reruns, whatever the rerun does.
@write_boundary("Nothing was loaded.")
def apply_upload(parsed: load.ParsedFile) -> None:
    try:
        with database(read_only=False) as conn:
            result = load.apply(conn, parsed, current_actor())
    except (load.LoadRejected, PermissionDenied) as error:
        st.session_state["load_error"] = plain(str(error))
        return
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
    st.session_state.pop("upload_checked", None)
    noun = loading_ui.ROW_NOUNS.get(result.kind, "rows")
    st.session_state["load_message"] = (
        f"Loaded {vocab.counted(result.rows, noun.removesuffix('s'), noun)} from {plain(parsed.file_name)} as load "
        f"{result.load_id}."
        + (f" Replaced {vocab.counted(result.lines_replaced, 'reported line')}." if result.lines_replaced else "")
        + (
            f" Replaced {vocab.counted(result.sample_lines_replaced, 'sample line')}."
            if result.sample_lines_replaced
            else ""
        )
    )


@write_boundary("Nothing was undone.")
def undo_chosen() -> None:
    chosen, confirmed = st.session_state.get("undo_choice"), st.session_state.get("undo_confirm")
    # Each undo needs its own choice and tick: both are cleared whatever happens, so a second click
    # cannot undo the next load in the list.
    st.session_state["undo_choice"], st.session_state["undo_confirm"] = None, False
    if chosen is None:
        st.session_state["load_error"] = "Choose the load to undo."
        return
    if not confirmed:
        st.session_state["load_error"] = "Tick the box to confirm the undo."
        return
    try:
        with database(read_only=False) as conn:
            done = load.undo(conn, int(chosen), current_actor())
    except (ValueError, PermissionDenied) as error:
        st.session_state["load_error"] = plain(str(error))
        return
    st.session_state["load_message"] = (
        f"Undid load {done.load_id}: removed {vocab.counted(done.rows_removed, 'row')}, put back "
        f"{vocab.counted(done.lines_restored, 'line')}."
    )


st.title(vocab.DATA_SOURCES.title)
st.caption(
    "Load the period-close monitoring extract, the savings tracker or later reported figures, "
    "see what was loaded and by whom, "
    "undo a load, and read where every figure comes from."
)
directorate_notice("loads, their history and the sources cover every directorate")

# --- load a file -----------------------------------------------------------------------------------
st.header("Load a file")
with st.expander("File format and templates"):
    st.markdown(load.FORMAT_HELP)
    st.markdown(
        f"Files up to {load.MAX_FILE_BYTES // 1024 // 1024} MB. Formulas, HTML and text starting with `=`, `+`, "
        "`-` or `@` are refused: paste values only."
    )
    templates = (
        ("monitoring_template.csv", "Monitoring template (CSV)"),
        ("savings_template.csv", "Savings template (CSV)"),
        ("figures_template.csv", "Figures template (CSV)"),
    )
    for column, (name, label) in zip(st.columns(len(templates)), templates, strict=True):
        with column:
            st.download_button(label, (TEMPLATES / name).read_bytes(), file_name=name, mime="text/csv")

actor = current_actor()
may_load = ROLE_RANK[actor.role] >= ROLE_RANK["admin"]
uploaded = None
if may_load:
    kind_choice = st.radio(
        "What the file holds",
        ["auto", *load.KINDS],
        format_func=lambda k: "Work it out from the header row" if k == "auto" else KIND_LABELS[k],
        horizontal=True,
    )
    uploader_key = f"upload_{st.session_state.get('upload_round', 0)}"
    uploaded = st.file_uploader(
        "File to load (monitoring, savings, figures, RS returns or neighbours)",
        type=["csv", "xlsx", "ods"],
        key=uploader_key,
    )
else:
    st.info(
        f"You are signed in as {plain(actor.identity)} ({actor.role}). Loading files and undoing loads need "
        "the admin role.",
        icon=":material/lock:",
    )


def _problems_table(problems: list[load.Problem]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "file": p.file,
                "sheet": p.sheet or "",
                "row": "whole file" if p.row is None else str(p.row),
                "column": p.column or "",
                "problem": p.message,
            }
            for p in problems
        ]
    )


if uploaded is not None:
    cache_key = (uploaded.file_id, kind_choice)
    checked = st.session_state.get("upload_checked")
    if not checked or checked[0] != cache_key:
        with database() as conn:
            outcome = loading_ui.check_upload(
                conn, actor, uploaded.name, uploaded.getvalue(), None if kind_choice == "auto" else kind_choice
            )
        st.session_state["upload_checked"] = (cache_key, outcome)
    outcome = st.session_state["upload_checked"][1]
    if isinstance(outcome, list):
        st.error(
            f"**{plain(uploaded.name)} cannot be loaded: {vocab.counted(len(outcome), 'problem')}.** Nothing has "
            "been written. "
            "Correct the file and upload it again."
        )
        st.dataframe(_problems_table(outcome), hide_index=True, width="stretch")
    else:
        parsed, summary = outcome
        st.subheader(f"Preview: {vocab.mid_sentence(KIND_LABELS[parsed.kind])} from {plain(parsed.file_name)}")
        if summary.duplicate_of is not None:
            st.error(summary.duplicate_message())
        for message in summary.sample_messages():
            st.warning(message, icon=":material/swap_horiz:")
        for note in summary.notes:
            st.markdown(plain(note))
        pounds = loading_ui.preview_pounds(summary)
        if not pounds.empty:
            st.markdown("**In pounds: the file beside what is held now** (reported lines; nothing is written yet)")
            loading_ui.show_pounds(pounds)
        if summary.duplicate_of is None:
            noun = loading_ui.ROW_NOUNS[parsed.kind]
            st.markdown("**What the load adds and replaces**")
            st.dataframe(loading_ui.preview_counts(summary), hide_index=True, width="stretch")
            st.button(
                f"Load {vocab.counted(len(parsed.frame), noun.removesuffix('s'), noun)}",
                type="primary",
                key="confirm_load",
                on_click=apply_upload,
                args=(parsed,),
            )
show_write_failure()
if "load_error" in st.session_state:
    st.error(st.session_state.pop("load_error"))
if "load_message" in st.session_state:
    st.success(st.session_state.pop("load_message"))

# --- history ---------------------------------------------------------------------------------------
st.header("Load history")
with database() as conn:
    history = cached(conn, loads_metrics.load_history, limit=50)
    undoable = cached(conn, loads_metrics.undoable_loads)
    sources = cached(conn, source_documents)
    register = cached(conn, loads_metrics.figures_with_sources)
    measures = cached(conn, measure_catalogue)
st.dataframe(
    loading_ui.history_table(history),
    hide_index=True,
    width="stretch",
    column_config={
        "Status": st.column_config.TextColumn(width="medium"),
        "What it did": st.column_config.TextColumn(width="medium"),
        "File fingerprint (SHA-256)": st.column_config.TextColumn(width="small"),
    },
)
if may_load and not undoable.empty:
    with st.form("undo"):
        st.selectbox(
            "Undo a load",
            list(undoable["load_id"]),
            placeholder="Choose a load",  # after an undo: nothing is chosen until someone chooses
            key="undo_choice",
            format_func=lambda i: "load {} · {} · {} · {}".format(
                *undoable.loc[undoable["load_id"] == i, ["load_id", "file_name", "row_count", "kind"]]
                .assign(row_count=lambda rows: rows["row_count"].map(lambda n: vocab.counted(int(n), "row")))
                .iloc[0]
            ),
        )
        st.checkbox("Remove what this load added and put back the lines it replaced", key="undo_confirm")
        st.form_submit_button("Undo load", on_click=undo_chosen)

# --- sources ---------------------------------------------------------------------------------------
# Plain headings; the ids and file hashes stay in the exports and the database, where an auditor looks for them.
SOURCE_COLUMNS = {"title": "Document", "published_on": "Published", "file_name": "File", "url": "Link"}
st.header("Sources")
st.dataframe(
    # A document read from a figures file has no file of its own: blank, not the grid's grey "None"
    sources[["title", "published_on", "file_name", "url"]].fillna({"file_name": ""}).rename(columns=SOURCE_COLUMNS),
    hide_index=True,
    width="stretch",
    column_config={
        "Published": st.column_config.DateColumn(format="D MMM YYYY"),
        "Link": st.column_config.LinkColumn(),
    },
)
st.subheader("Reported figures and the sentences they come from")
st.dataframe(
    loading_ui.register_table(register),
    hide_index=True,
    width="stretch",
)

st.header("Catalogue of measures")
st.caption(
    "The measures a figures file may use, from the reviewed file data/measures.csv. A figures load refuses "
    "any other key (and suggests the nearest); an alias is stored under its measure's key. A new measure is "
    "added to the catalogue in a reviewed change, not by a load."
)
st.dataframe(
    measures.assign(
        unit=measures["unit"].map(lambda unit: vocab.UNIT_WORDS.get(unit, unit)),
        aliases=measures["aliases"].map(", ".join),
        periods=measures["periods"].map(", ".join),
        scenarios=measures["scenarios"].map(lambda s: ", ".join(s) or "none"),
    ).rename(
        columns={
            "measure": "Key",
            "label": "Measure",
            "unit": "Unit",
            "definition": "Definition",
            "aliases": "Also accepted as",
            "periods": "Periods",
            "scenarios": "Scenarios",
        }
    ),
    hide_index=True,
    width="stretch",
)
