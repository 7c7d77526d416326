"""Tables and the write helper behind the action plan page, so the page holds only layout and widgets."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import pandas as pd
import streamlit as st

from data.access import Actor
from data.actions import AlreadyRecorded, record_update
from exports.committee import ReportMeta
from metrics import actions
from ui.common import database
from ui.error_reference import report_error
from ui.safe import plain

SUBMISSION_KEY = "update_submission_id"  # the filled-in form's submission id, until it is recorded
RAG_BADGE_COLOUR = {actions.RED: "red", actions.AMBER: "orange", actions.GREEN: "green", actions.NO_TIMELINE: "gray"}
FIELD_LABELS = {
    "rec_no": "Recommendation",
    "status": "Status",
    "percent_complete": "% complete",
    "revised_due_date": "Revised due date",
    "note": "Note",
    "evidence_url": "Evidence link",
}


def day_label(value: object) -> str:
    return "—" if pd.isna(value) else f"{pd.Timestamp(value):%-d %b %Y}"


def web_link(value: object) -> str | None:
    """Only http(s) links are made clickable; anything else is not shown as a link."""
    return value if isinstance(value, str) and value.lower().startswith(("http://", "https://")) else None


def tracker_table(rows: pd.DataFrame) -> pd.DataFrame:
    """What a reader scans first (RAG, the recommendation, its lead, status, due) comes before the rest."""
    return pd.DataFrame(
        {
            "Rec": rows["rec_no"],
            "RAG": rows["rag"],
            "Recommendation": rows["recommendation"],
            "Lead": rows["leads"].map("; ".join),
            "Status": rows["status_label"],
            "Due date": rows["effective_due_date"].dt.date,
            "Overdue": rows["overdue"].map({True: "Yes", False: "No"}),
            "Days since update": rows["days_since_update"],
            "% complete": rows["percent_complete"],
            "Theme": rows["theme"],
            "Timeline": rows["timeline"],
            "Due date revised": rows["due_date_revisions"].map(lambda n: f"Yes ({n}×)" if n else "No"),
        }
    )


# Streamlit's table wraps a cell's text only when its rows are taller than 4rem: five lines of text fit.
TRACKER_ROW_HEIGHT_PX = 104


def tracker_columns() -> dict:
    return {
        "Rec": st.column_config.NumberColumn(pinned=True, width="small"),
        "RAG": st.column_config.TextColumn(width="small"),
        "Recommendation": st.column_config.TextColumn(width="large"),
        "Lead": st.column_config.TextColumn(width="medium"),
        "% complete": st.column_config.NumberColumn(format="%d%%"),
        "Due date": st.column_config.DateColumn(format="D MMM YYYY", help="Revised due date where recorded"),
        "Theme": st.column_config.TextColumn(width="medium"),
    }


def show_cards(rows: pd.DataFrame, page: str) -> None:
    """One card per recommendation, for a phone: RAG, status and due date, its text and lead, and a link to it."""
    for row in rows.itertuples():
        with st.container(border=True, key=f"rec_card_{row.rec_no}"):
            due = day_label(row.effective_due_date)
            facts = [f"**{row.rec_no}. {row.rag}**", row.status_label, f"due {due}" if due != "—" else "no due date"]
            if row.overdue:
                facts.append("**overdue**")
            st.markdown(" · ".join(facts))
            st.markdown(plain(row.recommendation))
            st.caption("Lead: " + plain("; ".join(row.leads) or "blank in the source"))
            st.page_link(page, label=f"Open recommendation {row.rec_no}", query_params={"rec": row.rec_no})


def history_table(updates: pd.DataFrame) -> pd.DataFrame:
    """Every update recorded for one recommendation, as the page shows and downloads it."""
    return pd.DataFrame(
        {
            "Recorded": updates["updated_at"],
            "By": updates["updated_by"],
            "Status": updates["status_label"],
            "% complete": updates["percent_complete"],
            "Revised due date": updates["revised_due_date"],
            "Note": updates["note"],
            "Evidence": updates["evidence_url"].map(web_link),
        }
    )


def history_columns() -> dict:
    return {
        "Recorded": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm"),
        "Revised due date": st.column_config.DateColumn(format="D MMM YYYY"),
        "% complete": st.column_config.NumberColumn(format="%d%%"),
        "Note": st.column_config.TextColumn(width="large"),
        "Evidence": st.column_config.LinkColumn(),
    }


def record_when_free(actor: Actor, rec_no: int, **fields) -> int:
    """Record an update; data.db.connect waits while another process or connection holds the file.

    The form keeps one submission id until its update is recorded: sent again after a failure whose outcome
    was unknown (the store went away during the commit), it is recorded once (AlreadyRecorded)."""
    submission_id = st.session_state.setdefault(SUBMISSION_KEY, uuid.uuid4().hex)
    try:
        with database(read_only=False) as conn:
            update_id = record_update(conn, actor, rec_no, submission_id=submission_id, **fields)
    except AlreadyRecorded:
        st.session_state.pop(SUBMISSION_KEY, None)
        raise
    st.session_state.pop(SUBMISSION_KEY, None)
    return update_id


def made_when_pressed(make: Callable[[pd.DataFrame, ReportMeta], bytes | str], report: pd.DataFrame, meta: ReportMeta):
    """The report file, made when its download button is pressed rather than in every run of the page (most
    visits never download it; making both files was a third of the page's server time), stamped with that
    moment. A failure is logged under a reference; the button says the file could not be made."""

    def make_now() -> bytes:
        try:
            made = make(report, replace(meta, generated_at=datetime.now()))
        except Exception as error:  # noqa: BLE001 - logged under a reference, never shown as a trace
            raise RuntimeError(f"the report could not be made (reference {report_error(error)})") from None
        return made.encode("utf-8") if isinstance(made, str) else made

    return make_now
