"""The middleware that puts the styles in the page's head and starts the chart code at page load
(ui/page_shell.py), on a small Starlette app; and the server setting that keeps first visits quick.

The real server (`make run`, serve.py) is covered in tests/browser/test_make_run.py.
"""

from __future__ import annotations

import asyncio
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient
from streamlit import config as st_config

from tests.support.helpers import PROJECT_DIR
from ui import page_shell
from ui.document import language_script
from ui.page_shell import STATIC_JS, PageShell, chart_code_file, chart_code_tag, imported_files, styles_tag

DOCUMENT = (
    '<html><head><title>x</title><link rel="modulepreload" href="./static/js/shared.js">'
    + "<!-- padding -->" * 200
    + "</head><body></body></html>"
)
STYLES = "[data-testid='stMetric'] p { white-space: normal !important; }"
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Encoding": "gzip, deflate"}


def chart_code_folder(folder: Path) -> Path:
    """A build's files: the chart code imports one file the document preloads and one it does not."""
    (folder / "PlotlyChart.test.js").write_text('import{a}from"./shared.js";import"./only-charts.js";var x=1;')
    (folder / "shared.js").write_text("export const a = 1;")
    (folder / "only-charts.js").write_text('import"./shared.js";')
    return folder


def styles_file(folder: Path) -> Path:
    (folder / "document.css").write_text(STYLES)
    return folder / "document.css"


REPORT = "<html><head><title>Action plan progress</title></head><body>a saved committee report</body></html>"


def shell_app(folder: Path, file_name: str | None = "PlotlyChart.test.js") -> TestClient:
    (folder / "index.html").write_text(DOCUMENT)
    (folder / "report.html").write_text(REPORT)

    async def document(request):
        return FileResponse(folder / "index.html")  # as Streamlit sends it: with ETag, Last-Modified and Range

    async def report(request):
        return FileResponse(folder / "report.html")

    async def other_page(request):
        return HTMLResponse(REPORT)

    async def no_head(request):
        return HTMLResponse("<p>no head here</p>")

    async def missing(request):
        return HTMLResponse(DOCUMENT, status_code=404)

    async def health(request):
        return JSONResponse({"ok": True, "padding": "x" * 2000})

    async def script(request):
        return Response("console.log(1)", media_type="text/javascript")

    routes = [
        Route("/", document, methods=["GET", "HEAD"]),
        Route("/directorates", document),
        Route("/no-head", no_head),
        Route("/missing", missing),
        Route("/_stcore/health", health),
        Route("/static/js/app.js", script),
        Route("/media/report.html", report, methods=["GET", "HEAD"]),
        Route("/other", other_page),
    ]
    # Streamlit gzips page paths inside its own stack; the project's middleware runs outside it.
    shell = Middleware(
        PageShell, file_name=file_name, folder=folder, styles=styles_file(folder), index=folder / "index.html"
    )
    middleware = [shell, Middleware(GZipMiddleware, minimum_size=100)]
    return TestClient(Starlette(routes=routes, middleware=middleware))


def test_streamlit_ships_exactly_one_chart_code_file():
    # Fails after a Streamlit upgrade that renames or splits the file: find the new name, re-measure.
    name = chart_code_file()
    assert name is not None, f"no single PlotlyChart.*.js in {STATIC_JS}"
    assert (STATIC_JS / name).stat().st_size > 1_000_000


def test_the_files_the_chart_code_imports_are_found_through_each_other(tmp_path):
    assert imported_files("PlotlyChart.test.js", chart_code_folder(tmp_path)) == ["shared.js", "only-charts.js"]
    real = imported_files(chart_code_file())
    assert real and all((STATIC_JS / name).is_file() for name in real)


def test_every_document_gets_the_styles_and_the_import_once_at_the_end_of_its_head(tmp_path):
    client = shell_app(chart_code_folder(tmp_path))
    for path in ("/", "/directorates"):
        response = client.get(path, headers=BROWSER)
        assert response.status_code == 200
        assert "content-encoding" not in response.headers, "documents are sent uncompressed so the tag fits"
        text = response.text
        # what the document already preloads is not preloaded twice
        tag = chart_code_tag("PlotlyChart.test.js", ["only-charts.js"]).decode()
        assert text.count(tag) == 1
        assert text.index(tag) < text.index("</head>") < text.index("<body>")
        # the styles first, so they hold from the first paint
        assert text.count(f"<style>{STYLES}</style>") == 1
        assert text.index("<title>") < text.index(f"<style>{STYLES}</style>") < text.index(tag)
        assert int(response.headers["content-length"]) == len(response.content)


def test_everything_else_is_passed_through_untouched(tmp_path):
    client = shell_app(chart_code_folder(tmp_path))
    health = client.get("/_stcore/health", headers=BROWSER | {"Accept": "application/json"})
    assert health.headers["content-encoding"] == "gzip", "non-documents keep their compression"
    assert health.json()["ok"] is True
    script = client.get("/static/js/app.js", headers=BROWSER)
    assert script.text == "console.log(1)"
    for path in ("/no-head", "/missing"):
        response = client.get(path, headers=BROWSER)
        assert "PlotlyChart" not in response.text and "<style>" not in response.text
    head = client.head("/", headers=BROWSER)
    assert head.content == b""
    # not a browser's navigation (a script's fetch): left as it was, compression and all
    fetched = client.get("/", headers={"Accept": "*/*", "Accept-Encoding": "gzip"})
    assert fetched.headers["content-encoding"] == "gzip"
    assert "PlotlyChart" not in fetched.text and "<style>" not in fetched.text


def test_only_the_apps_own_page_is_touched_never_a_saved_report_or_another_document(tmp_path):
    client = shell_app(chart_code_folder(tmp_path))
    report = client.get("/media/report.html", headers=BROWSER)
    assert report.text == REPORT and "etag" in report.headers, "a file under /media/ is sent as it was saved"
    head = client.head("/media/report.html", headers=BROWSER)
    assert head.headers["etag"] == report.headers["etag"]
    assert int(head.headers["content-length"]) == len(REPORT)
    part = client.get("/media/report.html", headers=BROWSER | {"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.content == REPORT.encode()[:10]
    other = client.get("/other", headers=BROWSER)  # a page's address, but not Streamlit's page
    assert other.text == REPORT


def test_the_apps_page_is_whole_and_its_headers_agree_with_its_body(tmp_path):
    client = shell_app(chart_code_folder(tmp_path))
    page = client.get("/", headers=BROWSER)
    assert "<style>" in page.text and "etag" not in page.headers and "last-modified" not in page.headers
    head = client.head("/", headers=BROWSER)
    assert head.content == b"" and head.headers["content-length"] == page.headers["content-length"]
    ranged = client.get("/", headers=BROWSER | {"Range": "bytes=0-9"})
    assert ranged.status_code == 200 and ranged.content == page.content
    again = client.get("/", headers=BROWSER | {"If-None-Match": "*"})
    assert again.status_code == 200 and again.content == page.content


def test_streamlits_page_is_where_the_shell_looks_for_it():
    assert page_shell.INDEX_HTML.is_file() and b"</head>" in page_shell.INDEX_HTML.read_bytes()


def test_a_server_that_sends_files_itself_still_gets_the_tag(tmp_path):
    # Starlette sends a file as a path when the server offers ASGI's pathsend: the document must come as a body
    sent = []
    document_file = tmp_path / "index.html"
    document_file.write_text(DOCUMENT)

    async def app(scope, receive, send):
        await FileResponse(document_file)(scope, receive, send)

    requested = []
    finished = asyncio.Event()

    async def receive():  # the request, then a disconnect once the response is complete
        if not requested:
            requested.append(True)
            return {"type": "http.request", "body": b""}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            finished.set()

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": [(b"accept", b"text/html")],
        "extensions": {"http.response.pathsend": {}},
    }
    shell = PageShell(
        app,
        file_name="PlotlyChart.test.js",
        folder=chart_code_folder(tmp_path),
        styles=styles_file(tmp_path),
        index=document_file,
    )
    # In a thread of its own: a browser test earlier in this worker leaves Playwright's event loop on this one
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, asyncio.wait_for(shell(scope, receive, send), timeout=10)).result()
    assert [message["type"] for message in sent] == ["http.response.start", "http.response.body"]
    assert b"PlotlyChart.test.js" in sent[-1]["body"]


def test_without_the_chart_code_file_only_the_styles_and_the_language_are_added(monkeypatch, tmp_path):
    monkeypatch.setattr(page_shell, "chart_code_file", lambda: None)
    response = shell_app(tmp_path, file_name=None).get("/", headers=BROWSER)
    language = f"<script>{language_script()}</script>"
    assert response.text == DOCUMENT.replace("</head>", f"<style>{STYLES}</style>{language}</head>")


def test_the_projects_styles_can_be_inlined_and_a_closing_tag_cannot():
    assert styles_tag(page_shell.STYLES.read_text()).startswith(b"<style>")
    with pytest.raises(ValueError, match="must not contain"):
        styles_tag("p { color: red } </style><script>alert(1)</script>")


def test_the_server_watches_no_files_and_streamlit_reads_the_setting():
    # Streamlit's watcher scans every imported module after each new session's first run (~0.25 s of the
    # server's lock on every first visit); a deployed dashboard does not reload on a code change.
    settings = tomllib.loads((PROJECT_DIR / ".streamlit" / "config.toml").read_text())
    assert settings["server"]["fileWatcherType"] == "none"
    assert st_config.get_option("server.fileWatcherType") == "none"
