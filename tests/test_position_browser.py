"""The position pages in headless Chromium: no error, at least one drawn chart, a screenshot each."""

from __future__ import annotations

import pytest

from tests.helpers import TEST_OUTPUT, wait_for_app

pytestmark = pytest.mark.browser

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
        # Streamlit scrolls inside its main container, so a tall viewport shows the whole page. Chromium
        # draws an app first opened in a tall headless viewport as placeholders, so resize after loading.
        content = page.evaluate("document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
        page.set_viewport_size({"width": 1400, "height": min(int(content) + 120, MAX_SCREENSHOT_HEIGHT)})
        page.wait_for_timeout(1500)
        page.screenshot(path=str(TEST_OUTPUT / f"position-{url_path or 'overview'}.png"), full_page=True)
        page.set_viewport_size({"width": 1400, "height": 1000})
