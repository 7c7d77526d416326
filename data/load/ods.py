"""Reading one sheet of an OpenDocument spreadsheet (ODS, as MHCLG now publishes its returns). Writes nothing.

The sheet's XML is streamed (ElementTree.iterparse), each row dropped once read, so memory stays bounded as
for an XLSX: repeated rows and columns (`table:number-rows-repeated`, `number-columns-repeated`, used for
padding as far as column AMJ or row 1,048,576) are counted, never laid out. Rows are numbered as a
spreadsheet numbers them, so a problem names the row a person sees.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from xml.etree import ElementTree

from data.load._model import MAX_BLANK_ROWS, MAX_ROWS, MAX_XLSX_UNCOMPRESSED_BYTES, Problem, column_letter

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_SHEET_TAG = f"{{{_TABLE}}}table"
_ROW_TAG = f"{{{_TABLE}}}table-row"
_CELL_TAGS = (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell")
_P_TAG = f"{{{_TEXT}}}p"
_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_NUMBER_TYPES = ("float", "percentage", "currency")

Rows = list[tuple[int, list[object]]]


def is_ods(content: bytes) -> bool:
    """An ODS package: a zip whose first part is the mimetype, stored as the format requires."""
    return content[:4] == b"PK\x03\x04" and _MIMETYPE in content[:200]


def _value(cell: ElementTree.Element) -> object:
    kind = cell.get(f"{{{_OFFICE}}}value-type")
    if kind in _NUMBER_TYPES:
        return float(cell.get(f"{{{_OFFICE}}}value", "nan"))
    if kind == "boolean":
        return cell.get(f"{{{_OFFICE}}}boolean-value") == "true"
    if kind in ("date", "time"):
        return cell.get(f"{{{_OFFICE}}}date-value") or cell.get(f"{{{_OFFICE}}}time-value")
    paragraphs = ["".join(p.itertext()) for p in cell.iter(_P_TAG)]
    return "\n".join(paragraphs) if paragraphs else None


def _row_cells(row: ElementTree.Element, max_columns: int) -> list[object] | str:
    """The row's values up to its last non-blank one, or a message if a value lies beyond max_columns."""
    cells: list[object] = []
    for cell in row:
        if cell.tag not in _CELL_TAGS:
            continue
        repeat = int(cell.get(f"{{{_TABLE}}}number-columns-repeated", "1"))
        value = _value(cell)
        if value is None or value == "":
            cells.extend([None] * min(repeat, max_columns + 1 - len(cells)) if len(cells) <= max_columns else [])
            continue
        if len(cells) + repeat > max_columns:
            return f"a value beyond column {column_letter(max_columns - 1)}, the last a file may use"
        cells.extend([value] * repeat)
    while cells and cells[-1] is None:
        cells.pop()
    return cells


MAX_CELLS_IN_A_ROW = 16_384  # as many columns as a spreadsheet program allows


def parse_ods(
    file_name: str, content: bytes, wanted: Callable[[str], bool], refusal: Callable[[list[str]], str],
    *, max_columns: int,
) -> tuple[Rows, list[Problem], str | None]:  # fmt: skip
    """The rows of the one sheet whose name is `wanted`; `refusal` says why, given the sheet names, when no
    sheet or more than one is."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        info = archive.getinfo("content.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return [], [Problem(file_name, None, None, "not a readable ODS spreadsheet (content.xml is missing)")], None
    if info.file_size > MAX_XLSX_UNCOMPRESSED_BYTES:
        limit = MAX_XLSX_UNCOMPRESSED_BYTES / 1e6
        message = f"the spreadsheet unpacks to {info.file_size / 1e6:,.0f} MB; the limit is {limit:,.0f} MB"
        return [], [Problem(file_name, None, None, message)], None
    names: list[str] = []
    chosen: str | None = None
    rows: Rows = []
    try:
        with archive.open(info) as source:
            if b"<!DOCTYPE" in source.read(4096):
                return [], [Problem(file_name, None, None, "the spreadsheet declares entities; refused")], None
        with archive.open(info) as source:
            row_number = last_filled = cells_in_row = 0
            reading = False
            for event, element in ElementTree.iterparse(source, events=("start", "end")):
                if element.tag == _SHEET_TAG and event == "start":
                    name = element.get(f"{{{_TABLE}}}name", "")
                    names.append(name)
                    reading = wanted(name)
                    if reading and chosen is not None:
                        return [], [Problem(file_name, None, None, refusal(names))], None
                    chosen = name if reading else chosen
                    row_number = last_filled = 0
                elif element.tag == _SHEET_TAG:
                    element.clear()
                    reading = False
                elif element.tag in _CELL_TAGS and event == "end":
                    cells_in_row += 1
                    if cells_in_row > MAX_CELLS_IN_A_ROW:
                        message = f"a row of more than {MAX_CELLS_IN_A_ROW:,} cells"
                        return [], [Problem(file_name, row_number + 1, None, message, chosen)], chosen
                elif element.tag == _ROW_TAG and event == "end":
                    repeat = int(element.get(f"{{{_TABLE}}}number-rows-repeated", "1"))
                    if reading:
                        cells = _row_cells(element, max_columns)
                        if isinstance(cells, str):
                            return [], [Problem(file_name, row_number + 1, None, cells, chosen)], chosen
                        for _ in range(min(repeat, MAX_ROWS + 2) if cells else 0):
                            row_number += 1
                            rows.append((row_number, list(cells)))
                            last_filled = row_number
                        if not cells:
                            row_number += repeat
                        if len(rows) > MAX_ROWS:
                            message = f"more than {MAX_ROWS:,} rows; split the file"
                            return [], [Problem(file_name, row_number, None, message, chosen)], chosen
                        if row_number - last_filled > MAX_BLANK_ROWS:
                            reading = False  # padding far below the data, not data
                    element.clear()
                    cells_in_row = 0
    except (ElementTree.ParseError, ValueError, zipfile.BadZipFile, OSError, RuntimeError) as error:
        return [], [Problem(file_name, None, None, f"the spreadsheet could not be read ({type(error).__name__})")], None
    if chosen is None:
        return [], [Problem(file_name, None, None, refusal(names))], None
    return rows, [], chosen
