"""In Chromium: a directorate chosen in the sidebar sends the page's first chart before the table above it,
and the page still reads in its order (figures, table, then the chart)."""

from __future__ import annotations

import pytest

from tests.support.helpers import choose_option, wait_for_app

pytestmark = pytest.mark.browser

# Streamlit puts an element's key in its id: the Directorates page's first chart (the forecast variance by
# directorate) and the monitoring table's total row, as they appear in the websocket's messages.
FIRST_CHART = b"chart_monitoring_variance_directorate"
TABLE_TOTAL_ROW = b"Total of the chosen directorates"


def test_a_directorate_change_sends_the_first_chart_before_the_monitoring_table(page, live_app):
    frames: list[bytes] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(payload)))
    page.goto(f"{live_app}/directorates")
    page.get_by_text("Budget monitoring at").first.wait_for(timeout=60_000)
    wait_for_app(page)

    frames.clear()
    choose_option(page, page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect'] input"), "Place")
    page.keyboard.press("Escape")
    page.get_by_text("Total of the chosen directorates").wait_for(timeout=60_000)
    wait_for_app(page)

    sent = [frame if isinstance(frame, bytes) else frame.encode() for frame in frames]
    chart_at = next(i for i, frame in enumerate(sent) if FIRST_CHART in frame)
    table_at = next(i for i, frame in enumerate(sent) if TABLE_TOTAL_ROW in frame)
    assert chart_at < table_at

    # What the reader sees is unchanged: the figures and the table above the first chart.
    main = page.locator("[data-testid='stMain']")
    tops = [
        main.locator(selector).first.bounding_box()["y"]
        for selector in ("[data-testid='stMetric']", "[data-testid='stTable']", "[data-testid='stPlotlyChart']")
    ]
    assert tops == sorted(tops)
    assert "Place" in main.locator("[data-testid='stPlotlyChart']").first.inner_text()
