"""Local mode in a real browser: the sidebar warns, and a request through a proxy gets the stop page."""

from __future__ import annotations

import pytest

from tests.support.helpers import TEST_OUTPUT, browser_context, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.shared_server]  # one server: the tests only read


def test_local_mode_warns_in_the_sidebar(live_app, page):
    page.goto(live_app)
    wait_for_app(page)
    page.wait_for_selector("[data-testid='stMetric']")
    sidebar = page.inner_text("[data-testid='stSidebar']")
    assert "Local mode: not for sharing" in sidebar
    assert "Changes are recorded as" in sidebar
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "local-mode.png"), full_page=True)


def test_local_mode_refuses_a_request_that_came_through_a_proxy(live_app, chromium_browser):
    # Even with the token, a proxy that says so is refused.
    context = browser_context(chromium_browser, extra_http_headers={"X-Forwarded-For": "203.0.113.9"})
    try:
        page = context.new_page()
        page.goto(live_app)
        wait_for_app(page)
        page.get_by_text("This page was requested through a proxy.").wait_for()
        assert page.locator("[data-testid='stMetric']").count() == 0
        assert "Local mode: not for sharing" in page.inner_text("[data-testid='stMain']")
    finally:
        context.close()
