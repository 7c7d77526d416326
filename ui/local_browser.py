"""Local mode: the browser that brought the token is remembered, so a link to any page opens in it.

As Jupyter does, the server answers the printed link (`/?token=…`, or any page's address with the token) by
setting a cookie that only this server reads (HttpOnly, SameSite=Strict; it holds a keyed hash of the token,
not the token) and sending the browser to the same address without the token, so the token is not left in
the address bar to be pasted into an e-mail. The app's gate (ui.identity.sign_in_gate) lets in a session
whose browser carries the cookie.

A page asked for without the token or the cookie gets the stop page, at its own address. The address is
also kept in a second cookie for an hour, so opening the printed link (which goes to `/`) brings that page
and its query back.

With sign-in configured, or for a request local mode would refuse anyway (ui.identity.exposure), this
middleware changes nothing.
"""

from __future__ import annotations

import logging
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qsl, quote, unquote, urlencode

from streamlit import config as st_config

from ui.identity import (
    BROWSER_COOKIE,
    LOCAL_TOKEN_PARAM,
    auth_configured,
    browser_cookie_matches,
    browser_cookie_value,
    exposure,
    local_token,
    token_matches,
)

RETURN_COOKIE = "finance_local_return"
RETURN_SECONDS = 3600
log = logging.getLogger("finance_dashboard")


def cookie_header(name: str, value: str, *, max_age: int | None = None) -> bytes:
    """A Set-Cookie value only this server's pages send back and no page script can read."""
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts).encode("latin-1")


def address(path: str, query: list[tuple[str, str]]) -> str:
    """`path` and its query without the token."""
    kept = [(name, value) for name, value in query if name != LOCAL_TOKEN_PARAM]
    return quote(path, safe="/") + (f"?{urlencode(kept)}" if kept else "")


def safe_return(value: str | None) -> str | None:
    """A remembered address, if it is a path on this server (never another site's: '//x', '/\\x', 'http:')."""
    if not value:
        return None
    text = unquote(value)
    if not text.startswith("/") or text.startswith(("//", "/\\")) or any(ord(c) < 32 for c in text):
        return None
    path, _, query = text.partition("?")
    return address(path, parse_qsl(query, keep_blank_values=True))


class LocalBrowser:
    """ASGI middleware: the token link sets the browser cookie and drops the token from the address."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not _asks_for_html(scope) or _signed_in_mode():
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1").title(): value.decode("latin-1") for name, value in scope["headers"]}
        if exposure(st_config.get_option("server.address"), headers):
            await self.app(scope, receive, send)  # the gate shows why local mode does not serve this request
            return
        cookies = _cookies(headers.get("Cookie", ""))
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        presented = [value for name, value in query if name == LOCAL_TOKEN_PARAM]
        token = local_token()
        if presented and token_matches(presented[-1], token):
            target = address(scope["path"], query)
            if target == "/":
                target = safe_return(cookies.get(RETURN_COOKIE)) or target
            await _redirect(send, target, [cookie_header(BROWSER_COOKIE, browser_cookie_value(token)),
                                           cookie_header(RETURN_COOKIE, "", max_age=0)])  # fmt: skip
            return
        if browser_cookie_matches(cookies.get(BROWSER_COOKIE), token):
            await self.app(scope, receive, send)
            return
        # The stop page (no token, or a wrong one): this address is kept, so the printed link brings the view back.
        wanted = quote(address(scope["path"], query), safe="/?=&%")
        remember = cookie_header(RETURN_COOKIE, wanted, max_age=RETURN_SECONDS)

        async def send_remembering(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message["headers"], (b"set-cookie", remember)]}
            await send(message)

        await self.app(scope, receive, send_remembering)


def _signed_in_mode() -> bool:
    try:
        return auth_configured()
    except Exception:  # noqa: BLE001 - a broken secrets file: the gate's page says so; nothing is set here
        return True


def _cookies(header: str) -> dict[str, str]:
    try:
        parsed = SimpleCookie(header)
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in parsed.items()}


def _asks_for_html(scope) -> bool:
    return b"text/html" in dict(scope["headers"]).get(b"accept", b"")


async def _redirect(send, location: str, cookies: list[bytes]) -> None:
    headers = [(b"location", location.encode("latin-1")), (b"cache-control", b"no-store"),
               (b"content-length", b"0"), *((b"set-cookie", cookie) for cookie in cookies)]  # fmt: skip
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
