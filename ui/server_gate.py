"""What Streamlit answers outside a page run, held to the sign-in gate: uploads, control messages, metrics.

The sign-in gate (ui/identity.sign_in_gate) decides what a page run shows. Streamlit also answers, without
running the page, anyone holding a session id, and every visitor of the sign-in or stop page holds one:
it stores uploaded files in memory (`PUT /_stcore/upload_file/<session>/<file>`), acts on control messages
on the websocket (`clear_cache` empties every user's cache) and publishes its counters (`/_stcore/metrics`).
So the gate records each session it lets through, with its role (`admit`), and here:

- an upload is accepted only into a session admitted with a role that may load data, only with a
  Content-Length, and only while the session holds at most UPLOAD_CAP_BYTES (one file and its replacement);
- a control message from a session not admitted is ignored unless the sign-in page itself needs it
  (running the page, the heartbeat, stopping a run); clearing the cache is for admins only;
- `/_stcore/metrics` is not answered at all.

Every use of Streamlit's internals is in this module: `Runtime.handle_backmsg`, the runtime's uploaded-file
storage, the upload route's path and the script-run context. tests/test_server_gate.py fails naming the
Streamlit version if an upgrade moves one of them (`internals_missing`).
"""

from __future__ import annotations

import functools
import inspect
import logging
import threading

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.web.server.starlette import starlette_routes

from data.access import ROLE_RANK
from data.load import MAX_FILE_BYTES

UPLOAD_ROLE = "admin"  # the role that may load data (data.load.apply requires it)
UPLOAD_CAP_BYTES = 2 * MAX_FILE_BYTES  # a file held by the uploader, and the one replacing it
MAX_ADMITTED = 5_000  # past this, sessions that have ended are forgotten
# What a session's sign-in or stop page needs: running the page (the sign-in button), the heartbeat, a stop.
UNGATED_MESSAGES = frozenset({"rerun_script", "app_heartbeat", "stop_script"})
ADMIN_MESSAGES = frozenset({"clear_cache", "set_run_on_save"})
UPLOAD_PATH = "/" + starlette_routes.BASE_ROUTE_UPLOAD_FILE + "/"
METRICS_PATH = "/_stcore/metrics"
log = logging.getLogger("finance_dashboard")

_admitted: dict[str, str] = {}  # session id -> role, for sessions whose last run passed the sign-in gate
_lock = threading.Lock()


# --- the rules (no Streamlit): tested directly -------------------------------------------------------------------


def message_allowed(role: str | None, message_type: str | None) -> bool:
    """Whether a control message of this type is acted on for a session admitted as `role` (None: not admitted)."""
    if message_type in UNGATED_MESSAGES:
        return True
    if role is None:
        return False
    return message_type not in ADMIN_MESSAGES or role == "admin"


def upload_refusal(role: str | None, held_bytes: int, content_length: str | None) -> tuple[int, str] | None:
    """The HTTP status and reason for refusing an upload into a session, or None to accept it."""
    if role is None or ROLE_RANK[role] < ROLE_RANK[UPLOAD_ROLE]:
        return 403, "Uploads are for signed-in users whose role may load data."
    if content_length is None or not content_length.isdigit():
        return 411, "An upload needs a Content-Length."
    if held_bytes + int(content_length) > UPLOAD_CAP_BYTES:
        return 413, f"This session already holds uploads; at most {UPLOAD_CAP_BYTES // 2**20} MB at a time."
    return None


# --- Streamlit's side -------------------------------------------------------------------------------------------


def admit(role: str | None) -> None:
    """Record that this session's run passed the sign-in gate as `role`, or (None) that it did not."""
    context = get_script_run_ctx()
    if context is None:
        return
    with _lock:
        if role is None:
            _admitted.pop(context.session_id, None)
            return
        _admitted[context.session_id] = role
        if len(_admitted) > MAX_ADMITTED:
            _forget_ended_sessions()


def role_of(session_id: str) -> str | None:
    with _lock:
        return _admitted.get(session_id)


def _forget_ended_sessions() -> None:
    """Caller holds _lock."""
    if not Runtime.exists():
        return
    runtime = Runtime.instance()
    for session_id in [s for s in _admitted if not runtime.is_active_session(s)]:
        del _admitted[session_id]


def held_upload_bytes(session_id: str) -> int:
    """The bytes of uploaded files Streamlit holds in memory for this session."""
    if not Runtime.exists():
        return 0
    storage = Runtime.instance().uploaded_file_mgr.file_storage.get(session_id, {})
    return sum(len(record.data) for record in list(storage.values()))


def install() -> None:
    """Make the runtime ignore control messages `message_allowed` refuses (idempotent)."""
    original = Runtime.handle_backmsg
    if getattr(original, "gated", False):
        return

    @functools.wraps(original)
    def handle_backmsg(self, session_id, msg, **kwargs):
        kind = msg.WhichOneof("type")
        role = role_of(session_id)
        if not message_allowed(role, kind):
            log.warning("ignored a %s message from session %s (%s)", kind, session_id[:8], role or "not signed in")
            return None
        return original(self, session_id, msg, **kwargs)

    handle_backmsg.gated = True
    Runtime.handle_backmsg = handle_backmsg


def internals_missing() -> list[str]:
    """The Streamlit internals this module relies on that this Streamlit version does not have."""
    missing = []
    parameters = list(inspect.signature(Runtime.handle_backmsg).parameters)
    if parameters[:3] != ["self", "session_id", "msg"]:
        missing.append(f"Runtime.handle_backmsg(self, session_id, msg) (found {parameters})")
    if starlette_routes.BASE_ROUTE_UPLOAD_FILE != "_stcore/upload_file":
        missing.append(f"the upload route _stcore/upload_file (found {starlette_routes.BASE_ROUTE_UPLOAD_FILE})")
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

    if "file_storage" not in inspect.getsource(MemoryUploadedFileManager.__init__):
        missing.append("MemoryUploadedFileManager.file_storage")
    from streamlit.proto.BackMsg_pb2 import BackMsg

    unknown = (UNGATED_MESSAGES | ADMIN_MESSAGES) - {
        field.name for field in BackMsg.DESCRIPTOR.oneofs_by_name["type"].fields
    }
    if unknown:
        missing.append(f"BackMsg types {sorted(unknown)}")
    return [f"Streamlit {st.__version__}: {item}" for item in missing]


class ServerGate:
    """ASGI middleware: uploads only into admitted sessions that may load, with a cap; no metrics."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path.endswith(METRICS_PATH):
                await _answer(send, 404, "Not found")
                return
            if UPLOAD_PATH in path and scope["method"] in ("PUT", "DELETE"):
                session_id = path.split(UPLOAD_PATH, 1)[1].split("/", 1)[0]
                headers = dict(scope["headers"])
                length = headers.get(b"content-length")
                role = role_of(session_id)
                if scope["method"] == "PUT":
                    held = held_upload_bytes(session_id) if role else 0
                    refusal = upload_refusal(role, held, length.decode("latin-1") if length else None)
                else:
                    refusal = None if role else (403, "Uploads are for signed-in users.")
                if refusal:
                    log.warning("refused an upload for session %s: %s", session_id[:8], refusal[1])
                    await _answer(send, *refusal)
                    return
        await self.app(scope, receive, send)


async def _answer(send, status: int, text: str) -> None:
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
