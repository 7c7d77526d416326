"""The shared sidebar: where the figures come from and how fresh they are."""

from __future__ import annotations

import streamlit as st

from data.load import directorate_aliases
from metrics.figures import source_documents
from metrics.loads import latest_loads
from metrics.monitoring import directorate_names
from ui import filters
from ui.common import database
from ui.safe import plain


def render() -> None:
    with st.sidebar:
        with database() as conn:
            sources = source_documents(conn)
            loads = latest_loads(conn)
            directorates = directorate_names(conn)
            aliases = directorate_aliases(conn)
        filters.sidebar_directorate_filter(directorates, aliases)
        if not sources.empty:
            newest = sources.iloc[0]
            st.caption(f"**Source:** {plain(newest['title'])}.")
            st.caption(f"**Figures as at:** {newest['published_on']:%-d %B %Y}.")
        if not loads.empty:
            last = loads.iloc[0]
            st.caption(
                f"**Last data change:** {plain(last['file_name'])} ({last['kind']}), "
                f"{last['loaded_at']:%-d %b %Y %H:%M}."
            )
