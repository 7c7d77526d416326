"""The committee progress report: one row per recommendation, with the change since a previous report."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from metrics import actions

REPORT_COLUMNS = (
    "Rec",
    "Theme",
    "Recommendation",
    "Lead",
    "Timeline in source",
    "Due date",
    "Revised due date",
    "Status",
    "% complete",
    "RAG",
    "RAG reason",
    "Overdue",
    "Last update",
    "Updated by",
    "Latest note",
    "Evidence link",
    "Status at previous report",
    "RAG at previous report",
    "Updates since previous report",
    "Change since previous report",
)


def _day(value: object) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def _percent(value: object) -> int | None:
    return None if pd.isna(value) else int(value)


def _text(value: object) -> str | None:
    return None if pd.isna(value) else str(value)


def _change(now: pd.Series, before: pd.Series, updates_since: int) -> str:
    changes = []
    if now["status_label"] != before["status_label"]:
        changes.append(f"Status {before['status_label']} → {now['status_label']}")
    if now["rag"] != before["rag"]:
        changes.append(f"RAG {before['rag']} → {now['rag']}")
    if _percent(now["percent_complete"]) != _percent(before["percent_complete"]):
        was, is_ = _percent(before["percent_complete"]), _percent(now["percent_complete"])
        changes.append(
            f"% complete {'not recorded' if was is None else was} → {'not recorded' if is_ is None else is_}"
        )
    revised = _day(now["revised_due_date"])
    if revised is not None and revised != _day(before["revised_due_date"]):
        changes.append(f"due date revised to {revised:%-d %b %Y}")
    if not updates_since:
        return "; ".join(["No update since the previous report", *changes]) + "."
    if changes:
        return "; ".join(changes) + "."
    return "Updated; no change in status, RAG or % complete."


def committee_report(conn: duckdb.DuckDBPyConnection, *, as_at: date, previous: date) -> pd.DataFrame:
    """One row per recommendation (48) as at `as_at`, compared with the tracker at `previous`."""
    if previous >= as_at:
        raise ValueError(
            f"The previous report date ({previous:%-d %B %Y}) must be before the as-at date ({as_at:%-d %B %Y})."
        )
    now = actions.tracker_state(conn, as_at=as_at).set_index("rec_no")
    before = actions.tracker_state(conn, as_at=previous).set_index("rec_no")
    rows = []
    for rec_no, row in now.iterrows():
        updates_since = int(row["updates"]) - int(before.loc[rec_no, "updates"])
        rows.append(
            {
                "Rec": int(rec_no),
                "Theme": row["theme"],
                "Recommendation": row["recommendation"],
                "Lead": _text(row["lead"]) or "No lead in source",
                "Timeline in source": row["timeline"],
                "Due date": _day(row["due_date"]),
                "Revised due date": _day(row["revised_due_date"]),
                "Status": row["status_label"],
                "% complete": _percent(row["percent_complete"]),
                "RAG": row["rag"],
                "RAG reason": row["rag_reason"],
                "Overdue": "Yes" if row["overdue"] else "No",
                "Last update": _day(row["updated_at"]),
                "Updated by": _text(row["updated_by"]),
                "Latest note": _text(row["note"]),
                "Evidence link": _text(row["evidence_url"]),
                "Status at previous report": before.loc[rec_no, "status_label"],
                "RAG at previous report": before.loc[rec_no, "rag"],
                "Updates since previous report": updates_since,
                "Change since previous report": _change(row, before.loc[rec_no], updates_since),
            }
        )
    frame = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    frame["% complete"] = frame["% complete"].astype("Int64")
    return frame


def report_summary(report: pd.DataFrame) -> dict[str, int]:
    """Counts for the report's cover: recommendations, each RAG, overdue, changed since the previous report."""
    summary = {"Recommendations": len(report)}
    summary.update({rag: int((report["RAG"] == rag).sum()) for rag in actions.RAG_ORDER})
    summary["Overdue"] = int((report["Overdue"] == "Yes").sum())
    summary["Updated since previous report"] = int((report["Updates since previous report"] > 0).sum())
    return summary
