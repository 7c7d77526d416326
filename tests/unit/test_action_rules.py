"""The RAG and overdue rules, over every timeline kind in the document (including its faulty rows),
and the tracker queries on a real database."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta

import duckdb
import pytest

from data.access import Actor
from data.actions import record_update
from data.extract_recommendations import RECOMMENDATIONS_CSV
from data.leads import LEAD_ALIASES_CSV, NO_LEAD, lead_aliases, leads_for
from metrics import actions
from metrics.actions import AMBER, GREEN, NO_TIMELINE, RED, TrackerFilters, judge

FAULTY = {13, 36, 38, 42, 43, 46}  # timeline blank (13, 36, 38, 42, 43) or not a timeline (46)
OPEN_STATUSES = ("not_started", "in_progress", "ongoing", None)
EDITOR = Actor("lead@example.org", "editor")


@pytest.fixture(scope="module")
def recs(built_db):
    with duckdb.connect(str(built_db), read_only=True) as conn:
        return conn.execute("SELECT * FROM recommendations ORDER BY rec_no").df().set_index("rec_no", drop=False)


def one(recs, kind: str):
    """The first recommendation of a timeline kind, as judge() keyword arguments."""
    row = recs[recs["timeline_kind"] == kind].iloc[0]
    due = None if row["due_date"] is None or str(row["due_date"]) == "NaT" else row["due_date"].date()
    return {"timeline_kind": kind, "due_date": due}


def test_the_document_has_every_timeline_kind(recs):
    assert set(recs["timeline_kind"]) == {"date", "season", "ongoing", "complete", "missing", "invalid"}
    assert set(recs.index[recs["timeline_kind"].isin(actions.NO_TIMELINE_KINDS)]) == FAULTY


@pytest.mark.parametrize("kind", ["date", "season", "ongoing", "complete", "missing", "invalid"])
def test_complete_is_green_and_never_overdue_for_every_kind(recs, kind):
    for as_at in (date(2021, 10, 5), date(2026, 11, 29)):
        result = judge(
            status="complete",
            percent_complete=100,
            revised_due_date=None,
            last_update=date(2021, 10, 5),
            as_at=as_at,
            **one(recs, kind),
        )
        assert (result.rag, result.overdue) == (GREEN, False)


@pytest.mark.parametrize("kind", ["date", "season"])
def test_dated_kinds_turn_red_or_amber_after_the_due_date(recs, kind):
    args = one(recs, kind)
    due = args["due_date"]
    base = {"status": "in_progress", "revised_due_date": None, "last_update": due - timedelta(days=5), **args}
    on_the_day = judge(percent_complete=0, as_at=due, **base)
    assert (on_the_day.rag, on_the_day.overdue) == (GREEN, False)
    day_after = due + timedelta(days=1)
    assert judge(percent_complete=None, as_at=day_after, **base).rag == RED
    assert judge(percent_complete=actions.RED_BELOW_PCT - 1, as_at=day_after, **base).rag == RED
    assert judge(percent_complete=actions.RED_BELOW_PCT, as_at=day_after, **base).rag == AMBER
    assert all(judge(percent_complete=p, as_at=day_after, **base).overdue for p in (None, 0, 50, 99))


def test_a_season_is_due_at_the_end_of_its_last_month(recs):
    autumn = recs.loc[40]
    assert autumn["timeline_text"] == "Autumn 2021"
    kwargs = {
        "status": "in_progress",
        "percent_complete": 10,
        "timeline_kind": "season",
        "revised_due_date": None,
        "last_update": date(2021, 10, 5),
        "due_date": autumn["due_date"].date(),
    }
    assert not judge(as_at=date(2021, 11, 30), **kwargs).overdue
    assert judge(as_at=date(2021, 12, 1), **kwargs).overdue


def test_a_revised_due_date_is_at_least_amber_and_replaces_the_source_date(recs):
    args = one(recs, "date")
    due = args["due_date"]
    base = {"status": "in_progress", "percent_complete": 10, "last_update": due, **args}
    later = due + timedelta(days=365)
    not_due = judge(revised_due_date=later, as_at=due - timedelta(days=1), **base)
    assert (not_due.rag, not_due.due_date) == (AMBER, later)
    rescued = judge(revised_due_date=later, as_at=due + timedelta(days=30), **base)
    assert (rescued.rag, rescued.overdue) == (AMBER, False)
    missed_again = judge(revised_due_date=later, as_at=later + timedelta(days=1), **base)
    assert (missed_again.rag, missed_again.overdue) == (RED, True)
    same_date = judge(revised_due_date=due, as_at=due - timedelta(days=1), **base)
    assert same_date.rag == GREEN, "recording the same date again is not a revision"


@pytest.mark.parametrize("kind", ["ongoing", "complete"])
def test_undated_kinds_are_judged_on_staleness(recs, kind):
    last = date(2022, 1, 1)
    base = {
        "status": "ongoing",
        "percent_complete": None,
        "revised_due_date": None,
        "last_update": last,
        **one(recs, kind),
    }
    rag = {days: judge(as_at=last + timedelta(days=days), **base) for days in (0, 90, 91, 180, 181, 2000)}
    assert [rag[d].rag for d in (0, 90, 91, 180, 181, 2000)] == [GREEN, GREEN, AMBER, AMBER, RED, RED]
    assert not any(result.overdue for result in rag.values())
    assert judge(as_at=last, **{**base, "last_update": None}).rag == RED


def test_the_faulty_rows_are_no_timeline_and_never_on_track(recs):
    for rec_no in sorted(FAULTY):
        row = recs.loc[rec_no]
        assert row["due_date"] is None or str(row["due_date"]) == "NaT"
        assert actions.timeline_label(row["timeline_kind"], row["timeline_text"]) == NO_TIMELINE
        for status in OPEN_STATUSES:
            for as_at in (date(2021, 10, 5), date(2023, 6, 1), date(2026, 11, 29)):
                for percent in (None, 0, 99):
                    result = judge(
                        status=status,
                        percent_complete=percent,
                        timeline_kind=row["timeline_kind"],
                        due_date=None,
                        revised_due_date=None,
                        last_update=as_at,
                        as_at=as_at,
                    )
                    assert (result.rag, result.overdue) == (NO_TIMELINE, False), (rec_no, status, as_at)
                    revised = judge(
                        status=status,
                        percent_complete=percent,
                        timeline_kind=row["timeline_kind"],
                        due_date=None,
                        revised_due_date=date(2024, 1, 1),
                        last_update=as_at,
                        as_at=as_at,
                    )
                    assert revised.rag in (AMBER, RED), (rec_no, status, as_at)


def test_rec_46_timeline_is_a_name_not_a_date(recs):
    row = recs.loc[46]
    assert row["timeline_kind"] == "invalid"
    assert row["timeline_text"] == row["lead"]


def test_blocked_is_red_whatever_the_timeline(recs):
    for kind in ("date", "season", "ongoing", "missing", "invalid"):
        result = judge(
            status="blocked",
            percent_complete=80,
            revised_due_date=None,
            last_update=date(2021, 10, 5),
            as_at=date(2021, 10, 5),
            **one(recs, kind),
        )
        assert result.rag == RED


def test_at_the_report_date_only_recommendations_already_past_due_are_red(built_db, recs):
    dated = recs[recs["due_date"].notna()]
    past_due = set(dated.index[dated["due_date"].dt.date < actions.REPORT_DATE])
    assert past_due, "the document has a timeline that had already passed (July 2021)"
    with duckdb.connect(str(built_db), read_only=True) as conn:
        state = actions.tracker_state(conn, as_at=actions.REPORT_DATE).set_index("rec_no")
    assert set(state.index[state["rag"] == RED]) == past_due
    assert set(state.index[state["overdue"]]) == past_due
    assert set(state.index[state["rag"] == NO_TIMELINE]) == FAULTY
    ongoing = set(recs.index[recs["timeline_kind"] == "ongoing"])
    assert set(state.loc[sorted(ongoing), "rag"]) == {GREEN}, "updated on the day: fresh"


def test_updates_after_the_as_at_date_do_not_count(db_path):
    with duckdb.connect(str(db_path)) as conn:
        record_update(
            conn,
            EDITOR,
            1,
            status="complete",
            percent_complete=100,
            revised_due_date=None,
            note=None,
            evidence_url=None,
            now=datetime(2022, 3, 1, 9, 30),
        )
        before = actions.tracker_state(conn, as_at=date(2022, 2, 28), rec_no=1).iloc[0]
        on_the_day = actions.tracker_state(conn, as_at=date(2022, 3, 1), rec_no=1).iloc[0]
    assert (before["status"], before["rag"], before["updates"]) == ("in_progress", RED, 1)
    assert (on_the_day["status"], on_the_day["rag"], on_the_day["updates"]) == ("complete", GREEN, 2)


def test_a_revision_carries_forward_to_later_updates_that_do_not_repeat_it(db_path):
    with duckdb.connect(str(db_path)) as conn:
        record_update(
            conn,
            EDITOR,
            3,
            status="in_progress",
            percent_complete=20,
            revised_due_date=date(2027, 6, 30),
            note="Waiting for the new finance system",
            evidence_url=None,
            now=datetime(2026, 1, 10),
        )
        record_update(
            conn,
            EDITOR,
            3,
            status="in_progress",
            percent_complete=30,
            revised_due_date=None,
            note=None,
            evidence_url=None,
            now=datetime(2026, 2, 10),
        )
        row = actions.tracker_state(conn, as_at=date(2026, 3, 1), rec_no=3).iloc[0]
    assert row["revised_due_date"].date() == date(2027, 6, 30)
    assert row["due_date_revisions"] == 1
    assert (row["rag"], row["overdue"], row["percent_complete"]) == (AMBER, False, 30)


def test_every_lead_cell_in_the_source_is_in_the_alias_list():
    with RECOMMENDATIONS_CSV.open(encoding="utf-8", newline="") as handle:
        cells = {row["lead"] for row in csv.DictReader(handle) if row["lead"]}
    missing = cells - set(lead_aliases())
    assert not missing, f"add these lead cells to {LEAD_ALIASES_CSV.name}: {missing}"


def test_the_ways_the_document_names_slt_group_together():
    assert leads_for("SLT") == leads_for("Senior Leadership Team (SLT)") == ("Senior Leadership Team (SLT)",)
    assert "Senior Leadership Team (SLT)" in leads_for("Cabinet and SLT")
    assert "Cabinet" in leads_for("SLT, Cabinet and Budget Holders")
    assert leads_for(None) == leads_for("  ") == (NO_LEAD,)
    assert leads_for("A lead nobody listed") == ("A lead nobody listed",)


def test_filters_narrow_and_combine(built_db, recs):
    as_at = date(2026, 11, 29)
    with duckdb.connect(str(built_db), read_only=True) as conn:
        everything = actions.tracker(conn, as_at=as_at)
        slt = actions.tracker(conn, as_at=as_at, filters=TrackerFilters(leads=("Senior Leadership Team (SLT)",)))
        theme = "DSG deficit and high needs block review"
        dsg_overdue = actions.tracker(conn, as_at=as_at, filters=TrackerFilters(themes=(theme,), overdue_only=True))
        searched = actions.tracker(conn, as_at=as_at, filters=TrackerFilters(search="  dart   BOARD "))
        by_number = actions.tracker(conn, as_at=as_at, filters=TrackerFilters(search="41"))
        no_timeline = actions.tracker(conn, as_at=as_at, filters=TrackerFilters(rags=(NO_TIMELINE,)))
        complete = actions.tracker(conn, as_at=as_at, filters=TrackerFilters(statuses=("complete",)))
    assert len(everything) == 48
    slt_cells = recs["lead"].fillna("").str.contains("SLT")
    assert set(slt["rec_no"]) == set(recs.index[slt_cells])
    assert {2, 6} <= set(slt["rec_no"]), "'Senior Leadership Team (SLT)' (2) and 'SLT' (6) are one lead"
    expected = set(everything.loc[(everything["theme"] == theme) & everything["overdue"], "rec_no"])
    assert set(dsg_overdue["rec_no"]) == expected and expected
    assert set(searched["rec_no"]) == set(recs.index[recs["recommendation"].str.contains("DART board")])
    assert list(by_number["rec_no"]) == [41]
    assert set(no_timeline["rec_no"]) == FAULTY
    assert set(complete["rec_no"]) == set(recs.index[recs["timeline_kind"] == "complete"])


def test_summaries_add_up_to_the_tracker(built_db):
    as_at = date(2026, 11, 29)
    with duckdb.connect(str(built_db), read_only=True) as conn:
        state = actions.tracker(conn, as_at=as_at)
        by_theme = actions.status_by_theme(conn, as_at=as_at)
        overdue = actions.overdue_by_theme(conn, as_at=as_at)
        dated = actions.due_dates(conn, as_at=as_at)
    assert by_theme["recommendations"].sum() == 48
    counts = by_theme.groupby("status_label")["recommendations"].sum()
    for label, count in counts.items():
        assert count == (state["status_label"] == label).sum(), label
    assert overdue["overdue"].sum() == state["overdue"].sum()
    assert len(dated) == state["effective_due_date"].notna().sum()
    assert dated["effective_due_date"].is_monotonic_increasing
