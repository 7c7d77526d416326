"""Action plan: the 48 recommendations, their progress and RAG, recording progress, the committee report.

With `?rec=N` in the address the page shows recommendation N in full, its history and the form to
record progress; without it, the tracker table, charts and the committee report.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

import pandas as pd
import streamlit as st

from charts import actions as action_charts
from data import vocab
from data.access import ROLE_RANK, PermissionDenied
from data.actions import NOTE_MAX_CHARS, URL_MAX_CHARS, AlreadyRecorded, UpdateInvalid, WriteConflict
from exports.committee import ReportMeta, html_document, pdf_available, pdf_bytes, xlsx_bytes
from metrics import actions
from metrics.report import committee_report, report_summary
from metrics.safe_text import neutralise_frame
from ui import as_at as as_at_control
from ui.action_plan import (
    FIELD_LABELS,
    RAG_BADGE_COLOUR,
    TRACKER_ROW_HEIGHT_PX,
    day_label,
    history_columns,
    history_table,
    made_when_pressed,
    record_when_free,
    show_cards,
    tracker_columns,
    tracker_table,
)
from ui.cache import cached
from ui.chart_panel import show_chart
from ui.common import database, failure_message
from ui.document import window_is_narrow
from ui.error_reference import report_error
from ui.filters import directorate_notice
from ui.frame import require_frame
from ui.identity import current_actor
from ui.safe import plain

require_frame()

FLASH_KEY = "action_plan_flash"
OVERDUE_PARAM = "overdue"
PAGE_FILE = "pages/action_plan.py"
PDF_KEY = "committee_report_pdf"  # (what it was made from, the PDF's bytes)
# Filters survive a visit to a recommendation (a widget not drawn in a run otherwise loses its value).
KEPT_FILTERS = (
    "filter_theme",
    "filter_lead",
    "filter_status",
    "filter_rag",
    "filter_search",
    "filter_overdue",
)


def say_tracker_date(chosen: date | None, as_at: date) -> None:
    """Which date the tracker is at (the sidebar's as-at date, else today), and one click to the other."""
    report_day = f"{actions.REPORT_DATE:%-d %b %Y}"
    if chosen is None:
        st.caption(
            f"**As at today, {as_at:%-d %B %Y}**: every update recorded so far. The sidebar's "
            f"'{as_at_control.LABEL}' shows the tracker as it stood on an earlier date."
        )
    else:
        st.caption(
            f"**As at {as_at:%-d %B %Y}**, the date chosen in the sidebar: updates recorded after it are not "
            "counted, and overdue is judged on it."
        )
    with st.container(horizontal=True):
        if chosen != actions.REPORT_DATE:
            st.button(
                f"As at the Cabinet report ({report_day})",
                icon=":material/event:",
                key="as_at_report",
                on_click=as_at_control.choose,
                args=(actions.REPORT_DATE,),
            )
        if chosen is not None:
            st.button(
                "As at today", icon=":material/today:", key="as_at_today", on_click=as_at_control.choose, args=(None,)
            )


def open_recommendation(rec_no: int | None) -> None:
    if rec_no is None:
        st.query_params.pop("rec", None)
    else:
        st.query_params["rec"] = str(rec_no)


def keep_overdue_in_url() -> None:
    if st.session_state.get("filter_overdue"):
        st.query_params[OVERDUE_PARAM] = "1"
    else:
        st.query_params.pop(OVERDUE_PARAM, None)


def choose_filters(conn) -> actions.TrackerFilters:
    columns = st.columns([3, 3, 2, 2])
    themes = columns[0].multiselect("Theme", cached(conn, actions.theme_order), key="filter_theme")
    leads = columns[1].multiselect(
        "Lead",
        cached(conn, actions.lead_names),
        key="filter_lead",
        help="Leads the source names in different ways are grouped (e.g. 'SLT' and 'Senior Leadership Team (SLT)'); "
        "see data/lead_aliases.csv.",
    )
    statuses = columns[2].multiselect("Status", list(vocab.STATUS_LABELS.values()), key="filter_status")
    rags = columns[3].multiselect("RAG", list(actions.RAG_ORDER), key="filter_rag")
    columns = st.columns([4, 2])
    search = columns[0].text_input(
        "Search", key="filter_search", placeholder="Words in the recommendation, response, lead or latest note"
    )
    # Kept in the address (?overdue=1), so a copied link opens the same list.
    st.session_state["filter_overdue"] = st.query_params.get(OVERDUE_PARAM) == "1"
    overdue_only = columns[1].checkbox("Overdue only", key="filter_overdue", on_change=keep_overdue_in_url)
    return actions.TrackerFilters(
        themes=tuple(themes),
        leads=tuple(leads),
        statuses=tuple(vocab.STATUS_FROM_LABEL[label] for label in statuses),
        rags=tuple(rags),
        overdue_only=overdue_only,
        search=search,
    )


def show_tracker(today: date) -> None:
    st.title(vocab.ACTION_PLAN.title)
    directorate_notice("the action plan is council-wide")
    st.caption(
        "The 48 recommendations of the LGA finance peer challenge and the council's action plan "
        "(Cabinet, 5 October 2021, Appendix 1), with progress recorded since."
    )
    chosen = as_at_control.current()
    as_at = chosen or today
    say_tracker_date(chosen, as_at)
    with database() as conn:
        everything = cached(conn, actions.tracker_state, as_at=as_at)
        filters = choose_filters(conn)
        charts = cached(conn, action_charts.tracker_charts, as_at=as_at, filters=filters, today=today)
    rows = actions.apply_filters(everything, filters)

    counts = actions.count_rag(rows)
    stale = actions.without_recent_update(rows)
    stale_days = actions.STALE_AMBER_DAYS
    metric_columns = st.columns(7)
    metric_columns[0].metric("Shown", f"{len(rows)} of {len(everything)}")
    metric_columns[1].metric("Overdue", int(rows["overdue"].sum()))
    for column, rag in zip(metric_columns[2:6], actions.RAG_ORDER, strict=True):
        column.metric(rag, counts[rag])
    metric_columns[6].metric(
        f"No update for over {stale_days} days",
        int(stale.sum()),
        help=f"Recommendations with no progress update recorded in the {stale_days} days before the as-at date.",
    )
    if counts[actions.RED]:
        stale_red = int((stale & (rows["rag"] == actions.RED)).sum())
        st.caption(
            f"{stale_red} of the {vocab.counted(counts[actions.RED], 'Red recommendation')} "
            f"{'has' if stale_red == 1 else 'have'} had no update for over {stale_days} days: "
            "recording progress brings them up to date."
        )

    table_tab, charts_tab, report_tab, rules_tab = st.tabs(
        ["Recommendations", "Charts", "Committee report", "How RAG is decided"]
    )
    with table_tab:
        if rows.empty:
            st.info("No recommendation matches these filters.")
        if window_is_narrow():
            show_cards(rows, PAGE_FILE)
            picked = []
        else:
            selection = st.dataframe(
                tracker_table(rows),
                hide_index=True,
                width="stretch",
                height="content",
                row_height=TRACKER_ROW_HEIGHT_PX,
                key="tracker_table",
                placeholder="—",
                on_select="rerun",
                selection_mode="single-row",
                column_config=tracker_columns(),
            )
            picked = selection.selection.rows if selection else []
        if picked:
            open_recommendation(int(rows.iloc[picked[0]]["rec_no"]))
            st.rerun()
        labels = {
            int(number): f"{number}. {text[:90]}"
            for number, text in zip(everything["rec_no"], everything["recommendation"], strict=True)
        }
        chosen = st.selectbox(
            "Open a recommendation (or select its row above)",
            list(labels),
            index=None,
            format_func=labels.get,
            key="open_rec",
            placeholder="Choose a recommendation to see it in full and record progress",
        )
        if chosen is not None:
            open_recommendation(chosen)
            st.rerun()
    with charts_tab:
        for chart in charts:
            show_chart(chart)
    with report_tab:
        show_report(as_at)
    with rules_tab:
        for rule in actions.RAG_RULES:
            st.markdown(f"- {rule}")
        st.caption("RAG is always written as a word; colour is only a help.")


def show_report(as_at: date) -> None:
    st.write("The progress report for the audit and governance committee: one row per recommendation.")
    previous = st.date_input(
        "Compare with the report of",
        value=actions.REPORT_DATE,
        min_value=date(2021, 1, 1),
        format="DD/MM/YYYY",
        key="report_previous",
        help="The date of the previous committee report; the report shows what changed since.",
    )
    if previous is None or previous >= as_at:
        st.error(f"Choose a previous report date before the as-at date ({as_at:%-d %B %Y}).")
        return
    with database() as conn:
        report = cached(conn, committee_report, as_at=as_at, previous=previous)
    try:
        generated_by = current_actor().identity
    except PermissionDenied:
        generated_by = "not signed in"
    meta = ReportMeta(
        title="LGA finance peer challenge: action plan progress",
        as_at=as_at,
        previous=previous,
        source=actions.ACTION_PLAN_SOURCE + "; progress updates recorded in this dashboard.",
        rules=actions.RAG_RULES,
        summary=report_summary(report),
        generated_by=generated_by,
        generated_at=datetime.now(),
    )
    stem = f"action_plan_progress_{as_at:%Y-%m-%d}"
    columns = st.columns(3)
    columns[0].download_button(
        "Download report (XLSX)",
        data=made_when_pressed(xlsx_bytes, report, meta),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="report_xlsx",
    )
    columns[1].download_button(
        "Download report (HTML, prints to PDF)",
        data=made_when_pressed(html_document, report, meta),
        file_name=f"{stem}.html",
        mime="text/html",
        key="report_html",
    )
    if pdf_available():
        with columns[2]:
            show_pdf_download(report, meta, stem)
    st.dataframe(report, hide_index=True, width="stretch", key="report_preview")


def show_pdf_download(report: pd.DataFrame, meta: ReportMeta, stem: str) -> None:
    """Printing takes Chromium a few seconds, so the PDF is made on request, in the page run: a failure
    shows here with a reference (a download made on click would fail with no word on screen)."""
    made = st.session_state.get(PDF_KEY)
    if made and made[0] == made_from(report, meta):
        st.download_button(
            "Download report (PDF)", data=made[1], file_name=f"{stem}.pdf", mime="application/pdf", key="report_pdf"
        )
        return
    if not st.button("Make the PDF report", key="make_report_pdf", help="Chromium prints it in a few seconds."):
        return
    try:
        with st.spinner("Printing the report to PDF…"):
            st.session_state[PDF_KEY] = (made_from(report, meta), pdf_bytes(report, meta))
    except Exception as error:  # noqa: BLE001 - shown with a reference; the trace goes to the log
        st.error(
            "The PDF could not be made; download the HTML report and print it from the browser instead. "
            f"Quote reference {report_error(error)} to the dashboard's administrator."
        )
        return
    st.rerun()


def made_from(report: pd.DataFrame, meta: ReportMeta) -> str:
    """What a PDF report was made from; worked out only once one has been made (most visits make none)."""
    return hashlib.sha256(f"{meta.as_at}|{meta.previous}|{report.to_csv()}".encode()).hexdigest()


def show_detail(rec_no: int, today: date) -> None:
    if st.button("All recommendations", icon=":material/arrow_back:", key="back_to_tracker"):
        open_recommendation(None)
        st.rerun()
    # Cached, so the form (and what was typed in it) is still drawn while the shared store is away.
    with database() as conn:
        found = cached(conn, actions.tracker_state, as_at=today, rec_no=rec_no)
        if found.empty:
            st.title(vocab.ACTION_PLAN.title)
            st.error(f"There is no recommendation {rec_no}; the action plan numbers them 1 to 48.")
            return
        row = found.iloc[0]
        updates = cached(conn, actions.history, rec_no)
        referred_by = cached(conn, actions.referred_by, rec_no)
    st.title(f"Recommendation {rec_no}")
    st.caption(f"{plain(row['theme'])} · Appendix {plain(row['source_appendix'])} of the Cabinet report")
    chosen = as_at_control.current()
    if chosen is not None:
        st.caption(
            f"The sidebar's date ({chosen:%-d %B %Y}) does not apply here: a recommendation is shown as it is "
            "today, with every update, since progress is recorded today."
        )
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash)

    st.badge(f"RAG today: {row['rag']}", color=RAG_BADGE_COLOUR[row["rag"]], icon=":material/flag:")
    st.caption(plain(row["rag_reason"]))
    columns = st.columns(4)
    columns[0].metric("Status", row["status_label"])
    columns[1].metric("% complete", "—" if pd.isna(row["percent_complete"]) else f"{row['percent_complete']}%")
    due = day_label(row["effective_due_date"])
    columns[2].metric("Due", due + (" (revised)" if row["due_date_revisions"] else ""))
    columns[3].metric("Days since update", "—" if pd.isna(row["days_since_update"]) else int(row["days_since_update"]))

    st.header("Recommendation")
    st.text(row["recommendation"])
    st.header("The council's response")
    if pd.isna(row["response"]):
        st.text("No response: the cell is blank in the source.")
    else:
        st.text(row["response"])
    details = st.columns(2)
    with details[0]:
        st.markdown("**Lead (as written in the source)**")
        st.text("Blank in the source" if pd.isna(row["lead"]) else row["lead"])
        st.caption("Grouped as: " + plain("; ".join(row["leads"])))
    with details[1]:
        st.markdown("**Timeline (as written in the source)**")
        st.text(row["timeline"])
        if not pd.isna(row["due_date"]):
            st.caption(f"Read as due {day_label(row['due_date'])}.")
    if not pd.isna(row["source_issues"]):
        st.warning("In the source: " + plain(row["source_issues"]), icon=":material/report:")
    see_also = [int(n) for n in row["see_also"]]
    if see_also or referred_by:
        st.markdown("**Cross-references**")
        for other in see_also:
            st.page_link(
                PAGE_FILE,
                label=f"The response refers to recommendation {other}",
                query_params={"rec": other},
            )
        for other in referred_by:
            st.page_link(PAGE_FILE, label=f"Recommendation {other} refers to this one", query_params={"rec": other})

    st.header("Record progress")
    show_form(rec_no, row)

    st.header("History")
    st.caption("Every update ever recorded, newest first. Updates are never edited or deleted.")
    history = history_table(updates)
    st.dataframe(
        history,
        hide_index=True,
        width="stretch",
        key="history_table",
        placeholder="—",
        column_config=history_columns(),
    )
    st.download_button(
        "Download history (CSV)",
        data=neutralise_frame(history).to_csv(index=False).encode("utf-8-sig"),
        file_name=f"recommendation_{rec_no}_history.csv",
        mime="text/csv",
        key="history_csv",
        disabled=history.empty,
    )


def show_form(rec_no: int, row: pd.Series) -> None:
    try:
        actor = current_actor()
    except PermissionDenied as refusal:
        st.info(plain(str(refusal)))
        return
    if ROLE_RANK[actor.role] < ROLE_RANK["editor"]:
        st.info(f"You are signed in as {plain(actor.identity)} ({actor.role}): editors record progress.")
        return
    current_status = row["status"] if row["status"] in vocab.STATUS_KEYS else "in_progress"
    current_percent = 0 if pd.isna(row["percent_complete"]) else int(row["percent_complete"])
    with st.form("record_progress"):
        columns = st.columns(3)
        status = columns[0].selectbox(
            "Status",
            vocab.STATUS_KEYS,
            index=vocab.STATUS_KEYS.index(current_status),
            format_func=vocab.STATUS_LABELS.get,
            key="update_status",
        )
        percent = columns[1].number_input(
            "% complete", min_value=0, max_value=100, value=current_percent, step=5, key="update_percent"
        )
        revised = columns[2].date_input(
            "Revised due date (if it changes)",
            value=None,
            min_value=date(2021, 1, 1),
            format="DD/MM/YYYY",
            key="update_revised",
        )
        note = st.text_area(
            "Note", max_chars=NOTE_MAX_CHARS, key="update_note", help="Required when the due date is revised."
        )
        evidence = st.text_input(
            "Evidence link", max_chars=URL_MAX_CHARS, key="update_evidence", placeholder="https://…"
        )
        submitted = st.form_submit_button("Record update", type="primary")
    st.caption(f"Recorded as {plain(actor.identity)}, with today's date and time. Earlier updates are kept.")
    if not submitted:
        return
    flash = None
    try:
        update_id = record_when_free(
            actor,
            rec_no,
            status=status,
            percent_complete=None if percent is None else int(percent),
            revised_due_date=revised,
            note=note,
            evidence_url=evidence,
        )
    except AlreadyRecorded as earlier:
        flash = str(earlier)  # sent again after an outage or a double click: the form is done with
    except UpdateInvalid as invalid:
        st.error("Nothing was recorded. Please correct:")
        for field, message in invalid.errors.items():
            st.error(f"{FIELD_LABELS.get(field, field)}: {plain(message)}")
        return
    except PermissionDenied as refusal:
        st.error(f"Nothing was recorded. {plain(str(refusal))}")
        return
    except WriteConflict as busy:
        st.warning(f"Nothing was recorded: {busy} Your entries are still in the form; try again.")
        return
    except Exception as error:  # noqa: BLE001 - the cause in words and a reference; the trace goes to the log
        st.error(failure_message(error, "Nothing was recorded; your entries are still in the form."))
        return
    for key in ("update_note", "update_evidence", "update_revised"):
        st.session_state.pop(key, None)
    st.session_state[FLASH_KEY] = (
        flash or f"Recorded update {update_id}: {vocab.STATUS_LABELS[status]}, {int(percent)}%."
    )
    st.rerun()


def selected_rec() -> int | None:
    value = st.query_params.get("rec")
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        return -1
    return number if abs(number) < 2**31 else -1  # rec_no is an INTEGER: a longer number is no recommendation


for kept in KEPT_FILTERS:
    if kept in st.session_state:
        st.session_state[kept] = st.session_state[kept]
today = date.today()
rec = selected_rec()
if rec is None:
    show_tracker(today)
else:
    show_detail(rec, today)
