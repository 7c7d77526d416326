"""Data & sources: load monitoring files and later figures, the load history with undo, the sources."""

from pathlib import Path

import pandas as pd
import streamlit as st

from data import load
from data.access import PermissionDenied
from metrics import loads as loads_metrics
from metrics.figures import source_documents
from ui.common import database
from ui.filters import directorate_notice
from ui.frame import require_frame
from ui.identity import current_actor
from ui.safe import plain

require_frame()

TEMPLATES = Path(__file__).resolve().parent.parent / "data" / "templates"
KIND_LABELS = {"monitoring": "Monitoring lines (budget, actual, forecast)", "figures": "Reported figures"}

st.title("Data & sources")
st.caption(
    "Load the monthly budget-monitoring extract or later reported figures, see what was loaded and by whom, "
    "undo a load, and read where every figure comes from."
)
directorate_notice("loads, their history and the sources cover every directorate")

# --- load a file -----------------------------------------------------------------------------------
st.header("Load a file")
with st.expander("File format and templates"):
    st.markdown(
        """
**Monitoring lines**: one row per cost centre and month, CSV (UTF-8) or XLSX with one sheet, header in row 1:

| column | what it holds |
| --- | --- |
| `fiscal_year` | the financial year, `2021/22` |
| `period_month` | the month: 1–12 or `P1`–`P12`; **1 = April** |
| `directorate` | a directorate's name or a recognised alias (e.g. "Adults and Housing") |
| `service`, `cost_centre` | plain text; one line per cost centre and month |
| `budget_gbp`, `actual_gbp`, `forecast_gbp` | pounds: `1234.50`, `£1,234.50`, `(1,234.50)` = negative |

Each directorate and month in a file is taken as complete: it replaces the reported lines already held
for that directorate and month. Real lines for a year replace the sample lines of that year.

**Reported figures**: the columns of the `reported_figures` table (`measure`, `label`, `fiscal_year`,
`period`, `scenario`, `directorate`, `value`, `unit`, `qualifier`, `basis`, `derivation`, `as_at_date`,
`source_document`, `source_section`, `source_quote`); every row needs its source and the sentence it quotes."""
    )
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
            names = load.directorate_names(conn)
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
        for note in summary.notes:
            if note.startswith("This file was already loaded"):
                st.error(plain(note))
            elif note.startswith("Real lines for"):
                st.warning(plain(note), icon=":material/swap_horiz:")
            else:
                st.markdown(plain(note))
        st.dataframe(summary.changes, hide_index=True, width="stretch")
        if summary.duplicate_of is None and st.button(
            f"Load {len(parsed.frame):,} {'lines' if parsed.kind == 'monitoring' else 'figures'}", type="primary"
        ):
            try:
                with database(read_only=False) as conn:
                    result = load.apply(conn, parsed, current_actor())
            except (load.LoadRejected, PermissionDenied) as error:
                st.error(plain(str(error)))
            else:
                st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
                st.session_state.pop("upload_checked", None)
                st.session_state["load_message"] = (
                    f"Loaded {result.rows:,} {result.kind} row(s) from {plain(parsed.file_name)} "
                    f"as load {result.load_id}."
                    + (f" Replaced {result.lines_replaced:,} reported line(s)." if result.lines_replaced else "")
                    + (
                        f" Replaced {result.sample_lines_replaced:,} sample line(s)."
                        if result.sample_lines_replaced
                        else ""
                    )
                )
                st.rerun()
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
        choice = st.selectbox(
            "Undo a load",
            list(undoable["load_id"]),
            format_func=lambda i: "load {} · {} · {} rows · {}".format(
                *undoable.loc[undoable["load_id"] == i, ["load_id", "file_name", "row_count", "kind"]].iloc[0]
            ),
        )
        confirm = st.checkbox("Remove what this load added and put back the lines it replaced")
        if st.form_submit_button("Undo load"):
            if not confirm:
                st.warning("Tick the box to confirm the undo.")
            else:
                try:
                    with database(read_only=False) as conn:
                        done = load.undo(conn, int(choice), current_actor())
                except (ValueError, PermissionDenied) as error:
                    st.error(plain(str(error)))
                else:
                    st.session_state["load_message"] = (
                        f"Undid load {done.load_id}: removed {done.rows_removed:,} row(s), "
                        f"put back {done.lines_restored:,} line(s)."
                    )
                    st.rerun()

# --- sources ---------------------------------------------------------------------------------------
st.header("Sources")
st.dataframe(sources, hide_index=True, width="stretch")
st.subheader("Reported figures and the sentences they come from")
st.dataframe(register, hide_index=True, width="stretch")
