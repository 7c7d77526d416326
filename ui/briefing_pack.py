"""The briefing pack being put together in this session: charts added from their menus, in the user's order.

The pack starts empty. Each chart's menu adds the chart exactly as it is shown (its year, period, directorate
and as-at date), so the pack holds what the person saw, whichever page it came from. The pack lives in the
session, so it survives moving between pages; the Briefing pack page lists, orders and builds it, and keeps the
items' chart ids in its address (?pack=...), so that page's link reopens the pack in a new session (each chart
drawn again as the catalogue draws it at the link's as-at date).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import streamlit as st

from charts.spec import Chart

_STATE = "briefing_pack_entries"
HEADLINE_KEY = "headline_figures"
HEADLINE_TITLE = "Headline figures"
PARAM = "pack"
_RESTORED = "briefing_pack_restored"


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


def _headline_entry(as_at: date | None) -> PackEntry:
    uses = "The council's headline figures, each with its value, basis and source quote"
    return PackEntry(HEADLINE_KEY, HEADLINE_TITLE, uses, as_at)


def add_headline_figures(as_at: date | None) -> None:
    """The headline figures slide, at the top of the pack."""
    if not contains(HEADLINE_KEY):
        _save([_headline_entry(as_at), *entries()])


def keep_in_link() -> None:
    """The pack's chart ids in the page's address, in order, so a copied link reopens it."""
    ids = [HEADLINE_KEY if entry.chart is None else entry.chart.chart_id for entry in entries()]
    if ids:
        st.query_params[PARAM] = ",".join(ids)
    elif PARAM in st.query_params:
        del st.query_params[PARAM]


def restore_from_link(build: Callable[[str], Chart | None], as_at: date | None) -> list[str]:
    """Once per session, if the pack is empty and the address names items, put them back in its order.

    `build` draws a chart by id (None if there is no such chart); returns the ids it could not draw.
    """
    if st.session_state.get(_RESTORED):
        return []
    st.session_state[_RESTORED] = True
    wanted = [part for part in (st.query_params.get(PARAM) or "").split(",") if part]
    if entries() or not wanted:
        return []
    restored, missing = [], []
    for chart_id in dict.fromkeys(wanted):
        chart = None if chart_id == HEADLINE_KEY else build(chart_id)
        if chart_id == HEADLINE_KEY:
            restored.append(_headline_entry(as_at))
        elif chart is None:
            missing.append(chart_id)
        elif entry_key(chart) not in {entry.key for entry in restored}:
            restored.append(PackEntry(entry_key(chart), chart.title, chart.subtitle, as_at, chart))
    _save(restored)
    return missing


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
