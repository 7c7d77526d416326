"""DSG & high needs: the cumulative deficit's trajectory and a scenario model to ask "what if"."""

import pandas as pd
import streamlit as st

from charts import position as position_charts
from data import vocab
from metrics import dsg_model, position
from metrics.figures import source_documents
from ui.cache import cached
from ui.chart_panel import show_chart
from ui.common import as_at_line, database, figure_metric, sources_expander
from ui.filters import directorate_notice
from ui.frame import require_frame

require_frame()

st.title(vocab.DSG.title)
directorate_notice("the Dedicated Schools Grant deficit is the whole council's")

with database() as conn:
    sources = source_documents(conn)
    points = position.dsg_known_points(conn)
    in_year = position.dsg_in_year(conn)
    reported = position.dsg_reported(conn)
    defaults = position.dsg_defaults(conn)
    reserves = position.reserves(conn)
    trajectory = cached(conn, position_charts.build_dsg_trajectory)
    used = position.latest_figures(conn, ["dsg_cumulative_deficit", "dsg_in_year_deficit"])

as_at_line(sources)

actual = points[points["kind"] == "actual"].iloc[-1]
projections = points[points["kind"] == "projection"].set_index("scenario")
columns = st.columns(4)
with columns[0]:
    figure_metric(actual.rename({"value_gbp_m": "value"}), label=f"Cumulative deficit, end {actual['fiscal_year']}")
with columns[1]:
    row = in_year[in_year["fiscal_year"] == reported.first_year].iloc[0]
    figure_metric(row.rename({"value_gbp_m": "value"}), label=f"In-year overspend predicted {reported.first_year}")
with columns[2]:
    figure_metric(
        projections.loc["mitigated"].rename({"value_gbp_m": "value"}),
        label=f"{reported.end_year} with the recovery plan",
    )
with columns[3]:
    figure_metric(
        projections.loc["unmitigated"].rename({"value_gbp_m": "value"}),
        label=f"{reported.end_year} without mitigation",
    )

show_chart(trajectory)

st.header("What if? The scenario model")
st.markdown(f"**How the model works.** {dsg_model.FORMULA_IN_WORDS}")
st.caption(
    f"{dsg_model.DEFAULTS_IN_WORDS} With the reported figures that is an in-year overspend of "
    f"{vocab.gbp_m(defaults.later_overspend_gbp_m, decimals=3)} a year after {reported.first_year}, and savings "
    f"from mitigation of {vocab.gbp_m(defaults.mitigation_per_year_gbp_m)} a year, giving "
    f"{vocab.gbp_m(reported.end_unmitigated_gbp_m)} and {vocab.gbp_m(reported.end_mitigated_gbp_m)} in "
    f"{reported.end_year}."
)

years = defaults.mitigated.years
later_default = defaults.later_overspend_gbp_m
ceiling = float(round(4 * max(later_default, reported.first_year_overspend_gbp_m, defaults.mitigation_per_year_gbp_m)))

mode = st.radio(
    "Set the in-year overspend",
    ["As a base and a growth rate", "Year by year"],
    key="dsg_mode",
    horizontal=True,
)
if mode == "As a base and a growth rate":
    first_column, base_column, growth_column, savings_column = st.columns(4)
else:
    first_column, table_column = st.columns([1, 3])
with first_column:
    first_year = st.number_input(
        f"In-year overspend {years[0]} (£m)",
        min_value=0.0,
        max_value=ceiling,
        value=reported.first_year_overspend_gbp_m,
        step=0.5,
        key="dsg_first_year",
        help=f"The document predicts {vocab.gbp_m(reported.first_year_overspend_gbp_m)}.",
    )
if mode == "As a base and a growth rate":
    with base_column:
        base = st.number_input(
            f"In-year overspend {years[1]} (£m)",
            min_value=0.0,
            max_value=ceiling,
            value=later_default,
            step=0.5,
            format="%.3f",
            key="dsg_base",
            help="The default is derived so that, with no mitigation, the deficit reaches the reported figure.",
        )
    with growth_column:
        growth = st.slider(
            f"Growth in the in-year overspend each year after {years[1]} (%)",
            min_value=-50,
            max_value=50,
            value=0,
            step=1,
            key="dsg_growth",
        )
    with savings_column:
        savings_each = st.number_input(
            f"Savings from mitigation each year from {years[1]} (£m)",
            min_value=0.0,
            max_value=ceiling,
            value=defaults.mitigation_per_year_gbp_m,
            step=0.5,
            key="dsg_savings",
            help="Set to zero to see the path without the recovery plan.",
        )
    overspend = dsg_model.overspend_path(first_year, base, growth / 100, len(years))
    savings = dsg_model.savings_path(savings_each, len(years))
else:
    table = pd.DataFrame(
        {
            "Financial year": years,
            "In-year overspend (£m)": defaults.mitigated.in_year_overspend_gbp_m,
            "Savings from mitigation (£m)": defaults.mitigated.mitigation_savings_gbp_m,
        }
    )
    with table_column:
        st.caption("The first row's overspend is set on the left; edit the later years here.")
        edited = st.data_editor(
            table,
            hide_index=True,
            disabled=["Financial year"],
            key="dsg_years",
            column_config={
                "In-year overspend (£m)": st.column_config.NumberColumn(
                    min_value=0.0, max_value=ceiling, format="%.2f"
                ),
                "Savings from mitigation (£m)": st.column_config.NumberColumn(
                    min_value=0.0, max_value=ceiling, format="%.2f"
                ),
            },
        )
    filled = edited.fillna(0.0)
    overspend = (first_year, *filled["In-year overspend (£m)"].iloc[1:].astype(float))
    savings = tuple(filled["Savings from mitigation (£m)"].astype(float))

try:
    scenario = dsg_model.DsgScenario(reported.start_year, reported.start_deficit_gbp_m, years, overspend, savings)
except ValueError as error:
    st.error(f"These inputs cannot be modelled: {error}")
    st.stop()

path = dsg_model.project(scenario)
chart = position_charts.dsg_scenario_chart(points, path, actual)
usable = reserves.set_index("measure").loc["usable_reserves", "value_gbp_m"]
passes = dsg_model.first_year_above(path, usable)
end = path.iloc[-1]


against_plan = end["cumulative_deficit_gbp_m"] - reported.end_mitigated_gbp_m
left, middle, right = st.columns(3)
with left:
    st.metric(
        f"Deficit {end['fiscal_year']} (modelled)",
        vocab.gbp_m(end["cumulative_deficit_gbp_m"], decimals=1),
        delta=f"{vocab.gbp_m_signed(against_plan)} against the recovery plan",
        delta_color="inverse" if round(against_plan, 1) else "off",  # no arrow for no change
    )
with middle:
    st.metric(
        f"Against the projection without mitigation ({vocab.gbp_m(reported.end_unmitigated_gbp_m)})",
        vocab.gbp_m_signed(end["cumulative_deficit_gbp_m"] - reported.end_unmitigated_gbp_m),
        help="The modelled deficit in the last year less the reported projection without mitigation.",
    )
with right:
    st.metric(
        f"Passes usable reserves of {vocab.gbp_m(usable)} (modelled)",
        passes or f"not by {years[-1]}",
        help="The first modelled year whose cumulative deficit is above usable reserves, which the document "
        "gives without a date; they are assumed to stay at that level.",
    )
show_chart(chart)

sources_expander(used)
