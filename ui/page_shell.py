"""The page the browser loads before the app runs: Streamlit's own, with the project's styles in its head and
told to start on the chart code at once.

The styles (ui/document.css: focus ring, wrapped figure labels, tables that wrap) are in the document from
its first paint. The app also mounts them (ui.document.apply_styles), but last, after the page's elements:
on a busy machine the page was drawn for a second with figure labels cut short by Streamlit's ellipsis.

Streamlit fetches its Plotly code (a 4.7 MB module whose evaluation holds the browser's main thread for about
0.6 s) only when a page's first chart arrives, so every first visit waits for it after the page has run.
This middleware adds to the HTML document a script that starts that import as soon as Streamlit's own
code has run, and preload links for the three small files it imports that the document does not already
preload: the evaluation then overlaps the websocket handshake and the page's run on the server, and the
first chart is drawn as soon as it arrives. It is the same file Streamlit imports later, so the browser
loads and evaluates it once. (Preloading the big file itself from the start, or importing it only once
the page's heading is drawn, were both slower: its download then competes with Streamlit's own files.)

Streamlit's file names are found in ui/streamlit_internals.py. If an upgrade renames the file, only the styles
are added and the app works as before, only slower; tests/unit/test_streamlit_internals.py fails so that the name is
found again.

Only the app's own page is touched: a GET or HEAD for a page's address (the root or one segment with no dot,
never /media/, /static/ or /_stcore/) whose answer is, byte for byte, Streamlit's index.html. Anything else
navigated to (a committee report saved under /media/) is passed through as it was. The page's answer is made
whole and consistent: asked for without Range or validators, sent without the file's ETag and Last-Modified
(which describe the file, not the page sent), and a HEAD gets the same headers as the GET.
"""

from __future__ import annotations

from pathlib import Path

from streamlit import config as st_config

from ui.document import STYLES, language_script
from ui.streamlit_internals import INDEX_HTML, STATIC_JS, chart_code_file, imported_files

# Request headers that would make the answer partial, compressed or empty (304), so that no tag could go in.
_DROPPED_REQUEST_HEADERS = (b"accept-encoding", b"range", b"if-range", b"if-none-match", b"if-modified-since")
_DROPPED_RESPONSE_HEADERS = (b"content-length", b"etag", b"last-modified", b"accept-ranges")


def chart_code_tag(file_name: str, preload: list[str] = ()) -> bytes:
    # Relative like Streamlit's own links, so it holds under a base URL path and on every page's URL. A
    # failed import is harmless: Streamlit imports the file again when a chart arrives.
    links = "".join(f'<link rel="modulepreload" crossorigin href="./static/js/{name}">' for name in preload)
    script = f'<script type="module">import("./static/js/{file_name}").catch(() => {{}});</script>'
    return (links + script).encode()


def styles_tag(css: str) -> bytes:
    if "</" in css:  # would end the style element early
        raise ValueError("a stylesheet inlined in the page must not contain '</'")
    return f"<style>{css}</style>".encode()


class PageShell:
    """ASGI middleware: adds `styles_tag` and `chart_code_tag` to the end of `<head>` in each HTML document."""

    def __init__(
        self,
        app,
        file_name: str | None = None,
        folder: Path = STATIC_JS,
        styles: Path = STYLES,
        index: Path = INDEX_HTML,
        base_path: str | None = None,
    ) -> None:
        self.app = app
        self.index = index.read_bytes()
        base = st_config.get_option("server.baseUrlPath") if base_path is None else base_path
        self.base = "/" + base.strip("/") if base.strip("/") else ""
        self.styles = styles_tag(styles.read_text(encoding="utf-8")) + f"<script>{language_script()}</script>".encode()
        self.file_name = file_name or chart_code_file()  # None: only the styles are added
        self.imports = imported_files(self.file_name, folder) if self.file_name else []

    def tag_for(self, document: bytes) -> bytes:
        """The tags, preloading only what the document does not already preload."""
        if self.file_name is None:
            return self.styles
        missing = [name for name in self.imports if f"/{name}".encode() not in document]
        return self.styles + chart_code_tag(self.file_name, missing)

    def is_page_path(self, path: str) -> bool:
        """The root, or one segment with no dot (a page's url_path), under the server's base path."""
        if self.base and not (path == self.base or path.startswith(self.base + "/")):
            return False
        segments = [segment for segment in path[len(self.base) :].split("/") if segment]
        return len(segments) <= 1 and not any("." in segment or segment.startswith("_") for segment in segments)

    async def __call__(self, scope, receive, send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not _asks_for_html(scope)
            or not self.is_page_path(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        is_head = scope["method"] == "HEAD"
        # The document is a few kB: asked for whole, uncompressed (Streamlit gzips pages' paths) and afresh so the
        # tag can go in; a HEAD is answered from the same GET, so its headers are the page's.
        headers = [(name, value) for name, value in scope["headers"] if name not in _DROPPED_REQUEST_HEADERS]
        # and as body messages, not as a path for the server to send itself (ASGI's pathsend extension)
        extensions = {name: value for name, value in scope.get("extensions", {}).items() if "pathsend" not in name}
        scope = {**scope, "method": "GET", "headers": headers, "extensions": extensions}
        held: dict = {}
        body: list[bytes] = []

        async def send_with_tag(message) -> None:
            if message["type"] == "http.response.start":
                response_headers = dict(message["headers"])
                is_html = response_headers.get(b"content-type", b"").startswith(b"text/html")
                if is_html and message["status"] == 200 and b"content-encoding" not in response_headers:
                    held["start"] = message
                    return
            elif message["type"] == "http.response.body" and "start" in held:
                body.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                document = b"".join(body)
                start = held.pop("start")
                start_headers = start["headers"]
                if document == self.index and b"</head>" in document:
                    document = document.replace(b"</head>", self.tag_for(document) + b"</head>", 1)
                    start_headers = [(name, value) for name, value in start_headers
                                     if name not in _DROPPED_RESPONSE_HEADERS]  # fmt: skip
                    start_headers.append((b"content-length", str(len(document)).encode()))
                await send({**start, "headers": start_headers})
                await send({"type": "http.response.body", "body": b"" if is_head else document})
                return
            elif message["type"] == "http.response.body" and is_head:
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, send_with_tag)


def _asks_for_html(scope) -> bool:
    accept = dict(scope["headers"]).get(b"accept", b"")
    return b"text/html" in accept
