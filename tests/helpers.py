"""Helpers the tests share (fixtures live in conftest.py): paths, a served app, waiting for Streamlit."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from exports.chromium import find_chromium

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = find_chromium() or Path("/usr/bin/chromium")
TEST_OUTPUT = PROJECT_DIR / "test-output"
# The live servers' local-mode token. A browser brings it as the link `make run` prints does: the script
# below puts it in the address before Streamlit reads the query string. A test that wants a browser
# without it opens its own context. Kept in the environment, so every copy of this module (and every
# pytest-xdist worker's servers) agrees on it.
LOCAL_TOKEN = os.environ.setdefault("FINANCE_TEST_LOCAL_TOKEN", secrets.token_urlsafe(24))
LOCAL_TOKEN_SCRIPT = (
    "(() => { const url = new URL(window.location.href);"
    " if (/oauth|authorize|well-known/.test(url.pathname)) return;"  # a sign-in provider's pages: leave alone
    f" if (!url.searchParams.has('token')) {{ url.searchParams.set('token', {json.dumps(LOCAL_TOKEN)});"
    " window.history.replaceState(window.history.state, '', url); } })();"
)


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


def wait_for_app(page, timeout_ms: int = 90_000) -> None:
    """Wait until Streamlit has finished running the script (no 'running' indicator)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelectorAll('[data-testid=\"stMain\"] *').length > 10",
        timeout=timeout_ms,
    )


def open_page(app_test, page_file: str, **query: str):
    """Run the app under AppTest, then switch to `page_file` (with `query` in the URL); no exception allowed."""
    for name, value in query.items():
        app_test.query_params[name] = value
    app_test.run()
    app_test.switch_page(page_file).run()
    assert not app_test.exception
    return app_test
