"""CSV and XLSX of a chart's data: formula-safe, complete, labelled; file names from title and as-at date."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from charts.all import load_catalogue
from charts.spec import SAMPLE_LABEL
from data.__main__ import main as data_cli
from exports.data import LABELS_COLUMN, chart_file_name, csv_bytes, export_file_name, slug, xlsx_bytes
from metrics.safe_text import FORMULA_STARTS, neutralise_formula, neutralise_frame
from tests.support.export_charts import TEST_CHARTS

LATER_FIGURES = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"

CATALOGUE = load_catalogue()
CHART_IDS = [*sorted(CATALOGUE), *TEST_CHARTS]
HOSTILE = ['=HYPERLINK("http://x","y")', "+44 1305", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


@pytest.fixture(scope="module")
def charts(built_db):
    with duckdb.connect(str(built_db), read_only=True) as conn:
        return {
            chart_id: (CATALOGUE[chart_id].build(conn) if chart_id in CATALOGUE else TEST_CHARTS[chart_id](conn))
            for chart_id in CHART_IDS
        }


@pytest.fixture
def hostile_chart(charts):
    """The net budget chart with spreadsheet formulas planted in a text column and a header."""
    chart = charts["test_net_budget"]
    data = pd.DataFrame(
        {
            "=cmd|' /C calc'!A0": HOSTILE,
            "value": [304.0, -4.7, np.nan, 31.5, 0.0, 65.0],
            "note": ["Place", None, "fine", "a=b", "", "-"],
        }
    )
    return replace(chart, data=data, labels=(SAMPLE_LABEL,))


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_starts_get_an_apostrophe(text):
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["Place", "a=b", "", "£312m", 3, -4.7, None, 2.5])
def test_everything_else_is_left_alone(value):
    assert neutralise_formula(value) == value


def test_neutralise_frame_changes_only_text_cells():
    frame = pd.DataFrame({"text": ["=1+1", "ok", None], "number": [-1.5, 2.0, np.nan]})
    result = neutralise_frame(frame)
    assert list(result["text"][:2]) == ["'=1+1", "ok"]
    assert pd.isna(result["text"][2])
    assert result["number"].tolist()[:2] == [-1.5, 2.0]
    assert frame["text"][0] == "=1+1", "the input frame is not changed"


def test_csv_has_no_cell_a_spreadsheet_would_run(hostile_chart):
    rows = list(csv.reader(io.StringIO(csv_bytes(hostile_chart).decode("utf-8-sig"), newline="")))
    assert len(rows) == len(hostile_chart.data) + 1
    for cell in (cell for row in rows for cell in row):
        if cell.startswith(FORMULA_STARTS):
            float(cell)  # only numbers may start with - or +
    assert rows[0][0] == "'=cmd|' /C calc'!A0"
    assert [row[0] for row in rows[1:]] == ["'" + text for text in HOSTILE]
    assert rows[2][1] == "-4.7"


def test_xlsx_has_no_formulas_and_keeps_numbers(hostile_chart):
    workbook = load_workbook(io.BytesIO(xlsx_bytes(hostile_chart)))
    sheet = workbook["Data"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert [cell.value for cell in sheet["A"][1:]] == ["'" + text for text in HOSTILE]
    assert [cell.value for cell in sheet["B"][1:]] == [304.0, -4.7, None, 31.5, 0.0, 65.0]
    assert sheet["C"][5].value is None or sheet["C"][5].value == ""


def test_xlsx_about_sheet_carries_title_source_and_labels(hostile_chart):
    about = {row[0]: row[1] for row in load_workbook(io.BytesIO(xlsx_bytes(hostile_chart)))["About"].values}
    assert about["Title"] == hostile_chart.title
    assert about["Source"] == hostile_chart.source
    assert about["Includes"] == SAMPLE_LABEL
    assert about["Figures as known on"] == hostile_chart.as_at.isoformat()


def test_xlsx_about_sheet_dates_the_charts_own_newest_source(db_path):
    """The About sheet's only date was the dashboard's (its newest source of all, a 2026/27 budget book), beside a
    chart whose own figures are older: it now gives the newest source of the chart's own rows as well."""
    assert data_cli(["load", str(LATER_FIGURES), "--db", str(db_path)]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        chart = load_catalogue()["dsg_trajectory"].build(conn)
    about = {row[0]: row[1] for row in load_workbook(io.BytesIO(xlsx_bytes(chart)))["About"].values}
    newest = max(pd.to_datetime(chart.data["source_date"])).date()
    assert about["Newest source"] == newest.isoformat()
    assert about["Figures as known on"] == chart.as_at.isoformat() and chart.as_at > newest
    # a chart whose data carries no document dates says so, rather than leaving the row out
    timeline = load_catalogue()["reserves_timeline"]
    with duckdb.connect(str(db_path), read_only=True) as conn:
        undated = timeline.build(conn)
    assert "source_date" not in undated.data.columns
    about = {row[0]: row[1] for row in load_workbook(io.BytesIO(xlsx_bytes(undated)))["About"].values}
    assert about["Newest source"].startswith("not dated in this chart's data")


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_every_chart_exports_all_its_rows(charts, chart_id):
    chart = charts[chart_id]
    frame = pd.read_csv(io.BytesIO(csv_bytes(chart)), encoding="utf-8-sig")
    assert len(frame) == len(chart.data)
    assert set(map(str, chart.data.columns)) <= set(frame.columns)
    workbook = load_workbook(io.BytesIO(xlsx_bytes(chart)))
    data_sheets = [sheet for sheet in workbook if sheet.title.startswith("Data")]
    assert sum(sheet.max_row - 1 for sheet in data_sheets) == len(chart.data), "one header row per table"
    assert workbook.sheetnames[-1] == "About"
    if chart.labels:
        assert set(frame[LABELS_COLUMN]) == {", ".join(chart.labels)}


def test_sample_chart_data_says_sample_in_every_row(charts):
    frame = pd.read_csv(io.BytesIO(csv_bytes(charts["test_sample_budget"])), encoding="utf-8-sig")
    assert (frame[LABELS_COLUMN] == SAMPLE_LABEL).all()


def test_file_names_come_from_title_and_as_at_date(charts):
    assert export_file_name("DSG deficit heads for £110m", date(2021, 10, 5), "png") == (
        "dsg-deficit-heads-for-110m-2021-10-05.png"
    )
    assert (
        export_file_name("Reserves: 2020/21", pd.Timestamp("2021-03-31"), "xlsx") == "reserves-2020-21-2021-03-31.xlsx"
    )
    assert export_file_name("Action plan", None, ".csv") == "action-plan.csv"
    assert slug("££") == "chart"
    chart = charts["test_net_budget"]
    assert chart_file_name(chart, "pdf") == f"{slug(chart.title)}-{chart.as_at.isoformat()}.pdf"
    # the dashboard's as-at date (the day itself for the latest figures) comes before the chart's own
    assert chart_file_name(chart, "png", as_at=date(2026, 12, 6)) == f"{slug(chart.title)}-2026-12-06.png"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (  # was '...-without-mitigation-not-by-2026-02-20.png': cut mid-phrase at 80 characters
            "The DSG deficit would pass usable reserves in 2023/24 without mitigation, not by 2025/26 with the "
            "recovery plan",
            "the-dsg-deficit-would-pass-usable-reserves-in-2023-24-without-mitigation",
        ),
        (  # was '...-the-latest-qua'
            "In 3 of 3 years with a quarter forecast, the outturn came in below the latest quarter's forecast",
            "in-3-of-3-years-with-a-quarter-forecast-the-outturn-came-in-below-the-latest-quarter-s-forecast",
        ),
        (  # no clause to cut at: between words, not on an open one
            "Savings " + "and more savings " * 12 + "for the year",
            "savings-and-more-savings-and-more-savings-and-more-savings-and-more-savings-and-more-savings",
        ),
    ],
)
def test_file_names_never_end_mid_phrase(title, expected):
    assert slug(title) == expected
    assert len(slug(title)) <= 100


def test_list_columns_and_dates_export_as_readable_cells(charts, built_db):
    """The action plan's data has DuckDB lists (see_also), dates, nullable integers and long text."""
    from metrics.recommendations import recommendations_with_status

    with duckdb.connect(str(built_db), read_only=True) as conn:
        data = recommendations_with_status(conn)
    chart = replace(charts["test_net_budget"], data=data)
    sheet = load_workbook(io.BytesIO(xlsx_bytes(chart)))["Data"]
    header = [cell.value for cell in sheet[1]]
    assert sheet.max_row == len(data) + 1
    see_also = [row[header.index("See also")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    expected = [", ".join(str(item) for item in value) or None for value in data["see_also"]]
    assert see_also == expected
    assert any(see_also)
    frame = pd.read_csv(io.BytesIO(csv_bytes(chart)), encoding="utf-8-sig", dtype=str)
    assert len(frame) == len(data)
    assert frame["see_also"].fillna("").tolist() == [text or "" for text in expected]


def test_xlsx_has_words_not_codes_pound_formats_and_values_as_reported(charts):
    chart = charts["reserves_timeline"]
    noisy = chart.data.copy()
    noisy.loc[0, "Cumulative deficit (£m)"] = 82.44999999999999  # a sum's binary noise
    workbook = load_workbook(io.BytesIO(xlsx_bytes(replace(chart, data=noisy))))
    cells = [cell for sheet in workbook if sheet.title != "About" for row in sheet.iter_rows() for cell in row]
    values = {cell.value for cell in cells}
    assert not values & {"mitigated", "unmitigated"}, "scenario codes are written as words"
    assert {"With the recovery plan", "Without mitigation"} <= values
    assert 82.45 in values and 82.44999999999999 not in values
    money = [cell for cell in cells if isinstance(cell.value, float | int) and cell.row > 1]
    assert money and all("£" in cell.number_format and "m" in cell.number_format for cell in money)


def test_xlsx_puts_each_stacked_table_on_its_own_sheet(charts):
    """Reserve balances were stacked under the deficit paths in one sheet, each half of it empty in the other."""
    workbook = load_workbook(io.BytesIO(xlsx_bytes(charts["reserves_timeline"])))
    assert workbook.sheetnames == ["Data 1", "Data 2", "About"]
    for sheet in workbook.worksheets[:2]:
        columns = list(sheet.iter_cols(min_row=2, values_only=True))
        assert all(any(value is not None for value in column) for column in columns), sheet.title
    headers = [cell.value for cell in workbook["Data 2"][1]]
    assert "Reserve (£m)" in headers and "Cumulative deficit (£m)" not in headers
    about = {row[0]: row[1] for row in workbook["About"].values}
    assert "Data 2" in about["Sheets"]


def test_xlsx_headings_are_words(charts):
    workbook = load_workbook(io.BytesIO(xlsx_bytes(charts["monitoring_variance_directorate"])))
    headers = [cell.value for cell in workbook["Data"][1]]
    assert "Annual budget (£)" in headers
    assert not [header for header in headers if "_" in header]
    column = headers.index("Annual budget (£)") + 1
    assert workbook["Data"].cell(row=2, column=column).number_format == '"£"#,##0.00'


@pytest.mark.parametrize("chart_id", ["dsg_trajectory", "budget_and_outturn", "reserves_by_year", "net_budget_by_year"])
def test_every_downloaded_row_names_its_document_and_its_date(charts, chart_id):
    """A CSV row named only its section ("Appendix 3, Context", "Sample table"): not which document, nor when.
    The screen's table leaves both to the source line above it (ui.chart_panel.ONLY_IN_DOWNLOADS)."""
    rows = list(csv.DictReader(io.StringIO(csv_bytes(charts[chart_id]).decode("utf-8-sig"))))
    quoted = [row for row in rows if row.get("source_quote")]
    assert quoted, chart_id
    for row in quoted:
        assert row["source_document"] and row["source_section"], row
        assert date.fromisoformat(row["source_date"]) <= date.today(), row  # a day, not a time of day


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_every_csv_row_says_where_its_figures_come_from_and_when(charts, chart_id):
    """The action plan's, the DSG scenario's and the monitoring charts' CSVs named no document and no date, and a
    CSV has no About sheet to carry them: such rows now carry the chart's source line and its as-at date."""
    chart = charts[chart_id]
    rows = list(csv.DictReader(io.StringIO(csv_bytes(chart).decode("utf-8-sig"))))
    for row in rows:
        if "source_document" in row:
            continue  # each row's own document, section, quote and date (the test above)
        assert row["source"] == chart.source.removeprefix("Source: "), row
        assert row["dashboard_as_at"] == (chart.as_at.isoformat() if chart.as_at else "not stated"), row


def test_a_csv_writes_a_sum_as_reported_not_its_binary_noise(charts):
    chart = charts["reserves_timeline"]
    noisy = chart.data.copy()
    noisy.loc[0, "Cumulative deficit (£m)"] = 148.20000000000002
    text = csv_bytes(replace(chart, data=noisy)).decode("utf-8-sig")
    assert "148.2," in text and "148.20000000000002" not in text
