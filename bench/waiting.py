"""Waiting, in a Playwright page, until the served app has finished drawing: for the tests and bench/.

bench/ holds the one copy, as it does the server start (bench/serving.py); tests import it from here.
"""

from __future__ import annotations

from ui.document import PLACEHOLDERS


def wait_for_app(page, timeout_ms: int = 90_000) -> None:
    """Wait until Streamlit has finished running the script.

    The app's own script state, not the 'running' indicator, which toolbarMode = "minimal" hides.
    """
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_function(
        "() => document.querySelector('.stApp')?.getAttribute('data-test-script-state') === 'notRunning'"
        " && document.querySelectorAll('[data-testid=\"stMain\"] *').length > 10"
        # a session's first page comes in two parts (ui.document.first_screen_only): wait for the second
        f" && !document.querySelector('{PLACEHOLDERS}')",
        timeout=timeout_ms,
    )


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
