"""A tile's caption says when its figure was reported and marks an old one, naming each date once."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.vintage import is_stale, reported_and_age

LATE_2026 = date(2026, 11, 1)


def figure(**fields) -> pd.Series:
    base = {"fiscal_year": None, "period": "as_at", "source_date": None, "known_on": None, "as_at_date": None}
    return pd.Series({**base, **fields})


@pytest.mark.parametrize(
    ("row", "caption"),
    [
        # a plan's projection stands at its report's date: the date once
        (figure(fiscal_year="2025/26", period="projection", source_date=date(2021, 10, 5)),
         "Reported 5 Oct 2021, over 12 months old"),
        # a balance at a year end, reported later: both dates, as they differ
        (figure(fiscal_year="2024/25", period="outturn", source_date=date(2025, 7, 15)),
         "Reported 15 Jul 2025; dated 31 Mar 2025, over 12 months old"),
        (figure(fiscal_year="2025/26", period="q2", source_date=date(2025, 11, 10)), "Reported 10 Nov 2025"),
        (figure(period="as_at", known_on=date(2021, 10, 5)), "source undated; loaded 5 Oct 2021, over 12 months old"),
        (figure(period="as_at"), "source undated"),
    ],
)  # fmt: skip
def test_a_tiles_caption_names_each_date_once(row, caption):
    assert reported_and_age(row, LATE_2026) == caption


days = st.dates(date(2018, 1, 1), date(2027, 12, 31))


@given(
    year=st.sampled_from([None, "2020/21", "2024/25", "2025/26"]),
    period=st.sampled_from(["outturn", "as_at", "q2", "forecast", "projection"]),
    source_date=st.none() | days,
    known_on=st.none() | days,
    as_at_date=st.none() | days,
    reference=days,
)
def test_no_caption_repeats_a_date(year, period, source_date, known_on, as_at_date, reference):
    row = figure(fiscal_year=year, period=period, source_date=source_date, known_on=known_on, as_at_date=as_at_date)
    caption = reported_and_age(row, reference)
    named = re.findall(r"\d{1,2} [A-Z][a-z]{2} \d{4}", caption)
    assert len(named) == len(set(named)), caption
    assert caption.count("over 12 months old") == (1 if is_stale(row, reference) else 0), caption
