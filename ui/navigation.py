"""The pages (ui/pages_registry.py lists them), by section, and the sidebar's links to them.

Streamlit's own sidebar navigation puts its section headers inside the `<ul>` of links, so the
list's `<li>` items are not all children of the list (axe-core's `list` and `listitem` rules, WCAG
1.3.1). The app therefore registers the pages with `position="hidden"` (the URLs, `/budget_outturn?…`
deep links and `st.switch_page` all still work) and draws the links itself with `st.page_link`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import pages_registry as registry

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"


# The default page is served at `/` yet reserves its own name too; so it is named "home", leaving `/overview`
# (its title, as a bookmark or typed from the sidebar label) to a hidden page that opens it.
DEFAULT_URL_PATH = "home"


def _page(info: registry.PageInfo) -> st.Page:
    default = info is registry.OVERVIEW
    return st.Page(
        PAGES_DIR / info.file,
        title=info.title,
        icon=info.icon,
        url_path=DEFAULT_URL_PATH if default else info.url_path,
        default=default,
    )


def pages() -> dict[str, list[st.Page]]:
    """The pages the sidebar links to, by section."""
    sections: dict[str, list[st.Page]] = {}
    for info in registry.PAGES:
        sections.setdefault(info.section, []).append(_page(info))
    return sections


def with_overview_by_name(sections: dict[str, list[st.Page]]) -> dict[str, list[st.Page]]:
    """The sections plus a hidden page at `/overview` that opens the Overview at `/`, keeping the query."""
    overview = sections[registry.OVERVIEW.section][0]

    def overview_by_name() -> None:
        st.switch_page(overview, query_params=st.query_params.to_dict())

    hidden = st.Page(
        overview_by_name, title=registry.OVERVIEW.title, url_path=registry.OVERVIEW.url_path, visibility="hidden"
    )
    return {**sections, registry.OVERVIEW.section: [*sections[registry.OVERVIEW.section], hidden]}


def sidebar_links(sections: dict[str, list[st.Page]]) -> None:
    """Each section's name, then a link per page; the current page's link is highlighted."""
    with st.sidebar:
        for section, section_pages in sections.items():
            st.caption(section)
            for page in section_pages:
                st.page_link(page, width="stretch")
