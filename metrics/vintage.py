"""How old a figure is: the date it stands at, the date it was reported, and whether it is out of date.

A figure's vintage is the date it stands at (a balance's `as_at_date`, else the date its source was
published, else the day it was loaded). A "latest" figure more than STALE_AFTER_DAYS older than the page's
as-at date (today by default) is shown with its date and marked. Derived values name their inputs' dates
with `dated`, so a ratio never hides that its parts are years apart.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from data import vocab

STALE_AFTER_DAYS = 365  # "more than 12 months older than the as-at date"


def _day(value: object) -> date | None:
    if value is None or not isinstance(value, (date, pd.Timestamp, str)) or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _text(day: date) -> str:
    return f"{day:%-d %b %Y}"


def reported_when(row: pd.Series) -> str:
    """'Reported 15 Jul 2025' from the source's own date; 'source undated; loaded 5 Dec 2026' without one."""
    published = _day(row.get("source_date"))
    if published is not None:
        return f"Reported {_text(published)}"
    loaded = _day(row.get("known_on"))
    return f"source undated; loaded {_text(loaded)}" if loaded else "source undated"


def figure_date(row: pd.Series) -> date | None:
    """The date a figure stands at: its own as-at date, else its source's date, else the day it was loaded."""
    return _day(row.get("as_at_date")) or _day(row.get("source_date")) or _day(row.get("known_on"))


def reference_date(as_at: date | None) -> date:
    """The page's as-at date: the one chosen, else today."""
    return as_at or date.today()


def is_stale(row: pd.Series, as_at: date | None) -> bool:
    """More than 12 months older than the as-at date (an undated figure with no date at all is not judged)."""
    day = figure_date(row)
    return day is not None and (reference_date(as_at) - day).days > STALE_AFTER_DAYS


def stale_note(row: pd.Series, as_at: date | None) -> str:
    """'' for a current figure; 'dated 31 Mar 2023: over 12 months old' for an old one."""
    if not is_stale(row, as_at):
        return ""
    return f"dated {_text(figure_date(row))}: over 12 months old"


def dated(row: pd.Series) -> str:
    """A figure's year and dates in words, for a derived value's inputs:
    'end 2024/25 (reported 15 Jul 2025)', 'no year given (reported 5 Oct 2021)'."""
    year = row.get("fiscal_year")
    period = row.get("period")
    if isinstance(year, str):
        when = (
            f"end {year}"
            if period in ("outturn", "as_at")
            else f"{year} {vocab.PERIOD_WORDS.get(period, period)}"
            if isinstance(period, str)
            else year
        )
    else:
        when = "no year given"
    reported = reported_when(row)
    return f"{when} ({reported[0].lower()}{reported[1:]})"
