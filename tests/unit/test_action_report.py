"""The committee report (XLSX and HTML), formula-injection neutralising, and the action-plan charts."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import duckdb
import openpyxl
import pandas as pd
import pypdf
import pytest

from charts import actions as action_charts
from charts.all import load_catalogue
from data import vocab
from data.access import Actor
from data.actions import record_update
from exports.committee import ReportMeta, html_document, pdf_bytes, xlsx_bytes
from metrics import actions
from metrics.report import REPORT_COLUMNS, committee_report, report_summary
from metrics.safe_text import neutralise_formula, neutralise_frame
from tests.support.helpers import CHROMIUM, pdf_accessibility_faults

EDITOR = Actor("jane.doe@example.org", "editor")
AS_AT = date(2026, 11, 29)
HOSTILE_NOTE = '=HYPERLINK("http://evil.example/","Click")'


@pytest.mark.parametrize("text", ["=1+1", "+44 1305", "-2", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_starts_are_neutralised(text):
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["Plain text", "", " =1", "1=1", 42, 3.5, None, date(2021, 10, 5)])
def test_everything_else_is_left_alone(value):
    assert neutralise_formula(value) == value


def test_neutralise_frame_changes_only_text_cells_and_keeps_the_original():
    frame = pd.DataFrame({"note": ["=cmd|' /C calc'!A0", "fine", None], "n": [-1, 2, 3], "code": ["a", "@b", "c"]})
    safe = neutralise_frame(frame)
    assert list(safe["note"][:2]) == ["'=cmd|' /C calc'!A0", "fine"]
    assert pd.isna(safe["note"][2])
    assert list(safe["n"]) == [-1, 2, 3]
    assert list(safe["code"]) == ["a", "'@b", "c"]
    assert frame["note"][0].startswith("=")


@pytest.fixture
def updated_db(db_path):
    """Rec 5 revised with a hostile note; rec 1 completed after the as-at date (must not count)."""
    with duckdb.connect(str(db_path)) as conn:
        record_update(
            conn,
            EDITOR,
            5,
            status="in_progress",
            percent_complete=60,
            revised_due_date=date(2027, 3, 31),
            note=HOSTILE_NOTE,
            evidence_url="https://example.org/5",
            now=datetime(2026, 6, 1, 9, 0),
        )
        record_update(
            conn,
            EDITOR,
            7,
            status="ongoing",
            percent_complete=30,
            revised_due_date=None,
            note="<script>alert(1)</script>",
            evidence_url=None,
            now=datetime(2026, 7, 1, 9, 0),
        )
        record_update(
            conn,
            EDITOR,
            1,
            status="complete",
            percent_complete=100,
            revised_due_date=None,
            note="done",
            evidence_url=None,
            now=datetime(2026, 12, 1, 9, 0),
        )
    return db_path


@pytest.fixture
def report(updated_db):
    with duckdb.connect(str(updated_db), read_only=True) as conn:
        return committee_report(conn, as_at=AS_AT, previous=actions.REPORT_DATE)


def meta_for(report: pd.DataFrame) -> ReportMeta:
    return ReportMeta(
        title="Action plan progress",
        as_at=AS_AT,
        previous=actions.REPORT_DATE,
        source=actions.ACTION_PLAN_SOURCE,
        rules=actions.RAG_RULES,
        summary=report_summary(report),
        generated_by="pytest",
        generated_at=datetime(2026, 11, 29, 12, 0),
    )


def test_the_report_has_one_row_per_recommendation_and_the_change_since_the_previous_report(report):
    assert list(report.columns) == list(REPORT_COLUMNS)
    assert list(report["Rec"]) == list(range(1, 49))
    rec5 = report.set_index("Rec").loc[5]
    assert (rec5["Status"], rec5["% complete"], rec5["RAG"], rec5["Overdue"]) == ("In progress", 60, "Amber", "No")
    assert rec5["Updates since previous report"] == 1
    assert "RAG Green → Amber" in rec5["Change since previous report"]
    assert "due date revised to 31 Mar 2027" in rec5["Change since previous report"]
    rec1 = report.set_index("Rec").loc[1]
    assert rec1["Status"] == "In progress", "an update after the as-at date is not in the report"
    assert rec1["Change since previous report"] == "No update since the previous report; RAG Green → Red."
    assert set(report.loc[report["Timeline in source"] == actions.NO_TIMELINE, "Rec"]) == {13, 36, 38, 42, 43, 46}


def test_the_previous_report_must_come_before_the_as_at_date(updated_db):
    with duckdb.connect(str(updated_db), read_only=True) as conn, pytest.raises(ValueError, match="must be before"):
        committee_report(conn, as_at=actions.REPORT_DATE, previous=AS_AT)


def test_the_xlsx_has_48_rows_the_expected_columns_and_no_formulas(report):
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(report, meta_for(report))))
    sheet = book["Progress"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(REPORT_COLUMNS)
    assert len(rows) - 1 == 48
    assert [row[0] for row in rows[1:]] == list(range(1, 49))
    note_column = REPORT_COLUMNS.index("Latest note")
    rec5 = sheet.cell(row=1 + 5, column=note_column + 1)
    assert rec5.data_type == "s"
    assert rec5.value == "'" + HOSTILE_NOTE
    formulas = [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == []
    rag = sheet.cell(row=1 + 5, column=REPORT_COLUMNS.index("RAG") + 1)
    assert rag.value == "Amber" and rag.fill.fgColor.rgb.endswith("FCE4CC")
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True) if row[0]}
    assert about["Red"] == int((report["RAG"] == "Red").sum())


def test_the_html_escapes_what_people_typed(report):
    page = html_document(report, meta_for(report))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<tr><td") == 48
    assert page.count("<tr class='theme'>") == 7
    assert "How RAG is decided" in page


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_the_pdf_is_tagged_with_language_and_title(report):
    pdf = pdf_bytes(report, meta_for(report))
    assert pdf_accessibility_faults(pdf) == []
    assert pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == vocab.DOCUMENT_LANGUAGE


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_the_pdf_prints_every_recommendation(report):
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes(report, meta_for(report))))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height, "A4 landscape"
    assert "Action plan progress" in text and "How RAG is decided" in text
    assert "&lt;script&gt;" not in text and "<script>alert(1)</script>" in text, "escaped once, shown as typed"
    last_recommendation = " ".join(report.iloc[-1]["Recommendation"].split()[:4])
    assert last_recommendation in text


def plotly_shapes_x(chart) -> list:
    return [shape.x0 for shape in chart.figure.layout.shapes]


def test_the_action_charts_are_in_the_catalogue_and_agree_with_the_tracker(built_db):
    catalogue = load_catalogue()
    ids = {"action_status_by_theme", "action_due_dates", "action_overdue_by_theme"}
    assert ids <= set(catalogue)
    with duckdb.connect(str(built_db), read_only=True) as conn:
        charts = {chart_id: catalogue[chart_id].build(conn) for chart_id in ids}
        state = actions.tracker_state(conn, as_at=date.today())
    bars = charts["action_status_by_theme"].figure.data
    assert sum(sum(trace.x) for trace in bars) == 48
    overdue = charts["action_overdue_by_theme"].figure.data
    assert sum(next(t for t in overdue if t.name == "Overdue").x) == state["overdue"].sum()
    for chart in charts.values():
        assert chart.title and chart.alt_text and chart.source.startswith("Source:")
        json.loads(chart.figure.to_json())


def test_the_due_date_timeline_marks_today_and_the_as_at_date_and_shows_rag_as_shape(built_db):
    today = date(2026, 11, 29)
    with duckdb.connect(str(built_db), read_only=True) as conn:
        dated = actions.due_dates(conn, as_at=actions.REPORT_DATE)
    chart = action_charts.due_date_timeline(dated, as_at=actions.REPORT_DATE, today=today)
    lines = {pd.Timestamp(x, unit="ms").date() for x in plotly_shapes_x(chart)}
    assert lines == {today, actions.REPORT_DATE}
    texts = [annotation.text for annotation in chart.figure.layout.annotations]
    assert any("Today 29 November 2026" in text for text in texts)
    assert any("As at 5 October 2021" in text for text in texts)
    symbols = {trace.name: trace.marker.symbol for trace in chart.figure.data}
    assert len(set(symbols.values())) == len(symbols), "each RAG has its own marker shape, not only a colour"
    assert sum(len(trace.x) for trace in chart.figure.data) == len(dated)


def test_the_status_key_keeps_every_status_and_says_which_have_none(built_db):
    """The key listed "Blocked" beside bars with no blocked recommendation, which read as if some were."""
    with duckdb.connect(str(built_db), read_only=True) as conn:
        bars = load_catalogue()["action_status_by_theme"].build(conn).figure.data
    for trace in bars:
        label = trace.name.removesuffix(" (none)")
        assert label in vocab.STATUS_COLOURS
        assert trace.name.endswith(" (none)") == (sum(trace.x) == 0), trace.name
    assert any(trace.name.endswith(" (none)") for trace in bars)  # the 2021 plan has statuses with none
