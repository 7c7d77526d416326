"""What Streamlit answers outside a page run, held to the sign-in gate (ui/server_gate.py): uploads only from
sessions past the gate whose role may load, with a per-session cap; control messages from sessions not past
it ignored; no metrics for anyone; a stop page that does not name the operating-system user. The rules
directly, the runtime's own handler, and the running server in headless Chromium."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime import Runtime

from data.access import operating_system_user
from tests.support.helpers import browser_context, wait_for_app
from ui import server_gate

pytestmark = pytest.mark.shared_server  # one server: the browser tests only read
MB = 2**20


@pytest.mark.parametrize(
    ("role", "message", "allowed"),
    [
        (None, "rerun_script", True),  # the sign-in page runs, and its button works
        (None, "app_heartbeat", True),
        (None, "clear_cache", False),
        (None, "file_urls_request", False),
        (None, "backend_operation_request", False),
        (None, "set_run_on_save", False),
        ("viewer", "clear_cache", False),
        ("viewer", "file_urls_request", True),
        ("editor", "backend_operation_request", True),
        ("admin", "clear_cache", True),
    ],
)
def test_a_control_message_is_acted_on_only_as_the_sessions_role_allows(role, message, allowed):
    assert server_gate.message_allowed(role, message) is allowed


@pytest.mark.parametrize(
    ("role", "held", "length", "status"),
    [
        (None, 0, "100", 403),
        ("viewer", 0, "100", 403),
        ("editor", 0, "100", 403),
        ("admin", 0, None, 411),
        ("admin", 0, "100", None),
        ("admin", 25 * MB, str(15 * MB), None),
        ("admin", 30 * MB, str(15 * MB), 413),
    ],
)
def test_an_upload_is_accepted_only_from_a_session_that_may_load_and_holds_little(role, held, length, status):
    refusal = server_gate.upload_refusal(role, held, length)
    assert (refusal[0] if refusal else None) == status


def test_the_runtime_ignores_a_clear_cache_from_a_session_not_past_the_gate(monkeypatch):
    handled: list[str] = []
    monkeypatch.setattr(Runtime, "handle_backmsg", lambda self, session_id, msg, **kw: handled.append(session_id))
    server_gate.install()
    clear = BackMsg(clear_cache=True)
    Runtime.handle_backmsg(None, "anonymous-session", clear)
    Runtime.handle_backmsg(None, "anonymous-session", BackMsg(rerun_script={"query_string": ""}))
    monkeypatch.setitem(server_gate._admitted, "admin-session", "admin")
    Runtime.handle_backmsg(None, "admin-session", clear)
    assert handled == ["anonymous-session", "admin-session"]  # the rerun, and the admin's clear


def test_the_server_entry_point_installs_the_gate():
    import serve

    assert getattr(Runtime.handle_backmsg, "gated", False)
    assert any(entry.cls is server_gate.ServerGate for entry in serve.app._user_middleware)


# --- the running server ------------------------------------------------------------------------------------------


def session_of(page) -> list[str]:
    """Collects this page's Streamlit session id from the websocket's first message."""
    found: list[str] = []

    def on_frame(payload) -> None:
        if isinstance(payload, (bytes, bytearray)) and not found:
            message = ForwardMsg()
            try:
                message.ParseFromString(bytes(payload))
            except Exception:  # noqa: BLE001 - not every frame is a ForwardMsg worth reading
                return
            if message.WhichOneof("type") == "new_session":
                found.append(message.new_session.initialize.session_id)

    page.on("websocket", lambda socket: socket.on("framereceived", on_frame))
    return found


UPLOAD = """async ([url, size]) => {
    const xsrf = (document.cookie.match(/_streamlit_xsrf=([^;]+)/) || [])[1] || '';
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(size)]), 'extract.csv');
    const response = await fetch(url, {method: 'PUT', body: form, headers: {'X-Xsrftoken': xsrf}});
    return response.status;
}"""


def upload(page, base: str, session_id: str, file_id: str, size: int) -> int:
    return page.evaluate(UPLOAD, [f"{base}/_stcore/upload_file/{session_id}/{file_id}", size])


@pytest.mark.browser
def test_a_visitor_without_the_token_can_upload_nothing_and_is_not_told_the_user(live_app, chromium_browser):
    context = browser_context(chromium_browser, token=False)
    page = context.new_page()
    try:
        session = session_of(page)
        page.goto(live_app)
        page.get_by_text("open the link from the terminal").first.wait_for()
        page.wait_for_function("() => document.querySelector('.stApp')?.dataset.testScriptState === 'notRunning'")
        assert session, "the session id was not seen"
        assert upload(page, live_app, session[0], "a", 1000) == 403
        assert upload(page, live_app, session[0], "b", 5 * MB) == 403
        text = page.locator("[data-testid='stMain']").inner_text()
    finally:
        context.close()
    assert "open the link from the terminal" in text and operating_system_user() not in text
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{live_app}/_stcore/metrics", timeout=30)
    assert refused.value.code == 404


@pytest.mark.browser
def test_a_session_that_may_load_uploads_up_to_its_cap(live_app, chromium_browser):
    context = browser_context(chromium_browser)
    page = context.new_page()
    try:
        session = session_of(page)
        page.goto(live_app)
        wait_for_app(page)
        assert session, "the session id was not seen"
        sizes = [15 * MB, 15 * MB, 15 * MB]
        statuses = [upload(page, live_app, session[0], f"f{n}", size) for n, size in enumerate(sizes)]
    finally:
        context.close()
    assert [status < 300 for status in statuses] == [True, True, False] and statuses[2] == 413, statuses
