"""In Chromium: a session's first page comes in two parts (ui.document.first_screen_only), and no other does.

The Overview's first visit sends its title, headline figures and first chart, with a placeholder for the rest;
once the browser has drawn that, it asks for the rest. The whole page then reads as it always did.
"""

from __future__ import annotations

import re

import pytest

from tests.support.helpers import LOCAL_TOKEN_SCRIPT, wait_for_app, wait_until_settled
from ui.document import REST_OF_PAGE_KEY

pytestmark = pytest.mark.browser

# Runs before the page's own scripts: remembers when the placeholder, the first drawn chart and a second chart
# were first seen (page clock). A mutation observer, so a placeholder shown for a moment is not missed.
WATCH = f"""
window.__seen = {{placeholder: null, first_drawn: null, second_chart: null}};
new MutationObserver(() => {{
  const now = performance.now(), seen = window.__seen;
  if (seen.placeholder === null && document.querySelector('.st-key-{REST_OF_PAGE_KEY}')) seen.placeholder = now;
  const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
  if (seen.first_drawn === null && charts[0] && charts[0].querySelector('.main-svg')) seen.first_drawn = now;
  if (seen.second_chart === null && charts.length > 1) seen.second_chart = now;
}}).observe(document, {{subtree: true, childList: true}});
"""
DRAWN_CHARTS = (
    "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
    ".filter(chart => chart.querySelector('.main-svg')).length"
)
REST_OF_THE_OVERVIEW = ("Action plan progress", "Open the Action plan", "headline figures", "Where the figures")


@pytest.mark.parametrize("width", [1400, 390])
def test_the_first_page_comes_in_two_parts_then_reads_whole(chromium_browser, live_app, width):
    context = chromium_browser.new_context(viewport={"width": width, "height": 1000})
    context.add_init_script(LOCAL_TOKEN_SCRIPT)
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
