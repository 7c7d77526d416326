"""The data behind a chart as CSV or XLSX bytes, safe to open in a spreadsheet, and export file names."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from charts.spec import Chart
from metrics.safe_text import neutralise_formula, neutralise_frame

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LABELS_COLUMN = "includes"  # added when the chart carries labels such as "sample data"
MAX_SLUG_LENGTH = 80


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: 'DSG deficit heads for £110m' -> 'dsg-deficit-heads-for-110m'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:MAX_SLUG_LENGTH].rstrip("-") or "chart"


def export_file_name(title: str, as_at: date | None, extension: str) -> str:
    """The download name: slug of the title, then the data's as-at date when known."""
    stem = slug(title)
    if isinstance(as_at, datetime):  # a pandas Timestamp or datetime: the date part only
        as_at = as_at.date()
    if as_at is not None:
        stem = f"{stem}-{as_at.isoformat()}"
    return f"{stem}.{extension.lstrip('.')}"


def chart_file_name(chart: Chart, extension: str) -> str:
    return export_file_name(chart.title, chart.as_at, extension)


LIST_TYPES = (list, tuple, set, np.ndarray)


def _list_text(value: Any) -> Any:
    """A list cell (e.g. DuckDB's INTEGER[]) as text a spreadsheet shows: '7, 41'."""
    if isinstance(value, LIST_TYPES):
        return ", ".join(str(item) for item in value)
    return value


def export_frame(chart: Chart) -> pd.DataFrame:
    """The chart's data as exported: lists as text, labels made explicit, every text cell and header formula-safe."""
    frame = chart.data.copy()
    for column in frame.columns:
        if pd.api.types.is_object_dtype(frame[column]):
            frame[column] = frame[column].map(_list_text)
    if chart.labels and LABELS_COLUMN not in frame.columns:
        frame[LABELS_COLUMN] = ", ".join(chart.labels)
    frame = neutralise_frame(frame)
    frame.columns = [neutralise_formula(str(column)) for column in frame.columns]
    return frame


def csv_bytes(chart: Chart) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel shows £) and CRLF rows (RFC 4180), so a CR in a cell is quoted."""
    return export_frame(chart).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _cell(value: Any) -> Any:
    """A value openpyxl can write: None for missing, naive datetimes, plain Python numbers."""
    if value is None:
        return None
    if isinstance(value, (*LIST_TYPES, dict)):
        return neutralise_formula(str(_list_text(value)))
    if pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def xlsx_bytes(chart: Chart) -> bytes:
    """A workbook with the data on the first sheet and the chart's title, source and labels on 'About'."""
    frame = export_frame(chart)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append(list(frame.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_cell(value) for value in row])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(frame.columns, start=1):
        width = max([len(str(column)), *(len(str(value)) for value in frame.iloc[:200, index - 1])])
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(max(width + 2, 8), 60)

    about = workbook.create_sheet("About")
    rows = [
        ("Title", chart.title),
        ("Subtitle", chart.subtitle),
        ("Source", chart.source),
        ("Includes", ", ".join(chart.labels) if chart.labels else "reported figures only"),
        ("Data as at", chart.as_at.isoformat() if chart.as_at else "not stated"),
        ("Description", chart.alt_text),
    ]
    for name, text in rows:
        about.append([name, neutralise_formula(text)])
        about.cell(row=about.max_row, column=1).font = Font(bold=True)
        about.cell(row=about.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 100

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
