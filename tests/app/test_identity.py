"""Sign-in and roles: the rules as plain functions, then the gate in the real app under AppTest.

AppTest stands in for the identity provider: `at.secrets["auth"]` switches sign-in on and
`at.user` is what `st.user` reads after a sign-in (or `{"is_logged_in": False}` before one).
"""

from __future__ import annotations

import pytest
import streamlit
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from data.access import Actor, PermissionDenied, local_actor
from tests.support.helpers import PROJECT_DIR
from ui.identity import (
    ConfigurationError,
    actor_for_user,
    exposure,
    is_loopback,
    parse_roles,
    role_for,
    signed_in_email,
)

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-some-length",
    "client_id": "test-client",
    "client_secret": "test-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ROLES = {
    "admins": ["Finance.Systems@dorset.example.gov.uk"],
    "editors": ["jane@dorset.example.gov.uk"],
    "viewers": ["@dorset.example.gov.uk"],
}


# --- the rules -------------------------------------------------------------------------------


def test_roles_come_from_full_addresses_and_domains_and_the_highest_wins():
    roles = parse_roles(ROLES)
    assert role_for("finance.systems@dorset.example.gov.uk", roles) == "admin"
    assert role_for("JANE@dorset.example.gov.uk", roles) == "editor"
    assert role_for("someone.else@dorset.example.gov.uk", roles) == "viewer"


def test_nobody_outside_the_configured_addresses_gets_a_role():
    roles = parse_roles(ROLES)
    assert role_for("jane@evil.example.com", roles) is None
    # a look-alike domain that merely ends with the council's domain is not the council's domain
    assert role_for("jane@notdorset.example.gov.uk", roles) is None
    assert role_for("jane@dorset.example.gov.uk.evil.com", roles) is None
    assert role_for("anyone@dorset.example.gov.uk", parse_roles(None)) is None


@pytest.mark.parametrize(
    ("config", "complaint"),
    [
        ({"admin": ["a@b.gov.uk"]}, "unknown key 'admin'"),
        ({"editors": "a@b.gov.uk"}, "must be a list"),
        ({"viewers": ["dorset.gov.uk"]}, "'dorset.gov.uk'"),
        ({"viewers": ["@"]}, "'@'"),
    ],
)
def test_a_malformed_roles_table_is_refused_with_the_reason(config, complaint):
    with pytest.raises(ConfigurationError, match=complaint):
        parse_roles(config)


def test_the_identity_is_the_email_claim_or_entras_preferred_username():
    assert signed_in_email({"is_logged_in": True, "email": " Jane@Dorset.example.gov.uk "}) == (
        "jane@dorset.example.gov.uk"
    )
    assert signed_in_email({"is_logged_in": True, "preferred_username": "bob@dorset.example.gov.uk"}) == (
        "bob@dorset.example.gov.uk"
    )
    # an address the provider says it has not verified is not trusted; the UPN is used instead
    assert (
        signed_in_email(
            {
                "is_logged_in": True,
                "email": "admin@dorset.example.gov.uk",
                "email_verified": False,
                "preferred_username": "mallory@dorset.example.gov.uk",
            }
        )
        == "mallory@dorset.example.gov.uk"
    )
    assert signed_in_email({"is_logged_in": True, "name": "No Address"}) is None
    assert signed_in_email({"is_logged_in": False, "email": "jane@dorset.example.gov.uk"}) is None


def test_a_signed_in_user_becomes_an_actor_with_their_role():
    user = {"is_logged_in": True, "email": "jane@dorset.example.gov.uk", "name": "Jane"}
    assert actor_for_user(user, ROLES) == Actor("jane@dorset.example.gov.uk", "editor")


@pytest.mark.parametrize(
    "user",
    [
        {"is_logged_in": False},
        {"email": "jane@dorset.example.gov.uk"},  # no is_logged_in at all: not signed in
        {"is_logged_in": True, "email": "jane@elsewhere.example.com"},
        {"is_logged_in": True, "name": "Jane, no address"},
    ],
)
def test_anonymous_unlisted_or_addressless_users_are_refused(user):
    with pytest.raises(PermissionDenied):
        actor_for_user(user, ROLES)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("", False),
        (None, False),
        ("192.168.1.20", False),
        ("dashboard.dorset.example.gov.uk", False),
        ("localhost.evil.example.com", False),
    ],
)
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback


def test_local_mode_serves_only_a_loopback_server_reached_directly():
    assert exposure("127.0.0.1", {"Host": "127.0.0.1:8501"}) is None
    assert exposure("localhost", {"Host": "localhost:8501"}) is None
    assert exposure(None, {}, in_process=True) is None  # AppTest: no server listens at all
    assert "every network interface" in exposure(None, {"Host": "127.0.0.1:8501"})
    assert "0.0.0.0" in exposure("0.0.0.0", {"Host": "127.0.0.1:8501"})
    assert "dashboard.example" in exposure("127.0.0.1", {"Host": "dashboard.example:443"})
    assert "proxy" in exposure("127.0.0.1", {"Host": "127.0.0.1:8501", "X-Forwarded-For": "203.0.113.9"})


# --- the gate, in the real app ---------------------------------------------------------------


def signed_in_app(user: dict, roles: dict | None = ROLES) -> AppTest:
    at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=60)
    at.secrets["auth"] = AUTH
    if roles is not None:
        at.secrets["roles"] = roles
    at.user = user
    return at


def sidebar_text(at: AppTest) -> str:
    return " ".join(element.value for element in [*at.sidebar.caption, *at.sidebar.warning])


def test_without_sign_in_configured_the_app_runs_in_local_mode_as_the_os_user(app_test):
    app_test.run()
    assert not app_test.exception
    assert [warning.value for warning in app_test.sidebar.warning] == ["Local mode: not for sharing"]
    assert f"Changes are recorded as **{local_actor().identity}**" in sidebar_text(app_test)
    assert len(app_test.metric) == 5
    assert not [button for button in app_test.sidebar.button if button.label == "Sign out"]


def test_local_mode_refuses_to_serve_when_the_server_listens_beyond_loopback(app_test):
    original = st_config.get_option("server.address")
    st_config.set_option("server.address", "0.0.0.0")
    try:
        app_test.run()
    finally:
        st_config.set_option("server.address", original)
    assert not app_test.exception
    assert [title.value for title in app_test.title] == ["Local mode: not for sharing"]
    assert "0.0.0.0" in app_test.error[0].value
    assert len(app_test.metric) == 0
    assert not app_test.sidebar.caption  # not even the source line


def test_an_anonymous_visitor_sees_only_the_sign_in_page(db_path):
    at = signed_in_app({"is_logged_in": False}).run()
    assert not at.exception
    assert [button.label for button in at.button] == ["Sign in"]
    assert len(at.metric) == 0
    assert not at.sidebar.caption and not at.sidebar.warning and not at.sidebar.button
    assert "Dorset Council: financial position" not in [title.value for title in at.title]


def test_the_sign_in_button_starts_st_login(db_path, monkeypatch):
    calls = []
    monkeypatch.setattr(streamlit, "login", lambda *args: calls.append(args))
    at = signed_in_app({"is_logged_in": False}).run()
    at.button[0].click().run()
    assert calls == [()]


def test_a_named_provider_table_is_passed_to_st_login(db_path, monkeypatch):
    calls = []
    monkeypatch.setattr(streamlit, "login", lambda *args: calls.append(args))
    at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": AUTH["redirect_uri"],
        "cookie_secret": AUTH["cookie_secret"],
        "microsoft": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")},
    }
    at.secrets["roles"] = ROLES
    at.user = {"is_logged_in": False}
    at.run()
    at.button[0].click().run()
    assert calls == [("microsoft",)]


@pytest.mark.parametrize(
    ("email", "role"),
    [
        ("finance.systems@dorset.example.gov.uk", "admin"),
        ("jane@dorset.example.gov.uk", "editor"),
        ("reader@dorset.example.gov.uk", "viewer"),
    ],
)
def test_a_signed_in_user_sees_the_app_with_their_identity_role_and_sign_out(db_path, email, role):
    at = signed_in_app({"is_logged_in": True, "email": email, "name": "Test User"}).run()
    assert not at.exception
    assert len(at.metric) == 5
    text = sidebar_text(at)
    escaped = email.replace(".", "\\.")  # shown through ui.safe.plain
    assert f"Signed in as **{escaped}**, {role} (" in text
    assert "Local mode" not in text
    assert [button.label for button in at.sidebar.button] == ["Sign out"]


def test_sign_out_calls_st_logout(db_path, monkeypatch):
    calls = []
    monkeypatch.setattr(streamlit, "logout", lambda: calls.append("logout"))
    at = signed_in_app({"is_logged_in": True, "email": "jane@dorset.example.gov.uk"}).run()
    at.sidebar.button[0].click().run()
    assert calls == ["logout"]


def test_a_signed_in_user_with_no_role_is_refused_and_can_only_sign_out(db_path):
    at = signed_in_app({"is_logged_in": True, "email": "visitor@elsewhere.example.com"}).run()
    assert not at.exception
    assert [title.value for title in at.title] == ["No access"]
    assert "visitor@elsewhere.example.com has no role" in at.error[0].value
    assert [button.label for button in at.button] == ["Sign out"]
    assert len(at.metric) == 0


def test_sign_in_without_a_roles_table_refuses_everyone(db_path):
    at = signed_in_app({"is_logged_in": True, "email": "jane@dorset.example.gov.uk"}, roles=None).run()
    assert [title.value for title in at.title] == ["No access"]
    assert len(at.metric) == 0


def test_a_misconfigured_roles_table_stops_the_app_with_the_reason(db_path):
    at = signed_in_app({"is_logged_in": True, "email": "jane@dorset.example.gov.uk"}, roles={"admin": ["x@y.uk"]})
    at.run()
    assert not at.exception
    assert [title.value for title in at.title] == ["Sign-in is misconfigured"]
    assert "unknown key 'admin'" in at.error[0].value
    assert len(at.metric) == 0


CURRENT_ACTOR_SCRIPT = """
import streamlit as st
from data.access import PermissionDenied
from ui.identity import current_actor
try:
    actor = current_actor()
    st.text(f"{actor.identity}|{actor.role}")
except PermissionDenied as refusal:
    st.text(f"refused|{refusal}")
"""


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ({"is_logged_in": True, "email": "jane@dorset.example.gov.uk"}, "jane@dorset.example.gov.uk|editor"),
        ({"is_logged_in": True, "email": "reader@dorset.example.gov.uk"}, "reader@dorset.example.gov.uk|viewer"),
        ({"is_logged_in": False}, "refused|Sign in to use the dashboard."),
    ],
)
def test_current_actor_is_the_signed_in_user(user, expected):
    at = AppTest.from_string(CURRENT_ACTOR_SCRIPT, default_timeout=30)
    at.secrets["auth"] = AUTH
    at.secrets["roles"] = ROLES
    at.user = user
    at.run()
    assert at.text[0].value == expected


def test_current_actor_in_local_mode_is_the_os_user_as_admin():
    at = AppTest.from_string(CURRENT_ACTOR_SCRIPT, default_timeout=30).run()
    assert at.text[0].value == f"{local_actor().identity}|admin"
