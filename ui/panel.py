"""A panel (expander) or menu (popover) whose contents are drawn only when it is opened.

The data tables under charts, the sources, the 2021 report's figures and each chart's download menu are used
by some people, some of the time; drawn up front they and their code compete with the page's first chart for
the server and for the browser's connections and main thread. Opening one reruns the page (from the cache)
and draws its contents.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

PANEL_KEY_PREFIX = "panel_"  # session-state keys of panels and menus (a test opens every one by this prefix)


def opened_panel(label: str, name: str) -> DeltaGenerator | None:
    """The panel, drawn closed or open as the user left it: the container to draw into while open, else None."""
    panel = st.expander(label, key=PANEL_KEY_PREFIX + name, on_change="rerun")
    return panel if panel.open else None


def opened_menu(label: str, name: str, *, icon: str) -> DeltaGenerator | None:
    """A popover button: the container to draw the menu's items into while it is open, else None."""
    menu = st.popover(label, icon=icon, width="stretch", key=PANEL_KEY_PREFIX + name, on_change="rerun")
    return menu if menu.open else None
