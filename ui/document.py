"""What Streamlit does not let a page set or know from Python: the document's language, focus styles, and
whether the window is phone-narrow.

Streamlit serves `<html lang="en">`; the dashboard is in British English (WCAG 3.1.1, and screen
readers pick their voice from it). A components-v2 element (Streamlit's own API for code that runs in
the page, no iframe) sets `lang` on the document once it has mounted, and tells the app whether the
window is narrower than NARROW_BELOW_PX, so charts can lay their titles out for it (WCAG 1.4.10).

It also says when the browser has drawn a session's first page, so a page can send its first screen
first (`first_screen_only`): the browser draws everything that arrives while it is busy in one go, and
on a first visit it is busy for ~0.6 s evaluating the chart code (ui/page_shell.py), so the Overview's
first chart waited for the three below it to be drawn too (~0.15 s).
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st
from streamlit.components.v2 import component

from data import vocab

STYLES = Path(__file__).with_name("document.css")
# The tab's icon, served by this server: a `:material/...:` page icon is fetched from Google's font server
# by every page (a third party told of each visit; broken where a council network blocks it).
FAVICON = Path(__file__).with_name("favicon.svg")

NARROW_BELOW_PX = 700  # below this Streamlit stacks columns and a chart gets the whole, narrow, width
NARROW_KEY = "_window_is_narrow"
PAGE_SENT_KEY = "_page_sent"  # a run of this session has sent, or begun to send, a page
WAITING_KEY = "_rest_of_page_waiting"  # this run sent only its first screen
REST_OF_PAGE_KEY = "rest_of_page"  # the placeholder's key: tests wait while it is on the page

_PAGE_JS = """
// Once per window: what Streamlit's own widgets do not do for a British reader on any device.
function installOnce(data) {
    if (window.financeDashboardPage) return;
    window.financeDashboardPage = true;
    // A date typed into a date box applies on Enter, as in a form, not only when focus leaves the box.
    document.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" || event.isComposing || !(event.target instanceof HTMLElement)) return;
        const target = event.target;
        const widget = target.closest('[data-testid="stDateInput"]');
        if (!widget || !target.closest('[data-testid="stDateInputField"]') || target.tagName === "BUTTON") return;
        // Streamlit commits a typed date when focus moves to another element (not merely away): to the
        // widget's own box for a moment, then back.
        if (!widget.hasAttribute("tabindex")) widget.setAttribute("tabindex", "-1");
        widget.focus({ preventScroll: true });
        requestAnimationFrame(() => target.isConnected && target.focus({ preventScroll: true }));
    }, true);
    // On a phone the sidebar covers the page: choosing a page in it closes it.
    document.addEventListener("click", (event) => {
        if (window.innerWidth >= data.narrowBelow || !(event.target instanceof Element)) return;
        if (!event.target.closest('[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]')) return;
        const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
        if (close) setTimeout(() => close.click(), 0);
    }, true);
}

export default function ({ data, setStateValue, setTriggerValue }) {
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
    installOnce(data);
    if (data.waiting) {
        setTriggerValue("drawn", true);  // a rerun, which sends the whole page
    }
    window.addEventListener("resize", report);
    return () => window.removeEventListener("resize", report);
}
"""

_page = component("page_language", js=_PAGE_JS)


def _remember_width() -> None:
    st.session_state[NARROW_KEY] = bool(st.session_state["page_language"].narrow)


def _rerun() -> None:
    """The browser has drawn a first screen: the rerun its trigger causes sends the whole page."""


def set_page_language() -> None:
    """Mount in the sidebar, where its empty element takes no room in the page. Call it last in a run."""
    waiting = bool(st.session_state.pop(WAITING_KEY, False))
    st.session_state[PAGE_SENT_KEY] = True  # before the element can ask for the rerun
    with st.sidebar:
        _page(
            key="page_language",
            data={
                "lang": vocab.DOCUMENT_LANGUAGE,
                "narrowBelow": NARROW_BELOW_PX,
                "narrow": window_is_narrow(),
                "waiting": waiting,
            },
            default={"narrow": False},
            on_narrow_change=_remember_width,
            on_drawn_change=_rerun,
        )


def first_screen_only() -> bool:
    """Whether this run should send only the page's first screen, and the rest once the browser has drawn it.

    Only in a session's first run in a browser: later runs (the chart code is running by then), and sessions
    with no browser to say it has drawn (AppTest's: no request headers), get the whole page at once. The page
    then calls `rest_of_page_placeholder()` where the rest will go.
    """
    if st.session_state.get(PAGE_SENT_KEY) or not st.context.headers:
        return False
    # Once per session: if this run is cut short (a click before it ends), the next one sends the whole page,
    # so a placeholder is never left without a run to replace it.
    st.session_state[PAGE_SENT_KEY] = True
    st.session_state[WAITING_KEY] = True
    return True


def rest_of_page_placeholder() -> None:
    with st.container(key=REST_OF_PAGE_KEY):
        st.caption("Drawing the rest of the page…")


def window_is_narrow() -> bool:
    """Whether the browser said its window is phone-narrow (False until it has)."""
    return bool(st.session_state.get(NARROW_KEY, False))


def language_script(language: str = vocab.DOCUMENT_LANGUAGE) -> str:
    """A script for the document's head: Streamlit's calendars take their first day of the week from
    navigator.language when its code loads, so the dashboard's language (Monday first) is given before then."""
    return (
        'Object.defineProperty(window.navigator, "language", '
        f"{{ get: () => {json.dumps(language)}, configurable: true }});"
    )


def apply_styles() -> None:
    """The focus ring and the folded sidebar's rule (ui/document.css): st.html with only a style takes no room."""
    st.html(STYLES)
