"""The hostile review's findings in a real browser: Markdown from data, a write that cannot happen, local mode
behind a proxy."""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from bench.serving import free_port, start_server, stop
from tests.app.test_hostile_review_findings import HOSTILE_LABEL, ROW, put_hostile_reserves_text
from tests.support.helpers import (
    LOCAL_TOKEN,
    NOT_RUNNABLE_AS_NOBODY,
    TEST_OUTPUT,
    assert_no_unexpected_page_errors,
    browser_context,
    project_runs_as,
    wait_for_app,
)
from tests.support.load_files import csv_bytes
from ui.safe import WORD_JOINER

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"Quote reference [0-9a-f]{8}")


def test_markdown_in_a_loaded_label_and_quote_is_shown_as_written(db_path, request, page):
    put_hostile_reserves_text(db_path)
    url = request.getfixturevalue("live_app")
    page.goto(f"{url}/reserves")
    wait_for_app(page)
    page.wait_for_selector("[data-testid='stMetric']")
    main = "[data-testid='stMain']"
    label = page.locator("[data-testid='stMetricLabel']").filter(has_text="Usable").first
    assert label.inner_text().strip().startswith(HOSTILE_LABEL)
    info = page.locator("[data-testid='stAlertContentInfo']").filter(has_text="no date in the source").first
    info_text = info.inner_text().replace(WORD_JOINER, "")
    assert "[in the council report][r]" in info_text and "[r]: https://evil.example/phish" in info_text
    found = page.evaluate(
        """(main) => {
            const root = document.querySelector(main);
            return {
                bold: [...root.querySelectorAll('strong, b')].filter(e => e.textContent.includes('Usable')).length,
                maths: root.querySelectorAll('.katex').length,
                evilLinks: root.querySelectorAll('a[href*="evil.example"]').length,
                coloured: [...root.querySelectorAll('span')].filter(
                    e => e.textContent === 'reserves' && e.getAttribute('style')).length,
                icons: [...root.querySelectorAll('[data-testid="stIconMaterial"]')].filter(
                    e => e.textContent.trim() === 'warning').length,
            };
        }""",
        main,
    )
    assert found == {"bold": 0, "maths": 0, "evilLinks": 0, "coloured": 0, "icons": 0}
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "hostile-reserves.png"), full_page=True)


@pytest.fixture
def read_only_app(built_db, tmp_path):
    """The app served by a user who may write the database file but not its folder (no .wal file)."""
    if os.getuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run the server as another user")
    if not project_runs_as(65534):
        pytest.skip(f"serves as nobody, but {NOT_RUNNABLE_AS_NOBODY}")
    folder = Path(tempfile.mkdtemp(prefix="read-only-app-"))
    home = folder / "home"
    home.mkdir()
    os.chown(home, 65534, 65534)
    path = folder / "db" / "finance.duckdb"
    path.parent.mkdir()
    shutil.copyfile(built_db, path)
    os.chown(path, 65534, 65534)
    for each in (folder, path.parent):
        os.chmod(each, 0o755)
    port = free_port()
    env = {**os.environ, "FINANCE_DB": str(path), "FINANCE_LOCAL_TOKEN": LOCAL_TOKEN, "HOME": str(home)}
    command = [
        "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
        sys.executable, "-m", "streamlit", "run", "serve.py",
        "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
    ]  # fmt: skip
    process = start_server(command, env, port, tmp_path / "server.log")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
        shutil.rmtree(folder, ignore_errors=True)
    # The one error it means to show: the write refused by the read-only folder.
    assert_no_unexpected_page_errors(tmp_path / "server.log", (r"finance\.duckdb\.wal.*Permission denied",))


def test_a_load_into_a_read_only_folder_says_so_with_a_reference(read_only_app, page, tmp_path):
    page.goto(f"{read_only_app}/data_sources")
    wait_for_app(page)
    page.set_input_files(
        "[data-testid='stFileUploaderDropzoneInput']",
        files=[{"name": "ledger.csv", "mimeType": "text/csv", "buffer": csv_bytes([ROW])}],
    )
    page.get_by_role("button", name=re.compile(r"^Load 1 line\b")).click()
    error = page.locator("[data-testid='stAlertContentError']").filter(has_text="Nothing was loaded.")
    error.wait_for(timeout=60_000)
    text = error.inner_text()
    assert "read-only" in text
    assert REFERENCE.search(text)
    assert "This app has encountered an error" not in page.content()
    assert page.get_by_text("Load history").count() >= 1  # the page is still there
    log = (tmp_path / "server.log").read_text()
    assert REFERENCE.search(text).group(0).split()[-1] in log
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "read-only-load.png"), full_page=True)


def test_a_request_as_a_plain_proxy_forwards_it_cannot_act_as_the_local_admin(live_app, chromium_browser):
    # nginx's default proxy_pass sends Host: 127.0.0.1:port and no forwarded headers: exactly what this
    # browser sends. Without the token printed in the terminal it gets the stop page and nothing else.
    context = browser_context(chromium_browser, token=False)
    try:
        page = context.new_page()
        for address in (live_app, f"{live_app}/data_sources", f"{live_app}/?token=not-the-token-{LOCAL_TOKEN[:4]}"):
            page.goto(address)
            wait_for_app(page)
            page.get_by_text("Open the link printed in the terminal").wait_for()
            assert page.locator("[data-testid='stMetric']").count() == 0
            assert page.locator("[data-testid='stFileUploader']").count() == 0
            assert "Local mode: open the link from the terminal" in page.inner_text("[data-testid='stMain']")
        page.goto(f"{live_app}/?token={LOCAL_TOKEN}")
        wait_for_app(page)
        page.wait_for_selector("[data-testid='stMetric']")
        TEST_OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(TEST_OUTPUT / "local-token-accepted.png"))
    finally:
        context.close()
