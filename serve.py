"""The web server: Streamlit's own, serving app.py, with the styles in the page's head and the chart code started at
page load (ui/page_shell.py), and in local mode the browser that brought the token remembered (ui/local_browser.py).

`make run` starts it with `streamlit run serve.py`, which finds `app` below and takes every `--server.*` option
and .streamlit/config.toml as usual. `streamlit run app.py` still works, with each first chart about 0.3 s later
and the styles mounted after each page's elements.
"""

import streamlit as st
from starlette.middleware import Middleware

from ui.local_browser import LocalBrowser
from ui.page_shell import PageShell

app = st.App("app.py", middleware=[Middleware(LocalBrowser), Middleware(PageShell)])
