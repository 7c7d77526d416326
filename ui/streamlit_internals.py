"""Every use of Streamlit's internals, in one place: what its public API does not offer.

- the page Streamlit serves and the file names of its bundled chart code (ui/page_shell.py preloads them);
- the session a page run belongs to, the runtime's control-message handler and uploaded-file storage, and the
  upload route (ui/server_gate.py holds them to the sign-in gate);
- the flag of Streamlit's first multipage mode (ui/frame.py switches it off).

An upgrade may move any of them without a word. `internals_missing()` checks each assumption and names the
installed Streamlit version; tests/unit/test_streamlit_internals.py fails with its list.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.web.server.starlette import starlette_routes

STREAMLIT_DIR = Path(st.__file__).parent
STATIC_JS = STREAMLIT_DIR / "static" / "static" / "js"
INDEX_HTML = STREAMLIT_DIR / "static" / "index.html"  # the page Streamlit serves for every page path
CHART_CODE_GLOB = "PlotlyChart.*.js"
# A module's static imports, as Streamlit's build writes them: import{a as b}from"./x.js"; import"./y.js"
_STATIC_IMPORT = re.compile(r'(?:from|import)\s*"\./([\w.-]+\.js)"')
UPLOAD_ROUTE = "_stcore/upload_file"
UPLOAD_PATH = "/" + starlette_routes.BASE_ROUTE_UPLOAD_FILE + "/"


# --- the page and its bundled files -------------------------------------------------------------------------------


def chart_code_file(folder: Path | None = None) -> str | None:
    """The file name of Streamlit's Plotly chart code (hashed by its build), or None if it has none."""
    found = sorted((folder or STATIC_JS).glob(CHART_CODE_GLOB))
    return found[0].name if len(found) == 1 else None


def imported_files(file_name: str, folder: Path | None = None) -> list[str]:
    """Every file `file_name` imports statically, directly or through another, in a stable order."""
    folder = folder or STATIC_JS
    found: dict[str, None] = {}
    waiting = [file_name]
    while waiting:
        text = (folder / waiting.pop()).read_text(encoding="utf-8", errors="replace")
        for imported in _STATIC_IMPORT.findall(text):
            if imported not in found and (folder / imported).is_file():
                found[imported] = None
                waiting.append(imported)
    return list(found)


# --- sessions, control messages and uploads -----------------------------------------------------------------------


def current_session_id() -> str | None:
    """The session this page run belongs to; None outside a page run."""
    context = get_script_run_ctx()
    return None if context is None else context.session_id


def in_fragment_run() -> bool:
    """Whether this run (its widget callbacks included) reruns only fragments, not the whole page."""
    context = get_script_run_ctx()
    return context is not None and bool(context.fragment_ids_this_run)


def ended_sessions(session_ids: Iterable[str]) -> list[str]:
    """Those of `session_ids` the running server no longer has (none without a server)."""
    if not Runtime.exists():
        return []
    runtime = Runtime.instance()
    return [session_id for session_id in session_ids if not runtime.is_active_session(session_id)]


def held_upload_bytes(session_id: str) -> int:
    """The bytes of uploaded files Streamlit holds in memory for this session."""
    if not Runtime.exists():
        return 0
    storage = Runtime.instance().uploaded_file_mgr.file_storage.get(session_id, {})
    return sum(len(record.data) for record in list(storage.values()))


def filter_control_messages(accept: Callable[[str, str | None], bool]) -> None:
    """Make the runtime ignore each control message for which `accept(session_id, message_type)` is False.

    Idempotent: once filtered, later calls change nothing."""
    original = Runtime.handle_backmsg
    if getattr(original, "gated", False):
        return

    @functools.wraps(original)
    def handle_backmsg(self, session_id, msg, **kwargs):
        if not accept(session_id, msg.WhichOneof("type")):
            return None
        return original(self, session_id, msg, **kwargs)

    handle_backmsg.gated = True
    Runtime.handle_backmsg = handle_backmsg


# --- Streamlit's first multipage mode -----------------------------------------------------------------------------


def leave_pages_directory_mode() -> bool:
    """Switch off the old `pages/` mode if this server is still in it; True if it was."""
    if not PagesManager.uses_pages_directory:
        return False
    PagesManager.uses_pages_directory = False
    return True


# --- the assumptions, checked ---------------------------------------------------------------------------------------


def internals_missing(message_types: Iterable[str] = ()) -> list[str]:
    """Each assumption above that the installed Streamlit breaks, naming its version; empty when all hold.

    `message_types`: control-message types the caller acts on, which must still exist."""
    missing = []
    chart_code = chart_code_file()
    if chart_code is None:
        missing.append(f"exactly one {CHART_CODE_GLOB} in {STATIC_JS} (found {len(list(STATIC_JS.glob('*.js')))} js)")
    elif not imported_files(chart_code):
        missing.append(f'{chart_code} imports other files as import"./x.js" (none found)')
    if not INDEX_HTML.is_file() or b"</head>" not in INDEX_HTML.read_bytes():
        missing.append(f"the page {INDEX_HTML} with a </head>")
    parameters = list(inspect.signature(Runtime.handle_backmsg).parameters)
    if parameters[:3] != ["self", "session_id", "msg"]:
        missing.append(f"Runtime.handle_backmsg(self, session_id, msg) (found {parameters})")
    missing += [f"Runtime.{name}" for name in ("exists", "instance", "is_active_session") if not hasattr(Runtime, name)]
    if starlette_routes.BASE_ROUTE_UPLOAD_FILE != UPLOAD_ROUTE:
        missing.append(f"the upload route {UPLOAD_ROUTE} (found {starlette_routes.BASE_ROUTE_UPLOAD_FILE})")
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

    if "file_storage" not in inspect.getsource(MemoryUploadedFileManager.__init__):
        missing.append("MemoryUploadedFileManager.file_storage")
    from streamlit.runtime.scriptrunner import ScriptRunContext

    fields = {field.name for field in dataclasses.fields(ScriptRunContext)}
    missing += [f"ScriptRunContext.{name}" for name in ("session_id", "fragment_ids_this_run") if name not in fields]
    from streamlit.proto.BackMsg_pb2 import BackMsg

    unknown = set(message_types) - {field.name for field in BackMsg.DESCRIPTOR.oneofs_by_name["type"].fields}
    if unknown:
        missing.append(f"BackMsg types {sorted(unknown)}")
    if "uses_pages_directory" not in PagesManager.__annotations__:
        missing.append("PagesManager.uses_pages_directory")
    return [f"Streamlit {st.__version__}: {item}" for item in missing]
