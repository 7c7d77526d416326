"""Every page runs inside app.py's frame: the sign-in gate, the sidebar and the error boundary.

Streamlit 1.67 still has its first multipage mode: when a folder named `pages/` sits beside the main
script, a fresh server (and every AppTest run) starts in that mode until some session has called
`st.navigation`, and in it a request for `/overview` runs `pages/overview.py` alone, without app.py.
The project keeps the `pages/` folder its users asked for, so each page calls `require_frame()` first:
if it was started without the frame, it switches the old mode off and reruns through app.py, which then
opens the same page (same URL and query string) behind the gate.
"""

from __future__ import annotations

import streamlit as st

from ui.streamlit_internals import leave_pages_directory_mode


def require_frame() -> None:
    if leave_pages_directory_mode():
        st.rerun()
