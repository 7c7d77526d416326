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

The Streamlit internals this needs (the runtime's control-message handler and uploaded-file storage, the
upload route's path, the page run's session) are reached through ui/streamlit_internals.py.
"""

from __future__ import annotations

import logging
import threading

from data.access import ROLE_RANK
from data.load import MAX_FILE_BYTES
from ui import streamlit_internals
from ui.streamlit_internals import UPLOAD_PATH, held_upload_bytes

UPLOAD_ROLE = "admin"  # the role that may load data (data.load.apply requires it)
UPLOAD_CAP_BYTES = 2 * MAX_FILE_BYTES  # a file held by the uploader, and the one replacing it
MAX_ADMITTED = 5_000  # past this, sessions that have ended are forgotten
# What a session's sign-in or stop page needs: running the page (the sign-in button), the heartbeat, a stop.
UNGATED_MESSAGES = frozenset({"rerun_script", "app_heartbeat", "stop_script"})
ADMIN_MESSAGES = frozenset({"clear_cache", "set_run_on_save"})
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
    session_id = streamlit_internals.current_session_id()
    if session_id is None:
        return
    with _lock:
        if role is None:
            _admitted.pop(session_id, None)
            return
        _admitted[session_id] = role
        if len(_admitted) > MAX_ADMITTED:
            _forget_ended_sessions()


def role_of(session_id: str) -> str | None:
    with _lock:
        return _admitted.get(session_id)


def _forget_ended_sessions() -> None:
    """Caller holds _lock."""
    for session_id in streamlit_internals.ended_sessions(list(_admitted)):
        del _admitted[session_id]


def _accepts(session_id: str, message_type: str | None) -> bool:
    role = role_of(session_id)
    if message_allowed(role, message_type):
        return True
    log.warning("ignored a %s message from session %s (%s)", message_type, session_id[:8], role or "not signed in")
    return False


def install() -> None:
    """Make the runtime ignore control messages `message_allowed` refuses (idempotent)."""
    streamlit_internals.filter_control_messages(_accepts)


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
