"""The pages, by section, and the sidebar's links to them.

Streamlit's own sidebar navigation puts its section headers inside the `<ul>` of links, so the
list's `<li>` items are not all children of the list (axe-core's `list` and `listitem` rules, WCAG
1.3.1). The app therefore registers the pages with `position="hidden"` (the URLs, `/budget_outturn?…`
deep links and `st.switch_page` all still work) and draws the links itself with `st.page_link`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"


@dataclass(frozen=True)
class PageEntry:
    file: str
    title: str
    icon: str
    default: bool = False


SECTIONS: dict[str, tuple[PageEntry, ...]] = {
    "Financial position": (
        PageEntry("overview.py", "Overview", ":material/dashboard:", default=True),
        PageEntry("budget_outturn.py", "Budget & outturn", ":material/payments:"),
        PageEntry("reserves.py", "Reserves", ":material/savings:"),
        PageEntry("dsg.py", "DSG & high needs", ":material/school:"),
    ),
    "Action plan": (PageEntry("action_plan.py", "Action plan", ":material/checklist:"),),
    "Monitoring": (PageEntry("directorates.py", "Directorates", ":material/account_tree:"),),
    "About the data": (PageEntry("data_sources.py", "Data & sources", ":material/source:"),),
    "Export": (PageEntry("briefing.py", "Briefing pack", ":material/slideshow:"),),
    "About this dashboard": (PageEntry("accessibility.py", "Accessibility", ":material/accessibility_new:"),),
}


def _page(entry: PageEntry) -> st.Page:
    return st.Page(
        PAGES_DIR / entry.file,
        title=entry.title,
        icon=entry.icon,
        url_path=Path(entry.file).stem,
        default=entry.default,
    )


def pages() -> dict[str, list[st.Page]]:
    return {section: [_page(entry) for entry in entries] for section, entries in SECTIONS.items()}


def sidebar_links(sections: dict[str, list[st.Page]]) -> None:
    """Each section's name, then a link per page; the current page's link is highlighted."""
    with st.sidebar:
        for section, section_pages in sections.items():
            st.caption(section)
            for page in section_pages:
                st.page_link(page, width="stretch")
