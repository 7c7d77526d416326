"""Overview: the council's position in one screen."""

import streamlit as st

from metrics import format as fmt
from metrics.figures import figures, headline_position
from ui.common import database, figure_metric

st.title("Dorset Council: financial position")
st.caption(
    "From the LGA finance peer challenge reported to Cabinet on 5 October 2021. "
    "Hover over a figure to see the sentence it comes from."
)

with database() as conn:
    headline = headline_position(conn)
    budget_2020 = figures(conn, ["net_budget"], fiscal_year="2020/21")

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
        f"The 2020/21 overspend of {fmt.gbp_m(overspend)} was on a net revenue budget of "
        f"{fmt.gbp_m(budget_2020['value'].iloc[0])}."
    )
