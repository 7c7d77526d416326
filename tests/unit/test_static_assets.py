"""Streamlit's immutable static files are answered from memory after the first time, exactly as Streamlit sent
them; every other answer is still Streamlit's own (ui/static_assets.py in front of Streamlit's real handler)."""

from __future__ import annotations

import httpx
import pytest
from starlette.testclient import TestClient
from streamlit.web.server.starlette.starlette_static_routes import create_streamlit_static_handler

from ui.static_assets import StaticAssets

SCRIPT = b"console.log('chart code');\n" * 200


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "static" / "js" / "chart.abc123.js").write_bytes(SCRIPT)
    (tmp_path / "index.html").write_bytes(b"<html>first</html>")
    return tmp_path


def get(app, path: str, method: str = "GET", headers: dict | None = None) -> httpx.Response:
    # Starlette's client runs the app in its own thread and loop, whatever loop a browser test left behind
    return TestClient(app).request(method, path, headers=headers)  # no lifespan: the handler has none


def test_a_static_file_is_answered_as_streamlit_answered_it_even_once_gone_from_disk(folder):
    app = StaticAssets(create_streamlit_static_handler(str(folder), None))
    first = get(app, "/static/js/chart.abc123.js")
    (folder / "static" / "js" / "chart.abc123.js").unlink()
    second = get(app, "/static/js/chart.abc123.js")
    assert first.status_code == second.status_code == 200
    assert second.content == first.content == SCRIPT
    assert second.headers == first.headers
    assert "immutable" in second.headers["cache-control"]
    assert app.held_bytes == len(SCRIPT)


def test_a_head_request_gets_the_headers_and_no_body(folder):
    app = StaticAssets(create_streamlit_static_handler(str(folder), None))
    get(app, "/static/js/chart.abc123.js")
    head = get(app, "/static/js/chart.abc123.js", method="HEAD")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(SCRIPT))


def test_the_page_itself_is_never_kept(folder):
    app = StaticAssets(create_streamlit_static_handler(str(folder), None))
    assert get(app, "/index.html").content == b"<html>first</html>"
    (folder / "index.html").write_bytes(b"<html>second</html>")
    assert get(app, "/index.html").content == b"<html>second</html>"
    assert app.answers == {}


def test_a_ranged_or_conditional_request_is_still_streamlits_to_answer(folder):
    app = StaticAssets(create_streamlit_static_handler(str(folder), None))
    whole = get(app, "/static/js/chart.abc123.js")
    ranged = get(app, "/static/js/chart.abc123.js", headers={"Range": "bytes=0-9"})
    assert ranged.status_code == 206
    assert ranged.content == SCRIPT[:10]
    unchanged = get(app, "/static/js/chart.abc123.js", headers={"If-None-Match": whole.headers["etag"]})
    assert unchanged.status_code == 304


def test_a_missing_file_is_not_kept(folder):
    app = StaticAssets(create_streamlit_static_handler(str(folder), None))
    get(app, "/static/js/missing.js")  # Streamlit answers with its page (no-cache), for the browser's router
    assert app.answers == {}


def test_memory_held_is_bounded(folder):
    app = StaticAssets(create_streamlit_static_handler(str(folder), None), most_bytes=len(SCRIPT) - 1)
    assert get(app, "/static/js/chart.abc123.js").content == SCRIPT
    assert app.answers == {}
    assert app.held_bytes == 0


def test_an_answer_that_sets_a_cookie_is_never_kept_for_other_browsers(folder, monkeypatch):
    """In local mode a request that says it accepts HTML and brings no browser cookie is answered with a
    return-address cookie (ui/local_browser.py), static files included: replayed, every browser got it."""
    from ui import local_browser

    monkeypatch.setattr(local_browser, "_signed_in_mode", lambda: False)  # local mode, on this machine
    monkeypatch.setattr(local_browser, "exposure", lambda *args, **kwargs: None)
    monkeypatch.setattr(local_browser, "local_token", lambda: "a-local-token-long-enough")
    app = StaticAssets(local_browser.LocalBrowser(create_streamlit_static_handler(str(folder), None)))
    first = get(app, "/static/js/chart.abc123.js", headers={"Accept": "text/html,*/*"})
    assert "set-cookie" in first.headers
    assert app.answers == {}
    assert "set-cookie" not in get(app, "/static/js/chart.abc123.js").headers
