"""WCAG 2.2 AA signed in (axe-core, as tests/browser/test_accessibility.py does for every page in local mode), with a
local OpenID Connect provider: the sign-in page and the pages signing in changes. A file of its own so the
two sweeps, among the suite's longest tests, run side by side."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.serving import stop
from tests.browser.test_accessibility import AXE_RUN, AXE_TAGS, audit_every_page, axe_script
from tests.browser.test_sign_in import EDITOR, is_local, serve_with_sign_in, sign_in_as
from tests.support.helpers import wait_for_app

pytestmark = pytest.mark.browser

# Where signing in changes what a page draws: the sidebar's identity and sign-out (every page; the Overview
# stands for them), an editor's progress form and committee report, and the loads an editor may make. The
# other pages draw the same as in local mode, which tests/browser/test_accessibility.py sweeps.
SIGNED_IN_PAGES = ("", "action_plan", "action_plan?rec=13", "data_sources")


@pytest.fixture
def signed_in_app(db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app behind sign-in, with a local OpenID Connect provider (as tests/browser/test_sign_in.py)."""
    oidc_provider_mock = pytest.importorskip("oidc_provider_mock")
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    with oidc_provider_mock.run_server_in_thread() as server:
        process, url = serve_with_sign_in(db_path, tmp_path, f"http://localhost:{server.server_port}")
        try:
            yield url
        finally:
            stop(process)


def test_the_pages_signing_in_changes_meet_wcag_22_aa(signed_in_app, chromium_browser):
    def sign_in(page):
        page.context.route("**/*", lambda route: route.continue_() if is_local(route.request.url) else route.abort())
        script = axe_script()
        page.goto(signed_in_app)
        wait_for_app(page)
        page.evaluate(script)
        gate = page.evaluate(
            AXE_RUN,
            AXE_TAGS,
        )
        assert not gate["violations"], json.dumps(gate["violations"], indent=1)[:3000]
        sign_in_as(page, signed_in_app, EDITOR)

    faults = audit_every_page(
        chromium_browser, signed_in_app, axe_script(), "signed-in", prepare=sign_in, pages=SIGNED_IN_PAGES
    )
    assert not faults, "\n".join(faults)
