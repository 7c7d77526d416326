"""ui.safe.plain: data text in a Markdown context reads exactly as written."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ui.safe import WORD_JOINER, plain

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "![x](https://evil.example/track.png)",
    "**bold** _it_ `code` :red[red] :smile: $x^2$ # heading",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_every_markdown_and_html_character_is_escaped(text):
    escaped = plain(text)
    for special in "<>[]()!*_`:$#":
        # every special character is preceded by a backslash, and removing the escapes gives the text back
        assert escaped.count(special) == escaped.count("\\" + special)
    assert escaped.replace("\\", "").replace(WORD_JOINER, "") == text.replace("\\", "")


def test_a_backslash_in_the_text_survives():
    assert plain("C:\\ledger\\2021") == "C\\:\\\\ledger\\\\2021"


@pytest.mark.parametrize("missing", [None, math.nan, pd.NA])
def test_missing_values_become_empty(missing):
    assert plain(missing) == ""


def test_plain_words_are_unchanged():
    assert plain("Adults and Housing 2021") == "Adults and Housing 2021"
