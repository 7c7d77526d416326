"""Benchmarking: an authority's reserves indicators beside its nearest neighbours, from MHCLG's RS returns.

`?authority=E06000059&year=2019/20` reopens the same view; default the dashboard's council and the latest
year held. No ranking: each indicator shows the neighbours' spread and median, and the risk in words.
"""

import pandas as pd
import streamlit as st

from charts import benchmarking as benchmark_charts
from data import vocab
from data.authorities import COUNCIL_CODE, COUNCIL_NAME
from metrics import benchmarking
from ui.cache import cached
from ui.chart_panel import show_chart
from ui.common import database
from ui.filters import authority_filter, directorate_notice, year_filter
from ui.frame import require_frame
from ui.safe import plain

require_frame()

st.title(vocab.BENCHMARKING.title)
directorate_notice("benchmarking compares whole councils")
st.caption(
    "Reserves indicators worked out from MHCLG's Revenue Outturn Summary (RS) returns, as each council made "
    "them, for a council beside its statistical nearest neighbours. Every value here is derived from the "
    "returns' lines (shown with each indicator). This is not a league table: each chart shows the neighbours' "
    "spread and median, with the council picked out."
)

with database() as conn:
    years = cached(conn, benchmarking.years_held)
    held = cached(conn, benchmarking.authorities)

if not years:
    st.info(
        "No RS returns are loaded yet. Load a year's 'RS … data by LA' workbook on the Data & sources page "
        "(or `python -m data load FILE --kind returns`), and the nearest neighbours list "
        "(`data/benchmarking/dorset_nearest_neighbours.csv`, `--kind neighbours`).",
        icon=":material/info:",
    )
else:
    names = dict(zip(held["ons_code"], held["authority"], strict=True))
    names.setdefault(COUNCIL_CODE, COUNCIL_NAME)
    codes = sorted(names, key=lambda code: (code != COUNCIL_CODE, names[code]))
    left, right = st.columns(2)
    authority = authority_filter(codes, COUNCIL_CODE, names, container=left)
    year = year_filter(list(reversed(years)), container=right)
    with database() as conn:
        result = cached(conn, benchmarking.benchmark, authority, year)
    name = plain(result.authority_name)

    if result.subject_missing:
        st.warning(f"{name} has no return for {year}: {plain(result.subject_missing)}.", icon=":material/info:")
    succession = result.succession
    if succession is not None and not result.predecessor_values.empty:
        predecessors = ", ".join(f"{plain(n)} ({c})" for c, n in succession.predecessors)
        st.info(
            f"{plain(succession.successor_name)} was formed on {succession.formed_on:%-d %B %Y} from {predecessors} "
            f"({plain(succession.source)}). Returns before {succession.first_year} are its predecessors': they are "
            "shown below and in the trend charts as the predecessors' own figures, never as "
            f"{plain(succession.successor_name)}'s and never added together.",
            icon=":material/history:",
        )
    if not result.missing.empty:
        st.header(f"Neighbours with no return for {year}")
        st.table(
            result.missing.rename(columns={"ons_code": "ONS code", "authority": "Authority", "why": "Why"}).set_index(
                "ONS code"
            )
        )

    for indicator in benchmarking.INDICATORS:
        st.header(indicator.label)
        mine = result.values[result.values["is_subject"] & (result.values["indicator"] == indicator.key)]
        value = (
            benchmarking.shown(mine.iloc[0]["value"], mine.iloc[0]["status"], indicator.unit)
            if not mine.empty
            else "no return"
        )
        derived = " (derived)" if not mine.empty and mine.iloc[0]["status"] != benchmarking.NOT_AVAILABLE else ""
        st.markdown(f"**{name}, {year}: {value}**{derived}. {plain(result.words[indicator.key])}")
        if not mine.empty and mine.iloc[0]["reason"]:
            st.caption(f"Not available: {plain(mine.iloc[0]['reason'])}.")
        st.caption(f"Formula: {indicator.formula}. Lines used: {indicator.lines}.")
        show_chart(benchmark_charts.dot_strip_chart(result, indicator.key))
        show_chart(benchmark_charts.trend_chart(result, indicator.key))

    st.header(f"Every value, {year}")
    table = result.values.assign(
        shown=[
            benchmarking.shown(v, s, benchmarking.BY_KEY[k].unit)
            for v, s, k in zip(result.values["value"], result.values["status"], result.values["indicator"], strict=True)
        ],
        label=result.values["indicator"].map(lambda k: benchmarking.BY_KEY[k].short),
    )
    order = [indicator.short for indicator in benchmarking.INDICATORS]
    wide = table.pivot_table(index="authority", columns="label", values="shown", aggfunc="first").reindex(columns=order)
    st.caption(
        "Alphabetical, not ranked. All values derived from the RS returns (see each indicator's formula); "
        "NRE is net revenue expenditure (line 805). "
        f"{name} is the authority chosen above."
    )
    st.dataframe(wide.reset_index().rename(columns={"authority": "Authority"}), hide_index=True, width="stretch")
    if not result.predecessor_values.empty:
        st.subheader("Predecessors' own figures")
        earlier = result.predecessor_values.assign(
            shown=[
                benchmarking.shown(v, s, benchmarking.BY_KEY[k].unit)
                for v, s, k in zip(
                    result.predecessor_values["value"],
                    result.predecessor_values["status"],
                    result.predecessor_values["indicator"],
                    strict=True,
                )
            ],
            label=result.predecessor_values["indicator"].map(lambda k: benchmarking.BY_KEY[k].short),
        )
        st.dataframe(
            pd.pivot_table(
                earlier, index=["authority", "fiscal_year"], columns="label", values="shown", aggfunc="first"
            )
            .reindex(columns=order)
            .reset_index()
            .rename(columns={"authority": "Predecessor", "fiscal_year": "Financial year"}),
            hide_index=True,
            width="stretch",
        )
    st.caption(f"Sources: {plain(result.returns_source)}. Neighbours: {plain(result.neighbours_source)}.")
