"""Streamlit's internals are touched in one module (ui/streamlit_internals.py), whose every assumption holds for the
installed Streamlit; when an upgrade breaks one, the failure names the version and what moved. The server's
switch interval is set once, when the server starts, not on every page run."""

from __future__ import annotations

import ast
import sys

import pytest
import streamlit as st

from tests.support.helpers import PROJECT_DIR
from ui import server_gate, streamlit_internals

ADAPTER = PROJECT_DIR / "ui" / "streamlit_internals.py"
# Streamlit's packages that are not its public API: its runtime, web server, wire format and bundled files.
INTERNAL_PACKAGES = ("streamlit.runtime", "streamlit.web", "streamlit.proto", "streamlit.static")
APP_FILES = [
    *sorted((PROJECT_DIR / "ui").glob("*.py")),
    *sorted((PROJECT_DIR / "pages").glob("*.py")),
    PROJECT_DIR / "app.py",
    PROJECT_DIR / "serve.py",
]


def test_every_streamlit_internal_the_app_relies_on_is_there():
    missing = streamlit_internals.internals_missing(server_gate.UNGATED_MESSAGES | server_gate.ADMIN_MESSAGES)
    assert not missing, "\n".join(missing)


def test_a_moved_internal_is_named_with_the_installed_streamlit_version(monkeypatch, tmp_path):
    monkeypatch.setattr(streamlit_internals, "STATIC_JS", tmp_path)  # a build with no chart code file
    monkeypatch.setattr(streamlit_internals, "INDEX_HTML", tmp_path / "index.html")
    missing = streamlit_internals.internals_missing({"clear_cache", "no_such_message"})
    assert len(missing) == 3, missing
    assert all(item.startswith(f"Streamlit {st.__version__}: ") for item in missing)
    assert "PlotlyChart.*.js" in missing[0] and "index.html" in missing[1] and "no_such_message" in missing[2]


def _internal_uses(path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    uses = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Attribute) and node.attr == "__file__" and ast.unparse(node.value) == "st":
            uses.append(f"line {node.lineno}: st.__file__ (Streamlit's bundled files)")
        uses += [f"line {node.lineno}: {name}" for name in names if name.startswith(INTERNAL_PACKAGES)]
    return uses


@pytest.mark.parametrize("path", [p for p in APP_FILES if p != ADAPTER], ids=lambda p: p.name)
def test_no_other_module_of_the_app_touches_streamlit_internals(path):
    assert _internal_uses(path) == [], f"{path.name}: use ui/streamlit_internals.py"


def test_the_adapter_is_where_the_internals_are():
    assert _internal_uses(ADAPTER), "the check above would find an internal use"


def test_the_switch_interval_is_set_once_when_the_server_starts_not_on_every_page_run():
    app_calls = [
        node
        for node in ast.walk(ast.parse((PROJECT_DIR / "app.py").read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "setswitchinterval"
    ]
    assert app_calls == [], "app.py runs on every rerun"
    import serve

    assert sys.getswitchinterval() == pytest.approx(serve.SWITCH_INTERVAL_S)
