"""Links that open, in local mode, in a real browser as a person uses one (no test script adding the token):

the printed link sets the browser's cookie and leaves no token in the address; "Copy a link to this view" on
every page gives a link that opens the same view in a new page of that browser; and a page opened before
the printed link shows the stop page at its own address, and comes back once the printed link is opened.
"""

from __future__ import annotations

import pytest

from tests.support.helpers import LOCAL_TOKEN, TEST_OUTPUT, browser_context, wait_for_app
from ui import pages_registry as registry

pytestmark = [pytest.mark.browser, pytest.mark.shared_server]  # one server: the tests only read

REPORT_DAY = "2021-10-05"
# Each page at a view kept in its address, and what shows that the view is the one asked for.
VIEWS = {
    registry.OVERVIEW: f"/?as_at={REPORT_DAY}",
    registry.BUDGET_OUTTURN: f"/budget_outturn?as_at={REPORT_DAY}",
    registry.RESERVES: f"/reserves?as_at={REPORT_DAY}",
    registry.DSG: f"/dsg?as_at={REPORT_DAY}",
    registry.ACTION_PLAN: f"/action_plan?as_at={REPORT_DAY}&overdue=1",
    registry.DIRECTORATES: f"/directorates?as_at={REPORT_DAY}&year=2020%2F21&period=P9&directorate=Place",
    registry.DATA_SOURCES: f"/data_sources?as_at={REPORT_DAY}",
    registry.BRIEFING: f"/briefing?as_at={REPORT_DAY}",
    registry.ACCESSIBILITY: f"/accessibility?as_at={REPORT_DAY}",
}
STOP_TITLE = "Local mode: open the link from the terminal"
HEADINGS = {registry.OVERVIEW: "Dorset Council: financial position", registry.ACCESSIBILITY: "Accessibility statement"}


@pytest.fixture
def persons_browser(chromium_browser, live_app):
    """A person's browser: clipboard allowed for the app, and no script bringing the token."""
    context = browser_context(chromium_browser, token=False)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_app)
    yield context
    context.close()


def shows_the_view(page, info: registry.PageInfo) -> None:
    """The page, at the as-at date, with the view's own state."""
    page.get_by_role("heading", name=HEADINGS.get(info, info.title), exact=True).first.wait_for()
    sidebar = page.inner_text("[data-testid='stSidebar']")
    assert "As at 5 October 2021" in sidebar, info.title
    if info is registry.ACTION_PLAN:
        assert page.get_by_role("checkbox", name="Overdue only").is_checked()
    if info is registry.DIRECTORATES:
        main = page.inner_text("[data-testid='stMain']")
        assert "P9 (Dec)" in main and "Place" in main


def test_a_link_copied_from_each_page_opens_the_same_view_in_a_new_page_of_that_browser(live_app, persons_browser):
    first = persons_browser.new_page()
    first.goto(f"{live_app}/?token={LOCAL_TOKEN}")
    wait_for_app(first)
    assert "token" not in first.url, "the token is taken out of the address bar"
    cookie = next(c for c in persons_browser.cookies() if c["name"] == "finance_local_browser")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and LOCAL_TOKEN not in cookie["value"]

    for info, view in VIEWS.items():
        first.goto(live_app + view)
        wait_for_app(first)
        shows_the_view(first, info)
        first.get_by_role("button", name="Copy a link to this view").click()
        first.get_by_text("Link copied").wait_for()
        link = first.evaluate("navigator.clipboard.readText()")
        assert link.startswith(live_app) and "token" not in link, link

        opened = persons_browser.new_page()
        opened.goto(link)
        wait_for_app(opened)
        assert "token" not in opened.url and STOP_TITLE not in opened.inner_text("body")
        shows_the_view(opened, info)
        opened.close()


def test_a_page_opened_before_the_printed_link_comes_back_after_it(live_app, persons_browser):
    page = persons_browser.new_page()
    page.goto(f"{live_app}/action_plan?as_at={REPORT_DAY}&overdue=1")
    wait_for_app(page)
    page.get_by_role("heading", name=STOP_TITLE).wait_for()
    assert page.url.endswith(f"/action_plan?as_at={REPORT_DAY}&overdue=1"), "the page keeps its address"
    assert "Page not found" not in page.inner_text("body")
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "local-mode-stop-page.png"))

    page.goto(f"{live_app}/?token={LOCAL_TOKEN}")  # the link printed in the terminal
    wait_for_app(page)
    assert page.url == f"{live_app}/action_plan?as_at={REPORT_DAY}&overdue=1"
    shows_the_view(page, registry.ACTION_PLAN)


def test_a_wrong_token_sets_nothing_and_gets_the_stop_page(live_app, persons_browser):
    page = persons_browser.new_page()
    page.goto(f"{live_app}/directorates?token=not-the-token-at-all")
    wait_for_app(page)
    page.get_by_role("heading", name=STOP_TITLE).wait_for()
    assert not [c for c in persons_browser.cookies() if c["name"] == "finance_local_browser"]
