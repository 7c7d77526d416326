"""Budget-monitoring charts for the Directorates page. Each returns a `Chart`; no Streamlit here.

Every number in a figure comes from the DataFrame passed in (metrics.monitoring). When any line
behind a chart is sample data, the figure carries a "sample data" label inside it, the Chart lists
SAMPLE_LABEL, and the data has a `data_basis` column saying so, so the label survives every export.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd
import plotly.graph_objects as go

from charts import style
from charts.catalogue import register
from charts.spec import SAMPLE_LABEL, Chart
from data import vocab
from data.vocab import month_label
from metrics import monitoring

PAGE = vocab.DIRECTORATES.title
SAMPLE_SOURCE = (
    "Source: sample monitoring lines (synthetic; their 2020/21 totals reconcile to the outturn reported to "
    "Dorset Council Cabinet, 5 October 2021; the split by directorate and service is invented)"
)
LEDGER_SOURCE = "Source: budget-monitoring lines loaded from the ledger extract"


def _over_under(pounds: float) -> str:
    return f"{vocab.gbp(abs(pounds))} {'over' if pounds > 0 else 'under'} budget"


def _scope(directorates: Sequence[str] | None) -> str:
    return ", ".join(directorates) if directorates else "all directorates"


def _is_sample(data: pd.DataFrame) -> bool:
    return bool(len(data)) and int(data["sample_lines"].sum()) > 0


def _with_basis(data: pd.DataFrame) -> pd.DataFrame:
    out = data.copy()
    out["data_basis"] = ["sample data" if n else "reported" for n in out["sample_lines"]]
    return out


def _finish(figure: go.Figure, *, title: str, subtitle: str, source: str, sample: bool, height: int) -> go.Figure:
    """The shared style (title, subtitle, source line inside the figure), plus a tag when lines are sample."""
    figure.update_layout(height=height)
    notes = ("Includes sample data: synthetic lines, not the council's ledger.",) if sample else ()
    style.finish(
        figure, title=title, subtitle=subtitle, source=source, notes=notes, legend=figure.layout.showlegend is not False
    )
    if sample:
        plot_height = height - figure.layout.margin.t - figure.layout.margin.b
        figure.add_annotation(
            text=f"<b>{SAMPLE_LABEL.upper()}</b>",
            xref="paper",
            yref="paper",
            x=1,
            y=1 + (figure.layout.margin.t - 8) / plot_height,  # the top right corner, level with the title
            xanchor="right",
            yanchor="top",
            showarrow=False,
            font={"size": 13, "color": style.DARK_PINK},
            bordercolor=style.DARK_PINK,
            borderwidth=1,
            borderpad=3,
            name="sample_tag",
        )
    return figure


def _chart(
    chart_id: str, figure: go.Figure, data: pd.DataFrame, *, title: str, subtitle: str, alt: str, height: int = 460
) -> Chart:
    sample = _is_sample(data)
    source = SAMPLE_SOURCE if sample else LEDGER_SOURCE
    _finish(figure, title=title, subtitle=subtitle, source=source, sample=sample, height=height)
    return Chart(
        chart_id=chart_id,
        figure=figure,
        data=_with_basis(data),
        title=title,
        subtitle=subtitle,
        source=source,
        alt_text=alt + (" Sample data." if sample else ""),
        labels=(SAMPLE_LABEL,) if sample else (),
    )


def services_chart(
    services: pd.DataFrame, *, fiscal_year: str, month: int, directorates: Sequence[str] | None = None
) -> Chart:
    """Budget, actual and forecast by service (year to date), largest overspend at the top."""
    data = services.sort_values("variance_gbp", ascending=True)
    names = [f"{s} ({d})" if not directorates or len(directorates) != 1 else s for d, s in
             zip(data["directorate"], data["service"], strict=True)]  # fmt: skip
    figure = go.Figure()
    for column, label, colour in (
        ("budget_gbp", "Budget", style.DARK_BLUE),
        ("actual_gbp", "Actual", style.TURQUOISE),
        ("forecast_gbp", "Forecast", style.ORANGE),
    ):
        figure.add_bar(
            y=names, x=data[column] / 1e6, name=label, orientation="h", marker_color=colour,
            hovertemplate="%{y}<br>" + label + ": £%{x:,.2f}m<extra></extra>",
        )  # fmt: skip
    figure.update_layout(
        barmode="group", xaxis={"title": "£m", "rangemode": "tozero", "type": "linear"}, yaxis={"type": "category"}
    )
    subtitle = f"Budget, actual and forecast, £m, {_scope(directorates)}, {fiscal_year} to {month_label(month)}"
    if len(data):
        top = services.sort_values("variance_gbp", ascending=False).iloc[0]
        title = f"{top['service']} is furthest from budget: {_over_under(top['variance_gbp'])}"
        alt = (
            f"Bar chart of budget, actual and forecast for {len(data)} services. {top['service']} has the largest "
            f"overspend, {_over_under(top['variance_gbp'])} to {month_label(month)}."
        )
    else:
        title, alt = "No monitoring lines for this choice", "No data."
    height = max(460, 200 + 38 * len(data))
    return _chart("monitoring_services", figure, services, title=title, subtitle=subtitle, alt=alt, height=height)


def variance_trend_chart(
    trend: pd.DataFrame, *, fiscal_year: str, scope: str, chart_id: str = "monitoring_variance_trend"
) -> Chart:
    """The month's variance (bars) and the cumulative variance (line), by month."""
    labels = [month_label(int(m)) for m in trend["period_month"]]
    figure = go.Figure()
    figure.add_bar(
        x=labels, y=trend["variance_gbp"] / 1e6, name="Variance in the month", marker_color=style.DARK_BLUE,
        hovertemplate="%{x}: £%{y:,.2f}m<extra></extra>",
    )  # fmt: skip
    figure.add_scatter(
        x=labels, y=trend["cumulative_variance_gbp"] / 1e6, name="Cumulative variance", mode="lines+markers",
        line={"color": style.ORANGE, "width": 3}, hovertemplate="%{x}: £%{y:,.2f}m<extra></extra>",
    )  # fmt: skip
    figure.update_layout(yaxis={"title": "£m (positive = overspend)", "zeroline": True})
    subtitle = f"Actual minus budget, £m, {scope}, {fiscal_year}"
    if len(trend):
        last = trend.iloc[-1]
        title = f"{_over_under(last['cumulative_variance_gbp'])} by {month_label(int(last['period_month']))}"
        alt = (
            f"Bars show each month's variance and a line the cumulative variance for {scope}, {fiscal_year}; "
            f"by {month_label(int(last['period_month']))} it is {_over_under(last['cumulative_variance_gbp'])}."
        )
    else:
        title, alt = "No monitoring lines for this choice", "No data."
    return _chart(chart_id, figure, trend, title=title, subtitle=subtitle, alt=alt)


def cost_centres_chart(centres: pd.DataFrame, *, fiscal_year: str, month: int, scope: str) -> Chart:
    """The cost centres with the largest variances, either sign."""
    data = centres.iloc[::-1]
    names = [f"{c} · {s}" for c, s in zip(data["cost_centre"], data["service"], strict=True)]
    colours = [style.DARK_PINK if v > 0 else style.TURQUOISE for v in data["variance_gbp"]]
    figure = go.Figure()
    figure.add_bar(
        y=names, x=data["variance_gbp"] / 1e6, orientation="h", marker_color=colours, name="Variance",
        text=["over" if v > 0 else "under" for v in data["variance_gbp"]], textposition="outside",
        hovertemplate="%{y}<br>£%{x:,.3f}m<extra></extra>",
    )  # fmt: skip
    figure.update_layout(
        xaxis={"title": "£m (positive = overspend)", "zeroline": True, "type": "linear"},
        yaxis={"type": "category"},
        showlegend=False,
    )
    subtitle = f"Largest variances by cost centre, £m, {scope}, {fiscal_year} to {month_label(month)}"
    if len(centres):
        top = centres.iloc[0]
        title = f"Cost centre {top['cost_centre']} ({top['service']}) is {_over_under(top['variance_gbp'])}"
        alt = (
            f"Bar chart of the {len(centres)} cost centres with the largest variances; the largest is "
            f"{top['cost_centre']} in {top['service']}, {_over_under(top['variance_gbp'])}."
        )
    else:
        title, alt = "No monitoring lines for this choice", "No data."
    height = max(460, 200 + 30 * len(centres))
    return _chart("monitoring_cost_centres", figure, centres, title=title, subtitle=subtitle, alt=alt, height=height)


def _latest(conn: duckdb.DuckDBPyConnection) -> tuple[str, int]:
    years = monitoring.years(conn)
    if years.empty:
        raise ValueError("There are no monitoring lines to chart.")
    return str(years.iloc[0]["fiscal_year"]), int(years.iloc[0]["last_month"])


def services_view(
    conn: duckdb.DuckDBPyConnection, *, fiscal_year: str, month: int, directorates: Sequence[str] | None = None
) -> Chart:
    """The services chart for a year, month and directorates, straight from the database."""
    data = monitoring.by_service(conn, fiscal_year=fiscal_year, directorates=list(directorates or []), month=month)
    return services_chart(data, fiscal_year=fiscal_year, month=month, directorates=directorates)


def variance_trend_view(
    conn: duckdb.DuckDBPyConnection,
    *,
    fiscal_year: str,
    month: int,
    scope: str,
    directorates: Sequence[str] | None = None,
    service: str | None = None,
    cost_centre: str | None = None,
) -> Chart:
    """The variance trend for a year, month, directorates and optional service or cost centre."""
    data = monitoring.variance_trend(
        conn,
        fiscal_year=fiscal_year,
        directorates=list(directorates or []),
        month=month,
        service=service,
        cost_centre=cost_centre,
    )
    return variance_trend_chart(data, fiscal_year=fiscal_year, scope=scope)


def cost_centres_view(
    conn: duckdb.DuckDBPyConnection,
    *,
    fiscal_year: str,
    month: int,
    scope: str,
    directorates: Sequence[str] | None = None,
    service: str | None = None,
) -> Chart:
    """The largest cost-centre variances for a year, month, directorates and optional service."""
    data = monitoring.cost_centre_variances(
        conn, fiscal_year=fiscal_year, directorates=list(directorates or []), month=month, service=service
    )
    return cost_centres_chart(data, fiscal_year=fiscal_year, month=month, scope=scope)


@register("monitoring_services", "Budget and actual by service", PAGE)
def build_services(conn: duckdb.DuckDBPyConnection, directorates: Sequence[str] | None = None) -> Chart:
    year, month = _latest(conn)
    return services_view(conn, fiscal_year=year, month=month, directorates=directorates)


@register("monitoring_variance_trend", "Variance trend by month", PAGE)
def build_variance_trend(conn: duckdb.DuckDBPyConnection, directorates: Sequence[str] | None = None) -> Chart:
    year, month = _latest(conn)
    return variance_trend_view(
        conn, fiscal_year=year, month=month, scope=_scope(directorates), directorates=directorates
    )


@register("monitoring_cost_centres", "Largest cost-centre variances", PAGE)
def build_cost_centres(conn: duckdb.DuckDBPyConnection, directorates: Sequence[str] | None = None) -> Chart:
    year, month = _latest(conn)
    return cost_centres_view(conn, fiscal_year=year, month=month, scope=_scope(directorates), directorates=directorates)
