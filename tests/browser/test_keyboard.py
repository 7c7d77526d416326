"""Every task with the keyboard alone, in Chromium: no click, no mouse; each control reached with Tab shows focus.

Load a file; choose a directorate; change the year and the period; download a chart as PNG and its data as
CSV; open a recommendation and record progress; build a briefing pack and download it.
"""

from __future__ import annotations

import re

import pytest

from tests.support.helpers import TEST_OUTPUT, wait_for_app, wait_until_settled
from tests.support.load_files import two_period_extract

pytestmark = pytest.mark.browser

TABS_AT_MOST = 250

FOCUSED = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    return {
        tag: element.tagName,
        name: (element.getAttribute('aria-label') || (element.labels && element.labels[0]?.innerText)
            || (['A', 'BUTTON', 'SUMMARY'].includes(element.tagName) ? element.innerText : '') || '').trim(),
        ring: element.matches(':focus-visible') && style.outlineStyle !== 'none'
            && parseFloat(style.outlineWidth) >= 2,
    };
}"""


def tab_to(page, pattern: str, *, backwards: bool = False) -> dict:
    """Press Tab until the focused element's accessible name matches `pattern`; it must show a focus ring."""
    wanted = re.compile(pattern)
    for _ in range(TABS_AT_MOST):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(FOCUSED)
        if wanted.search(focused["name"]):
            assert focused["ring"], f"no visible focus on {focused}"
            return focused
    raise AssertionError(f"Tab never reached {pattern!r}")


def choose_file(page, choosers: list, path: str) -> None:
    """Tab to the uploader's button and press Enter: the browser's file chooser opens (a second try if a rerun
    of the page replaced the button under the key press). `choosers` is filled by a listener added before the
    page was opened: Playwright intercepts file choosers only while something listens, and turns that on
    without waiting, so a listener added just before the key press (expect_file_chooser) could miss the
    chooser, which then stayed open unseen and blocked the retry too (a flake of about 1 run in 5)."""
    for attempt in range(2):
        tab_to(page, r"^upload\s*Upload$")
        page.keyboard.press("Enter")
        for _ in range(100):
            if choosers:
                choosers.pop().set_files(path)
                return
            page.wait_for_timeout(100)
        if attempt:
            raise AssertionError("Enter on the uploader's button opened no file chooser in 10 s, twice")


def go_to(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    wait_until_settled(page)


def test_every_task_by_keyboard_alone(live_app, page, tmp_path):
    TEST_OUTPUT.mkdir(exist_ok=True)
    go_to(page, live_app)

    # Skip link first: it takes focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["name"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.dataset.testid") == "stMain"

    # Load a file: the uploader's button opens the file chooser with Enter.
    extract = tmp_path / "ledger-2021-22-p4.csv"
    extract.write_bytes(two_period_extract(4))
    choosers = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    go_to(page, f"{live_app}/data_sources")
    choose_file(page, choosers, str(extract))
    page.get_by_text("Preview: monitoring lines").wait_for(timeout=60_000)
    tab_to(page, r"^Load 4 lines$")
    page.keyboard.press("Enter")
    page.get_by_text("Loaded 4 lines from").wait_for(timeout=60_000)

    # Choose a directorate in the sidebar's list: type, Enter picks the match, Escape closes the list.
    go_to(page, f"{live_app}/directorates")
    tab_to(page, r"^Directorate$")
    page.keyboard.type("Place")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"directorate=Place"), timeout=30_000)

    # Change the year and the period with the arrow keys.
    wait_for_app(page)
    tab_to(page, r"Financial year")
    page.keyboard.press("ArrowDown")
    page.get_by_role("option", name="2020/21").wait_for()
    page.keyboard.type("2020")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"year=2020%2F21|year=2020/21"), timeout=30_000)
    wait_for_app(page)
    tab_to(page, r"Period close")
    page.keyboard.press("ArrowDown")
    page.get_by_role("option", name="P6 (Sep)").wait_for()
    page.keyboard.type("P6")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"period=P6(&|$)"), timeout=30_000)
    wait_for_app(page)
    page.screenshot(path=str(TEST_OUTPUT / "keyboard-directorates.png"))

    # Download the first chart as PNG, then its data as CSV, from the Download menu.
    for item, suffix in (("PNG image", ".png"), ("Data (CSV)", ".csv")):
        tab_to(page, r"^download\s*Download")
        page.keyboard.press("Enter")
        tab_to(page, re.escape(item))
        with page.expect_download(timeout=60_000) as download:
            page.keyboard.press("Enter")
        assert download.value.suggested_filename.endswith(suffix)
        page.keyboard.press("Escape")

    # Open a recommendation from the list and record progress in its form.
    go_to(page, f"{live_app}/action_plan")
    tab_to(page, r"Open a recommendation")
    page.keyboard.type("13.")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Recommendation 13", exact=True).wait_for(timeout=30_000)
    wait_until_settled(page)
    tab_to(page, r"% complete")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("55")
    tab_to(page, r"^Note")
    page.keyboard.type("Recorded with the keyboard alone.")
    tab_to(page, r"^Record update$")
    page.keyboard.press("Enter")
    page.get_by_text(re.compile(r"Recorded update \d+: .*55%")).wait_for(timeout=30_000)

    # Build a briefing pack (PowerPoint, the default) and download it. The pack starts empty: add the
    # Overview's first chart from its menu, then open the Briefing pack page from the sidebar (the pack is
    # kept in the session while moving between pages).
    go_to(page, live_app)
    tab_to(page, r"^download\s*Download")
    page.keyboard.press("Enter")
    tab_to(page, r"Add to briefing pack")
    page.keyboard.press("Enter")
    page.get_by_role("button", name=re.compile(r"In the briefing pack \(1 item\)")).wait_for(timeout=30_000)
    page.keyboard.press("Escape")
    tab_to(page, r"Briefing pack$", backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/briefing"), timeout=30_000)
    wait_for_app(page)
    tab_to(page, r"Build the pack")
    page.keyboard.press("Enter")
    page.get_by_role("button", name=re.compile(r"Download .*\.pptx")).wait_for(timeout=180_000)
    tab_to(page, r"^download\s*Download .*\.pptx")
    with page.expect_download(timeout=120_000) as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".pptx")
