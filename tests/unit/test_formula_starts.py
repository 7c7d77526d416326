"""One list of what starts a spreadsheet formula, defined in data/ and used by loads and exports alike."""

from __future__ import annotations

import pytest

from data import text
from data.load import cells
from metrics import safe_text


def test_loads_and_exports_use_the_one_list_defined_in_data():
    assert cells.FORMULA_STARTS is text.FORMULA_STARTS
    assert safe_text.FORMULA_STARTS is text.FORMULA_STARTS
    assert set(text.FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize("start", text.FORMULA_STARTS)
def test_no_text_a_load_keeps_starts_a_formula(start):
    try:
        kept = cells._text(start + "SUM(A1:A9)")
    except cells._CellError as refused:
        assert "formula" in str(refused)
    else:
        assert not kept.startswith(text.FORMULA_STARTS)


@pytest.mark.parametrize("start", text.FORMULA_STARTS)
def test_every_export_puts_an_apostrophe_before_a_formula_start(start):
    assert safe_text.neutralise_formula(start + "SUM(A1:A9)") == "'" + start + "SUM(A1:A9)"
