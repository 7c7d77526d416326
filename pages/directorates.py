"""Directorates: budget monitoring by directorate, service and cost centre, filtered from the URL."""

import streamlit as st

from ui.frame import require_frame

# A fresh server may run this file without app.py: go through the frame before importing Plotly & co.
require_frame()

from charts.monitoring import cost_centres_chart, services_chart, variance_trend_chart  # noqa: E402
from data import vocab  # noqa: E402
from data.db import database_path  # noqa: E402
from data.load import directorate_aliases  # noqa: E402
from metrics import monitoring  # noqa: E402
from ui import filters  # noqa: E402
from ui.chart_panel import show_chart  # noqa: E402
from ui.common import database  # noqa: E402
from ui.safe import plain  # noqa: E402


@st.cache_data(max_entries=512, show_spinner=False)
def cached(_conn, name: str, data_key: tuple, **filters):
    """A metrics.monitoring call, cached until the data changes (data_key: the file and its loads)."""
    return getattr(monitoring, name)(_conn, **filters)


def data_key(conn) -> tuple:
    """Changes whenever a load, undo, sample fill or rebuild changes what the page would show."""
    path = database_path()
    stat = path.stat()
    return (str(path), stat.st_mtime_ns, stat.st_size, monitoring.data_version(conn))


st.title(vocab.DIRECTORATES.title)

with database() as conn:
    key = data_key(conn)
    years = cached(conn, "years", key)
    chosen = filters.current_directorates(monitoring.directorate_names(conn), directorate_aliases(conn))
if years.empty:
    st.info("There are no monitoring lines yet. Load a monitoring file on the Data & sources page.")
    st.stop()

scope = ", ".join(chosen) if chosen else "all directorates"
year_column, month_column, service_column, centre_column = st.columns(4)
year = filters.year_filter(list(years["fiscal_year"]), container=year_column)
last_month = int(years.loc[years["fiscal_year"] == year, "last_month"].iloc[0])
month = filters.month_filter(list(range(1, last_month + 1)), container=month_column)

with database() as conn:
    services = cached(conn, "by_service", key, fiscal_year=year, directorates=chosen, month=month)
    service = filters.drill_filter(
        "Service", filters.PARAM_SERVICE, sorted(services["service"]), filters.ALL_SERVICES, container=service_column
    )
    centres = (
        cached(conn, "cost_centres", key, fiscal_year=year, directorates=chosen, service=service) if service else []
    )
    cost_centre = filters.drill_filter(
        "Cost centre", filters.PARAM_COST_CENTRE, centres, filters.ALL_COST_CENTRES, container=centre_column
    )
    totals = cached(
        conn,
        "totals",
        key,
        fiscal_year=year,
        directorates=chosen,
        month=month,
        service=service,
        cost_centre=cost_centre,
    ).iloc[0]
    trend = cached(
        conn,
        "variance_trend",
        key,
        fiscal_year=year,
        directorates=chosen,
        month=month,
        service=service,
        cost_centre=cost_centre,
    )
    largest = cached(
        conn, "cost_centre_variances", key, fiscal_year=year, directorates=chosen, month=month, service=service
    )

where = " › ".join([scope, *(x for x in (service, cost_centre) if x)])
st.caption(
    f"**{plain(where)}**, {year}, year to date to {filters.month_label(month)}. "
    "Directorates are chosen in the sidebar; the page's address keeps every filter, so a copied link opens this view."
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
    st.stop()

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

if not service:
    st.subheader("By service")
    show_chart(services_chart(services, fiscal_year=year, month=month, directorates=chosen))

st.subheader("Variance by month")
trend_scope = " › ".join([scope, *(x for x in (service, cost_centre) if x)])
show_chart(variance_trend_chart(trend, fiscal_year=year, scope=trend_scope))

if not cost_centre:
    st.subheader("Largest variances by cost centre")
    show_chart(cost_centres_chart(largest, fiscal_year=year, month=month, scope=where))
