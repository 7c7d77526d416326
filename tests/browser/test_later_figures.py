"""The sample fixture of later figures, loaded through the CLI, in headless Chromium: every page draws its
charts with no error, at 1400 px and 390 px wide; /overview opens the Overview; an as-at date in the URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.__main__ import main as data_cli
from tests.support.helpers import TEST_OUTPUT, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.shared_server]  # one server: the tests only read

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"
PAGES = ["", "budget_outturn", "reserves", "dsg", "data_sources", "briefing"]
CHART_PAGES = {"", "budget_outturn", "reserves", "dsg"}
MAX_SCREENSHOT_HEIGHT = 9000


def prepare_served_database(path: Path) -> None:
    """The later figures, loaded through the CLI, before the module's one server starts."""
    assert data_cli(["load", str(FIXTURE), "--db", str(path)]) == 0


def check_page(page, name: str, url: str, width: int) -> str:
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(url)
    wait_for_app(page)
    if name.split("-")[0] in CHART_PAGES | {"overview"}:
        page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", timeout=60_000)
        assert page.locator("[data-testid='stPlotlyChart'] .gtitle").count() >= 1, url
    content = page.evaluate("document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(int(content) + 120, MAX_SCREENSHOT_HEIGHT)})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(TEST_OUTPUT / f"later-{name or 'overview'}-{width}.png"), full_page=True)
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "Page not found" not in page.content(), url
    assert "Traceback" not in text and "Something went wrong" not in text, url
    assert page.locator("[data-testid='stException']").count() == 0, url
    assert page.locator("[data-testid='stAlertContentError']").count() == 0, url
    return text


def test_later_figures_show_on_every_page_in_chromium(live_app, page):
    url = live_app
    TEST_OUTPUT.mkdir(exist_ok=True)
    texts = {}
    sidebar = ""
    for width in (1400, 390):
        for name in PAGES:
            texts[name] = check_page(page, name, f"{url}/{name}", width)
            if width == 1400 and name == "":  # at 390 px the sidebar is folded away
                sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert "SAMPLE (synthetic" in texts[""]  # the as-at line names the later documents
    # The Overview is anchored to the current year (the as-at date's, today's by default): its budget, not a
    # later year's (issue 22).
    assert "Net budget, 2026/27\n\n£410.2m" in texts[""] and "2027/28" not in texts[""].split("Where the")[0]
    assert "Catalogue of measures" in texts["data_sources"]
    assert "20 February 2026" in sidebar


def test_overview_by_its_own_name_and_as_at_in_the_url(live_app, page):
    url = live_app
    TEST_OUTPUT.mkdir(exist_ok=True)
    text = check_page(page, "overview-by-name", f"{url}/overview?as_at=2021-10-05", 1400)
    assert "Dorset Council: financial position" in text or "Overview" in text
    assert "as at 5 October 2021" in text
    assert "SAMPLE" not in text
    assert "as_at=2021-10-05" in page.url
    for name in ("reserves", "dsg"):
        text = check_page(page, f"{name}-2021", f"{url}/{name}?as_at=2021-10-05", 1400)
        assert "SAMPLE" not in text
