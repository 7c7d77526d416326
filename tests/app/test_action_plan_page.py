"""The Action plan page under AppTest: filters, the as-at date, recording progress, the detail view."""

from __future__ import annotations

import json
import threading
from datetime import date

import duckdb
import pytest

from tests.support import helpers

PAGE = "pages/action_plan.py"
SUBMIT = "FormSubmitter:record_progress-Record update"


def open_page(app_test, rec: int | None = None):
    return helpers.open_page(app_test, PAGE, **({} if rec is None else {"rec": str(rec)}))


def table(app_test):
    return app_test.dataframe(key="tracker_table").value


def count_updates(db_path) -> int:
    with duckdb.connect(str(db_path), read_only=True) as conn:
        return conn.execute("SELECT count(*) FROM action_updates").fetchone()[0]


def source_recs(db_path, sql: str, params: dict | None = None) -> set[int]:
    with duckdb.connect(str(db_path), read_only=True) as conn:
        return {row[0] for row in conn.execute(sql, params or {}).fetchall()}


def test_the_table_lists_all_48_with_rag_as_a_word(app_test):
    at = open_page(app_test)
    rows = table(at)
    assert list(rows["Rec"]) == list(range(1, 49))
    assert {"Theme", "Recommendation", "Lead", "Timeline", "Due date", "Status", "% complete", "RAG"} <= set(rows)
    assert {"Overdue", "Days since update"} <= set(rows)
    words = {"Red", "Amber", "Green", "No timeline in source"}
    assert all(any(word in badge for word in words) for badge in rows["RAG"])
    no_timeline = rows.loc[rows["Timeline"] == "No timeline in source", "Rec"]
    assert set(no_timeline) == {13, 36, 38, 42, 43, 46}


def test_each_filter_narrows_the_table(app_test, db_path):
    at = open_page(app_test)
    theme = "Financial leadership"
    at.multiselect(key="filter_theme").select(theme).run()
    assert set(table(at)["Rec"]) == source_recs(
        db_path, "SELECT rec_no FROM recommendations WHERE theme = $t", {"t": theme}
    )
    at.multiselect(key="filter_theme").unselect(theme).run()

    at.multiselect(key="filter_lead").select("Senior Leadership Team (SLT)").run()
    slt = source_recs(db_path, "SELECT rec_no FROM recommendations WHERE lead LIKE '%SLT%'")
    assert set(table(at)["Rec"]) == slt and {2, 6} <= slt
    at.multiselect(key="filter_lead").unselect("Senior Leadership Team (SLT)").run()

    at.multiselect(key="filter_rag").select("No timeline in source").run()
    assert set(table(at)["Rec"]) == {13, 36, 38, 42, 43, 46}
    at.multiselect(key="filter_status").select("Not started").run()
    assert set(table(at)["Rec"]) == {38}, "filters combine"
    at.multiselect(key="filter_rag").unselect("No timeline in source").run()
    at.multiselect(key="filter_status").unselect("Not started").run()

    at.text_input(key="filter_search").input("DART board").run()
    assert set(table(at)["Rec"]) == source_recs(
        db_path, "SELECT rec_no FROM recommendations WHERE recommendation ILIKE '%DART board%'"
    )
    at.text_input(key="filter_search").input("").run()

    at.checkbox(key="filter_overdue").check().run()
    overdue = table(at)
    assert 0 < len(overdue) < 48 and set(overdue["Overdue"]) == {"Yes"}
    assert at.metric[1].value == str(len(overdue))
    assert not at.exception


def test_the_report_date_as_at_changes_what_is_overdue(app_test, db_path):
    at = open_page(app_test)
    overdue_today = int(at.metric[1].value)
    at.sidebar.date_input(key="dashboard_as_at_picker").set_value(date(2021, 10, 5)).run()
    past_due = source_recs(db_path, "SELECT rec_no FROM recommendations WHERE due_date < DATE '2021-10-05'")
    assert int(at.metric[1].value) == len(past_due) < overdue_today
    at.checkbox(key="filter_overdue").check().run()
    assert set(table(at)["Rec"]) == past_due
    assert "5 October 2021" in " ".join(caption.value for caption in at.caption)


def test_the_charts_show_and_mark_today(app_test):
    at = open_page(app_test)
    charts = at.get("plotly_chart")
    assert len(charts) == 3
    timeline = json.loads(charts[1].proto.spec)
    labels = [annotation.get("text", "") for annotation in timeline["layout"]["annotations"]]
    assert any(label.startswith("Today") for label in labels)


def test_recording_an_update_appends_one_row_and_the_table_shows_the_new_status(app_test, db_path):
    before = count_updates(db_path)
    at = open_page(app_test, rec=9)
    assert at.title[0].value == "Recommendation 9"
    at.selectbox(key="update_status").set_value("blocked")
    at.number_input(key="update_percent").set_value(35)
    at.text_area(key="update_note").input("Waiting on the [ledger](javascript:alert(1)) migration")
    at.button(key=SUBMIT).click().run()
    assert not at.exception and not at.error
    assert count_updates(db_path) == before + 1
    assert "Recorded update" in at.success[0].value
    history = at.dataframe[0].value
    assert history.iloc[0]["Status"] == "Blocked"
    assert history.iloc[0]["Note"] == "Waiting on the [ledger](javascript:alert(1)) migration"
    assert "javascript" not in " ".join(m.value for m in at.markdown)

    at.button(key="back_to_tracker").click().run()
    rows = table(at).set_index("Rec")
    assert (rows.loc[9, "Status"], rows.loc[9, "% complete"]) == ("Blocked", 35)
    assert "Red" in rows.loc[9, "RAG"]


@pytest.mark.parametrize(
    ("fill", "message"),
    [
        ({"update_evidence": "javascript:alert(1)"}, "Evidence link: The evidence link must be a web address"),
        ({"update_revised": "date"}, "Note: Say why the due date is being revised"),
    ],
)
def test_invalid_input_shows_the_message_and_appends_nothing(app_test, db_path, fill, message):
    before = count_updates(db_path)
    at = open_page(app_test, rec=9)
    for key, value in fill.items():
        if key == "update_revised":
            at.date_input(key=key).set_value(date(2027, 3, 31))
        else:
            at.text_input(key=key).input(value)
    at.button(key=SUBMIT).click().run()
    assert not at.exception
    errors = [error.value for error in at.error]
    assert errors[0] == "Nothing was recorded. Please correct:"
    assert any(error.startswith(message) for error in errors)
    assert count_updates(db_path) == before
    assert len(at.dataframe[0].value) == 1


def test_referred_by_links_back(app_test):
    at = open_page(app_test, rec=41)
    links = [(link.proto.label, link.proto.query_string) for link in at.main.get("page_link")]
    assert links == [
        ("Recommendation 42 refers to this one", "rec=42"),
        ("Recommendation 43 refers to this one", "rec=43"),
    ]


def test_the_detail_shows_cross_references_and_the_source_faults(app_test):
    at = open_page(app_test, rec=13)
    assert at.title[0].value == "Recommendation 13"
    links = [(link.proto.label, link.proto.query_string) for link in at.main.get("page_link")]
    assert links == [("The response refers to recommendation 7", "rec=7")]
    assert "timeline cell blank in source" in at.warning[0].value
    texts = [text.value for text in at.text]
    assert "No timeline in source" in texts and "Blank in the source" in texts


def test_an_unknown_recommendation_gives_a_message(app_test):
    at = open_page(app_test, rec=99)
    assert "There is no recommendation 99" in at.error[0].value


def test_recording_waits_while_another_page_run_holds_the_database_read_only(app_test, db_path):
    """In one server process DuckDB refuses a read-write open while a read-only one is open: the form waits."""
    before = count_updates(db_path)
    at = open_page(app_test, rec=9)
    reader = duckdb.connect(str(db_path), read_only=True)
    release = threading.Timer(0.5, reader.close)
    release.start()
    try:
        at.text_area(key="update_note").input("recorded while someone else was reading")
        at.button(key=SUBMIT).click().run()
    finally:
        release.join()
    assert not at.exception and not at.error and not at.main.warning
    assert count_updates(db_path) == before + 1
    assert at.dataframe[0].value.iloc[0]["Note"] == "recorded while someone else was reading"


def test_a_viewer_sees_no_form(app_test, monkeypatch):
    from data.access import Actor

    monkeypatch.setattr("ui.identity.current_actor", lambda: Actor("reader@example.org", "viewer"))
    at = open_page(app_test, rec=9)
    assert not at.get("form_submit_button") and not [b for b in at.button if b.label == "Record update"]
    assert "editors record progress" in at.info[0].value


def test_filters_survive_a_visit_to_a_recommendation(app_test):
    at = open_page(app_test)
    at.multiselect(key="filter_theme").select("Financial leadership").run()
    shown = set(table(at)["Rec"])
    at.selectbox(key="open_rec").select(min(shown)).run()
    assert at.title[0].value == f"Recommendation {min(shown)}"
    at.button(key="back_to_tracker").click().run()
    assert not at.exception and at.title[0].value == "Action plan"
    assert set(table(at)["Rec"]) == shown


def test_a_form_sent_again_after_its_answer_was_lost_is_recorded_once(app_test, db_path, monkeypatch):
    """Issue 24, finding 17: the update was committed but the answer never came (the store or the replica went
    away); the entries stay in the form, and sending it again is recognised by the form's submission id."""
    import data.actions
    import ui.action_plan

    def committed_then_the_connection_dropped(*args, **kwargs):
        data.actions.record_update(*args, **kwargs)
        raise duckdb.IOException("IO Error: could not receive data from server: Connection reset by peer")

    before = count_updates(db_path)
    at = open_page(app_test, rec=9)
    at.selectbox(key="update_status").set_value("blocked")
    at.number_input(key="update_percent").set_value(35)
    at.text_area(key="update_note").input("Waiting on the ledger migration")
    monkeypatch.setattr(ui.action_plan, "record_update", committed_then_the_connection_dropped)
    at.button(key=SUBMIT).click().run()
    assert "Nothing was recorded; your entries are still in the form" in at.error[0].value
    assert at.text_area(key="update_note").value == "Waiting on the ledger migration"
    assert count_updates(db_path) == before + 1

    monkeypatch.setattr(ui.action_plan, "record_update", data.actions.record_update)
    # A word changed before sending it again: still the same submission (its key), so stored once.
    at.text_area(key="update_note").input("Waiting on the ledger migration.")
    at.button(key=SUBMIT).click().run()
    assert not at.exception and not at.error
    assert count_updates(db_path) == before + 1
    assert "already recorded" in at.success[0].value and "not stored twice" in at.success[0].value
    # The next form is a new submission.
    at.text_area(key="update_note").input("Waiting on the ledger migration.")
    at.button(key=SUBMIT).click().run()
    assert count_updates(db_path) == before + 2


def metric_value(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_the_counts_say_how_many_have_had_no_update_for_over_90_days(app_test, db_path):
    at = open_page(app_test)
    with duckdb.connect(str(db_path), read_only=True) as conn:
        last = dict(conn.execute("SELECT rec_no, max(updated_at)::DATE FROM action_updates GROUP BY rec_no").fetchall())
    stale = [n for n in range(1, 49) if n not in last or (date.today() - last[n]).days > 90]
    assert metric_value(at, "No update for over 90 days") == str(len(stale))
    red = int(metric_value(at, "Red"))
    assert any(f"of the {red} Red recommendations" in c.value and "no update for over 90 days" in c.value
               for c in at.caption)  # fmt: skip


def test_one_click_puts_the_tracker_at_the_cabinet_report_date_and_one_brings_it_back(app_test, db_path):
    at = open_page(app_test)
    overdue_today = metric_value(at, "Overdue")
    at.button(key="as_at_report").click().run()
    assert not at.exception and at.query_params["as_at"] == "2021-10-05"
    past_due = source_recs(db_path, "SELECT rec_no FROM recommendations WHERE due_date < DATE '2021-10-05'")
    assert metric_value(at, "Overdue") == str(len(past_due)) != overdue_today
    assert not [b for b in at.button if b.key == "as_at_report"]
    at.button(key="as_at_today").click().run()
    assert "as_at" not in at.query_params and metric_value(at, "Overdue") == overdue_today


def test_overdue_only_is_kept_in_the_link(app_test):
    at = open_page(app_test)
    at.checkbox(key="filter_overdue").check().run()
    assert at.query_params["overdue"] == "1" and set(table(at)["Overdue"]) == {"Yes"}
    at.checkbox(key="filter_overdue").uncheck().run()
    assert "overdue" not in at.query_params and len(table(at)) == 48


def test_a_link_with_overdue_opens_the_overdue_list(app_test):
    at = helpers.open_page(app_test, PAGE, overdue="1")
    assert at.checkbox(key="filter_overdue").value is True
    rows = table(at)
    assert 0 < len(rows) < 48 and set(rows["Overdue"]) == {"Yes"}


def test_the_table_puts_each_recommendation_and_its_lead_beside_its_rag(app_test):
    rows = table(open_page(app_test))
    assert list(rows.columns[:4]) == ["Rec", "RAG", "Recommendation", "Lead"]
