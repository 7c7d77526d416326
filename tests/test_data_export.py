"""CSV and XLSX of a chart's data: formula-safe, complete, labelled; file names from title and as-at date."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from charts.all import load_catalogue
from charts.spec import SAMPLE_LABEL
from exports.data import LABELS_COLUMN, chart_file_name, csv_bytes, export_file_name, slug, xlsx_bytes
from metrics.safe_text import FORMULA_STARTS, neutralise_formula, neutralise_frame
from tests.export_charts import TEST_CHARTS

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
    assert about["Data as at"] == hostile_chart.as_at.isoformat()


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_every_chart_exports_all_its_rows(charts, chart_id):
    chart = charts[chart_id]
    frame = pd.read_csv(io.BytesIO(csv_bytes(chart)), encoding="utf-8-sig")
    assert len(frame) == len(chart.data)
    assert set(map(str, chart.data.columns)) <= set(frame.columns)
    sheet = load_workbook(io.BytesIO(xlsx_bytes(chart)))["Data"]
    assert sheet.max_row == len(chart.data) + 1
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


def test_list_columns_and_dates_export_as_readable_cells(charts, built_db):
    """The action plan's data has DuckDB lists (see_also), dates, nullable integers and long text."""
    from metrics.recommendations import recommendations_with_status

    with duckdb.connect(str(built_db), read_only=True) as conn:
        data = recommendations_with_status(conn)
    chart = replace(charts["test_net_budget"], data=data)
    sheet = load_workbook(io.BytesIO(xlsx_bytes(chart)))["Data"]
    header = [cell.value for cell in sheet[1]]
    assert sheet.max_row == len(data) + 1
    see_also = [row[header.index("see_also")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    expected = [", ".join(str(item) for item in value) or None for value in data["see_also"]]
    assert see_also == expected
    assert any(see_also)
    frame = pd.read_csv(io.BytesIO(csv_bytes(chart)), encoding="utf-8-sig", dtype=str)
    assert len(frame) == len(data)
    assert frame["see_also"].fillna("").tolist() == [text or "" for text in expected]
