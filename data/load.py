"""Load monitoring lines and later reported figures from CSV or XLSX files.

Three steps, each usable alone (the app shows the preview and waits for a confirm; the command line
runs them in a row):

1. `parse` + `validate` (together `read`): every problem is collected, each naming the file, the row
   (as a spreadsheet counts rows: the header is row 1) and the column, with what was expected.
   Nothing is written.
2. `preview`: what the load would change, per fiscal year, month and directorate.
3. `apply`: one transaction. A monitoring file is the complete extract for each (year, month,
   directorate) it contains: reported lines already held for those slices are replaced, and real
   lines for a fiscal year replace the sample lines of that year. Replaced lines are kept in
   `monitoring_replaced`, so `undo` can put them back.

Every write takes an `Actor` and needs the admin role.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import sys
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
import pandas as pd

from data.access import Actor, require

KINDS = ("monitoring", "figures")
MAX_FILE_BYTES = 20 * 1024 * 1024  # the same as server.maxUploadSize in .streamlit/config.toml
MAX_XLSX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_XLSX_PARTS = 200
MAX_ROWS = 500_000
MAX_BLANK_ROWS = 10_000  # an XLSX read stops after this many blank rows in a row
MAX_TEXT_CHARS = 120
MAX_QUOTE_CHARS = 2_000
MAX_PROBLEMS_LISTED = 100
MAX_AMOUNT = Decimal(10) ** 12  # DECIMAL(14, 2)
PAUSE_ENV = "FINANCE_LOAD_TEST_PAUSE_SECONDS"  # tests only: sleep inside the transaction before COMMIT

MONITORING_COLUMNS = (
    "fiscal_year",
    "period_month",
    "directorate",
    "service",
    "cost_centre",
    "budget_gbp",
    "actual_gbp",
    "forecast_gbp",
)
AMOUNT_COLUMNS = ("budget_gbp", "actual_gbp", "forecast_gbp")
FIGURE_REQUIRED = (
    "measure",
    "label",
    "period",
    "value",
    "unit",
    "basis",
    "source_document",
    "source_section",
    "source_quote",
)
FIGURE_OPTIONAL = ("fiscal_year", "scenario", "directorate", "qualifier", "derivation", "as_at_date")
PERIODS = ("budget", "q1", "q2", "q3", "outturn", "forecast", "plan", "projection", "as_at")
SCENARIOS = ("mitigated", "unmitigated")
UNITS = ("gbp_m", "pct", "count", "year", "rank")
QUALIFIERS = ("circa", "nearly", "just under", "less than", "within top")
LOADABLE_BASES = ("reported", "derived")
FORMULA_STARTS = ("=", "+", "-", "@")
MONTH_NAMES = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")

_HTML = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>|&[A-Za-z]+;|&#\d+;")
_MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\s*\(")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_FISCAL_YEAR = re.compile(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})")
_MONTH = re.compile(r"(?i)p?\s*(\d{1,2})")
_AMOUNT = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?|\.\d+")
_MEASURE = re.compile(r"[a-z][a-z0-9_]*")
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by surrogateescape


def month_label(month: int) -> str:
    """'P1 (Apr)': period 1 is April."""
    return f"P{month} ({MONTH_NAMES[month - 1]})"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names the column."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file. row/column are None only for problems with the file as a whole."""

    file: str
    row: int | None
    column: str | None
    message: str
    sheet: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        if self.row is None and self.column is None:
            where.append("whole file")
        return ", ".join(where) + f": {self.message}"


class LoadRejected(ValueError):
    """The file cannot be loaded; nothing was written. `problems` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = [str(p) for p in problems[:MAX_PROBLEMS_LISTED]]
        if len(problems) > MAX_PROBLEMS_LISTED:
            shown.append(f"... and {len(problems) - MAX_PROBLEMS_LISTED} more problems")
        super().__init__(f"{len(problems)} problem(s); nothing was loaded.\n" + "\n".join(shown))


@dataclass
class RawTable:
    """A file's cells before validation: header and rows with their spreadsheet row numbers."""

    file_name: str
    sha256: str
    header: list[str]
    rows: list[tuple[int, list[object]]]
    sheet: str | None = None


@dataclass
class ParsedFile:
    """A validated file, ready to preview and apply. `frame` holds typed rows in the table's columns."""

    kind: str
    file_name: str
    sha256: str
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)


@dataclass
class Preview:
    kind: str
    file_name: str
    changes: pd.DataFrame  # monitoring: per year/month/directorate; figures: one row per figure
    notes: list[str]
    duplicate_of: int | None  # the active load of the same file, if any
    sample_lines_replaced: int = 0


@dataclass(frozen=True)
class LoadResult:
    load_id: int
    kind: str
    rows: int
    lines_replaced: int
    sample_lines_replaced: int


@dataclass(frozen=True)
class UndoResult:
    load_id: int
    rows_removed: int
    lines_restored: int


# What the Data & sources page shows about the format (Markdown; kept beside the rules it describes).
FORMAT_HELP = """
**Monitoring lines**: one row per cost centre and month, CSV (UTF-8) or XLSX with one sheet, header in row 1:

| column | what it holds |
| --- | --- |
| `fiscal_year` | the financial year, `2021/22` |
| `period_month` | the month: 1–12 or `P1`–`P12`; **1 = April** |
| `directorate` | a directorate's name or a recognised alias (e.g. "Adults and Housing") |
| `service`, `cost_centre` | plain text; one line per cost centre and month |
| `budget_gbp`, `actual_gbp`, `forecast_gbp` | pounds: `1234.50`, `£1,234.50`, `(1,234.50)` = negative |

Each directorate and month in a file is taken as complete: it replaces the reported lines already held
for that directorate and month. Real lines for a year replace the sample lines of that year.

**Reported figures**: the columns of the `reported_figures` table (`measure`, `label`, `fiscal_year`,
`period`, `scenario`, `directorate`, `value`, `unit`, `qualifier`, `basis`, `derivation`, `as_at_date`,
`source_document`, `source_section`, `source_quote`); every row needs its source and the sentence it quotes."""


# --- reading files -------------------------------------------------------------------------------


def _header_key(value: object) -> str:
    return re.sub(r"[\s\-]+", "_", str(value if value is not None else "").strip().lower())


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _undecodable_cells(file_name: str, row_number: int, record: list[str], problems: list[Problem]) -> list:
    """Report each cell holding bytes that are not UTF-8, and return the cells with those bytes replaced."""
    cells: list[object] = []
    for index, cell in enumerate(record):
        bad = _UNDECODABLE.search(cell)
        if bad:
            problems.append(
                Problem(
                    file_name,
                    row_number,
                    column_letter(index),
                    f"byte 0x{ord(bad.group()) - 0xDC00:02X} is not UTF-8 text; save the file as 'CSV UTF-8'",
                )
            )
            cell = cell.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
        cells.append(cell)
    return cells


def _parse_csv(file_name: str, content: bytes) -> tuple[list[tuple[int, list[object]]], list[Problem]]:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return [], [Problem(file_name, 1, "A", "the file is UTF-16 text; save it as 'CSV UTF-8' and load it again")]
    if b"\x00" in content[:8192]:
        return [], [Problem(file_name, None, None, "this is not a text file; expected CSV (UTF-8) or XLSX")]
    text = content.decode("utf-8", errors="surrogateescape")
    text = text.removeprefix("\ufeff")
    undecodable = _UNDECODABLE.search(text) is not None
    problems: list[Problem] = []
    rows: list[tuple[int, list[object]]] = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        for row_number, record in enumerate(reader, start=1):
            if undecodable:
                record = _undecodable_cells(file_name, row_number, record, problems)
            rows.append((row_number, record))
            if len(rows) > MAX_ROWS + 1:
                return [], [Problem(file_name, row_number, None, f"more than {MAX_ROWS:,} rows; split the file")]
    except csv.Error as error:
        problems.append(Problem(file_name, reader.line_num, None, f"not readable as CSV: {error}"))
    return rows, problems


def _parse_xlsx(file_name: str, content: bytes) -> tuple[list[tuple[int, list[object]]], list[Problem], str | None]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return (
            [],
            [Problem(file_name, None, None, "not a valid XLSX workbook (the file is damaged or not Excel)")],
            None,
        )
    uncompressed = sum(part.file_size for part in parts)
    if len(parts) > MAX_XLSX_PARTS or uncompressed > MAX_XLSX_UNCOMPRESSED_BYTES:
        return (
            [],
            [
                Problem(
                    file_name,
                    None,
                    None,
                    f"the workbook unpacks to {uncompressed / 1e6:,.0f} MB in {len(parts)} parts; "
                    f"the limit is {MAX_XLSX_UNCOMPRESSED_BYTES / 1e6:,.0f} MB and {MAX_XLSX_PARTS} parts",
                )
            ],
            None,
        )
    worksheets = [p.filename for p in parts if re.fullmatch(r"xl/worksheets/[^/]+\.xml", p.filename)]
    if len(worksheets) > 1:
        # Name the sheets without parsing them: the workbook part lists them.
        names: list[str] = []
        try:
            workbook_xml = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
            names = re.findall(r'<(?:\w+:)?sheet\b[^>]*\bname="([^"]*)"', workbook_xml)
        except KeyError:
            pass
        listed = ", ".join(repr(n) for n in names) if names else f"{len(worksheets)} sheets"
        return (
            [],
            [
                Problem(
                    file_name,
                    None,
                    None,
                    f"the workbook has {len(worksheets)} sheets ({listed}); expected exactly one sheet. "
                    "Delete the other sheets or save the one you mean as CSV",
                )
            ],
            None,
        )
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a damaged workbook
        return [], [Problem(file_name, None, None, f"not a readable XLSX workbook ({type(error).__name__})")], None
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, list[object]]] = []
        blank_run = 0
        for row_number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if all(_is_blank(v) for v in values):
                blank_run += 1
                if blank_run > MAX_BLANK_ROWS:
                    break  # formatting that reaches far below the data, not data
                continue
            blank_run = 0
            rows.append((row_number, list(values)))
            if len(rows) > MAX_ROWS + 1:
                return [], [Problem(file_name, row_number, None, f"more than {MAX_ROWS:,} rows; split the file")], None
        return rows, [], sheet.title
    finally:
        workbook.close()


def _too_large(file_name: str, size: int) -> Problem:
    return Problem(
        file_name,
        None,
        None,
        f"the file is {size / 1024 / 1024:,.1f} MB; the limit is {MAX_FILE_BYTES // 1024 // 1024} MB. "
        "Split it by month or directorate",
    )


def parse(file_name: str, content: bytes) -> tuple[RawTable, list[Problem]]:
    """Read a CSV or XLSX file's cells. Returns the table and any problems reading it."""
    digest = hashlib.sha256(content).hexdigest()
    empty = RawTable(file_name, digest, [], [])
    if len(content) > MAX_FILE_BYTES:
        return empty, [_too_large(file_name, len(content))]
    if not content.strip():
        return empty, [Problem(file_name, 1, "A", "the file is empty; expected a header row and data rows")]
    is_zip = content[:4] == b"PK\x03\x04"
    suffix = Path(file_name).suffix.lower()
    if suffix in (".xlsx", ".xlsm") or is_zip:
        if not is_zip:
            return empty, [Problem(file_name, None, None, "named .xlsx but is not an Excel workbook")]
        rows, problems, sheet = _parse_xlsx(file_name, content)
    elif suffix in (".csv", ".txt", ""):
        rows, problems = _parse_csv(file_name, content)
        sheet = None
    else:
        return empty, [Problem(file_name, None, None, f"unsupported file type {suffix!r}; expected .csv or .xlsx")]
    if problems:
        return RawTable(file_name, digest, [], [], sheet), problems
    data = [(n, cells) for n, cells in rows if not all(_is_blank(c) for c in cells)]
    if not data:
        return RawTable(file_name, digest, [], [], sheet), [
            Problem(file_name, 1, "A", "the file has no rows; expected a header row and data rows", sheet)
        ]
    header_number, header_cells = data[0]
    while header_cells and _is_blank(header_cells[-1]):
        header_cells = header_cells[:-1]
    problems = []
    if header_number != 1:
        problems.append(Problem(file_name, 1, "A", "the header must be row 1; the file starts with blank rows", sheet))
    return RawTable(file_name, digest, [_header_key(h) for h in header_cells], data[1:], sheet), problems


# --- validating cells -----------------------------------------------------------------------------


class _CellError(ValueError):
    pass


def _text(value: object, *, required: bool = True, limit: int = MAX_TEXT_CHARS) -> str | None:
    if _is_blank(value):
        if required:
            raise _CellError("is empty; expected text")
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        raise _CellError("holds a date; expected text")
    text = str(value).strip()
    if text.startswith(FORMULA_STARTS):
        raise _CellError(f"starts with {text[0]!r}, which a spreadsheet would run as a formula; expected plain text")
    if _HTML.search(text):
        raise _CellError("contains HTML markup; expected plain text")
    if _MARKDOWN_LINK.search(text):
        raise _CellError("contains a Markdown link; expected plain text")
    if _CONTROL.search(text):
        raise _CellError("contains control characters; expected plain text")
    if len(text) > limit:
        raise _CellError(f"is {len(text)} characters long; the limit is {limit}")
    return text


def _formula_check(value: object) -> None:
    if isinstance(value, str) and value.strip().startswith("="):
        raise _CellError(f"holds a formula ({value.strip()[:30]}); paste values only")


def fiscal_year(value: object) -> str:
    """'2021/22' from '2021/22', '2021-22' or '2021/2022'."""
    _formula_check(value)
    text = "" if value is None else str(value).strip()
    match = _FISCAL_YEAR.fullmatch(text)
    if match:
        start, end = int(match.group(1)), int(match.group(2))
        if end % 100 == (start + 1) % 100 and (end < 100 or end == start + 1) and 1990 <= start <= 2100:
            return f"{start}/{(start + 1) % 100:02d}"
    raise _CellError(f"is {text!r}; expected a financial year such as 2021/22")


def period_month(value: object) -> int:
    """1–12 (1 = April) from 7, '7', 'P7' or 'p07'."""
    _formula_check(value)
    if isinstance(value, bool):
        raise _CellError("expected a month 1–12 (1 = April) or P1–P12")
    if isinstance(value, int | float) and float(value).is_integer():
        month = int(value)
    else:
        match = _MONTH.fullmatch("" if value is None else str(value).strip())
        month = int(match.group(1)) if match else 0
    if not 1 <= month <= 12:
        raise _CellError(f"is {'' if value is None else value!s:.30}; expected a month 1–12 (1 = April) or P1–P12")
    return month


def amount_gbp(value: object) -> Decimal:
    """Pounds: 1234.5, '£1,234.50', '-£12', '(1,234.50)' (negative)."""
    _formula_check(value)
    if _is_blank(value):
        raise _CellError("is empty; expected an amount in pounds (write 0 for none)")
    if isinstance(value, bool | datetime | date):
        raise _CellError("expected an amount in pounds such as 1234.50, £1,234.50 or (1,234.50)")
    if isinstance(value, int | float):
        if (isinstance(value, float) and value != value) or value in (float("inf"), float("-inf")):
            raise _CellError("expected an amount in pounds")
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if number != number.quantize(Decimal("0.01")) and abs(number - number.quantize(Decimal("0.01"))) < Decimal(
            "0.000001"
        ):
            number = number.quantize(Decimal("0.01"))  # Excel's binary floating point, not extra pence
    else:
        text = str(value).strip()
        negative = False
        if text.startswith("(") and text.endswith(")"):
            negative, text = True, text[1:-1].strip()
        if text.startswith("-"):
            if negative:
                raise _CellError(f"is {value!s:.30}; use either brackets or a minus sign")
            negative, text = True, text[1:].strip()
        text = text.removeprefix("£").strip()
        if text.startswith("-") and not negative:
            negative, text = True, text[1:].strip()
        if not _AMOUNT.fullmatch(text):
            raise _CellError(f"is {value!s:.30}; expected an amount in pounds such as 1234.50, £1,234.50 or (1,234.50)")
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation as error:
            raise _CellError(f"is {value!s:.30}; expected an amount in pounds") from error
        number = -number if negative else number
    if number != number.quantize(Decimal("0.01")):
        raise _CellError(f"is {value!s:.30}; amounts have at most two decimal places (pence)")
    if abs(number) >= MAX_AMOUNT:
        raise _CellError(f"is {value!s:.30}; amounts must be under £1,000,000,000,000")
    return number.quantize(Decimal("0.01"))


def _number(value: object) -> float:
    _formula_check(value)
    if isinstance(value, bool) or _is_blank(value):
        raise _CellError("expected a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).strip().replace(",", ""))
        except ValueError as error:
            raise _CellError(f"is {value!s:.30}; expected a number such as 37.9 (no units)") from error
    if number != number or number in (float("inf"), float("-inf")):
        raise _CellError("expected a finite number")
    return number


def _choice(value: object, options: tuple[str, ...], *, required: bool) -> str | None:
    text = _text(value, required=required)
    if text is None:
        return None
    if text.lower() not in options:
        raise _CellError(f"is {text!r}; expected one of {', '.join(options)}")
    return text.lower()


def _date(value: object) -> date | None:
    _formula_check(value)
    if _is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as error:
        raise _CellError(f"is {value!s:.30}; expected a date as YYYY-MM-DD") from error


def _alias_key(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("’", "'").strip().lower())


def directorate_names(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Lower-case name or alias -> the directorate's name, from the `directorates` table."""
    names: dict[str, str] = {}
    for directorate, aliases in conn.execute("SELECT directorate, aliases FROM directorates").fetchall():
        names[_alias_key(directorate)] = directorate
        for alias in aliases:
            names[_alias_key(alias)] = directorate
    return names


def _directorate(value: object, names: dict[str, str], *, required: bool) -> str | None:
    text = _text(value, required=required)
    if text is None:
        return None
    if _alias_key(text) not in names:
        known = sorted(set(names.values()))
        raise _CellError(f"is {text!r}, not a directorate; expected one of {', '.join(known)}")
    return names[_alias_key(text)]


def _columns(raw: RawTable, expected: tuple[str, ...], optional: tuple[str, ...] = ()) -> tuple[dict, list[Problem]]:
    problems = []
    positions: dict[str, int] = {}
    for index, name in enumerate(raw.header):
        letter = column_letter(index)
        if not name:
            problems.append(Problem(raw.file_name, 1, letter, "the header cell is empty", raw.sheet))
        elif name in positions:
            problems.append(
                Problem(raw.file_name, 1, letter, f"column {name!r} appears twice (also column "
                        f"{column_letter(positions[name])})", raw.sheet)
            )  # fmt: skip
        elif name not in expected and name not in optional:
            problems.append(
                Problem(
                    raw.file_name,
                    1,
                    letter,
                    f"unexpected column {name!r}; expected the columns {', '.join(expected)}",
                    raw.sheet,
                )
            )
        else:
            positions[name] = index
    for name in expected:
        if name not in positions:
            problems.append(
                Problem(raw.file_name, 1, name, f"the column {name!r} is missing from the header row", raw.sheet)
            )
    return positions, problems


def _cell(cells: list[object], index: int) -> object:
    return cells[index] if index < len(cells) else None


def _extra_cells(raw: RawTable, row_number: int, cells: list[object]) -> list[Problem]:
    return [
        Problem(raw.file_name, row_number, column_letter(i), "a value outside the header's columns", raw.sheet)
        for i in range(len(raw.header), len(cells))
        if not _is_blank(cells[i])
    ][:1]


def validate_monitoring(raw: RawTable, names: dict[str, str]) -> ParsedFile:
    positions, problems = _columns(raw, MONITORING_COLUMNS)
    if problems:
        raise LoadRejected(problems)
    if not raw.rows:
        raise LoadRejected([Problem(raw.file_name, 2, "A", "no data rows below the header", raw.sheet)])
    checks = {
        "fiscal_year": fiscal_year,
        "period_month": period_month,
        "directorate": lambda v: _directorate(v, names, required=True),
        "service": _text,
        "cost_centre": _text,
        **{name: amount_gbp for name in AMOUNT_COLUMNS},
    }
    records = []
    first_seen: dict[tuple, int] = {}
    for row_number, cells in raw.rows:
        record: dict[str, object] = {}
        problems.extend(_extra_cells(raw, row_number, cells))
        for name, check in checks.items():
            try:
                record[name] = check(_cell(cells, positions[name]))
            except _CellError as error:
                problems.append(
                    Problem(raw.file_name, row_number, f"{name} ({column_letter(positions[name])})",
                            f"{name} {error}", raw.sheet)
                )  # fmt: skip
        if len(record) == len(checks):
            key = (record["fiscal_year"], record["period_month"], record["cost_centre"])
            if key in first_seen:
                problems.append(
                    Problem(
                        raw.file_name,
                        row_number,
                        f"cost_centre ({column_letter(positions['cost_centre'])})",
                        f"cost centre {key[2]!r} for {key[0]} {month_label(key[1])} is already on row "
                        f"{first_seen[key]}; expected one line per cost centre and month",
                        raw.sheet,
                    )
                )
            else:
                first_seen[key] = row_number
                records.append(record)
        if len(problems) > MAX_PROBLEMS_LISTED * 5:
            break
    if problems:
        raise LoadRejected(problems)
    frame = pd.DataFrame.from_records(records, columns=list(MONITORING_COLUMNS))
    frame["period_month"] = frame["period_month"].astype("int32")
    for name in AMOUNT_COLUMNS:
        frame[name] = frame[name].map(str)  # exact decimal text; DuckDB casts to DECIMAL(14, 2)
    return ParsedFile("monitoring", raw.file_name, raw.sha256, frame)


def validate_figures(raw: RawTable, names: dict[str, str]) -> ParsedFile:
    positions, problems = _columns(raw, FIGURE_REQUIRED, FIGURE_OPTIONAL)
    if problems:
        raise LoadRejected(problems)
    if not raw.rows:
        raise LoadRejected([Problem(raw.file_name, 2, "A", "no data rows below the header", raw.sheet)])

    def optional_year(value: object) -> str | None:
        return None if _is_blank(value) else fiscal_year(value)

    def measure(value: object) -> str:
        text = _text(value)
        if not _MEASURE.fullmatch(text):
            raise _CellError(f"is {text!r}; expected a snake_case key such as dsg_cumulative_deficit")
        return text

    checks = {
        "measure": measure,
        "label": _text,
        "fiscal_year": optional_year,
        "period": lambda v: _choice(v, PERIODS, required=True),
        "scenario": lambda v: _choice(v, SCENARIOS, required=False),
        "directorate": lambda v: _directorate(v, names, required=False),
        "value": _number,
        "unit": lambda v: _choice(v, UNITS, required=True),
        "qualifier": lambda v: _choice(v, QUALIFIERS, required=False),
        "basis": lambda v: _choice(v, LOADABLE_BASES, required=True),
        "derivation": lambda v: _text(v, required=False, limit=MAX_QUOTE_CHARS),
        "as_at_date": _date,
        "source_document": lambda v: _text(v, limit=500),
        "source_section": _text,
        "source_quote": lambda v: _text(v, limit=MAX_QUOTE_CHARS),
    }
    records = []
    first_seen: dict[tuple, int] = {}
    for row_number, cells in raw.rows:
        problems.extend(_extra_cells(raw, row_number, cells))
        record: dict[str, object] = {}
        failed = False
        for name, check in checks.items():
            where = f"{name} ({column_letter(positions[name])})" if name in positions else name
            try:
                record[name] = check(_cell(cells, positions[name]) if name in positions else None)
            except _CellError as error:
                failed = True
                problems.append(Problem(raw.file_name, row_number, where, f"{name} {error}", raw.sheet))
        if failed:
            continue
        if record["basis"] == "derived" and not record["derivation"]:
            problems.append(
                Problem(raw.file_name, row_number, "derivation", "a derived figure needs its derivation", raw.sheet)
            )
        key = tuple(record[k] for k in ("measure", "fiscal_year", "period", "scenario", "directorate"))
        if key in first_seen:
            problems.append(
                Problem(
                    raw.file_name,
                    row_number,
                    f"measure ({column_letter(positions['measure'])})",
                    f"the same measure, year, period, scenario and directorate is already on row {first_seen[key]}",
                    raw.sheet,
                )
            )
        else:
            first_seen[key] = row_number
            records.append(record)
    if problems:
        raise LoadRejected(problems)
    frame = pd.DataFrame.from_records(records, columns=list(checks))
    return ParsedFile("figures", raw.file_name, raw.sha256, frame)


def detect_kind(raw: RawTable) -> str:
    return "figures" if "source_quote" in raw.header or "measure" in raw.header else "monitoring"


def read(file_name: str, content: bytes, names: dict[str, str], kind: str | None = None) -> ParsedFile:
    """Parse and validate a file; raise LoadRejected listing every problem. Writes nothing."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    file_name = Path(file_name).name
    raw, problems = parse(file_name, content)
    if problems:
        raise LoadRejected(problems)
    kind = kind or detect_kind(raw)
    if kind == "monitoring":
        return validate_monitoring(raw, names)
    return validate_figures(raw, names)


def read_path(
    path: Path, names: dict[str, str], kind: str | None = None, *, file_name: str | None = None
) -> ParsedFile:
    """`read` for a file on disk, refusing an oversize file before reading it."""
    name = file_name or path.name
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise LoadRejected([_too_large(name, size)])
    return read(name, path.read_bytes(), names, kind)


# --- preview and apply ----------------------------------------------------------------------------


def _active_duplicate(conn: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> int | None:
    row = conn.execute(
        "SELECT min(load_id) FROM loads WHERE sha256 = $sha AND kind = $kind AND undone_at IS NULL",
        {"sha": parsed.sha256, "kind": parsed.kind},
    ).fetchall()[0]
    return row[0] if row else None


def preview(conn: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> Preview:
    """What applying `parsed` would change. Reads only."""
    duplicate = _active_duplicate(conn, parsed)
    notes: list[str] = []
    if duplicate is not None:
        notes.append(f"This file was already loaded as load {duplicate}. Undo that load first to load it again.")
    if parsed.kind == "figures":
        conn.register("incoming_figures", parsed.frame)
        try:
            changes = conn.execute(
                """
                SELECT i.measure, i.fiscal_year, i.period, i.scenario, i.directorate, i.value, i.unit, i.basis,
                       i.source_document,
                       (SELECT string_agg(f.value::VARCHAR || ' (' || f.basis || ', ' ||
                               coalesce('load ' || f.load_id::VARCHAR, '2021 report') || ')', '; '
                               ORDER BY f.load_id NULLS FIRST)
                        FROM reported_figures f
                        WHERE f.measure = i.measure AND f.fiscal_year IS NOT DISTINCT FROM i.fiscal_year
                          AND f.period = i.period AND f.scenario IS NOT DISTINCT FROM i.scenario
                          AND f.directorate IS NOT DISTINCT FROM i.directorate) AS figures_already_held
                FROM incoming_figures i
                """
            ).df()
        finally:
            conn.unregister("incoming_figures")
        held = int(changes["figures_already_held"].notna().sum())
        notes.append(
            f"{len(changes)} figure(s) will be added. {held} of them have figures already held for the same "
            "measure, year and period; both are kept and shown side by side, the newest load first."
        )
        return Preview("figures", parsed.file_name, changes, notes, duplicate)

    conn.register("incoming_lines", parsed.frame)
    try:
        changes = conn.execute(
            """
            WITH incoming AS (
                SELECT fiscal_year, period_month, directorate, count(*) AS lines_in_file,
                       count(*) FILTER (WHERE EXISTS (
                           SELECT 1 FROM monitoring m
                           WHERE m.basis = 'reported' AND m.fiscal_year = i.fiscal_year
                             AND m.period_month = i.period_month AND m.cost_centre = i.cost_centre)) AS replaced
                FROM incoming_lines i GROUP BY ALL
            ), held AS (
                SELECT fiscal_year, period_month, directorate, count(*) AS reported_lines_held
                FROM monitoring WHERE basis = 'reported' GROUP BY ALL
            )
            SELECT i.fiscal_year, i.period_month, i.directorate, i.lines_in_file,
                   i.lines_in_file - i.replaced AS lines_added, i.replaced AS lines_replaced,
                   greatest(coalesce(h.reported_lines_held, 0) - i.replaced, 0) AS lines_removed
            FROM incoming i LEFT JOIN held h USING (fiscal_year, period_month, directorate)
            ORDER BY i.fiscal_year, i.period_month, i.directorate
            """
        ).df()
        sample = conn.execute(
            """
            SELECT fiscal_year, count(*) FROM monitoring
            WHERE basis = 'sample' AND fiscal_year IN (SELECT DISTINCT fiscal_year FROM incoming_lines)
            GROUP BY fiscal_year ORDER BY fiscal_year
            """
        ).fetchall()
    finally:
        conn.unregister("incoming_lines")
    changes.insert(2, "month", changes["period_month"].map(month_label))
    notes.append(
        f"{len(parsed.frame):,} line(s) for {changes['directorate'].nunique()} directorate(s) and "
        f"{len(changes[['fiscal_year', 'period_month']].drop_duplicates())} month(s). Each directorate and month "
        "in the file replaces the reported lines already held for it."
    )
    sample_total = sum(count for _, count in sample)
    for year, count in sample:
        notes.append(
            f"Real lines for {year} replace the {count:,} sample lines for {year}: the Directorates page "
            f"will no longer show sample data for {year}."
        )
    return Preview("monitoring", parsed.file_name, changes, notes, duplicate, sample_total)


def _pause_for_tests() -> None:
    seconds = float(os.environ.get(PAUSE_ENV, "0") or 0)
    if seconds > 0:
        print("load: paused inside the transaction", file=sys.stderr, flush=True)
        time.sleep(seconds)


_MONITORING_REPLACED_DDL = """
CREATE TABLE IF NOT EXISTS monitoring_replaced (
    fiscal_year VARCHAR NOT NULL, period_month INTEGER NOT NULL, directorate VARCHAR NOT NULL,
    service VARCHAR NOT NULL, cost_centre VARCHAR NOT NULL, budget_gbp DECIMAL(14, 2) NOT NULL,
    actual_gbp DECIMAL(14, 2) NOT NULL, forecast_gbp DECIMAL(14, 2) NOT NULL, basis VARCHAR NOT NULL,
    load_id INTEGER NOT NULL, replaced_by INTEGER NOT NULL
)
"""


def apply(
    conn: duckdb.DuckDBPyConnection, parsed: ParsedFile, actor: Actor, *, file_name: str | None = None
) -> LoadResult:
    """Write a validated file in one transaction and record it in `loads`. All or nothing."""
    require(actor, "admin", "load data")
    conn.execute("BEGIN TRANSACTION")
    try:
        duplicate = _active_duplicate(conn, parsed)
        if duplicate is not None:
            raise LoadRejected(
                [
                    Problem(
                        parsed.file_name,
                        None,
                        None,
                        f"this file was already loaded as load {duplicate}; undo load {duplicate} to load it again",
                    )
                ]
            )
        load_id = conn.execute(
            "INSERT INTO loads (load_id, kind, file_name, sha256, row_count, loaded_at, loaded_by) "
            "VALUES (nextval('load_id_seq'), $kind, $name, $sha, $rows, $at, $by) RETURNING load_id",
            {
                "kind": parsed.kind,
                "name": file_name or parsed.file_name,
                "sha": parsed.sha256,
                "rows": len(parsed.frame),
                "at": datetime.now(),
                "by": actor.identity,
            },
        ).fetchall()[0][0]
        replaced = sample_replaced = 0
        if parsed.kind == "monitoring":
            conn.execute(_MONITORING_REPLACED_DDL)
            conn.register("incoming_lines", parsed.frame)
            try:
                # The lines this load replaces: sample lines of the file's years, and reported lines of the
                # file's (year, month, directorate) slices.
                conn.execute(
                    """
                    CREATE OR REPLACE TEMP TABLE replaced_lines AS
                    SELECT m.rowid AS line_rowid FROM monitoring m
                    WHERE (m.basis = 'sample' AND m.fiscal_year IN (SELECT DISTINCT fiscal_year FROM incoming_lines))
                       OR (m.basis = 'reported' AND EXISTS (
                           SELECT 1 FROM incoming_lines i
                           WHERE i.fiscal_year = m.fiscal_year AND i.period_month = m.period_month
                             AND i.directorate = m.directorate))
                    """
                )
                sample_replaced, replaced = conn.execute(
                    """
                    SELECT count(*) FILTER (WHERE basis = 'sample'), count(*) FILTER (WHERE basis = 'reported')
                    FROM monitoring WHERE rowid IN (SELECT line_rowid FROM replaced_lines)
                    """
                ).fetchall()[0]
                conn.execute(
                    """
                    INSERT INTO monitoring_replaced
                    SELECT fiscal_year, period_month, directorate, service, cost_centre, budget_gbp, actual_gbp,
                           forecast_gbp, basis, load_id, $load_id
                    FROM monitoring WHERE rowid IN (SELECT line_rowid FROM replaced_lines)
                    """,
                    {"load_id": load_id},
                )
                conn.execute("DELETE FROM monitoring WHERE rowid IN (SELECT line_rowid FROM replaced_lines)")
                conn.execute("DROP TABLE replaced_lines")
                conn.execute(
                    """
                    INSERT INTO monitoring
                    SELECT fiscal_year, period_month, directorate, service, cost_centre,
                           CAST(budget_gbp AS DECIMAL(14, 2)), CAST(actual_gbp AS DECIMAL(14, 2)),
                           CAST(forecast_gbp AS DECIMAL(14, 2)), 'reported', $load_id
                    FROM incoming_lines
                    """,
                    {"load_id": load_id},
                )
            finally:
                conn.unregister("incoming_lines")
        else:
            conn.register("incoming_figures", parsed.frame)
            try:
                conn.execute(
                    """
                    INSERT INTO reported_figures
                    SELECT printf('L%04d-%04d', $load_id, row_number() OVER ()), measure, label, fiscal_year,
                           period, scenario, directorate, value, unit, qualifier, basis, derivation,
                           CAST(as_at_date AS DATE), source_document, source_section, source_quote, $load_id
                    FROM incoming_figures
                    """,
                    {"load_id": load_id},
                )
            finally:
                conn.unregister("incoming_figures")
        _pause_for_tests()
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return LoadResult(load_id, parsed.kind, len(parsed.frame), int(replaced), int(sample_replaced))


def undo(conn: duckdb.DuckDBPyConnection, load_id: int, actor: Actor) -> UndoResult:
    """Remove what a load added and put back the lines it replaced. One transaction."""
    require(actor, "admin", "undo a load")
    conn.execute("BEGIN TRANSACTION")
    try:
        rows = conn.execute(
            "SELECT kind, undone_at, undone_by FROM loads WHERE load_id = $id", {"id": load_id}
        ).fetchall()
        if not rows:
            raise ValueError(f"There is no load {load_id}.")
        kind, undone_at, undone_by = rows[0]
        if kind not in KINDS:
            raise ValueError(f"Load {load_id} is a {kind}, not a loaded file; it cannot be undone.")
        if undone_at is not None:
            raise ValueError(f"Load {load_id} was already undone on {undone_at:%-d %b %Y %H:%M} by {undone_by}.")
        conn.execute(_MONITORING_REPLACED_DDL)
        later = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT replaced_by FROM monitoring_replaced WHERE load_id = $id ORDER BY 1", {"id": load_id}
            ).fetchall()
        ]
        if later:
            raise ValueError(
                f"Load {load_id}'s lines were since replaced by load {', '.join(map(str, later))}; "
                "undo the later load first."
            )
        removed = conn.execute("SELECT count(*) FROM monitoring WHERE load_id = $id", {"id": load_id}).fetchall()[0][0]
        removed += conn.execute(
            "SELECT count(*) FROM reported_figures WHERE load_id = $id", {"id": load_id}
        ).fetchall()[0][0]
        conn.execute("DELETE FROM monitoring WHERE load_id = $id", {"id": load_id})
        conn.execute("DELETE FROM reported_figures WHERE load_id = $id", {"id": load_id})
        # Sample lines come back only if they belong to the current sample fill.
        restored = conn.execute(
            """
            INSERT INTO monitoring
            SELECT fiscal_year, period_month, directorate, service, cost_centre, budget_gbp, actual_gbp,
                   forecast_gbp, basis, load_id
            FROM monitoring_replaced
            WHERE replaced_by = $id
              AND (basis = 'reported' OR load_id = (SELECT max(load_id) FROM loads WHERE kind = 'sample'))
            """,
            {"id": load_id},
        ).fetchall()[0][0]
        conn.execute("DELETE FROM monitoring_replaced WHERE replaced_by = $id", {"id": load_id})
        conn.execute(
            "UPDATE loads SET undone_at = $at, undone_by = $by WHERE load_id = $id",
            {"at": datetime.now(), "by": actor.identity, "id": load_id},
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return UndoResult(load_id, int(removed), int(restored))
