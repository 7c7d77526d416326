"""Characters that text from people or files may not keep: shared by entry paths and every export."""

from __future__ import annotations

import re

_LINE_BREAKS = re.compile("[\x0b\x0c]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def without_control_characters(text: str) -> str:
    """Text with control characters gone: a vertical tab or form feed (Word's soft return and page break)
    becomes a line break, the rest (which no XLSX cell can hold) are dropped. Tab, CR and LF stay."""
    return _CONTROL.sub("", _LINE_BREAKS.sub("\n", text))
