"""What Streamlit does not let a page set from Python: the document's language and focus styles.

Streamlit serves `<html lang="en">`; the dashboard is in British English (WCAG 3.1.1, and screen
readers pick their voice from it). A components-v2 element (Streamlit's own API for code that runs in
the page, no iframe) sets `lang` on the document once it has mounted.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.components.v2 import component

from data import vocab

STYLES = Path(__file__).with_name("document.css")

_SET_LANGUAGE = """
export default function ({ data }) {
    if (document.documentElement.lang !== data.lang) {
        document.documentElement.lang = data.lang;
    }
}
"""

_language = component("page_language", js=_SET_LANGUAGE)


def set_page_language() -> None:
    """Mount in the sidebar, where its empty element takes no room in the page."""
    with st.sidebar:
        _language(key="page_language", data={"lang": vocab.DOCUMENT_LANGUAGE})


def apply_styles() -> None:
    """The focus ring and the folded sidebar's rule (ui/document.css): st.html with only a style takes no room."""
    st.html(STYLES)
