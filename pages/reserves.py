"""Reserves: the general fund and usable reserves against the DSG deficit, now and on the modelled paths."""

import pandas as pd
import streamlit as st

from charts import position as position_charts
from charts.style import times
from data import vocab
from metrics import position
from metrics.figures import source_documents
from ui.cache import cached
from ui.chart_panel import show_chart
from ui.common import as_at_line, database, figure_metric, sources_expander
from ui.filters import directorate_notice
from ui.frame import require_frame

require_frame()

st.title(vocab.RESERVES.title)
directorate_notice("reserves and the DSG deficit are held for the whole council")

with database() as conn:
    sources = source_documents(conn)
    reserves = position.reserves(conn)
    points = position.dsg_known_points(conn)
    ratios = position.cover_ratios(conn)
    crossings = position.years_deficit_exceeds_reserves(conn)
    expiry = position.statutory_override_expiry(conn)
    bars = cached(conn, position_charts.build_reserves_against_deficit)
    timeline = cached(conn, position_charts.build_reserves_timeline)
    used = position.latest_figures(
        conn, ["general_fund_reserve", "usable_reserves", "dsg_cumulative_deficit", "dsg_statutory_override_expiry"]
    )

as_at_line(sources)

actual = points[points["kind"] == "actual"].iloc[-1]
columns = st.columns(len(reserves) + 2)
for column, (_, row) in zip(columns, reserves.iterrows(), strict=False):
    with column:
        undated = " (no date given)" if pd.isna(row["as_at_date"]) else ""
        figure_metric(row.rename({"value_gbp_m": "value"}), label=row["label"] + undated)
with columns[len(reserves)]:
    figure_metric(actual.rename({"value_gbp_m": "value"}), label=f"DSG deficit, end {actual['fiscal_year']}")
usable_now = ratios[(ratios["reserve_measure"] == "usable_reserves") & (ratios["deficit_kind"] == "actual")].iloc[0]
with columns[len(reserves) + 1]:
    st.metric(
        f"Usable reserves cover the deficit (derived, {usable_now['deficit_year']})",
        times(usable_now["cover_ratio"]),
        help="Cover ratio = reserve ÷ cumulative DSG deficit. Derived from the two reported figures.",
    )

usable_row = reserves.set_index("measure").loc["usable_reserves"]
st.info(
    f"Usable reserves ({vocab.gbp_m(usable_row['value_gbp_m'])}) have no date in the source document: it says "
    f'"{usable_row["source_quote"]}". They are shown undated and assumed to stay at that level.'
)

show_chart(bars)
show_chart(timeline)

st.subheader("How many times the reserves cover the deficit")
st.caption("Cover ratio = reserve ÷ cumulative DSG deficit (derived). The end of 2021/22 deficit is itself derived.")
st.dataframe(
    ratios.assign(cover=ratios["cover_ratio"].map(times))[
        ["reserve", "reserve_gbp_m", "deficit_year", "deficit_kind", "deficit_basis", "deficit_gbp_m", "cover"]
    ].rename(
        columns={
            "reserve": "Reserve",
            "reserve_gbp_m": "Reserve (£m)",
            "deficit_year": "Deficit at end of",
            "deficit_kind": "Deficit is",
            "deficit_basis": "Deficit basis",
            "deficit_gbp_m": "Deficit (£m)",
            "cover": "Cover (derived)",
        }
    ),
    hide_index=True,
    width="stretch",
)

st.subheader("When the deficit would pass each reserve")
st.caption(
    "The document gives the deficit only for 2020/21, 2021/22 and 2025/26. The years between come from the "
    "scenario model's default inputs (see DSG & high needs), so these years are modelled, not reported. "
    f"The statutory override, which sets how the deficit is treated in the accounts, is due to expire in "
    f"{int(expiry['year'])}. Basis says whether the deficit in that year is reported, derived or modelled."
)
scenario_names = {"unmitigated": "Without mitigation", "mitigated": "With the recovery plan"}
st.dataframe(
    crossings.assign(
        scenario=crossings["scenario"].map(scenario_names),
        first_year_above=crossings["first_year_above"].fillna("not before the last modelled year"),
    )[["scenario", "reserve", "reserve_gbp_m", "first_year_above", "basis"]].rename(
        columns={
            "scenario": "Scenario",
            "reserve": "Reserve",
            "reserve_gbp_m": "Reserve (£m)",
            "first_year_above": "First year the deficit is above it",
            "basis": "Basis",
        }
    ),
    hide_index=True,
    width="stretch",
)

sources_expander(used)
