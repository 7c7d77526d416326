"""Build each chart (or slow figure) once per data version, view context and arguments.

`cached(conn, function, *args, **kwargs)` returns `function(conn, *args, **kwargs)` from a bounded
`st.cache_data` cache. The key holds:

- the data version (`data.version`): every load, undo, action update and rebuild changes it, so a
  write shows on the next interaction, in every session, without a restart;
- the view context: the signed-in role, and the as-at date a page is showing
  (`st.session_state[AS_AT_KEY]`, None = the latest data), so sessions with different roles or as-at
  dates never share an entry, even for a view that does not (yet) differ by them; and today's date,
  for views that count from it (overdue actions);
- the function and its arguments (filters).

`st.cache_data` hands each caller its own copy, so no session can change another's chart.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import streamlit as st

from data.version import data_version, store_identity
from ui import identity

T = TypeVar("T")

CACHE_ENTRIES = 256  # charts are a few kB each; 256 covers every page for a few filter choices and roles
AS_AT_KEY = "dashboard_as_at"  # where ui/as_at.py keeps the as-at date the dashboard is shown at


def data_key(conn) -> tuple:
    """The store's identity and the data version, read fresh on each call (a few milliseconds)."""
    return store_identity(conn), data_version(conn)


def view_context() -> tuple[str, object, date]:
    """(role, as-at date, today) of this session: part of every cache key.

    Today is there because some views count from it (an action is overdue when its due date has passed):
    a server left running overnight builds them afresh the next day.
    """
    try:
        role = identity.current_actor().role
    except PermissionError:
        role = "none"
    return role, st.session_state.get(AS_AT_KEY), date.today()


def cached(conn, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """function(conn, *args, **kwargs) from the cache, keyed by the function's module and qualified name."""
    key = (function.__module__, function.__qualname__)
    return _cached(conn, function, key, data_key(conn), view_context(), args, kwargs)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _cached(_conn, _function: Callable, name: tuple, version: tuple, context: tuple, args: tuple, kwargs: dict):
    """Arguments named with a leading underscore are not part of the key: the function is, by its name."""
    return _function(_conn, *args, **kwargs)
