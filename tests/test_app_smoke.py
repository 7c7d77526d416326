"""Every page runs under AppTest without an exception; the Overview shows the headline figures."""

from __future__ import annotations

import pytest

PAGES = [
    "pages/overview.py",
    "pages/budget_outturn.py",
    "pages/reserves.py",
    "pages/dsg.py",
    "pages/action_plan.py",
    "pages/directorates.py",
    "pages/data_sources.py",
]


@pytest.mark.parametrize("page_file", PAGES)
def test_page_runs_without_exception(app_test, page_file):
    app_test.run()
    app_test.switch_page(page_file).run()
    assert not app_test.exception
    assert not app_test.error
    assert app_test.title


def test_overview_shows_the_headline_figures_with_sources(app_test):
    app_test.run()
    values = [metric.value for metric in app_test.metric]
    assert values == ["c. £312m", "£15m", "£31.5m", "£65m", "£37.9m"]
    helps = [metric.proto.help.replace("\\", "") for metric in app_test.metric]  # drop Markdown escapes
    assert all("Dorset Council Cabinet, 5 October 2021" in text for text in helps)
    assert "£31.5m as of 31st March 2021" in helps[2]


def test_sidebar_names_the_source_and_its_date(app_test):
    app_test.run()
    captions = " ".join(caption.value for caption in app_test.sidebar.caption)
    assert "LGA Finance Peer Challenge report and action plan" in captions
    assert "5 October 2021" in captions


def test_missing_database_gives_a_message_not_a_traceback(app_test, monkeypatch, tmp_path):
    monkeypatch.setenv("FINANCE_DB", str(tmp_path / "absent.duckdb"))
    app_test.run()
    assert not app_test.exception
    assert "make run" in app_test.error[0].value
