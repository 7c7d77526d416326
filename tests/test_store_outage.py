"""The shared store's PostgreSQL stops and comes back (issue 24, findings 12 and 13).

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

from data import db
from data.build import build
from data.readiness import FOLDER_MISSING, NOT_BUILT, STORE_UNREACHABLE, problems
from tests.helpers import LOCAL_TOKEN, free_port, start_server, stop


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


def test_readyz_fails_while_postgresql_is_down_and_recovers_by_itself(outage_store, own_postgres, tmp_path):
    """Finding 12: /_stcore/health said "ok" all through an outage. /readyz says the store cannot be read."""
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", "serve.py",
        "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
    ]  # fmt: skip
    server = start_server(command, {**os.environ, "FINANCE_LOCAL_TOKEN": LOCAL_TOKEN}, port, tmp_path / "server.log")
    url = f"http://127.0.0.1:{port}"
    try:
        assert get(f"{url}/readyz") == (200, "ready\n")
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
