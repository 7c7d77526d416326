"""The pages (data/vocab.py lists them), by section, and the sidebar's links to them.

Streamlit's own sidebar navigation puts its section headers inside the `<ul>` of links, so the
list's `<li>` items are not all children of the list (axe-core's `list` and `listitem` rules, WCAG
1.3.1). The app therefore registers the pages with `position="hidden"` (the URLs, `/budget_outturn?…`
deep links and `st.switch_page` all still work) and draws the links itself with `st.page_link`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from data import vocab

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"


def _page(info: vocab.PageInfo) -> st.Page:
    return st.Page(
        PAGES_DIR / info.file, title=info.title, icon=info.icon, url_path=info.url_path, default=info is vocab.OVERVIEW
    )


def pages() -> dict[str, list[st.Page]]:
    sections: dict[str, list[st.Page]] = {}
    for info in vocab.PAGES:
        sections.setdefault(info.section, []).append(_page(info))
    return sections


def sidebar_links(sections: dict[str, list[st.Page]]) -> None:
    """Each section's name, then a link per page; the current page's link is highlighted."""
    with st.sidebar:
        for section, section_pages in sections.items():
            st.caption(section)
            for page in section_pages:
                st.page_link(page, width="stretch")
