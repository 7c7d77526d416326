"""Who is using the dashboard, and what they may do.

With an `[auth]` section in `.streamlit/secrets.toml` the app signs people in with `st.login`
(OpenID Connect, e.g. Microsoft Entra ID) and gives each a role from the `[roles]` table:

    [roles]
    admins  = ["finance.systems@dorsetcouncil.gov.uk"]
    editors = ["jane.doe@dorsetcouncil.gov.uk"]
    viewers = ["@dorsetcouncil.gov.uk"]       # a whole domain

An entry is a full e-mail address or `@domain`; the highest role that matches wins. A signed-in
person whom no entry matches is refused (shown a "no access" page), never given a role by default.

Without `[auth]` the app is in local mode: the operating-system user with every role, allowed only
while the server listens on the loopback address, is not reached through a proxy that says so, and
the browser presents the local-mode token. A plain reverse proxy on the same computer (nginx's default
`proxy_pass`) sends `Host: 127.0.0.1` and no forwarded headers, so it cannot be told apart from a
browser on this computer; the token can: it is printed in the terminal that started the server (as
Jupyter does) and is never sent to a browser that did not bring it. `make run` sets it in
$FINANCE_LOCAL_TOKEN and prints the link; without it the server makes one and logs the link.

The role check that matters is `data.access.require`, inside every write function; this module
only decides who the actor is and keeps anonymous visitors out of every page.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import os
import re
import secrets as token_source
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import streamlit as st
from streamlit import config as st_config
from streamlit.errors import StreamlitSecretNotFoundError

from data.access import ROLE_RANK, Actor, PermissionDenied, local_actor
from ui import server_gate
from ui.cache import ROLE_KEY
from ui.document import apply_styles, set_page_language
from ui.error_reference import report_error
from ui.navigation import DEFAULT_URL_PATH
from ui.pages_registry import PAGES
from ui.safe import plain

ROLE_LISTS = {"admins": "admin", "editors": "editor", "viewers": "viewer"}
ROLE_MEANING = {
    "viewer": "can read",
    "editor": "can record action-plan progress",
    "admin": "can load data and undo loads",
}
PROXY_HEADERS = ("X-Forwarded-For", "X-Forwarded-Host", "Forwarded", "X-Real-Ip")
LOCAL_TOKEN_ENV = "FINANCE_LOCAL_TOKEN"
LOCAL_TOKEN_PARAM = "token"
BROWSER_COOKIE = "finance_local_browser"  # set by ui/local_browser.py: HttpOnly, SameSite=Strict
MIN_TOKEN_CHARS = 16
_TOKEN_SHOWN = "local_token_shown"
_process_token: str | None = None
log = logging.getLogger("finance_dashboard")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DOMAIN = re.compile(r"@[^@\s]+\.[^@\s]+")


class ConfigurationError(ValueError):
    """The sign-in or roles configuration cannot be used as written."""


# --- plain functions (no Streamlit): the rules, tested directly --------------------------------


def parse_roles(config: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    """The `[roles]` table as role -> lower-cased entries. Raises ConfigurationError on a bad entry."""
    parsed: dict[str, tuple[str, ...]] = {role: () for role in ROLE_LISTS.values()}
    for key, entries in (config or {}).items():
        if key not in ROLE_LISTS:
            raise ConfigurationError(f"[roles] has an unknown key {key!r}; expected {', '.join(ROLE_LISTS)}")
        if isinstance(entries, str) or not isinstance(entries, (list, tuple)):
            raise ConfigurationError(f"[roles] {key} must be a list of e-mail addresses or @domains")
        cleaned = []
        for entry in entries:
            value = str(entry).strip().lower()
            if not (_EMAIL.fullmatch(value) or _DOMAIN.fullmatch(value)):
                raise ConfigurationError(
                    f"[roles] {key} has {entry!r}: use a full e-mail address or @domain (e.g. @dorsetcouncil.gov.uk)"
                )
            cleaned.append(value)
        parsed[ROLE_LISTS[key]] = tuple(cleaned)
    return parsed


def role_for(email: str, roles: Mapping[str, tuple[str, ...]]) -> str | None:
    """The highest role an entry gives `email` (exact address or its @domain); None if none does."""
    email = email.strip().lower()
    domain = "@" + email.rpartition("@")[2]
    matching = [role for role, entries in roles.items() if email in entries or domain in entries]
    return max(matching, key=ROLE_RANK.__getitem__, default=None)


def signed_in_email(user: Mapping[str, Any]) -> str | None:
    """The e-mail address the identity provider vouches for: `email`, else Entra's `preferred_username`."""
    if user.get("is_logged_in") is not True:
        return None
    for claim in ("email", "preferred_username"):
        if claim == "email" and user.get("email_verified") is False:
            continue
        value = user.get(claim)
        if isinstance(value, str) and _EMAIL.fullmatch(value.strip()):
            return value.strip().lower()
    return None


def actor_for_user(user: Mapping[str, Any], roles_config: Mapping[str, Any] | None) -> Actor:
    """The Actor for a signed-in user. Raises PermissionDenied if not signed in or given no role."""
    if user.get("is_logged_in") is not True:
        raise PermissionDenied("Sign in to use the dashboard.")
    email = signed_in_email(user)
    if email is None:
        raise PermissionDenied("Your sign-in did not give an e-mail address, so the dashboard cannot give you a role.")
    role = role_for(email, parse_roles(roles_config))
    if role is None:
        raise PermissionDenied(f"{email} has no role on this dashboard. Ask its administrator to add you.")
    return Actor(identity=email, role=role)


def is_loopback(host: str | None) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (with or without brackets); False for anything else."""
    if not host:
        return False
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exposure(address: str | None, headers: Mapping[str, str], *, in_process: bool = False) -> str | None:
    """Why local mode must not serve this request (None if it may).

    `address` is `server.address`; unset means every interface. `in_process` is True under AppTest,
    where no server listens at all.
    """
    if address:
        if not is_loopback(address):
            return f"The server listens on {address}, which other computers can reach."
    elif not in_process:
        return "The server listens on every network interface, which other computers can reach."
    host = headers.get("Host")
    if host and not is_loopback(urlsplit("//" + host).hostname):
        return f"This page was requested as {host}, not as localhost."
    if any(headers.get(name) for name in PROXY_HEADERS):
        return "This page was requested through a proxy."
    return None


def token_matches(presented: str | None, expected: str) -> bool:
    """True only for the exact token, compared in constant time."""
    return bool(presented) and hmac.compare_digest(presented.encode(), expected.encode())


def local_token() -> str:
    """This server's local-mode token: $FINANCE_LOCAL_TOKEN (set by `make run`), else one made once per process."""
    global _process_token
    if _process_token is None:
        configured = os.environ.get(LOCAL_TOKEN_ENV, "").strip()
        if configured and len(configured) < MIN_TOKEN_CHARS:
            raise ConfigurationError(f"${LOCAL_TOKEN_ENV} must be at least {MIN_TOKEN_CHARS} characters long")
        _process_token = configured or token_source.token_urlsafe(24)
        if not configured:
            port = st_config.get_option("server.port")
            link = f"http://127.0.0.1:{port}/?{LOCAL_TOKEN_PARAM}={_process_token}"
            print(f"Local mode: open {link}", file=sys.stderr, flush=True)
            log.warning("local mode: open %s", link)
    return _process_token


def browser_cookie_value(token: str) -> str:
    """What the local-mode cookie holds: a keyed hash of the token, so the cookie never carries the token itself."""
    return hmac.new(token.encode(), b"finance dashboard: a browser that brought the local token", "sha256").hexdigest()


def browser_cookie_matches(presented: str | None, token: str) -> bool:
    return bool(presented) and hmac.compare_digest(presented.encode(), browser_cookie_value(token).encode())


def local_token_script(token: str) -> str:
    """JavaScript for a browser's init script that brings `token` as the link `make run` prints does.

    For the tests' and benchmarks' headless browsers: it puts the token in the address before Streamlit
    reads the query string, and leaves a sign-in provider's pages alone.
    """
    return (
        "(() => { const url = new URL(window.location.href);"
        " if (/oauth|authorize|well-known/.test(url.pathname)) return;"
        f" if (!url.searchParams.has({json.dumps(LOCAL_TOKEN_PARAM)})) {{"
        f" url.searchParams.set({json.dumps(LOCAL_TOKEN_PARAM)}, {json.dumps(token)});"
        " window.history.replaceState(window.history.state, '', url); } })();"
    )


# --- Streamlit: configuration, the gate and the sidebar ----------------------------------------


def _secrets() -> Mapping[str, Any]:
    """st.secrets as a mapping; empty when there is no secrets file. A file that fails to parse is an error."""
    try:
        return st.secrets.to_dict()
    except StreamlitSecretNotFoundError as error:
        if any(Path(path).is_file() for path in st_config.get_option("secrets.files")):
            # The parser's message names the file's full path: it goes to the log, not to the browser.
            raise ConfigurationError(
                "The secrets file (.streamlit/secrets.toml) could not be read: it is not valid TOML. "
                f"Quote reference {report_error(error)} to the dashboard's administrator"
            ) from error
        return {}


def auth_configured() -> bool:
    return "auth" in _secrets()


def current_actor() -> Actor:
    """Who is making this change. Local mode: the OS user (admin). Raises PermissionDenied if nobody may."""
    secrets = _secrets()
    if "auth" not in secrets:
        return local_actor()
    return actor_for_user(st.user.to_dict(), secrets.get("roles"))


def _provider(auth: Mapping[str, Any]) -> str | None:
    """The provider to pass st.login: None for a single [auth] provider, else the one named [auth.x]."""
    if "client_id" in auth:
        return None
    named = [name for name, value in auth.items() if isinstance(value, Mapping) and "client_id" in value]
    if len(named) != 1:
        raise ConfigurationError("[auth] needs client_id etc. directly, or exactly one [auth.<provider>] table")
    return named[0]


def _only_page(title: str, body: Callable[[], None]) -> NoReturn:
    """Show one page instead of the app, then stop the run. It answers at every page's address, so a link to a
    page keeps its address and query (no "Page not found"), and opens that page once the way in is found."""
    server_gate.admit(None)  # this session is not past the gate: no uploads, no control messages
    st.session_state.pop(ROLE_KEY, None)
    at_every_address = [
        st.Page(body, title=title, icon=":material/lock:", url_path=info.url_path, visibility="hidden")
        for info in PAGES
    ]
    home = st.Page(body, title=title, icon=":material/lock:", url_path=DEFAULT_URL_PATH, default=True)
    st.navigation([home, *at_every_address], position="hidden").run()
    set_page_language()
    apply_styles()
    st.stop()


def _sign_in_page(provider: str | None) -> None:
    def sign_in() -> None:
        st.title("Dorset Council financial position")
        st.write("This dashboard is for council staff. Sign in with your council account to continue.")
        st.button(
            "Sign in", type="primary", icon=":material/login:", on_click=st.login, args=[provider] if provider else []
        )

    _only_page("Sign in", sign_in)


def _refusal_page(title: str, message: str, *, sign_out: bool) -> NoReturn:
    def refused() -> None:
        st.title(title)
        st.error(message)
        if sign_out:
            st.button("Sign out", icon=":material/logout:", on_click=st.logout)

    _only_page(title, refused)


def _local_token_presented() -> bool:
    """The browser brought this server's token in the address, now or earlier in this session, or carries the
    cookie this server gave it when it did (ui/local_browser.py)."""
    if st.session_state.get(_TOKEN_SHOWN):
        return True
    if token_matches(st.query_params.get(LOCAL_TOKEN_PARAM), local_token()) or browser_cookie_matches(
        st.context.cookies.get(BROWSER_COOKIE), local_token()
    ):
        st.session_state[_TOKEN_SHOWN] = True
        return True
    return False


def sign_in_gate() -> Actor:
    """Call before st.navigation. Returns who is using the app; otherwise shows one page and stops."""
    try:
        secrets = _secrets()
        provider = _provider(secrets["auth"]) if "auth" in secrets else None
        parse_roles(secrets.get("roles"))
    except ConfigurationError as error:
        _refusal_page("Sign-in is misconfigured", f"{error}. Nothing else runs until it is fixed.", sign_out=False)
    if "auth" not in secrets:
        problem = exposure(
            st_config.get_option("server.address"),
            st.context.headers,
            # AppTest runs the script in-process, with no server; it patches the config module's get_option
            in_process=bool(st_config.get_option("global.appTest")),
        )
        if problem:
            _refusal_page(
                "Local mode: not for sharing",
                f"{problem} Without sign-in configured the dashboard lets anyone make changes as "
                "the person who started it, so it only serves this computer. Run it with `make run` "
                "(which binds 127.0.0.1), or configure sign-in (see docs/sign-in.md: Sign-in with Microsoft Entra ID).",
                sign_out=False,
            )
        if not st_config.get_option("global.appTest") and not _local_token_presented():
            _refusal_page(
                "Local mode: open the link from the terminal",
                "Without sign-in configured the dashboard lets its user make changes as the person who "
                "started it, so it only serves that person. Open the link "
                "printed in the terminal where the dashboard was started (it ends in `?token=` and a code) in this "
                "browser: this page then opens as linked, and links to any page open in this browser from then on. "
                "If you reached this page through a proxy or from another computer, configure sign-in instead "
                "(see docs/sign-in.md: Sign-in with Microsoft Entra ID).",
                sign_out=False,
            )
        return _admitted(local_actor())
    if st.user.to_dict().get("is_logged_in") is not True:
        _sign_in_page(provider)
    try:
        return _admitted(actor_for_user(st.user.to_dict(), secrets.get("roles")))
    except PermissionDenied as refusal:
        _refusal_page("No access", str(refusal), sign_out=True)


def _admitted(actor: Actor) -> Actor:
    server_gate.admit(actor.role)  # what the server answers this session outside a page run (ui/server_gate.py)
    st.session_state[ROLE_KEY] = actor.role  # the cache keys views by it (ui/cache.py)
    return actor


def show_identity(actor: Actor) -> None:
    """Sidebar: who is signed in, their role and a sign-out button; or the local-mode warning."""
    with st.sidebar:
        if auth_configured():
            st.caption(f"Signed in as **{plain(actor.identity)}**, {actor.role} ({ROLE_MEANING[actor.role]}).")
            st.button("Sign out", icon=":material/logout:", key="identity_sign_out", on_click=st.logout)
        else:
            st.warning("Local mode: not for sharing", icon=":material/lock_open:")
            st.caption(f"Changes are recorded as **{plain(actor.identity)}**, the operating-system user.")
