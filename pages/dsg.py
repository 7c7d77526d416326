"""DSG & high needs: the cumulative deficit's trajectory and a scenario model to ask "what if"."""

from datetime import date

import pandas as pd
import streamlit as st

from charts import dsg as dsg_charts
from data import vocab
from metrics import dsg as dsg_metrics
from metrics import dsg_model, held, vintage
from metrics import reserves as reserves_metrics
from metrics.figures import revisions
from ui import as_at as as_at_control
from ui.cache import cached, cached_if_held
from ui.chart_panel import show_chart
from ui.common import as_at_line, database, figure_metric, not_reported_metric, sources_expander
from ui.filters import directorate_notice
from ui.frame import require_frame
from ui.safe import plain
from ui.tables import amounts_format, readable, table_or_grid

require_frame()

st.title(vocab.DSG.title)
directorate_notice("the Dedicated Schools Grant deficit is the whole council's")
as_at = as_at_control.current()
MEASURES = ["dsg_cumulative_deficit", "dsg_in_year_deficit", "dsg_statutory_override_expiry", "dsg_deficit_grant_share"]

with database() as conn:
    points = cached(conn, dsg_metrics.dsg_known_points, as_at=as_at)
    projections = cached(conn, dsg_metrics.plan_projections, as_at=as_at)
    latest_in_year = cached(conn, dsg_metrics.latest_reported_in_year, as_at=as_at)  # not the plan's prediction
    try:
        reported = cached(conn, dsg_metrics.dsg_reported, as_at=as_at)
        plan = cached(conn, dsg_metrics.plan_against_reported, as_at=as_at)
    except held.FigureMissing:
        reported = plan = None
    try:
        defaults = cached(conn, dsg_metrics.scenario_defaults, as_at=as_at)
    except held.FigureMissing as missing:
        defaults = None
        model_missing = str(missing)
    reserves = cached_if_held(conn, reserves_metrics.reserves, as_at=as_at)
    crossings = cached_if_held(conn, reserves_metrics.years_deficit_exceeds_reserves, as_at=as_at)
    expiry = cached_if_held(conn, dsg_metrics.statutory_override_expiry, as_at=as_at)
    trajectory = cached(conn, dsg_charts.build_dsg_trajectory, as_at=as_at)
    used = cached(conn, held.latest_figures, MEASURES, as_at=as_at)
    reference = cached(conn, held.reference_date, as_at=as_at)
    replaced = cached(conn, revisions, MEASURES, as_at=as_at)

as_at_line(used, as_at)

actuals = points[points["kind"] == "actual"]
columns = st.columns(4)
with columns[0]:
    if actuals.empty:
        not_reported_metric("Cumulative deficit", "DSG cumulative deficit")
    else:
        actual = actuals.iloc[-1]
        figure_metric(
            actual, label=f"Cumulative deficit, {vocab.year_and_period(actual['fiscal_year'], actual['period'])}"
        )
        st.caption(vintage.reported_and_age(actual, reference))
with columns[1]:
    if latest_in_year is None:
        not_reported_metric("In-year overspend", "in-year overspend")
    else:
        predicted = "predicted " if latest_in_year["period"] != "outturn" else ""
        figure_metric(latest_in_year, label=f"In-year overspend {predicted}{latest_in_year['fiscal_year']}")
        st.caption(vintage.reported_and_age(latest_in_year, reference))
if projections.empty:
    with columns[2]:
        not_reported_metric("The plan's projections", "DSG projection")
else:
    end_year = projections["fiscal_year"].iloc[0]
    # Named as the plan's (of its document's date) once later figures are held, or when the model cannot start
    # from the plan (a figure it needs is missing): never read as the current projection.
    later = reported is None or (
        defaults is not None and not defaults.projection.from_plan and reported.plan_known_on is not None
    )
    known = pd.to_datetime(projections["known_on"]).max()
    plan_of = f" (plan of {known:%b %Y})" if later and not pd.isna(known) else ""
    for column, scenario, words in ((columns[2], "mitigated", "with the recovery plan"),
                                    (columns[3], "unmitigated", "without mitigation")):  # fmt: skip
        with column:
            figure_metric(projections.loc[scenario], label=f"{end_year} {words}{plan_of}")
            st.caption(vintage.reported_and_age(projections.loc[scenario], reference))

show_chart(trajectory)

if plan is not None:
    st.header("The plan against what was later reported")
    st.caption(
        "Each year of the plan's two paths (modelled between the reported points; see the scenario model "
        "below) beside the deficit reported for that year since, if any."
    )
    table_or_grid(
        readable(
            plan, {"mitigated_gbp_m": "path_basis", "unmitigated_gbp_m": "path_basis", "reported_gbp_m": None}
        ).rename(
            columns={
                "fiscal_year": "Financial year",
                "path_basis": "Plan basis",
                "mitigated_gbp_m": "Plan with the recovery plan (£m)",
                "unmitigated_gbp_m": "Plan without mitigation (£m)",
                "reported_gbp_m": "Reported (£m)",
                "reported_kind": "Reported as",
                "reported_source": "Reported in",
                "against": "Against the plan",
            }
        ),
    )


def show_scenario_model() -> None:
    """The "what if" model, from the plan's reported start: every input a user can change."""
    st.header("What if? The scenario model")
    st.markdown(f"**How the model works.** {dsg_model.FORMULA_IN_WORDS}")
    st.caption(defaults.caption)

    start = defaults.projection
    years = defaults.years
    later_default = defaults.later_overspend_gbp_m
    ceiling = float(
        round(4 * max(later_default, defaults.first_year_overspend_gbp_m, defaults.mitigation_per_year_gbp_m, 1.0))
    )

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
    # the three amounts read alike ("21.80" beside "21.800" looked like two different figures)
    amounts = amounts_format(
        defaults.first_year_overspend_gbp_m,
        later_default,
        defaults.mitigation_per_year_gbp_m,
        *defaults.default.in_year_overspend_gbp_m,
        *defaults.default.mitigation_savings_gbp_m,
    )
    with first_column:
        first_year = st.number_input(
            f"In-year overspend {years[0]} (£m)",
            min_value=0.0,
            max_value=ceiling,
            value=defaults.first_year_overspend_gbp_m,
            step=0.5,
            format=amounts,
            key="dsg_first_year",
            help=defaults.first_year_help,
        )
    if mode == "As a base and a growth rate":
        with base_column:
            base = st.number_input(
                f"In-year overspend {years[1]} (£m)",
                min_value=0.0,
                max_value=ceiling,
                value=later_default,
                step=0.5,
                format=amounts,
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
                format=amounts,
                key="dsg_savings",
                help="Set to zero to see the path without the recovery plan.",
            )
        overspend = dsg_model.overspend_path(first_year, base, growth / 100, len(years))
        savings = dsg_model.savings_path(savings_each, len(years))
    else:
        table = pd.DataFrame(
            {
                "Financial year": years,
                "In-year overspend (£m)": defaults.default.in_year_overspend_gbp_m,
                "Savings from mitigation (£m)": defaults.default.mitigation_savings_gbp_m,
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
                        min_value=0.0, max_value=ceiling, format=amounts
                    ),
                    "Savings from mitigation (£m)": st.column_config.NumberColumn(
                        min_value=0.0, max_value=ceiling, format=amounts
                    ),
                },
            )
        filled = edited.fillna(0.0)
        overspend = (first_year, *filled["In-year overspend (£m)"].iloc[1:].astype(float))
        savings = tuple(filled["Savings from mitigation (£m)"].astype(float))

    try:
        scenario = dsg_model.DsgScenario(start.start_year, start.start_deficit_gbp_m, years, overspend, savings)
    except ValueError as error:
        st.error(f"These inputs cannot be modelled: {error}")
        return

    path = dsg_model.project(scenario)
    with database() as conn:
        chart = cached(conn, dsg_charts.build_dsg_scenario, scenario, as_at=as_at)
    held_reserves = {} if reserves is None else {row["measure"]: row for _, row in reserves.iterrows()}
    usable_row = held_reserves.get("usable_reserves")
    usable = None if usable_row is None else float(usable_row["value"])
    # The year the Reserves page and the Overview say reported deficits have been above usable reserves since.
    reported_since = None if crossings is None else reserves_metrics.reported_since_above(crossings, "usable_reserves")
    passes = (
        None
        if usable is None
        else dsg_model.year_above(
            start.start_year,
            start.start_deficit_gbp_m,
            dsg_model.first_year_above(path, usable),
            usable,
            reported_since=reported_since,
        )
    )
    already_reported = usable is not None and dsg_model.reported_above(
        start.start_deficit_gbp_m, usable, reported_since
    )
    usable_when = "" if usable_row is None else f", {vintage.short(usable_row, reference)}"
    end = path.iloc[-1]
    against_plan = end["cumulative_deficit_gbp_m"] - defaults.target_gbp_m

    left, middle, right = st.columns(3)
    with left:
        st.metric(
            f"Deficit {end['fiscal_year']} (modelled)",
            vocab.gbp_m(end["cumulative_deficit_gbp_m"], decimals=1),
            delta=f"{vocab.gbp_m_signed(against_plan)} against {defaults.target_name}",
            delta_color="inverse" if round(against_plan, 1) else "off",
            delta_arrow="auto" if round(against_plan, 1) else "off",  # no change: grey and no arrow
        )
    with middle:
        if defaults.unmitigated_end_gbp_m is not None:
            st.metric(
                f"Against the projection without mitigation ({vocab.gbp_m(defaults.unmitigated_end_gbp_m)})",
                vocab.gbp_m_signed(end["cumulative_deficit_gbp_m"] - defaults.unmitigated_end_gbp_m),
                help="The modelled deficit in the last year less the reported projection without mitigation.",
            )
        else:
            st.metric(
                f"Starts from the deficit {start.start_year}",
                vocab.gbp_m(start.start_deficit_gbp_m),
                help=f"The {start.start_words}.",
            )
    with right:
        if usable is None:
            not_reported_metric("Passes usable reserves (modelled)", "usable reserves")
        else:
            st.metric(
                f"Passes usable reserves of {vocab.gbp_m(usable)}{usable_when}"
                + ("" if already_reported else " (modelled)"),
                passes or f"not by {years[-1]}",
                help=f"Reported year-end deficits are above usable reserves since {reported_since} (see Reserves)."
                if already_reported
                else "The first modelled year whose cumulative deficit is above usable reserves, assumed to stay at "
                "their latest level.",
            )
    show_chart(chart)

    st.subheader("Who bears the deficit? Policy assumptions (scenario inputs)")
    st.caption(
        f"{dsg_model.EXPOSURE_IN_WORDS} These are assumptions you set, not facts: the defaults leave the model as "
        "it is (the whole deficit counts against reserves every year, none met by grant)."
    )
    WHOLE = "Every year: no override (default)"  # short enough to read whole in a phone's select box
    policy_left, policy_right = st.columns(2)
    with policy_left:
        override_choice = st.selectbox(
            "Scenario input: first year without the statutory override",
            [WHOLE, *years],
            key="dsg_override_ends",
            help=(
                f"Held figure: the override {dsg_metrics.override_due(int(expiry['year']), as_at or date.today())} "
                f"({expiry['source_document']}). Until the year chosen here the deficit is kept off the general fund."
                if expiry is not None
                else "No expiry year for the override is held."
            ),
        )
    with policy_right:
        grant_percent = st.slider(
            "Scenario input: share of the deficit met by government grant (%)",
            min_value=0,
            max_value=100,
            value=0,
            step=5,
            key="dsg_grant_share",
            help="No grant share is stated in the figures held; 0% is the neutral default.",
        )
    override_ends = None if override_choice == WHOLE else override_choice
    exposed = dsg_model.exposure(path, override_ends, grant_percent / 100)
    exposure_end = exposed.iloc[-1]
    exposure_left, exposure_right = st.columns(2)
    with exposure_left:
        st.metric(
            f"Council's own exposure {exposure_end['fiscal_year']} (scenario)",
            vocab.gbp_m(exposure_end["exposure_gbp_m"], decimals=1),
            help="Modelled deficit under the policy assumptions above; a scenario, not a reported figure.",
        )
    with exposure_right:
        if usable is None:
            not_reported_metric("Exposure passes usable reserves (scenario)", "usable reserves")
        else:
            crossing = dsg_model.year_above(
                start.start_year,
                dsg_model.start_exposure(
                    start.start_year, start.start_deficit_gbp_m, override_ends, grant_percent / 100
                ),
                dsg_model.first_exposure_above(exposed, usable),
                usable,
                reported_since=dsg_model.exposure_reported_since(reported_since, override_ends, grant_percent / 100),
            )
            st.metric(
                f"Exposure passes usable reserves of {vocab.gbp_m(usable)} (scenario)",
                crossing or f"not by {years[-1]}",
            )
    # A static table: its headings wrap on a phone (a data grid cut "Council's exposure, scenario (£m)" short),
    # and three short columns never make it wider than the screen.
    st.table(
        readable(exposed.assign(basis="modelled"), {"cumulative_deficit_gbp_m": "basis", "exposure_gbp_m": "basis"})
        .drop(columns="basis")
        .rename(
            columns={
                "fiscal_year": "Financial year",
                "cumulative_deficit_gbp_m": "Modelled deficit (£m)",
                "exposure_gbp_m": "Council's exposure, scenario (£m)",
            }
        )
        .map(plain),  # st.table reads its cells as Markdown: the years come from the data
        hide_index=True,
        alt="The scenario year by year: the modelled deficit and the council's exposure",
    )


if defaults is None:
    st.info(f"The scenario model is not available: {model_missing}.")
else:
    show_scenario_model()

sources_expander(used, revisions=replaced)
