"""A view for tests/app/test_cache.py that says whom and what date it was built for, and counts its builds."""

from __future__ import annotations

import streamlit as st

from ui.cache import AS_AT_KEY
from ui.identity import current_actor

builds: list[str] = []


def built_for(conn, view: str) -> str:
    """As if the view differed by role and as-at date: it names both, and which build it is."""
    conn.execute("SELECT 1").fetchall()
    builds.append(view)
    return f"{view} for {current_actor().role} as at {st.session_state.get(AS_AT_KEY)} (build {len(builds)})"


def monitoring_lines(conn) -> str:
    """What a view of the monitoring lines would show: how many there are."""
    builds.append("lines")
    return f"{conn.execute('SELECT count(*) FROM monitoring').fetchone()[0]} lines (build {len(builds)})"


def echo(conn, value: object, *, label: str = "") -> str:
    """A view of its arguments, and which build it is."""
    builds.append("echo")
    shown = f"bytes {value.getvalue()!r}" if hasattr(value, "getvalue") else repr(value)
    return f"{label}{shown} (build {len(builds)})"
