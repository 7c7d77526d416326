"""Reserves: the general fund and usable reserves for every year held, against the DSG deficit; years of cover."""

from datetime import date

import pandas as pd
import streamlit as st

from charts import reserves as reserves_charts
from charts.style import times
from data import vocab
from metrics import dsg as dsg_metrics
from metrics import held, vintage
from metrics import reserves as reserves_metrics
from metrics.figures import revisions
from ui import as_at as as_at_control
from ui.cache import cached, cached_if_held
from ui.chart_panel import show_chart
from ui.common import as_at_line, database, figure_metric, not_reported_metric, sources_expander
from ui.filters import directorate_notice
from ui.frame import require_frame
from ui.safe import plain
from ui.tables import readable, table_or_grid

require_frame()

MEASURES = ["general_fund_reserve", "usable_reserves", "dsg_cumulative_deficit", "dsg_statutory_override_expiry"]

st.title(vocab.RESERVES.title)
directorate_notice("reserves and the DSG deficit are held for the whole council")
as_at = as_at_control.current()

with database() as conn:
    reserves = cached_if_held(conn, reserves_metrics.reserves, as_at=as_at)
    points = cached(conn, dsg_metrics.dsg_known_points, as_at=as_at)
    ratios = cached_if_held(conn, reserves_metrics.cover_ratios, as_at=as_at)
    cover = cached(conn, reserves_metrics.cover_by_year, as_at=as_at)
    crossings = cached_if_held(conn, reserves_metrics.years_deficit_exceeds_reserves, as_at=as_at)
    expiry = cached_if_held(conn, dsg_metrics.statutory_override_expiry, as_at=as_at)
    projection = cached_if_held(conn, dsg_metrics.dsg_projection, as_at=as_at)
    bars = cached(conn, reserves_charts.build_reserves_against_deficit, as_at=as_at)
    by_year = cached(conn, reserves_charts.build_reserves_by_year, as_at=as_at)
    timeline = cached(conn, reserves_charts.build_reserves_timeline, as_at=as_at)
    used = cached(conn, held.latest_figures, MEASURES, as_at=as_at)
    reference = cached(conn, held.reference_date, as_at=as_at)
    replaced = cached(conn, revisions, MEASURES, as_at=as_at)

as_at_line(used, as_at)


actuals = points[points["kind"] == "actual"]
by_measure = {} if reserves is None else {row["measure"]: row for _, row in reserves.iterrows()}
columns = st.columns(4)
for column, (measure, name) in zip(
    columns, (("general_fund_reserve", "General fund reserve"), ("usable_reserves", "Usable reserves")), strict=False
):
    with column:
        if measure in by_measure:
            row = by_measure[measure]
            when = f", {row['fiscal_year']}" if isinstance(row["fiscal_year"], str) else " (no date given)"
            figure_metric(row, label=row["label"] + when)
            st.caption(vintage.reported_and_age(row, reference))
        else:
            not_reported_metric(name, name.lower())
with columns[2]:
    if actuals.empty:
        not_reported_metric("DSG deficit", "DSG deficit")
    else:
        actual = actuals.iloc[-1]
        figure_metric(actual, label=f"DSG deficit, {vocab.year_and_period(actual['fiscal_year'], actual['period'])}")
        st.caption(vintage.reported_and_age(actual, reference))
usable_now = (
    ratios[(ratios["reserve_measure"] == "usable_reserves") & ratios["headline"]]
    if ratios is not None
    else pd.DataFrame()
)
with columns[3]:
    if usable_now.empty:
        not_reported_metric("Usable reserves cover the deficit (derived)", "usable reserves or DSG deficit")
    else:
        row = usable_now.iloc[0]
        paired = "" if row["same_vintage"] else ", paired across years"
        # an undated balance is paired by its document: the year is the deficit's alone
        undated = "" if isinstance(row["reserve_year"], str) else " deficit, reserves undated"
        st.metric(
            f"Usable reserves cover the deficit (derived, {plain(row['deficit_year'])}{undated}{paired})",
            times(row["cover_ratio"]),
            help="Cover ratio = reserve ÷ cumulative DSG deficit. Derived from the two reported figures: "
            f"{plain(row['inputs_dated'])}.",
        )
        latest = reserves_metrics.latest_deficit_cover(ratios, "usable_reserves")
        st.caption(
            f"Inputs: {plain(row['inputs_dated'])}"
            + (f"; reserve {row['reserve_stale']}" if row["reserve_stale"] else "")
            + (
                ""
                if latest is None
                else f". Against the latest deficit ({plain(latest['deficit_when'])}): "
                f"{times(latest['cover_ratio'])} (derived)"
            )
        )

if "usable_reserves" in by_measure and not isinstance(by_measure["usable_reserves"]["fiscal_year"], str):
    usable_row = by_measure["usable_reserves"]
    st.info(
        f"Usable reserves ({vocab.gbp_m(usable_row['value'])}) have no date in the source document: it says "
        f'"{plain(usable_row["source_quote"])}". They are shown undated and assumed to stay at that level.'
    )

show_chart(bars)
show_chart(by_year)
show_chart(timeline)

st.header("How many times the reserves cover the deficit")
derived_deficits = (
    sorted(set(ratios.loc[ratios["deficit_basis"] == "derived", "deficit_year"])) if ratios is not None else []
)
st.caption(
    "Cover ratio = reserve ÷ cumulative DSG deficit (derived). A reserve and a deficit of different years are "
    "paired only where the table says so."
    + "".join(f" The end of {year} deficit is itself derived." for year in derived_deficits)
)
if ratios is None or ratios.empty:
    st.info("Not reported: the cover needs a reserve balance and a DSG deficit.")
else:
    table_or_grid(
        readable(
            ratios.assign(cover=ratios["cover_ratio"].map(times)),
            {"reserve_gbp_m": None, "deficit_gbp_m": "deficit_basis"},
        )[
            [
                "reserve",
                "reserve_gbp_m",
                "deficit_when",
                "deficit_kind",
                "deficit_basis",
                "deficit_gbp_m",
                "cover",
                "pairing",
            ]
        ].rename(
            columns={
                "reserve": "Reserve",
                "reserve_gbp_m": "Reserve (£m)",
                "deficit_when": "Deficit for",
                "deficit_kind": "Deficit is",
                "deficit_basis": "Deficit basis",
                "deficit_gbp_m": "Deficit (£m)",
                "cover": "Cover (derived)",
                "pairing": "Paired",
            }
        ),
    )
if not cover.empty:
    st.caption("Years of cover: each year that has both a reserve balance and a year-end deficit (derived).")
    table_or_grid(
        readable(cover.assign(cover=cover["cover_ratio"].map(times)), {"reserve_gbp_m": None, "deficit_gbp_m": None})[
            ["fiscal_year", "reserve", "reserve_gbp_m", "deficit_gbp_m", "cover"]
        ].rename(
            columns={
                "fiscal_year": "Financial year",
                "reserve": "Reserve",
                "reserve_gbp_m": "Reserve (£m)",
                "deficit_gbp_m": "DSG deficit (£m)",
                "cover": "Cover (derived)",
            }
        ),
    )

st.header("When the deficit would pass each reserve")
expiry_text = (
    "The statutory override, which sets how the deficit is treated in the accounts, "
    f"{dsg_metrics.override_due(int(expiry['year']), as_at or date.today())} "
    f"({vintage.reported_phrase(expiry)}, the latest figure held on it). "
    if expiry is not None
    else "No expiry year for the statutory override is held. "
)
st.caption(
    (
        "The 2021 plan gives the deficit only for 2020/21, 2021/22 and 2025/26. The years between come from the "
        "scenario model's default inputs (see DSG & high needs), so these years are modelled, not reported. "
        if projection is None or projection.from_plan
        else "A deficit already above a reserve is said from the reported figures. "
        + projection.in_words
        + " See DSG & high needs. "
    )
    + expiry_text
    + "Basis says whether the deficit in that year is reported, derived or modelled."
)
if crossings is None or crossings.empty:
    st.info("Not reported: this needs both DSG projections and a reserve balance.")
else:
    scenario_names = {
        "unmitigated": "Without mitigation",
        "mitigated": "With the recovery plan",
        "trend": "On the latest trend",
    }
    table_or_grid(
        readable(
            crossings.assign(
                scenario=crossings["scenario"].map(scenario_names),
                first_year_above=crossings["first_year_above"].fillna("not before the last modelled year"),
            ),
            {"reserve_gbp_m": None},
        )[["scenario", "reserve", "reserve_gbp_m", "reserve_dated", "first_year_above", "basis", "statement"]].rename(
            columns={
                "scenario": "Scenario",
                "reserve": "Reserve",
                "reserve_gbp_m": "Reserve (£m)",
                "reserve_dated": "Reserve is at",
                "first_year_above": "First year the deficit is above it",
                "basis": "Basis",
                "statement": "The deficit",
            }
        ),
    )

sources_expander(used, revisions=replaced)
