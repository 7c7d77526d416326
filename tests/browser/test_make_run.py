"""`make run` builds a missing database and serves the Overview; headless Chromium reads it."""

from __future__ import annotations

import os
import re
import urllib.request

import pytest

from bench.serving import free_port, start_server, stop
from tests.support.helpers import PROJECT_DIR, TEST_OUTPUT, assert_no_unexpected_page_errors, wait_for_app
from ui.document import STYLES
from ui.page_shell import chart_code_file, chart_code_tag, styles_tag

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
        chart_code = []  # serve.py's documents start Streamlit's chart code at once (ui/page_shell.py)
        page.on("request", lambda request: chart_code.append(request.url) if "/PlotlyChart." in request.url else None)
        page_errors = []
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        page.goto(printed.group(1))
        wait_for_app(page)
        page.wait_for_selector("[data-testid='stMetricValue']")
        text = page.inner_text("[data-testid='stMain']")
        for figure in ("£312m", "£15m", "£31.5m", "£65m", "£37.9m"):
            assert figure in text
        assert "Traceback" not in text
        TEST_OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(TEST_OUTPUT / "overview.png"), full_page=True)
        page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg")
        assert len(chart_code) == 1, f"the chart code should be fetched once, not {chart_code}"

        # A page with no chart fetches it too: so it is the document, not a chart, that starts it
        chart_code.clear()
        page.goto(printed.group(1).replace("/?token", "/data_sources?token"))
        wait_for_app(page)
        page.wait_for_function(
            "() => performance.getEntriesByType('resource').some(r => r.name.includes('/PlotlyChart.'))"
        )
        assert len(chart_code) == 1 and not page.query_selector("[data-testid='stPlotlyChart']")
        assert not page_errors

        # Every page's own address gets the tags, though Streamlit would gzip it
        browser_headers = {"Accept": "text/html,*/*;q=0.8", "Accept-Encoding": "gzip"}
        request = urllib.request.Request(f"http://127.0.0.1:{port}/directorates", headers=browser_headers)
        with urllib.request.urlopen(request) as response:
            document = response.read().decode()
        assert chart_code_tag(chart_code_file()).decode() in document
        assert styles_tag(STYLES.read_text()).decode() in document
    finally:
        stop(process)
    assert_no_unexpected_page_errors(tmp_path / "make-run.log")
    assert (PROJECT_DIR / "app.py").exists()
