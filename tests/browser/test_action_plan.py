"""Record progress in headless Chromium, reload, and find the update in the recommendation's history."""

from __future__ import annotations

import openpyxl
import pytest

from tests.support.helpers import TEST_OUTPUT, read_served_file, wait_for_app

pytestmark = pytest.mark.browser

NOTE = "Browser test: paper agreed by SLT on 24 November"


def test_record_an_update_reload_and_see_it_in_the_history(live_app, page, db_path, tmp_path):
    # Open the app at its root first: with a pages/ folder beside app.py, Streamlit 1.67 runs a deep-linked
    # page on its own (without app.py's frame) until some session has run st.navigation.
    page.goto(live_app)
    wait_for_app(page)
    page.goto(f"{live_app}/action_plan?rec=9")
    wait_for_app(page)
    page.get_by_text("Figures as at:").wait_for()
    page.get_by_role("heading", name="Recommendation 9").wait_for()
    page.get_by_label("% complete", exact=True).fill("45")
    page.get_by_role("textbox", name="Note").fill(NOTE)
    page.get_by_role("textbox", name="Evidence link").fill("https://example.org/slt/2026-11-24")
    page.get_by_role("button", name="Record update").click()
    page.get_by_text("Recorded update").wait_for(timeout=30_000)

    with read_served_file(db_path) as conn:
        stored = conn.execute(
            "SELECT percent_complete, note, updated_by FROM action_updates WHERE rec_no = 9 ORDER BY update_id DESC"
        ).fetchone()
    assert stored[:2] == (45, NOTE)

    page.reload()
    wait_for_app(page)
    page.get_by_role("heading", name="History").wait_for()
    history = page.get_by_test_id("stDataFrame").last
    # The grid draws on a canvas; its accessible table (hidden) carries the cell text.
    cell = history.get_by_role("gridcell", name=NOTE, include_hidden=True)
    # The context's wait (BROWSER_TIMEOUT_MS), as for every other element: on a loaded machine the grid took
    # more than 15 s to draw.
    cell.wait_for(state="attached")
    assert cell.get_attribute("id").endswith("-0"), "the newest update is the first row of the history"
    main = page.inner_text("[data-testid='stMain']")
    assert "45%" in main and "Traceback" not in main
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "action_plan_detail.png"), full_page=True)

    page.goto(f"{live_app}/action_plan")
    wait_for_app(page)
    page.get_by_role("heading", name="Action plan").wait_for()
    page.get_by_test_id("stDataFrame").first.wait_for()
    wait_for_app(page)
    page.screenshot(path=str(TEST_OUTPUT / "action_plan.png"), full_page=True)

    page.get_by_role("tab", name="Committee report").click()
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name="Download report (XLSX)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    sheet = openpyxl.load_workbook(saved)["Progress"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 48
    header = list(rows[0])
    assert rows[9][header.index("Latest note")] == NOTE
