"""Waiting, in a Playwright page, until the served app has finished drawing: for the tests and bench/.

bench/ holds the one copy, as it does the server start (bench/serving.py); tests import it from here.
"""

from __future__ import annotations

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from ui.document import PLACEHOLDERS

# For a browser context's init script: the page's uncaught errors, kept where PAGE_STATE reads them, so a page
# that went blank says why.
ERROR_RECORDER = """(() => {
    const errors = window.__pageErrors = [];
    const keep = text => { if (errors.length < 10) errors.push(String(text).slice(0, 300)); };
    window.addEventListener('error', event => keep(event.message || event.target?.src || event.type), true);
    window.addEventListener('unhandledrejection', event => keep(event.reason?.stack || event.reason));
})();"""

# What the page showed when a wait ran out: enough to tell a server that never answered from a page half drawn.
PAGE_STATE = """() => {
    const app = document.querySelector('.stApp');
    const main = document.querySelector('[data-testid="stMain"]');
    return {
        connection: app?.getAttribute('data-test-connection-state') ?? null,
        script: app?.getAttribute('data-test-script-state') ?? null,
        elements: main ? main.querySelectorAll('*').length : 0,
        placeholder: !!document.querySelector('PLACEHOLDERS'),
        text: (main?.innerText ?? '').slice(0, 300),
        document: {
            address: location.href, state: document.readyState, visibility: document.visibilityState,
            title: document.title,
            elements: document.querySelectorAll('*').length, text: (document.body?.innerText ?? '').slice(0, 300),
        },
        errors: window.__pageErrors ?? 'no recorder',
    };
}""".replace("PLACEHOLDERS", PLACEHOLDERS)


def wait_for_app(page, timeout_ms: int = 90_000) -> None:
    """Wait until Streamlit has finished running the script.

    The app's own script state, not the 'running' indicator, which toolbarMode = "minimal" hides. If the wait
    runs out, the AssertionError says what the page showed.
    """
    try:
        page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
        page.wait_for_function(
            "() => document.querySelector('.stApp')?.getAttribute('data-test-script-state') === 'notRunning'"
            " && document.querySelectorAll('[data-testid=\"stMain\"] *').length > 10"
            # a session's first page comes in two parts (ui.document.first_screen_only): wait for the second
            f" && !document.querySelector('{PLACEHOLDERS}')",
            timeout=timeout_ms,
        )
    except PlaywrightTimeoutError as gave_up:
        raise AssertionError(f"{page.url} not drawn in {timeout_ms / 1000:.0f} s: {page_state(page)}") from gave_up


def page_state(page) -> dict:
    """The app's connection and script state, its element count, whether a placeholder is left, its first words."""
    try:
        return page.evaluate(PAGE_STATE)
    except PlaywrightTimeoutError:
        return {"state": "the page did not answer"}


_SETTLED = """() => new Promise(resolve => {
    let last = -1, same = 0, ticks = 0;
    const tick = () => {
        // The status widget is hidden by toolbarMode = "minimal"; the app's script state is not.
        const app = document.querySelector('.stApp');
        const busy = !app || app.getAttribute('data-test-script-state') !== 'notRunning'
            || document.querySelector('[data-testid="stSkeleton"]')
            || document.querySelector('PLACEHOLDERS');
        const count = document.querySelectorAll('[data-testid="stMain"] *').length;
        same = !busy && count === last ? same + 1 : 0;
        last = count;
        if (same >= 4 || ++ticks > 360) resolve(same >= 4); else setTimeout(tick, 250);
    };
    tick();
})""".replace("PLACEHOLDERS", PLACEHOLDERS)


def wait_until_settled(page) -> None:
    """After wait_for_app: until the script has stopped, no placeholder (skeleton) is left, and the page's
    element count has held for a second.

    wait_for_app can return before a slow page has drawn its last element (90 s at most).
    """
    assert page.evaluate(_SETTLED), f"{page.url} kept changing for 90 s"
