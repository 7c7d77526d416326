"""Budget & outturn: net budget and outturn for every year held, quarter forecasts against outturn, the
gross-to-net bridge, the plan's assumptions and savings."""

import pandas as pd
import streamlit as st

from charts import budget as budget_charts
from data import vocab
from metrics import budget as budget_metrics
from metrics import current, held, vintage
from metrics.figures import directorate_level, revisions
from ui import as_at as as_at_control
from ui.cache import cached, cached_if_held
from ui.chart_panel import show_chart
from ui.common import (
    as_at_line,
    database,
    figure_metric,
    not_reported_metric,
    sources_expander,
)
from ui.filters import directorate_notice
from ui.frame import require_frame
from ui.tables import figure_cells, table_or_grid

require_frame()

MEASURES = [
    "net_budget", "net_overspend", "net_outturn", "gross_service_overspend", "capital_financing_underspend",
    "contingency_underspend", "council_tax_income", "business_rates_income", "business_rates_income_increase",
    "budget_gap", "tactical_transformational_savings", "net_service_savings", "convergence_savings",
    "council_tax_collection_rate",
]  # fmt: skip

st.title(vocab.BUDGET_OUTTURN.title)
as_at = as_at_control.current()

with database() as conn:
    budget = cached(conn, budget_metrics.net_budget_by_year, as_at=as_at)
    overspend = cached(conn, budget_metrics.overspend_by_year, as_at=as_at)
    rates = cached_if_held(conn, budget_metrics.collection_rates, as_at=as_at, otherwise=pd.DataFrame())
    forecasts = cached_if_held(conn, budget_metrics.forecasts_against_outturn, as_at=as_at, otherwise=pd.DataFrame())
    used = cached(conn, held.latest_figures, MEASURES, as_at=as_at)
    this_year = cached(conn, current.current_year, as_at=as_at).fiscal_year
    directorate_figures = cached(conn, directorate_level, MEASURES, as_at=as_at)
    replaced = cached(conn, revisions, MEASURES, as_at=as_at)
    reference = cached(conn, held.reference_date, as_at=as_at)

directorate_notice(
    "these charts are for the whole council; "
    + (
        "no figures for single directorates are held"
        if directorate_figures.empty
        else "directorate figures held are listed below them"
    )
)
as_at_line(used, as_at)


def metric(frame: pd.DataFrame, label: str, what: str) -> None:
    if frame.empty:
        not_reported_metric(label, what)
        return
    row = frame.iloc[-1]
    figure_metric(row, label=f"{label} {row['fiscal_year']}")
    st.caption(vintage.reported_and_age(row, reference))  # when, as the Overview's and Reserves' figures say


quarters = forecasts[forecasts["period"].isin(held.QUARTERS)] if not forecasts.empty else forecasts
columns = st.columns(4)
with columns[0]:
    # the current year's budget (as on the Overview), not a later year's
    metric(budget[budget["fiscal_year"] <= this_year], "Net budget", "net budget")
with columns[1]:
    metric(overspend, "Overspend", "overspend at outturn")
with columns[2]:
    if quarters.empty:
        not_reported_metric("Latest quarter forecast", "quarter forecast")
    else:
        row = quarters.iloc[-1]
        figure_metric(
            row,
            label=f"Forecast overspend at {vocab.PERIOD_SHORT[row['period']]} {row['fiscal_year']}",
        )
        st.caption(vintage.reported_and_age(row, reference))
with columns[3]:
    metric(rates, "Council tax collected", "council tax collection rate")

SECTION_KEY = "section"  # the open section is kept in the address: ?section=...
# Nine charts in four sections, one on screen at a time: only the open tab's charts are built and drawn, so
# the first screen is not held up by the rest. Each tab is a labelled, keyboard-reachable section, and every
# chart is also in the Briefing pack.
SECTIONS = {
    "Budget and outturn": (
        budget_charts.build_budget_and_outturn,
        budget_charts.build_net_budget,
        budget_charts.build_overspend_by_year,
    ),
    "Quarter forecasts": (
        budget_charts.build_forecasts_against_outturn,
        budget_charts.build_forecast_path,
        budget_charts.build_overspend_bridge,
    ),
    "Medium-term plan and savings": (budget_charts.build_funding_assumptions, budget_charts.build_savings),
    "Council tax collection": (budget_charts.build_collection,),
}
# A directorate's figures read as the sources table below reads them (ui.tables.FIGURE_HEADINGS); the short
# document date before the long document title, so a narrow table shows it without scrolling.
DIRECTORATE_FIGURE_COLUMNS = [
    "directorate",
    "label",
    "fiscal_year",
    "period",
    "value",
    "source_document",
    "source_date",
]
NOTES = {
    "Quarter forecasts": "The gross service overspend is derived: the net overspend plus the two underspends that "
    "offset it. The document does not state it.",
}


@st.fragment
def sections() -> None:
    """Switching tabs reruns this fragment only."""
    tabs = st.tabs(list(SECTIONS), key=SECTION_KEY, bind="query-params")
    for tab, (title, builders) in zip(tabs, SECTIONS.items(), strict=True):
        with tab:
            if not tab.open:
                continue
            with database() as conn:
                for build in builders:
                    show_chart(cached(conn, build, as_at=as_at))
            if title in NOTES:
                st.caption(NOTES[title])


sections()

if not directorate_figures.empty:
    st.header("Figures held for single directorates")
    st.caption("These sit beside the whole-council figures above; they are not added into them.")
    table_or_grid(
        figure_cells(
            directorate_figures.assign(
                value=[
                    vocab.money_cell(value) if unit == "gbp_m" else vocab.figure(value, unit)
                    for value, unit in zip(directorate_figures["value"], directorate_figures["unit"], strict=True)
                ]
            ),
            DIRECTORATE_FIGURE_COLUMNS,
        ),
        alt="Figures held for single directorates: directorate, figure, year, period, value and document.",
    )

sources_expander(used, revisions=replaced)
