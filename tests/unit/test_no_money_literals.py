"""No number is typed into a page or a chart: money comes from the database through metrics/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import duckdb
import pytest

from tests.support.helpers import PROJECT_DIR

MONEY_LITERAL = re.compile(r"£\s?\d|\b\d+(\.\d+)?\s?(m|bn)\b(?![a-z])", re.IGNORECASE)
SCANNED = sorted(
    [
        *(PROJECT_DIR / "pages").glob("*.py"),
        *(PROJECT_DIR / "charts").glob("*.py"),
        *(PROJECT_DIR / "exports").glob("*.py"),
    ]
)
# The files of this issue: their numeric constants must not repeat a reported money figure either.
POSITION_FILES = [
    PROJECT_DIR / name
    for name in (
        "charts/style.py", "charts/yearly.py", "charts/budget.py", "charts/reserves.py",
        "charts/dsg.py", "charts/overview.py", "pages/overview.py", "pages/budget_outturn.py",
        "pages/reserves.py", "pages/dsg.py",
    )
]  # fmt: skip


def string_constants(path: Path) -> list[tuple[int, str]]:
    """Every string constant in a module except docstrings (which document, and are never shown)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_the_scan_finds_a_money_literal(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text('"""Doc £312m."""\nTITLE = f"Budget of £{x}m"\nNOTE = "rose to £31.5m"\n', encoding="utf-8")
    found = [value for _, value in string_constants(planted) if MONEY_LITERAL.search(value)]
    assert found == ["rose to £31.5m"]


@pytest.mark.parametrize("path", SCANNED, ids=lambda path: str(path.relative_to(PROJECT_DIR)))
def test_no_money_literal_in_pages_or_charts(path):
    offending = [(line, value) for line, value in string_constants(path) if MONEY_LITERAL.search(value)]
    assert not offending, f"{path.name}: money typed into a string: {offending}"


def test_no_reported_money_figure_typed_as_a_number(built_db):
    with duckdb.connect(str(built_db), read_only=True) as conn:
        reported = {
            value
            for (value,) in conn.execute("SELECT DISTINCT value FROM reported_figures WHERE unit = 'gbp_m'").fetchall()
        }
    # Small whole numbers are layout (a width of 1, a gap of 5): only figures a reader would recognise count.
    recognisable = {value for value in reported if value >= 17 or not float(value).is_integer()}
    for path in POSITION_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        numbers = [
            (node.lineno, node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
        ]
        typed = [(line, value) for line, value in numbers if value in recognisable]
        assert not typed, f"{path.name}: reported figures typed as numbers: {typed}"
