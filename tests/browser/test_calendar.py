"""The as-at date box in Chromium, as a British reader uses it: the calendar starts its weeks on Monday
(whatever the browser's own language), and a typed date applies on Enter."""

from __future__ import annotations

import pytest

from tests.support.helpers import wait_for_app

pytestmark = pytest.mark.browser


def test_the_calendar_starts_on_monday_and_a_typed_date_applies_on_enter(live_app, page):
    page.goto(f"{live_app}/action_plan")
    wait_for_app(page)
    box = page.locator("[data-testid='stSidebar'] [data-testid='stDateInput']")
    box.get_by_role("button", name="Choose date").click()
    calendar = page.get_by_role("grid", name="Choose date", exact=False)
    days = calendar.locator("th").all_inner_texts()
    assert days[:7] == ["M", "T", "W", "T", "F", "S", "S"], days
    page.keyboard.press("Escape")

    box.get_by_role("spinbutton").first.click()
    page.keyboard.type("05102021")  # day, month, year: the box reads dates day first
    page.keyboard.press("Enter")
    page.wait_for_url("**as_at=2021-10-05**")
    wait_for_app(page)
    page.get_by_text("As at 5 October 2021", exact=False).first.wait_for()
