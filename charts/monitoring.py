"""Budget-monitoring charts for the Directorates page. Each returns a `Chart`; no Streamlit here.

Every number in a figure comes from the DataFrame passed in (metrics.monitoring). When any line
behind a chart is sample data, the figure carries a "sample data" line under its subtitle, the Chart
lists SAMPLE_LABEL, and the data has a `data_basis` column saying so, so the label survives every export.

Fitting: period ticks are short ("P9"); bar labels sit outside the bars with the value axis widened
to hold them at the width the figure is drawn at (`charts.style.fit_bar_text`); long names are cut to
NAME_CHARS with the full name on hover and in the data.
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
from data.vocab import SAVINGS_STATUS_LABELS, counted, gbp, period_label, possessive
from metrics import monitoring

PAGE = vocab.DIRECTORATES.title
SAMPLE_SOURCE = (
    "Source: sample period-close snapshots (synthetic; the 2020/21 council totals at P9 and P12 are the "
    "quarter 3 forecast and the outturn reported to Dorset Council Cabinet, 5 October 2021; the split by "
    "directorate, service and cost centre is invented)"
)
SAMPLE_SAVINGS_SOURCE = (
    "Source: sample savings schemes (synthetic; the 2021/22 targets sum to the savings programme reported to "
    "Dorset Council Cabinet, 5 October 2021; schemes, statuses and delivery are invented)"
)
LEDGER_SOURCE = "Source: period-close monitoring extract loaded from the ledger"
LEDGER_SAVINGS_SOURCE = "Source: savings tracker loaded on the Data & sources page"
NAME_CHARS = 30
TITLE_NAME_CHARS = 70
NAME_FONT = 14  # category names on horizontal bar charts
NAME_PX_PER_CHAR = 7.9


def _over_under(pounds: float) -> str:
    return f"{gbp(abs(pounds))} {'over' if pounds > 0 else 'under'} budget"


def _scope(directorates: Sequence[str] | None) -> str:
    return ", ".join(directorates) if directorates else "all directorates"


def short_name(name: str, limit: int = NAME_CHARS) -> str:
    """A long name cut to `limit` characters with an ellipsis, between words where one ends in its second half
    ("Contingency cost…", not "Contingency cost c…"); the full name goes on hover and in the data."""
    if len(name) <= limit:
        return name
    kept = name[: limit - 1]
    if name[limit - 1] != " " and " " in kept[limit // 2 :]:
        kept = kept[: kept.rindex(" ")]
    return kept.rstrip(" ,;:-–") + "…"


def _is_sample(data: pd.DataFrame) -> bool:
    return bool(len(data)) and int(data["sample_lines"].sum()) > 0


def _with_basis(data: pd.DataFrame) -> pd.DataFrame:
    out = data.copy()
    out["data_basis"] = ["sample data" if n else "reported" for n in out["sample_lines"]]
    return out


def _chart(
    chart_id: str,
    figure: go.Figure,
    data: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    alt: str,
    height: int = 480,
    savings: bool = False,
) -> Chart:
    sample = _is_sample(data)
    if savings:
        source = SAMPLE_SAVINGS_SOURCE if sample else LEDGER_SAVINGS_SOURCE
    else:
        source = SAMPLE_SOURCE if sample else LEDGER_SOURCE
    figure.update_layout(height=height)
    notes = ("Includes sample data: synthetic lines, not the council's ledger.",) if sample else ()
    shown_subtitle = style.sample_tagged(subtitle) if sample else subtitle
    style.finish(
        figure,
        title=title,
        subtitle=shown_subtitle,
        source=source,
        notes=notes,
        legend=figure.layout.showlegend is not False,
    )
    left = figure.layout.margin.l
    if left and figure.layout.yaxis.automargin is False:
        # The source line starts at the figure's left edge, not the plot's, so it is never cut off at the right.
        for annotation in figure.layout.annotations:
            if annotation.name == "source":
                annotation.xshift = -(left - 8)
    if sample:
        style.restore_sample_tag(figure)
    return Chart(
        chart_id=chart_id,
        figure=figure,
        data=_with_basis(data).reset_index(drop=True),
        title=title,
        subtitle=subtitle,
        source=source,
        alt_text=alt + (" Sample data." if sample else ""),
        labels=(SAMPLE_LABEL,) if sample else (),
    )


def _names_margin(figure: go.Figure, names: Sequence[str]) -> None:
    """A left margin that fits the (cut) category names, set rather than automatic so the source line can
    be placed from the figure's left edge."""
    widest = max((len(n) for n in names), default=4)
    figure.update_layout(
        margin={"l": int(24 + widest * NAME_PX_PER_CHAR)},
        yaxis={"automargin": False, "tickfont": {"size": NAME_FONT}},
    )


def variance_chart(
    table: pd.DataFrame, *, fiscal_year: str, period: int, scope: str, level: str = "directorate"
) -> Chart:
    """Forecast variance by directorate (or service) at the period close, with the RAG word on each bar."""
    data = table.iloc[::-1]
    names = [short_name(n) for n in data["name"]]
    values = list(data["variance_gbp"] / 1e6)
    labels = [f"{'+' if v > 0 else ''}{gbp(v)} · {r}" for v, r in zip(data["variance_gbp"], data["rag"], strict=True)]
    colours = [vocab.RAG_COLOURS[r] for r in data["rag"]]  # the one RAG palette, as in the table
    figure = go.Figure()
    figure.add_bar(
        y=names, x=values, orientation="h", marker_color=colours, name="Forecast variance",
        text=labels, textposition="outside", cliponaxis=False, customdata=list(data["name"]),
        hovertemplate="%{customdata}<br>Forecast variance £%{x:,.2f}m<extra></extra>",
    )  # fmt: skip
    figure.update_layout(
        xaxis={"title": "£m (positive = forecast overspend)", "zeroline": True, "type": "linear"},
        yaxis={"type": "category"},
        showlegend=False,
    )
    _names_margin(figure, names)
    subtitle = f"Forecast outturn minus annual budget, £m, {scope}, {fiscal_year} at {period_label(period)}"
    if len(table):
        worst = table.sort_values("variance_gbp", ascending=False).iloc[0]
        title = (
            f"{worst['name']} forecasts the largest overspend: {gbp(worst['variance_gbp'])} at {period_label(period)}"
        )
        if worst["variance_gbp"] <= 0:
            title = f"Every {level.replace('_', ' ')} forecasts to spend within budget at {period_label(period)}"
        alt = (
            f"Bar chart of the forecast variance for {len(table)} {level.replace('_', ' ')}s at "
            f"{period_label(period)} {fiscal_year}, each labelled with its RAG rating. {worst['name']} is "
            f"{_over_under(worst['variance_gbp'])}."
        )
    else:
        title, alt = "No monitoring lines for this choice", "No data."
    height = max(420, 230 + 40 * len(table))
    return _chart(f"monitoring_variance_{level}", figure, table, title=title, subtitle=subtitle, alt=alt,
                  height=height)  # fmt: skip


def drift_title(drift: pd.DataFrame) -> tuple[str, str]:
    """The statement title and a sentence for the alt text: who moved most between the last two periods."""
    held = sorted(drift["period"].unique())
    if len(held) < 2:
        if not held:
            return "No monitoring lines for this choice", "No data."
        return (
            f"Only {period_label(int(held[0]))} is held: no movement to show yet",
            f"One period held, {period_label(int(held[0]))}.",
        )
    last, before = int(held[-1]), int(held[-2])
    wide = drift.pivot_table(index="directorate", columns="period", values="variance_gbp", aggfunc="sum")
    movement = (wide[last] - wide[before]).dropna()
    if movement.empty:
        return f"No directorate has lines at both {period_label(before)} and {period_label(last)}", ""
    mover = movement.abs().idxmax()
    change = float(movement[mover])
    if abs(change) < 0.5:
        return f"No directorate's forecast moved between {period_label(before)} and {period_label(last)}", ""
    moved = vocab.movement_words(change)
    title = f"{mover} moved most since {period_label(before)}: {moved}"
    return title, f"{possessive(mover)} forecast variance moved {moved} between {period_label(before)} and " \
        f"{period_label(last)}."  # fmt: skip


def drift_chart(drift: pd.DataFrame, *, fiscal_year: str, scope: str) -> Chart:
    """Each directorate's forecast variance at every period close held: how the forecast drifted."""
    figure = go.Figure()
    directorates = list(dict.fromkeys(drift["directorate"]))
    for index, directorate in enumerate(directorates):
        rows = drift[drift["directorate"] == directorate]
        figure.add_scatter(
            x=[period_label(int(p)) for p in rows["period"]], y=rows["variance_gbp"] / 1e6, name=directorate,
            mode="lines+markers", line={"color": style.PALETTE[index % len(style.PALETTE)], "width": 3},
            hovertemplate=directorate + "<br>%{x}: £%{y:,.2f}m<extra></extra>",
        )  # fmt: skip
    held = sorted(drift["period"].unique())
    figure.update_layout(
        xaxis={
            "categoryorder": "array",
            "categoryarray": [period_label(int(p)) for p in held],
            "title": "Period close",
        },
        yaxis={"title": "£m (positive = forecast overspend)", "zeroline": True, "rangemode": "normal"},
    )
    title, moved = drift_title(drift)
    subtitle = f"Forecast outturn minus annual budget at each period close, £m, {scope}, {fiscal_year}"
    alt = (
        f"Line chart of the forecast variance of {counted(len(directorates), 'directorate')} at each period close of "
        f"{fiscal_year}. {moved}"
    )
    return _chart("monitoring_drift", figure, drift, title=title, subtitle=subtitle, alt=alt, height=520)


def cost_centres_chart(centres: pd.DataFrame, *, fiscal_year: str, period: int, scope: str) -> Chart:
    """The cost centres with the largest forecast variances at the period (monitoring_table rows, with their RAG),
    either sign, each bar in its RAG colour with the word; long names cut."""
    data = centres.iloc[::-1]
    names = [short_name(n) for n in data["name"]]
    values = list(data["variance_gbp"] / 1e6)
    labels = [f"{'+' if v > 0 else ''}{gbp(v)} · {r}" for v, r in zip(data["variance_gbp"], data["rag"], strict=True)]
    colours = [vocab.RAG_COLOURS[r] for r in data["rag"]]
    figure = go.Figure()
    figure.add_bar(
        y=names, x=values, orientation="h", marker_color=colours, name="Forecast variance",
        text=labels, textposition="outside", cliponaxis=False,
        customdata=[[n, s] for n, s in zip(data["name"], data["service"], strict=True)],
        hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>£%{x:,.3f}m<extra></extra>",
    )  # fmt: skip
    figure.update_layout(
        xaxis={"title": "£m (positive = forecast overspend)", "zeroline": True, "type": "linear"},
        yaxis={"type": "category"},
        showlegend=False,
    )
    _names_margin(figure, names)
    subtitle = f"Largest forecast variances by cost centre, £m, {scope}, {fiscal_year} at {period_label(period)}"
    if len(centres):
        top = centres.iloc[0]
        # The name whole where it is of an ordinary length: the title wraps (it read "cost centr… is £0.52m under")
        title = f"{short_name(top['name'], TITLE_NAME_CHARS)} is {_over_under(top['variance_gbp'])}"
        alt = (
            f"Bar chart of the {len(centres)} cost centres with the largest forecast variances; the largest is "
            f"{top['name']} in {top['service']}, {_over_under(top['variance_gbp'])}."
        )
    else:
        title, alt = "No monitoring lines for this choice", "No data."
    height = max(420, 230 + 30 * len(centres))
    return _chart("monitoring_cost_centres", figure, centres, title=title, subtitle=subtitle, alt=alt, height=height)


def savings_chart(savings: pd.DataFrame, *, fiscal_year: str, period: int, scope: str) -> Chart:
    """Savings target and forecast delivery by directorate, with the undelivered amount labelled."""
    data = savings.iloc[::-1]
    names = [short_name(n) for n in data["directorate"]]
    target, delivery = list(data["target_gbp"] / 1e6), list(data["forecast_delivery_gbp"] / 1e6)
    labels = [f"{gbp(u)} short" if u > 0 else "in full" for u in data["undelivered_gbp"]]
    figure = go.Figure()
    figure.add_bar(
        y=names, x=target, orientation="h", name="Target", marker_color=style.DARK_BLUE,
        hovertemplate="%{y}<br>Target £%{x:,.2f}m<extra></extra>",
    )  # fmt: skip
    figure.add_bar(
        y=names, x=delivery, orientation="h", name="Forecast delivery", marker_color=style.TURQUOISE,
        text=labels, textposition="outside", cliponaxis=False,
        hovertemplate="%{y}<br>Forecast delivery £%{x:,.2f}m<extra></extra>",
    )  # fmt: skip
    figure.update_layout(
        barmode="group",
        xaxis={"title": "£m", "type": "linear"},
        yaxis={"type": "category"},
    )
    _names_margin(figure, names)
    subtitle = f"Savings target and forecast delivery, £m, {scope}, {fiscal_year} at {period_label(period)}"
    if len(savings):
        target_total, short_total = savings["target_gbp"].sum(), savings["undelivered_gbp"].sum()
        title = f"{gbp(short_total)} of the {gbp(target_total)} savings target is forecast undelivered"
        alt = (
            f"Bar chart of savings target and forecast delivery for {counted(len(savings), 'directorate')} at "
            f"{period_label(period)} {fiscal_year}: {gbp(short_total)} of {gbp(target_total)} undelivered."
        )
    else:
        title, alt = "No savings held for this choice", "No data."
    height = max(420, 250 + 56 * len(savings))
    return _chart("monitoring_savings", figure, savings, title=title, subtitle=subtitle, alt=alt, height=height,
                  savings=True)  # fmt: skip


def savings_status_words(row: pd.Series) -> str:
    """'2 delivered, 1 at risk' for a directorate's schemes (the statuses it has)."""
    parts = [f"{int(row[key])} {label.lower()}" for key, label in SAVINGS_STATUS_LABELS.items() if int(row[key])]
    return ", ".join(parts)


def _latest(conn: duckdb.DuckDBPyConnection) -> tuple[str, int, int | None]:
    years = monitoring.years(conn)
    if years.empty:
        raise ValueError("There are no monitoring snapshots to chart.")
    year = str(years.iloc[0]["fiscal_year"])
    held = monitoring.periods(conn, fiscal_year=year)
    return year, held[-1], monitoring.previous_period(held, held[-1])


# The Directorates page's charts, each built from its own query at the page's period close, so that the page
# keeps the finished Chart in its cache (ui.cache.cached): a directorate chosen again, by anyone, costs no
# figure building (~25 ms a chart), only the copy out of the cache.


def variance_at(
    conn: duckdb.DuckDBPyConnection,
    *,
    at_period: dict,
    directorates: list[str],
    drilled: str | None = None,
) -> Chart:
    """`variance_chart` of the chosen directorates, or of the services of the directorate drilled into."""
    if drilled:
        services = monitoring.monitoring_table(conn, **at_period, level="service", directorate=drilled)
        return variance_chart(
            services, fiscal_year=at_period["fiscal_year"], period=at_period["period"], scope=drilled, level="service"
        )
    table = monitoring.monitoring_table(conn, **at_period, directorates=directorates)
    return variance_chart(
        table, fiscal_year=at_period["fiscal_year"], period=at_period["period"], scope=_scope(directorates)
    )


def drift_until(conn: duckdb.DuckDBPyConnection, *, fiscal_year: str, period: int, directorates: list[str]) -> Chart:
    """`drift_chart` of the chosen directorates, up to the period close in view."""
    drift = monitoring.drift(conn, fiscal_year=fiscal_year, directorates=directorates)
    return drift_chart(drift[drift["period"] <= period], fiscal_year=fiscal_year, scope=_scope(directorates))


def cost_centres_at(
    conn: duckdb.DuckDBPyConnection,
    *,
    at_period: dict,
    directorates: list[str],
    drilled: str | None,
    service: str | None,
    scope: str,
) -> Chart:
    """`cost_centres_chart` of the 15 largest variances in the chosen directorates (or the drill-down)."""
    largest = monitoring.monitoring_table(
        conn, **at_period, directorates=directorates, level="cost_centre", directorate=drilled, service=service,
        limit=15,
    )  # fmt: skip
    return cost_centres_chart(largest, fiscal_year=at_period["fiscal_year"], period=at_period["period"], scope=scope)


@register("monitoring_variance_directorate", "Forecast variance by directorate", PAGE)
def build_variance(conn: duckdb.DuckDBPyConnection, directorates: Sequence[str] | None = None) -> Chart:
    year, period, previous = _latest(conn)
    table = monitoring.monitoring_table(
        conn, fiscal_year=year, period=period, previous=previous, directorates=list(directorates or [])
    )
    return variance_chart(table, fiscal_year=year, period=period, scope=_scope(directorates))


@register("monitoring_drift", "Forecast drift by directorate", PAGE)
def build_drift(conn: duckdb.DuckDBPyConnection, directorates: Sequence[str] | None = None) -> Chart:
    year, _, _ = _latest(conn)
    data = monitoring.drift(conn, fiscal_year=year, directorates=list(directorates or []))
    return drift_chart(data, fiscal_year=year, scope=_scope(directorates))


@register("monitoring_cost_centres", "Largest cost-centre variances", PAGE)
def build_cost_centres(conn: duckdb.DuckDBPyConnection, directorates: Sequence[str] | None = None) -> Chart:
    year, period, previous = _latest(conn)
    data = monitoring.monitoring_table(
        conn, fiscal_year=year, period=period, previous=previous, directorates=list(directorates or []),
        level="cost_centre", limit=15,
    )  # fmt: skip
    return cost_centres_chart(data, fiscal_year=year, period=period, scope=_scope(directorates))


@register("monitoring_savings", "Savings delivery by directorate", PAGE)
def build_savings(conn: duckdb.DuckDBPyConnection, directorates: Sequence[str] | None = None) -> Chart:
    held = monitoring.savings_snapshots(conn)
    if held.empty:
        raise ValueError("There are no savings to chart.")
    year, period = str(held.iloc[0]["fiscal_year"]), int(held.iloc[0]["period"])
    data = monitoring.savings_by_directorate(conn, fiscal_year=year, period=period,
                                             directorates=list(directorates or []))  # fmt: skip
    return savings_chart(data, fiscal_year=year, period=period, scope=_scope(directorates))
