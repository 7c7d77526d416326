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
OLD_MARK = "over 12 months old"


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
    """The date a figure stands at: its own as-at date; a balance at outturn, its year end (31 March); else its
    source's date, else the day it was loaded."""
    own = _day(row.get("as_at_date"))
    if own is not None:
        return own
    year = row.get("fiscal_year")
    if row.get("period") == "outturn" and isinstance(year, str):
        return date(vocab.fiscal_year_start(year) + 1, 3, 31)
    return _day(row.get("source_date")) or _day(row.get("known_on"))


def reference_date(as_at: date | None, newest: date | None) -> date:
    """The date a page's figures are as at: the one chosen, else the newest document's (today if none)."""
    return as_at or newest or date.today()


def is_stale(row: pd.Series, reference: date) -> bool:
    """More than 12 months older than the reference date (a figure with no date at all is not judged)."""
    day = figure_date(row)
    return day is not None and (reference - day).days > STALE_AFTER_DAYS


def stale_note(row: pd.Series, reference: date) -> str:
    """ "" for a current figure; "dated 31 Mar 2022, over 12 months old" for an old one."""
    if not is_stale(row, reference):
        return ""
    return f"dated {_text(figure_date(row))}, {OLD_MARK}"


def when(row: pd.Series) -> str:
    """The figure's year and period in words: 'end 2024/25', '2025/26 quarter 2', 'no year given'."""
    year, period = row.get("fiscal_year"), row.get("period")
    if not isinstance(year, str):
        return "no year given"
    if period in ("outturn", "as_at"):
        return f"end {year}"
    return f"{year} {in_year}" if (in_year := in_year_period(row)) else year


def in_year_period(row: pd.Series) -> str | None:
    """The period in words for a figure read during its year, not at its end ('quarter 2'); None for a year end,
    a figure with no period or no year."""
    year, period = row.get("fiscal_year"), row.get("period")
    if not isinstance(year, str) or not isinstance(period, str) or period in ("outturn", "as_at"):
        return None
    return vocab.PERIOD_WORDS.get(period, period)


def reported_phrase(row: pd.Series) -> str:
    """reported_when inside a sentence: 'reported 15 Jul 2025', 'source undated; loaded 5 Dec 2026'."""
    text = reported_when(row)
    return text[:1].lower() + text[1:]


def dated(row: pd.Series) -> str:
    """A figure's year and dates in words, for a derived value's inputs:
    'end 2024/25 (reported 15 Jul 2025)', 'no year given (reported 5 Oct 2021)'."""
    return f"{when(row)} ({reported_phrase(row)})"


def short(row: pd.Series, reference: date) -> str:
    """Year, else the report's date, and the old-figure mark: 'end 2021/22, over 12 months old (31 Mar 2022)'."""
    text = when(row) if isinstance(row.get("fiscal_year"), str) else dated(row)
    note = stale_note(row, reference)
    return f"{text}, {note}" if note else text


def reported_and_age(row: pd.Series, reference: date) -> str:
    """A tile's caption: when the figure was reported, and the old-figure mark where it applies. A figure that
    stands at the date it was reported (a plan's projection) gives that date once: "Reported 5 Oct 2021, over
    12 months old", not "...; dated 5 Oct 2021, ..."."""
    if not is_stale(row, reference):
        return reported_when(row)
    if figure_date(row) == (_day(row.get("source_date")) or _day(row.get("known_on"))):
        return f"{reported_when(row)}, {OLD_MARK}"
    return f"{reported_when(row)}; {stale_note(row, reference)}"


def figures_in_words(frame: pd.DataFrame, *, at_most: int = 3) -> str:
    """Reported figures in one sentence, each with its directorate (where its label does not name it), year and
    period, and when it was reported: "Forecast net overspend at quarter 2, Children's Services (2025/26 Q2):
    £4.0m, reported 10 Nov 2025"; past `at_most`, how many more."""
    parts = []
    for _, row in frame.head(at_most).iterrows():
        when = vocab.year_and_period(row["fiscal_year"], row["period"])
        where = "" if str(row["directorate"]) in str(row["label"]) else f"{row['directorate']}, "
        qualifier = row["qualifier"] if isinstance(row["qualifier"], str) else None  # "circa", "nearly": kept
        value = (
            vocab.money_cell(row["value"], qualifier=qualifier)
            if row["unit"] == "gbp_m"
            else vocab.figure(row["value"], row["unit"], qualifier)
        )
        parts.append(f"{row['label']} ({where}{when}): {value}, {reported_phrase(row)}")
    more = len(frame) - at_most
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
