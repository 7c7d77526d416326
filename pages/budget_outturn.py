"""Budget & outturn: the net budget, the 2019/20 and 2020/21 overspends, the plan's assumptions, savings."""

import pandas as pd
import streamlit as st

from charts import position as position_charts
from data import vocab
from metrics import position
from metrics.figures import source_documents
from ui.cache import cached
from ui.chart_panel import show_chart
from ui.common import as_at_line, database, figure_metric, sources_expander
from ui.filters import directorate_notice
from ui.frame import require_frame

require_frame()

st.title(vocab.BUDGET_OUTTURN.title)
directorate_notice("the 2021 report gives these figures for the whole council")

SECTION_KEY = "section"  # the open section is kept in the address: ?section=...
# Seven charts in four sections, one section on screen at a time: only the open tab's charts are built and
# drawn, so the first screen is not held up by the rest. Each tab is a labelled, keyboard-reachable section,
# and every chart is also in the Briefing pack.
SECTIONS = {
    "Budget and outturn": (position_charts.build_net_budget, position_charts.build_overspend_by_year),
    "How the overspend came about": (position_charts.build_forecast_path, position_charts.build_overspend_bridge),
    "Medium-term plan and savings": (position_charts.build_funding_assumptions, position_charts.build_savings),
    "Council tax collection": (position_charts.build_collection,),
}
DERIVED_NOTE = {
    "How the overspend came about": "The gross service overspend is derived: the net overspend plus the two "
    "underspends that offset it. The document does not state it.",
}

with database() as conn:
    sources = source_documents(conn)
    budget = position.net_budget_by_year(conn)
    overspend = position.overspend_by_year(conn)
    year = overspend["fiscal_year"].iloc[-1]
    path = position.forecast_path(conn, year)
    rates = position.collection_rates(conn)
    used = position.latest_figures(
        conn,
        [
            "net_budget", "net_overspend", "net_outturn", "gross_service_overspend", "capital_financing_underspend",
            "contingency_underspend", "council_tax_income", "business_rates_income", "business_rates_income_increase",
            "budget_gap", "tactical_transformational_savings", "net_service_savings", "convergence_savings",
            "council_tax_collection_rate",
        ],
    )  # fmt: skip

as_at_line(sources)


def metric(row: pd.Series, label: str) -> None:
    figure_metric(row.rename({"value_gbp_m": "value", "value_pct": "value"}), label=label)


columns = st.columns(4)
with columns[0]:
    metric(budget.iloc[-1], f"Net budget {budget['fiscal_year'].iloc[-1]}")
with columns[1]:
    metric(overspend.iloc[-1], f"Overspend {year}")
with columns[2]:
    metric(path.iloc[0], f"Forecast overspend at {path['period'].iloc[0].upper()} {year}")
with columns[3]:
    metric(rates.iloc[-1], f"Council tax collected {rates['fiscal_year'].iloc[-1]}")


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
                    show_chart(cached(conn, build))
            if title in DERIVED_NOTE:
                st.caption(DERIVED_NOTE[title])


sections()
sources_expander(used)
