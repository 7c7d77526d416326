"""What Streamlit does not let a page set or know from Python: the document's language, focus styles, and
whether the window is phone-narrow.

Streamlit serves `<html lang="en">`; the dashboard is in British English (WCAG 3.1.1, and screen
readers pick their voice from it). A components-v2 element (Streamlit's own API for code that runs in
the page, no iframe) sets `lang` on the document once it has mounted, and tells the app whether the
window is narrower than NARROW_BELOW_PX, so charts can lay their titles out for it (WCAG 1.4.10).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.components.v2 import component

from data import vocab

STYLES = Path(__file__).with_name("document.css")

NARROW_BELOW_PX = 700  # below this Streamlit stacks columns and a chart gets the whole, narrow, width
NARROW_KEY = "_window_is_narrow"

_PAGE_JS = """
export default function ({ data, setStateValue }) {
    if (document.documentElement.lang !== data.lang) {
        document.documentElement.lang = data.lang;
    }
    const report = () => {
        const narrow = window.innerWidth < data.narrowBelow;
        if (narrow !== data.narrow) {
            setStateValue("narrow", narrow);
        }
    };
    report();
    window.addEventListener("resize", report);
    return () => window.removeEventListener("resize", report);
}
"""

_page = component("page_language", js=_PAGE_JS)


def _remember_width() -> None:
    st.session_state[NARROW_KEY] = bool(st.session_state["page_language"].narrow)


def set_page_language() -> None:
    """Mount in the sidebar, where its empty element takes no room in the page."""
    with st.sidebar:
        _page(
            key="page_language",
            data={"lang": vocab.DOCUMENT_LANGUAGE, "narrowBelow": NARROW_BELOW_PX, "narrow": window_is_narrow()},
            default={"narrow": False},
            on_narrow_change=_remember_width,
        )


def window_is_narrow() -> bool:
    """Whether the browser said its window is phone-narrow (False until it has)."""
    return bool(st.session_state.get(NARROW_KEY, False))


def apply_styles() -> None:
    """The focus ring and the folded sidebar's rule (ui/document.css): st.html with only a style takes no room."""
    st.html(STYLES)
