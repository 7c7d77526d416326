"""Data & sources: load monitoring files and later figures, the load history with undo, the sources."""

from pathlib import Path

import pandas as pd
import streamlit as st

from data import vocab
from ui.frame import require_frame

# A fresh server may run this file without app.py: go through the frame before importing Plotly & co.
require_frame()

from data import load  # noqa: E402
from data.access import PermissionDenied  # noqa: E402
from metrics import loads as loads_metrics  # noqa: E402
from metrics.figures import source_documents  # noqa: E402
from ui.common import database  # noqa: E402
from ui.filters import directorate_notice  # noqa: E402
from ui.identity import current_actor  # noqa: E402
from ui.safe import plain  # noqa: E402

TEMPLATES = Path(__file__).resolve().parent.parent / "data" / "templates"
KIND_LABELS = {"monitoring": "Monitoring lines (budget, actual, forecast)", "figures": "Reported figures"}


# Writes run as widget callbacks: they happen once, before the page reruns, whatever the rerun does.
def apply_upload(parsed: load.ParsedFile) -> None:
    try:
        with database(read_only=False) as conn:
            result = load.apply(conn, parsed, current_actor())
    except (load.LoadRejected, PermissionDenied) as error:
        st.session_state["load_error"] = plain(str(error))
        return
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
    st.session_state.pop("upload_checked", None)
    st.session_state["load_message"] = (
        f"Loaded {result.rows:,} {result.kind} row(s) from {plain(parsed.file_name)} as load {result.load_id}."
        + (f" Replaced {result.lines_replaced:,} reported line(s)." if result.lines_replaced else "")
        + (f" Replaced {result.sample_lines_replaced:,} sample line(s)." if result.sample_lines_replaced else "")
    )


def undo_chosen() -> None:
    if not st.session_state.get("undo_confirm"):
        st.session_state["load_error"] = "Tick the box to confirm the undo."
        return
    try:
        with database(read_only=False) as conn:
            done = load.undo(conn, int(st.session_state["undo_choice"]), current_actor())
    except (ValueError, PermissionDenied) as error:
        st.session_state["load_error"] = plain(str(error))
        return
    st.session_state["load_message"] = (
        f"Undid load {done.load_id}: removed {done.rows_removed:,} row(s), put back {done.lines_restored:,} line(s)."
    )


st.title(vocab.DATA_SOURCES.title)
st.caption(
    "Load the monthly budget-monitoring extract or later reported figures, see what was loaded and by whom, "
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
    template_columns = st.columns(2)
    for column, (name, label) in zip(
        template_columns,
        (("monitoring_template.csv", "Monitoring template (CSV)"), ("figures_template.csv", "Figures template (CSV)")),
        strict=True,
    ):
        with column:
            st.download_button(label, (TEMPLATES / name).read_bytes(), file_name=name, mime="text/csv")

kind_choice = st.radio(
    "What the file holds",
    ["auto", *load.KINDS],
    format_func=lambda k: "Work it out from the header row" if k == "auto" else KIND_LABELS[k],
    horizontal=True,
)
uploader_key = f"upload_{st.session_state.get('upload_round', 0)}"
uploaded = st.file_uploader("Monitoring extract or figures file", type=["csv", "xlsx"], key=uploader_key)


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
    cached = st.session_state.get("upload_checked")
    if not cached or cached[0] != cache_key:
        with database() as conn:
            names = load.directorate_aliases(conn)
            try:
                parsed = load.read(
                    uploaded.name, uploaded.getvalue(), names, None if kind_choice == "auto" else kind_choice
                )
                outcome = (parsed, load.preview(conn, parsed))
            except load.LoadRejected as rejected:
                outcome = rejected.problems
        st.session_state["upload_checked"] = (cache_key, outcome)
    outcome = st.session_state["upload_checked"][1]
    if isinstance(outcome, list):
        st.error(
            f"**{plain(uploaded.name)} cannot be loaded: {len(outcome)} problem(s).** Nothing has been written. "
            "Correct the file and upload it again."
        )
        st.dataframe(_problems_table(outcome), hide_index=True, width="stretch")
    else:
        parsed, summary = outcome
        st.subheader(f"Preview: {KIND_LABELS[parsed.kind].lower()} from {plain(parsed.file_name)}")
        if summary.duplicate_of is not None:
            st.error(summary.duplicate_message())
        for message in summary.sample_messages():
            st.warning(message, icon=":material/swap_horiz:")
        for note in summary.notes:
            st.markdown(plain(note))
        st.dataframe(summary.changes, hide_index=True, width="stretch")
        if summary.duplicate_of is None:
            st.button(
                f"Load {len(parsed.frame):,} {'lines' if parsed.kind == 'monitoring' else 'figures'}",
                type="primary",
                key="confirm_load",
                on_click=apply_upload,
                args=(parsed,),
            )
if "load_error" in st.session_state:
    st.error(st.session_state.pop("load_error"))
if "load_message" in st.session_state:
    st.success(st.session_state.pop("load_message"))

# --- history ---------------------------------------------------------------------------------------
st.header("Load history")
with database() as conn:
    history = loads_metrics.latest_loads(conn, limit=50)
    undoable = loads_metrics.undoable_loads(conn)
    sources = source_documents(conn)
    register = loads_metrics.figures_with_sources(conn)
st.dataframe(history, hide_index=True, width="stretch")
if not undoable.empty:
    with st.form("undo"):
        st.selectbox(
            "Undo a load",
            list(undoable["load_id"]),
            key="undo_choice",
            format_func=lambda i: "load {} · {} · {} rows · {}".format(
                *undoable.loc[undoable["load_id"] == i, ["load_id", "file_name", "row_count", "kind"]].iloc[0]
            ),
        )
        st.checkbox("Remove what this load added and put back the lines it replaced", key="undo_confirm")
        st.form_submit_button("Undo load", on_click=undo_chosen)

# --- sources ---------------------------------------------------------------------------------------
st.header("Sources")
st.dataframe(sources, hide_index=True, width="stretch")
st.subheader("Reported figures and the sentences they come from")
st.dataframe(register, hide_index=True, width="stretch")
