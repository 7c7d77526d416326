"""The frame: page config, navigation and the shared sidebar. No data work here."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from data import vocab
from ui import sidebar
from ui.common import show_unexpected_error
from ui.identity import show_identity, sign_in_gate

PAGES_DIR = Path(__file__).parent / "pages"

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
st.set_page_config(
    page_title="Dorset Council financial position", page_icon=":material/account_balance:", layout="wide"
)


def page(info: vocab.PageInfo) -> st.Page:
    return st.Page(
        PAGES_DIR / info.file, title=info.title, icon=info.icon, url_path=info.url_path, default=info is vocab.OVERVIEW
    )


try:
    actor = sign_in_gate()  # anonymous visitors get only the sign-in page: nothing below runs for them
except Exception as error:  # noqa: BLE001 - no traceback on screen, even from the gate
    show_unexpected_error(error)
    st.stop()

sections: dict[str, list[st.Page]] = {}
for info in vocab.PAGES:
    sections.setdefault(info.section, []).append(page(info))
navigation = st.navigation(sections)

try:
    sidebar.render()
    show_identity(actor)
    navigation.run()
except Exception as error:  # noqa: BLE001 - the last line of defence: no traceback on screen
    show_unexpected_error(error)
