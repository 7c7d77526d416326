"""Shared fixtures: a real DuckDB file built from the CSVs, the app under AppTest, a live server."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from data.build import build
from exports.chromium import find_chromium

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = find_chromium() or Path("/usr/bin/chromium")
TEST_OUTPUT = PROJECT_DIR / "test-output"
SAMPLE_ROWS = 12_000
# The live servers' local-mode token. A browser brings it as the link `make run` prints does: the script
# below puts it in the address before Streamlit reads the query string. A test that wants a browser
# without it opens its own context.
# Kept in the environment: a test module that imports tests.conftest gets a second copy of this module.
LOCAL_TOKEN = os.environ.setdefault("FINANCE_TEST_LOCAL_TOKEN", secrets.token_urlsafe(24))
LOCAL_TOKEN_SCRIPT = (
    "(() => { const url = new URL(window.location.href);"
    " if (/oauth|authorize|well-known/.test(url.pathname)) return;"  # a sign-in provider's pages: leave alone
    f" if (!url.searchParams.has('token')) {{ url.searchParams.set('token', {json.dumps(LOCAL_TOKEN)});"
    " window.history.replaceState(window.history.state, '', url); } })();"
)


@pytest.fixture(scope="session")
def built_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built once per session from the CSVs, with sample monitoring lines. Do not write to it."""
    path = tmp_path_factory.mktemp("db") / "finance.duckdb"
    build(path, sample_rows=SAMPLE_ROWS, built_by="pytest")
    return path


@pytest.fixture
def db_path(built_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the built database that a test may change; FINANCE_DB points at it."""
    path = tmp_path / "finance.duckdb"
    shutil.copyfile(built_db, path)
    monkeypatch.setenv("FINANCE_DB", str(path))
    return path


@pytest.fixture
def app_test(db_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The real app under Streamlit's AppTest, on a private database, as a running server runs it.

    AppTest starts every run in Streamlit's old pages/ mode (it resets the flag that app.py's
    st.navigation clears), where ui.frame.require_frame() has to rerun the script, dropping a
    button click. A running server clears that flag for good on its first run, so here it is
    cleared after each AppTest run starts. tests/test_frame.py covers the guard without this.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    original_init = PagesManager.__init__

    def init_as_a_running_server(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init_as_a_running_server)
    return AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=60)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"{url} did not become healthy in {timeout} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def start_server(command: list[str], env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w")
    process = subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        wait_for_health(f"http://127.0.0.1:{port}", process)
    except Exception:
        stop(process)
        raise
    return process


@pytest.fixture
def live_app(db_path: Path, tmp_path: Path) -> Iterator[str]:
    """The app served by Streamlit on a free local port, on a private database; yields its URL."""
    port = free_port()
    env = {**os.environ, "FINANCE_DB": str(db_path), "FINANCE_LOCAL_TOKEN": LOCAL_TOKEN}
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
    ]  # fmt: skip
    process = start_server(command, env, port, tmp_path / "server.log")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@pytest.fixture(scope="session")
def chromium_browser():
    """Debian's Chromium under Playwright (never Playwright's own download)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed: run `make test` as root or apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(LOCAL_TOKEN_SCRIPT)
    yield context.new_page()
    context.close()


def wait_for_app(page, timeout_ms: int = 30_000) -> None:
    """Wait until Streamlit has finished running the script (no 'running' indicator)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelectorAll('[data-testid=\"stMain\"] *').length > 10",
        timeout=timeout_ms,
    )
