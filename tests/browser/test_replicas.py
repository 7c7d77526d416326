"""Two real app servers (`streamlit run serve.py`) on one shared store, driven in headless Chromium.

What a load balancer in front of two replicas gives its users: an update recorded through replica A shows
in replica B's history, a monitoring load made on A's side shows on B's Directorates page, and when A is
killed (SIGKILL, in the middle of recording an update) B keeps serving from a consistent store.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.serving import free_port, start_server, stop
from data.db import connect
from tests.support.helpers import (
    LOCAL_TOKEN,
    PROJECT_DIR,
    TEST_OUTPUT,
    assert_no_unexpected_page_errors,
    assert_store_consistent,
    browser_context,
    table_rows,
    wait_for_app,
)
from tests.support.load_files import TWO_PERIOD_TABLE_AT_P6, two_period_extract

pytestmark = pytest.mark.browser

NOTE_ON_A = "Recorded on replica A: paper agreed by SLT"
NOTE_AS_A_DIES = "Recorded on replica A as it was killed"
NOTE_ON_B = "Recorded on replica B after A was killed"


def serve(tmp_path: Path, name: str) -> tuple[subprocess.Popen, str]:
    """One replica: the app on its own port, on the shared store the environment names (lake_store)."""
    port = free_port()
    env = {**os.environ, "FINANCE_LOCAL_TOKEN": LOCAL_TOKEN}
    command = [
        sys.executable, "-m", "streamlit", "run", "serve.py",
        "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
    ]  # fmt: skip
    return start_server(command, env, port, tmp_path / f"replica-{name}.log"), f"http://127.0.0.1:{port}"


@pytest.fixture
def replicas(lake_store, tmp_path) -> Iterator[dict[str, tuple[subprocess.Popen, str]]]:
    started = {}
    try:
        for name in ("A", "B"):
            started[name] = serve(tmp_path, name)
        yield started
    finally:
        for process, _ in started.values():
            stop(process)
    for name in started:
        assert_no_unexpected_page_errors(tmp_path / f"replica-{name}.log")


def open_recommendation(page, url: str, rec_no: int) -> None:
    # The app's root first: Streamlit runs a deep-linked page without app.py's frame until st.navigation has run.
    page.goto(url)
    wait_for_app(page)
    page.goto(f"{url}/action_plan?rec={rec_no}")
    wait_for_app(page)
    page.get_by_role("heading", name=f"Recommendation {rec_no}").wait_for()


def fill_update(page, percent: int, note: str) -> None:
    page.get_by_label("% complete", exact=True).fill(str(percent))
    page.get_by_role("textbox", name="Note").fill(note)


def history_shows(page, note: str) -> None:
    page.get_by_role("heading", name="History").wait_for()
    history = page.get_by_test_id("stDataFrame").last
    # The grid draws on a canvas; its accessible table (hidden) carries the cell text.
    history.get_by_role("gridcell", name=note, include_hidden=True).wait_for(state="attached", timeout=30_000)


def notes(lake_store, note: str) -> int:
    with connect(lake_store, read_only=True) as conn:
        return conn.execute("SELECT count(*) FROM action_updates WHERE note = $note", {"note": note}).fetchone()[0]


def test_two_app_servers_share_updates_and_loads_and_one_survives_the_other_being_killed(
    replicas, lake_store, chromium_browser, page, tmp_path
):
    (server_a, url_a), (server_b, url_b) = replicas["A"], replicas["B"]
    on_b = browser_context(chromium_browser)
    page_b = on_b.new_page()
    try:
        # An update recorded through replica A ...
        open_recommendation(page, url_a, 9)
        fill_update(page, 45, NOTE_ON_A)
        page.get_by_role("button", name="Record update").click()
        page.get_by_text("Recorded update").wait_for(timeout=60_000)
        # ... is in replica B's history.
        open_recommendation(page_b, url_b, 9)
        history_shows(page_b, NOTE_ON_A)
        TEST_OUTPUT.mkdir(exist_ok=True)
        page_b.screenshot(path=str(TEST_OUTPUT / "replica-b-history-1400.png"), full_page=True)

        # Monitoring loads made on A's side (its command line, same store) show on B's Directorates page.
        for period in (4, 6):
            extract = tmp_path / f"ledger-2021-22-p{period}.csv"
            extract.write_bytes(two_period_extract(period))
            done = subprocess.run(
                [sys.executable, "-m", "data", "load", str(extract)],
                cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300, env=os.environ.copy(),
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
        page_b.get_by_role("link", name="Directorates").click()
        page_b.get_by_text("Budget monitoring at P6").wait_for(timeout=90_000)
        wait_for_app(page_b)
        assert table_rows(page_b)[1:] == TWO_PERIOD_TABLE_AT_P6
        page_b.screenshot(path=str(TEST_OUTPUT / "replica-b-directorates-1400.png"), full_page=True)

        # Replica A is killed as it records another update: the write lands whole or not at all.
        page.goto(f"{url_a}/action_plan?rec=9")
        wait_for_app(page)
        fill_update(page, 50, NOTE_AS_A_DIES)
        page.get_by_role("button", name="Record update").click()
        os.killpg(server_a.pid, signal.SIGKILL)
        server_a.wait(timeout=30)
        assert server_a.returncode == -signal.SIGKILL
        assert notes(lake_store, NOTE_AS_A_DIES) in (0, 1)

        # Replica B still serves, reads and writes.
        open_recommendation(page_b, url_b, 9)
        history_shows(page_b, NOTE_ON_A)
        fill_update(page_b, 55, NOTE_ON_B)
        page_b.get_by_role("button", name="Record update").click()
        page_b.get_by_text("Recorded update").wait_for(timeout=60_000)
        assert "Traceback" not in page_b.inner_text("body")
        assert server_b.poll() is None
    finally:
        on_b.close()
    assert notes(lake_store, NOTE_ON_A) == 1 and notes(lake_store, NOTE_ON_B) == 1
    with connect(lake_store, read_only=True) as conn:
        assert_store_consistent(conn)
