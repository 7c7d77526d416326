"""The shared sidebar: the as-at date, where the figures come from and how fresh they are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from data.load import directorate_aliases
from metrics.figures import REPORT_DATE, figures_as_at, source_documents
from metrics.loads import last_data_change
from metrics.monitoring import directorate_names
from ui import as_at as as_at_control
from ui import filters
from ui.cache import cached
from ui.common import database
from ui.safe import plain
from ui.share import copy_link_button


def read_filters() -> None:
    """Before the page: the directorates a link asks for, read once per session (nothing is drawn)."""
    with database() as conn:
        filters.current_directorates(cached(conn, directorate_names), cached(conn, directorate_aliases))


@dataclass(frozen=True)
class SidebarFigures:
    """What the sidebar shows, read in the page's full run (a run of the sidebar alone opens no database)."""

    newest_known: date | None  # the newest figures held at all: the date box's latest date
    sources: pd.DataFrame  # the documents the figures shown come from
    newest: date | None  # the date the figures shown are as at
    last_change: pd.DataFrame  # the newest load or undo (metrics.loads.last_data_change), or no row
    directorates: list[str]
    aliases: dict[str, str]


def read() -> SidebarFigures:
    with database() as conn:
        as_at = as_at_control.current()
        return SidebarFigures(
            newest_known=cached(conn, figures_as_at),
            sources=cached(conn, source_documents, as_at=as_at),
            newest=cached(conn, figures_as_at, as_at=as_at),
            last_change=cached(conn, last_data_change),
            directorates=cached(conn, directorate_names),
            aliases=cached(conn, directorate_aliases),
        )


def render() -> None:
    """The sidebar's filters and notes in the sidebar, at once: for pages run alone (the tests', the benchmarks').
    app.py draws them after the page, on a session's first page later still (ui.document.sidebar_in_two_parts)."""
    with st.sidebar:
        draw(read())


def draw(shown: SidebarFigures) -> None:
    """The sidebar's filters and notes, drawn where the caller is: in the sidebar, or in a fragment in it (which
    cannot name the sidebar itself)."""
    filters.sidebar_directorate_filter(shown.directorates, shown.aliases)
    as_at_control.sidebar_control(REPORT_DATE, shown.newest_known)
    copy_link_button()
    if not shown.sources.empty:
        titles = list(dict.fromkeys(shown.sources["title"]))
        listed = "; ".join(plain(title) for title in titles[:3]) + (
            f"; and {len(titles) - 3} more" if len(titles) > 3 else ""
        )
        st.caption(f"**Sources:** {listed}.")
    if shown.newest is not None:
        st.caption(f"**Figures as at:** {shown.newest:%-d %B %Y}.")
    if not shown.last_change.empty:
        last = shown.last_change.iloc[0]
        what = f"{plain(last['file_name'])} ({last['kind']})"
        if last["change"] == "undone":
            what = f"load {int(last['load_id'])}, {what}, undone"
        st.caption(f"**Last data change:** {what}, {last['changed_at']:%-d %b %Y %H:%M}.")
