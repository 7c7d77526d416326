"""Checking a period-close CSV extract where the data is: read by DuckDB and checked with set-based SQL.

Cell by cell in Python, a 100,000-line extract spends most of its load in the checks. Here DuckDB reads the
file and every rule is a query over its lines: each value of the few-valued columns (year, period,
directorate) is checked once by the same Python function as the cell-by-cell path; text and amounts are
matched against patterns in SQL; duplicates are a count of distinct keys. The patterns accept a strict subset
of what the cell-by-cell checks accept, written as a ledger exports it. Anything outside them (a problem, or a
form the patterns leave out, such as `.5` or an accented name) returns None, and the caller checks the file
cell by cell, which words every problem with its file, row and column: a message never comes from here.

Memory: nothing is staged in a table. Each query streams the file through DuckDB again (reading is cheap;
holding 500,000 lines as text is not), and the typed lines come back as Arrow columns that pandas takes
without a copy. Lookups are projections (MAP values, not joins), so the lines keep the file's order.
"""

from __future__ import annotations

import csv
import hashlib
import io
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from data.load._model import MAX_FILE_BYTES, MAX_ROWS, MAX_TEXT_CHARS, MONITORING_COLUMNS, ParsedFile
from data.load.files import header_key

# Plain text that none of the text rules can refuse: it starts with a letter or digit (no formula), and has
# no '<', ';' or '[' (no HTML tag or entity, no Markdown link) and no control characters.
_PLAIN_TEXT = r"[A-Za-z0-9][A-Za-z0-9 &'(),./:_#%+-]*"
# Pounds as a ledger writes them: 1234.50, 1,234.50, £1,234.50, -£12, £-12, (1,234.50), at most 12 digits
# before the point (under £1,000,000,000,000) and two after.
_DIGITS = r"(\d{1,3}(,\d{3}){1,3}|\d{1,12})(\.\d{1,2})?"
_AMOUNT = rf"(-£?|£-|£)?{_DIGITS}|\(£?{_DIGITS}\)"
_BOM = b"\xef\xbb\xbf"
_HEADER_BYTES = 4096  # a longer header line is not the template's: checked cell by cell
# More distinct spellings than this in a few-valued column is not a ledger's extract: checked cell by cell.
MAX_DISTINCT_VALUES = 1_000

# The file as it is read by every query below (path and columns set as variables: a view takes no parameters).
_EXTRACT = """
    CREATE TEMP VIEW extract AS
    SELECT * FROM read_csv(getvariable('extract_path'), header = true, auto_detect = false, delim = ',',
                           quote = '"', escape = '"', strict_mode = true, null_padding = false,
                           columns = getvariable('extract_columns'))
"""
_DISTINCT = """
    SELECT count(*), list(DISTINCT fiscal_year), list(DISTINCT period), list(DISTINCT directorate) FROM extract
"""
# Each line typed, the few-valued columns through what their checks made of each value (NULL if refused),
# and whether every cell is in a form the checks accept.
_TYPED = """
    CREATE TEMP VIEW typed AS
    SELECT map_extract_value(getvariable('years'), fiscal_year) AS fiscal_year,
           CAST(map_extract_value(getvariable('periods'), period) AS INTEGER) AS period,
           map_extract_value(getvariable('directorates'), directorate) AS directorate,
           trim(service) AS service, trim(cost_centre) AS cost_centre,
           pounds(annual_budget_gbp) AS annual_budget_gbp, pounds(actual_ytd_gbp) AS actual_ytd_gbp,
           pounds(forecast_outturn_gbp) AS forecast_outturn_gbp,
           coalesce(
               plain_text(service) AND plain_text(cost_centre) AND plain_amount(annual_budget_gbp)
               AND plain_amount(actual_ytd_gbp) AND plain_amount(forecast_outturn_gbp), false) AS plain
    FROM extract
"""
# What each distinct value of a few-valued column is, by its cell-by-cell check (refused values left out).
_SET_LOOKUP = {
    "fiscal_year": "SET VARIABLE years = MAP($raw, $value)",
    "period": "SET VARIABLE periods = MAP($raw, $value)",
    "directorate": "SET VARIABLE directorates = MAP($raw, $value)",
}
# Lines the fast path leaves to the cell-by-cell checks (a blank cell, text or an amount outside the
# patterns, a value its check refuses), and lines that repeat a key (year, period, cost centre).
_UNCHECKED = """
    SELECT count(*) FILTER (WHERE NOT plain OR fiscal_year IS NULL OR period IS NULL OR directorate IS NULL),
           count(*) - count(DISTINCT (fiscal_year, period, cost_centre))
    FROM typed
"""
_ROWS = """
    SELECT fiscal_year, period, directorate, service, cost_centre, annual_budget_gbp, actual_ytd_gbp,
           forecast_outturn_gbp
    FROM typed
"""
# Exact decimal text, as the cell-by-cell path writes it ('1234.50', '-12.00', '-0.00'); NULL for a cell
# outside the patterns (such a file is checked cell by cell).
_MACROS = """
    CREATE MACRO pounds(cell) AS
        CASE WHEN regexp_matches(cell, '^ *([-(]|£-)') THEN '-' ELSE '' END
        || CAST(TRY_CAST(regexp_replace(cell, '[£,() -]', '', 'g') AS DECIMAL(14, 2)) AS VARCHAR);
    CREATE MACRO plain_text(cell) AS
        regexp_full_match(trim(cell), getvariable('plain_text')) AND length(trim(cell)) <= getvariable('text_limit');
    CREATE MACRO plain_amount(cell) AS regexp_full_match(trim(cell), getvariable('amount'));
"""
_SET_PATTERNS = (
    ("SET VARIABLE plain_text = $value", _PLAIN_TEXT),
    ("SET VARIABLE amount = $value", _AMOUNT),
    ("SET VARIABLE text_limit = $value", MAX_TEXT_CHARS),
)


def _header(start: bytes) -> list[str] | None:
    """The header row's column names as the cell-by-cell path keys them, if `start` (of the file) holds it."""
    try:
        first_line = start.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return None
    if '"' in first_line or not first_line.strip():
        return None
    return [header_key(cell) for cell in next(csv.reader(io.StringIO(first_line)))]


def _checked_values(values: list[str | None], check) -> tuple[list[str], list[object]]:
    """Each value with what its check makes of it, as the keys and values of a MAP; refused values left out."""
    raw, checked = [], []
    for value in values:
        if value is None:
            continue
        try:
            checked.append(check(value))
        except ValueError:
            continue
        raw.append(value)
    return raw, checked


def typed_lines(conn: duckdb.DuckDBPyConnection, checks: dict) -> pd.DataFrame | None:
    """The extract's lines typed, in the file's order, if every cell is in a form the checks accept."""
    rows, *distinct = conn.execute(_DISTINCT).fetchall()[0]
    if not 0 < rows <= MAX_ROWS or any(len(values) > MAX_DISTINCT_VALUES for values in distinct):
        return None
    for column, values in zip(("fiscal_year", "period", "directorate"), distinct, strict=True):
        raw, value = _checked_values(values, checks[column])
        if not raw:
            return None  # every line has a value its check refuses
        conn.execute(_SET_LOOKUP[column], {"raw": raw, "value": value})
    for statement, value in _SET_PATTERNS:
        conn.execute(statement, {"value": value})
    conn.execute(_MACROS)
    conn.execute(_TYPED)
    unchecked, repeated = conn.execute(_UNCHECKED).fetchall()[0]
    if unchecked or repeated:
        return None
    return conn.execute(_ROWS).to_arrow_table().to_pandas()


def monitoring_extract(file_name: str, content: bytes, checks: dict) -> ParsedFile | None:
    """The standard period-close CSV extract, checked in DuckDB; None when it must be checked cell by cell.

    `checks` holds the cell-by-cell checks of the few-valued columns (fiscal_year, period, directorate),
    applied here once per distinct value.
    """
    if len(content) > MAX_FILE_BYTES or content[:4] == b"PK\x03\x04" or b"\x00" in content:
        return None
    if Path(file_name).suffix.lower() not in (".csv", ".txt", ""):
        return None
    body = memoryview(content)[len(_BOM) :] if content.startswith(_BOM) else memoryview(content)
    header = _header(bytes(body[:_HEADER_BYTES]))
    if header is None or sorted(header) != sorted(MONITORING_COLUMNS):
        return None
    with tempfile.TemporaryDirectory() as folder, duckdb.connect() as conn:
        # One thread: the checks cost less CPU so (loads also run inside the app's server), for a little more wall time.
        conn.execute("SET threads = 1")
        conn.execute("SET arrow_large_buffer_size = true")  # pandas takes large_string columns without a copy
        staged = Path(folder) / "extract.csv"
        staged.write_bytes(body)
        conn.execute("SET VARIABLE extract_path = $path", {"path": str(staged)})
        conn.execute("SET VARIABLE extract_columns = $columns", {"columns": dict.fromkeys(header, "VARCHAR")})
        conn.execute(_EXTRACT)
        try:
            frame = typed_lines(conn, checks)
        except duckdb.Error:
            return None  # not plain UTF-8 CSV of eight columns on every line: the cell-by-cell reader says where
    if frame is None:
        return None
    frame["period"] = frame["period"].astype("int32")
    digest = hashlib.sha256(content).hexdigest()
    return ParsedFile("monitoring", file_name, digest, frame[list(MONITORING_COLUMNS)])
