"""The dashboard's one as-at date under AppTest: the sidebar's box (empty = the latest figures), a link's date
kept in the URL, the Action plan following it, and the Overview's headline figures when none is reported."""

from __future__ import annotations

from datetime import date

import duckdb

from data import vocab
from tests.support.helpers import open_page

BOX = "dashboard_as_at_picker"
REPORT_DAY = date(2021, 10, 5)


def sidebar_text(at) -> str:
    return " ".join(caption.value for caption in at.sidebar.caption)


def main_captions(at) -> str:
    return " ".join(caption.value for caption in at.main.caption)


def url_as_at(at) -> str | None:
    """The as-at date in the app's URL (AppTest holds a parameter as a string or a list of them)."""
    value = at.query_params.get("as_at")
    return value[-1] if isinstance(value, list) and value else value or None


def overdue_before(db_path, day: date) -> set[int]:
    with duckdb.connect(str(db_path), read_only=True) as conn:
        rows = conn.execute("SELECT rec_no FROM recommendations WHERE due_date < $day", {"day": day}).fetchall()
    return {row[0] for row in rows}


def test_with_no_date_chosen_the_sidebar_says_latest_figures(app_test):
    at = open_page(app_test, "pages/overview.py")
    assert at.sidebar.date_input(key=BOX).value is None
    assert f"**{vocab.LATEST_FIGURES}**" in sidebar_text(at)
    assert url_as_at(at) is None
    assert "The latest figures, from" in main_captions(at)


def test_a_links_date_is_shown_in_the_box_and_stays_in_the_url(app_test):
    at = open_page(app_test, "pages/overview.py", as_at="2021-10-05")
    assert at.sidebar.date_input(key=BOX).value == REPORT_DAY
    assert "**As at 5 October 2021**" in sidebar_text(at) and vocab.LATEST_FIGURES not in sidebar_text(at)
    at.switch_page("pages/reserves.py").run()
    assert url_as_at(at) == "2021-10-05" and at.sidebar.date_input(key=BOX).value == REPORT_DAY
    at.sidebar.date_input(key=BOX).set_value(None).run()
    assert url_as_at(at) is None and f"**{vocab.LATEST_FIGURES}**" in sidebar_text(at)


def test_a_links_date_before_the_first_report_shows_nothing_held_and_no_error(app_test):
    at = open_page(app_test, "pages/overview.py", as_at="2021-06-01")
    assert not at.error
    assert at.sidebar.date_input(key=BOX).value == date(2021, 6, 1)
    assert [metric.value for metric in at.metric] == [vocab.NOT_REPORTED] * 5
    assert "No figures for this page are held as at 1 June 2021." in at.warning[0].value


def test_the_action_plan_is_at_the_sidebars_date_with_no_date_control_of_its_own(app_test, db_path):
    at = open_page(app_test, "pages/action_plan.py")
    overdue_today = int(at.metric[1].value)
    assert f"As at today, {date.today():%-d %B %Y}" in main_captions(at)
    # The committee report's previous report date is the only date box on the page.
    assert [box.label for box in at.main.date_input] == ["Compare with the report of"]
    assert not at.main.radio

    at.sidebar.date_input(key=BOX).set_value(REPORT_DAY).run()
    assert url_as_at(at) == "2021-10-05"
    assert int(at.metric[1].value) == len(overdue_before(db_path, REPORT_DAY)) < overdue_today
    assert "As at 5 October 2021**, the date chosen in the sidebar" in main_captions(at)

    at.sidebar.date_input(key=BOX).set_value(None).run()
    assert int(at.metric[1].value) == overdue_today and url_as_at(at) is None


def test_a_link_to_the_action_plan_with_a_date_opens_the_tracker_at_it(app_test, db_path):
    at = open_page(app_test, "pages/action_plan.py", as_at="2021-10-05")
    assert int(at.metric[1].value) == len(overdue_before(db_path, REPORT_DAY))
    assert at.sidebar.date_input(key=BOX).value == REPORT_DAY
    assert url_as_at(at) == "2021-10-05"
    at.checkbox(key="filter_overdue").check().run()
    assert set(at.dataframe(key="tracker_table").value["Rec"]) == overdue_before(db_path, REPORT_DAY)
