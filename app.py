"""The frame: page config, navigation and the shared sidebar. No data work here."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from data import vocab
from ui import sidebar
from ui.common import show_unexpected_error, show_write_failure
from ui.identity import show_identity, sign_in_gate

PAGES_DIR = Path(__file__).parent / "pages"

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
st.set_page_config(
    page_title="Dorset Council financial position", page_icon=":material/account_balance:", layout="wide"
)


# The default page is served at `/` yet reserves its own name too; so it is named "home", leaving `/overview`
# (its title, as a bookmark or typed from the sidebar label) to a hidden page that opens it.
DEFAULT_URL_PATH = "home"


def page(info: vocab.PageInfo) -> st.Page:
    default = info is vocab.OVERVIEW
    return st.Page(
        PAGES_DIR / info.file,
        title=info.title,
        icon=info.icon,
        url_path=DEFAULT_URL_PATH if default else info.url_path,
        default=default,
    )


try:
    actor = sign_in_gate()  # anonymous visitors get only the sign-in page: nothing below runs for them
except Exception as error:  # noqa: BLE001 - no traceback on screen, even from the gate
    show_unexpected_error(error)
    st.stop()

sections: dict[str, list[st.Page]] = {}
for info in vocab.PAGES:
    sections.setdefault(info.section, []).append(page(info))
overview = sections[vocab.OVERVIEW.section][0]


def overview_by_name() -> None:
    """`/overview` opens the Overview at `/`, keeping the query (the as-at date)."""
    st.switch_page(overview, query_params=st.query_params.to_dict())


sections[vocab.OVERVIEW.section].append(
    st.Page(overview_by_name, title=vocab.OVERVIEW.title, url_path=vocab.OVERVIEW.url_path, visibility="hidden")
)
navigation = st.navigation(sections)

try:
    sidebar.render()
    show_identity(actor)
    navigation.run()
    show_write_failure()  # a failed write callback on a page that did not show it itself
except Exception as error:  # noqa: BLE001 - the last line of defence: no traceback on screen
    show_unexpected_error(error)
