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
"""

from __future__ import annotations

import re

import pandas as pd

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that mean something
# to Markdown, GFM or Streamlit (":" for :emoji: and :red[...], "$" for LaTeX).
_AUTOLINK = re.compile(r"(?i)(https?|ftp|www)(?=[:.])")
WORD_JOINER = "\u2060"
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=\"'^])")


def plain(text: object) -> str:
    """`text` escaped so that Markdown shows it literally; missing values become an empty string."""
    if text is None or (pd.api.types.is_scalar(text) and pd.isna(text)):
        return ""
    unlinked = _AUTOLINK.sub(r"\1" + WORD_JOINER, str(text))
    return _SPECIAL.sub(r"\\\1", unlinked).replace("material/", "material\\/")
