"""Reading a CSV or XLSX file's cells, with every limit checked before the cells are kept. Writes nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree import ElementTree

from data.load._model import (
    MAX_BLANK_ROWS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_XLSX_OTHER_PART_BYTES,
    MAX_XLSX_PARTS,
    MAX_XLSX_UNCOMPRESSED_BYTES,
    Problem,
    RawTable,
    column_letter,
)
from data.load.ods import is_ods

_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by surrogateescape


def header_key(value: object) -> str:
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


_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OFFICE_DOCUMENT = _DOC_REL_NS + "/officeDocument"
_WORKSHEET = _DOC_REL_NS + "/worksheet"
_SHEET_DATA_TAG = f"{{{_MAIN_NS}}}sheetData"
_ROW_TAG = f"{{{_MAIN_NS}}}row"
_CELL_TAG = f"{{{_MAIN_NS}}}c"
_MAX_LISTING_BYTES = 1024 * 1024  # the workbook part and its relationships: a sheet list, never large


class _NotAWorkbook(ValueError):
    pass


def _xml_part(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    try:
        info = archive.getinfo(name)
    except KeyError as error:
        raise _NotAWorkbook(f"the part {name} is missing") from error
    if info.file_size > _MAX_LISTING_BYTES:
        raise _NotAWorkbook(f"the part {name} is too large")
    content = archive.read(info)
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        raise _NotAWorkbook(f"the part {name} declares entities")
    try:
        return ElementTree.fromstring(content)
    except ElementTree.ParseError as error:
        raise _NotAWorkbook(f"the part {name} is not readable XML") from error


def _rels_path(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, the target's part name) for one part of the package."""
    folder = posixpath.dirname(part)
    found = {}
    for rel in _xml_part(archive, _rels_path(part)).iter(f"{{{_RELS_NS}}}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        found[rel.get("Id", "")] = (rel.get("Type", ""), name)
    return found


def _sheet_list(archive: zipfile.ZipFile) -> list[tuple[str, str, str | None]]:
    """The workbook's own list of sheets, in order: (name, state, worksheet part or None for a chart sheet)."""
    documents = [name for kind, name in _relationships(archive, "").values() if kind == _OFFICE_DOCUMENT]
    if len(documents) != 1:
        raise _NotAWorkbook("the package does not name one workbook")
    workbook_part = documents[0]
    relationships = _relationships(archive, workbook_part)
    sheets = []
    for sheet in _xml_part(archive, workbook_part).iter(f"{{{_MAIN_NS}}}sheet"):
        kind, part = relationships.get(sheet.get(f"{{{_DOC_REL_NS}}}id", ""), ("", ""))
        sheets.append((sheet.get("name", ""), sheet.get("state", "visible"), part if kind == _WORKSHEET else None))
    return sheets


def visible_sheet_names(content: bytes) -> list[str]:
    """The visible sheets' names of an XLSX workbook, from its own list (nothing else is read), or [] for any
    other file: how a load tells a published return saved under another name from a one-table extract."""
    if not content.startswith(b"PK"):
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return [name for name, state, _ in _sheet_list(archive) if state == "visible"]
    except (_NotAWorkbook, zipfile.BadZipFile, OSError, RuntimeError):
        return []


def _refusal(file_name: str, message: str, sheet: str | None = None) -> tuple[list, list[Problem], str | None]:
    return [], [Problem(file_name, None, None, message, sheet)], sheet


SheetChoice = Callable[[list[tuple[str, str, str | None]]], "tuple[str, str | None] | str"]


def one_visible_sheet(sheets: list[tuple[str, str, str | None]]) -> tuple[str, str | None] | str:
    """The rule for a load of one table: exactly one sheet, visible. Returns (name, part) or why not."""
    hidden = [name for name, state, _ in sheets if state != "visible"]
    if hidden:
        return (
            f"the workbook has hidden sheets ({', '.join(repr(n) for n in hidden)}); expected exactly one "
            "visible sheet and no hidden ones. Delete the hidden sheets or save the sheet you mean as CSV"
        )
    if len(sheets) != 1:
        listed = ", ".join(repr(name) for name, _, _ in sheets) or "none"
        return (
            f"the workbook has {len(sheets)} sheets ({listed}); expected exactly one sheet. "
            "Delete the other sheets or save the one you mean as CSV"
        )
    [(sheet_name, _, part)] = sheets
    return sheet_name, part


OPEN_DOCUMENT = (
    "an OpenDocument spreadsheet (.ods), which is read only as an RS return: save it as .xlsx or CSV and load "
    "that, or choose RS returns if it is one"
)
# Excel 97-2003 (.xls) files are OLE2 compound documents: said as such, not as a damaged workbook.
_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
LEGACY_EXCEL = (
    "an Excel 97-2003 workbook (.xls), which is not read: open it in Excel or LibreOffice, "
    "save it as .xlsx and load that"
)


def is_legacy_excel(content: bytes) -> bool:
    return content.startswith(_OLE2_SIGNATURE)


class SheetRefused(ValueError):
    """Why a workbook's sheet is not read, and the sheet's name when one was chosen."""

    def __init__(self, message: str, sheet: str | None = None) -> None:
        super().__init__(message)
        self.message, self.sheet = message, sheet


def open_worksheet(content: bytes, choose: SheetChoice = one_visible_sheet) -> tuple[zipfile.ZipFile, str, str]:
    """The workbook, the name of the sheet `choose` picks from its own list, and that sheet's part.

    Every limit of the package is checked first; raises SheetRefused saying why not.
    """
    if is_legacy_excel(content):
        raise SheetRefused(LEGACY_EXCEL)
    if is_ods(content):  # a zip too, but not Excel's: said as such, not as a damaged workbook
        raise SheetRefused(OPEN_DOCUMENT)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise SheetRefused("not a valid XLSX workbook (the file is damaged or not Excel)") from None
    uncompressed = sum(part.file_size for part in parts)
    if len(parts) > MAX_XLSX_PARTS or uncompressed > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise SheetRefused(
            f"the workbook unpacks to {uncompressed / 1e6:,.0f} MB in {len(parts)} parts; "
            f"the limit is {MAX_XLSX_UNCOMPRESSED_BYTES / 1e6:,.0f} MB and {MAX_XLSX_PARTS} parts"
        )
    # The sheet to read comes from the workbook's own list (names, hidden or not, and where each is
    # stored), read before any sheet is parsed: a hidden sheet must never be loaded in place of the
    # one the person can see.
    try:
        sheets = _sheet_list(archive)
    except (_NotAWorkbook, zipfile.BadZipFile, OSError, RuntimeError) as error:
        raise SheetRefused(f"not a valid XLSX workbook ({error})") from None
    chosen = choose(sheets)
    if isinstance(chosen, str):
        raise SheetRefused(chosen)
    sheet_name, part = chosen
    if part is None or part not in archive.namelist():
        raise SheetRefused(f"the sheet {sheet_name!r} is not a worksheet of cells", sheet_name)
    oversize = [p for p in parts if p.filename != part and p.file_size > MAX_XLSX_OTHER_PART_BYTES]
    if oversize:
        raise SheetRefused(
            f"the part {oversize[0].filename} unpacks to {oversize[0].file_size / 1e6:,.0f} MB; apart from the "
            f"sheet, no part of a workbook may be over {MAX_XLSX_OTHER_PART_BYTES / 1e6:,.0f} MB"
        )
    return archive, sheet_name, part


def parse_xlsx(
    file_name: str,
    content: bytes,
    *,
    choose: SheetChoice = one_visible_sheet,
    max_columns: int = MAX_COLUMNS,
) -> tuple[list[tuple[int, list[object]]], list[Problem], str | None]:
    """One sheet's rows, the sheet picked by `choose` from the workbook's own list; every limit checked."""
    try:
        archive, sheet_name, part = open_worksheet(content, choose)
    except SheetRefused as refused:
        return _refusal(file_name, refused.message, refused.sheet)
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    # openpyxl's load_workbook also sizes every sheet, which for a sheet without <dimension> means
    # parsing all of it into memory: here only the shared strings, the workbook and its styles are read.
    try:
        reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=False)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a damaged workbook
        return _refusal(file_name, f"not a readable XLSX workbook ({type(error).__name__})")
    try:
        return (*_bounded_rows(file_name, archive, part, reader, sheet_name, max_columns), sheet_name)
    except Exception as error:  # noqa: BLE001 - a damaged sheet part fails in the XML parser or openpyxl
        return _refusal(file_name, f"the sheet could not be read ({type(error).__name__})", sheet_name)
    finally:
        reader.archive.close()


def _streamed_rows(source, parser) -> Iterator[tuple[int, Iterator[dict]]]:
    """(row number, its cells) from a worksheet part, holding one cell's XML at a time.

    openpyxl's own parser builds a whole row's XML, then every cell of it, before yielding the row:
    a row of millions of `<c>` elements (a few hundred KB compressed) would take gigabytes. Here each
    element is dropped from the tree as soon as it ends, and the cells of a row are read one by one,
    each with openpyxl's WorkSheetParser.parse_cell (types, shared strings, dates, formulas).
    The caller may stop reading a row (or the sheet) at any cell.
    """
    events = iter(ElementTree.iterparse(source, events=("start", "end")))
    path: list[ElementTree.Element] = []

    def cells_of_row() -> Iterator[dict]:
        for event, element in events:
            if event == "start":
                path.append(element)
                continue
            path.pop()
            if element.tag == _ROW_TAG:
                path[-1].remove(element)
                return
            if element.tag == _CELL_TAG:
                cell = parser.parse_cell(element)
                path[-1].remove(element)
                yield cell

    for event, element in events:
        if event == "start":
            path.append(element)
            if element.tag == _ROW_TAG:
                number = element.get("r")
                parser.row_counter = int(number) if number is not None else parser.row_counter + 1
                parser.col_counter = 0
                cells = cells_of_row()
                yield parser.row_counter, cells
                for _ in cells:  # the rest of a row the caller stopped reading
                    pass
            continue
        path.pop()
        if element.tag == _SHEET_DATA_TAG:
            return  # nothing after the cells matters here
        if path and not any(ancestor.tag == _CELL_TAG for ancestor in path):
            path[-1].remove(element)


def _bounded_rows(
    file_name: str, archive: zipfile.ZipFile, part: str, reader, sheet_name: str, max_columns: int = MAX_COLUMNS
) -> tuple[list[tuple[int, list[object]]], list[Problem]]:
    """The sheet's rows as the cells they actually hold.

    openpyxl's row iterators pad every row to the width the sheet declares (`<dimension>`, which a
    file may set to A1:XFD1048576): here each row is only as long as its last non-blank cell, and no
    longer than max_columns; a value beyond that stops the read with a problem naming its cell.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    rows: list[tuple[int, list[object]]] = []
    last_number = last_filled = 0
    with archive.open(part) as source:
        parser = WorkSheetParser(
            source,
            reader.shared_strings,
            data_only=False,
            epoch=reader.wb.epoch,
            date_formats=reader.wb._date_formats,
            timedelta_formats=reader.wb._timedelta_formats,
        )
        for row_number, cells in _streamed_rows(source, parser):
            if row_number <= last_number:
                return [], [Problem(file_name, row_number, None, "the row appears twice in the sheet", sheet_name)]
            last_number = row_number
            if row_number - last_filled > MAX_BLANK_ROWS:
                break  # formatting that reaches far below the data, not data
            values: dict[int, object] = {}
            for cell in cells:
                if is_blank(cell["value"]):
                    continue
                if cell["column"] > max_columns:
                    where = column_letter(cell["column"] - 1)
                    message = f"a value beyond column {column_letter(max_columns - 1)}, the last a file may use"
                    return [], [Problem(file_name, row_number, where, message, sheet_name)]
                values[cell["column"]] = cell["value"]
            if not values:
                continue
            last_filled = row_number
            rows.append((row_number, [values.get(column) for column in range(1, max(values) + 1)]))
            if len(rows) > MAX_ROWS + 1:
                return [], [Problem(file_name, row_number, None, f"more than {MAX_ROWS:,} rows; split the file")]
    return rows, []


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
        rows, problems, sheet = parse_xlsx(file_name, content)
    elif suffix in (".csv", ".txt", ""):
        rows, problems = _parse_csv(file_name, content)
        sheet = None
    else:
        message = (
            LEGACY_EXCEL if is_legacy_excel(content) else f"unsupported file type {suffix!r}; expected .csv or .xlsx"
        )
        return empty, [Problem(file_name, None, None, message)]
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
    return RawTable(file_name, digest, [header_key(h) for h in header_cells], data[1:], sheet), problems
