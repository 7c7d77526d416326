"""Action-plan charts: status by theme, due dates against today and the as-at date, overdue by theme.

Each chart function takes the DataFrame a metrics function returns and builds a Chart; the
`@register`ed builders fetch that data for the catalogue (as at today).
"""

from __future__ import annotations

from datetime import date

import afcharts.pio_template  # noqa: F401 - registers the "afcharts" Plotly template
import duckdb
import pandas as pd
import plotly.graph_objects as go

from charts.catalogue import register
from charts.spec import Chart
from metrics import actions

PAGE = "Action plan"
TEMPLATE = "afcharts"
SOURCE = f"Source: {actions.ACTION_PLAN_SOURCE}, Appendix 1; progress updates recorded in this dashboard."

STATUS_COLOURS = {
    "Complete": "#12436D",
    "In progress": "#28A197",
    "Ongoing": "#A285D1",
    "Blocked": "#801650",
    "Not started": "#3D3D3D",
    "No update": "#BFBFBF",
}
RAG_COLOURS = {
    actions.RED: "#D4351C",
    actions.AMBER: "#F47738",
    actions.GREEN: "#00703C",
    actions.NO_TIMELINE: "#BFBFBF",
}
RAG_SYMBOLS = {actions.RED: "x", actions.AMBER: "triangle-up", actions.GREEN: "circle", actions.NO_TIMELINE: "square"}
TODAY_COLOUR = "#3D3D3D"
AS_AT_COLOUR = "#12436D"


def _long_date(day: date) -> str:
    return f"{day:%-d %B %Y}"


def _layout(figure: go.Figure, *, title: str, subtitle: str, height: int) -> None:
    figure.update_layout(
        template=TEMPLATE,
        title={
            "text": f"{title}<br><sup>{subtitle}</sup>",
            "x": 0.01,
            "xanchor": "left",
            "xref": "container",
            "y": 1,
            "yanchor": "top",
            "yref": "container",
            "pad": {"t": 12},
        },
        height=height + 40,
        margin={"l": 10, "r": 20, "t": 150, "b": 100},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "xanchor": "left", "title": None},
    )
    figure.add_annotation(
        text=SOURCE,
        xref="paper",
        yref="paper",
        x=1,
        y=-0.3,
        xanchor="right",
        yanchor="top",
        showarrow=False,
        font={"size": 11},
    )


def status_by_theme(frame: pd.DataFrame, *, as_at: date) -> Chart:
    """Stacked horizontal bars: recommendations in each theme by latest status (Appendix 1 order, top down)."""
    themes = list(dict.fromkeys(frame["theme"]))
    total = int(frame["recommendations"].sum())
    complete = int(frame.loc[frame["status_label"] == "Complete", "recommendations"].sum())
    figure = go.Figure()
    for label, colour in STATUS_COLOURS.items():
        counts = frame[frame["status_label"] == label].set_index("theme")["recommendations"]
        counts = counts.reindex(themes).fillna(0).astype(int)
        if counts.sum() == 0 and label not in actions.STATUS_LABELS.values():
            continue
        figure.add_bar(
            y=themes,
            x=counts.to_list(),
            name=label,
            orientation="h",
            marker_color=colour,
            hovertemplate="%{y}<br>" + label + ": %{x}<extra></extra>",
        )
    figure.update_layout(barmode="stack", yaxis={"autorange": "reversed", "title": None})
    figure.update_xaxes(title="Recommendations", rangemode="tozero", dtick=1 if total <= 12 else None)
    title = f"{complete} of {total} recommendations complete at {_long_date(as_at)}"
    subtitle = f"Recommendations by theme and latest recorded status, as at {_long_date(as_at)}"
    _layout(figure, title=title, subtitle=subtitle, height=430)
    counts = ", ".join(
        f"{label}: {int(frame.loc[frame['status_label'] == label, 'recommendations'].sum())}"
        for label in STATUS_COLOURS
        if frame.loc[frame["status_label"] == label, "recommendations"].sum() > 0
    )
    return Chart(
        chart_id="action_status_by_theme",
        figure=figure,
        data=frame.rename(columns={"status_label": "status"}),
        title=title,
        subtitle=subtitle,
        source=SOURCE,
        alt_text=(
            f"Stacked bar chart of the {total} recommendations shown, one bar per theme, split by status. {counts}."
        ),
        as_at=as_at,
    )


def due_date_timeline(frame: pd.DataFrame, *, as_at: date, today: date) -> Chart:
    """Each dated recommendation at its due date, by theme, marked by RAG; today and the as-at date as lines."""
    themes = list(dict.fromkeys(frame["theme"]))
    overdue = int(frame["overdue"].sum())
    figure = go.Figure()
    for rag in actions.RAG_ORDER:
        part = frame[frame["rag"] == rag]
        if part.empty:
            continue
        revised = part["revised_due_date"].notna()
        figure.add_scatter(
            x=part["effective_due_date"],
            y=part["theme"],
            mode="markers",
            name=rag,
            marker={
                "color": RAG_COLOURS[rag],
                "symbol": RAG_SYMBOLS[rag],
                "size": 11,
                "line": {"width": [2 if r else 0 for r in revised], "color": "#0B0C0C"},
            },
            customdata=part[["rec_no", "status_label", "lead"]].astype(str).to_numpy(),
            hovertemplate="Recommendation %{customdata[0]}<br>Due %{x|%-d %b %Y}<br>%{customdata[1]}, "
            + rag
            + "<br>%{customdata[2]}<extra></extra>",
        )
    for day, label, colour, position in (
        (today, "Today", TODAY_COLOUR, "top left"),
        (as_at, "As at", AS_AT_COLOUR, "top right"),
    ):
        if label == "As at" and day == today:
            continue
        figure.add_vline(
            x=pd.Timestamp(day).timestamp() * 1000,
            line_dash="dash",
            line_color=colour,
            annotation_text=f"{label} {_long_date(day)}",
            annotation_position=position,
        )
    figure.update_yaxes(categoryorder="array", categoryarray=themes[::-1], title=None)
    days = [pd.Timestamp(day) for day in (as_at, today)] + list(pd.to_datetime(frame["effective_due_date"]))
    margin = pd.Timedelta(days=60)
    figure.update_xaxes(
        title="Due date (revised where recorded)", type="date", range=[min(days) - margin, max(days) + margin]
    )
    title = f"{overdue} of {len(frame)} recommendations with a due date are overdue at {_long_date(as_at)}"
    subtitle = "Due date of each recommendation by theme; marker shape and colour show RAG; outlined = revised date"
    _layout(figure, title=title, subtitle=subtitle, height=460)
    return Chart(
        chart_id="action_due_dates",
        figure=figure,
        data=frame,
        title=title,
        subtitle=subtitle,
        source=SOURCE,
        alt_text=(
            f"Timeline of the due dates of {len(frame)} recommendations, with dashed lines at today "
            f"({_long_date(today)}) and the as-at date ({_long_date(as_at)}). {overdue} are overdue at the "
            f"as-at date. Recommendations marked Ongoing or with no timeline have no due date and are not shown."
        ),
        as_at=as_at,
    )


def overdue_by_theme(frame: pd.DataFrame, *, as_at: date) -> Chart:
    """Horizontal bars: overdue recommendations per theme against those with a due date."""
    overdue = int(frame["overdue"].sum())
    figure = go.Figure()
    figure.add_bar(
        y=frame["theme"],
        x=frame["with_due_date"],
        name="With a due date",
        orientation="h",
        marker_color="#BFBFBF",
        hovertemplate="%{y}<br>With a due date: %{x}<extra></extra>",
    )
    figure.add_bar(
        y=frame["theme"],
        x=frame["overdue"],
        name="Overdue",
        orientation="h",
        marker_color="#12436D",
        text=frame["overdue"],
        textposition="outside",
        hovertemplate="%{y}<br>Overdue: %{x}<extra></extra>",
    )
    figure.update_layout(barmode="overlay", yaxis={"autorange": "reversed", "title": None})
    figure.update_xaxes(title="Recommendations", rangemode="tozero")
    title = f"{overdue} recommendations overdue at {_long_date(as_at)}"
    subtitle = f"Overdue recommendations by theme (blue) against those with a due date (grey), {_long_date(as_at)}"
    _layout(figure, title=title, subtitle=subtitle, height=400)
    return Chart(
        chart_id="action_overdue_by_theme",
        figure=figure,
        data=frame,
        title=title,
        subtitle=subtitle,
        source=SOURCE,
        alt_text=f"Bar chart of overdue recommendations by theme at {_long_date(as_at)}: "
        + "; ".join(f"{row.theme} {row.overdue} of {row.with_due_date}" for row in frame.itertuples())
        + ".",
        as_at=as_at,
    )


@register("action_status_by_theme", "Action plan status by theme", PAGE)
def build_status_by_theme(conn: duckdb.DuckDBPyConnection) -> Chart:
    today = date.today()
    return status_by_theme(actions.status_by_theme(conn, as_at=today), as_at=today)


@register("action_due_dates", "Action plan due dates", PAGE)
def build_due_date_timeline(conn: duckdb.DuckDBPyConnection) -> Chart:
    today = date.today()
    return due_date_timeline(actions.due_dates(conn, as_at=today), as_at=today, today=today)


@register("action_overdue_by_theme", "Overdue actions by theme", PAGE)
def build_overdue_by_theme(conn: duckdb.DuckDBPyConnection) -> Chart:
    today = date.today()
    return overdue_by_theme(actions.overdue_by_theme(conn, as_at=today), as_at=today)
