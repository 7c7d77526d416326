"""Budget & outturn: the net budget, the 2019/20 and 2020/21 overspends, the plan's assumptions, savings."""

import pandas as pd
import streamlit as st

from charts import position as position_charts
from data import vocab
from metrics import position
from metrics.figures import source_documents
from ui.chart_panel import show_chart
from ui.common import as_at_line, database, figure_metric, sources_expander
from ui.filters import directorate_notice
from ui.frame import require_frame

require_frame()

st.title(vocab.BUDGET_OUTTURN.title)
directorate_notice("the 2021 report gives these figures for the whole council")

with database() as conn:
    sources = source_documents(conn)
    budget = position.net_budget_by_year(conn)
    overspend = position.overspend_by_year(conn)
    year = overspend["fiscal_year"].iloc[-1]
    path = position.forecast_path(conn, year)
    rates = position.collection_rates(conn)
    charts = {
        chart_id: build(conn)
        for chart_id, build in {
            "budget": position_charts.build_net_budget,
            "overspend": position_charts.build_overspend_by_year,
            "path": position_charts.build_forecast_path,
            "bridge": position_charts.build_overspend_bridge,
            "funding": position_charts.build_funding_assumptions,
            "savings": position_charts.build_savings,
            "collection": position_charts.build_collection,
        }.items()
    }
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

st.header("Budget and outturn")
show_chart(charts["budget"])
show_chart(charts["overspend"])

st.header(f"How the {year} overspend came about")
show_chart(charts["path"])
show_chart(charts["bridge"])
st.caption(
    "The gross service overspend is derived: the net overspend plus the two underspends that offset it. "
    "The document does not state it."
)

st.header("The medium-term plan and savings")
show_chart(charts["funding"])
show_chart(charts["savings"])

st.header("Council tax collection")
show_chart(charts["collection"])

sources_expander(used)
