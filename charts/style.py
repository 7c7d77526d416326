"""One chart style for every chart: the Government Analysis Function palette, statement titles, sources.

The template is afcharts' Plotly template with margins that leave room for a two-line title, a
subtitle, a legend and a source line, all inside the figure so an exported image carries them.
Pages pass `theme=None` to `st.plotly_chart`, so the screen shows exactly this template.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from datetime import date

import afcharts.pio_template  # noqa: F401 - registers the "afcharts" Plotly template
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from afcharts.af_colours import get_af_colours

from charts import point_labels
from charts.spec import Chart

TEMPLATE = "dorset_af"
PALETTE: list[str] = get_af_colours("categorical")  # dark blue, turquoise, dark pink, orange, dark grey, light purple
FOCUS, CONTEXT_GREY = get_af_colours("focus")  # the highlighted series, and the rest in grey
DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, LIGHT_PURPLE = PALETTE

WIDTH = 800  # the exported image's width in pixels; on screen the chart fills its column (about 650 px or more)
HEIGHT = 520
TITLE_SIZE = 20
SUBTITLE_SIZE = 14
SOURCE_SIZE = 12
TITLE_WRAP = 58  # characters per title line: fits a 650 px column as well as the export
SUBTITLE_WRAP = 88
SOURCE_WRAP = 100

MIN_PLOT_HEIGHT = 240
MARGIN_LEFT, MARGIN_RIGHT = 64, 24
DASH_INTERPOLATED = "dash"
DASH_MODELLED = "dot"


def _template() -> go.layout.Template:
    template = go.layout.Template(pio.templates["afcharts"])
    template.layout.update(
        hovermode="closest",
        height=HEIGHT,
        margin={"l": MARGIN_LEFT, "r": MARGIN_RIGHT, "t": 120, "b": 96, "pad": 4},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom", "font": {"size": 14}},
        title={
            "font": {"size": TITLE_SIZE},
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "y": 0.98,
            "yanchor": "top",
        },
        font={"size": 14},
        uniformtext={"mode": "show", "minsize": 13},
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    template.layout.yaxis.update(rangemode="tozero", gridcolor="#D6D6D6", zeroline=True, zerolinecolor="#3D3D3D")
    template.layout.xaxis.update(showgrid=False, type="category", tickangle=0)
    return template


pio.templates[TEMPLATE] = _template()


TEXT_DARK = "#0B0C0C"
TEXT_LIGHT = "#FFFFFF"


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a #RRGGBB colour."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio between two #RRGGBB colours (1 to 21)."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_on(background: str) -> str:
    """Near-black or white, whichever reads better on `background`: Plotly's own choice for text inside a bar
    puts white on the palette's turquoise (3.2:1), below WCAG AA's 4.5:1."""
    return max((TEXT_DARK, TEXT_LIGHT), key=lambda text: contrast(text, background))


def wrap(text: str, width: int) -> str:
    """Break text into lines of at most `width` characters, joined with <br> for Plotly."""
    kept_together = re.sub(r"(£|quarter) (millions|\d)", "\\1\u00a0\\2", text)  # never "quarter<br>2"
    return "<br>".join(textwrap.wrap(kept_together, width)) or text


NOT_REPORTED = "not reported"


def times(ratio: float | None) -> str:
    """A cover ratio in words: '1.7 times'; 'not reported' where there is none."""
    if ratio is None or pd.isna(ratio):
        return NOT_REPORTED
    return f"{ratio:.1f} times"


def money_axis(fig: go.Figure, *, axis: str = "yaxis", title: str = "£ millions", top: float | None = None) -> None:
    """£m ticks from zero; `top` (the largest value shown) leaves headroom for labels above the data."""
    settings = {"tickprefix": "£", "ticksuffix": "m", "tickformat": ",.0f", "title": {"text": title}}
    if top is not None:
        settings["range"] = [0, top * 1.15]
    fig.update_layout({axis: settings})


def lines_in(text: str) -> int:
    return text.count("<br>") + 1


def label(text: str, width: int = 18) -> str:
    """A category label broken onto short lines so it fits under its bar without rotating."""
    return wrap(text, width)


def _tick_lines(fig: go.Figure) -> int:
    """The most lines any string category label on the x axis takes."""
    lines = [lines_in(x) for trace in fig.data for x in (() if trace.x is None else trace.x) if isinstance(x, str)]
    return max(lines, default=1)


def legend_rows(fig: go.Figure, width: int = 560) -> int:
    """How many rows a horizontal legend takes in a 650 px column (an estimate from the names' lengths).

    Plotly lays a wrapping horizontal legend out as a grid whose columns are as wide as the widest entry.
    """
    names = [trace.name or "" for trace in fig.data if trace.showlegend is not False and trace.name]
    if not names:
        return 1
    widest = max(44 + 7.6 * len(name) for name in names)
    columns = max(1, int(width // widest))
    return -(-len(names) // columns)


@dataclass(frozen=True)
class Fit:
    """Characters per line of the title, subtitle and source line, and the legend's width, for a column width."""

    title_wrap: int
    subtitle_wrap: int
    source_wrap: int
    legend_width: int
    column_px: int  # the narrowest the figure is drawn at: value labels are placed to fit it
    label_px: int  # value labels' font size


NARROW_COLUMN_PX = 350
WIDE = Fit(TITLE_WRAP, SUBTITLE_WRAP, SOURCE_WRAP, 560, 650, 14)  # a 650 px column or wider, and every export
NARROW = Fit(26, 44, 48, 300, NARROW_COLUMN_PX, 12)  # a phone: a column of about 350 px (WCAG 1.4.10 reflow)
NARROW_LABEL_WRAP = 18  # characters per line of a category label beside a horizontal bar on a phone


def finish(
    fig: go.Figure,
    *,
    title: str,
    subtitle: str,
    source: str,
    notes: tuple[str, ...] = (),
    legend: bool = True,
    fit: Fit = WIDE,
    plot_height: float | None = None,
) -> go.Figure:
    """Put the statement title, subtitle, source line and any notes inside the figure, with room for them.

    With `plot_height` the figure grows to keep that much room for the plot itself under the text.
    """
    title_html = wrap(title, fit.title_wrap)
    subtitle_html = wrap(subtitle, fit.subtitle_wrap)
    footer = wrap(" ".join((source, *notes)), fit.source_wrap)
    header_px = 20 + lines_in(title_html) * 26 + lines_in(subtitle_html) * 19
    top = header_px + (legend_rows(fig, fit.legend_width) * 22 + 8 if legend else 12)
    bottom = 58 + 20 * (_tick_lines(fig) - 1) + lines_in(footer) * 16 + (20 if fig.layout.xaxis.title.text else 0)
    height = top + bottom + plot_height if plot_height else (fig.layout.height or HEIGHT)
    if lines_in(footer) > 4:  # a long source line (several documents) never squeezes the plot
        height = max(height, top + bottom + MIN_PLOT_HEIGHT)
    margin = fig.layout.margin
    side_px = (MARGIN_LEFT if margin.l is None else margin.l) + (MARGIN_RIGHT if margin.r is None else margin.r)
    height = (
        top
        + bottom
        + point_labels.arrange(
            fig, plot_width=fit.column_px - side_px, plot_height=height - top - bottom, font_px=fit.label_px
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        title={
            "text": f"<b>{title_html}</b><br>"
            f"<span style='font-size:{SUBTITLE_SIZE}px;color:#3D3D3D'>{subtitle_html}</span>",
            "x": 8 / WIDTH,
            "y": 1 - 10 / height,
            "yref": "container",
            "yanchor": "top",
        },
        margin={"t": top, "b": bottom},
        showlegend=legend,
        legend={"y": 1, "yref": "paper", "yanchor": "bottom"},
    )
    fig.add_annotation(
        text=footer,
        xref="paper",
        yref="paper",
        x=0,
        xanchor="left",
        y=-(bottom - 6) / (height - top - bottom),
        yanchor="bottom",
        align="left",
        showarrow=False,
        font={"size": SOURCE_SIZE, "color": "#3D3D3D"},
        name="source",
    )
    return fig


def narrow_figure(chart: Chart) -> go.Figure:
    """A copy of the chart's figure for a phone-width column: the title, subtitle and source line wrapped
    shorter (room above and below recomputed), and category labels smaller, turned where they would overlap.
    Exports keep the wide layout."""
    fig = go.Figure(chart.figure)
    wide = chart.figure.layout
    plot_height = max((wide.height or HEIGHT) - (wide.margin.t or 0) - (wide.margin.b or 0), 160)
    footers = [note.text for note in fig.layout.annotations if note.name == "source"]
    footer = footers[0].replace("<br>", " ") if footers else chart.source
    fig.layout.annotations = [note for note in fig.layout.annotations if note.name != "source"]
    categories = {x for trace in fig.data if trace.x is not None for x in trace.x if isinstance(x, str)}
    fig.update_xaxes(tickangle=-45 if len(categories) > 3 else 0, tickfont={"size": 11})
    fig.update_yaxes(tickfont={"size": 11})
    rows = list(dict.fromkeys(y for trace in fig.data if trace.y is not None for y in trace.y if isinstance(y, str)))
    if rows:  # category labels beside horizontal bars: shown in short lines, the categories themselves unchanged
        labels = [wrap(row.replace("<br>", " "), NARROW_LABEL_WRAP) for row in rows]
        fig.update_yaxes(tickmode="array", tickvals=rows, ticktext=labels)
        plot_height = max(plot_height, len(rows) * max(map(lines_in, labels)) * 14 + 40)  # lines never overlap
    fig.update_layout(legend={"font": {"size": 12}}, margin={"l": 48, "r": 8})
    legend = fig.layout.showlegend is not False
    finish(
        fig,
        title=chart.title,
        subtitle=chart.subtitle,
        source=footer,
        legend=legend,
        fit=NARROW,
        plot_height=plot_height,
    )
    # The source line starts at the plot's left edge; category labels on the y axis push that edge right
    # (Plotly's automargin), so start the line that far to the left of it, at the figure's edge.
    left = _left_margin_px(fig)
    fig.update_annotations(selector={"name": "source"}, x=-left / (NARROW_COLUMN_PX - left - 8))
    return fig


def _left_margin_px(fig: go.Figure) -> float:
    """Plotly's left margin in a narrow figure: 48 px, or as wide as the longest y category label line."""
    lines = [line for label in fig.layout.yaxis.ticktext or () for line in str(label).split("<br>")]
    # An estimate a little under Plotly's (11 px Arial): a line starting a few pixels in beats one cut off.
    return min(max(48.0, 8 + 5.2 * max((len(line) for line in lines), default=0)), 0.6 * NARROW_COLUMN_PX)


def source_line(frame: pd.DataFrame) -> str:
    """'Source: <document>, <section>; <section>.' for the rows behind a chart, document by document."""
    rows = frame.dropna(subset=["source_document"]) if "source_document" in frame else frame.iloc[0:0]
    parts = []
    for document in dict.fromkeys(rows["source_document"]):
        sections = list(dict.fromkeys(rows.loc[rows["source_document"] == document, "source_section"].dropna()))
        parts.append(f"{document}, {'; '.join(sections)}" if sections else str(document))
    return f"Source: {'. '.join(parts) or 'none recorded'}."


def not_reported_chart(chart_id: str, name: str, reason: str) -> Chart:
    """A chart whose figures are not held: an empty frame saying so, never an error."""
    fig = go.Figure()
    fig.add_annotation(
        text=wrap(f"Not reported: {reason}.", 60),
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": 16, "color": "#3D3D3D"},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    title = f"{name}: {NOT_REPORTED}"
    return make_chart(
        chart_id,
        fig,
        pd.DataFrame({"what": [name], "status": [NOT_REPORTED], "reason": [reason]}),
        title=title,
        subtitle=f"The figures this chart needs are not held ({reason})",
        source="Source: none; the figures this chart needs are not held.",
        alt_text=f"No chart: {reason}.",
        legend=False,
    )


def make_chart(
    chart_id: str,
    fig: go.Figure,
    data: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    source: str,
    alt_text: str,
    labels: tuple[str, ...] = (),
    notes: tuple[str, ...] = (),
    legend: bool = True,
    as_at_date: date | None = None,
) -> Chart:
    """Finish the figure and wrap it in a Chart with its data and provenance."""
    finish(fig, title=title, subtitle=subtitle, source=source, notes=notes, legend=legend)
    return Chart(
        chart_id=chart_id,
        figure=fig,
        data=data.reset_index(drop=True),
        title=title,
        subtitle=subtitle,
        source=source,
        alt_text=alt_text,
        labels=tuple(dict.fromkeys(labels)),
        as_at=as_at_date,
    )
