"""Build each chart (or slow figure) once per data version, view context and arguments.

`cached(conn, function, *args, **kwargs)` returns `function(conn, *args, **kwargs)` from a bounded
`st.cache_data` cache. The key holds:

- the data version (`data.version`): every load, undo, action update and rebuild changes it, so a
  write shows on the next interaction, in every session, without a restart;
- the view context: the signed-in role (`st.session_state[ROLE_KEY]`, set by the sign-in gate), and the
  as-at date a page is showing (`st.session_state[AS_AT_KEY]`, None = the latest data), so sessions with
  different roles or as-at dates never share an entry, even for a view that does not (yet) differ by them;
  and today's date, for views that count from it (overdue actions);
- the function and its arguments (filters).

`st.cache_data` hands each caller its own copy, so no session can change another's chart.

While the shared store cannot be reached (`StoreAway` stands in for the connection), figures already cached
are served under the last data version this process read, and the page says they may not be current
(`stale_since`); anything not cached fails with the outage, which the page shows once, in words.

Within a script run (`run_scope`, entered by `ui.common.held_database`) the data version and the role are
read once, not once per figure: a page asks for 10-20 figures, and each reading costs a query. A write in
the run (`ui.common.database(read_only=False)`) forgets them, so what the run draws after it is read fresh.
"""

from __future__ import annotations

import io
import pickle
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, TypeVar

import duckdb
import streamlit as st

from data.db import describe, is_unreachable
from data.version import data_version, store_identity
from metrics.held import FigureMissing

T = TypeVar("T")

CACHE_ENTRIES = 256  # charts are a few kB each; 256 covers every page for a few filter choices and roles
AS_AT_KEY = "dashboard_as_at"  # where ui/as_at.py keeps the as-at date the dashboard is shown at
# Where the sign-in gate (ui.identity) records the role it admitted this session with; "none" before it has.
ROLE_KEY = "dashboard_role"


_this_run = threading.local()  # Streamlit runs each session's script on its own thread
# Per store, the last data key this process read, and when: cached figures are served under it while the store
# is away.
_last_read: dict[str, tuple[tuple, datetime]] = {}


class StoreAway:
    """Stands in for a connection while the shared store cannot be reached: using it raises the outage."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def __getattr__(self, name: str) -> Any:
        raise self.error


@contextmanager
def run_scope() -> Iterator[None]:
    """Read the data version and the role once for the rest of this script (or fragment) run.

    Re-entrant: a fragment drawn inside a full run keeps the full run's readings.
    """
    outermost = getattr(_this_run, "readings", None) is None
    if outermost:
        _this_run.readings = {}
        _this_run.said = set()
    try:
        yield
    finally:
        if outermost:
            _this_run.readings = None
            _this_run.said = None


def first_in_run(notice: str) -> bool:
    """True the first time a run asks about `notice` (say it), False after (said already). Outside a run, True."""
    said = getattr(_this_run, "said", None)
    if said is None:
        return True
    if notice in said:
        return False
    said.add(notice)
    return True


def forget_readings() -> None:
    """Something was written in this run: read the data version (and role) afresh from here on."""
    readings = getattr(_this_run, "readings", None)
    if readings:
        readings.clear()


def _read_once(name: Any, read: Callable[[], T]) -> T:
    readings = getattr(_this_run, "readings", None)
    if readings is None:
        return read()
    if name not in readings:
        readings[name] = read()
    return readings[name]


def data_key(conn) -> tuple:
    """The store's identity and the data version (a query of a few milliseconds, made once per run).

    While the store cannot be reached, the last key read instead (figures cached under it are served as they
    were); with none read yet, the outage is raised."""
    try:
        if isinstance(conn, StoreAway):
            raise conn.error
        store = store_identity(conn)
        key = store, _read_once(("data version", store), lambda: data_version(conn))
    except duckdb.Error as error:
        if not is_unreachable(error) or describe() not in _last_read:
            raise
        key, read_at = _last_read[describe()]
        readings = getattr(_this_run, "readings", None)
        if readings is not None:
            readings["stale since"] = read_at
        return key
    _last_read[describe()] = key, datetime.now()
    return key


def stale_since() -> datetime | None:
    """When the figures this run drew from the cache were last read, if the store could not be reached."""
    return (getattr(_this_run, "readings", None) or {}).get("stale since")


def _role() -> str:
    return st.session_state.get(ROLE_KEY, "none")


def view_context() -> tuple[str, object, date]:
    """(role, as-at date, today) of this session: part of every cache key.

    Today is there because some views count from it (an action is overdue when its due date has passed):
    a server left running overnight builds them afresh the next day.
    """
    return _read_once("role", _role), st.session_state.get(AS_AT_KEY), date.today()


def cached(conn, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """function(conn, *args, **kwargs) from the cache, keyed by the function's module and qualified name."""
    parts = ((function.__module__, function.__qualname__), data_key(conn), view_context(), args, kwargs)
    try:
        key: object = _packed(parts)
    except (pickle.PicklingError, TypeError, AttributeError, ValueError):  # ValueError: a cycle, in fast mode
        key = parts  # something pickle cannot write: Streamlit hashes the parts itself
    # By keyword: Streamlit inspects the function's signature for each positional argument (~1 ms a call).
    return _cached(_conn=conn, _function=function, _args=args, _kwargs=kwargs, key=key)


def _packed(parts: tuple) -> bytes:
    """The whole key as one pickle. Streamlit's hasher walks a tuple element by element, type check by type check
    (~1 ms a call, 15% of a page's run); a pickle writes every value in full, so different keys never share an
    entry. Without the memo ("fast" mode): with it, a value met twice is written the second time as a reference
    if it is the same object, so equal keys built from other objects (a year from the widget, the same year from
    the address) would pickle differently and miss the cache."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(parts)
    return buffer.getvalue()


def cached_if_held(conn, function: Callable[..., T], *args: Any, otherwise: Any = None, **kwargs: Any) -> T | Any:
    """`cached(conn, function, ...)`, or `otherwise` where the figures it needs are not held (FigureMissing):
    the page then says so in place."""
    try:
        return cached(conn, function, *args, **kwargs)
    except FigureMissing:
        return otherwise


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _cached(_conn, _function: Callable, _args: tuple, _kwargs: dict, key: object):
    """Arguments named with a leading underscore are not part of the key: `key` holds the function's name, the
    data version, the view context and the arguments."""
    return _function(_conn, *_args, **_kwargs)
