"""The local-mode browser cookie's rules, without a server: where the printed link may send a browser back to,
and what the cookies say."""

from __future__ import annotations

import pytest

from ui.identity import browser_cookie_matches, browser_cookie_value
from ui.local_browser import address, cookie_header, safe_return


@pytest.mark.parametrize(
    ("remembered", "sent_to"),
    [
        ("/action_plan?overdue=1", "/action_plan?overdue=1"),
        ("/directorates%3Fyear%3D2020%252F21%26period%3DP9", "/directorates?year=2020%2F21&period=P9"),
        ("/dsg?token=abc&as_at=2021-10-05", "/dsg?as_at=2021-10-05"),  # never the token again
        ("//evil.example/x", None),
        ("/\\evil.example", None),
        ("https://evil.example/", None),
        ("/x\nSet-Cookie: a=b", None),
        ("", None),
    ],
)
def test_the_printed_link_sends_a_browser_back_only_to_a_page_of_this_server(remembered, sent_to):
    assert safe_return(remembered) == sent_to


def test_the_token_leaves_the_address_and_everything_else_stays():
    assert address("/action_plan", [("token", "t"), ("overdue", "1"), ("rec", "9")]) == "/action_plan?overdue=1&rec=9"
    assert address("/", [("token", "t")]) == "/"


def test_the_cookies_are_for_this_server_only_and_never_hold_the_token():
    token = "a-local-token-of-enough-length"
    header = cookie_header("finance_local_browser", browser_cookie_value(token)).decode()
    assert "HttpOnly" in header and "SameSite=Strict" in header and token not in header
    assert browser_cookie_matches(browser_cookie_value(token), token)
    assert not browser_cookie_matches(browser_cookie_value(token), token + "x")
    assert not browser_cookie_matches(None, token) and not browser_cookie_matches("", token)
