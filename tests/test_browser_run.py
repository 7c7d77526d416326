"""`make run` builds a missing database and serves the Overview; headless Chromium reads it."""

from __future__ import annotations

import os
import re

import pytest

from tests.helpers import PROJECT_DIR, TEST_OUTPUT, free_port, start_server, stop, wait_for_app

pytestmark = pytest.mark.browser


def test_make_run_serves_the_headline_figures(page, tmp_path):
    database = tmp_path / "fresh.duckdb"
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "FINANCE_LOCAL_TOKEN"}
    env["FINANCE_DB"] = str(database)
    process = start_server(["make", "-s", "run", f"PORT={port}"], env, port, tmp_path / "make-run.log")
    try:
        assert database.exists(), "make run should build the database when it is absent"
        # local mode: make run prints the link with this run's token, and only that link opens the app
        printed = re.search(
            rf"Open (http://127\.0\.0\.1:{port}/\?token=[\w-]{{16,}}) ", (tmp_path / "make-run.log").read_text()
        )
        assert printed, "make run should print the link with its local-mode token"
        page.goto(printed.group(1))
        wait_for_app(page)
        page.wait_for_selector("[data-testid='stMetricValue']")
        text = page.inner_text("[data-testid='stMain']")
        for figure in ("£312m", "£15m", "£31.5m", "£65m", "£37.9m"):
            assert figure in text
        assert "Traceback" not in text
        TEST_OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(TEST_OUTPUT / "overview.png"), full_page=True)
    finally:
        stop(process)
    assert (PROJECT_DIR / "app.py").exists()
