"""Every page runs inside app.py's frame, even as a fresh server's first request."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PAGES = sorted((Path(__file__).resolve().parents[2] / "pages").glob("*.py"))


@pytest.mark.parametrize("page_file", PAGES, ids=lambda p: p.name)
def test_each_page_calls_require_frame_before_anything_else(page_file):
    tree = ast.parse(page_file.read_text(encoding="utf-8"))
    statements = [
        node
        for node in tree.body
        if not isinstance(node, ast.Import | ast.ImportFrom)
        and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))  # docstring
    ]
    first = statements[0]
    assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Call), page_file.name
    assert ast.unparse(first.value) == "require_frame()", page_file.name


def test_a_page_switched_to_under_apptest_runs_inside_the_frame(db_path):
    """Plain AppTest starts every run in the old pages/ mode; the guard reruns through app.py (sidebar present)."""
    from streamlit.testing.v1 import AppTest

    from tests.support.helpers import PROJECT_DIR

    app_test = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=60)
    app_test.run()
    app_test.switch_page("pages/dsg.py").run()
    assert not app_test.exception
    assert app_test.title[0].value == "DSG & high needs"
    captions = " ".join(caption.value for caption in app_test.sidebar.caption)
    assert "Figures as at" in captions
