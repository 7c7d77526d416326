"""The frame: page config, navigation and the shared sidebar. No data work here."""

from __future__ import annotations

import logging

import streamlit as st

from data.redact import scrub_output
from ui import navigation as app_navigation
from ui import sidebar
from ui.common import held_database, show_unexpected_error, show_write_failure
from ui.document import FAVICON, apply_styles, begin_full_run, end_full_run, set_page_language, sidebar_in_two_parts
from ui.identity import show_identity, sign_in_gate

scrub_output()  # before anything is logged: no password reaches the server log (data/redact.py)
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
st.set_page_config(page_title="Dorset Council financial position", page_icon=str(FAVICON), layout="wide")

try:
    actor = sign_in_gate()  # anonymous visitors get only the sign-in page: nothing below runs for them
except Exception as error:  # noqa: BLE001 - no traceback on screen, even from the gate
    show_unexpected_error(error)
    set_page_language()
    st.stop()

navigation_pages = app_navigation.pages()
navigation = st.navigation(app_navigation.with_overview_by_name(navigation_pages), position="hidden")


def show_filters(shown: sidebar.SidebarFigures) -> None:
    try:
        sidebar.draw(shown)
    except Exception as error:  # noqa: BLE001 - a run of its own on a first page (ui.document.sidebar_in_two_parts)
        show_unexpected_error(error)


begin_full_run()
with held_database():
    try:
        app_navigation.sidebar_links(navigation_pages)
        sidebar.read_filters()
        navigation.run()
        show_write_failure()  # a failed write callback on a page that did not show it itself
    except Exception as error:  # noqa: BLE001 - the last line of defence: no traceback on screen
        show_unexpected_error(error)
    # The sidebar's filters are drawn after the page, so the page's first chart reaches the browser before
    # the widgets and their code (pages read the filters from the session and the address).
    try:
        sidebar_in_two_parts(show_filters, sidebar.read())
        # Never in a part sent later: "Sign out" ends the session with a redirect, which a rerun would drop.
        show_identity(actor)
    except Exception as error:  # noqa: BLE001
        show_unexpected_error(error)
# Last, so the page's own elements (and the code they need) reach the browser first: the document's language
# and width element, and the focus styles. The sign-in and refusal pages mount them themselves.
set_page_language()
apply_styles()
end_full_run()
