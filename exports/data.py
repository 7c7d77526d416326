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
from openpyxl.utils import get_column_letter

from charts.spec import Chart
from data import vocab
from metrics.safe_text import neutralise_formula, neutralise_frame

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LABELS_COLUMN = "includes"  # added when the chart carries labels such as "sample data"
MAX_SLUG_LENGTH = 100
# Where a title may be cut for a file name: after a clause (comma, colon, semicolon, dash, bracket).
_CLAUSE_ENDS = re.compile(r"\s*(?:[,;:(\u2013\u2014]|\s-\s)")
# Words a cut name must not end on ("...without mitigation, not by"): a phrase left open.
_OPEN_ENDINGS = frozenset(
    (
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "its",
        "not",
        "of",
        "on",
        "or",
        "than",
        "the",
        "their",
        "to",
        "was",
        "were",
        "with",
    )
)


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: 'DSG deficit heads for £110m' -> 'dsg-deficit-heads-for-110m'.

    A title too long for a file name is cut at the end of its longest clause that fits ('The DSG deficit would
    pass usable reserves in 2023/24 without mitigation, not by 2025/26 ...' -> '...-without-mitigation'), else
    between words, never on a word that leaves a phrase open ('by', 'the', 'not').
    """
    whole = _slugify(text)
    if len(whole) <= MAX_SLUG_LENGTH:
        return whole or "chart"
    clauses = [_slugify(text[: match.start()]) for match in _CLAUSE_ENDS.finditer(text)]
    fitting = [clause for clause in clauses if MAX_SLUG_LENGTH // 3 <= len(clause) <= MAX_SLUG_LENGTH]
    if fitting:
        return fitting[-1]
    words = whole[: MAX_SLUG_LENGTH + 1].split("-")[:-1]  # whole words only
    while len(words) > 1 and words[-1] in _OPEN_ENDINGS:
        words.pop()
    return "-".join(words) or whole[:MAX_SLUG_LENGTH]


def export_file_name(title: str, as_at: date | None, extension: str) -> str:
    """The download name: slug of the title, then the as-at date when known."""
    stem = slug(title)
    if isinstance(as_at, datetime):  # a pandas Timestamp or datetime: the date part only
        as_at = as_at.date()
    if as_at is not None:
        stem = f"{stem}-{as_at.isoformat()}"
    return f"{stem}.{extension.lstrip('.')}"


def chart_file_name(chart: Chart, extension: str, *, as_at: date | None = None) -> str:
    """The chart's file name, ending with the dashboard's as-at date (`as_at`), else the chart's own."""
    return export_file_name(chart.title, as_at or chart.as_at, extension)


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


def as_reported(values: pd.Series) -> pd.Series:
    """Floats without binary noise: a sum's 148.20000000000002 is 148.2 (vocab.NUMBER_DECIMALS_AT_MOST)."""
    return values.round(vocab.NUMBER_DECIMALS_AT_MOST)


SOURCE_COLUMN = "source"  # added to a CSV whose rows do not name their document (a CSV has no About sheet)
KNOWN_ON_COLUMN = "dashboard_as_at"  # as the XLSX's "Figures as known on"


def csv_frame(chart: Chart) -> pd.DataFrame:
    """The CSV's rows: the export frame with floats as reported (no binary noise), and, where the chart's rows
    do not name their document (modelled paths, monitoring, the action plan), the chart's source line and the
    dashboard's as-at date (its newest source by then, which may be later than this chart's) in every row."""
    frame = export_frame(chart)
    for column in frame.columns:
        if pd.api.types.is_float_dtype(frame[column]):
            frame[column] = as_reported(frame[column])
    if not any(str(column).lower() == "source_document" for column in frame.columns):
        if SOURCE_COLUMN not in frame.columns:
            frame[SOURCE_COLUMN] = neutralise_formula(chart.source.removeprefix("Source: "))
        if KNOWN_ON_COLUMN not in frame.columns:
            frame[KNOWN_ON_COLUMN] = chart.as_at.isoformat() if chart.as_at else "not stated"
    return frame


def csv_bytes(chart: Chart) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel shows £) and CRLF rows (RFC 4180), so a CR in a cell is quoted."""
    return csv_frame(chart).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


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


# Code columns a spreadsheet reader should see in words ("Without mitigation", not `unmitigated`).
CODE_WORDS: dict[str, dict[str, str]] = {
    "scenario": vocab.SCENARIO_WORDS,
    "period": vocab.PERIOD_CELLS,
    "status": vocab.STATUS_LABELS | vocab.SAVINGS_STATUS_LABELS,
}
HEADER_WORDS = {"fiscal_year": "Financial year", "rag": "RAG", "data_basis": "Basis", "name": "Name"}
UNIT_SUFFIXES = (("_gbp_m", " (£m)"), ("_gbp", " (£)"), ("_pct", " (%)"))
GBP_M_FORMAT = '"£"#,##0.0##"m"'  # £m as reported: £304.0m, £58.675m
GBP_FORMAT = '"£"#,##0.00'
PCT_FORMAT = '0.0#"%"'


def header_label(column: str) -> str:
    """A column's heading in words: 'annual_budget_gbp' -> 'Annual budget (£)'; headings in words stay as they are."""
    if column in HEADER_WORDS:
        return HEADER_WORDS[column]
    if not re.fullmatch(r"[a-z0-9_]+", column):
        return column
    unit = ""
    for suffix, words in UNIT_SUFFIXES:
        if column.endswith(suffix):
            column, unit = column.removesuffix(suffix), words
            break
    return column.replace("_", " ").capitalize() + unit


def _number_format(heading: str) -> str | None:
    if "£m" in heading:
        return GBP_M_FORMAT
    if "(£)" in heading:
        return GBP_FORMAT
    if "(%)" in heading or heading.endswith("%"):
        return PCT_FORMAT
    return None


def spreadsheet_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The data as a spreadsheet shows it: headings and codes in words, floats as reported (no binary noise)."""
    frame = frame.copy()
    for column in frame.columns:
        words = CODE_WORDS.get(str(column).lower())
        if words is not None:
            frame[column] = frame[column].map(
                lambda value, w=words: w.get(value, value) if isinstance(value, str) else value
            )
        elif pd.api.types.is_float_dtype(frame[column]):
            frame[column] = as_reported(frame[column])
    frame.columns = [header_label(str(column)) for column in frame.columns]
    return frame


def tables(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """The frame split into the tables stacked in it: rows whose numbers sit in columns that no other row fills
    (reserve balances under deficit paths) are a table of their own, with only the columns its rows fill."""
    numeric = [name for name in frame.columns if pd.api.types.is_numeric_dtype(frame[name])]
    filled = frame[numeric].notna()
    blocks: list[set[str]] = []  # numeric columns filled in the same rows, joined while any row fills two
    for _, row in filled.iterrows():
        columns = {name for name in numeric if row[name]}
        touching = [block for block in blocks if block & columns]
        blocks = [block for block in blocks if block not in touching] + [columns.union(*touching)]
    blocks = [block for block in blocks if block]
    if len(blocks) <= 1:
        return [frame]
    owner = [next((i for i, block in enumerate(blocks) if any(row[name] for name in block)), None) for _, row in
             filled.iterrows()]  # fmt: skip
    first = owner[0] if owner[0] is not None else 0  # a row with no number stays with the first table
    owner = [first if block is None else block for block in owner]
    order = sorted(range(len(blocks)), key=owner.index)
    parts = []
    for block in order:
        part = frame[[mine == block for mine in owner]]
        parts.append(part.loc[:, part.notna().any()].reset_index(drop=True))
    return parts


def _write_table(sheet, frame: pd.DataFrame) -> None:
    sheet.append(list(frame.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_cell(value) for value in row])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(index)
        number_format = _number_format(str(column)) if pd.api.types.is_numeric_dtype(frame[column]) else None
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
        width = max([len(str(column)), *(len(str(value)) for value in frame.iloc[:200, index - 1])])
        sheet.column_dimensions[letter].width = min(max(width + 3, 8), 60)


def _newest_source_date(chart: Chart) -> str | None:
    """The date of the newest document this chart's own rows come from (its data's "source_date"), if given."""
    column = next((c for c in chart.data.columns if str(c).lower() == "source_date"), None)
    if column is None:
        return None
    dates = pd.to_datetime(chart.data[column], errors="coerce").dropna()
    return dates.max().date().isoformat() if not dates.empty else None


def xlsx_bytes(chart: Chart) -> bytes:
    """A workbook with one table per sheet ('Data', or 'Data 1', 'Data 2' ... where the chart's data stacks
    several), headings and codes in words, £ number formats, and the chart's title, source and labels on 'About'."""
    parts = tables(spreadsheet_frame(export_frame(chart)))
    workbook = Workbook()
    names = ["Data"] if len(parts) == 1 else [f"Data {index}" for index in range(1, len(parts) + 1)]
    for number, (name, part) in enumerate(zip(names, parts, strict=True)):
        sheet = workbook.active if number == 0 else workbook.create_sheet(name)
        sheet.title = name
        _write_table(sheet, part)

    about = workbook.create_sheet("About")
    rows = [
        ("Title", chart.title),
        ("Subtitle", chart.subtitle),
        ("Source", chart.source),
        *([("Notes", " ".join(chart.notes))] if chart.notes else []),
        ("Includes", ", ".join(chart.labels) if chart.labels else "reported figures only"),
        # the dashboard's date (its newest source by then), which may be later than every source of this chart
        ("Figures as known on", chart.as_at.isoformat() if chart.as_at else "not stated"),
        ("Newest source", _newest_source_date(chart) or "not dated in this chart's data (see Source)"),
        ("Description", chart.alt_text),
    ]
    if len(parts) > 1:
        rows.append(
            (
                "Sheets",
                "; ".join(
                    f"{name}: {', '.join(map(str, part.columns))}" for name, part in zip(names, parts, strict=True)
                ),
            )
        )
    for name, text in rows:
        about.append([name, neutralise_formula(text)])
        about.cell(row=about.max_row, column=1).font = Font(bold=True)
        about.cell(row=about.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 100

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
