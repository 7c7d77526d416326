"""The frame: page config, navigation and the shared sidebar. No data work here."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from ui import sidebar
from ui.common import show_unexpected_error
from ui.identity import show_identity, sign_in_gate

PAGES_DIR = Path(__file__).parent / "pages"

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
st.set_page_config(
    page_title="Dorset Council financial position", page_icon=":material/account_balance:", layout="wide"
)


def page(file: str, title: str, icon: str) -> st.Page:
    return st.Page(PAGES_DIR / file, title=title, icon=icon, url_path=Path(file).stem)


try:
    actor = sign_in_gate()  # anonymous visitors get only the sign-in page: nothing below runs for them
except Exception as error:  # noqa: BLE001 - no traceback on screen, even from the gate
    show_unexpected_error(error)
    st.stop()

# The default page is served at `/`, yet reserves its own name too; so it is named "home", leaving
# `/overview` (its title, bookmarked or typed) to a hidden page that opens it.
overview = st.Page(
    PAGES_DIR / "overview.py", title="Overview", icon=":material/dashboard:", url_path="home", default=True
)


def overview_by_name() -> None:
    """`/overview` (the default page's own name, bookmarked or typed) opens the Overview, keeping the query."""
    st.switch_page(overview, query_params=st.query_params.to_dict())


navigation = st.navigation(
    {
        "Financial position": [
            overview,
            st.Page(overview_by_name, title="Overview", url_path="overview", visibility="hidden"),
            page("budget_outturn.py", "Budget & outturn", ":material/payments:"),
            page("reserves.py", "Reserves", ":material/savings:"),
            page("dsg.py", "DSG & high needs", ":material/school:"),
        ],
        "Action plan": [page("action_plan.py", "Action plan", ":material/checklist:")],
        "Monitoring": [page("directorates.py", "Directorates", ":material/account_tree:")],
        "About the data": [page("data_sources.py", "Data & sources", ":material/source:")],
        "Export": [page("briefing.py", "Briefing pack", ":material/slideshow:")],
    }
)

try:
    sidebar.render()
    show_identity(actor)
    navigation.run()
except Exception as error:  # noqa: BLE001 - the last line of defence: no traceback on screen
    show_unexpected_error(error)
