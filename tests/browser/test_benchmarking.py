"""The Benchmarking page in Chromium at 1400 and 390 px, with a neighbour missing in a year and the council's
predecessors: axe-core finds nothing, and screenshots are kept for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_accessibility import audit_every_page, axe_script
from tests.support import rs_fixtures
from tests.support.helpers import TEST_OUTPUT, browser_context, wait_for_app, wait_until_settled

pytestmark = [pytest.mark.browser, pytest.mark.shared_server]  # one server: the tests only read

VIEWS = ("benchmarking?authority=E06000059&year=2018/19", "benchmarking?authority=E06000059&year=2019/20")


def prepare_served_database(path: Path) -> None:
    """The RS fixtures, loaded through the CLI, before the module's one server starts."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FINANCE_DB", str(path))
        rs_fixtures.load_all(path.parent)


def test_the_page_with_a_missing_neighbour_meets_wcag_22_aa(live_app, chromium_browser):
    faults = audit_every_page(chromium_browser, live_app, axe_script(), "benchmarking", pages=VIEWS)
    assert not faults, "\n".join(faults)


def test_screenshots_at_1400_and_390_px_show_the_missing_neighbour_and_the_predecessor(live_app, chromium_browser):
    shots = TEST_OUTPUT / "benchmarking"
    shots.mkdir(parents=True, exist_ok=True)
    for width in (1400, 390):
        context = browser_context(chromium_browser, width, 1000)
        try:
            page = context.new_page()
            page.goto(live_app)
            wait_for_app(page)
            page.goto(f"{live_app}/{VIEWS[0]}")
            wait_for_app(page)
            wait_until_settled(page)
            main = page.locator('[data-testid="stMain"]')
            assert "Neighbours with no return for 2018/19" in main.inner_text()
            assert "Isle of Wight" in main.inner_text()
            assert "predecessor's figures" in main.inner_text() or "Predecessors' own figures" in main.inner_text()
            # Streamlit scrolls inside its main block: a viewport as tall as the page shows all of it at once
            height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
            page.set_viewport_size({"width": width, "height": min(height, 20_000)})
            wait_until_settled(page)
            page.screenshot(path=str(shots / f"benchmarking-2018-19-{width}.png"))
            page.goto(f"{live_app}/{VIEWS[1]}")
            wait_for_app(page)
            wait_until_settled(page)
            assert "Dorset Council, 2019/20: 19.3%" in main.inner_text()
            height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
            page.set_viewport_size({"width": width, "height": min(height, 20_000)})
            wait_until_settled(page)
            page.screenshot(path=str(shots / f"benchmarking-2019-20-{width}.png"))
        finally:
            context.close()
