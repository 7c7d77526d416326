"""The button "Copy a link to this view": every page keeps its view (year, period, directorates, as-at date, filters) in
its address, so the link is the address, less any local-mode token (which is never to be shared).

The browser copies it (Streamlit has no button that writes to the clipboard); where the clipboard is not
allowed, the link is shown selected instead, to copy by hand.
"""

from __future__ import annotations

from streamlit.components.v2 import component

from ui.identity import LOCAL_TOKEN_PARAM

LABEL = "Copy a link to this view"

_HTML = f"""
<div class="share">
  <button type="button" class="share-button">{LABEL}</button>
  <span class="share-said" role="status" aria-live="polite"></span>
  <input class="share-link" type="text" readonly aria-label="Link to this view" hidden>
</div>
"""

# Streamlit's secondary button, near enough: the theme's own colours, a 1px border, 0.5rem radius.
_CSS = """
.share { display: flex; flex-direction: column; gap: 0.25rem; font-family: inherit; }
.share-button {
    font: inherit; font-size: 0.875rem; line-height: 1.6; padding: 0.25rem 0.75rem; width: 100%;
    color: #0b0c0c; background: #ffffff; border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem;
    cursor: pointer; text-align: center;
}
.share-button:hover { border-color: #ff4b4b; }
.share-button:focus-visible { outline: 3px solid #0b0c0c; outline-offset: 2px; }
.share-said { font-size: 0.875rem; color: #31333f; min-height: 1.2em; }
.share-link { font: inherit; font-size: 0.8rem; width: 100%; box-sizing: border-box; }
"""

_JS = f"""
export default function ({{ parentElement }}) {{
    const button = parentElement.querySelector(".share-button");
    const said = parentElement.querySelector(".share-said");
    const shown = parentElement.querySelector(".share-link");
    button.onclick = async () => {{
        const link = new URL(window.location.href);
        link.searchParams.delete({LOCAL_TOKEN_PARAM!r});
        try {{
            await navigator.clipboard.writeText(link.href);
            shown.hidden = true;
            said.textContent = "Link copied: it opens this page as shown now.";
        }} catch (refused) {{
            shown.value = link.href;
            shown.hidden = false;
            shown.select();
            said.textContent = "Copy the link below.";
        }}
    }};
}}
"""

_share = component("copy_view_link", html=_HTML, css=_CSS, js=_JS)


def copy_link_button() -> None:
    """The button, where the caller is: the sidebar on every page (ui.sidebar.draw)."""
    _share(key="copy_view_link")
