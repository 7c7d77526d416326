"""The source document's text, normalised so quotes can be found regardless of line wrapping."""

from __future__ import annotations

import re
from functools import cache

from data.build import SOURCE_FILE


@cache
def normalised_source(strip_markup: bool = False) -> str:
    text = SOURCE_FILE.read_text(encoding="utf-8")
    if strip_markup:
        text = re.sub(r"</?p>", " ", text)
    return normalise(text)


def normalise(text: str) -> str:
    """Drop all whitespace: the source wraps lines and splits table cells across pages."""
    return re.sub(r"\s+", "", text)
