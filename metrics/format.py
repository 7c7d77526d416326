"""How figures are written for people: £m to one decimal, years as 2021/22."""

from __future__ import annotations

import math

QUALIFIER_PREFIX = {
    "circa": "c. ",
    "nearly": "nearly ",
    "just under": "just under ",
    "less than": "under ",
    "within top": "top ",
}


def gbp_m(value: float | None, *, qualifier: str | None = None, decimals: int | None = None) -> str:
    """£ millions: '£312m', '£31.5m', '£5.25m'; one decimal unless the source gives more."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not given"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else (1 if round(value, 1) == value else 2)
    sign = "-" if value < 0 else ""
    text = f"{sign}£{abs(value):,.{decimals}f}m"
    return QUALIFIER_PREFIX.get(qualifier or "", "") + text


def pct(value: float | None, *, qualifier: str | None = None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not given"
    return QUALIFIER_PREFIX.get(qualifier or "", "") + f"{value:g}%"


def figure(value: float | None, unit: str, qualifier: str | None = None) -> str:
    """A reported figure in its own unit."""
    if unit == "gbp_m":
        return gbp_m(value, qualifier=qualifier)
    if unit == "pct":
        return pct(value, qualifier=qualifier)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not given"
    if unit == "count":
        return QUALIFIER_PREFIX.get(qualifier or "", "") + f"{value:,.0f}"
    return QUALIFIER_PREFIX.get(qualifier or "", "") + f"{value:g}"
