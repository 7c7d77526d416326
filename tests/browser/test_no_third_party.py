"""No request leaves the server for a page to draw: every page, and the stop page a visitor without the
local-mode token gets, asks only 127.0.0.1 (the tab's icon included), in headless Chromium."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.support.helpers import browser_context, wait_for_app, wait_until_settled
from ui import pages_registry as registry

pytestmark = [pytest.mark.browser, pytest.mark.shared_server]  # one server: the tests only read
LOCAL = ("127.0.0.1", None)  # None: data: and blob: addresses, drawn from what the page already has
SCRIPT_DONE = "() => document.querySelector('.stApp')?.getAttribute('data-test-script-state') === 'notRunning'"


def watched_context(browser, asked: list[str], *, with_token: bool):
    """A browser context that records every address asked for and lets only the local server answer."""
    context = browser_context(browser, token=with_token)

    def route(route):
        asked.append(route.request.url)
        if urlsplit(route.request.url).hostname in LOCAL:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    context.on("request", lambda request: asked.append(request.url))
    return context


def tab_icon(page) -> str:
    return page.evaluate("() => document.querySelector(\"link[rel='shortcut icon']\")?.href ?? ''")


def test_every_page_draws_with_nothing_asked_of_any_other_server(live_app, chromium_browser):
    asked: list[str] = []
    context = watched_context(chromium_browser, asked, with_token=True)
    page = context.new_page()
    try:
        for info in registry.PAGES:
            page.goto(f"{live_app}/{info.url_path}")
            wait_for_app(page)
            wait_until_settled(page)
            assert page.get_by_role("heading", level=1).first.is_visible(), info.title
            icon = tab_icon(page)
            assert urlsplit(icon).hostname in LOCAL, f"{info.title}: the tab's icon is {icon}"
    finally:
        context.close()
    assert asked, "no request was seen at all"
    elsewhere = sorted({url for url in asked if urlsplit(url).hostname not in LOCAL})
    assert not elsewhere, elsewhere


def test_the_stop_page_asks_nothing_of_any_other_server(live_app, chromium_browser):
    asked: list[str] = []
    context = watched_context(chromium_browser, asked, with_token=False)
    page = context.new_page()
    try:
        page.goto(live_app)
        page.get_by_text("open the link from the terminal").first.wait_for()
        page.wait_for_function(SCRIPT_DONE)
        icon = tab_icon(page)
    finally:
        context.close()
    assert urlsplit(icon).hostname in LOCAL, f"the stop page's icon is {icon}"
    elsewhere = sorted({url for url in asked if urlsplit(url).hostname not in LOCAL})
    assert not elsewhere, elsewhere
