"""In Chromium: the sidebar's as-at date (empty = the latest figures), the Action plan following it, and the
Overview's headline figures read in full, at 1400 px and on a 390 px phone whose window changes height."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.support.helpers import TEST_OUTPUT, browser_context, choose_option, wait_for_app, wait_until_settled

pytestmark = [pytest.mark.browser, pytest.mark.shared_server]  # one server: the tests only read

METRIC = "[data-testid='stMetric']"
AS_AT_BOX = "[data-testid='stSidebar'] [data-testid='stDateInput'] input"
# Streamlit cuts a metric's label or value short with an ellipsis when it does not fit its column.
CUT_SHORT = """() => [...document.querySelectorAll('[data-testid="stMetric"] .stMarkdownEllipsis')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""


def as_at_in(url: str) -> list[str]:
    return parse_qs(urlparse(url).query).get("as_at", [])


def open_phone(chromium_browser, url: str):
    context = browser_context(chromium_browser, 390, 900)
    page = context.new_page()
    page.goto(url)
    wait_for_app(page)
    return context, page


def grow_window(page) -> None:
    """What a phone does as its address bar hides: the browser redraws the boxes it had drawn."""
    page.set_viewport_size({"width": 390, "height": 3000})
    page.wait_for_timeout(1500)
    wait_for_app(page)


def test_with_no_date_chosen_the_sidebar_reads_latest_not_today(live_app, page):
    page.goto(live_app)
    wait_for_app(page)
    page.get_by_text("Figures as at:").wait_for()
    assert page.locator(AS_AT_BOX).input_value() == "", "an empty box, not today's date"
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert "Latest figures" in sidebar
    assert as_at_in(page.url) == []
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "as-at-latest-1400.png"))


def test_on_a_phone_the_as_at_and_the_action_plan_filters_stay_put_when_the_window_changes_height(
    live_app, chromium_browser
):
    """The sidebar is drawn after the page, and a phone's first visit reruns the page as it reports its width:
    a box the browser draws afresh must start from the chosen value, not from its own default."""
    context, page = open_phone(chromium_browser, live_app)  # the root first: it sets up the page list
    context.close()
    for address, wanted in [("", None), ("?as_at=2021-10-05", "2021-10-05")] * 2:
        context, page = open_phone(chromium_browser, f"{live_app}/{address}")
        try:
            page.get_by_text("Figures as at:").wait_for(state="attached")
            grow_window(page)
            assert as_at_in(page.url) == ([wanted] if wanted else []), page.url
            assert page.locator(AS_AT_BOX).input_value() == (wanted or "")
            main = page.locator("[data-testid='stMain']").inner_text()
            assert ("Figures as at 5 October 2021" if wanted else "The latest figures") in main, main[:400]
        finally:
            context.close()

    # The Action plan follows the sidebar's date, and its filters survive the redraw too.
    context, page = open_phone(chromium_browser, f"{live_app}/action_plan?as_at=2021-10-05")
    try:
        main = page.locator("[data-testid='stMain']")
        main.get_by_text("As at 5 October 2021", exact=True).first.wait_for()  # the text, and a chart note
        choose_option(page, page.locator("[data-testid='stMain'] [data-testid='stMultiSelect'] input").first,
                      "Financial leadership")  # fmt: skip
        page.keyboard.press("Escape")
        page.wait_for_function(f"() => !document.querySelector({METRIC!r})?.innerText.endsWith('48 of 48')")
        wait_for_app(page)
        shown = page.locator(METRIC).first.inner_text()
        grow_window(page)
        assert page.locator(METRIC).first.inner_text() == shown
        assert as_at_in(page.url) == ["2021-10-05"]
        assert main.get_by_text("As at 5 October 2021", exact=True).count() >= 1
        assert page.locator(AS_AT_BOX).input_value() == "2021-10-05"
        page.screenshot(path=str(TEST_OUTPUT / "action-plan-as-at-390.png"))
    finally:
        context.close()


@pytest.mark.parametrize("width", [1400, 390])
def test_the_overviews_headline_figures_are_read_in_full(live_app, chromium_browser, width):
    context = browser_context(chromium_browser, width, 1000)
    page = context.new_page()
    try:
        # The latest figures, then a date before any was reported: every headline says "not reported".
        for address in ["", "?as_at=2021-06-01"]:
            page.goto(f"{live_app}/{address}")
            wait_for_app(page)
            page.locator("[data-testid='stMetric']").nth(4).wait_for()
            page.wait_for_timeout(500)
            assert page.evaluate(CUT_SHORT) == [], address
        values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
        assert values == ["not reported"] * 5
        TEST_OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(TEST_OUTPUT / f"overview-not-reported-{width}.png"))
    finally:
        context.close()


def test_every_pages_headline_figures_are_read_in_full(live_app, chromium_browser):
    """At 1400 px, where figures share a row (a phone stacks them: the Overview's test covers 390 px)."""
    context = browser_context(chromium_browser)
    page = context.new_page()
    cut = {}
    try:
        for path in ("budget_outturn", "reserves", "dsg", "action_plan", "directorates"):
            page.goto(f"{live_app}/{path}")
            # From the first paint: the styles that wrap labels are in the page's head (ui/page_shell.py). Mounted
            # only after the page's elements, they left labels cut short for a moment, for seconds on a busy machine.
            page.locator(METRIC).first.wait_for()
            cut[path] = page.evaluate(CUT_SHORT)
            wait_for_app(page)
            page.wait_for_timeout(500)
            cut[path] += page.evaluate(CUT_SHORT)
    finally:
        context.close()
    assert cut == {path: [] for path in cut}


def test_a_directorate_chosen_while_a_new_date_is_being_drawn_leaves_the_page_whole_at_that_date(
    live_app, chromium_browser
):
    """A directorate change reruns only the directorate notice (a fragment), unless it cuts short a run of the whole
    page: that run's unsent part is dropped, so a rerun of the notice alone would leave the page's figures at the
    old date beside a box showing the new one. Here the date change reaches the server first and the directorate
    change just after that run has started, as when a person picks both quickly on a busy server."""
    context = browser_context(chromium_browser)
    page = context.new_page()
    held: list[bytes] = []
    seen = {"holding": False, "second": None, "both_sent": False, "cut_short": False, "ended_after": False}

    def between_page_and_server(socket) -> None:
        server = socket.connect_to_server()

        def from_page(message) -> None:
            if seen["holding"] and isinstance(message, bytes) and _is_rerun_request(message):
                held.append(message)
                if len(held) == 2:  # the date, then the directorate: send the date now, the directorate once it runs
                    seen["holding"] = False
                    seen["second"] = held[1]
                    server.send(held[0])
                return
            server.send(message)

        def from_server(message) -> None:
            socket.send(message)
            if not isinstance(message, bytes):
                return
            kind = ForwardMsg.FromString(message).WhichOneof("type")
            if kind == "new_session" and seen["second"] is not None:
                server.send(seen["second"])  # the date's run has started
                seen["second"] = None
                seen["both_sent"] = True
            elif kind == "new_session" and seen["both_sent"] and not seen["ended_after"]:
                seen["cut_short"] = True  # a run started before the date's ended
            elif kind == "script_finished" and seen["both_sent"]:
                seen["ended_after"] = True

        socket.on_message(from_page)
        server.on_message(from_server)

    page.route_web_socket(re.compile(r"/_stcore/stream"), between_page_and_server)
    try:
        page.goto(f"{live_app}/reserves")
        wait_for_app(page)
        sidebar = page.locator("[data-testid='stSidebar']")
        seen["holding"] = True
        sidebar.locator("[data-testid='stDateInput']").get_by_role("spinbutton").first.click()
        page.keyboard.type("05102021")  # day, month, year
        page.keyboard.press("Enter")
        choose_option(page, sidebar.locator("[data-testid='stMultiSelect'] input"), "Place")
        page.keyboard.press("Escape")
        for _ in range(600):  # both changes sent, and a run ended after them
            if seen["ended_after"]:
                break
            page.wait_for_timeout(100)
        assert seen["both_sent"], "the two changes were not both sent, so nothing was tested"
        assert seen["cut_short"], "the directorate change did not cut the date's run short, so nothing was tested"
        assert seen["ended_after"], "no run ended after the two changes"
        wait_for_app(page, timeout_ms=60_000)
        wait_until_settled(page)
        after_both = page.inner_text("[data-testid='stMain']")

        fresh = context.new_page()  # the same view, opened afresh
        fresh.goto(f"{live_app}/reserves?as_at=2021-10-05&directorate=Place")
        wait_for_app(fresh)
        wait_until_settled(fresh)
        assert after_both == fresh.inner_text("[data-testid='stMain']")
        assert "The directorate filter (Place) does not apply on this page" in after_both
    finally:
        context.close()


def _is_rerun_request(message: bytes) -> bool:
    return BackMsg.FromString(message).WhichOneof("type") == "rerun_script"
