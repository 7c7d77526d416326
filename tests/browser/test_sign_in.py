"""Sign-in end to end: the real app, st.login, and a local OpenID Connect provider, in headless Chromium.

The provider is oidc-provider-mock, started by the test on localhost: its authorisation form asks
for the subject (we use e-mail addresses) and issues real signed ID tokens.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.serving import free_port, start_server, stop
from tests.support.helpers import TEST_OUTPUT, assert_no_unexpected_page_errors, wait_for_app

pytestmark = pytest.mark.browser

EDITOR = "jane@dorset.example.gov.uk"
VIEWER = "reader@dorset.example.gov.uk"
STRANGER = "eve@elsewhere.example.com"
SECRETS = """
[auth]
redirect_uri = "http://localhost:{app_port}/oauth2callback"
cookie_secret = "a-long-random-string-only-for-this-test"
client_id = "finance-dashboard"
client_secret = "test-client-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[roles]
editors = ["{editor}"]
viewers = ["@dorset.example.gov.uk"]
"""


@pytest.fixture
def oidc_provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    oidc_provider_mock = pytest.importorskip("oidc_provider_mock")
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on localhost, for the test only
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def serve_with_sign_in(db_path: Path, tmp_path: Path, provider: str):
    port = free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(SECRETS.format(app_port=port, provider=provider, editor=EDITOR))
    command = [
        sys.executable, "-m", "streamlit", "run", "serve.py", "--server.address", "127.0.0.1",
        "--server.port", str(port), "--server.headless", "true", "--secrets.files", str(secrets),
    ]  # fmt: skip
    env = {**os.environ, "FINANCE_DB": str(db_path)}
    process = start_server(command, env, port, tmp_path / "server.log")
    return process, f"http://localhost:{port}"


def is_local(url: str) -> bool:
    return urlsplit(url).hostname in ("localhost", "127.0.0.1")


@pytest.fixture
def page(page):
    """The browser may reach only this machine (the provider's pages link a stylesheet on a CDN)."""
    page.context.route("**/*", lambda route: route.continue_() if is_local(route.request.url) else route.abort())
    return page


@pytest.fixture
def signed_in_app(db_path: Path, tmp_path: Path, oidc_provider: str) -> Iterator[str]:
    process, url = serve_with_sign_in(db_path, tmp_path, oidc_provider)
    try:
        yield url
    finally:
        stop(process)
    assert_no_unexpected_page_errors(tmp_path / "server.log")


def sign_in_as(page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**")
    wait_for_app(page)


def test_anonymous_visitors_see_only_the_sign_in_page(signed_in_app, page):
    page.goto(signed_in_app)
    wait_for_app(page)
    page.get_by_role("button", name="Sign in").wait_for()
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "sign-in.png"))
    text = page.inner_text("[data-testid='stApp']")
    assert "£312m" not in text
    assert "Local mode" not in text
    assert page.locator("[data-testid='stMetric']").count() == 0
    assert page.locator("[data-testid='stSidebarNav']").count() == 0

    # a deep link to a page gets the same sign-in page
    for path in ("overview", "action_plan", "data_sources"):
        page.goto(f"{signed_in_app}/{path}")
        wait_for_app(page)
        page.get_by_role("button", name="Sign in").wait_for()
        assert page.locator("[data-testid='stMetric']").count() == 0
        assert "Action plan" not in page.inner_text("[data-testid='stMain']")


def test_an_editor_signs_in_sees_the_dashboard_and_signs_out(signed_in_app, page):
    sign_in_as(page, signed_in_app, EDITOR)
    page.wait_for_selector("[data-testid='stMetric']")
    sidebar = page.inner_text("[data-testid='stSidebar']")
    assert f"Signed in as {EDITOR}, editor" in sidebar
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "signed-in-editor.png"))
    assert "£312m" in page.inner_text("[data-testid='stMain']")

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()  # the provider's own sign-out page
    page.get_by_role("button", name="Sign in").wait_for()
    assert page.locator("[data-testid='stMetric']").count() == 0


def test_a_domain_entry_makes_a_viewer(signed_in_app, page):
    sign_in_as(page, signed_in_app, VIEWER)
    page.wait_for_selector("[data-testid='stMetric']")
    assert f"Signed in as {VIEWER}, viewer" in page.inner_text("[data-testid='stSidebar']")


def test_someone_the_roles_do_not_list_is_refused(signed_in_app, page):
    sign_in_as(page, signed_in_app, STRANGER)
    page.get_by_text("has no role on this dashboard").wait_for()
    assert page.locator("[data-testid='stMetric']").count() == 0
    assert f"{STRANGER} has no role" in page.inner_text("[data-testid='stMain']")


def test_a_fresh_servers_first_request_for_a_page_still_meets_the_gate(signed_in_app, page):
    page.goto(f"{signed_in_app}/overview")
    wait_for_app(page)
    # The page reruns itself through app.py (ui.frame): on a busy machine that takes a few seconds.
    page.get_by_role("button", name="Sign in").wait_for(timeout=20_000)
    wait_for_app(page)
    assert page.locator("[data-testid='stMetric']").count() == 0
    assert "£312m" not in page.inner_text("[data-testid='stApp']")
