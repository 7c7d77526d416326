"""The "as at" date the whole dashboard is shown at: chosen in the sidebar, kept in the URL (?as_at=2021-10-05).

None means "everything held" (today). Pages read it with `current()` and pass it to every metric and
chart; it is kept in the session too, so moving between pages keeps it in the URL.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

PARAM = "as_at"
_STATE = "dashboard_as_at"
_WIDGET = "dashboard_as_at_picker"


def parse_iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def current() -> date | None:
    """The chosen as-at date, from the URL (a bookmark or link) or this session's choice."""
    text = st.query_params.get(PARAM)
    chosen = parse_iso_date(text) if text else None
    if chosen is None and text:
        st.query_params.pop(PARAM, None)  # an unreadable date in a link: show everything, never an error
    if chosen is None:
        chosen = st.session_state.get(_STATE)
        if chosen is not None:
            st.query_params[PARAM] = chosen.isoformat()
    st.session_state[_STATE] = chosen
    return chosen


def _chosen() -> None:
    picked = st.session_state.get(_WIDGET)
    st.session_state[_STATE] = picked
    if picked is None:
        st.query_params.pop(PARAM, None)
    else:
        st.query_params[PARAM] = picked.isoformat()


def sidebar_control(first: date, newest: date | None) -> date | None:
    """The date picker; empty = everything held. Returns the as-at date in force."""
    chosen = current()
    if st.session_state.get(_WIDGET) != chosen:
        st.session_state[_WIDGET] = chosen
    st.date_input(
        "Show the dashboard as at",
        min_value=first,
        max_value=max(date.today(), newest or first),
        format="DD/MM/YYYY",
        key=_WIDGET,
        on_change=_chosen,
        help="Only figures and updates known on this date are shown. Clear it to show everything held. "
        "The date is kept in the page address, so a link opens the same view.",
    )
    return chosen


def phrase(as_at: date | None) -> str:
    """'as at 5 October 2021' or 'with everything held'."""
    return f"as at {as_at:%-d %B %Y}" if as_at else "with everything held"
