"""bench.waiting, which every browser test waits with: when a page is never drawn, the failure says what it showed."""

from __future__ import annotations

import pytest

from tests.support.helpers import wait_for_app

BLANK_APP = (
    "<!doctype html><title>Finance</title><div data-testid='stApp'></div><script>throw new Error('boom')</script>"
)


@pytest.mark.browser
def test_a_page_never_drawn_is_named_with_its_address_state_and_errors(page):
    page.route("http://app.test/", lambda route: route.fulfill(body=BLANK_APP, content_type="text/html"))
    page.goto("http://app.test/")
    with pytest.raises(AssertionError) as failure:
        wait_for_app(page, timeout_ms=1_000)
    said = str(failure.value)
    assert said.startswith("http://app.test/?token=") and "not drawn in 1 s" in said
    assert "'state': 'complete'" in said and "'title': 'Finance'" in said
    assert "boom" in said  # the page's own error, which the init script recorded
