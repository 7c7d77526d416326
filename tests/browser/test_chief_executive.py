"""The chief executive's journey, in Chromium at 1400 and 390 px: where does the council stand, and which
recommendations are overdue? Written as the task: read the headline figures, go to the action plan, read how
many are overdue and how many have had no update for a quarter, list only the overdue ones with their text
and lead, and keep that list as a link.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.helpers import BROWSER_TIMEOUT_MS, TEST_OUTPUT, browser_context, wait_for_app

pytestmark = pytest.mark.browser

SHOTS = TEST_OUTPUT / "chief-executive"


def metric(page, label: str) -> str:
    figure = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True)).first
    return figure.get_by_test_id("stMetricValue").inner_text()


@pytest.mark.parametrize("width", [1400, 390])
def test_position_and_overdue_recommendations_answered(live_app, chromium_browser, width):
    phone = width < 700
    context = browser_context(chromium_browser, width, 844 if phone else 1000, is_mobile=phone, has_touch=phone)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page = context.new_page()
        page.goto(live_app)
        wait_for_app(page)

        # Where the council stands: the headline figures, in pounds, with their source on hover.
        figures = page.get_by_test_id("stMetric")
        figures.nth(3).wait_for()
        values = [figures.nth(i).get_by_test_id("stMetricValue").inner_text() for i in range(4)]
        assert all("£" in value or "%" in value or "not reported" in value for value in values), values
        if phone:  # two across: the first two share a row
            first, second = figures.nth(0).bounding_box(), figures.nth(1).bounding_box()
            assert abs(first["y"] - second["y"]) < 4 and second["x"] > first["x"] + first["width"] / 2
        page.screenshot(path=str(SHOTS / f"position-{width}.png"))

        # To the action plan, through the sidebar; on a phone choosing the page closes the sidebar.
        if phone:
            page.get_by_test_id("stExpandSidebarButton").click()
            page.wait_for_selector("[data-testid='stSidebar'][data-collapsed='false']")
        page.locator("[data-testid='stSidebar'] a", has_text="Action plan").click()
        page.get_by_role("heading", name="Action plan", exact=True).wait_for()
        wait_for_app(page)
        if phone:
            page.wait_for_selector("[data-testid='stSidebar'][data-collapsed='true']", state="attached")

        overdue = int(metric(page, "Overdue"))
        stale = int(metric(page, "No update for over 90 days"))
        red = int(metric(page, "Red"))
        assert 0 < overdue < 48 and 0 < stale <= 48 and red > 0
        assert page.get_by_text(f"of the {red} Red recommendation").first.is_visible()

        page.get_by_text("Overdue only").click()
        wait_for_app(page)
        page.wait_for_url("**overdue=1**")
        if phone:  # a card per recommendation, each with its text and lead
            cards = page.locator("[class*='st-key-rec_card_']")
            # A rerun keeps the unfiltered cards on screen until the filtered ones replace them: wait for the
            # count to settle rather than read it mid-run.
            expect(cards).to_have_count(overdue, timeout=BROWSER_TIMEOUT_MS)
            first_card = cards.first.inner_text()
            assert "overdue" in first_card and "Lead:" in first_card and len(first_card) > 80
        else:  # the table's rows hold the recommendation and its lead, wrapped in full
            grid = page.get_by_test_id("stDataFrame").first
            grid.wait_for()
            assert grid.bounding_box()["height"] > 300
            # The grid draws its header cells after the grid itself appears.
            expect(grid.get_by_role("columnheader", name="Lead", include_hidden=True)).to_have_count(
                1, timeout=BROWSER_TIMEOUT_MS
            )
        page.screenshot(path=str(SHOTS / f"overdue-{width}.png"), full_page=True)

        # The Cabinet report's date is one click away.
        page.get_by_role("button", name="As at the Cabinet report (5 Oct 2021)").click()
        wait_for_app(page)
        page.wait_for_url("**as_at=2021-10-05**")
        # The address changes before the rerun has drawn the figures: wait for the count to change first.
        overdue_figure = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Overdue", exact=True)).first
        overdue_value = overdue_figure.get_by_test_id("stMetricValue")
        expect(overdue_value).not_to_have_text(str(overdue), timeout=BROWSER_TIMEOUT_MS)
        assert int(metric(page, "Overdue")) < overdue
        page.screenshot(path=str(SHOTS / f"overdue-at-cabinet-{width}.png"))
    finally:
        context.close()
