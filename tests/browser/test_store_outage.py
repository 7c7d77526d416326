"""The shared store's PostgreSQL stops and comes back.

Each test here has a PostgreSQL cluster of its own (the session's is shared by other tests), stops it with
`pg_ctl stop` as an outage would, and starts it again on the same port and data.
"""

from __future__ import annotations

import os
import sys
import time
import urllib.error
import urllib.request

import pytest

from bench.serving import free_port, start_server, stop
from data import db
from data.build import build
from data.readiness import FOLDER_MISSING, NOT_BUILT, STORE_UNREACHABLE, problems
from tests.support.helpers import (
    LOCAL_TOKEN,
    TEST_OUTPUT,
    assert_no_unexpected_page_errors,
    wait_for_app,
    wait_until_settled,
)


@pytest.fixture
def outage_store(own_postgres, tmp_path, monkeypatch) -> db.LakeStore:
    """A shared store on its own PostgreSQL, configured in the environment (for servers started from here)."""
    store = db.LakeStore(own_postgres.create_database("finance"), f"{tmp_path}/lake/")
    build(store, sample_rows=0, built_by="pytest")
    monkeypatch.setenv("FINANCE_STORE", "ducklake")
    monkeypatch.setenv("FINANCE_CATALOG", store.catalog)
    monkeypatch.setenv("FINANCE_DATA_PATH", store.data_path)
    return store


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_until(condition, timeout: float = 60, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(every)
    return value


def test_readiness_names_a_missing_store_or_folder(db_path, tmp_path):
    assert problems(db_path) == []
    assert problems(tmp_path / "not-built.duckdb") == [NOT_BUILT]
    assert problems(tmp_path / "no-such-folder" / "finance.duckdb") == [FOLDER_MISSING, NOT_BUILT]


def serve(tmp_path) -> tuple[object, str]:
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", "serve.py",
        "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
    ]  # fmt: skip
    server = start_server(command, {**os.environ, "FINANCE_LOCAL_TOKEN": LOCAL_TOKEN}, port, tmp_path / "server.log")
    return server, f"http://127.0.0.1:{port}"


def test_readyz_fails_while_postgresql_is_down_and_recovers_by_itself(outage_store, own_postgres, tmp_path):
    """Finding 12: /_stcore/health said "ok" all through an outage. /readyz says the store cannot be read."""
    server, url = serve(tmp_path)
    try:
        # A balancer polls: a replica just started on a busy machine may first answer "did not answer in 5 s".
        wait_until(lambda: get(f"{url}/readyz") == (200, "ready\n"))
        own_postgres.pause()
        status, text = get(f"{url}/readyz")
        assert status == 503 and STORE_UNREACHABLE in text
        assert "127.0.0.1" not in text and "dbname" not in text  # nothing of the connection string
        assert get(f"{url}/_stcore/health")[0] == 200  # liveness is another question
        assert problems(outage_store) == [STORE_UNREACHABLE]
        own_postgres.resume()
        wait_until(lambda: get(f"{url}/readyz") == (200, "ready\n"))
    finally:
        stop(server)
    assert_no_unexpected_page_errors(tmp_path / "server.log")  # an outage is said in words, never as an error


NOTE = "Typed before the outage, sent during it"
OUTAGE_WORDS = "The shared store cannot be reached just now"


def notes_stored(store) -> int:
    with db.connect(store, read_only=True) as conn:
        return conn.execute("SELECT count(*) FROM action_updates WHERE note = $n", {"n": NOTE}).fetchone()[0]


@pytest.mark.browser
def test_an_outage_is_said_once_in_words_keeps_the_figures_and_the_note(outage_store, own_postgres, tmp_path, page):
    """Finding 13: with PostgreSQL down for 35 s every page became two red "Something went wrong" boxes, and a
    note typed before and sent during the outage was lost from the form. Now: one notice in words, the figures
    last read still shown and said to be as last read, the note kept in the form and recorded once after."""
    server, url = serve(tmp_path)
    try:
        page.goto(url)  # the Overview, read while the store is up
        wait_for_app(page)
        wait_until_settled(page)
        page.goto(f"{url}/action_plan?rec=9")
        wait_for_app(page)
        page.get_by_role("heading", name="Recommendation 9").wait_for()
        page.get_by_role("textbox", name="Note").fill(NOTE)

        own_postgres.pause()
        down_at = time.monotonic()
        page.get_by_role("button", name="Record update").click()
        page.get_by_text(OUTAGE_WORDS).wait_for(timeout=60_000)
        wait_for_app(page)
        main = page.get_by_test_id("stMain")
        assert main.get_by_text(OUTAGE_WORDS).count() == 1
        assert "Send it again when the store is back" in main.inner_text()
        assert "Something went wrong" not in main.inner_text() and "reference" not in main.inner_text()
        assert page.get_by_role("textbox", name="Note").input_value() == NOTE
        TEST_OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(TEST_OUTPUT / "outage-action-plan-1400.png"), full_page=True)

        # Another visitor, during the outage: the Overview as last read, said to be so, once.
        overview = page.context.new_page()  # a tab of its own: another session
        overview.goto(url)
        wait_for_app(overview)
        overview_text = overview.get_by_test_id("stMain").inner_text()
        assert overview_text.count(OUTAGE_WORDS) == 1 and "as last read at" in overview_text
        assert "Something went wrong" not in overview_text
        assert overview.locator(".js-plotly-plot").count() > 0
        overview.screenshot(path=str(TEST_OUTPUT / "outage-overview-1400.png"), full_page=True)
        overview.set_viewport_size({"width": 390, "height": 844})
        wait_until_settled(overview)
        overview.screenshot(path=str(TEST_OUTPUT / "outage-overview-390.png"), full_page=True)
        overview.close()

        time.sleep(max(0.0, 30 - (time.monotonic() - down_at)))  # thirty seconds down
        own_postgres.resume()
        assert notes_stored(outage_store) == 0
        page.get_by_role("button", name="Record update").click()
        page.get_by_text("Recorded update").wait_for(timeout=60_000)
        assert notes_stored(outage_store) == 1
    finally:
        stop(server)
    assert_no_unexpected_page_errors(tmp_path / "server.log")  # an outage is said in words, never as an error
