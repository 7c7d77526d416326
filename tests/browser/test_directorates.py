"""In Chromium: load two period-close files on the Data page, read the monitoring table, reopen the link."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.helpers import (
    PROJECT_DIR,
    TEST_OUTPUT,
    browser_context,
    choose_option,
    open_data_sources,
    table_rows,
    wait_for_app,
)
from tests.support.load_files import TWO_PERIOD_TABLE_AT_P6, two_period_extract, two_period_files

pytestmark = pytest.mark.browser


def upload(page, path) -> None:
    # After a load the page swaps in a fresh uploader; wait until the old one (showing its file) has gone.
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=stFileUploader]').length === 1"
        " && !document.querySelector('[data-testid=stFileUploaderFile]')",
        timeout=90_000,
    )
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
    page.get_by_text("Preview: monitoring lines").wait_for(timeout=30_000)
    page.get_by_role("button", name="Load 4 lines").click()
    page.get_by_text(f"Loaded 4 lines from {path.name}").wait_for(timeout=30_000)
    wait_for_app(page)


def test_two_periods_loaded_in_the_browser_show_variance_movement_and_rag(
    page, live_app, db_path, tmp_path, chromium_browser
):
    TEST_OUTPUT.mkdir(exist_ok=True)
    p4, p6 = two_period_files(tmp_path)

    open_data_sources(page, live_app)
    upload(page, p4)
    upload(page, p6)

    page.get_by_role("link", name="Directorates").click()
    page.get_by_text("Budget monitoring at P6").wait_for(timeout=60_000)
    wait_for_app(page)
    rows = table_rows(page)
    assert rows[0] == ("Directorate", "Annual budget", "Forecast outturn", "Variance", "Variance % of budget",
                       "Movement since P4", "RAG")  # fmt: skip
    assert rows[1:] == TWO_PERIOD_TABLE_AT_P6
    assert "year=2021%2F22" in page.url or "year=2021/22" in page.url
    assert "period=P6" in page.url
    page.get_by_text("Children's Services moved most since P4").first.wait_for(timeout=30_000)
    page.screenshot(path=str(TEST_OUTPUT / "directorates-two-periods-1400.png"), full_page=True)

    # The copied link, with a directorate chosen, reopens the same view in a fresh browser.
    sidebar = page.locator("[data-testid='stSidebar']")
    choose_option(page, sidebar.locator("[data-testid='stMultiSelect'] input"), "Children's Services")
    page.keyboard.press("Escape")
    page.wait_for_url(lambda url: "directorate=Children" in url, timeout=30_000)
    page.get_by_text("Total of the chosen directorates").wait_for(timeout=30_000)
    wait_for_app(page)
    url = page.url
    # Wide: on a phone the table is the data grid (drawn on a canvas), tests/app/test_directorates_page.py
    other = browser_context(chromium_browser)
    try:
        fresh = other.new_page()
        fresh.goto(url)
        fresh.get_by_text("Budget monitoring at P6").wait_for(timeout=60_000)
        wait_for_app(fresh)
        rows = table_rows(fresh)
        assert [r[0] for r in rows[1:]] == ["Children's Services", "Total of the chosen directorates"]
        assert rows[1] == TWO_PERIOD_TABLE_AT_P6[1]
        assert "Traceback" not in fresh.inner_text("body")
        fresh.screenshot(path=str(TEST_OUTPUT / "directorates-two-periods-reopened.png"), full_page=True)

        # A command-line load of P7 while the server runs shows on the next interaction.
        p7 = tmp_path / "ledger-2021-22-p7.csv"
        p7.write_bytes(two_period_extract(6).replace(b",P6,", b",P7,"))
        done = subprocess.run(
            [sys.executable, "-m", "data", "load", str(p7)],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "FINANCE_DB": str(db_path)},
        )
        assert done.returncode == 0, done.stderr
        fresh.reload()
        fresh.get_by_text("Budget monitoring at P6").wait_for(timeout=60_000)
        wait_for_app(fresh)
        fresh.locator("[data-testid='stSelectbox']").nth(1).click()
        assert fresh.get_by_role("option", name="P7 (Oct)").count() == 1
    finally:
        other.close()


def test_on_a_phone_the_view_stays_put_when_the_window_changes_height(live_app, chromium_browser):
    """A phone's first visit reruns the page as it reports its width; the period and a link's directorate must
    not fall back to P1 and all directorates when the browser later redraws the boxes (a phone's window
    changes height as its address bar hides)."""
    # The redraw raced the first runs: the period fell back one visit in two, the link's directorate every time.
    for address, scope in [("directorates", "all directorates"), ("directorates?directorate=Place", "Place")] * 2:
        context = browser_context(chromium_browser, 390, 900)
        page = context.new_page()
        page.goto(f"{live_app}/{address}")
        page.get_by_text("forecast outturn at the close of P12 (Mar)").first.wait_for(timeout=60_000)
        wait_for_app(page)
        page.set_viewport_size({"width": 390, "height": 3000})
        page.wait_for_timeout(1500)
        wait_for_app(page)
        caption = page.get_by_text("forecast outturn at the close of").first.inner_text()
        context.close()
        assert caption.startswith(f"{scope}, 2020/21") and "close of P12 (Mar)" in caption, caption
