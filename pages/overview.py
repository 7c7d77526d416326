"""Overview: the council's latest position in one screen, with the 2021 report's headline one click away."""

import pandas as pd
import streamlit as st

from charts import budget as budget_charts
from charts import dsg as dsg_charts
from charts import overview as overview_charts
from charts import reserves as reserves_charts
from charts.spec import Chart
from data import vocab
from metrics import budget as budget_metrics
from metrics import current, held, vintage
from metrics import reserves as reserves_metrics
from metrics.figures import headline_measures, report_headline, revisions
from ui import as_at as as_at_control
from ui.cache import cached, cached_if_held
from ui.chart_panel import show_chart
from ui.common import (
    as_at_line,
    database,
    figure_metric,
    not_reported_metric,
    show_unexpected_error,
    sources_expander,
)
from ui.document import in_two_parts
from ui.filters import directorate_notice
from ui.frame import require_frame
from ui.panel import opened_panel
from ui.safe import plain

require_frame()

st.title("Dorset Council: financial position")
directorate_notice("the headline figures are for the whole council")
as_at = as_at_control.current()

with database() as conn:
    headline = cached(conn, current.current_position, as_at=as_at)
    this_year = cached(conn, current.current_year, as_at=as_at)
    report = cached(conn, report_headline)
    # A quarter's forecast alone, say, holds no budget or outturn to show.
    budgets = cached_if_held(conn, budget_metrics.budget_and_outturn, as_at=as_at, otherwise=pd.DataFrame())
    first_chart = cached(conn, budget_charts.build_outturn_against_budget, as_at=as_at)
    crossings = cached_if_held(
        conn, reserves_metrics.years_deficit_exceeds_reserves, as_at=as_at, otherwise=pd.DataFrame()
    )
    replaced = cached(conn, revisions, headline_measures(), as_at=as_at)
    reference = cached(conn, held.reference_date, as_at=as_at)

MEASURE_NAMES = {
    "net_budget": "Net budget",
    "net_overspend": "Overspend",
    "general_fund_reserve": "General fund reserve",
    "usable_reserves": "Usable reserves",
    "dsg_cumulative_deficit": "DSG deficit",
}
HEADLINES_PER_ROW = 3
# A balance as at its year end reads as the year alone; a monitoring total reads as its period ("P7").
PERIOD_WORDS = {**vocab.PERIOD_SHORT, "as_at": ""}


def headline_label(row: pd.Series) -> str:
    name = MEASURE_NAMES[row["measure"]]
    if row["measure"] == "net_overspend" and row["period"] != "outturn":
        name = "Forecast overspend"
    if not isinstance(row["fiscal_year"], str):
        return f"{name} (undated)"
    when = " ".join(part for part in (row["fiscal_year"], PERIOD_WORDS.get(row["period"], row["period"])) if part)
    return f"{name}, {when}"


def show_headline_figures() -> None:
    """The five headline figures, the overspend in words and the risk in one line."""
    st.caption(f"Current year: **{this_year.fiscal_year}**, {this_year.words}. Older and later years are context.")
    held = {row["measure"]: row for _, row in headline.iterrows()}
    # Three to a row: five across cut the labels and "not reported" short at 1400 px (phones stack them anyway).
    rows_of_columns = -(-len(MEASURE_NAMES) // HEADLINES_PER_ROW)
    columns = [column for _ in range(rows_of_columns) for column in st.columns(HEADLINES_PER_ROW)]
    for column, measure in zip(columns, MEASURE_NAMES, strict=False):
        with column:
            if measure in held:
                row = held[measure]
                figure_metric(row, label=headline_label(row))
                st.caption(vintage.reported_and_age(row, reference))
            else:
                not_reported_metric(MEASURE_NAMES[measure], MEASURE_NAMES[measure].lower())

    latest_year = budgets[budgets["item"] == "overspend"]["fiscal_year"].max() if not budgets.empty else None
    if isinstance(latest_year, str):
        year_rows = budgets[budgets["fiscal_year"] == latest_year].set_index("item")
        if "budget" in year_rows.index:
            st.caption(
                f"The {latest_year} overspend of {vocab.gbp_m(year_rows.loc['overspend', 'value'])} was on a net "
                f"revenue budget of {vocab.gbp_m(year_rows.loc['budget', 'value'])}."
            )

    risk = reserves_metrics.risk_in_one_line(crossings) if not crossings.empty else None
    if risk:
        st.markdown(f"**The risk in one line:** {plain(risk)} (see Reserves).")


as_at_line(headline, as_at)
# The headline figures sit above the charts but are sent just after the first one (docs/speed.md).
headline_figures = st.container()
show_chart(first_chart)
with headline_figures:
    show_headline_figures()


def charts_below() -> tuple[Chart, Chart, Chart]:
    """The three charts below the first screen, read in the page's own run: on a session's first visit the rest
    of the page is drawn by a run of its own (ui.document.in_two_parts), from these, at the same data version as
    the first screen and without opening the database again."""
    with database() as conn:
        return tuple(
            cached(conn, build, as_at=as_at)
            for build in (
                reserves_charts.build_reserves_against_deficit,
                dsg_charts.build_dsg_trajectory,
                overview_charts.build_action_status,
            )
        )


def show_rest_of_page(reserves: Chart, dsg: Chart, actions: Chart) -> None:
    """Everything below the first screen: the other charts, the 2021 report's figures and the sources."""
    try:
        show_charts_below(reserves, dsg, actions)
    except Exception as error:  # noqa: BLE001 - a run of its own, outside the frame's last line of defence
        show_unexpected_error(error)


def show_charts_below(reserves: Chart, dsg: Chart, actions: Chart) -> None:
    show_chart(reserves)
    show_chart(dsg)
    st.header("Action plan progress")
    show_chart(actions)
    st.info("The full tracker, with each recommendation's progress and due date, is on the Action plan page.")
    st.page_link("pages/action_plan.py", label="Open the Action plan", icon=":material/checklist:")

    report_figures = opened_panel("The 2021 report's headline figures (Cabinet, 5 October 2021)", "report_2021_figures")
    if report_figures is not None:
        with report_figures:
            show_report_figures()

    sources_expander(headline, revisions=replaced)


def show_report_figures() -> None:
    if report.empty:
        st.info("The 2021 report's figures are not held.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Figure": report["label"],
                "Year": report["fiscal_year"].fillna("no date given"),
                "Value": [
                    vocab.figure(
                        row["value"], row["unit"], row["qualifier"] if isinstance(row["qualifier"], str) else None
                    )
                    for _, row in report.iterrows()
                ],
                "Basis": report["basis"],
                "The report says": report["source_quote"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption("Choose 5 October 2021 as the date in the sidebar to see every page as the report left it.")


# A session's first page is sent in two parts: see ui.document.in_two_parts.
in_two_parts(show_rest_of_page, *charts_below())
