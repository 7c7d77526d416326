"""Checking a period-close CSV extract where the data is: staged in DuckDB and checked with set-based SQL.

Cell by cell in Python, a 100,000-line extract spends most of its load in the checks. Here DuckDB reads the
file and every rule is a query over the staged rows: each value of the few-valued columns (year, period,
directorate) is checked once by the same Python function as the cell-by-cell path; text and amounts are
matched against patterns in SQL; duplicates are a GROUP BY. The patterns accept a strict subset of what the
cell-by-cell checks accept, written as a ledger exports it. Anything outside them (a problem, or a form the
patterns leave out, such as `.5` or an accented name) returns None, and the caller checks the file cell by
cell, which words every problem with its file, row and column: a message never comes from here.
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

# `columns` names the file's columns in its own order; `line` keeps the file's order of lines.
_STAGE = """
    CREATE TABLE staged AS
    SELECT row_number() OVER () AS line, *
    FROM read_csv($path, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
                  strict_mode = true, null_padding = false, columns = $columns)
"""
_DISTINCT = {
    "fiscal_year": "SELECT DISTINCT fiscal_year FROM staged",
    "period": "SELECT DISTINCT period FROM staged",
    "directorate": "SELECT DISTINCT directorate FROM staged",
}
# Rows that the fast path leaves to the cell-by-cell checks: a blank cell, text or an amount outside the
# patterns, a value of a few-valued column that its check refuses (not in the mapping), a repeated key.
_UNCHECKED = """
    SELECT count(*) FROM staged s
    LEFT JOIN years y ON y.raw = s.fiscal_year
    LEFT JOIN periods p ON p.raw = s.period
    LEFT JOIN directorates d ON d.raw = s.directorate
    WHERE y.value IS NULL OR p.value IS NULL OR d.value IS NULL
       OR s.service IS NULL OR s.cost_centre IS NULL
       OR NOT regexp_full_match(trim(s.service), $text) OR length(trim(s.service)) > $limit
       OR NOT regexp_full_match(trim(s.cost_centre), $text) OR length(trim(s.cost_centre)) > $limit
       OR s.annual_budget_gbp IS NULL OR s.actual_ytd_gbp IS NULL OR s.forecast_outturn_gbp IS NULL
       OR NOT regexp_full_match(trim(s.annual_budget_gbp), $amount)
       OR NOT regexp_full_match(trim(s.actual_ytd_gbp), $amount)
       OR NOT regexp_full_match(trim(s.forecast_outturn_gbp), $amount)
"""
_REPEATED_KEYS = """
    SELECT count(*) FROM (
        SELECT 1 FROM staged s JOIN years y ON y.raw = s.fiscal_year JOIN periods p ON p.raw = s.period
        GROUP BY y.value, p.value, trim(s.cost_centre) HAVING count(*) > 1
    )
"""
_TYPED = """
    SELECT y.value AS fiscal_year, CAST(p.value AS INTEGER) AS period, d.value AS directorate,
           trim(s.service) AS service, trim(s.cost_centre) AS cost_centre,
           pounds(s.annual_budget_gbp) AS annual_budget_gbp, pounds(s.actual_ytd_gbp) AS actual_ytd_gbp,
           pounds(s.forecast_outturn_gbp) AS forecast_outturn_gbp
    FROM staged s
    JOIN years y ON y.raw = s.fiscal_year JOIN periods p ON p.raw = s.period
    JOIN directorates d ON d.raw = s.directorate
    ORDER BY s.line
"""
# Exact decimal text, as the cell-by-cell path writes it ('1234.50', '-12.00', '-0.00').
_POUNDS = """
    CREATE MACRO pounds(cell) AS
        CASE WHEN left(trim(cell), 1) IN ('-', '(') OR starts_with(trim(cell), '£-') THEN '-' ELSE '' END
        || CAST(CAST(replace(replace(replace(replace(replace(trim(cell), '£', ''), ',', ''), '-', ''), '(', ''),
                             ')', '') AS DECIMAL(14, 2)) AS VARCHAR)
"""


def _header(text: str) -> list[str] | None:
    """The header row's column names as the cell-by-cell path keys them, if the first line is the header."""
    first_line = text.split("\n", 1)[0].rstrip("\r")
    if '"' in first_line or not first_line.strip():
        return None
    return [header_key(cell) for cell in next(csv.reader(io.StringIO(first_line)))]


def _checked_values(conn: duckdb.DuckDBPyConnection, column: str, check) -> pd.DataFrame:
    """Each distinct value of `column` with what its check makes of it; values it refuses are left out."""
    mapping = []
    for (raw,) in conn.execute(_DISTINCT[column]).fetchall():
        try:
            mapping.append((raw, check(raw)))
        except ValueError:
            continue
    return pd.DataFrame(mapping, columns=["raw", "value"], dtype=object)


def monitoring_extract(file_name: str, content: bytes, checks: dict) -> ParsedFile | None:
    """The standard period-close CSV extract, checked in DuckDB; None when it must be checked cell by cell.

    `checks` holds the cell-by-cell checks of the few-valued columns (fiscal_year, period, directorate),
    applied here once per distinct value.
    """
    if len(content) > MAX_FILE_BYTES or content[:4] == b"PK\x03\x04":
        return None
    if Path(file_name).suffix.lower() not in (".csv", ".txt", ""):
        return None
    try:
        text = content.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None
    if "\x00" in text or '"' in text.split("\n", 1)[0]:
        return None
    header = _header(text)
    if header is None or sorted(header) != sorted(MONITORING_COLUMNS):
        return None
    with tempfile.TemporaryDirectory() as folder, duckdb.connect() as conn:
        staged = Path(folder) / "extract.csv"
        staged.write_text(text, encoding="utf-8")
        try:
            conn.execute(_STAGE, {"path": str(staged), "columns": dict.fromkeys(header, "VARCHAR")})
        except duckdb.Error:
            return None  # not plain CSV of eight columns on every line: the cell-by-cell reader says where
        rows = conn.execute("SELECT count(*) FROM staged").fetchall()[0][0]
        if not 0 < rows <= MAX_ROWS:
            return None
        for table, column in (("years", "fiscal_year"), ("periods", "period"), ("directorates", "directorate")):
            conn.register(table, _checked_values(conn, column, checks[column]))
        conn.execute(_POUNDS)
        flags = {"text": _PLAIN_TEXT, "limit": MAX_TEXT_CHARS, "amount": _AMOUNT}
        if conn.execute(_UNCHECKED, flags).fetchall()[0][0] or conn.execute(_REPEATED_KEYS).fetchall()[0][0]:
            return None
        frame = conn.execute(_TYPED).to_arrow_table().to_pandas()  # arrow-backed text: about half the memory of .df()
    frame["period"] = frame["period"].astype("int32")
    digest = hashlib.sha256(content).hexdigest()
    return ParsedFile("monitoring", file_name, digest, frame[list(MONITORING_COLUMNS)])
