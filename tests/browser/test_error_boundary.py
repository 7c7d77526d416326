"""An unexpected error on a page shows a short message and a reference; the server log has the full trace."""

from __future__ import annotations

import logging
import re

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from metrics import figures as figures_module
from tests.support.helpers import PROJECT_DIR, wait_for_app

REFERENCE = re.compile(r"Quote reference ([0-9a-f]{8}) ")
SECRET_DETAIL = "boom: /srv/finance/internal-path.duckdb"
SHOWN_TYPES = ("title", "markdown", "caption", "error", "warning", "info", "text", "code", "exception", "metric")


def everything_shown(at) -> str:
    texts = []
    for element_type in SHOWN_TYPES:
        for element in at.get(element_type):
            texts.append(str(getattr(element, "value", "")) + str(getattr(element, "label", "")))
    return "\n".join(texts)


@pytest.mark.page_errors_expected(SECRET_DETAIL)
def test_an_error_in_a_page_shows_a_reference_and_the_log_has_the_trace(app_test, monkeypatch, caplog):
    def broken(conn, **filters):
        raise RuntimeError(SECRET_DETAIL)

    monkeypatch.setattr(figures_module, "headline_position", broken)
    with caplog.at_level(logging.ERROR, logger="finance_dashboard"):
        app_test.run()

    assert not app_test.exception
    [message] = [error.value for error in app_test.error]
    assert message.startswith("Something went wrong showing this page. Nothing has been changed.")
    reference = REFERENCE.search(message).group(1)
    shown = everything_shown(app_test)
    assert "Traceback" not in shown
    assert SECRET_DETAIL not in shown
    assert "RuntimeError" not in shown

    [record] = [r for r in caplog.records if r.name == "finance_dashboard" and reference in r.getMessage()]
    logged = record.getMessage()
    assert "Traceback (most recent call last)" in logged
    assert f"RuntimeError: {SECRET_DETAIL}" in logged
    assert "in broken" in logged  # the frame that raised is in the trace


def test_each_error_gets_its_own_reference(db_path, monkeypatch):
    monkeypatch.setattr(figures_module, "headline_position", lambda conn, **filters: 1 / 0)
    references = set()
    for _ in range(2):  # a fresh session each time: see test_identity on AppTest's second run
        at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=60).run()
        references.add(REFERENCE.search(at.error[0].value).group(1))
    assert len(references) == 2


@pytest.mark.browser
@pytest.mark.page_errors_expected("Table with name reported_figures does not exist")
def test_the_served_page_never_shows_a_traceback(db_path, request, page, tmp_path):
    with duckdb.connect(str(db_path)) as conn:  # a database the Overview cannot read
        conn.execute("ALTER TABLE reported_figures RENAME TO reported_figures_gone")
    url = request.getfixturevalue("live_app")
    page.goto(url)
    wait_for_app(page)
    page.wait_for_selector("[data-testid='stAlertContentError']")
    text = page.inner_text("[data-testid='stApp']")
    html = page.content()
    assert "Traceback" not in html
    assert "reported_figures" not in html  # nothing of the database error reaches the browser
    reference = REFERENCE.search(text).group(1)
    log = (tmp_path / "server.log").read_text()
    assert f"error reference {reference}" in log
    trace = log[log.index(f"error reference {reference}") :]
    assert "Traceback (most recent call last)" in trace
    assert "reported_figures" in trace
