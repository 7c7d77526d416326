"""The "as at" date the whole dashboard is shown at: chosen in the sidebar, kept in the URL (?as_at=2021-10-05).

None means the latest figures: everything held, and today for the action plan's tracker. Pages read it with
`current()` and pass it to every metric and chart; it is kept in the session too, so moving between pages
keeps it in the URL.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from data.vocab import LATEST_FIGURES, implausible_date
from ui.safe import plain

PARAM = "as_at"
_STATE = "dashboard_as_at"
_WIDGET = "dashboard_as_at_picker"
_REFUSED = "dashboard_as_at_refused"
LABEL = "Show the dashboard as at"


def parse_iso_date(text: str) -> date | None:
    """The date written as YYYY-MM-DD, if it is one the dashboard can be shown at (data.vocab's plausible-date
    rule: not after today, not before 2000); None for anything else."""
    try:
        found = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return None if implausible_date(found) else found


def current() -> date | None:
    """The chosen as-at date, from the URL (a bookmark or link) or this session's choice."""
    text = st.query_params.get(PARAM)
    chosen = parse_iso_date(text) if text else None
    if chosen is None and text:
        # An unreadable or implausible date in a link: show the latest figures, never an error, and keep
        # neither the date nor its address, so the next page is not broken by it either. The sidebar says so.
        st.query_params.pop(PARAM, None)
        st.session_state.pop(_STATE, None)
        st.session_state[_REFUSED] = text[:40]
    if chosen is None:
        chosen = st.session_state.get(_STATE)
        if chosen is not None:
            st.query_params[PARAM] = chosen.isoformat()
    st.session_state[_STATE] = chosen
    return chosen


def _chosen() -> None:
    picked = st.session_state.get(_WIDGET)
    st.session_state.pop(_REFUSED, None)
    st.session_state[_STATE] = picked
    if picked is None:
        st.query_params.pop(PARAM, None)
    else:
        st.query_params[PARAM] = picked.isoformat()


def choose(day: date | None) -> None:
    """Put the dashboard at `day` (None: the latest figures), as a button's callback; the sidebar's box follows."""
    st.session_state[_STATE] = day
    if day is None:
        st.query_params.pop(PARAM, None)
    else:
        st.query_params[PARAM] = day.isoformat()


def sidebar_control(first: date, newest: date | None) -> date | None:
    """The date picker; empty = the latest figures. Returns the as-at date in force."""
    chosen = current()
    if _WIDGET in st.session_state and st.session_state[_WIDGET] != chosen:
        st.session_state[_WIDGET] = chosen  # changed by a link: the box is told, as `value` alone would not
    st.date_input(
        LABEL,
        # Also as the value: empty (not Streamlit's default, today) when no date is chosen, and a box the browser
        # draws afresh (a phone's first visit reruns the page as it reports its width) starts from the choice.
        value=chosen,
        # A link's date outside the usual range is shown as asked (nothing is held before the first report).
        min_value=min(first, chosen or first),
        max_value=max(date.today(), newest or first, chosen or first),
        format="DD/MM/YYYY",
        key=_WIDGET,
        on_change=_chosen,
        help="Only figures and action-plan updates known on this date are shown, and overdue is judged on it. "
        "Leave it empty for the latest figures. The date is kept in the page address, so a link opens the "
        "same view.",
    )
    refused = st.session_state.get(_REFUSED)  # said until a date is chosen: a page may run twice on a first visit
    if refused is not None and chosen is None:
        st.caption(
            f"The address asked for the dashboard as at “{plain(refused)}”, which is not a date it can be shown at "
            "(a date from 2000 to today, written YYYY-MM-DD)."
        )
    if chosen is None:
        st.caption(f"**{LATEST_FIGURES}**: no date chosen, so everything held is shown.")
    else:
        st.caption(
            f"**As at {chosen:%-d %B %Y}**: later figures and updates are hidden. "
            f"Clear the date for the {LATEST_FIGURES.lower()}."
        )
    return chosen


def figures_phrase(as_at: date | None) -> str:
    """'Figures as at 5 October 2021' or 'The latest figures', to begin a sentence."""
    return f"Figures as at {as_at:%-d %B %Y}" if as_at else f"The {LATEST_FIGURES.lower()}"
