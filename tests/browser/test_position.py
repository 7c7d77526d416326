"""The position pages in headless Chromium: no error, at least one drawn chart, a screenshot each."""

from __future__ import annotations

import pytest

from tests.support.helpers import TEST_OUTPUT, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.shared_server]  # one server: the tests only read

POSITION_PAGES = ["", "budget_outturn", "reserves", "dsg"]  # the Overview is the default page, at /
MAX_SCREENSHOT_HEIGHT = 8000


def test_every_position_page_draws_charts_without_errors(live_app, page):
    TEST_OUTPUT.mkdir(exist_ok=True)
    for url_path in POSITION_PAGES:
        page.goto(f"{live_app}/{url_path}")
        wait_for_app(page)
        page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", timeout=30_000)
        page.wait_for_timeout(500)
        main = page.locator("[data-testid='stMain']")
        text = main.inner_text()
        assert "Traceback" not in text, url_path
        assert "Something went wrong" not in text, url_path
        assert page.locator("[data-testid='stException']").count() == 0, url_path
        assert page.locator("[data-testid='stAlertContentError']").count() == 0, url_path
        drawn = page.locator("[data-testid='stPlotlyChart'] .main-svg")
        assert drawn.count() >= 1, url_path
        # The statement title is drawn inside the figure, not only in the page.
        assert page.locator("[data-testid='stPlotlyChart'] .gtitle").count() >= 1, url_path
        if not url_path:  # the Overview sends its first chart before its headline figures, which sit above it
            figures_top = page.locator("[data-testid='stMetric']").first.bounding_box()["y"]
            assert figures_top < page.locator("[data-testid='stPlotlyChart']").first.bounding_box()["y"]
        # Streamlit scrolls inside its main container, so a tall viewport shows the whole page. Chromium
        # draws an app first opened in a tall headless viewport as placeholders, so resize after loading.
        content = page.evaluate("document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
        page.set_viewport_size({"width": 1400, "height": min(int(content) + 120, MAX_SCREENSHOT_HEIGHT)})
        page.wait_for_timeout(1500)
        page.screenshot(path=str(TEST_OUTPUT / f"position-{url_path or 'overview'}.png"), full_page=True)
        page.set_viewport_size({"width": 1400, "height": 1000})


FOCUSED_NAME = "() => (document.activeElement.closest('summary') || document.activeElement).innerText.trim()"


def test_tables_are_drawn_when_their_panel_is_opened_and_pass_axe(live_app, page):
    """'Show the data', the sources and the 2021 report's figures are drawn on opening (the page's first
    screen is its charts): one keystroke still opens the numbers, focus stays put, and what opens meets
    WCAG 2.2 AA like the rest of the page."""
    from tests.browser.test_accessibility import audit, axe_script, faults_in

    page.goto(live_app)
    wait_for_app(page)
    page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", timeout=30_000)
    main = page.locator("[data-testid='stMain']")
    assert main.locator("[data-testid='stTable']").count() == 0, "no table is drawn before it is asked for"

    show_data = main.locator("summary", has_text="Show the data").first
    show_data.focus()
    page.keyboard.press("Enter")
    table = main.locator("[data-testid='stTable'] table").first
    table.wait_for(timeout=30_000)
    assert table.locator("tbody tr").count() >= 1
    assert page.evaluate(FOCUSED_NAME).endswith("Show the data"), "focus stays on the panel's heading"

    for heading in ("Where the figures on this page come from", "The 2021 report's headline figures"):
        main.locator("summary", has_text=heading).click()
    page.wait_for_function(
        '() => document.querySelectorAll(\'[data-testid="stMain"] [data-testid="stDataFrame"]\').length >= 2',
        timeout=30_000,
    )
    assert "Traceback" not in main.inner_text()
    faults = []
    for width in (1400, 390):
        page.set_viewport_size({"width": width, "height": 900})
        result = audit(page, axe_script())
        faults += faults_in(f"overview at {width} px with its tables open", result, narrow=width < 700)
    assert not faults, "\n".join(faults)


def test_chart_tables_fit_the_page_when_opened(live_app, page):
    """Opened, each chart's data table wraps to its column: a table that scrolled sideways would do it in a
    region the keyboard cannot reach (axe: scrollable-region-focusable)."""
    from tests.browser.test_accessibility import audit, axe_script, faults_in

    faults = []
    for url_path in ("", "dsg"):  # the Overview's four charts and the DSG page's, whose data are the widest
        page.goto(f"{live_app}/{url_path}")
        wait_for_app(page)
        main = page.locator("[data-testid='stMain']")
        panels = main.locator("summary", has_text="Show the data")
        for index in range(panels.count()):
            panels.nth(index).click()
            wait_for_app(page)
        main.locator("[data-testid='stTable']").nth(panels.count() - 1).wait_for(timeout=30_000)
        faults += faults_in(f"/{url_path} with every data table open", audit(page, axe_script()), narrow=False)
    assert not faults, "\n".join(faults)
