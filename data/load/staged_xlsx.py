"""Checking a period-close XLSX extract where the data is: read by DuckDB's excel extension, checked as the CSV is.

The sheet is the one the cell-by-cell path reads (files.open_worksheet: the workbook's own list, no hidden
sheets). Before DuckDB reads it, its XML is scanned once, streamed: every cell must be one whose text DuckDB
and openpyxl read alike (a shared or inline string, or a number written as plain digits with at most two
decimals), in the first eight columns, in rows numbered 1, 2, 3, ... with no gap. A formula, a date or
true/false cell, a number such as 1e+20, 12.0 or 0.30000000000000004 (openpyxl and DuckDB render these
differently), a date style anywhere in the workbook, rich or escaped text: any of these returns None and the
file is checked cell by cell, which words every problem with its file, sheet, row and column.
read_xlsx reads every cell as text (all_varchar) and never stops at an empty row (stop_at_empty = false);
the lines it returns must be exactly the rows counted in the XML, or the file goes cell by cell.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import zipfile
from pathlib import Path

import duckdb

from data.db import StoreMisconfigured, extension_file
from data.load._model import MAX_FILE_BYTES, MONITORING_COLUMNS, ParsedFile
from data.load.files import header_key, open_worksheet
from data.load.staged import typed_lines

# A number as plain digits: no exponent, no leading or trailing zero, at most 12 digits before the point
# and two after. openpyxl's float of such text prints back as the same text, and DuckDB passes it through.
_PLAIN_NUMBER = rb"(?:0|-?[1-9][0-9]{0,11}(?:\.[0-9]?[1-9])?|-?0\.[0-9]?[1-9])"
_CELL_REF = rb' r="[A-H][0-9]+"(?: s="[0-9]+")?'
_PLAIN_CELL = (
    rb"(?:" + _CELL_REF + rb' t="s"><v>[0-9]+</v></c>'
    rb"|" + _CELL_REF + rb' t="inlineStr"><is><t(?: xml:space="preserve")?>[^<]*</t></is></c>'
    rb"|" + _CELL_REF + rb'(?: t="n")?><v>' + _PLAIN_NUMBER + rb"</v></c>"
    rb"|" + _CELL_REF + rb"/>)"
)
# The first cell or row tag outside those forms; a tag with a namespace prefix; Excel's _xHHHH_ escapes
# (openpyxl and DuckDB unescape them differently).
_UNUSUAL = re.compile(
    rb"<c(?=[\s>/])(?!" + _PLAIN_CELL + rb")"
    rb'|<row(?=[\s>/])(?! r="[0-9]+")'
    rb"|<[A-Za-z_][\w.-]*:(?:c|row|si|t|r)[\s>/]"
    rb"|_x[0-9A-Fa-f]{4}_|x005[Ff]_"
)
_ROW_NUMBER = re.compile(rb'<row r="([0-9]+)"')
_RICH_TEXT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:r|rPh)[\s>/]|_x[0-9A-Fa-f]{4}_|x005[Ff]_")
_SHARED_STRINGS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sst[\s>]")
_CHUNK_BYTES = 1 << 20

# The sheet's first row as it is written, then the lines below it (columns named by that row).
_HEADER_ROW = """
    FROM read_xlsx(getvariable('extract_path'), sheet = getvariable('extract_sheet'), header = false,
                   all_varchar = true, stop_at_empty = false)
    LIMIT 1
"""
_LINES = """
    FROM read_xlsx(getvariable('extract_path'), sheet = getvariable('extract_sheet'), header = true,
                   all_varchar = true, stop_at_empty = false)
"""


def _plain_rows(archive: zipfile.ZipFile, part: str) -> int | None:
    """The number of rows of the sheet if every cell is in a plain form and rows run 1, 2, 3, ...; else None."""
    rows = 0
    tail = b""
    with archive.open(part) as source:
        while True:
            chunk = source.read(_CHUNK_BYTES)
            buffer = tail + chunk
            # Up to the last cell's start every element is whole; the rest waits for the next chunk.
            starts = (b"<c ", b"<c>", b"<c/", b"<row ", b"<row>")
            cut = len(buffer) if not chunk else max(0, *(buffer.rfind(start) for start in starts))
            if len(buffer) - cut > _CHUNK_BYTES:  # no plain cell is that long: never hold more than two chunks
                return None
            unusual = _UNUSUAL.search(buffer)
            if unusual and unusual.start() < cut:
                return None
            numbers = [int(n) for n in _ROW_NUMBER.findall(buffer, 0, cut)]
            if numbers != list(range(rows + 1, rows + 1 + len(numbers))):
                return None
            rows += len(numbers)
            tail = buffer[cut:]
            if not chunk:
                return rows


def _plain_workbook(archive: zipfile.ZipFile, sheet_part: str) -> bool:
    """No date or duration style (openpyxl turns such a number into a date), no rich or escaped shared text."""
    from openpyxl.styles.stylesheet import Stylesheet
    from openpyxl.xml.functions import fromstring

    names = archive.namelist()
    if "xl/styles.xml" in names:  # where openpyxl reads styles from
        stylesheet = Stylesheet.from_tree(fromstring(archive.read("xl/styles.xml")))
        if stylesheet.date_formats or stylesheet.timedelta_formats:
            return False
    for name in names:  # the shared strings, wherever the package keeps them (each part is small: files.py)
        if name != sheet_part and name.endswith(".xml"):
            with archive.open(name) as part:
                if _SHARED_STRINGS.search(part.read(512)) and _RICH_TEXT.search(archive.read(name)):
                    return False
    return True


def monitoring_workbook(file_name: str, content: bytes, checks: dict) -> ParsedFile | None:
    """The standard period-close extract as XLSX, checked in DuckDB; None when it must be checked cell by cell."""
    if len(content) > MAX_FILE_BYTES or Path(file_name).suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    try:
        archive, sheet_name, part = open_worksheet(content)
        with archive:
            if not _plain_workbook(archive, part):
                return None
            rows = _plain_rows(archive, part)
    except Exception:  # noqa: BLE001 - a damaged workbook fails in many ways: the cell-by-cell reader words it
        return None
    if rows is None or rows < 2:
        return None
    with tempfile.TemporaryDirectory() as folder, duckdb.connect() as conn:
        conn.execute("SET threads = 1")
        conn.execute("SET enable_progress_bar = false")
        conn.execute("SET arrow_large_buffer_size = true")
        try:
            conn.load_extension(str(extension_file("excel")))
        except (StoreMisconfigured, duckdb.Error):
            return None
        staged = Path(folder) / "extract.xlsx"
        staged.write_bytes(content)
        conn.execute("SET VARIABLE extract_path = $path", {"path": str(staged)})
        conn.execute("SET VARIABLE extract_sheet = $sheet", {"sheet": sheet_name})
        try:
            header = conn.execute(_HEADER_ROW).fetchone()
            keys = [header_key(cell) for cell in header or ()]
            if sorted(keys) != sorted(MONITORING_COLUMNS):
                return None
            extract = conn.sql(_LINES)
            if len(extract.columns) != len(keys):
                return None
            extract.select(
                *[duckdb.ColumnExpression(column).alias(key) for column, key in zip(extract.columns, keys, strict=True)]
            ).create_view("extract_lines")
            # Read once: each check below is a query over the lines, and parsing a sheet costs more than holding it.
            conn.execute("CREATE TEMP TABLE extract AS FROM extract_lines")
            if conn.execute("SELECT count(*) FROM extract").fetchone()[0] != rows - 1:
                return None  # DuckDB read other lines than the sheet's rows
            frame = typed_lines(conn, checks)
        except duckdb.Error:
            return None
    if frame is None:
        return None
    frame["period"] = frame["period"].astype("int32")
    digest = hashlib.sha256(content).hexdigest()
    return ParsedFile("monitoring", file_name, digest, frame[list(MONITORING_COLUMNS)])
