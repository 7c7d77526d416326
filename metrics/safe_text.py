"""Text that is safe to hand to a spreadsheet: no cell may start a formula.

Excel, LibreOffice and Google Sheets treat a cell beginning with =, +, -, @, a tab or a carriage
return as a formula (CSV/formula injection). Such strings get a leading apostrophe, which the
spreadsheet shows as text. Numbers are left alone: a negative number is a number, not a formula.

XLSX cannot hold most control characters at all (openpyxl refuses the whole workbook), so they go:
a vertical tab or form feed (Word's soft return and page break) becomes a line break, the rest are
dropped. Entry paths refuse or clean them too; this covers text stored before they did.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from data.text import FORMULA_STARTS, without_control_characters

__all__ = ["FORMULA_STARTS", "neutralise_formula", "neutralise_frame"]


def neutralise_formula(value: Any) -> Any:
    """The value with a leading apostrophe if it is a string a spreadsheet would run as a formula."""
    if not isinstance(value, str):
        return value
    value = without_control_characters(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every string cell neutralised; numbers, dates and missing values unchanged."""
    result = df.copy()
    for column in result.columns:
        series = result[column]
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            result[column] = series.map(neutralise_formula, na_action="ignore")
    return result
