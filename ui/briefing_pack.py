"""The briefing pack being put together in this session: charts added from their menus, in the user's order.

The pack starts empty. Each chart's menu adds the chart exactly as it is shown (its year, period, directorate
and as-at date), so the pack holds what the person saw, whichever page it came from. The pack lives in the
session, so it survives moving between pages; the Briefing pack page lists, orders and builds it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import streamlit as st

from charts.spec import Chart

_STATE = "briefing_pack_entries"
HEADLINE_KEY = "headline_figures"
HEADLINE_TITLE = "Headline figures"


@dataclass(frozen=True)
class PackEntry:
    key: str  # the same chart shown for another year or period is another entry
    title: str  # the on-screen statement title
    uses: str  # what it shows: measure, area, year and period (the chart's subtitle)
    as_at: date | None  # the dashboard's as-at date when it was added (None: the latest figures)
    chart: Chart | None = None  # None for the headline figures, which are read when the pack is built


def entry_key(chart: Chart) -> str:
    view = f"{chart.title}\n{chart.subtitle}".encode()
    return f"{chart.chart_id}-{hashlib.sha256(view).hexdigest()[:10]}"


def entries() -> list[PackEntry]:
    return list(st.session_state.get(_STATE, []))


def _save(chosen: list[PackEntry]) -> None:
    st.session_state[_STATE] = chosen


def contains(key: str) -> bool:
    return any(entry.key == key for entry in entries())


def add_chart(chart: Chart, as_at: date | None) -> None:
    """Add the chart as shown, at the end of the pack (once: a second click changes nothing)."""
    key = entry_key(chart)
    if not contains(key):
        _save([*entries(), PackEntry(key, chart.title, chart.subtitle, as_at, chart)])
    st.toast(f"Added to the briefing pack ({_count(len(entries()))}).", icon=":material/playlist_add_check:")


def add_headline_figures(as_at: date | None) -> None:
    if not contains(HEADLINE_KEY):
        uses = "The council's headline figures, each with its value, basis and source quote"
        _save([PackEntry(HEADLINE_KEY, HEADLINE_TITLE, uses, as_at), *entries()])


def remove(key: str) -> None:
    _save([entry for entry in entries() if entry.key != key])


def move(key: str, step: int) -> None:
    """Move the entry up (step -1) or down (step 1) one place; at either end it stays."""
    chosen = entries()
    index = next(i for i, entry in enumerate(chosen) if entry.key == key)
    other = index + step
    if 0 <= other < len(chosen):
        chosen[index], chosen[other] = chosen[other], chosen[index]
        _save(chosen)


def clear() -> None:
    _save([])


def _count(items: int) -> str:
    return f"{items} item" if items == 1 else f"{items} items"


def count_words() -> str:
    """'1 item', '5 items'."""
    return _count(len(entries()))
