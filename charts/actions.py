"""Action-plan charts: status by theme, due dates against today and the as-at date, overdue by theme.

Each chart function takes the DataFrame a metrics function returns and builds a Chart; the
`@register`ed builders fetch that data for the catalogue (as at today).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import plotly.graph_objects as go

from charts import style
from charts.catalogue import register
from charts.spec import Chart
from data import vocab
from metrics import actions

PAGE = vocab.ACTION_PLAN.title
THEME_WRAP = 24  # characters per line of a theme name on the y axis
SOURCE = f"Source: {actions.ACTION_PLAN_SOURCE}, Appendix 1; progress updates recorded in this dashboard."

RAG_COLOURS = {**vocab.RAG_COLOURS, actions.NO_TIMELINE: "#BFBFBF"}  # the one RAG palette, and grey for none
RAG_SYMBOLS = {actions.RED: "x", actions.AMBER: "triangle-up", actions.GREEN: "circle", actions.NO_TIMELINE: "square"}
TODAY_COLOUR = style.DARK_GREY
AS_AT_COLOUR = style.DARK_BLUE


def _long_date(day: date) -> str:
    return f"{day:%-d %B %Y}"


def status_by_theme(frame: pd.DataFrame, *, as_at: date) -> Chart:
    """Stacked horizontal bars: recommendations in each theme by latest status (Appendix 1 order, top down)."""
    themes = list(dict.fromkeys(frame["theme"]))
    total = int(frame["recommendations"].sum())
    complete = int(frame.loc[frame["status_label"] == "Complete", "recommendations"].sum())
    figure = go.Figure()
    for label, colour in vocab.STATUS_COLOURS.items():
        counts = frame[frame["status_label"] == label].set_index("theme")["recommendations"]
        counts = counts.reindex(themes).fillna(0).astype(int)
        if counts.sum() == 0 and label not in vocab.STATUS_LABELS.values():
            continue
        figure.add_bar(
            y=[style.label(theme, THEME_WRAP) for theme in themes],
            x=counts.to_list(),
            # the key keeps every status in the same colour on every view; one with no recommendation says so
            name=label if counts.sum() else f"{label} (none)",
            orientation="h",
            marker_color=colour,
            hovertemplate=label + ": %{x}<extra></extra>",
        )
    figure.update_layout(barmode="stack", height=560)
    figure.update_yaxes(type="category", autorange="reversed", title=None)
    figure.update_xaxes(type="linear", title={"text": "Recommendations"}, rangemode="tozero", showgrid=True)
    title = f"{complete} of {vocab.counted(total, 'recommendation')} complete at {_long_date(as_at)}"
    subtitle = f"Recommendations by theme and latest recorded status, as at {_long_date(as_at)}"
    counts = ", ".join(
        f"{label}: {int(frame.loc[frame['status_label'] == label, 'recommendations'].sum())}"
        for label in vocab.STATUS_COLOURS
        if frame.loc[frame["status_label"] == label, "recommendations"].sum() > 0
    )
    return style.make_chart(
        "action_status_by_theme",
        figure,
        frame.rename(columns={"status_label": "status"}),
        title=title,
        subtitle=subtitle,
        source=SOURCE,
        alt_text=(
            f"Stacked bar chart of the {vocab.counted(total, 'recommendation')} shown, one bar per theme, "
            f"split by status. {counts}."
        ),
        as_at_date=as_at,
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
            x=[day.date() for day in pd.to_datetime(part["effective_due_date"])],  # a list: style reads x as one
            y=[style.label(theme, THEME_WRAP) for theme in part["theme"]],
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
    figure.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=[style.label(theme, THEME_WRAP) for theme in themes[::-1]],
        title=None,
    )
    days = [pd.Timestamp(day) for day in (as_at, today)] + list(pd.to_datetime(frame["effective_due_date"]))
    margin = pd.Timedelta(days=60)
    figure.update_xaxes(
        title={"text": "Due date (revised where recorded)"},
        type="date",
        range=[min(days) - margin, max(days) + margin],
        showgrid=True,
    )
    figure.update_layout(height=560)
    title = (
        f"{overdue} of {vocab.counted(len(frame), 'recommendation')} with a due date "
        f"{'is' if overdue == 1 else 'are'} overdue at {_long_date(as_at)}"
    )
    subtitle = "Due date of each recommendation by theme; marker shape and colour show RAG; outlined = revised date"
    return style.make_chart(
        "action_due_dates",
        figure,
        frame,
        title=title,
        subtitle=subtitle,
        source=SOURCE,
        alt_text=(
            f"Timeline of the due dates of {vocab.counted(len(frame), 'recommendation')}, with dashed lines at today "
            f"({_long_date(today)}) and the as-at date ({_long_date(as_at)}). "
            f"{overdue} {'is' if overdue == 1 else 'are'} overdue at the as-at date. "
            "Recommendations marked Ongoing or with no timeline have no due date and are not shown."
        ),
        as_at_date=as_at,
    )


def overdue_by_theme(frame: pd.DataFrame, *, as_at: date) -> Chart:
    """Horizontal bars: overdue recommendations per theme against those with a due date."""
    overdue = int(frame["overdue"].sum())
    figure = go.Figure()
    themes = [style.label(theme, THEME_WRAP) for theme in frame["theme"]]
    figure.add_bar(
        y=themes,
        x=frame["with_due_date"].tolist(),
        name="With a due date",
        orientation="h",
        marker_color=style.CONTEXT_GREY,
        hovertemplate="With a due date: %{x}<extra></extra>",
    )
    figure.add_bar(
        y=themes,
        x=frame["overdue"].tolist(),
        name="Overdue",
        orientation="h",
        marker_color=style.FOCUS,
        text=frame["overdue"].tolist(),
        textposition="outside",
        hovertemplate="Overdue: %{x}<extra></extra>",
    )
    figure.update_layout(barmode="overlay", height=560)
    figure.update_yaxes(type="category", autorange="reversed", title=None)
    top = max(1, int(frame["with_due_date"].max()))
    figure.update_xaxes(type="linear", title={"text": "Recommendations"}, range=[0, top * 1.15], showgrid=True)
    title = f"{vocab.counted(overdue, 'recommendation')} overdue at {_long_date(as_at)}"
    subtitle = f"Overdue recommendations by theme (blue) against those with a due date (grey), {_long_date(as_at)}"
    return style.make_chart(
        "action_overdue_by_theme",
        figure,
        frame,
        title=title,
        subtitle=subtitle,
        source=SOURCE,
        alt_text=f"Bar chart of overdue recommendations by theme at {_long_date(as_at)}: "
        + "; ".join(f"{row.theme} {row.overdue} of {row.with_due_date}" for row in frame.itertuples())
        + ".",
        as_at_date=as_at,
    )


def tracker_charts(
    conn: duckdb.DuckDBPyConnection, *, as_at: date, filters: actions.TrackerFilters, today: date
) -> tuple[Chart, Chart, Chart]:
    """The Action plan's three charts for the recommendations the filters select, as at `as_at`."""
    rows = actions.apply_filters(actions.tracker_state(conn, as_at=as_at), filters)
    themes = actions.theme_order(conn)
    return (
        status_by_theme(actions.summarise_status_by_theme(rows, themes), as_at=as_at),
        due_date_timeline(actions.summarise_due_dates(rows), as_at=as_at, today=today),
        overdue_by_theme(actions.summarise_overdue_by_theme(rows, themes), as_at=as_at),
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
