"""Overview: the council's position in one screen."""

import streamlit as st

from charts import position as position_charts
from data import vocab
from metrics import position
from metrics.figures import figures, headline_position, source_documents
from ui.cache import cached
from ui.chart_panel import show_chart
from ui.common import as_at_line, database, figure_metric, sources_expander
from ui.filters import directorate_notice
from ui.frame import require_frame

require_frame()

st.title(vocab.OVERVIEW.title)
directorate_notice("the 2021 report gives these figures for the whole council")

with database() as conn:
    sources = source_documents(conn)
    headline = headline_position(conn)
    budget_2020 = figures(conn, ["net_budget"], fiscal_year="2020/21")
    charts = [
        cached(conn, position_charts.build_outturn_against_budget),
        cached(conn, position_charts.build_reserves_against_deficit),
        cached(conn, position_charts.build_dsg_trajectory),
        cached(conn, position_charts.build_action_status),
    ]
    crossings = position.years_deficit_exceeds_reserves(conn)

as_at_line(sources)

labels = {
    "net_budget": "Net budget 2021/22",
    "net_overspend": "Overspend 2020/21",
    "general_fund_reserve": "General fund reserve, Mar 2021",
    "usable_reserves": "Usable reserves (undated)",
    "dsg_cumulative_deficit": "DSG deficit, end 2020/21",
}
for column, (_, row) in zip(st.columns(len(headline)), headline.iterrows(), strict=True):
    with column:
        figure_metric(row, label=labels[row["measure"]])

if not budget_2020.empty:
    overspend = headline.loc[headline["measure"] == "net_overspend", "value"].iloc[0]
    st.caption(
        f"The 2020/21 overspend of {vocab.gbp_m(overspend)} was on a net revenue budget of "
        f"{vocab.gbp_m(budget_2020['value'].iloc[0])}."
    )

usable = crossings[crossings["reserve_measure"] == "usable_reserves"].set_index("scenario")["first_year_above"]
if not usable.empty:
    st.markdown(
        "**The risk in one line:** on the modelled paths between the reported figures, the DSG deficit would "
        f"pass usable reserves in {usable.get('unmitigated') or 'no modelled year'} without mitigation and in "
        f"{usable.get('mitigated') or 'no modelled year'} with the recovery plan (see Reserves)."
    )

for chart in charts[:-1]:
    show_chart(chart)

st.subheader("Action plan progress")
show_chart(charts[-1])
st.info("The full tracker, with each recommendation's progress and due date, is on the Action plan page.")
st.page_link("pages/action_plan.py", label="Open the Action plan", icon=":material/checklist:")

sources_expander(headline.rename(columns={"value": "value_gbp_m"}))
