"""ui.safe.plain: data text in a Markdown context reads exactly as written."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui.safe import WORD_JOINER, plain, plain_label

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


INLINE = "\\`*_[]<>~$:&"


@given(st.text(alphabet=st.sampled_from(list("ab1 -+#=|().!\n") + list(INLINE)), max_size=40))
def test_a_label_escapes_inline_markdown_and_line_start_marks_and_nothing_else(text):
    escaped = plain_label(text)
    # taking the escapes out gives the text back
    assert re.sub(r"\\(.)", r"\1", escaped, flags=re.S) == text
    for line in escaped.split("\n"):
        unescaped_marks = re.sub(r"\\.", "", line, flags=re.S)
        assert not any(special in unescaped_marks for special in INLINE), line
        # a heading, list, quote or table mark never starts a line unescaped
        assert not re.match(r"[ \t]*([#+\-=|]|\d+[.)])", line), line


def test_a_label_keeps_its_hyphens_and_brackets_as_written():
    # Streamlit names the figure's help button "Help for <label>", escapes and all: no backslash to read out
    for label in ["In-year overspend predicted 2021/22", "Council's own exposure 2025/26 (scenario)", "£0.0m"]:
        assert plain_label(label) == label
    assert plain_label("1. Not a list") == "1\\. Not a list"
    assert plain_label("[click](javascript:alert(1))") == "\\[click\\](javascript\\:alert(1))"
