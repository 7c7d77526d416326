"""The web server: Streamlit's own, serving app.py, with the styles in the page's head and the chart code started at
page load (ui/page_shell.py), Streamlit's own script files answered from memory once served (ui/static_assets.py),
and in local mode the browser that brought the token remembered (ui/local_browser.py).

`make run` starts it with `streamlit run serve.py`, which finds `app` below and takes every `--server.*` option
and .streamlit/config.toml as usual. `streamlit run app.py` still works, with each first chart about 0.3 s later
and the styles mounted after each page's elements (and without `/readyz`, the readiness check in ui/readiness.py,
or the switch interval set below).
"""

import sys

import streamlit as st
from starlette.middleware import Middleware
from starlette.routing import Route

from data.redact import scrub_output
from ui import server_gate
from ui.identity import ConfigurationError, auth_configured, local_token
from ui.local_browser import LocalBrowser
from ui.page_shell import PageShell
from ui.readiness import readyz
from ui.static_assets import StaticAssets

SWITCH_INTERVAL_S = 0.0005

scrub_output()  # every line the server prints or logs, from here on (data/redact.py)
# Page runs share this interpreter with the web server's event loop, which sends the page's files: hand the
# lock over every 0.5 ms, not 5 ms, so a page being drawn does not hold up the browser's first chart (bench/).
sys.setswitchinterval(SWITCH_INTERVAL_S)

try:  # a bad token or sign-in setting would fail every request: say so once, and do not start
    if not auth_configured():
        local_token()
except ConfigurationError as error:
    print(f"error: {error}; the server was not started.", file=sys.stderr)
    raise SystemExit(2) from None

server_gate.install()  # control messages from sessions not past the sign-in gate are ignored
app = st.App(
    "app.py",
    middleware=[
        Middleware(StaticAssets),
        Middleware(LocalBrowser),
        Middleware(server_gate.ServerGate),
        Middleware(PageShell),
    ],
    routes=[Route("/readyz", readyz, methods=["GET", "HEAD"])],
)
