"""Characters that text from people or files may not keep: shared by entry paths and every export.

ASCII's control characters, and Unicode's invisible ones that act like them: the text-direction controls
(embeddings and overrides U+202A-U+202E, isolates U+2066-U+2069, the marks U+200E, U+200F and U+061C),
which can make "Complete \\u202e%05 enod\\u202c" read "Complete done 50%" in a report, the zero-width
characters (U+200B-U+200D, U+2060-U+2064, U+FEFF, U+180E) that hide text inside text, and the C1 controls
U+0080-U+009F. Unicode's line and paragraph separators become line breaks, as a vertical tab does.
"""

from __future__ import annotations

import re

# What a spreadsheet (Excel, LibreOffice, Google Sheets) runs as a formula when a cell starts with it: loads
# refuse such text (data/load/cells.py), exports put an apostrophe before it (metrics/safe_text.py).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A character class body, for patterns elsewhere that refuse rather than clean (data/load/cells.py).
UNICODE_CONTROLS = "\x80-\x9f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_LINE_BREAKS = re.compile("[\x0b\x0c\u2028\u2029]")
_CONTROL = re.compile(f"[\x00-\x08\x0e-\x1f\x7f{UNICODE_CONTROLS}]")


def without_control_characters(text: str) -> str:
    """Text with control characters gone: a vertical tab or form feed (Word's soft return and page break) or a
    Unicode line or paragraph separator becomes a line break, the rest (which no XLSX cell can hold, or which
    reorder or hide what a reader sees) are dropped. Tab, CR and LF stay."""
    return _CONTROL.sub("", _LINE_BREAKS.sub("\n", text))
