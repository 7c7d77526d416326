"""Text from data, shown as text: for the few places that take Markdown (st.markdown, st.caption, help=).

Streamlit already shows raw HTML in Markdown as text and blanks `javascript:` links, but it still
turns `[text](url)` into a link whose text hides its address, and applies bold, emoji shortcodes,
colours and LaTeX. `plain` backslash-escapes every ASCII punctuation character that Markdown or
Streamlit's extensions give a meaning, so the text reads exactly as written: links inline or by
reference (`[text][r]` and `[r]: url`), `:red[...]` directives, `$...$` maths, `:emoji:` shortcodes.
Streamlit turns `:material/name:` into an icon before it parses the Markdown at all (a plain text
replacement of ":material/"), so escaping the colon is not enough there: that slash is escaped too.
Escaping cannot stop a bare web address becoming a link (GFM autolink): an invisible word joiner
(U+2060) after `http`, `https`, `ftp` or `www` breaks the pattern, so the address reads as written
and is not clickable. A bare e-mail address still becomes a mailto: link showing that address.
st.text, st.code and st.dataframe need none of this: they never interpret their text.

A figure's label is Markdown too, but Streamlit keeps only inline Markdown there (it unwraps a list or a
heading to its text, so "1. " or "# " at a line's start would vanish) and also puts the label, escapes and
all, in its help button's accessible name ("Help for In\\-year overspend"), which a screen reader reads
out. `plain_label` escapes only the inline characters and a list or heading marker at a line's start, so a
label such as "In-year overspend (derived, 2020/21)" keeps no backslash.
"""

from __future__ import annotations

import re

import pandas as pd

from data.text import without_control_characters

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that mean something
# to Markdown, GFM or Streamlit (":" for :emoji: and :red[...], "$" for LaTeX).
_AUTOLINK = re.compile(r"(?i)(https?|ftp|www)(?=[:.])")
WORD_JOINER = "\u2060"
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=\"'^])")
# Inline: code, emphasis, strikethrough, links and images (which need "["), autolinks, entities, LaTeX, :emoji:
# and :red[...]. "(" and "." mean something only after "[" or at a line's start.
_LABEL_SPECIAL = re.compile(r"([\\`*_\[\]<>~$:&])")
# A line's first mark: a heading, list, quote, table or underline; or the "." or ")" of a numbered list.
_LINE_START = re.compile(r"(?m)^([ \t]*)([#+\-=|]|\d{1,9}(?=[.)]))")


def plain(text: object) -> str:
    """`text` escaped so that Markdown shows it literally; missing values become an empty string."""
    return _escaped(text, _SPECIAL)


def plain_label(text: object) -> str:
    """`text` escaped for a label (inline Markdown only), so that it reads exactly as written there."""
    escaped = _escaped(text, _LABEL_SPECIAL)
    return _LINE_START.sub(lambda m: m[1] + (m[2] + "\\" if m[2][0].isdigit() else "\\" + m[2]), escaped)


def _escaped(text: object, special: re.Pattern) -> str:
    if text is None or (pd.api.types.is_scalar(text) and pd.isna(text)):
        return ""
    # Invisible controls go first (text stored before entry paths cleaned them): the word joiner comes after.
    unlinked = _AUTOLINK.sub(r"\1" + WORD_JOINER, without_control_characters(str(text)))
    return special.sub(r"\\\1", unlinked).replace("material/", "material\\/")
