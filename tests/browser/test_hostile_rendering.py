"""Hostile text in the database is shown as text in a real browser: nothing runs, no javascript: link.

Figures and load records carry text from files people upload. This puts hostile text in the
fields the Overview and the sidebar show, then reads the rendered DOM in headless Chromium.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.support.helpers import TEST_OUTPUT, wait_for_app

pytestmark = pytest.mark.browser

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
LINK = "[click](javascript:alert(1))"
HOSTILE_FILE_NAME = f"{IMG}{LINK}{SCRIPT}.xlsx"

DOM_PROBLEMS = """
() => ({
  scripts: [...document.querySelectorAll('script')].filter(s => s.textContent.includes('alert(')).length,
  onerror: document.querySelectorAll('[onerror]').length,
  injectedImages: [...document.querySelectorAll('img')].filter(i => i.getAttribute('src') === 'x').length,
  javascriptLinks: [...document.querySelectorAll('a[href]')]
      .filter(a => a.getAttribute('href').trim().toLowerCase().startsWith('javascript:')).length,
})
"""


def add_hostile_rows(path) -> None:
    with duckdb.connect(str(path)) as conn:
        load_id = conn.execute(
            "INSERT INTO loads (load_id, kind, file_name, sha256, row_count, loaded_at, loaded_by) "
            "VALUES (nextval('load_id_seq'), 'figures', $file, 'x', 1, now(), $by) RETURNING load_id",
            {"file": HOSTILE_FILE_NAME, "by": IMG},
        ).fetchone()[0]
        # a newer net budget figure: the Overview's headline shows the newest load's figure
        conn.execute(
            """
            INSERT INTO reported_figures
            VALUES ('XSS001', 'net_budget', $label, '2021/22', 'budget', NULL, NULL, 312, 'gbp_m', NULL,
                    'derived', $derivation, NULL, $document, $section, $quote, $load_id, NULL)
            """,
            {
                "label": LINK,
                "derivation": LINK,
                "document": SCRIPT,
                "section": IMG,
                "quote": f"{SCRIPT} {IMG} {LINK}",
                "load_id": load_id,
            },
        )


def test_hostile_text_from_the_database_is_shown_as_text(db_path, request, page):
    add_hostile_rows(db_path)
    url = request.getfixturevalue("live_app")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    wait_for_app(page)
    page.wait_for_selector("[data-testid='stMetric']")

    # the sidebar shows the uploaded file's name exactly as written, as text
    sidebar = page.inner_text("[data-testid='stSidebar']")
    assert f"Last data change: {HOSTILE_FILE_NAME} (figures)" in sidebar

    # the figure's source, in its help tooltip: HTML shown as text; the Markdown link neutralised
    page.hover("[data-testid='stMetric'] >> nth=0 >> [data-testid='stTooltipHoverTarget']")
    tooltip = page.wait_for_selector("[data-testid='stTooltipContent']")
    tooltip_text = tooltip.inner_text()
    assert SCRIPT in tooltip_text
    assert IMG in tooltip_text
    # Streamlit blanks a javascript: link to "#" (ui.safe.plain would show it as text; the help text is not yet plain)
    assert all(a.get_attribute("href") == "#" for a in tooltip.query_selector_all("a"))

    # The tables are drawn when their panel is opened: open every one, so their text is in the DOM too.
    main = page.locator("[data-testid='stMain']")
    for panel in main.locator("summary").all():
        panel.click()
        wait_for_app(page)
    main.locator("[data-testid='stTable']").first.wait_for(timeout=30_000)
    assert main.locator("[data-testid='stTable']").count() == main.locator("summary", has_text="Show the data").count()
    assert page.evaluate(DOM_PROBLEMS) == {"scripts": 0, "onerror": 0, "injectedImages": 0, "javascriptLinks": 0}
    page.wait_for_timeout(500)  # give an injected handler the chance to fire
    assert dialogs == []
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "hostile-overview.png"), full_page=True)


MARKDOWN_LABEL = "1. # - General *fund* [reserve](javascript:alert(1)) `held` :red[x] $y$ ~z~ (in-year)"


def test_a_figures_label_reads_as_written_and_its_help_button_is_named_without_escapes(db_path, request, page):
    """A label is Markdown to Streamlit, which also names the label's help button "Help for <label>" with the
    label as passed: escapes are kept to what would otherwise change the text (ui.safe.plain_label)."""
    with duckdb.connect(str(db_path)) as conn:
        load_id = conn.execute(
            "INSERT INTO loads (load_id, kind, file_name, sha256, row_count, loaded_at, loaded_by) "
            "VALUES (nextval('load_id_seq'), 'figures', 'labels.csv', 'x', 1, now(), 'test') RETURNING load_id"
        ).fetchone()[0]
        conn.execute(
            """
            INSERT INTO reported_figures
            VALUES ('MD001', 'general_fund_reserve', $label, '2021/22', 'as_at', NULL, NULL, 30, 'gbp_m', NULL,
                    'reported', NULL, DATE '2022-03-31', 'Later report', 'Section 1', 'stands at £30m', $load_id, NULL)
            """,
            {"label": MARKDOWN_LABEL, "load_id": load_id},
        )
    url = request.getfixturevalue("live_app")
    page.goto(f"{url}/reserves")
    wait_for_app(page)
    labels = page.locator("[data-testid='stMetricLabel']")
    labels.first.wait_for()
    assert f"{MARKDOWN_LABEL}, 2021/22" in labels.all_inner_texts()
    assert page.evaluate(DOM_PROBLEMS)["javascriptLinks"] == 0

    page.goto(f"{url}/dsg")
    wait_for_app(page)
    help_buttons = page.locator("[data-testid='stMetric'] button[aria-label^='Help for']")
    help_buttons.first.wait_for()
    names = [button.get_attribute("aria-label") for button in help_buttons.all()]
    assert "Help for In-year overspend predicted 2021/22" in names
    assert not [name for name in names if "\\" in name], names
