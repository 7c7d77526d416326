"""What Streamlit does not let a page set or know from Python: the document's language, focus styles, and
whether the window is phone-narrow.

Streamlit serves `<html lang="en">`; the dashboard is in British English (WCAG 3.1.1, and screen
readers pick their voice from it). A components-v2 element (Streamlit's own API for code that runs in
the page, no iframe) sets `lang` on the document once it has mounted, and tells the app whether the
window is narrower than NARROW_BELOW_PX, so charts can lay their titles out for it (WCAG 1.4.10).

A page can also send its first screen first (`in_two_parts`): the browser draws everything that arrives while
it is busy in one go, and on a first visit it is busy for ~0.6 s evaluating the chart code
(ui/page_shell.py), so the Overview's first chart waited for the three below it to be drawn too (~0.15 s),
and for the sidebar's filters (~0.17 s). The rest of the page and the sidebar's filters (`sidebar_in_two_parts`)
are then keyed fragments: once the browser has drawn the first chart (and has the end of the run that sent it), an
element in the page's placeholder asks for both, and only the two fragments run again, not the frame and the first
screen.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit.components.v2 import component
from streamlit.errors import StreamlitAPIException

from data import vocab
from ui.streamlit_internals import in_fragment_run

STYLES = Path(__file__).with_name("document.css")
# The tab's icon, served by this server: a `:material/...:` page icon is fetched from Google's font server
# by every page (a third party told of each visit; broken where a council network blocks it).
FAVICON = Path(__file__).with_name("favicon.svg")

NARROW_BELOW_PX = 700  # below this Streamlit stacks columns and a chart gets the whole, narrow, width
NARROW_KEY = "_window_is_narrow"
PAGE_SENT_KEY = "_page_sent"  # a run of this session has sent, or begun to send, a page
FIRST_SCREEN_RUN_KEY = "_first_screen_run"  # this full run sends only its page's first screen
FULL_RUN_ENDED_KEY = "_full_run_ended"  # the last full run drew its page to the end
REST_OF_PAGE_KEY = "rest_of_page"  # the placeholders' keys: tests wait while either is on the page
REST_OF_SIDEBAR_KEY = "rest_of_sidebar"
PLACEHOLDERS = f".st-key-{REST_OF_PAGE_KEY}, .st-key-{REST_OF_SIDEBAR_KEY}"  # a CSS selector for them

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
    installOnce(data);
    window.addEventListener("resize", report);
    return () => window.removeEventListener("resize", report);
}
"""

_page = component("page_language", js=_PAGE_JS)

# In the placeholder for the rest of a page: mounted with the first screen's elements, it waits until the page's
# first chart is drawn (at most CHART_WAIT_MS: a first screen may have none) and the run that sent it has ended in
# the browser, then asks for the parts sent later, once for each first screen (the element is drawn again while
# that rerun starts).
# Why the run's end: Streamlit starts a fragment's run by dropping the messages still queued for the browser that
# belong to that fragment (runtime/forward_msg_queue.py, `clear`), even those of the full run before it. Asked
# while the first screen's run is still sending, the server dropped the sidebar's placeholder but not the elements
# after it, and the browser, given an element past the end of the sidebar ("Bad delta path index"), took the whole
# app off the page. Once the browser has the run's end, nothing of that run is left in the queue.
_FIRST_SCREEN_JS = """
export default function ({ data, setTriggerValue }) {
    if (!data.waiting) return;
    const asked = () => window.financeRestOfPageAsked === data.waiting;
    const ask = () => {
        window.financeRestOfPageAsked = data.waiting;
        setTriggerValue("drawn", true);
    };
    const runEnded = () => document.querySelector('[data-testid="stApp"]')
        ?.getAttribute("data-test-script-state") === "notRunning";
    // Asked, and this placeholder is still here: the ask was lost on its way. Ask again, until the rest
    // replaces the placeholder (which unmounts this element and ends the timer).
    const again = setInterval(() => asked() && runEnded() && ask(), data.askAgainMs);
    if (asked()) return () => clearInterval(again);
    let waitedLongEnough = false;
    const drawn = () => !!document.querySelector('[data-testid="stMain"] [data-testid="stPlotlyChart"] .main-svg');
    const askOnce = () => !asked() && runEnded() && (waitedLongEnough || drawn()) && ask();
    const observer = new MutationObserver(askOnce);
    observer.observe(document.body, {
        childList: true, subtree: true, attributes: true, attributeFilter: ["data-test-script-state"],
    });
    const timer = setTimeout(() => { waitedLongEnough = true; askOnce(); }, data.chartWaitMs);
    askOnce();
    return () => { observer.disconnect(); clearTimeout(timer); clearInterval(again); };
}
"""
_first_screen_drawn = component("first_screen_drawn", js=_FIRST_SCREEN_JS)
CHART_WAIT_MS = 2000
# A lost ask is rare (one page load in a whole test run); a second ask that crosses the first's answer costs one
# extra run of the page, so this is well beyond a busy server's answer time.
ASK_AGAIN_MS = 5000


def _remember_width() -> None:
    st.session_state[NARROW_KEY] = bool(st.session_state["page_language"].narrow)


def set_page_language() -> None:
    """Mount in the sidebar, where its empty element takes no room in the page. Call it last in a run."""
    st.session_state[PAGE_SENT_KEY] = True
    with st.sidebar:
        _page(
            key="page_language",
            data={
                "lang": vocab.DOCUMENT_LANGUAGE,
                "narrowBelow": NARROW_BELOW_PX,
                "narrow": window_is_narrow(),
            },
            default={"narrow": False},
            on_narrow_change=_remember_width,
        )


def first_screen_only() -> bool:
    """Whether this run should send only the page's first screen, and the rest once the browser has drawn it.

    Only in a session's first run in a browser: later runs (the chart code is running by then), and sessions
    with no browser to say it has drawn (AppTest's: no request headers), get the whole page at once.
    """
    if st.session_state.get(PAGE_SENT_KEY) or not st.context.headers:
        return False
    # Once per session: if this run is cut short (a click before it ends), the next one sends the whole page,
    # so a placeholder is never left without a run to replace it.
    st.session_state[PAGE_SENT_KEY] = True
    return True


def begin_full_run() -> None:
    """Call at the start of every full run: nothing in it is sent later unless its page says so (`in_two_parts`)."""
    st.session_state[FIRST_SCREEN_RUN_KEY] = False
    st.session_state[FULL_RUN_ENDED_KEY] = False


def end_full_run() -> None:
    """Call last in every full run that draws a page."""
    st.session_state[FULL_RUN_ENDED_KEY] = True


def last_full_run_ended() -> bool:
    """Whether the session's last full run drew its page to the end: False while one runs, and after a click cut one
    short (Streamlit then drops what that run had not yet sent, so only a full run draws the page whole again)."""
    return bool(st.session_state.get(FULL_RUN_ENDED_KEY, False))


def in_two_parts(show_rest: Callable[..., None], *args: object) -> None:
    """Draw `show_rest(*args)` (everything below a page's first screen) here: at once, or, on a session's first
    page, once the browser has drawn what came before (`first_screen_only`), by running only it again, with the
    same arguments (read by the page's run, so the second part shows the data the first screen shows).

    Every full run decides afresh, so a full rerun that comes first (a phone's width reported) draws the whole
    page; a request for the rest that comes after it is dropped with the fragment it was for.
    """
    if not first_screen_only():
        _show_now(REST_OF_PAGE_KEY, show_rest, *args)
        return
    st.session_state[FIRST_SCREEN_RUN_KEY] = True
    # A new token each time: the browser asks once for each first screen, in this session or a new one.
    _waiting(REST_OF_PAGE_KEY, uuid.uuid4().hex)
    _rest_of_page(show_rest, *args)


def sidebar_in_two_parts(show: Callable[..., None], *args: object) -> None:
    """Draw `show(*args)` in the sidebar: at once, or, when this run sends only its page's first screen
    (`in_two_parts`), with the rest of the page. The sidebar's filters (a date box, a multiselect) cost the browser
    ~0.17 s to draw, which the first chart waited for."""
    with st.sidebar:
        if not st.session_state.get(FIRST_SCREEN_RUN_KEY):
            _show_now(REST_OF_SIDEBAR_KEY, show, *args)
            return
        _waiting(REST_OF_SIDEBAR_KEY, st.session_state[_waiting_key(REST_OF_PAGE_KEY)])
        _rest_of_sidebar(show, *args)


def _waiting_key(part: str) -> str:
    return f"_{part}_waiting"  # the last full run sent the part's placeholder: the part is still to come


def _asked_key(part: str) -> str:
    return f"_{part}_asked"  # the browser has asked for the part


def _waiting(part: str, token: str | None) -> None:
    st.session_state[_waiting_key(part)] = token
    st.session_state.pop(_asked_key(part), None)


def _show_now(part: str, show: Callable[..., None], *args: object) -> None:
    _waiting(part, None)
    show(*args)


@st.fragment(key=f"{REST_OF_PAGE_KEY}_part")
def _rest_of_page(show_rest: Callable[..., None], *args: object) -> None:
    waiting = st.session_state.get(_waiting_key(REST_OF_PAGE_KEY))
    if waiting:
        with st.container(key=REST_OF_PAGE_KEY):
            st.caption("Drawing the rest of the page…")
            _first_screen_drawn(
                key="first_screen_drawn",
                data={"waiting": waiting, "chartWaitMs": CHART_WAIT_MS, "askAgainMs": ASK_AGAIN_MS},
                on_drawn_change=_drawn,
            )
        return
    _show_part(REST_OF_PAGE_KEY, show_rest, *args)


@st.fragment(key=f"{REST_OF_SIDEBAR_KEY}_part")
def _rest_of_sidebar(show: Callable[..., None], *args: object) -> None:
    if st.session_state.get(_waiting_key(REST_OF_SIDEBAR_KEY)):
        with st.container(key=REST_OF_SIDEBAR_KEY):  # asked for with the rest of the page, by its element
            st.caption("Drawing the filters…")
        return
    _show_part(REST_OF_SIDEBAR_KEY, show, *args)


def _show_part(part: str, show: Callable[..., None], *args: object) -> None:
    if not st.session_state.pop(_asked_key(part), False):
        # A widget in a part drawn by its fragment: the whole page reruns, as on any other page (a chart added
        # to the briefing pack changes what the first screen's buttons say; a date changes every figure).
        st.rerun()
    show(*args)


def _drawn() -> None:
    """The browser has drawn the first screen: the parts still to come are drawn, by one run of their fragments."""
    parts = [part for part in (REST_OF_PAGE_KEY, REST_OF_SIDEBAR_KEY) if st.session_state.get(_waiting_key(part))]
    for part in parts:
        st.session_state[_waiting_key(part)] = None
        st.session_state[_asked_key(part)] = True
    if not parts or not in_fragment_run():
        return  # a full run draws every part itself: a keyed rerun here would take its place
    try:
        st.rerun([f"{part}_part" for part in parts])
    except StreamlitAPIException:  # a part's fragment not registered (its run was cut short): the whole page
        st.rerun()


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
