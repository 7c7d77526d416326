"""Budget-monitoring charts for the Directorates page. Each returns a `Chart`; no Streamlit here.

Every number in a figure comes from the DataFrame passed in (metrics.monitoring). When any line
behind a chart is sample data, the figure carries a "sample data" label inside it, the Chart lists
SAMPLE_LABEL, and the data has a `data_basis` column saying so, so the label survives every export.
"""

from __future__ import annotations

from collections.abc import Sequence

import afcharts.pio_template  # noqa: F401 - registers the "afcharts" Plotly template
import duckdb
import pandas as pd
import plotly.graph_objects as go

from charts.catalogue import register
from charts.spec import SAMPLE_LABEL, Chart
from data.load import month_label
from metrics import format as fmt
from metrics import monitoring

PAGE = "Directorates"
COLOURS = ("#12436D", "#28A197", "#801650", "#F46A25")
SAMPLE_SOURCE = (
    "Source: sample monitoring lines (synthetic; their 2020/21 totals reconcile to the outturn reported to "
    "Dorset Council Cabinet, 5 October 2021; the split by directorate and service is invented)"
)
LEDGER_SOURCE = "Source: budget-monitoring lines loaded from the ledger extract"


def _m(pounds: float) -> str:
    """£m to one decimal; two below £1m, and whole pounds below £10,000, so small variances do not read as £0."""
    if abs(pounds) < 10_000:
        return f"{'-' if pounds < 0 else ''}£{abs(pounds):,.0f}"
    return fmt.gbp_m(pounds / 1e6, decimals=1 if abs(pounds) >= 1e6 else 2)


def _over_under(pounds: float) -> str:
    return f"{_m(abs(pounds))} {'over' if pounds > 0 else 'under'} budget"


def _scope(directorates: Sequence[str] | None) -> str:
    return ", ".join(directorates) if directorates else "all directorates"


def _is_sample(data: pd.DataFrame) -> bool:
    return bool(len(data)) and int(data["sample_lines"].sum()) > 0


def _with_basis(data: pd.DataFrame) -> pd.DataFrame:
    out = data.copy()
    out["data_basis"] = ["sample data" if n else "reported" for n in out["sample_lines"]]
    return out


def _finish(figure: go.Figure, *, title: str, subtitle: str, source: str, sample: bool, height: int = 460) -> go.Figure:
    figure.update_layout(
        template="afcharts",
        title={"text": f"{title}<br><sup>{subtitle}</sup>", "x": 0, "xanchor": "left"},
        height=height,
        margin={"t": 90, "b": 110, "l": 10, "r": 10},
        legend={"orientation": "h", "y": -0.18, "x": 0},
    )
    figure.add_annotation(
        text=source, xref="paper", yref="paper", x=0, y=-0.32, xanchor="left", showarrow=False, font={"size": 11}
    )
    if sample:
        figure.add_annotation(
            text=f"<b>{SAMPLE_LABEL}</b>",
            xref="paper",
            yref="paper",
            x=1,
            y=1.12,
            xanchor="right",
            showarrow=False,
            font={"size": 14, "color": "#801650"},
            bordercolor="#801650",
            borderwidth=1,
        )
    return figure


def _chart(chart_id: str, figure: go.Figure, data: pd.DataFrame, *, title: str, subtitle: str, alt: str) -> Chart:
    sample = _is_sample(data)
    source = SAMPLE_SOURCE if sample else LEDGER_SOURCE
    _finish(figure, title=title, subtitle=subtitle, source=source, sample=sample)
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
        ("budget_gbp", "Budget", COLOURS[0]),
        ("actual_gbp", "Actual", COLOURS[1]),
        ("forecast_gbp", "Forecast", COLOURS[3]),
    ):
        figure.add_bar(
            y=names, x=data[column] / 1e6, name=label, orientation="h", marker_color=colour,
            hovertemplate="%{y}<br>" + label + ": £%{x:,.2f}m<extra></extra>",
        )  # fmt: skip
    figure.update_layout(barmode="group", xaxis={"title": "£m", "rangemode": "tozero"})
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
    chart = _chart("monitoring_services", figure, services, title=title, subtitle=subtitle, alt=alt)
    chart.figure.update_layout(height=max(420, 60 + 38 * len(data)))
    return chart


def variance_trend_chart(
    trend: pd.DataFrame, *, fiscal_year: str, scope: str, chart_id: str = "monitoring_variance_trend"
) -> Chart:
    """The month's variance (bars) and the cumulative variance (line), by month."""
    labels = [month_label(int(m)) for m in trend["period_month"]]
    figure = go.Figure()
    figure.add_bar(
        x=labels, y=trend["variance_gbp"] / 1e6, name="Variance in the month", marker_color=COLOURS[0],
        hovertemplate="%{x}: £%{y:,.2f}m<extra></extra>",
    )  # fmt: skip
    figure.add_scatter(
        x=labels, y=trend["cumulative_variance_gbp"] / 1e6, name="Cumulative variance", mode="lines+markers",
        line={"color": COLOURS[3], "width": 3}, hovertemplate="%{x}: £%{y:,.2f}m<extra></extra>",
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
    colours = [COLOURS[2] if v > 0 else COLOURS[1] for v in data["variance_gbp"]]
    figure = go.Figure()
    figure.add_bar(
        y=names, x=data["variance_gbp"] / 1e6, orientation="h", marker_color=colours, name="Variance",
        text=["over" if v > 0 else "under" for v in data["variance_gbp"]], textposition="outside",
        hovertemplate="%{y}<br>£%{x:,.3f}m<extra></extra>",
    )  # fmt: skip
    figure.update_layout(xaxis={"title": "£m (positive = overspend)", "zeroline": True}, showlegend=False)
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
    chart = _chart("monitoring_cost_centres", figure, centres, title=title, subtitle=subtitle, alt=alt)
    chart.figure.update_layout(height=max(420, 60 + 30 * len(centres)))
    return chart


def _latest(conn: duckdb.DuckDBPyConnection) -> tuple[str, int]:
    years = monitoring.years(conn)
    if years.empty:
        raise ValueError("There are no monitoring lines to chart.")
    return str(years.iloc[0]["fiscal_year"]), int(years.iloc[0]["last_month"])


@register("monitoring_services", "Budget and actual by service", PAGE)
def build_services(conn: duckdb.DuckDBPyConnection, directorates: Sequence[str] | None = None) -> Chart:
    year, month = _latest(conn)
    data = monitoring.by_service(conn, fiscal_year=year, directorates=list(directorates or []), month=month)
    return services_chart(data, fiscal_year=year, month=month, directorates=directorates)


@register("monitoring_variance_trend", "Variance trend by month", PAGE)
def build_variance_trend(conn: duckdb.DuckDBPyConnection, directorates: Sequence[str] | None = None) -> Chart:
    year, month = _latest(conn)
    data = monitoring.variance_trend(conn, fiscal_year=year, directorates=list(directorates or []), month=month)
    return variance_trend_chart(data, fiscal_year=year, scope=_scope(directorates))


@register("monitoring_cost_centres", "Largest cost-centre variances", PAGE)
def build_cost_centres(conn: duckdb.DuckDBPyConnection, directorates: Sequence[str] | None = None) -> Chart:
    year, month = _latest(conn)
    data = monitoring.cost_centre_variances(conn, fiscal_year=year, directorates=list(directorates or []), month=month)
    return cost_centres_chart(data, fiscal_year=year, month=month, scope=_scope(directorates))
