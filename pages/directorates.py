"""Directorates: budget monitoring as Cabinet reads it, at a period close, with year, period and filters in the URL."""

import pandas as pd
import streamlit as st

from ui.frame import require_frame

# A fresh server may run this file without app.py: go through the frame before importing Plotly & co.
require_frame()

from charts import monitoring as monitoring_charts  # noqa: E402
from charts.monitoring import savings_chart, savings_status_words  # noqa: E402
from data import vocab  # noqa: E402
from data.load import directorate_aliases  # noqa: E402
from data.vocab import SAVINGS_STATUS_LABELS, gbp, period_label  # noqa: E402
from metrics import monitoring  # noqa: E402
from metrics.figures import newer_for_directorates, of_directorates  # noqa: E402
from metrics.vintage import figures_in_words  # noqa: E402
from ui import as_at as as_at_control  # noqa: E402
from ui import filters  # noqa: E402
from ui.cache import cached  # noqa: E402
from ui.chart_panel import show_chart  # noqa: E402
from ui.common import database, held_database  # noqa: E402
from ui.monitoring_table import show_table, shown_table  # noqa: E402
from ui.safe import plain  # noqa: E402

CENTRES_SHOWN = 200
st.title(vocab.DIRECTORATES.title)


# Everything below the title depends on the sidebar's directorates: a change there reruns this fragment only
# (see ui.filters), not the frame, the sidebar or the page's header.
@st.fragment(key=filters.DIRECTORATE_FRAGMENT)
def directorate_view() -> None:
    with held_database():  # the fragment's database() blocks share one open of the file
        monitoring_view()


def monitoring_view() -> None:
    with database() as conn:
        years = cached(conn, monitoring.years)
        savings_held = cached(conn, monitoring.savings_snapshots)
        chosen = filters.current_directorates(
            cached(conn, monitoring.directorate_names), cached(conn, directorate_aliases)
        )
    filters.keep_directorates_in_url(chosen)
    scope = ", ".join(chosen) if chosen else "all directorates"
    thresholds = monitoring.rag_thresholds()

    if years.empty:
        st.info("There are no monitoring snapshots yet. Load a period-close extract on the Data & sources page.")
    else:
        year_column, period_column = st.columns(2)
        year = filters.year_filter(list(years["fiscal_year"]), container=year_column)
        with database() as conn:
            held = cached(conn, monitoring.periods, fiscal_year=year)
        period = filters.period_filter(held, container=period_column)
        previous = monitoring.previous_period(held, period)
        since = period_label(previous) if previous else None
        # The period close every table and total on the page is read at.
        at_period = {"fiscal_year": year, "period": period, "previous": previous, "thresholds": thresholds}
        with database() as conn:
            table = cached(conn, monitoring.monitoring_table, **at_period, directorates=chosen)
            total = cached(conn, monitoring.council_total, **at_period, directorates=chosen).iloc[0]

        st.caption(
            f"**{plain(scope)}**, {year}, forecast outturn at the close of {vocab.month_label(period)}"
            + (f", movement since {since}, the previous period held." if since else "; no earlier period is held.")
            + " Directorates are chosen in the sidebar; the page's address keeps the year, period and filters, so a "
            "copied link opens this view."
        )
        if int(total["sample_lines"]):
            st.warning(
                f"**Sample data.** {int(total['sample_lines']):,} of the {int(total['lines']):,} lines behind these "
                "figures are synthetic sample lines, not the council's ledger. The 2020/21 council totals at P9 "
                "and P12 are the quarter 3 forecast overspend and the outturn the council reported; the split by "
                "directorate, service and cost centre is invented. Load the period-close extract on the Data & "
                "sources page to replace them.",
                icon=":material/science:",
            )
        with database() as conn:
            # cached per year, not per choice of directorates: a directorate change pays only the filter
            newer = of_directorates(cached(conn, newer_for_directorates, year, as_at=as_at_control.current()), chosen)
        if not newer.empty:
            st.info(
                f"**Newer figures are reported for {plain(scope) if chosen else 'single directorates'}** than "
                f"this {year} period close: "
                f"{plain(figures_in_words(newer))}. Every figure held is listed, with the sentence it comes from, "
                "on the Data & sources page.",
                icon=":material/update:",
            )

        if table.empty:
            st.info(f"No monitoring lines for {plain(scope)} at {period_label(period)} {year}.")
        else:
            # The totals and the table sit above the first chart but are sent just after it: a directorate change
            # then redraws that chart first (docs/speed.md).
            summary = st.container()
            drill_column, service_column = st.columns(2)
            drilled = filters.drill_filter(
                "Drill into a directorate", filters.PARAM_DRILL, list(table["name"]), filters.ALL_DIRECTORATES_DRILL,
                container=drill_column,
            )  # fmt: skip
            service = None
            if drilled:
                with database() as conn:
                    services = cached(
                        conn,
                        monitoring.monitoring_table,
                        **at_period,
                        level="service",
                        directorate=drilled,
                    )
                service = filters.drill_filter(
                    "Service", filters.PARAM_SERVICE, sorted(services["name"]), filters.ALL_SERVICES,
                    container=service_column,
                )  # fmt: skip
                st.subheader(f"{drilled}: services at {period_label(period)}")
                show_table(shown_table(services, "Service", since), "table_services")
            if service:
                with database() as conn:
                    centres = cached(
                        conn,
                        monitoring.monitoring_table,
                        **at_period,
                        level="cost_centre",
                        directorate=drilled,
                        service=service,
                        limit=CENTRES_SHOWN,
                    )
                st.subheader(f"{service}: cost centres at {period_label(period)}")
                st.caption(
                    f"The {CENTRES_SHOWN} cost centres with the largest variances, largest first."
                    if len(centres) >= CENTRES_SHOWN
                    else f"All {len(centres)} of the service's cost centres, largest variance first."
                    if len(centres) > 1
                    else "The service's one cost centre."
                )
                show_table(shown_table(centres, "Cost centre", since), "table_centres", static=False)

            where = " › ".join(x for x in (drilled or scope, service) if x)
            st.subheader("Forecast variance")
            with database() as conn:
                show_chart(cached(conn, monitoring_charts.variance_at, at_period=at_period, directorates=chosen,
                                  drilled=drilled))  # fmt: skip
            with summary:
                position_summary(table, total, chosen=chosen, since=since, period=period, thresholds=thresholds)

            st.subheader("How the forecast moved through the year")
            with database() as conn:
                show_chart(cached(conn, monitoring_charts.drift_until, fiscal_year=year, period=period,
                                  directorates=chosen))  # fmt: skip
            st.subheader("Largest variances by cost centre")
            with database() as conn:
                show_chart(cached(conn, monitoring_charts.cost_centres_at, at_period=at_period, directorates=chosen,
                                  drilled=drilled, service=service, scope=where))  # fmt: skip

    st.header("Savings delivery")
    if years.empty:
        st.info("Savings are shown for the year and period close of the monitoring above; none is loaded yet.")
    else:
        year_row = years[years["fiscal_year"] == year].iloc[0]
        choice = monitoring.savings_for_monitoring(
            savings_held,
            fiscal_year=year,
            period=period,
            monitoring_is_sample=int(year_row["sample_lines"]) == int(year_row["lines"]),
        )
        savings_view(choice, year, chosen, scope)


def position_summary(
    table: pd.DataFrame,
    total: pd.Series,
    *,
    chosen: list[str],
    since: str | None,
    period: int,
    thresholds: monitoring.RagThresholds,
) -> None:
    """The chosen directorates' totals as four figures, then the monitoring table with its total row."""
    suffix = " (sample data)" if int(total["sample_lines"]) else ""
    movement = total["movement_gbp"]
    variance = float(total["variance_gbp"])
    moved = since is not None and pd.notna(movement)
    # (label, value, the word that says which way, help): the word sits under the figure, in grey.
    metrics = (
        (
            "Annual budget",
            gbp(total["annual_budget_gbp"]),
            None,
            "The current annual budget at the period close.",
        ),
        (
            "Forecast outturn",
            gbp(total["forecast_outturn_gbp"]),
            None,
            "The forecast spend for the whole year.",
        ),
        (
            "Forecast variance",
            gbp(abs(variance)),
            vocab.variance_direction(variance),
            "Forecast outturn minus annual budget.",
        ),
        (
            f"Movement since {since}" if since else "Movement",
            gbp(abs(movement)) if moved and vocab.movement_direction(movement) != "no change" else "none",
            vocab.movement_direction(movement) if moved else None,  # as the table says it
            "The change in the forecast variance since the previous period held.",
        ),
    )
    for column, (label, value, word, help_text) in zip(st.columns(4), metrics, strict=True):
        with column:
            st.metric(label + suffix, value, delta=word, delta_color="off", delta_arrow="off", help=help_text)

    st.header(f"Budget monitoring at {period_label(period)}")
    total_row = total.to_frame().T.assign(name="Council total" if not chosen else "Total of the chosen directorates")
    show_table(
        shown_table(pd.concat([table, total_row], ignore_index=True), "Directorate", since),
        "table_directorates",
    )
    st.caption(plain(thresholds.describe()) + " The dashboard's administrator can change the thresholds.")


def savings_view(choice: monitoring.SavingsChoice, year: str, chosen: list[str], scope: str) -> None:
    """The savings tracker of the year and period close in view, or why none is shown."""
    if choice.period is None:
        st.info(choice.note + " Load a savings tracker for it on the Data & sources page.")
        return
    st.caption(choice.note)
    with database() as conn:
        savings = cached(
            conn, monitoring.savings_by_directorate, fiscal_year=year, period=choice.period, directorates=chosen
        )
        schemes = cached(conn, monitoring.savings_schemes, fiscal_year=year, period=choice.period, directorates=chosen)
    if savings.empty:
        st.info(f"No savings schemes for {plain(scope)} at {period_label(choice.period)} {year}.")
        return
    if int(savings["sample_lines"].sum()):
        st.warning(
            "**Sample data.** These savings schemes are synthetic: their targets sum to the tactical "
            "and transformational savings reported for 2021/22; schemes, statuses and delivery are invented.",
            icon=":material/science:",
        )
    undelivered = float(savings["undelivered_gbp"].sum())
    st.markdown(
        f"**{gbp(undelivered)}** of the **{gbp(float(savings['target_gbp'].sum()))}** savings target is "
        "forecast undelivered; that shortfall is carried in the directorates' forecast outturn."
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Directorate": savings["directorate"],
                "Target": savings["target_gbp"].map(gbp),
                "Forecast delivery": savings["forecast_delivery_gbp"].map(gbp),
                "Undelivered (in the forecast)": savings["undelivered_gbp"].map(gbp),
                "Delivered %": [f"{p:.0f}%" if pd.notna(p) else "n/a" for p in savings["delivery_pct"]],
                "Schemes": [savings_status_words(r) for _, r in savings.iterrows()],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    show_chart(savings_chart(savings, fiscal_year=year, period=choice.period, scope=scope))
    with st.expander("Every scheme"):
        st.dataframe(
            pd.DataFrame(
                {
                    "Directorate": schemes["directorate"],
                    "Scheme": schemes["scheme"],
                    "Status": schemes["status"].map(SAVINGS_STATUS_LABELS),
                    "Target": schemes["target_gbp"].map(gbp),
                    "Forecast delivery": schemes["forecast_delivery_gbp"].map(gbp),
                    "Undelivered": schemes["undelivered_gbp"].map(gbp),
                    "Basis": schemes["basis"],
                }
            ),
            hide_index=True,
            width="stretch",
        )


directorate_view()
