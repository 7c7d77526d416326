"""No page shows an internal id, a unit code, an environment variable's name or a Python `None`, and counts
and possessives read as English, on every page, with sample data and with loaded monitoring and figures.

Ids (RF013, L0001-0001) stay in the "Show the data" tables and the exports, which are opened on purpose;
file-format help may name a file's columns (`annual_budget_gbp`) in code spans, since a person types them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from data import load, vocab
from data.access import Actor
from data.db import connect
from tests.support.helpers import open_page
from tests.support.load_files import MONITORING_HEADER, csv_bytes, two_period_extract
from tests.support.screen_text import screen_words
from ui import pages_registry as registry

ENVIRONMENT_NAME = re.compile(r"\b(?:FINANCE|MONITORING)_[A-Z_]+\b|\b[A-Z]{2,}_[A-Z]{2,}_[A-Z_]+\b")
UNIT_CODE = re.compile(r"\bgbp_m\b|\b\w+_(?:gbp|pct)\b|\bpct\b")
PYTHON_WORDS = re.compile(r"\bNone\b|\bnan\b|\bNaN\b|\bNaT\b|<NA>")
BAD_ENGLISH = re.compile(
    r"(?<![\d.,£/])\b1 (?:recommendations|directorates|lines|schemes|figures|items|rows|loads|days|problems)\b"
    r"|\w+s's\b|\(s\)"
)
CODE_SPAN = re.compile(r"`[^`]*`")
RAW_HEADING = re.compile(r"^[a-z_][a-z0-9_]*$")  # 'fiscal_year', 'period': a heading in words starts with a capital

FIGURES_HEADER = ["measure", "label", "fiscal_year", "period", "scenario", "directorate", "value", "unit",
                  "qualifier", "basis", "derivation", "as_at_date", "source_document", "source_date", "source_url",
                  "source_section", "source_quote"]  # fmt: skip
LATER_DEFICIT = ["dsg_cumulative_deficit", "DSG cumulative deficit", "2021/22", "outturn", "", "", "44.1", "gbp_m",
                 "", "reported", "", "2022-03-31", "Statement of accounts 2021/22", "2022-07-19",
                 "https://example.org/accounts", "Note 12", "The cumulative DSG deficit was £44.1m."]  # fmt: skip


def faults(words: list[str]) -> list[str]:
    found = []
    for text in words:
        shown = CODE_SPAN.sub("", text)
        for pattern in (vocab.INTERNAL_ID, ENVIRONMENT_NAME, UNIT_CODE, PYTHON_WORDS, BAD_ENGLISH):
            found.extend(f"{match[0]!r} in {shown[max(0, match.start() - 50) : match.end() + 30]!r}"
                         for match in pattern.finditer(shown))  # fmt: skip
    return found


def codes_in_table(frame) -> list[str]:
    """The headings written as column names ('fiscal_year', 'source_document') and cells that are period codes
    ('q2', 'as_at') in a table on screen; a code that is also the word ('forecast', 'plan') is not counted."""
    headings = [f"heading {column!r}" for column in frame.columns if RAW_HEADING.match(str(column))]
    codes = {code for code, words in vocab.PERIOD_WORDS.items() if words != code}
    cells = {str(value) for column in frame.columns for value in frame[column] if value in codes}
    return headings + [f"cell {value!r}" for value in sorted(cells)]


def load_monitoring_and_figures(db_path) -> None:
    admin = Actor("finance.bp@dorsetcouncil.example", "admin")
    files = [(f"p{p}.csv", two_period_extract(p)) for p in (4, 6)]
    files.append(("figures.csv", csv_bytes([LATER_DEFICIT], FIGURES_HEADER)))
    for name, content in files:
        with connect(db_path) as conn:
            load.apply(conn, load.read(name, content, load.directorate_aliases(conn)), admin)


@pytest.mark.parametrize("info", registry.PAGES, ids=lambda info: info.url_path)
def test_no_page_shows_an_id_a_unit_code_an_environment_name_or_none_with_the_sample(app_test, info):
    at = open_page(app_test, f"pages/{info.file}")
    words = screen_words(at)
    assert len(words) > 10, "the page drew its text"
    assert faults(words) == []


@pytest.mark.parametrize("info", registry.PAGES, ids=lambda info: info.url_path)
def test_no_page_shows_an_id_a_unit_code_an_environment_name_or_none_with_loaded_data(app_test, db_path, info):
    load_monitoring_and_figures(db_path)
    at = open_page(app_test, f"pages/{info.file}")
    assert faults(screen_words(at)) == []


def test_the_check_finds_what_it_looks_for():
    said = ["Derived: RF013 + RF014: the deficit", "Set MONITORING_RAG_AMBER_PCT", "unit gbp_m", "value None",
            "for 1 directorates", "Central budgets's share", "3 item(s)"]  # fmt: skip
    assert all(faults([text]) for text in said)
    assert faults(["Upload `annual_budget_gbp` as pounds", "1 recommendation", "Children's Services' share"]) == []


def test_the_table_check_finds_column_names_and_period_codes():
    import pandas as pd

    raw = pd.DataFrame({"fiscal_year": ["2025/26"], "Period": ["q2"], "source_document": ["Report"]})
    assert codes_in_table(raw) == ["heading 'fiscal_year'", "heading 'source_document'", "cell 'q2'"]
    assert codes_in_table(pd.DataFrame({"Year": ["2025/26"], "Period": ["Quarter 2"], "Document": ["Report"]})) == []


def test_the_figures_held_for_single_directorates_read_in_words_not_codes(app_test, db_path):
    """The Budget & outturn page's table of directorate figures showed its column names (fiscal_year,
    source_document) and the period code q2."""
    from data.__main__ import main as data_cli

    later = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"
    assert data_cli(["load", str(later), "--db", str(db_path), "--kind", "figures"]) == 0
    at = open_page(app_test, "pages/budget_outturn.py")
    assert "Figures held for single directorates" in [header.value for header in at.header]
    # A real table on a wide window (ui.tables.table_or_grid), so a long document name wraps instead of being cut
    # at 1400 px; its cells are Markdown, which shows a backslash-escaped character as the character.
    shown = [
        table.value.map(lambda cell: re.sub(r"\\(.)", r"\1", cell) if isinstance(cell, str) else cell)
        for table in at.table
    ]
    [table] = [table for table in shown if (table == "Children's Services").any().any()]
    assert codes_in_table(table) == []
    [row] = table.to_dict("records")
    assert row == {
        "Directorate": "Children's Services",
        "Figure": "Forecast net overspend at quarter 2, Children's Services",
        "Year": "2025/26",
        "Period": "Quarter 2",
        "Value": "£4.0m",
        "Document": "SAMPLE (synthetic, not Dorset Council's figures): quarter 2 budget monitoring 2025/26",
        "Document date": "10 Nov 2025",
    }


def test_budget_and_outturn_promises_a_directorate_table_only_when_it_shows_one(app_test):
    """The notice said "directorate figures held are listed below them" on the 2021 figures, which hold none."""
    at = open_page(app_test, "pages/budget_outturn.py")
    notice = " ".join(caption.value for caption in at.caption if "does not apply on this page" in caption.value)
    assert "no figures for single directorates are held" in notice and "listed below" not in notice
    assert "Figures held for single directorates" not in [header.value for header in at.header]


def test_every_table_of_reported_figures_gives_periods_units_and_document_dates_in_words(db_path):
    """The sources under each page and the Data page's register showed period codes (q2, as_at), unit codes
    (gbp_m) and no date for the document a figure comes from."""
    import duckdb

    from data.__main__ import main as data_cli
    from metrics.figures import known_figures
    from metrics.loads import figures_with_sources
    from ui.common import SOURCE_COLUMNS
    from ui.loading import register_table
    from ui.tables import figure_cells

    later = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"
    assert data_cli(["load", str(later), "--db", str(db_path), "--kind", "figures"]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        held, register = known_figures(conn), figures_with_sources(conn)
    for table in (figure_cells(held, SOURCE_COLUMNS), register_table(register)):
        assert codes_in_table(table) == []
        assert "Document date" in table.columns and (table["Document date"] != "").all()
        assert {"Quarter 2", "Budget", "Year end"} <= set(table["Period"])
        assert "£ million" in set(table["Unit"]) and "gbp_m" not in set(table["Unit"])
        q2 = table[table["Document"].str.contains("quarter 2 budget monitoring 2025/26")]
        assert set(q2["Document date"]) == {"10 Nov 2025"}


def test_load_and_undo_messages_count_in_words_not_in_brackets(app_test, db_path, capsys):
    """'1 line(s) for 1 directorate(s) and 1 period(s)', 'Loaded 1 monitoring row(s)', '1 problem(s)', '1 figure(s)
    will be added': every message of a load through the Data page (preview, load, undo, a rejected file, a
    figures file) and of the command line reads as English."""
    from data.__main__ import main as data_cli

    at = app_test.run().switch_page("pages/data_sources.py").run()
    seen = []
    ledger = csv_bytes([["2020/21", "P1", "Place", "Highways", "PL-1", "£1,000", "(50)", "900"]], MONITORING_HEADER)
    at.file_uploader[0].set_value(("ledger.csv", ledger, "text/csv")).run()
    seen += screen_words(at)
    next(b for b in at.button if b.label.startswith("Load ")).click().run()
    seen += screen_words(at)
    at.checkbox[0].check()
    next(b for b in at.button if b.label == "Undo load").click().run()
    seen += screen_words(at)
    bad = csv_bytes([["2020/21", "P1", "Place", "Highways", "PL-1", "ten", "1", "1"]], MONITORING_HEADER)
    at.file_uploader[0].set_value(("bad.csv", bad, "text/csv")).run()
    seen += screen_words(at)
    at.file_uploader[0].set_value(("figures.csv", csv_bytes([LATER_DEFICIT], FIGURES_HEADER), "text/csv")).run()
    seen += screen_words(at)
    assert not at.exception
    assert [b.label for b in at.button if b.label.startswith("Load ")] == ["Load 1 figure"]  # the preview ends in it
    shown = " ".join(seen).replace("\\", "")
    for message in ("1 line for 1 directorate and 1 period", "Loaded 1 line from ledger.csv",
                    "removed 1 row", "cannot be loaded: 1 problem.", "1 figure will be added"):  # fmt: skip
        assert message in shown
    # only the counts: a rejected file's problems name its columns (annual_budget_gbp) as the person typed them
    assert [text for text in seen if BAD_ENGLISH.search(text) or PYTHON_WORDS.search(text)] == []
    figures = db_path.parent / "figures.csv"
    figures.write_bytes(csv_bytes([LATER_DEFICIT], FIGURES_HEADER))
    assert data_cli(["load", str(figures), "--db", str(db_path)]) == 0
    printed = capsys.readouterr().out
    assert "loaded 1 row of figures from figures.csv" in printed
    assert [line for line in printed.splitlines() if BAD_ENGLISH.search(line)] == []


def test_the_data_pages_tables_leave_an_empty_cell_blank_not_none(app_test, db_path):
    """The reported figures table showed 'None' under Scenario, Directorate and Qualifier for every figure that
    has none: Streamlit draws a missing cell as the word None."""
    at = app_test.run().switch_page("pages/data_sources.py").run()
    [frame] = [table.value for table in at.dataframe if {"Scenario", "Qualifier"} <= set(table.value.columns)]
    words = frame.select_dtypes(exclude="number")
    assert not words.isna().any().any(), [column for column in words.columns if words[column].isna().any()]
    # the sources: a document read from a figures file has no file of its own (the File column read "None")
    from data.__main__ import main as data_cli

    later = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"
    assert data_cli(["load", str(later), "--db", str(db_path), "--kind", "figures"]) == 0
    at = app_test.run().switch_page("pages/data_sources.py").run()
    [sources] = [
        table.value for table in at.dataframe if "File" in table.value.columns and "Link" in table.value.columns
    ]
    assert not sources["File"].isna().any() and "" in set(sources["File"]), sources


def test_counts_and_possessives_read_as_english():
    assert [vocab.counted(n, "recommendation") for n in (0, 1, 2, 1200)] == [
        "0 recommendations", "1 recommendation", "2 recommendations", "1,200 recommendations"]  # fmt: skip
    assert vocab.counted(1, "directorate") == "1 directorate"
    assert [vocab.possessive(name) for name in ("Place", "Central budgets", "Children's Services")] == [
        "Place's", "Central budgets'", "Children's Services'"]  # fmt: skip


def test_one_rag_palette_on_every_chart_and_table_and_amber_is_never_reds_colour(conn):
    from datetime import date

    from charts.actions import due_date_timeline
    from charts.monitoring import cost_centres_chart, variance_chart
    from metrics import actions, monitoring

    assert len(set(vocab.RAG_COLOURS.values())) == 3
    at = {"fiscal_year": "2020/21", "period": 12, "previous": 11}
    table = monitoring.monitoring_table(conn, **at)
    centres = monitoring.monitoring_table(conn, **at, level="cost_centre", limit=15)
    where = {"fiscal_year": "2020/21", "period": 12, "scope": "all"}
    for chart, rows in ((variance_chart(table, **where), table), (cost_centres_chart(centres, **where), centres)):
        bar = chart.figure.data[0]
        assert list(bar.marker.color) == [vocab.RAG_COLOURS[r] for r in rows["rag"].iloc[::-1]], chart.chart_id
        assert all(f"· {r}" in text for text, r in zip(bar.text, rows["rag"].iloc[::-1], strict=True))
    today = date(2026, 1, 1)
    dated = actions.summarise_due_dates(actions.tracker_state(conn, as_at=today))
    timeline = due_date_timeline(dated, as_at=today, today=today)
    for trace in timeline.figure.data:
        if trace.name in vocab.RAG_COLOURS:
            assert trace.marker.color == vocab.RAG_COLOURS[trace.name]


@pytest.mark.parametrize(
    ("page_file", "query"),
    [
        ("action_plan.py", {"rec": "46"}),  # a recommendation whose timeline is a name, not a date
        ("action_plan.py", {"rec": "13"}),  # blank timeline in the source
        ("action_plan.py", {"as_at": "2021-10-05", "overdue": "1"}),
        ("directorates.py", {"drill": "Place"}),
    ],
)
def test_no_view_deeper_in_a_page_shows_an_id_or_a_code(app_test, page_file, query):
    at = open_page(app_test, f"pages/{page_file}", **query)
    assert faults(screen_words(at)) == []


def test_a_dry_run_in_the_terminal_shows_blanks_and_pounds_not_nan_or_floats(db_path, capsys):
    """The command line printed the preview as pandas does: NaN and <NA> for every empty cell, 1000.5 and 0.0."""
    from data.__main__ import main as data_cli

    ledger = db_path.parent / "ledger.csv"
    ledger.write_bytes(csv_bytes([["2024/25", "P3", "Place", "Highways", "PL-1", "1000.5", "50", "900"]],
                                 MONITORING_HEADER))  # fmt: skip
    figures = db_path.parent / "figures.csv"
    figures.write_bytes(csv_bytes([LATER_DEFICIT], FIGURES_HEADER))
    for file in (ledger, figures):
        assert data_cli(["load", str(file), "--db", str(db_path), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "1,000.50" in printed and "-100.50" in printed
    from data.__main__ import terminal_table

    shown = terminal_table(pd.DataFrame({"value": [1234567.0, 1234.5678, 0.1 + 0.2, None]}))
    assert list(shown["value"]) == ["1234567", "1234.5678", "0.3", ""]  # every digit given, no 1.23457e+06
    assert not re.search(r"\bNaN\b|<NA>|\bNone\b|\d\.\d{7,}", printed), printed
