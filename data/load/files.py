"""Reading a CSV or XLSX file's cells, with every limit checked before the cells are kept. Writes nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from pathlib import Path

from data.load._model import (
    MAX_BLANK_ROWS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_XLSX_PARTS,
    MAX_XLSX_UNCOMPRESSED_BYTES,
    Problem,
    RawTable,
    column_letter,
)

_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by surrogateescape


def _header_key(value: object) -> str:
    return re.sub(r"[\s\-]+", "_", str(value if value is not None else "").strip().lower())


def is_blank(value: object) -> bool:
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
            if all(is_blank(v) for v in values):
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


def too_large(file_name: str, size: int) -> Problem:
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
        return empty, [too_large(file_name, len(content))]
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
    data = [(n, cells) for n, cells in rows if not all(is_blank(c) for c in cells)]
    if not data:
        return RawTable(file_name, digest, [], [], sheet), [
            Problem(file_name, 1, "A", "the file has no rows; expected a header row and data rows", sheet)
        ]
    header_number, header_cells = data[0]
    while header_cells and is_blank(header_cells[-1]):
        header_cells = header_cells[:-1]
    problems = []
    if header_number != 1:
        problems.append(Problem(file_name, 1, "A", "the header must be row 1; the file starts with blank rows", sheet))
    return RawTable(file_name, digest, [_header_key(h) for h in header_cells], data[1:], sheet), problems
