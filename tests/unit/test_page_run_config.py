"""The server's page-run settings (.streamlit/config.toml) that keep a visit cheap, and what they rely on."""

from __future__ import annotations

import ast
import tomllib

from streamlit.runtime.scriptrunner import magic

from tests.support.helpers import PROJECT_DIR
from ui.navigation import PAGES_DIR
from ui.pages_registry import PAGES

CONFIG = PROJECT_DIR / ".streamlit" / "config.toml"


def _magic_writes(path) -> int:
    """How many `st.write` calls Streamlit's magic would add to the script at `path`."""
    tree = magic.add_magic(path.read_text(encoding="utf-8"), str(path))
    return ast.unparse(tree).count(f"{magic.MAGIC_MODULE_NAME}.transparent_write(")


def test_page_runs_skip_the_full_garbage_collection_and_the_magic_rewrite():
    runner = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["runner"]
    assert runner["postScriptGC"] is False
    assert runner["magicEnabled"] is False


def test_no_page_writes_a_bare_expression_so_magic_off_hides_nothing():
    scripts = [PROJECT_DIR / "app.py", *(PAGES_DIR / page.file for page in PAGES)]
    assert {path.name: _magic_writes(path) for path in scripts} == {path.name: 0 for path in scripts}


def test_the_magic_check_sees_a_bare_expression(tmp_path):
    page = tmp_path / "page.py"
    page.write_text('import streamlit as st\n\ntotal = 3\ntotal\nst.write("shown")\n', encoding="utf-8")
    assert _magic_writes(page) == 1
