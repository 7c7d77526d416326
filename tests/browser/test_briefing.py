"""In headless Chromium, the policy officer's task: a five-chart Cabinet briefing built from the charts' menus.

Five charts added from their Download menus on four pages reached through the sidebar (the pack is kept while
moving between pages), the last moved up one place on the Briefing pack page, then the pack downloaded as
PowerPoint and as PDF and both opened: the PDF page by page (pdftoppm), the deck slide by slide.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from data.__main__ import main as data_cli
from tests.browser.test_accessibility import audit, axe_script, faults_in
from tests.support.helpers import TEST_OUTPUT, wait_for_app, wait_until_settled
from tests.support.pack_checks import deck_problems, pdf_problems, pdftoppm

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"


@pytest.fixture
def later_figures(db_path):
    """Later years loaded, so the budget chart has eight years of bars (its labels turned, its axis stretched)."""
    assert data_cli(["load", str(FIXTURE), "--db", str(db_path)]) == 0


def visible_menus(page) -> list:
    menus = page.get_by_role("button", name=re.compile(r"Download$"))
    return [menus.nth(index) for index in range(menus.count()) if menus.nth(index).is_visible()]


def add_chart(page, index: int, count: int) -> None:
    """Open the index-th chart's Download menu and choose Add to briefing pack; the pack then holds `count`."""
    menu = visible_menus(page)[index]
    menu.scroll_into_view_if_needed()
    menu.click()
    page.get_by_role("button", name=re.compile(r"Add to briefing pack")).click()
    words = f"{count} item" if count == 1 else f"{count} items"
    page.get_by_role("button", name=re.compile(rf"In the briefing pack \({words}\)")).wait_for(timeout=60_000)
    if count == 1:
        TEST_OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(TEST_OUTPUT / "briefing-chart-menu.png"))
    page.keyboard.press("Escape")


def go_by_sidebar(page, name: str, path: str) -> None:
    page.get_by_role("link", name=re.compile(rf"{re.escape(name)}$")).click()
    page.wait_for_url(re.compile(rf"/{path}(\?|$)"), timeout=60_000)
    wait_for_app(page)
    wait_until_settled(page)


def listed_titles(page) -> list[str]:
    texts = page.locator("[data-testid='stMarkdownContainer'] strong").all_inner_texts()
    return [text.split(". ", 1)[1] for text in texts if re.match(r"\d+\. ", text)]


def download(page, kind: str) -> bytes:
    page.get_by_role("button", name=re.compile(r"Build the pack")).click()
    button = page.get_by_role("button", name=re.compile(rf"Download .*\.{kind}"))
    button.wait_for(timeout=240_000)
    with page.expect_download(timeout=120_000) as info:
        button.click()
    assert info.value.suggested_filename.startswith("dorset-council-financial-position-briefing-")
    return Path(info.value.path()).read_bytes()


def test_an_officer_builds_a_five_chart_pack_from_chart_menus_and_downloads_pptx_and_pdf(later_figures, live_app, page):
    pdftoppm()  # skips, saying how to install it, where poppler-utils is missing
    page.goto(live_app)
    wait_for_app(page)
    wait_until_settled(page)
    add_chart(page, 0, 1)  # the Overview's first chart
    go_by_sidebar(page, "Budget & outturn", "budget_outturn")
    add_chart(page, 0, 2)
    add_chart(page, 1, 3)
    go_by_sidebar(page, "Reserves", "reserves")
    add_chart(page, 0, 4)
    go_by_sidebar(page, "DSG & high needs", "dsg")
    add_chart(page, 0, 5)
    go_by_sidebar(page, "Briefing pack", "briefing")

    titles = listed_titles(page)
    assert len(titles) == 5, titles
    page.get_by_role("button", name=re.compile(r"Up$")).nth(4).click()  # the fifth item up one place
    titles = [*titles[:3], titles[4], titles[3]]
    page.get_by_text(f"4. {titles[3]}").wait_for()
    wait_until_settled(page)
    assert listed_titles(page) == titles
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "briefing-pack-1400.png"), full_page=True)
    script = axe_script()  # the filled list meets WCAG 2.2 AA at both widths, as the empty page does
    assert faults_in("briefing pack, 5 items", audit(page, script), narrow=False) == []
    page.set_viewport_size({"width": 390, "height": 900})
    assert faults_in("briefing pack, 5 items", audit(page, script), narrow=True) == []
    assert listed_titles(page) == titles, "a narrower window keeps the pack (one session)"
    page.screenshot(path=str(TEST_OUTPUT / "briefing-pack-390.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})
    wait_until_settled(page)

    deck = download(page, "pptx")
    (TEST_OUTPUT / "briefing-pack.pptx").write_bytes(deck)
    slides = list(Presentation(io.BytesIO(deck)).slides)
    assert [slide.shapes.title.text for slide in slides[1:]] == titles
    assert deck_problems(deck) == []

    page.get_by_text("PDF", exact=True).click()
    wait_until_settled(page)
    pdf = download(page, "pdf")
    (TEST_OUTPUT / "briefing-pack.pdf").write_bytes(pdf)
    assert [entry.title for entry in PdfReader(io.BytesIO(pdf)).outline][1:] == titles
    assert pdf_problems(pdf, titles) == []
