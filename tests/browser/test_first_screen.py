"""In Chromium: a session's first page comes in two parts (ui.document.first_screen_only), and no other does.

The Overview's first visit sends its title, headline figures and first chart, with placeholders for the rest of
the page and of the sidebar (its filters); once the browser has drawn the first chart, it asks for both. The whole
page then reads, and its filters work, as they always did.
"""

from __future__ import annotations

import re

import pytest

from tests.support.helpers import browser_context, choose_option, wait_for_app, wait_until_settled
from ui.document import PLACEHOLDERS, REST_OF_PAGE_KEY, REST_OF_SIDEBAR_KEY

pytestmark = pytest.mark.browser

# Runs before the page's own scripts: remembers when the placeholder, the first drawn chart and a second chart
# were first seen (page clock). A mutation observer, so a placeholder shown for a moment is not missed.
WATCH = f"""
window.__seen = {{placeholder: null, first_drawn: null, second_chart: null, sidebar_placeholder: null,
  sidebar_filters: null}};
new MutationObserver(() => {{
  const now = performance.now(), seen = window.__seen;
  if (seen.placeholder === null && document.querySelector('.st-key-{REST_OF_PAGE_KEY}')) seen.placeholder = now;
  if (seen.sidebar_placeholder === null && document.querySelector('.st-key-{REST_OF_SIDEBAR_KEY}'))
    seen.sidebar_placeholder = now;
  if (seen.sidebar_filters === null && document.querySelector(SIDEBAR_DATE_BOX)) seen.sidebar_filters = now;
  const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
  if (seen.first_drawn === null && charts[0] && charts[0].querySelector('.main-svg')) seen.first_drawn = now;
  if (seen.second_chart === null && charts.length > 1) seen.second_chart = now;
}}).observe(document, {{subtree: true, childList: true}});
"""
SIDEBAR_DATE_BOX = "[data-testid='stSidebar'] [data-testid='stDateInput']"
WATCH = WATCH.replace("SIDEBAR_DATE_BOX", repr(SIDEBAR_DATE_BOX))
DRAWN_CHARTS = (
    "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
    ".filter(chart => chart.querySelector('.main-svg')).length"
)
REST_OF_THE_OVERVIEW = ("Action plan progress", "Open the Action plan", "headline figures", "Where the figures")


@pytest.mark.parametrize("width", [1400, 390])
def test_the_first_page_comes_in_two_parts_then_reads_whole(chromium_browser, live_app, width):
    context = browser_context(chromium_browser, width, 1000)
    context.add_init_script(WATCH)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(live_app)
        wait_for_app(page)
        page.wait_for_function(f"() => ({DRAWN_CHARTS})() === 4")
        seen = page.evaluate("() => window.__seen")
        assert seen["placeholder"] is not None, "the first visit should send a placeholder for the rest of the page"
        assert seen["first_drawn"] < seen["second_chart"], "the first chart is drawn before the rest is sent"
        main = page.inner_text("[data-testid='stMain']")
        for text in REST_OF_THE_OVERVIEW:
            assert text in main
        assert "Drawing the rest of the page" not in main
        assert not errors

        # A widget in the second part (drawn by a run of its own) works as anywhere else, and the page stays whole
        page.evaluate("() => { window.__seen.placeholder = null; }")
        wait_until_settled(page)  # a phone's width report reruns the page, redrawing the menus, after it reads whole
        menu = page.get_by_role("button", name=re.compile(r"Download$")).nth(1)
        menu.scroll_into_view_if_needed()
        menu.click()
        page.get_by_role("button", name=re.compile(r"Add to briefing pack")).click()
        page.get_by_role("button", name=re.compile(r"In the briefing pack \(1 item\)")).wait_for(timeout=60_000)
        page.keyboard.press("Escape")
        wait_for_app(page)
        page.wait_for_function(f"() => ({DRAWN_CHARTS})() === 4")
        assert page.evaluate("() => window.__seen.placeholder") is None
        main = page.inner_text("[data-testid='stMain']")
        for text in ("Action plan progress", "Where the figures on this page come from"):
            assert main.count(text) == 1, text
        assert not errors

        # The same session's next pages, and the Overview again, come whole
        page.evaluate("() => { window.__seen.placeholder = null; }")
        page.get_by_role("link", name="Open the Action plan").click()
        page.wait_for_url("**/action_plan**")
        wait_for_app(page)
        page.go_back()
        page.wait_for_function("() => document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length === 4")
        wait_for_app(page)
        page.wait_for_function(f"() => ({DRAWN_CHARTS})() === 4")
        assert page.evaluate("() => window.__seen.placeholder") is None
    finally:
        context.close()


def test_the_first_pages_sidebar_filters_come_after_its_first_chart_and_work(chromium_browser, live_app):
    """The sidebar's filters are drawn by a run of their own on a session's first page: used before any other run,
    each still changes the page as it does anywhere else."""
    context = browser_context(chromium_browser)
    context.add_init_script(WATCH)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sidebar = page.locator("[data-testid='stSidebar']")
    main = page.locator("[data-testid='stMain']")
    try:
        page.goto(live_app)
        wait_for_app(page)
        sidebar.locator("[data-testid='stDateInput']").wait_for()  # its code is fetched once it arrives
        seen = page.evaluate("() => window.__seen")
        assert seen["sidebar_placeholder"] is not None, "the first visit should send the sidebar's filters later"
        assert seen["first_drawn"] < seen["sidebar_filters"], "the first chart is drawn before the filters"
        for text in ("Directorate", "Figures as at", "Local mode"):
            assert text in sidebar.inner_text(), text
        sidebar.get_by_role("button", name="Copy a link to this view").wait_for()
        assert sidebar.locator("[data-testid='stDateInput']").count() == 1

        # a directorate: the Overview says its headline figures are for the whole council
        choose_option(page, sidebar.locator("[data-testid='stMultiSelect'] input"), "Place")
        page.keyboard.press("Escape")
        main.get_by_text("The directorate filter (Place) does not apply on this page").wait_for()
        assert "directorate=Place" in page.url

        # a date: the whole page reruns as at that date
        sidebar.locator("[data-testid='stDateInput']").get_by_role("spinbutton").first.click()
        page.keyboard.type("05102021")  # day, month, year
        page.keyboard.press("Enter")
        main.get_by_text("Figures as at 5 October 2021").first.wait_for()
        wait_for_app(page)
        assert "as_at=2021-10-05" in page.url
        assert sidebar.locator("[data-testid='stDateInput']").count() == 1
        assert sidebar.locator("[data-testid='stMultiSelect']").count() == 1
        assert page.locator(f".st-key-{REST_OF_SIDEBAR_KEY}").count() == 0
        assert not errors
    finally:
        context.close()


def test_the_rest_of_the_first_page_comes_even_when_the_browsers_first_ask_is_lost(chromium_browser, live_app):
    """The browser asks for the rest of its first page once the first chart is drawn. If that message is lost (a
    dropped trigger, a connection that blinks), the page must not stay at "Drawing the rest of the page…": the
    browser asks again while the placeholder is still there."""
    context = browser_context(chromium_browser)
    page = context.new_page()
    dropped: list[int] = []

    def between_page_and_server(socket) -> None:
        server = socket.connect_to_server()

        def from_page(message) -> None:
            if not dropped and isinstance(message, bytes) and b"first_screen_drawn" in message:
                dropped.append(len(message))  # the ask, as if it never arrived
                return
            server.send(message)

        socket.on_message(from_page)
        server.on_message(socket.send)

    page.route_web_socket(re.compile(r"/_stcore/stream"), between_page_and_server)
    try:
        page.goto(live_app)
        wait_for_app(page, timeout_ms=60_000)
        assert dropped, "the browser's ask for the rest of the page was not seen, so nothing was tested"
        page.wait_for_function(f"() => ({DRAWN_CHARTS})() === 4")
        main = page.inner_text("[data-testid='stMain']")
        for text in REST_OF_THE_OVERVIEW:
            assert text in main
        assert "Drawing the rest of the page" not in main
        assert page.locator(f".st-key-{REST_OF_SIDEBAR_KEY}").count() == 0
    finally:
        context.close()


def test_the_browser_asks_for_the_rest_only_once_it_has_the_end_of_the_run_that_sent_the_first_screen(
    chromium_browser, live_app
):
    """Streamlit starts a fragment's run by dropping what is still queued for the browser from that fragment, even
    from the full run before it. A browser that asked for the rest of its first page (a run of the fragments)
    while the first screen's run was still being sent lost the sidebar's placeholder but not what followed it,
    and went blank ("Bad delta path index"), on a busy server about one first page in thirty. So here the run's
    end is held back once the first screen's placeholder has arrived: the browser draws the first chart, and asks
    for nothing until it has the end; then the page reads whole."""
    context = browser_context(chromium_browser)
    page = context.new_page()
    held: list[bytes | str] = []
    seen = {"socket": None, "placeholder": False, "holding": False, "asked_while_held": False}

    def between_page_and_server(socket) -> None:
        server = socket.connect_to_server()
        seen["socket"] = socket

        def from_server(message) -> None:
            if seen["holding"]:
                held.append(message)
                return
            socket.send(message)
            if not seen["placeholder"] and isinstance(message, bytes) and b"first_screen_drawn" in message:
                seen["placeholder"] = seen["holding"] = True  # the element that asks has arrived: hold the rest

        def from_page(message) -> None:
            if seen["holding"] and isinstance(message, bytes) and b"first_screen_drawn" in message:
                seen["asked_while_held"] = True
            server.send(message)

        socket.on_message(from_page)
        server.on_message(from_server)

    page.route_web_socket(re.compile(r"/_stcore/stream"), between_page_and_server)
    try:
        page.goto(live_app)
        page.locator(f".st-key-{REST_OF_PAGE_KEY}").wait_for()  # what came before the hold, drawn
        page.wait_for_function(f"() => ({DRAWN_CHARTS})() >= 1")
        page.wait_for_timeout(1000)  # time enough for an ask sent on the first chart alone to be seen
        assert seen["placeholder"] and held, "nothing was held back after the placeholder, so nothing was tested"
        assert not seen["asked_while_held"], "the browser asked before it had the end of the first screen's run"
        while held:  # in order; what arrives meanwhile joins the queue
            seen["socket"].send(held.pop(0))
        seen["holding"] = False
        wait_for_app(page, timeout_ms=60_000)
        page.wait_for_function(f"() => ({DRAWN_CHARTS})() === 4")
        main = page.inner_text("[data-testid='stMain']")
        for text in REST_OF_THE_OVERVIEW:
            assert text in main, text
        page.locator(SIDEBAR_DATE_BOX).wait_for()
        assert page.locator(PLACEHOLDERS).count() == 0
        assert not page.evaluate("window.__pageErrors")
    finally:
        context.close()
