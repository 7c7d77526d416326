"""Every page runs under AppTest without an exception; the Overview shows the headline figures."""

from __future__ import annotations

import pytest

PAGES = [
    "pages/overview.py",
    "pages/budget_outturn.py",
    "pages/reserves.py",
    "pages/dsg.py",
    "pages/benchmarking.py",
    "pages/action_plan.py",
    "pages/directorates.py",
    "pages/data_sources.py",
    "pages/accessibility.py",
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


def test_a_loaded_figure_with_markdown_in_its_quote_shows_it_as_text(app_test, db_path):
    import duckdb

    hostile = "[click](javascript:alert(1)) <img src=x onerror=alert(1)>"
    with duckdb.connect(str(db_path)) as conn:
        conn.execute(
            "INSERT INTO reported_figures SELECT * REPLACE ('L9-1' AS figure_id, 41.2 AS value, $quote AS source_quote,"
            " 9 AS load_id) FROM reported_figures WHERE figure_id = 'RF013'",
            {"quote": hostile},
        )
    app_test.run()
    help_text = app_test.metric[4].proto.help
    assert app_test.metric[4].value == "£41.2m"
    assert r"\[click\]\(javascript\:alert\(1\)\)" in help_text  # escaped: Markdown shows it, never links it
    assert r"\<img src\=x onerror\=alert\(1\)\>" in help_text


def test_every_page_runs_on_the_shared_store(app_test, lake_store):
    """The same pages on the shared store (FINANCE_STORE=ducklake): no page knows which store it is on."""
    app_test.run()
    values = [metric.value for metric in app_test.metric]
    assert values == ["c. £312m", "£15m", "£31.5m", "£65m", "£37.9m"]
    for page_file in PAGES:
        app_test.switch_page(page_file).run()
        assert not app_test.exception, page_file
        assert not app_test.error, page_file
        assert app_test.title, page_file
