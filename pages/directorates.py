"""Directorates: budget monitoring by directorate, service and cost centre, filtered from the URL."""

import streamlit as st

from ui.frame import require_frame

# A fresh server may run this file without app.py: go through the frame before importing Plotly & co.
require_frame()

from charts.monitoring import cost_centres_view, services_view, variance_trend_view  # noqa: E402
from data import vocab  # noqa: E402
from data.load import directorate_aliases  # noqa: E402
from metrics import monitoring  # noqa: E402
from ui import filters  # noqa: E402
from ui.cache import cached  # noqa: E402
from ui.chart_panel import show_chart  # noqa: E402
from ui.common import database  # noqa: E402
from ui.safe import plain  # noqa: E402

st.title(vocab.DIRECTORATES.title)


# Everything below the title depends on the filters: a change of directorate (sidebar), year, month, service
# or cost centre reruns this fragment only, not the frame, the sidebar or the rest of the page.
@st.fragment(key=filters.DIRECTORATE_FRAGMENT)
def directorate_view() -> None:
    with database() as conn:
        years = cached(conn, monitoring.years)
        chosen = filters.current_directorates(monitoring.directorate_names(conn), directorate_aliases(conn))
    filters.keep_directorates_in_url(chosen)
    if years.empty:
        st.info("There are no monitoring lines yet. Load a monitoring file on the Data & sources page.")
        return

    scope = ", ".join(chosen) if chosen else "all directorates"
    year_column, month_column, service_column, centre_column = st.columns(4)
    year = filters.year_filter(list(years["fiscal_year"]), container=year_column)
    last_month = int(years.loc[years["fiscal_year"] == year, "last_month"].iloc[0])
    month = filters.month_filter(list(range(1, last_month + 1)), container=month_column)

    with database() as conn:
        services = cached(conn, monitoring.by_service, fiscal_year=year, directorates=chosen, month=month)
        service = filters.drill_filter(
            "Service",
            filters.PARAM_SERVICE,
            sorted(services["service"]),
            filters.ALL_SERVICES,
            container=service_column,
        )
        centres = (
            cached(conn, monitoring.cost_centres, fiscal_year=year, directorates=chosen, service=service)
            if service
            else []
        )
        cost_centre = filters.drill_filter(
            "Cost centre", filters.PARAM_COST_CENTRE, centres, filters.ALL_COST_CENTRES, container=centre_column
        )
        totals = cached(
            conn,
            monitoring.totals,
            fiscal_year=year,
            directorates=chosen,
            month=month,
            service=service,
            cost_centre=cost_centre,
        ).iloc[0]
    where = " › ".join([scope, *(x for x in (service, cost_centre) if x)])
    st.caption(
        f"**{plain(where)}**, {year}, year to date to {filters.month_label(month)}. "
        "Directorates are chosen in the sidebar; the page's address keeps every filter, so a copied link opens this "
        "view."
    )
    if int(totals["sample_lines"]):
        st.warning(
            f"**Sample data.** {int(totals['sample_lines']):,} of the {int(totals['lines']):,} lines behind these "
            "figures are synthetic sample lines, not the council's ledger. Their 2020/21 totals reconcile to the "
            "reported outturn; the split by directorate, service and cost centre is invented. Load the monitoring "
            "extract on the Data & sources page to replace them.",
            icon=":material/science:",
        )

    if not int(totals["lines"]):
        st.info("No monitoring lines match this choice.")
        return

    label_suffix = " (sample data)" if int(totals["sample_lines"]) else ""
    metric_columns = st.columns(5)
    for column, (label, value, help_text) in zip(
        metric_columns,
        (
            ("Budget", totals["budget_gbp"], "Sum of the monthly budgets to the chosen month."),
            ("Actual", totals["actual_gbp"], "Sum of the monthly actuals to the chosen month."),
            ("Variance", totals["variance_gbp"], "Actual minus budget; positive is an overspend."),
            ("Forecast", totals["forecast_gbp"], "Sum of the monthly forecasts to the chosen month."),
            ("Forecast variance", totals["forecast_variance_gbp"], "Forecast minus budget; positive is an overspend."),
        ),
        strict=True,
    ):
        with column:
            st.metric(label + label_suffix, vocab.gbp_m(float(value) / 1e6, decimals=2), help=help_text)

    with database() as conn:
        if not service:
            st.subheader("By service")
            show_chart(cached(conn, services_view, fiscal_year=year, month=month, directorates=chosen))
        st.subheader("Variance by month")
        show_chart(
            cached(
                conn,
                variance_trend_view,
                fiscal_year=year,
                month=month,
                scope=where,
                directorates=chosen,
                service=service,
                cost_centre=cost_centre,
            )
        )
        if not cost_centre:
            st.subheader("Largest variances by cost centre")
            show_chart(
                cached(
                    conn,
                    cost_centres_view,
                    fiscal_year=year,
                    month=month,
                    scope=where,
                    directorates=chosen,
                    service=service,
                )
            )


directorate_view()
