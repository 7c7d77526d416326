"""The action-plan tracker: RAG and overdue rules, and the tables the Action plan page shows.

The rules are pure functions (`judge`) so they can be tested on every timeline kind without a
database. The query functions return one row per recommendation as the tracker stood at the end of
an as-at date: only updates recorded on or before that date count.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import duckdb
import pandas as pd

from data.build import SOURCE_TITLE
from data.leads import leads_for
from data.vocab import NO_UPDATE, STATUS_LABELS

REPORT_DATE = date(2021, 10, 5)  # the Cabinet report the action plan comes from
ACTION_PLAN_SOURCE = SOURCE_TITLE

GREEN, AMBER, RED, NO_TIMELINE = "Green", "Amber", "Red", "No timeline in source"
RAG_ORDER = (RED, AMBER, GREEN, NO_TIMELINE)

NO_TIMELINE_KINDS = ("missing", "invalid")  # recs 13, 36, 38, 42, 43 (blank) and 46 (a name, not a date)
UNDATED_KINDS = ("ongoing", "complete")  # no due date by design: judged on how fresh the last update is
RED_BELOW_PCT = 50
STALE_AMBER_DAYS = 90  # a quarter without an update: one committee cycle missed
STALE_RED_DAYS = 180  # two quarters without an update

RAG_RULES = (
    "Complete → Green.",
    "Blocked → Red.",
    "The due date is the revised due date if one has been recorded, else the date in the source "
    "(a month means its last day; a season its last month's last day).",
    f"Past the due date on the as-at date: Red if under {RED_BELOW_PCT}% complete (or % not recorded), else Amber.",
    "Not yet due: Green; but a revised due date makes it at least Amber.",
    f"'Ongoing' (no due date): judged on the last update instead: Green if updated within {STALE_AMBER_DAYS} days "
    f"of the as-at date, Amber within {STALE_RED_DAYS} days, Red if older or never updated.",
    "No timeline in the source (recs 13, 36, 38, 42, 43 blank; 46 holds a name) and no revised due date: "
    "'No timeline in source', never counted as on track. Recording a revised due date puts it on the date "
    "rules, at least Amber.",
    "Overdue: not complete and the as-at date is after the due date.",
)


@dataclass(frozen=True)
class Judgement:
    rag: str
    overdue: bool
    due_date: date | None  # the date it is judged against: revised if recorded, else the source's
    reason: str


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _as_date(value: Any) -> date | None:
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.date()
    return value


def judge(
    *,
    status: str | None,
    percent_complete: float | None,
    timeline_kind: str,
    due_date: date | None,
    revised_due_date: date | None,
    last_update: date | None,
    as_at: date,
) -> Judgement:
    """RAG and overdue for one recommendation on `as_at` (the rules in RAG_RULES, in that order)."""
    due_date, revised_due_date, last_update = _as_date(due_date), _as_date(revised_due_date), _as_date(last_update)
    effective_due = revised_due_date or due_date
    percent = None if _missing(percent_complete) else float(percent_complete)
    if status == "complete":
        return Judgement(GREEN, False, effective_due, "Complete.")
    overdue = effective_due is not None and as_at > effective_due
    if status == "blocked":
        return Judgement(RED, overdue, effective_due, "Blocked.")
    if effective_due is None:
        if timeline_kind not in UNDATED_KINDS:
            return Judgement(NO_TIMELINE, False, None, "The source gives no timeline and none has been recorded.")
        if last_update is None:
            return Judgement(RED, False, None, "No due date and no update recorded.")
        age = (as_at - last_update).days
        if age > STALE_RED_DAYS:
            return Judgement(RED, False, None, f"No due date; last update {age} days before the as-at date.")
        if age > STALE_AMBER_DAYS:
            return Judgement(AMBER, False, None, f"No due date; last update {age} days before the as-at date.")
        return Judgement(GREEN, False, None, f"No due date; updated {age} days before the as-at date.")
    revised = revised_due_date is not None and revised_due_date != due_date
    if overdue:
        if percent is None or percent < RED_BELOW_PCT:
            done = "% complete not recorded" if percent is None else f"{percent:g}% complete"
            return Judgement(RED, True, effective_due, f"Past due ({effective_due:%-d %b %Y}); {done}.")
        return Judgement(AMBER, True, effective_due, f"Past due ({effective_due:%-d %b %Y}); {percent:g}% complete.")
    if revised:
        return Judgement(AMBER, False, effective_due, f"Due date revised to {effective_due:%-d %b %Y}.")
    return Judgement(GREEN, False, effective_due, f"Due {effective_due:%-d %b %Y}; not yet due.")


@dataclass(frozen=True)
class TrackerFilters:
    """What the Action plan page's filters select; empty means no filter."""

    themes: tuple[str, ...] = ()
    leads: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # status codes: not_started, in_progress, ...
    rags: tuple[str, ...] = ()
    overdue_only: bool = False
    search: str = ""


_STATE_SQL = """
WITH upto AS (
    SELECT * FROM action_updates WHERE updated_at < $cutoff
),
latest AS (
    SELECT * FROM upto
    QUALIFY row_number() OVER (PARTITION BY rec_no ORDER BY updated_at DESC, update_id DESC) = 1
),
revisions AS (
    SELECT rec_no,
           arg_max(revised_due_date, (updated_at, update_id)) AS revised_due_date,
           count(*) AS due_date_revisions
    FROM upto WHERE revised_due_date IS NOT NULL GROUP BY rec_no
),
counts AS (
    SELECT rec_no, count(*) AS updates FROM upto GROUP BY rec_no
)
SELECT r.rec_no, r.theme, r.recommendation, r.response, r.timeline_text, r.timeline_kind, r.due_date,
       r.lead, r.see_also, r.source_appendix, r.source_issues,
       l.update_id, l.status, l.percent_complete, v.revised_due_date,
       coalesce(v.due_date_revisions, 0) AS due_date_revisions,
       l.note, l.evidence_url, l.updated_by, l.updated_at, coalesce(c.updates, 0) AS updates
FROM recommendations r
LEFT JOIN latest l USING (rec_no)
LEFT JOIN revisions v USING (rec_no)
LEFT JOIN counts c USING (rec_no)
WHERE ($rec_no IS NULL OR r.rec_no = $rec_no)
ORDER BY r.rec_no
"""


def _cutoff(as_at: date) -> datetime:
    return datetime.combine(as_at + timedelta(days=1), time.min)


def timeline_label(timeline_kind: str, timeline_text: str | None) -> str:
    """The timeline as the table shows it: the source's words, or that it has none."""
    if timeline_kind in NO_TIMELINE_KINDS:
        return NO_TIMELINE
    return str(timeline_text)


def tracker_state(conn: duckdb.DuckDBPyConnection, *, as_at: date, rec_no: int | None = None) -> pd.DataFrame:
    """One row per recommendation as it stood at the end of `as_at`, with RAG, overdue and leads."""
    frame = conn.execute(_STATE_SQL, {"cutoff": _cutoff(as_at), "rec_no": rec_no}).df()
    judgements = [
        judge(
            status=None if _missing(row.status) else row.status,
            percent_complete=row.percent_complete,
            timeline_kind=row.timeline_kind,
            due_date=row.due_date,
            revised_due_date=row.revised_due_date,
            last_update=row.updated_at,
            as_at=as_at,
        )
        for row in frame.itertuples()
    ]
    frame["rag"] = [j.rag for j in judgements]
    frame["rag_reason"] = [j.reason for j in judgements]
    frame["overdue"] = [j.overdue for j in judgements]
    frame["effective_due_date"] = pd.to_datetime(pd.Series([j.due_date for j in judgements], dtype=object))
    frame["status_label"] = frame["status"].map(STATUS_LABELS).fillna(NO_UPDATE)
    frame["timeline"] = [
        timeline_label(kind, text) for kind, text in zip(frame["timeline_kind"], frame["timeline_text"], strict=True)
    ]
    frame["leads"] = [leads_for(None if _missing(lead) else lead) for lead in frame["lead"]]
    frame["days_since_update"] = [None if _missing(at) else (as_at - _as_date(at)).days for at in frame["updated_at"]]
    frame["days_since_update"] = frame["days_since_update"].astype("Int64")
    frame["percent_complete"] = frame["percent_complete"].astype("Int64")
    return frame


_REC_NUMBER = re.compile(r"[0-9]{1,6}")


def _matches(row: pd.Series, words: str) -> bool:
    # A recommendation number: ASCII digits only (str.isdigit is also true for "³" and other scripts'
    # digits, which int() refuses) and short, so a pasted 5,000-digit number is searched as text.
    if _REC_NUMBER.fullmatch(words):
        return int(words) == row["rec_no"]
    fields = (row["recommendation"], row["response"], row["lead"], row["note"], row["theme"], *row["leads"])
    return any(isinstance(field, str) and words in field.casefold() for field in fields)


def apply_filters(frame: pd.DataFrame, filters: TrackerFilters) -> pd.DataFrame:
    """The rows of a tracker frame that the filters select (all conditions must hold)."""
    keep = pd.Series(True, index=frame.index)
    if filters.themes:
        keep &= frame["theme"].isin(filters.themes)
    if filters.leads:
        wanted = set(filters.leads)
        keep &= frame["leads"].map(lambda leads: bool(wanted.intersection(leads)))
    if filters.statuses:
        keep &= frame["status"].isin(filters.statuses)
    if filters.rags:
        keep &= frame["rag"].isin(filters.rags)
    if filters.overdue_only:
        keep &= frame["overdue"]
    words = " ".join(filters.search.split()).casefold()
    if words:
        keep &= frame.apply(_matches, axis=1, words=words)
    return frame[keep].reset_index(drop=True)


def tracker(conn: duckdb.DuckDBPyConnection, *, as_at: date, filters: TrackerFilters | None = None) -> pd.DataFrame:
    """The tracker table: one row per recommendation the filters select, as at `as_at`."""
    return apply_filters(tracker_state(conn, as_at=as_at), filters or TrackerFilters())


def theme_order(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """The seven themes in the order of Appendix 1."""
    rows = conn.execute("SELECT theme FROM recommendations GROUP BY theme ORDER BY min(rec_no)").fetchall()
    return [row[0] for row in rows]


def lead_names(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Every named lead (after the alias list), alphabetically."""
    cells = [row[0] for row in conn.execute("SELECT DISTINCT lead FROM recommendations").fetchall()]
    return sorted({lead for cell in cells for lead in leads_for(cell)})


def summarise_status_by_theme(rows: pd.DataFrame, themes: list[str]) -> pd.DataFrame:
    """Tracker rows counted by theme and status (every theme × status, zeros kept; 'No update' only if any)."""
    grid = pd.MultiIndex.from_product([themes, [*STATUS_LABELS.values(), NO_UPDATE]], names=["theme", "status_label"])
    counts = rows.groupby(["theme", "status_label"]).size().reindex(grid, fill_value=0)
    frame = counts.rename("recommendations").reset_index()
    frame["recommendations"] = frame["recommendations"].astype(int)
    return frame[(frame["status_label"] != NO_UPDATE) | (frame["recommendations"] > 0)].reset_index(drop=True)


def summarise_due_dates(rows: pd.DataFrame) -> pd.DataFrame:
    """Tracker rows that have a due date (source or revised), earliest first."""
    rows = rows[rows["effective_due_date"].notna()]
    columns = ["rec_no", "theme", "lead", "effective_due_date", "due_date", "revised_due_date", "status_label"]
    return rows[[*columns, "rag", "overdue"]].sort_values(["effective_due_date", "rec_no"]).reset_index(drop=True)


def summarise_overdue_by_theme(rows: pd.DataFrame, themes: list[str]) -> pd.DataFrame:
    """Per theme: tracker rows overdue, and how many have a due date at all."""
    frame = pd.DataFrame({"theme": themes})
    frame["overdue"] = frame["theme"].map(rows.groupby("theme")["overdue"].sum()).fillna(0).astype(int)
    dated = rows[rows["effective_due_date"].notna()].groupby("theme").size()
    frame["with_due_date"] = frame["theme"].map(dated).fillna(0).astype(int)
    return frame


def status_by_theme(
    conn: duckdb.DuckDBPyConnection, *, as_at: date, filters: TrackerFilters | None = None
) -> pd.DataFrame:
    """How many recommendations in each theme are at each status on `as_at`."""
    return summarise_status_by_theme(tracker(conn, as_at=as_at, filters=filters), theme_order(conn))


def due_dates(conn: duckdb.DuckDBPyConnection, *, as_at: date, filters: TrackerFilters | None = None) -> pd.DataFrame:
    """Recommendations that have a due date (source or revised), earliest first, with RAG and overdue."""
    return summarise_due_dates(tracker(conn, as_at=as_at, filters=filters))


def overdue_by_theme(
    conn: duckdb.DuckDBPyConnection, *, as_at: date, filters: TrackerFilters | None = None
) -> pd.DataFrame:
    """Per theme: recommendations overdue on `as_at`, and how many have a due date at all."""
    return summarise_overdue_by_theme(tracker(conn, as_at=as_at, filters=filters), theme_order(conn))


def history(conn: duckdb.DuckDBPyConnection, rec_no: int) -> pd.DataFrame:
    """Every recorded update for one recommendation, newest first."""
    frame = conn.execute(
        """
        SELECT update_id, updated_at, updated_by, status, percent_complete, revised_due_date, note, evidence_url
        FROM action_updates WHERE rec_no = $rec_no
        ORDER BY updated_at DESC, update_id DESC
        """,
        {"rec_no": rec_no},
    ).df()
    frame["status_label"] = frame["status"].map(STATUS_LABELS)
    frame["percent_complete"] = frame["percent_complete"].astype("Int64")
    return frame


def count_rag(frame: pd.DataFrame, rags: Iterable[str] = RAG_ORDER) -> dict[str, int]:
    """How many rows of a tracker frame have each RAG rating."""
    counts = frame["rag"].value_counts()
    return {rag: int(counts.get(rag, 0)) for rag in rags}


def without_recent_update(frame: pd.DataFrame, days: int = STALE_AMBER_DAYS) -> pd.Series:
    """Per tracker row: True if no update has been recorded in the `days` days before the as-at date (or ever)."""
    return frame["days_since_update"].isna() | (frame["days_since_update"] > days).fillna(True)


def referred_by(conn: duckdb.DuckDBPyConnection, rec_no: int) -> list[int]:
    """Recommendations whose response refers to `rec_no` ("See 7", "As 41.")."""
    rows = conn.execute(
        "SELECT rec_no FROM recommendations WHERE list_contains(see_also, $rec_no) ORDER BY rec_no", {"rec_no": rec_no}
    ).fetchall()
    return [row[0] for row in rows]
