"""Text that goes into spreadsheets: neutralise anything a spreadsheet would run as a formula.

A cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage return, which some programs skip
before reading the rest as a formula) is evaluated by Excel, LibreOffice and Google Sheets. Prefixing
a single quote makes the cell plain text and shows the reader that it was changed. Every export that
writes user-entered or loaded text into CSV or XLSX goes through these two functions.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """The value unchanged unless it is a string a spreadsheet would read as a formula; then `'` + value."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every string cell (and column name) passed through `neutralise_formula`."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_formula).astype(object)
    safe.columns = [neutralise_formula(column) for column in safe.columns]
    return safe
